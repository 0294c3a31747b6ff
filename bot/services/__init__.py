"""Domain services: plain functions over a session, no chat platform in sight."""
