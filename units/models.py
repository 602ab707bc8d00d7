"""Regional party-building member units (区域化党建成员单位): the registry with liaison people, the
commitments each unit made (承诺项目) with status and evidence, joint meetings with attendance, and the
unit's own sorting compliance (a unit is a "unit" under the regulation, Art. 57(1))."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lib.codes import opaque_code_field
from lib.db import TimeStampedModel


class UnitKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("Enterprise")
    SCHOOL = "school", _("School")
    PUBLIC = "public", _("Government or public body")
    HOSPITAL = "hospital", _("Hospital")
    MARKET = "market", _("Market")
    OTHER = "other", _("Other")


class MemberUnit(TimeStampedModel):
    subdistrict = models.ForeignKey("grid.GridNode", on_delete=models.PROTECT, related_name="+")
    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=12, choices=UnitKind.choices, default=UnitKind.OTHER)
    address = models.CharField(_("address"), max_length=200, blank=True)
    # The residential area it sits in, if any (for joint activities with that area).
    community = models.ForeignKey(
        "grid.GridNode",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("residential area"),
    )
    joined_on = models.DateField(_("joined on"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("member unit")
        verbose_name_plural = _("member units")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Liaison(models.Model):
    # A unit's liaisons, commitments, attendance and checks are its record: PROTECT, never cascade.
    unit = models.ForeignKey(MemberUnit, on_delete=models.PROTECT, related_name="liaisons")
    person = models.ForeignKey("grid.Person", on_delete=models.PROTECT, related_name="unit_liaisons")
    title = models.CharField(_("title"), max_length=50, blank=True)
    primary = models.BooleanField(_("primary contact"), default=False)

    class Meta:
        verbose_name = _("liaison")
        verbose_name_plural = _("liaisons")
        constraints = [models.UniqueConstraint(fields=["unit", "person"], name="liaison_once_per_unit")]

    def __str__(self) -> str:
        return f"{self.person} ({self.unit})"


class CommitmentStatus(models.TextChoices):
    PLEDGED = "pledged", _("Pledged")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    MISSED = "missed", _("Not met")


class Commitment(TimeStampedModel):
    unit = models.ForeignKey(MemberUnit, on_delete=models.PROTECT, related_name="commitments")
    code = opaque_code_field()
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("commitment"), max_length=150)
    due = models.DateField(_("due"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=CommitmentStatus.choices, default=CommitmentStatus.PLEDGED
    )
    evidence = models.FileField(_("evidence (photo or PDF)"), upload_to="commitments/%Y/", blank=True)
    evidence_note = models.CharField(_("evidence"), max_length=300, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        ordering = ["-year", "unit", "due"]

    def __str__(self) -> str:
        return self.title


class Meeting(TimeStampedModel):
    subdistrict = models.ForeignKey("grid.GridNode", on_delete=models.PROTECT, related_name="+")
    code = opaque_code_field()
    title = models.CharField(_("title"), max_length=150)
    day = models.DateField(_("day"))
    place = models.CharField(_("place"), max_length=100, blank=True)
    minutes = models.TextField(_("minutes"), blank=True)

    class Meta:
        verbose_name = _("joint meeting")
        verbose_name_plural = _("joint meetings")
        ordering = ["-day"]

    def __str__(self) -> str:
        return self.title


class Reply(models.TextChoices):
    NONE = "", _("Not answered")
    CONFIRMED = "confirmed", _("Will attend")
    DECLINED = "declined", _("Cannot attend")


class Attendance(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="attendance")
    unit = models.ForeignKey(MemberUnit, on_delete=models.PROTECT, related_name="attendance")
    code = opaque_code_field()
    present = models.BooleanField(_("present"), default=False)
    representative = models.CharField(_("representative"), max_length=50, blank=True)
    # The unit's answer to the invitation, before the meeting (the liaison's); `present` is what happened.
    reply = models.CharField(_("reply"), max_length=10, choices=Reply.choices, blank=True, default="")
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)

    class Meta:
        verbose_name = _("meeting attendance")
        verbose_name_plural = _("meeting attendance")
        constraints = [models.UniqueConstraint(fields=["meeting", "unit"], name="attendance_once")]

    def __str__(self) -> str:
        return f"{self.unit} @ {self.meeting}"


class CheckResult(models.TextChoices):
    COMPLIANT = "compliant", _("Compliant")
    MINOR = "minor", _("Minor problems")
    FAILED = "failed", _("Not compliant")


class UnitCheck(TimeStampedModel):
    """An on-site check of the unit's own sorting (bins, mixing, collection contract)."""

    unit = models.ForeignKey(MemberUnit, on_delete=models.PROTECT, related_name="checks")
    day = models.DateField(_("day"))
    result = models.CharField(_("result"), max_length=10, choices=CheckResult.choices)
    notes = models.CharField(_("findings"), max_length=300, blank=True)
    inspector = models.CharField(_("inspector"), max_length=80, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("unit check")
        verbose_name_plural = _("unit checks")
        ordering = ["-day"]

    def __str__(self) -> str:
        return f"{self.unit} {self.day} {self.get_result_display()}"
