"""The platform-neutral chat layer: events in, replies out."""
