"""Start every registered simulator on its fixed loopback port and serve until interrupted."""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from integrations.common.simulators import registered_simulators, start_simulators


class Command(BaseCommand):
    help = "Start the simulators of national services (Maskinporten, Folkeregisteret, …) on loopback."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--only", nargs="*", help="start only these simulators")
        parser.add_argument("--list", action="store_true", help="list the registered simulators and exit")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["list"]:
            for entry in registered_simulators():
                self.stdout.write(f"{entry.name}: port {settings.SIMULATOR_PORTS.get(entry.name, 0)}")
            return
        running = start_simulators(host=settings.SIMULATOR_HOST, ports=settings.SIMULATOR_PORTS, only=options["only"])
        for name, server in running.items():
            self.stdout.write(f"{name}: {server.url}")
        self.stdout.flush()
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        try:
            stop.wait()
        except KeyboardInterrupt:
            pass
        finally:
            for server in running.values():
                server.stop()
