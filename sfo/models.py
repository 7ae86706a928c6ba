"""Models of the SFO domain."""
