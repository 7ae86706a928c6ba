"""Models of the Vikarhåndtering domain."""
