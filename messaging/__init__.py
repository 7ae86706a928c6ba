"""Kommunikasjon med hjemmet (domain app). Other apps use only `messaging.public`."""
