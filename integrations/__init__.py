"""Integrations with external systems: one package per system (port, client, simulator, mapping, errors)."""
