"""The development stack behind ``make up``: child processes started, watched and stopped together.

Each child runs in its own session (process group) so that Ctrl-C reaches only the supervisor, which
then stops the children in order — by their process-group id, never by name — and finally the embedded
services.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from django.core.management import get_commands

STOP_TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True)
class ChildSpec:
    name: str
    argv: list[str]


@dataclass
class Child:
    spec: ChildSpec
    process: subprocess.Popen[bytes]

    @property
    def pid(self) -> int:
        return self.process.pid


def child_specs(
    *, base_dir: Path, var_dir: Path, host: str, port: int, reload: bool = True, extras: bool = True
) -> list[ChildSpec]:
    """What ``make up`` runs: web, worker, beat, and the identity provider and simulators when present."""
    python = sys.executable
    manage = str(base_dir / "manage.py")
    specs = [
        ChildSpec("web", [python, manage, "runserver", f"{host}:{port}", *([] if reload else ["--noreload"])]),
        ChildSpec("worker", [python, "-m", "celery", "-A", "oas", "worker", "--loglevel=INFO", "--concurrency=2"]),
        ChildSpec(
            "beat",
            [
                python,
                "-m",
                "celery",
                "-A",
                "oas",
                "beat",
                "--loglevel=INFO",
                f"--schedule={var_dir / 'celerybeat-schedule'}",
            ],
        ),
    ]
    # Hooks for other parts: the development identity provider and the integration simulators.
    commands = get_commands() if extras else {}
    if "run_dev_idp" in commands:
        specs.append(ChildSpec("identity provider", [python, manage, "run_dev_idp"]))
    if "run_simulators" in commands:
        specs.append(ChildSpec("simulators", [python, manage, "run_simulators"]))
    return specs


class Supervisor:
    """Start children, wait until told to stop or until one dies, then stop them all."""

    def __init__(self, *, env: Mapping[str, str], cwd: Path):
        self.env = dict(env)
        self.cwd = cwd
        self.children: list[Child] = []
        self._stop_requested = False
        self._starting = False

    def say(self, message: str) -> None:
        sys.stdout.write(message + "\n")
        sys.stdout.flush()

    def start(self, specs: list[ChildSpec]) -> None:
        self._starting = True  # from now on a stop request is a flag that wait() sees, never an exception
        for spec in specs:
            process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
                spec.argv, cwd=self.cwd, env=self.env, start_new_session=True
            )
            self.children.append(Child(spec=spec, process=process))
            self.say(f"  started {spec.name} (pid {process.pid})")

    @property
    def stop_requested(self) -> bool:
        return self._stop_requested

    def request_stop(self, signum: int, _frame: object) -> None:
        self._stop_requested = True
        if not self._starting:
            # Still migrating or seeding: interrupt that work (the seed is one transaction and rolls back).
            raise KeyboardInterrupt

    def install_signal_handlers(self) -> None:
        signal.signal(signal.SIGINT, self.request_stop)
        signal.signal(signal.SIGTERM, self.request_stop)

    def wait(self) -> int:
        """Block until a stop signal (return 0) or until a child exits on its own (return 1)."""
        while not self._stop_requested:
            for child in self.children:
                code = child.process.poll()
                if code is not None:
                    self.say(f"OAS: {child.spec.name} (pid {child.pid}) exited with status {code}; stopping the rest.")
                    return 1
            time.sleep(0.5)
        return 0

    def stop(self) -> None:
        """SIGTERM every child's process group, wait, then SIGKILL what is left."""
        for child in reversed(self.children):
            if child.process.poll() is None:
                _signal_group(child.pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
        for child in self.children:
            remaining = max(0.1, deadline - time.monotonic())
            try:
                child.process.wait(timeout=remaining)
            except subprocess.TimeoutExpired:
                _signal_group(child.pid, signal.SIGKILL)
                child.process.wait(timeout=5)
            # The group may still hold grandchildren (runserver's reloader, Celery's pool).
            _signal_group(child.pid, signal.SIGKILL)
            self.say(f"  stopped {child.spec.name} (pid {child.pid})")


def _signal_group(pgid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signum)
