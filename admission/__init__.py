"""Admission (opptak): one workflow that kindergarten and SFO admission share, each with its own rules.

A capability below the domains: ``kindergarten`` and ``sfo`` import it and plug in their rules
(:class:`admission.rules.AdmissionRules`); it never imports them (import-linter). It holds

* the matching engine (``engine``: deferred acceptance with locked seats and the § 16 guarantee), distances
  (``geo``) and the recorded lottery (``lottery``) — pure Python, no models, so anyone can re-run or check a
  round from its JSON export;
* who may act for a child and who hears about it (``guardians``);
* the shared workflow steps (``services``): round open/deadline checks, the responsibility check with its
  refusal audit, the duplicate-application check, offer answer deadlines, decision letters and archive
  entries through the outbox, and notifying the guardians.

The tables stay in the domain apps (no data moved between apps); the code is shared.
"""
