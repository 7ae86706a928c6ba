"""Skole (domain app). Other apps use only `school.public`."""
