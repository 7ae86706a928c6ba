"""Shared integration plumbing: errors, HTTP transport, loopback simulator base, spec validation."""
