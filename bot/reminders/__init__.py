"""The reminder engine: the pure policy and the store view it works on."""
