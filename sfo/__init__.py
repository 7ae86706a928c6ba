"""SFO (domain app). Other apps use only `sfo.public`."""
