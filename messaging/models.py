"""Models of Kommunikasjon med hjemmet: threads with sides, notices, notifications, working hours, calendar.

A *thread* is about one child and belongs to a unit or group *mailbox* (colleagues share it). Each guardian
in the thread has their own *side*: what a guardian writes is visible to the staff and to that guardian
only — there is no reply-all between parents. Staff messages without a side go to every side.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from oas.access.roles import GROUP_ROLES, UNIT_ROLES, Role
from oas.organisation.models import Municipality, OrgUnit
from oas.people.models import Person

# Roles a mailbox may name as its handlers: roles held on the mailbox's unit (or above it), or on the group.
HANDLER_ROLE_CHOICES = [(r.value, r.label) for r in Role if r in UNIT_ROLES | GROUP_ROLES]

MAX_BODY_CHARS = 20_000


def _body_not_enormous() -> LessThanOrEqual:
    return LessThanOrEqual(Length("body"), MAX_BODY_CHARS)


class Mailbox(models.Model):
    """A unit's or group's shared mailbox, with its policy (response time, out of office, quiet hours)."""

    unit = models.OneToOneField(OrgUnit, on_delete=models.PROTECT, related_name="mailbox")
    response_time_hours = models.PositiveSmallIntegerField(_("svarfrist (timer)"), default=48)
    urgent_bypasses_quiet_hours = models.BooleanField(
        _("haster-meldinger varsler også utenfor arbeidstid"), default=True
    )
    notices_need_approval = models.BooleanField(_("oppslag må godkjennes av leder"), default=False)
    out_of_office_message = models.TextField(_("fraværsmelding"), blank=True, max_length=2000)
    out_of_office_until = models.DateField(_("fraværsmelding gjelder til"), null=True, blank=True)
    # Need-to-know: who reads the mailbox's conversations besides the staff on them. Empty: the default for
    # the unit's kind (messaging.services.mailboxes.DEFAULT_HANDLER_ROLES).
    handler_roles = ArrayField(
        models.CharField(max_length=40, choices=HANDLER_ROLE_CHOICES),
        verbose_name=_("roller som behandler postkassen"),
        blank=True,
        default=list,
        help_text=_("Tom: standard for enhetstypen (klasse: kontaktlærer; enhet: leder og merkantil)."),
    )
    handlers = models.ManyToManyField(Person, blank=True, related_name="+", verbose_name=_("navngitte saksbehandlere"))
    substitute = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("stedfortreder ved fravær"),
    )
    guardians_may_mark_urgent = models.BooleanField(_("foresatte kan merke meldinger som haster"), default=False)

    class Meta:
        verbose_name = _("postkasse")
        verbose_name_plural = _("postkasser")

    def __str__(self) -> str:
        return gettext("Postkasse %(unit)s") % {"unit": self.unit}


class Thread(models.Model):
    """A conversation about one child between a mailbox (staff) and the child's guardians, each on a side."""

    mailbox = models.ForeignKey(Mailbox, on_delete=models.PROTECT, related_name="threads")
    # Denormalised from mailbox.unit: the access layer reaches threads through it.
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    child = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="message_threads")
    subject = models.CharField(_("emne"), max_length=200)
    sensitive = models.BooleanField(_("sensitiv"), default=False)
    urgent = models.BooleanField(_("haster"), default=False)
    notice = models.ForeignKey("Notice", null=True, blank=True, on_delete=models.SET_NULL, related_name="threads")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    last_message_at = models.DateTimeField()
    # Set when the newest message comes from a guardian and no staff answer has followed.
    awaiting_staff_since = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("meldingstråd")
        verbose_name_plural = _("meldingstråder")
        indexes = [models.Index(fields=["unit", "-last_message_at"]), models.Index(fields=["awaiting_staff_since"])]

    def __str__(self) -> str:
        return gettext("Tråd %(id)s") % {"id": self.pk}


class ThreadParticipant(models.Model):
    """A staff member on a thread: who started it, wrote in it or was added; they read it and are notified."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="participants")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    added_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["thread", "person"], name="threadparticipant_once")]
        indexes = [models.Index(fields=["person"])]

    def __str__(self) -> str:
        return f"{self.person_id} i tråd {self.thread_id}"


class ThreadSide(models.Model):
    """One guardian's side of a thread: the guardian sees staff messages and their own, nobody else's."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="sides")
    guardian = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="thread_sides")
    last_read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["thread", "guardian"], name="threadside_one_per_guardian")]
        indexes = [models.Index(fields=["guardian"])]

    def __str__(self) -> str:
        return gettext("Side %(guardian)s i tråd %(thread)s") % {"guardian": self.guardian_id, "thread": self.thread_id}


class AuthorKind(models.TextChoices):
    STAFF = "staff", _("Ansatt")
    GUARDIAN = "guardian", _("Foresatt")
    SYSTEM = "system", _("Automatisk svar")


class Message(models.Model):
    """One message. ``side`` empty: from staff to every side; set: visible to staff and that side only."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="messages")
    side = models.ForeignKey(ThreadSide, null=True, blank=True, on_delete=models.CASCADE, related_name="messages")
    author_kind = models.CharField(max_length=10, choices=AuthorKind.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    author_name = models.CharField(max_length=200)
    body = models.TextField(_("tekst"))
    urgent = models.BooleanField(_("haster"), default=False)
    created_at = models.DateTimeField()
    recalled_at = models.DateTimeField(_("trukket tilbake"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=_body_not_enormous(), name="message_body_not_enormous"),
            models.CheckConstraint(
                condition=~Q(author_kind=AuthorKind.GUARDIAN) | Q(side__isnull=False),
                name="message_guardian_writes_on_own_side",
            ),
        ]

    def __str__(self) -> str:
        return gettext("Melding %(id)s") % {"id": self.pk}


class MessageRead(models.Model):
    """Who read a message when (read receipts shown to staff)."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="reads")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["message", "person"], name="messageread_once")]

    def __str__(self) -> str:
        return f"{self.person_id} leste {self.message_id}"


class Attachment(models.Model):
    """A file stored under PRIVATE_MEDIA_ROOT, served only through an access-checked view."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    storage_name = models.CharField(max_length=100, unique=True)

    def __str__(self) -> str:
        return self.filename


class NoticeStatus(models.TextChoices):
    AWAITING_APPROVAL = "awaiting_approval", _("Venter på godkjenning")
    SCHEDULED = "scheduled", _("Planlagt")
    SENT = "sent", _("Sendt")


class Notice(models.Model):
    """A one-way notice (oppslag) to groups, units or the whole municipality."""

    mailbox = models.ForeignKey(Mailbox, on_delete=models.PROTECT, related_name="notices")
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("tittel"), max_length=200)
    body = models.TextField(_("tekst"))
    target_units = models.ManyToManyField(OrgUnit, blank=True, related_name="+")
    target_municipality = models.ForeignKey(Municipality, null=True, blank=True, on_delete=models.PROTECT)
    replies_to_sender = models.BooleanField(_("svar går kun til avsender"), default=False)
    urgent = models.BooleanField(_("haster"), default=False)
    status = models.CharField(max_length=20, choices=NoticeStatus.choices)
    send_at = models.DateTimeField(_("sendes"))
    sent_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("oppslag")
        verbose_name_plural = _("oppslag")
        constraints = [
            models.CheckConstraint(condition=_body_not_enormous(), name="notice_body_not_enormous"),
        ]
        indexes = [models.Index(fields=["status", "send_at"])]

    def __str__(self) -> str:
        return self.title


class NoticeRecipient(models.Model):
    """A guardian who received a notice (for one of their children)."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="recipients")
    guardian = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="notices_received")
    child = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["notice", "guardian"], name="noticerecipient_once")]
        indexes = [models.Index(fields=["guardian", "notice"])]

    def __str__(self) -> str:
        return f"{self.guardian_id} ← oppslag {self.notice_id}"


# --- Notifications ------------------------------------------------------------------------------


class Channel(models.TextChoices):
    EMAIL = "email", _("E-post")
    SMS = "sms", _("SMS")
    PUSH = "push", _("Varsel i nettleseren")


class StaffChannel(models.TextChoices):
    """How a staff member wants one kind of notification (SMS costs money: e-mail is the default)."""

    EMAIL = "email", _("E-post")
    SMS = "sms", _("SMS")
    DIGEST = "digest", _("Samlet e-post én gang om dagen")
    NONE = "none", _("Bare i arbeidsflaten")


class NotificationPreference(models.Model):
    """Which channels a person wants besides the portal/arbeidsflate (always on); staff: per kind, and absence."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="notification_preference")
    email = models.BooleanField(_("e-post"), default=True)
    sms = models.BooleanField(_("SMS"), default=True)
    push = models.BooleanField(_("nettleservarsel"), default=False)
    staff_message_channel = models.CharField(
        _("nye meldinger fra foresatte"), max_length=10, choices=StaffChannel.choices, default=StaffChannel.EMAIL
    )
    staff_urgent_channel = models.CharField(
        _("meldinger som haster"), max_length=10, choices=StaffChannel.choices, default=StaffChannel.SMS
    )
    # Staff absence (fravær): while away, the mailbox's substitute is notified instead.
    away_from = models.DateField(_("borte fra"), null=True, blank=True)
    away_until = models.DateField(_("borte til og med"), null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(away_from__isnull=True) | Q(away_until__isnull=True) | Q(away_from__lte=F("away_until")),
                name="notificationpreference_away_period",
            ),
            models.CheckConstraint(
                condition=~Q(staff_urgent_channel="digest"), name="notificationpreference_urgent_not_digest"
            ),
        ]

    def __str__(self) -> str:
        return gettext("Varslingsvalg %(person)s") % {"person": self.person_id}


class PushSubscription(models.Model):
    """A Web Push subscription (endpoint and keys from the browser's PushManager)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="push_subscriptions")
    endpoint = models.URLField(max_length=500, unique=True)
    p256dh = models.CharField(max_length=200)
    auth = models.CharField(max_length=100)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return gettext("Push %(person)s") % {"person": self.person_id}


class Notification(models.Model):
    """One notification to one person; ``key`` makes it unique (a person never gets the same one twice)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="notifications")
    key = models.CharField(max_length=120)
    title = models.CharField(max_length=200)
    # Never the message content: notifications only say that something waits.
    url = models.CharField(max_length=300)
    urgent = models.BooleanField(default=False)
    created_at = models.DateTimeField()
    deliver_after = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)
    # Waiting for the person's daily digest e-mail instead of deliveries of its own.
    digest_pending = models.BooleanField(default=False, db_default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "key"], name="notification_unique_key")]
        indexes = [models.Index(fields=["person", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.key} → {self.person_id}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Venter")
    SENDING = "sending", _("Sendes")
    SENT = "sent", _("Sendt")
    FAILED = "failed", _("Feilet")
    NO_CONTACT = "no_contact", _("Mangler kontaktinformasjon")


class Delivery(models.Model):
    """A notification through one channel; the unique (notification, channel) pair is the delivery key."""

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    status = models.CharField(max_length=12, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    deliver_after = models.DateTimeField()
    # The claim (integrations.outbox.lease, shared with the outbox): the token fences the holder's writes, the
    # lease says when a worker that vanished gives its rows up.
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.UUIDField(null=True, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    # Committed before an e-mail goes out to SMTP; cleared by a retry or failure. Set on a SENDING row whose lease
    # ran out, it means the worker died mid-chunk: the e-mail may have gone out and is sent again with the same
    # Message-ID (see services/delivery.py).
    attempted_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("levering")
        verbose_name_plural = _("leveringer")
        constraints = [models.UniqueConstraint(fields=["notification", "channel"], name="delivery_unique_key")]
        indexes = [
            models.Index(fields=["status", "deliver_after"]),
            models.Index(
                fields=["lease_expires_at"],
                name="delivery_sending_lease",
                condition=models.Q(status="sending"),
            ),
        ]

    def __str__(self) -> str:
        return self.delivery_key

    @property
    def delivery_key(self) -> str:
        return f"oas-{self.notification_id}-{self.channel}"


class MissingContactTask(models.Model):
    """A person we could not notify because contact details are missing: a task for the unit."""

    unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "person"], condition=Q(resolved_at__isnull=True), name="missingcontact_open_once"
            )
        ]

    def __str__(self) -> str:
        return gettext("Mangler kontaktinfo %(person)s @ %(unit)s") % {"person": self.person_id, "unit": self.unit_id}


class WorkingHours(models.Model):
    """A staff member's working period on one weekday (0 = Monday); notifications wait outside them."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="working_hours")
    weekday = models.PositiveSmallIntegerField(_("ukedag"))
    start = models.TimeField(_("fra"))
    end = models.TimeField(_("til"))

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(weekday__lte=6), name="workinghours_weekday"),
            models.CheckConstraint(condition=Q(start__lt=F("end")), name="workinghours_start_before_end"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.weekday} {self.start}–{self.end}"


def _quiet_hours_valid(start: dt.time, end: dt.time) -> str:
    """Return why a quiet period is refused ('' when fine): empty, or more than 12 hours (swapped from/to)."""
    if start == end:
        return gettext("Stille tid må ha ulik start og slutt.")
    minutes = (end.hour * 60 + end.minute - start.hour * 60 - start.minute) % (24 * 60)
    if minutes > 12 * 60:
        return gettext("Stille tid kan vare høyst 12 timer – har du byttet om fra og til?")
    return ""


class MessagingSettings(models.Model):
    """A municipality's messaging settings: guardians' quiet hours (non-urgent notifications wait)."""

    municipality = models.OneToOneField(Municipality, on_delete=models.CASCADE, related_name="messaging_settings")
    guardian_quiet_hours = models.BooleanField(_("stille tid for foresatte"), default=True)
    guardian_quiet_start = models.TimeField(_("stille tid fra"), default=dt.time(21, 0))
    guardian_quiet_end = models.TimeField(_("stille tid til"), default=dt.time(7, 0))

    class Meta:
        verbose_name = _("meldingsinnstillinger for kommunen")
        verbose_name_plural = _("meldingsinnstillinger for kommuner")
        constraints = [
            models.CheckConstraint(
                condition=~Q(guardian_quiet_start=F("guardian_quiet_end")), name="messagingsettings_quiet_not_empty"
            )
        ]

    def __str__(self) -> str:
        return gettext("Meldingsinnstillinger %(m)s") % {"m": self.municipality_id}

    def clean(self) -> None:
        problem = _quiet_hours_valid(self.guardian_quiet_start, self.guardian_quiet_end)
        if problem:
            raise DjangoValidationError({"guardian_quiet_end": [problem]})


# --- Calendar -----------------------------------------------------------------------------------


class Event(models.Model):
    """A calendar event for a unit/group (its subtree) or the whole municipality."""

    title = models.CharField(_("tittel"), max_length=200)
    description = models.TextField(_("beskrivelse"), blank=True, max_length=5000)
    unit = models.ForeignKey(OrgUnit, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    municipality = models.ForeignKey(Municipality, null=True, blank=True, on_delete=models.CASCADE)
    starts_at = models.DateTimeField(_("starter"))
    ends_at = models.DateTimeField(_("slutter"))
    location = models.CharField(_("sted"), max_length=200, blank=True)
    bookable = models.BooleanField(_("foreldresamtale med timebestilling"), default=False)
    created_at = models.DateTimeField()
    # iCalendar SEQUENCE and LAST-MODIFIED/DTSTAMP: raised on every change, so subscribed calendars take it.
    sequence = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(null=True, blank=True)
    # A cancelled event stays (STATUS:CANCELLED in the ICS feed) so subscribed calendars learn of it.
    cancelled_at = models.DateTimeField(_("avlyst"), null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(starts_at__lt=F("ends_at")), name="event_starts_before_end"),
            models.CheckConstraint(
                condition=Q(unit__isnull=True) ^ Q(municipality__isnull=True), name="event_unit_xor_municipality"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class EventSlot(models.Model):
    """A bookable time in a parent meeting; booked by one guardian for one child."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="slots")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    booked_by = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    child = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(starts_at__lt=F("ends_at")), name="slot_starts_before_end"),
            models.UniqueConstraint(
                fields=["event", "child"], condition=Q(child__isnull=False), name="slot_one_per_child"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} {self.starts_at}"


def _new_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeedToken(models.Model):
    """A private, revocable ICS subscription token for one user."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=64, unique=True, default=_new_token)
    created_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return gettext("Kalenderlenke %(user)s") % {"user": self.user_id}
