"""Models of the Skole domain."""
