"""Archiving case documents in the municipality's Noark 5 archive through the outbox."""
