"""Run the development identity provider (ID-porten, Entra ID and Feide emulated on loopback)."""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

DEFAULT_REDIRECT_HOSTS = ("127.0.0.1", "localhost", "::1")


class Command(BaseCommand):
    help = "Start the development OIDC provider (issuers /idporten, /entra, /feide) on loopback."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        default_port = urlsplit(settings.OIDC_DEV_PROVIDER_URL or "http://127.0.0.1:8100").port or 8100
        parser.add_argument("--host", default="127.0.0.1", help="Loopback address to bind (never a public one).")
        parser.add_argument("--port", type=int, default=default_port)
        parser.add_argument("--client-id", default=settings.OIDC_DEV_CLIENT_ID)
        parser.add_argument("--client-secret", default=settings.OIDC_DEV_CLIENT_SECRET)
        parser.add_argument(
            "--allow-redirect-host",
            action="append",
            default=[],
            help="Extra host name a client may redirect to (loopback names are always allowed).",
        )
        parser.add_argument(
            "--test-mode", action="store_true", help="Enable /_test/ endpoints that queue deliberately bad tokens."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from devtools.devidp.server import build_provider, serve

        host = options["host"]
        if host not in {"127.0.0.1", "localhost", "::1"}:
            raise CommandError("The development identity provider only listens on loopback.")
        # oauthlib refuses plain-HTTP endpoints unless told this is a development transport.
        os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"
        provider = build_provider(
            host=host,
            port=options["port"],
            client_id=options["client_id"],
            client_secret=options["client_secret"],
            redirect_hosts=[*DEFAULT_REDIRECT_HOSTS, *options["allow_redirect_host"]],
            test_mode=options["test_mode"],
        )

        def ready(url: str) -> None:
            self.stdout.write(f"Development identity provider at {url} (issuers: {url}/idporten, /entra, /feide)")
            self.stdout.flush()

        try:
            serve(provider, host=host, port=options["port"], ready=ready)
        except KeyboardInterrupt:
            return
