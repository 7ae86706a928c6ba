"""The front door of ``integrations``: the only module other apps import (import-linter forbids the rest).

Everything that goes to another system is an outbox row written in the business transaction
(``outbox_enqueue``; the handler registered for its kind delivers it, retried with backoff):

* outbox — ``outbox_enqueue(kind=..., payload=..., idempotency_key=...)``, ``register_handler(kind, handler)``
  (in ``AppConfig.ready``); a handler gets a ``Delivery`` and raises ``TransientError`` (retry) or
  ``PermanentError`` (dead letter, a human looks at it);
* letters (SvarUt) — ``letter_send`` renders a letter and queues it (``letter_send_to_organisation`` to an
  organisation by its organisasjonsnummer), ``letter_pdf`` renders HTML to PDF,
  ``letter_pdf_get`` returns a sent letter's PDF, ``letter_status_get`` its SvarUt status, ``decision_letters_send`` a decision to each guardian plus
  its archive copy;
* archive (Noark 5) — ``archive_document`` queues a journalpost on the child's case;
* Office 365 calendars (Microsoft Graph) — ``office365_event_put``/``office365_event_delete`` queue an event's
  wanted state by a stable key and revision, ``office365_occurrence_change`` cancels or changes one day of a series;
* SMS — ``get_sms_gateway()`` (simulator or live per ``SMS_MODE``) and ``SmsOutgoing``;
* claiming — ``lease_claim``/``lease_due_ids``/``lease_bury_abandoned`` over a ``Leased`` table and
  ``backoff_seconds``: the one claiming mechanism, used by the outbox and by messaging's deliveries;
  ``publish_or_raise``/``broker_connection`` publish a Celery task (a kick; the claim finds the rows anyway);
* Folkeregisteret — ``register_change_listener(listener)`` (in ``AppConfig.ready``): the feed sync calls it in the
  page's transaction with the persons it created or changed (``RegisterPersonChange``: changes and sequence);
* ERP files — ``register_erp_file_handler(prefix, handler)``: the daily ERP directory import (beat) gives files
  named ``prefix…`` to ``handler(name, content) -> counts`` (all or nothing; a ``DomainError`` rejects the file),
  once per content (SHA-256), recorded as an ``ErpImportRun``;
* simulators — ``register_simulator(name, factory=...)`` adds one to ``manage.py run_simulators``
  (``make_sms_simulator`` is the SMS gateway's).
"""

from integrations.archive.services import archive_document
from integrations.common.errors import IntegrationError, PermanentError, TransientError
from integrations.common.simulators import register_simulator
from integrations.erp.services import register_erp_file_handler
from integrations.freg.listeners import RegisterPersonChange, register_change_listener
from integrations.letters.decisions import decision_letters_send
from integrations.letters.rendering import letter_pdf
from integrations.letters.selectors import LetterStatusInfo, letter_pdf_get, letter_status_get
from integrations.letters.services import letter_send, letter_send_to_organisation
from integrations.msgraph.services import office365_event_delete, office365_event_put, office365_occurrence_change
from integrations.outbox import Delivery, outbox_enqueue, register_handler
from integrations.outbox.lease import Claim, Leased, backoff_seconds, lease_bury_abandoned, lease_claim, lease_due_ids
from integrations.outbox.services import broker_connection, publish_or_raise
from integrations.sms import get_sms_gateway
from integrations.sms.port import SmsGateway, SmsOutgoing
from integrations.sms.simulator import make_sms_simulator

__all__ = [
    "Claim",
    "Delivery",
    "IntegrationError",
    "Leased",
    "LetterStatusInfo",
    "PermanentError",
    "RegisterPersonChange",
    "SmsGateway",
    "SmsOutgoing",
    "TransientError",
    "archive_document",
    "backoff_seconds",
    "broker_connection",
    "decision_letters_send",
    "get_sms_gateway",
    "lease_bury_abandoned",
    "lease_claim",
    "lease_due_ids",
    "letter_pdf",
    "letter_pdf_get",
    "letter_send",
    "letter_send_to_organisation",
    "letter_status_get",
    "make_sms_simulator",
    "office365_event_delete",
    "office365_event_put",
    "office365_occurrence_change",
    "outbox_enqueue",
    "publish_or_raise",
    "register_change_listener",
    "register_erp_file_handler",
    "register_handler",
    "register_simulator",
]
