"""A loopback SMTP server for tests and benchmarks: accepts messages, counts Message-IDs, can refuse on demand.

It speaks enough of RFC 5321 for Django's SMTP backend (EHLO/HELO, MAIL, RCPT, DATA with dot-stuffing, RSET,
NOOP, QUIT). A message counts as accepted only when its end-of-data line arrives — a client that dies
mid-transfer leaves nothing, as with a real server. ``refuse_data_with`` makes the server answer the end of
data with that reply code (e.g. 554) instead of 250, once per call to ``refuse_next``.
"""

from __future__ import annotations

import datetime as dt
import socketserver
import threading
from dataclasses import dataclass


@dataclass(frozen=True)
class ReceivedMail:
    message_id: str
    recipients: tuple[str, ...]
    data: bytes  # as received, with dot-stuffing undone
    received_at: dt.datetime | None = None


class SmtpSimulator(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, keep_messages: bool = True) -> None:
        super().__init__((host, port), _SmtpHandler)
        self.lock = threading.Lock()
        self.keep_messages = keep_messages
        self.ids: set[str] = set()
        self.duplicates = 0
        self.messages: list[ReceivedMail] = []
        self._refusals: list[int] = []

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def start(self) -> SmtpSimulator:
        threading.Thread(target=self.serve_forever, daemon=True, name="smtp-simulator").start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()

    def __enter__(self) -> SmtpSimulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def refuse_next(self, code: int = 554) -> None:
        """Answer the next message's end of data with ``code`` (it is then not accepted)."""
        with self.lock:
            self._refusals.append(code)

    def _refusal(self) -> int | None:
        with self.lock:
            return self._refusals.pop(0) if self._refusals else None

    def record(self, mail: ReceivedMail) -> None:
        with self.lock:
            if mail.message_id in self.ids:
                self.duplicates += 1
            self.ids.add(mail.message_id)
            if self.keep_messages:
                self.messages.append(mail)


class _SmtpHandler(socketserver.StreamRequestHandler):
    server: SmtpSimulator
    disable_nagle_algorithm = True  # small replies on a keep-alive session: don't wait for delayed ACKs

    def _send(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")
        self.wfile.flush()

    def handle(self) -> None:
        try:
            self._session()
        except ConnectionError:
            # The client died (a killed worker's socket is reset when replies were left unread). As with EOF, a
            # message whose end of data had not arrived is not accepted; the ones before it were.
            return

    def _session(self) -> None:
        self._send("220 simulator ESMTP")
        recipients: list[str] = []
        while True:
            raw = self.rfile.readline()
            if not raw:
                return
            line = raw.decode("latin-1").strip()
            cmd = line.upper()
            if cmd.startswith(("EHLO", "HELO")):
                self._send("250 simulator")
            elif cmd.startswith("MAIL FROM:"):
                recipients = []
                self._send("250 ok")
            elif cmd.startswith("RCPT TO:"):
                recipients.append(line[8:].strip().strip("<>"))
                self._send("250 ok")
            elif cmd.startswith("DATA"):
                self._send("354 go ahead")
                if not self._data(recipients):
                    return
                recipients = []
            elif cmd.startswith("QUIT"):
                self._send("221 bye")
                return
            else:  # RSET, NOOP, ...
                self._send("250 ok")

    def _data(self, recipients: list[str]) -> bool:
        lines: list[bytes] = []
        message_id = ""
        while True:
            line = self.rfile.readline()
            if not line:
                return False  # connection lost mid-message: nothing was accepted
            if line in (b".\r\n", b".\n"):
                break
            if line.startswith(b".."):
                line = line[1:]
            if not message_id and line.lower().startswith(b"message-id:"):
                message_id = line.split(b":", 1)[1].strip().decode("latin-1")
            lines.append(line)
        refusal = self.server._refusal()
        if refusal is not None:
            self._send(f"{refusal} message refused by the simulator")
            return True
        self.server.record(ReceivedMail(message_id, tuple(recipients), b"".join(lines), dt.datetime.now(tz=dt.UTC)))
        self._send("250 queued")
        return True
