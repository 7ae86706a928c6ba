"""The demo's mail catcher: the SMTP simulator as a sink, and a page listing what was "sent" by e-mail and SMS.

``make up`` runs it among the simulators (``manage.py run_simulators``) when ``EMAIL_MODE=simulator``: Django's
SMTP backend delivers to the sink at ``EMAIL_HOST:EMAIL_PORT`` (127.0.0.1:8025), and the page at
http://127.0.0.1:8205/ shows every e-mail received and every SMS the SMS gateway simulator accepted, newest first.
Nothing leaves the machine. Production refuses ``EMAIL_MODE=simulator`` (``oas/settings/production.py``), so the
catcher never runs there.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
from email.message import EmailMessage
from html import escape
from typing import Any

from django.utils.translation import gettext as _

from integrations.common.simulator import SimRequest, SimResponse, SimulatorServer
from integrations.mail.simulator import ReceivedMail, SmtpSimulator


class MailCatcher(SimulatorServer):
    """An HTTP page (and ``/messages.json``) over an SMTP sink and, if given, the SMS gateway simulator."""

    name = "mail"

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, smtp_port: int = 0, sms: Any = None) -> None:
        super().__init__(host=host, port=port)
        self.smtp = SmtpSimulator(host=host, port=smtp_port)
        self.sms = sms

    def start(self) -> MailCatcher:
        self.smtp.start()
        super().start()
        return self

    def stop(self) -> None:
        super().stop()
        self.smtp.stop()

    def emails(self) -> list[dict[str, str]]:
        """The e-mails received, newest first, decoded for reading."""
        with self.smtp.lock:
            received = list(self.smtp.messages)
        return [_decoded(mail) for mail in reversed(received)]

    def sms_sent(self) -> list[dict[str, str]]:
        """The SMS the gateway simulator accepted, newest first."""
        if self.sms is None:
            return []
        return list(reversed(list(self.sms.sent.values())))

    def handle(self, request: SimRequest) -> SimResponse:
        if request.method != "GET":
            return SimResponse.json({"error": "method_not_allowed"}, status=405)
        if request.path == "/messages.json":
            return SimResponse.json({"emails": self.emails(), "sms": self.sms_sent()})
        if request.path != "/":
            return SimResponse.json({"error": "not_found"}, status=404)
        return SimResponse(
            body=self._page().encode(), content_type="text/html; charset=utf-8", headers={"Cache-Control": "no-store"}
        )

    def _page(self) -> str:
        emails = self.emails()
        sms = self.sms_sent()
        mail_rows = "".join(
            "<tr>"
            f"<td>{escape(m['received_at'])}</td><td>{escape(m['to'])}</td><td>{escape(m['subject'])}</td>"
            f"<td><pre>{escape(m['body'])}</pre></td><td><code>{escape(m['message_id'])}</code></td>"
            "</tr>"
            for m in emails
        )
        sms_rows = "".join(
            f"<tr><td>{escape(s.get('recipient', ''))}</td><td>{escape(s.get('text', ''))}</td>"
            f"<td><code>{escape(s.get('reference', ''))}</code></td></tr>"
            for s in sms
        )
        title = _("Sendt fra demoen")
        return f"""<!doctype html>
<html lang="nb"><head><meta charset="utf-8"><title>{escape(title)}</title>
<style>body{{font-family:sans-serif;margin:2rem}}table{{border-collapse:collapse;width:100%}}
td,th{{border:1px solid #ccc;padding:.3rem;text-align:left;vertical-align:top}}pre{{margin:0;white-space:pre-wrap}}</style>
</head><body>
<h1>{escape(title)}</h1>
<p>{escape(_("E-post og SMS som OAS har «sendt» i demoen. Ingenting forlater maskinen."))}
<a href="/">{escape(_("Oppdater"))}</a></p>
<h2 id="e-post">{escape(_("E-post"))} ({len(emails)})</h2>
<table id="emails"><thead><tr><th>{escape(_("Mottatt"))}</th><th>{escape(_("Til"))}</th><th>{escape(_("Emne"))}</th>
<th>{escape(_("Tekst"))}</th><th>Message-ID</th></tr></thead><tbody>{mail_rows}</tbody></table>
<h2 id="sms">SMS ({len(sms)})</h2>
<table id="sms-list"><thead><tr><th>{escape(_("Til"))}</th><th>{escape(_("Tekst"))}</th><th>{escape(_("Referanse"))}</th>
</tr></thead><tbody>{sms_rows}</tbody></table>
</body></html>
"""


def _decoded(mail: ReceivedMail) -> dict[str, str]:
    parsed = email.message_from_bytes(mail.data, policy=email.policy.default)
    body = ""
    if isinstance(parsed, EmailMessage):
        part = parsed.get_body(preferencelist=("plain", "html"))
        body = str(part.get_content()) if part is not None else ""
    received = mail.received_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC") if mail.received_at else ""
    return {
        "received_at": received,
        "to": ", ".join(mail.recipients),
        "subject": str(parsed.get("Subject", "")),
        "message_id": mail.message_id,
        "body": body,
    }


def make_mail_catcher(*, host: str, port: int, running: dict[str, SimulatorServer]) -> MailCatcher:
    """The catcher on ``SIMULATOR_PORTS['mail']``, its SMTP sink where Django sends (``EMAIL_PORT``)."""
    from django.conf import settings

    return MailCatcher(host=host, port=port, smtp_port=int(settings.EMAIL_PORT), sms=running.get("sms"))
