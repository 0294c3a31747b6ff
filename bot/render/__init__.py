"""User-facing wording, Chinese first, kept in one place."""
