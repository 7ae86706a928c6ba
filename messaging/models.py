"""Models of the Kommunikasjon med hjemmet domain."""
