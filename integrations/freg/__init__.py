"""Folkeregisteret (offentlig-med-hjemmel API v1.5): port, live client, simulator, mapping, sync."""
