"""Admission matching kernel (opptak): pure Python, no Django models.

Kindergarten and SFO admission both build plain inputs (programmes, applicants, priority orders) from their own
models and call :func:`oas.matching.engine.match`. Keeping the engine here lets both domain apps use it without
importing each other, and lets anyone re-run or check a round from its JSON export.
"""
