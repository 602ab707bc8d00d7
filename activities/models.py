"""Activities: theme party days, trainings, lectures, structured seminars, contests, sign-and-walk events,
school activities — planned, published, registered for, checked in at the door by QR, summarised with
photos; hours and points credited to those who came."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from lib.codes import opaque_code_field
from lib.db import TimeStampedModel


class ActivityKind(models.TextChoices):
    THEME_DAY = "theme_day", _("Theme party day")
    TRAINING = "training", _("Training")
    LECTURE = "lecture", _("Lecture / briefing")
    SEMINAR = "seminar", _("Structured seminar")
    CONTEST = "contest", _("Knowledge contest")
    WALK = "walk", _("Sign-and-walk")
    SCHOOL = "school", _("School activity")
    VISIT = "visit", _("Site visit")
    OTHER = "other", _("Other")


# Kinds meant for party members (a theme party day is the branch's own meeting): offered to, and taken from,
# active party members only (activities.services.may_join); every other kind is open to everyone it concerns.
PARTY_KINDS = frozenset({ActivityKind.THEME_DAY})


class ActivityStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    DONE = "done", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


# Not a stored status: a published activity between its start and its end (Activity.under_way).
IN_PROGRESS = pgettext_lazy("activity status", "In progress")


class Activity(TimeStampedModel):
    subdistrict = models.ForeignKey("grid.GridNode", on_delete=models.PROTECT, related_name="+")
    node = models.ForeignKey(
        "grid.GridNode", on_delete=models.PROTECT, related_name="activities", verbose_name=_("grid node")
    )
    code = models.CharField(_("code"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=ActivityKind.choices)
    title = models.CharField(_("title"), max_length=120)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    place = models.CharField(_("place"), max_length=120, blank=True)
    capacity = models.PositiveIntegerField(_("places"), default=0, help_text=_("0: no limit"))
    status = models.CharField(
        _("status"), max_length=10, choices=ActivityStatus.choices, default=ActivityStatus.DRAFT
    )
    # A structured seminar's topics and sessions, one per line ("议题一：… / 环节：…").
    programme = models.TextField(_("topics and sessions"), blank=True)
    summary = models.TextField(_("summary"), blank=True)
    credit_minutes = models.PositiveIntegerField(_("volunteer minutes credited"), default=0)
    points = models.PositiveIntegerField(_("green-account points per attendee"), default=0)
    speaker = models.ForeignKey(
        "grid.Person",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="talks",
        verbose_name=_("speaker / trainer"),
    )
    org = models.ForeignKey(
        "party.PartyOrg",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("party organisation"),
    )
    unit = models.ForeignKey(
        "units.MemberUnit",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("member unit"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["subdistrict", "starts_at"], name="activity_sd_start_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="activity_ends_after_start")
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def for_party_members(self) -> bool:
        return self.kind in PARTY_KINDS

    @property
    def under_way(self) -> bool:
        """Published and between its start and its scheduled end now: stored as published, shown as
        "进行中" (`status_shown`) and listed before what is coming (activities.views.node_activities)."""
        return self.status == ActivityStatus.PUBLISHED and self.starts_at <= timezone.now() < self.ends_at

    @property
    def status_shown(self) -> str:
        """The status as the pages show it: the stored one, or "In progress" (进行中) while `under_way`."""
        if self.under_way:
            return str(IN_PROGRESS)
        return self.get_status_display()


class Registration(models.Model):
    # Evidence (who came, minutes credited): an activity with registrations is closed, never deleted.
    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="registrations")
    person = models.ForeignKey("grid.Person", on_delete=models.PROTECT, related_name="registrations")
    registered_at = models.DateTimeField(auto_now_add=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    minutes = models.PositiveIntegerField(default=0)  # credited when the activity is closed

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [models.UniqueConstraint(fields=["activity", "person"], name="registration_once")]

    def __str__(self) -> str:
        return f"{self.person} @ {self.activity}"


class ActivityPhoto(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="photos")
    code = opaque_code_field()
    image = models.ImageField(upload_to="activities/%Y/%m/")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("activity photo")
        verbose_name_plural = _("activity photos")

    def __str__(self) -> str:
        return f"{self.activity} · {_('photo')}"
