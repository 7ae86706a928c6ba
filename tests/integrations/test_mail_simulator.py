"""The SMTP simulator behaves as a real server when a client dies: only messages whose end of data arrived count."""

from __future__ import annotations

import socket
import struct
import time

from integrations.mail.simulator import SmtpSimulator


def _session(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port))
    reader = sock.makefile("rb")
    assert reader.readline().startswith(b"220")
    for command in (b"EHLO test", b"MAIL FROM:<a@example.no>", b"RCPT TO:<b@example.no>", b"DATA"):
        sock.sendall(command + b"\r\n")
        assert reader.readline()[:3] in (b"250", b"354")
    return sock


def _reset(sock: socket.socket) -> None:
    """Close with SO_LINGER 0: the kernel sends RST, as for a killed process with unread replies."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def _wait_for(predicate: object, seconds: float = 2.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not predicate():  # type: ignore[operator]
        time.sleep(0.01)


def test_a_client_reset_mid_message_leaves_nothing_and_the_server_keeps_serving() -> None:
    with SmtpSimulator() as server:
        errors: list[object] = []
        server.handle_error = lambda request, client_address: errors.append(client_address)  # type: ignore[method-assign]
        sock = _session(server.port)
        sock.sendall(b"Message-ID: <half@oas>\r\n\r\nHalf a message\r\n")
        time.sleep(0.05)
        _reset(sock)
        time.sleep(0.1)
        assert server.messages == []
        whole = _session(server.port)
        whole.sendall(b"Message-ID: <whole@oas>\r\n\r\nA whole message\r\n.\r\n")
        _reset(whole)  # reset right behind the end of data, before reading the reply
        _wait_for(lambda: server.messages)
        assert [m.message_id for m in server.messages] == ["<whole@oas>"]
        assert server.duplicates == 0
        assert errors == []  # a reset is a client going away, not a server error
