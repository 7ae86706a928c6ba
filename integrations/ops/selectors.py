"""Reads for the operations overview: one summary per integration, computed with a handful of queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count, Max, Min, Q
from django.utils.translation import gettext as _

from integrations.models import (
    ArchiveCaseFile,
    ArchiveRecord,
    ErpImportRun,
    FregCursor,
    FregSyncRun,
    IntegrationRun,
    Letter,
    OutboxMessage,
    OutboxStatus,
    RegisterChangeNotice,
)
from oas import clock


@dataclass
class IntegrationSummary:
    key: str
    name: str
    mode: str
    last_run_at: dt.datetime | None = None
    last_run_ok: bool | None = None
    cursor: str = ""
    counts: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


@dataclass
class OutboxKindSummary:
    kind: str
    pending: int
    in_progress: int
    dead: int
    delivered_24h: int
    oldest_pending: dt.datetime | None


@dataclass
class Overview:
    integrations: list[IntegrationSummary]
    outbox: list[OutboxKindSummary]
    dead_letters: list[OutboxMessage]


def _outbox() -> list[OutboxKindSummary]:
    since = clock.now() - dt.timedelta(hours=24)
    rows = (
        OutboxMessage.objects.values("kind")
        .annotate(
            pending=Count("id", filter=Q(status=OutboxStatus.PENDING)),
            in_progress=Count("id", filter=Q(status=OutboxStatus.IN_PROGRESS)),
            dead=Count("id", filter=Q(status=OutboxStatus.DEAD)),
            delivered_24h=Count("id", filter=Q(status=OutboxStatus.DELIVERED, delivered_at__gte=since)),
            oldest_pending=Min("next_attempt_at", filter=Q(status=OutboxStatus.PENDING)),
        )
        .order_by("kind")
    )
    return [OutboxKindSummary(**row) for row in rows]


def _freg() -> IntegrationSummary:
    summary = IntegrationSummary(key="freg", name=_("Folkeregisteret"), mode=settings.INTEGRATION_MODES["freg"])
    cursor = FregCursor.objects.order_by("name").first()
    summary.cursor = _("sekvensnummer %(number)s") % {"number": cursor.last_sequence} if cursor else ""
    run = FregSyncRun.objects.order_by("-started_at").first()
    if run is not None:
        summary.last_run_at = run.started_at
        summary.last_run_ok = run.status == "succeeded"
        summary.counts = dict(run.counts or {})
        if run.error:
            summary.errors.append(run.error[:300])
    summary.counts[_("åpne meldinger om registerendring")] = RegisterChangeNotice.objects.filter(
        resolved_at__isnull=True
    ).count()
    return summary


def _svarut() -> IntegrationSummary:
    summary = IntegrationSummary(key="svarut", name=_("SvarUt (brev)"), mode=settings.INTEGRATION_MODES["svarut"])
    run = IntegrationRun.objects.filter(system="svarut").order_by("-started_at").first()
    if run is not None:
        summary.last_run_at, summary.last_run_ok = run.started_at, run.ok
        if run.error:
            summary.errors.append(run.error[:300])
    by_state = dict(Letter.objects.values_list("state").annotate(n=Count("id")).values_list("state", "n"))
    summary.counts = {_("brev %(state)s") % {"state": state}: n for state, n in sorted(by_state.items())}
    summary.errors.extend(
        f"{letter.ekstern_referanse}: {letter.last_error[:200]}"
        for letter in Letter.objects.filter(state="failed").order_by("-created_at")[:5]
    )
    return summary


def _noark() -> IntegrationSummary:
    summary = IntegrationSummary(key="noark", name=_("Noark 5-arkiv"), mode=settings.INTEGRATION_MODES["noark"])
    stats = ArchiveRecord.objects.aggregate(
        queued=Count("id", filter=Q(state="queued")),
        archived=Count("id", filter=Q(state="archived")),
        last=Max("archived_at"),
    )
    summary.last_run_at = stats["last"]
    summary.last_run_ok = True if stats["last"] else None
    summary.counts = {
        _("dokumenter i kø"): stats["queued"],
        _("dokumenter arkivert"): stats["archived"],
        _("saksmapper"): ArchiveCaseFile.objects.count(),
    }
    return summary


def _erp() -> IntegrationSummary:
    summary = IntegrationSummary(key="erp", name=_("ERP (ansatte)"), mode=settings.INTEGRATION_MODES["erp"])
    run = ErpImportRun.objects.order_by("-started_at").first()
    if run is not None:
        summary.last_run_at, summary.last_run_ok = run.started_at, run.status == "imported"
        summary.cursor = run.file_name
        summary.counts = dict(run.counts or {})
        for e in run.errors[:10]:
            where = _("linje %(line)s") % {"line": e["line"]} if e.get("line") else e.get("location")
            summary.errors.append(f"{where}, {e.get('field')}: {e.get('message')}")
    return summary


def integrations_overview() -> Overview:
    """Return the state of every integration and the outbox queue for the operations page."""
    maskinporten = IntegrationSummary(
        key="maskinporten", name="Maskinporten", mode=settings.INTEGRATION_MODES["maskinporten"]
    )
    return Overview(
        integrations=[maskinporten, _freg(), _svarut(), _noark(), _erp()],
        outbox=_outbox(),
        dead_letters=list(OutboxMessage.objects.filter(status=OutboxStatus.DEAD).order_by("-dead_at")[:10]),
    )
