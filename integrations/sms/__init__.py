"""SMS gateway: a port, a live HTTP client and a loopback simulator speaking the same JSON API.

API (the shape of common Norwegian SMS gateways' REST APIs): ``POST /sms/v1/messages`` with
``{"sender", "recipient", "text", "reference"}`` and ``Authorization: Bearer <api key>`` →
``201 {"id", "status": "queued", "reference"}``; the same ``reference`` again → ``200`` with the first id
(the gateway deduplicates, so a retried delivery never reaches the phone twice). ``400`` for an invalid
number (permanent). ``SMS_MODE=simulator|live``; live needs ``SMS_BASE_URL`` and ``SMS_API_KEY``.
"""

from integrations.sms.port import SmsGateway, SmsReceipt, get_sms_gateway

__all__ = ["SmsGateway", "SmsReceipt", "get_sms_gateway"]
