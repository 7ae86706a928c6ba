"""Models of the Timeplan domain."""
