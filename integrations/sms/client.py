"""Live HTTP client for the SMS gateway (httpx through the shared Transport)."""

from __future__ import annotations

from django.conf import settings

from integrations.common.transport import Transport
from integrations.sms.port import SmsItemResult, SmsOutgoing, SmsReceipt


class SmsTransport(Transport):
    system = "sms"


class SmsClient:
    def __init__(self, *, base_url: str, api_key: str, timeout: float = 10.0) -> None:
        self._transport = SmsTransport(
            base_url=base_url, timeout=timeout, headers={"Authorization": f"Bearer {api_key}"}
        )
        self._sender = str(getattr(settings, "SMS_SENDER", "OAS"))

    def send(self, *, recipient: str, text: str, reference: str) -> SmsReceipt:
        response = self._transport.request(
            "POST",
            "/sms/v1/messages",
            json_body={"sender": self._sender, "recipient": recipient, "text": text, "reference": reference},
            ok=(200, 201),
        )
        data = self._transport.json(response)
        return SmsReceipt(id=str(data.get("id", "")), duplicate=response.status_code == 200)

    def send_batch(self, *, messages: list[SmsOutgoing]) -> list[SmsItemResult]:
        response = self._transport.request(
            "POST",
            "/sms/v1/messages/batch",
            json_body={
                "messages": [
                    {"sender": self._sender, "recipient": m.recipient, "text": m.text, "reference": m.reference}
                    for m in messages
                ]
            },
            ok=(200,),
        )
        data = self._transport.json(response)
        return [
            SmsItemResult(
                reference=str(r.get("reference", "")),
                ok=int(r.get("result", 500)) in (200, 201),
                error=str(r.get("error", "")),
            )
            for r in data.get("results", [])
        ]

    def close(self) -> None:
        self._transport.close()
