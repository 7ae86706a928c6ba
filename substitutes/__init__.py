"""Vikarhåndtering (domain app). Other apps use only `substitutes.public`."""
