"""Drop-off points (箱房/投放点) with their bins and opening windows, the duty roster, bin-side records and
their daily rollups, and the device tokens that phones and smart bins post with.

Observations are the platform's biggest table: every row carries `subdistrict_id` and the local `day`, rollups
are kept per day (updated in the same transaction as the rows they count), and nothing joins the raw table
on a hot path.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from grid.scope import ScopedQuerySet
from guide.models import CategoryKey
from lib.clock import SHANGHAI, local_time
from lib.codes import opaque_code_field
from lib.db import TimeStampedModel
from supervision.outcomes import MISTAKE_Q, Outcome, outcome_text


class DropOffPoint(TimeStampedModel):
    subdistrict = models.ForeignKey(
        "grid.GridNode", on_delete=models.PROTECT, related_name="+", editable=False
    )
    community = models.ForeignKey(
        "grid.GridNode",
        on_delete=models.PROTECT,
        related_name="drop_off_points",
        verbose_name=_("residential area"),
    )
    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=80)
    address = models.CharField(_("address"), max_length=200, blank=True)
    manager = models.CharField(
        _("management responsible person"),
        max_length=100,
        blank=True,
        help_text=_("管理责任人, usually the property company"),
    )
    manager_contact = models.CharField(_("contact"), max_length=50, blank=True)
    active = models.BooleanField(pgettext_lazy("drop-off point", "active"), default=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("drop-off point")
        verbose_name_plural = _("drop-off points")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("supervision:point_detail", args=[self.code])


class Bin(models.Model):
    point = models.ForeignKey(DropOffPoint, on_delete=models.CASCADE, related_name="bins")
    category = models.CharField(_("category"), max_length=12, choices=CategoryKey.choices)
    count = models.PositiveSmallIntegerField(_("number of bins"), default=1)

    class Meta:
        verbose_name = _("bin")
        verbose_name_plural = _("bins")
        constraints = [models.UniqueConstraint(fields=["point", "category"], name="bin_unique_category")]

    def __str__(self) -> str:
        return f"{self.point.name} {self.get_category_display()}"  # people know a point by its name


class OpeningWindow(models.Model):
    point = models.ForeignKey(DropOffPoint, on_delete=models.CASCADE, related_name="windows")
    weekday = models.PositiveSmallIntegerField(_("weekday"), help_text=_("0 = Monday … 6 = Sunday"))
    holiday = models.BooleanField(_("holiday variant"), default=False)
    start = models.TimeField(_("opens"))
    end = models.TimeField(_("closes"))

    class Meta:
        verbose_name = _("opening window")
        verbose_name_plural = _("opening windows")
        ordering = ["point", "holiday", "weekday", "start"]
        constraints = [
            models.CheckConstraint(condition=Q(weekday__lte=6), name="window_weekday_valid"),
            models.CheckConstraint(condition=Q(start__lt=models.F("end")), name="window_start_before_end"),
        ]

    def __str__(self) -> str:
        return f"{self.weekday} {self.start:%H:%M}–{self.end:%H:%M}"


class Holiday(models.Model):
    """A day off the usual week (set per city; the statutory ones come from chinese-calendar, jobs.holidays):
    a public holiday (放假), on which points open by their holiday windows, or an adjusted working day
    (调休上班, `workday`), a weekend day on which points open as on the weekday `opens_like`
    (supervision.plausibility.windows_on)."""

    day = models.DateField(_("day"), unique=True)
    name = models.CharField(_("name"), max_length=40)
    workday = models.BooleanField(
        _("adjusted working day"),
        default=False,
        help_text=_("A weekend day worked in exchange for a holiday: points open as on a working day."),
    )
    opens_like = models.PositiveSmallIntegerField(
        _("opens like"),
        default=0,
        help_text=_(
            "For an adjusted working day: the weekday whose windows apply (0 = Monday … 6 = Sunday)."
        ),
    )

    class Meta:
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        constraints = [
            models.CheckConstraint(condition=Q(opens_like__lte=6), name="holiday_opens_like_valid")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.name}"


class Shift(models.Model):
    subdistrict = models.ForeignKey(
        "grid.GridNode", on_delete=models.PROTECT, related_name="+", editable=False
    )
    point = models.ForeignKey(DropOffPoint, on_delete=models.CASCADE, related_name="shifts")
    code = opaque_code_field()
    day = models.DateField(_("day"))
    start = models.TimeField(_("from"))
    end = models.TimeField(_("to"))
    needed = models.PositiveSmallIntegerField(_("people needed"), default=1)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        ordering = ["day", "start", "point"]
        constraints = [models.UniqueConstraint(fields=["point", "day", "start"], name="shift_unique_slot")]
        indexes = [models.Index(fields=["subdistrict", "day"], name="shift_sd_day_idx")]

    def __str__(self) -> str:
        return f"{self.point.name} {self.day} {self.start:%H:%M}"  # people know a point by its name

    @property
    def starts_at(self) -> datetime.datetime:
        """The window's start as an aware datetime: its `day` at `start`, Shanghai time."""
        return datetime.datetime.combine(self.day, self.start, tzinfo=SHANGHAI)

    @property
    def ends_at(self) -> datetime.datetime:
        """The window's end as an aware datetime: its `day` at `end`, Shanghai time."""
        return datetime.datetime.combine(self.day, self.end, tzinfo=SHANGHAI)


class SignupStatus(models.TextChoices):
    SIGNED_UP = "signed_up", _("Signed up")
    # Not "Assigned": in Chinese that is the households' 包责 term (issue 17); a sign-up by staff is a sign-up.
    ASSIGNED = "assigned", pgettext_lazy("shift sign-up", "Signed up by staff")
    SWAPPED = "swapped", _("Swapped away")
    CANCELLED = "cancelled", _("Cancelled")


class ShiftSignup(models.Model):
    subdistrict_id = models.BigIntegerField()  # the shift's: sign-ups live on the shift's shard
    shift = models.ForeignKey(Shift, on_delete=models.PROTECT, related_name="signups")  # minutes on duty
    person = models.ForeignKey("grid.Person", on_delete=models.PROTECT, related_name="shift_signups")
    code = opaque_code_field()
    status = models.CharField(
        _("status"), max_length=12, choices=SignupStatus.choices, default=SignupStatus.SIGNED_UP
    )
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)
    checked_out_at = models.DateTimeField(_("checked out"), null=True, blank=True)
    minutes = models.PositiveIntegerField(_("minutes on duty"), default=0)

    class Meta:
        verbose_name = _("shift sign-up")
        verbose_name_plural = _("shift sign-ups")
        constraints = [models.UniqueConstraint(fields=["shift", "person"], name="signup_unique_person")]

    def __str__(self) -> str:
        return f"{self.person} @ {self.shift}"


class OfferStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for an answer")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ShiftOffer(models.Model):
    """A shift offered to someone else. The shift stays with its owner until the other person accepts
    (or a secretary approves): handing over is never done to a person without their consent."""

    subdistrict_id = models.BigIntegerField()  # the shift's, like the sign-up's
    signup = models.ForeignKey(ShiftSignup, on_delete=models.CASCADE, related_name="offers")
    to_person = models.ForeignKey("grid.Person", on_delete=models.PROTECT, related_name="shift_offers")
    code = opaque_code_field()
    status = models.CharField(
        _("status"), max_length=10, choices=OfferStatus.choices, default=OfferStatus.PENDING
    )
    created_at = models.DateTimeField(_("offered"), auto_now_add=True)
    decided_at = models.DateTimeField(_("answered"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("shift offer")
        verbose_name_plural = _("shift offers")
        constraints = [
            # One open offer per sign-up: a second offer must withdraw the first.
            models.UniqueConstraint(
                fields=["signup"], condition=Q(status="pending"), name="shiftoffer_one_pending"
            )
        ]
        indexes = [models.Index(fields=["to_person", "status"], name="shiftoffer_to_status_idx")]

    def __str__(self) -> str:
        return f"{self.signup} → {self.to_person} ({self.get_status_display()})"


class Observation(models.Model):
    """One drop-off seen at the bin. `client_id` is made by the phone or device: retries never duplicate."""

    # Identity: the client-made UUID behind the sub-district and the local day. The day lets PostgreSQL
    # partition the table by month (a partitioned table's keys must contain the partition column); the
    # sub-district is the distribution key (a distributed table's keys must contain it) and makes the key
    # serve every "this sub-district, these days" read, so no other (sub-district, day) index is kept up on
    # each insert. A retry repeats all three, so it collides with itself.
    pk = models.CompositePrimaryKey("subdistrict_id", "day", "client_id")
    client_id = models.UUIDField()
    subdistrict_id = models.BigIntegerField(db_index=False)
    community_id = models.BigIntegerField()
    # No database-level foreign keys on the biggest table: ingest resolves every code itself, and per-row
    # FK checks cost more than the insert (and do not survive distribution by sub-district).
    # Only the indexes reads need: the key, and (household, day) for the records a household got wrong.
    # PROTECT needs no database constraint: Django's delete collector looks for records first, so a point or
    # household with records is refused a delete instead of leaving records pointing at nothing.
    point = models.ForeignKey(
        DropOffPoint, on_delete=models.PROTECT, related_name="+", db_constraint=False, db_index=False
    )
    household = models.ForeignKey(
        "grid.Household",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    observed_at = models.DateTimeField()
    day = models.DateField()  # local (Asia/Shanghai) day of observed_at: what rollups group by
    category = models.CharField(max_length=12, choices=CategoryKey.choices)
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    mixed_with = models.CharField(max_length=60, blank=True)  # comma-separated categories
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        null=True,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    received_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("bin-side record")
        verbose_name_plural = _("bin-side records")
        indexes = [
            # A household's page and an enforcement case read only its mistakes; correct drop-offs (most
            # records) are counted in the rollups and never looked up one by one.
            models.Index(
                fields=["household", "day"],
                condition=MISTAKE_Q,
                name="obs_household_mistakes_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.point} {local_time(self.observed_at):%Y-%m-%d %H:%M} {self.get_outcome_display()}"

    @property
    def outcome_label(self) -> str:
        """The outcome with what was mixed in, as record lists show it (`outcomes.outcome_text`)."""
        return outcome_text(self.outcome, self.mixed_with)


class ObservationKey(models.Model):
    """The idempotency key of a bin-side record: one client id per sub-district, whatever the day.

    A record's own key holds the day (the partition column on PostgreSQL must be in every unique key of the
    partitioned table), so a retry whose observed_at moved to another day would not collide there. This small
    unpartitioned table does: ingest inserts the batch's keys ON CONFLICT DO NOTHING in the same statement
    (PostgreSQL) or transaction (SQLite) as the records, and only records whose key is new are written and
    counted. `day` says where the stored record lives.
    """

    pk = models.CompositePrimaryKey("subdistrict_id", "client_id")
    subdistrict_id = models.BigIntegerField()
    client_id = models.UUIDField()
    day = models.DateField()

    class Meta:
        verbose_name = _("bin-side record key")
        verbose_name_plural = _("bin-side record keys")

    def __str__(self) -> str:
        return f"{self.subdistrict_id} {self.client_id}"


class ObservationPhoto(models.Model):
    """A photo taken with a record, kept apart so the records table stays narrow. EXIF stripped, downscaled."""

    client_id = models.UUIDField(unique=True, help_text=_("the record's client_id"))
    subdistrict_id = models.BigIntegerField()
    image = models.ImageField(upload_to="observations/%Y/%m/")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("record photo")
        verbose_name_plural = _("record photos")

    def __str__(self) -> str:
        return str(self.client_id)


class FlagKind(models.TextChoices):
    CLOCK = "clock", _("Phone clock off")
    RATE = "rate", _("Too many records in a day")
    OUTSIDE_WINDOW = "outside_window", _("Outside opening hours")


class FlagVerdict(models.TextChoices):
    PENDING = "pending", _("Awaiting review")
    ACCEPTED = "accepted", _("Accepted as evidence")
    REJECTED = "rejected", _("Rejected as evidence")


class ObservationFlag(models.Model):
    """A bin-side record that looks implausible, kept out of case evidence until a person has looked
    (`supervision.plausibility`). One row per record and kind; a review sets every flag of the record.
    Kept beside the records (same key columns) so the narrow records table and its insert stay as they are."""

    subdistrict_id = models.BigIntegerField()
    client_id = models.UUIDField()
    day = models.DateField()
    community = models.ForeignKey(
        "grid.GridNode", on_delete=models.DO_NOTHING, related_name="+", db_constraint=False
    )
    household = models.ForeignKey(
        "grid.Household", on_delete=models.DO_NOTHING, null=True, related_name="+", db_constraint=False
    )
    kind = models.CharField(_("kind"), max_length=16, choices=FlagKind.choices)
    detail = models.JSONField(default=dict, blank=True)
    verdict = models.CharField(
        _("verdict"), max_length=10, choices=FlagVerdict.choices, default=FlagVerdict.PENDING
    )
    flagged_at = models.DateTimeField(auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("flagged record")
        verbose_name_plural = _("flagged records")
        constraints = [
            models.UniqueConstraint(fields=["subdistrict_id", "client_id", "kind"], name="flag_unique_kind"),
        ]
        indexes = [models.Index(fields=["community", "verdict"], name="flag_community_verdict_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_verdict_display()})"


class PurityLevel(models.TextChoices):
    """`label` explains a level where a volunteer chooses one (纯净（纯净度 > 85%）); `purity_word` is its short
    word wherever a check is shown as a result or a record (纯净)."""

    CLEAN = "clean", _("Clean (purity > 85%)")
    SLIGHT = "slight", _("Slight mixing")
    SERIOUS = "serious", _("Serious mixing")


_PURITY_WORDS = {
    PurityLevel.CLEAN: pgettext_lazy("purity level", "clean"),
    PurityLevel.SLIGHT: pgettext_lazy("purity level", "slight mixing"),
    PurityLevel.SERIOUS: pgettext_lazy("purity level", "serious mixing"),
}


def purity_word(level: str) -> str:
    """A purity level's short word in the page's language (纯净, 轻微混杂, 严重混杂); the key itself if unknown."""
    word = _PURITY_WORDS.get(level)  # type: ignore[call-overload]
    return str(word) if word is not None else level


class PurityCheck(models.Model):
    client_id = models.UUIDField(unique=True)
    subdistrict_id = models.BigIntegerField()
    point = models.ForeignKey(DropOffPoint, on_delete=models.PROTECT, related_name="purity_checks")
    shift = models.ForeignKey(
        Shift, on_delete=models.SET_NULL, null=True, blank=True, related_name="purity_checks"
    )
    category = models.CharField(max_length=12, choices=CategoryKey.choices)
    level = models.CharField(max_length=8, choices=PurityLevel.choices)
    checked_at = models.DateTimeField()
    day = models.DateField()
    notes = models.CharField(max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("purity check")
        verbose_name_plural = _("purity checks")
        indexes = [
            models.Index(fields=["subdistrict_id", "day"], name="purity_sd_day_idx"),
            # Assessment and dashboards read one residential area's points over a span of days.
            models.Index(fields=["point", "day"], name="purity_point_day_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.point} {self.get_category_display()} {self.get_level_display()}"


class PointDay(models.Model):
    """Per point, day and bin category: the counts the dashboards read. Kept equal to the raw records."""

    # Keyed like the records: the sub-district (distribution key) first, no surrogate id.
    pk = models.CompositePrimaryKey("subdistrict_id", "point", "day", "category")
    subdistrict_id = models.BigIntegerField()
    community_id = models.BigIntegerField()
    point = models.ForeignKey(DropOffPoint, on_delete=models.CASCADE, related_name="+", db_index=False)
    day = models.DateField()
    category = models.CharField(max_length=12, choices=CategoryKey.choices)
    total = models.PositiveIntegerField(default=0)
    correct = models.PositiveIntegerField(default=0)
    mixed = models.PositiveIntegerField(default=0)
    bag_not_broken = models.PositiveIntegerField(default=0)
    corrected = models.PositiveIntegerField(default=0)
    refused = models.PositiveIntegerField(default=0)
    anonymous = models.PositiveIntegerField(default=0)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["subdistrict_id", "day"], name="pointday_sd_day_idx")]

    def __str__(self) -> str:
        return f"{self.point} {self.day} {self.get_category_display()}"


class HouseholdDay(models.Model):
    # The key (sub-district, household, day) serves a household's lookups and the ingest's upsert; no
    # surrogate id, no separate FK index or per-row FK check. The sub-district leads: the distribution key.
    pk = models.CompositePrimaryKey("subdistrict_id", "household", "day")
    subdistrict_id = models.BigIntegerField()
    household = models.ForeignKey(
        "grid.Household", on_delete=models.DO_NOTHING, related_name="+", db_constraint=False, db_index=False
    )
    day = models.DateField()
    total = models.PositiveIntegerField(default=0)
    correct = models.PositiveIntegerField(default=0)
    mistakes = models.PositiveIntegerField(
        default=0
    )  # mixed, bag not broken, refused (corrected counts as fixed)
    refused = models.PositiveIntegerField(default=0)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["subdistrict_id", "day"], name="householdday_sd_day_idx"),
            # Repeat offenders read only the days with mistakes: a small fraction of all household-days.
            models.Index(
                fields=["subdistrict_id", "day"],
                condition=Q(mistakes__gt=0),
                name="householdday_mistakes_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household} {self.day}"
