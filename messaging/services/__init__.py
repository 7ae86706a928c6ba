"""Writes of Kommunikasjon med hjemmet (one module per part)."""
