"""Development identity provider: one loopback OIDC provider process emulating ID-porten, Entra ID and Feide.

Built on oauthlib (the protocol core that django-oauth-toolkit itself uses) with all state in memory:
clients, codes and tokens live only as long as the process, keys are generated at start. That keeps it
independent of any database (it runs the same with the embedded PostgreSQL) and lets one process serve
three issuers, which django-oauth-toolkit's single-issuer settings cannot.
"""
