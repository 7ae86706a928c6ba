"""Models of the Barnehage domain."""
