"""Noark 5 tjenestegrensesnitt: the municipality's archive (saksmappe, journalpost, dokument)."""
