"""``manage.py devstack`` (``make up``): migrate, compile translations, seed when empty, run everything.

DATABASE_URL / REDIS_URL are used when set; otherwise the settings have already started the embedded
PostgreSQL and Redis under ./var, and Ctrl-C stops them again after the child processes.
"""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from devtools.embedded import stop_embedded
from devtools.seed import demo_municipality_seed
from devtools.seed.after import demo_after_seed_run
from devtools.stack import Supervisor, child_specs
from devtools.vapid import vapid_keys_ensure
from oas.demo_personas import PERSONAS
from oas.env import env_str
from oas.errors import DomainError
from oas.organisation.models import Municipality


class Command(BaseCommand):
    help = "Run the development stack: web server, Celery worker and beat, identity provider and simulators."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--seed-size", choices=["full", "small"], default="full", help="Demo data size.")
        parser.add_argument("--no-seed", action="store_true", help="Do not seed an empty database.")
        parser.add_argument("--noreload", action="store_true", help="Do not restart the web server on code changes.")
        parser.add_argument(
            "--no-extras", action="store_true", help="Run only web, worker and beat (no identity provider, simulators)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        embedded = [
            name
            for name, value in (("postgresql", env_str("DATABASE_URL")), ("redis", env_str("REDIS_URL")))
            if not value
        ]
        supervisor = Supervisor(env=self._child_env(), cwd=settings.BASE_DIR)
        # Installed first: Ctrl-C (or SIGTERM) during migrate or seed interrupts it and still stops what runs.
        supervisor.install_signal_handlers()
        status = 0
        try:
            self.stdout.write(
                f"OAS: database {'embedded' if 'postgresql' in embedded else 'from DATABASE_URL'}, "
                f"Redis {'embedded' if 'redis' in embedded else 'from REDIS_URL'}."
            )
            call_command("migrate", interactive=False, verbosity=0)
            call_command("compile_translations", verbosity=0)
            if not options["no_seed"] and not Municipality.objects.exists():
                self.stdout.write(
                    f"OAS: the database is empty; seeding the demo municipality ({options['seed_size']})…"
                )
                try:
                    result = demo_municipality_seed(size=options["seed_size"])
                except DomainError as exc:
                    self.stdout.write(f"OAS: not seeding: {exc.message}")
                else:
                    self.stdout.write(f"OAS: seeded in {result.seconds} s ({result.counts['persons']} people).")
                    # Closing days, fee rates, admission rounds, the school, timetable and assessment demo.
                    demo_after_seed_run()
            specs = child_specs(
                base_dir=settings.BASE_DIR,
                var_dir=settings.VAR_DIR,
                host=options["host"],
                port=options["port"],
                reload=not options["noreload"],
                extras=not options["no_extras"],
            )
            self.stdout.write("OAS: starting " + ", ".join(spec.name for spec in specs))
            self.stdout.flush()
            if not supervisor.stop_requested:
                supervisor.start(specs)
                self._banner(options["host"], options["port"])
                status = supervisor.wait()
        except KeyboardInterrupt:
            self.stdout.write("OAS: interrupted.")
        finally:
            self.stdout.write("OAS: stopping…")
            self.stdout.flush()
            supervisor.stop()
            if embedded:
                from django.db import connections

                connections.close_all()
                stopped = stop_embedded(settings.VAR_DIR)
                self.stdout.write(f"OAS: stopped embedded {', '.join(stopped) or 'services (none running)'}.")
            self.stdout.write("OAS: everything stopped.")
        if status:
            raise SystemExit(status)

    def _child_env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["DATABASE_URL"] = settings.DATABASE_URL
        env["REDIS_URL"] = settings.REDIS_URL
        # The demo is used by people who are not developers: Norwegian error pages, never Django's debug page
        # (DJANGO_DEBUG=true brings it back for a developer). Static files come from the source folders.
        env.setdefault("DJANGO_DEBUG", "false")
        env.setdefault("OAS_STATIC_FROM_SOURCE", "true")
        if not (env_str("VAPID_PRIVATE_KEY") and env_str("VAPID_PUBLIC_KEY")):
            # Web push in the demo: a key pair of its own under ./var, made once (production brings its own).
            keys = vapid_keys_ensure(directory=settings.VAR_DIR / "vapid")
            env["VAPID_PRIVATE_KEY_FILE"] = str(keys.private_key)
            env["VAPID_PUBLIC_KEY_FILE"] = str(keys.public_key)
        env.setdefault("PYTHONUNBUFFERED", "1")
        return env

    def _banner(self, host: str, port: int) -> None:
        url = f"http://{host}:{port}/"
        lines = ["", f"OAS runs at {url}  (health: {url}healthz)  — Ctrl-C stops everything."]
        if settings.EMAIL_MODE == "simulator":
            catcher = f"http://{settings.SIMULATOR_HOST}:{settings.SIMULATOR_PORTS['mail']}/"
            lines.append(f"E-mail and SMS the demo sent: {catcher}  (SMTP sink on port {settings.EMAIL_PORT})")
        lines += ["", "Demo logins:"]
        width = max(len(p.key) for p in PERSONAS)
        lines.extend(f"  {p.key:<{width}}  {p.provider:<8}  {p.label}" for p in PERSONAS)
        lines.append("")
        self.stdout.write("\n".join(lines))
        self.stdout.flush()
