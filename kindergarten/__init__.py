"""Barnehage (domain app). Other apps use only `kindergarten.public`."""
