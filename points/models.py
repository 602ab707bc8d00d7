"""Green-account points (绿色账户): a household's append-only ledger, its balance, the rules (versioned) and
the redemption catalogue.

The balance lives on `PointsAccount` and is changed only in the same transaction as the ledger entry that
explains it, by a conditional UPDATE that cannot take it below zero (a database constraint backs that up).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from grid.models import VersionedRule
from lib.db import TimeStampedModel


class PointRule(VersionedRule):
    per_correct_drop = models.PositiveSmallIntegerField(_("points per verified correct drop-off"), default=10)
    daily_cap = models.PositiveSmallIntegerField(_("daily cap for drop-offs"), default=20)
    per_activity = models.PositiveSmallIntegerField(_("points per activity attended"), default=0)

    class Meta:
        verbose_name = _("points rule")
        verbose_name_plural = _("points rules")
        ordering = ["-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["subdistrict", "effective_from"], name="pointrule_unique_version")
        ]

    def __str__(self) -> str:
        return f"{self.per_correct_drop}/{self.daily_cap} ({self.effective_from})"


class PointsAccount(models.Model):
    household = models.OneToOneField(
        "grid.Household", on_delete=models.PROTECT, related_name="points_account"
    )
    subdistrict_id = models.BigIntegerField()
    balance = models.IntegerField(_("balance"), default=0)

    class Meta:
        verbose_name = _("points account")
        verbose_name_plural = _("points accounts")
        constraints = [
            models.CheckConstraint(condition=Q(balance__gte=0), name="points_balance_never_negative")
        ]

    def __str__(self) -> str:
        return f"{self.household}: {self.balance}"


class EntryKind(models.TextChoices):
    DROP = "drop", _("Correct drop-off")
    ACTIVITY = "activity", _("Activity")
    REDEEM = "redeem", _("Redemption")
    EXPIRE = "expire", _("Year-end expiry")
    REVERSAL = "reversal", _("Reversal")


class LedgerEntry(models.Model):
    """Append-only. A mistake is undone by a reversing entry, never by a change or a delete."""

    subdistrict_id = models.BigIntegerField()
    household = models.ForeignKey(
        "grid.Household", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    kind = models.CharField(_("kind"), max_length=10, choices=EntryKind.choices)
    amount = models.IntegerField(_("points"))
    # What the entry is for, unique: the same drop-off, redemption or expiry can never be booked twice.
    key = models.CharField(max_length=80, unique=True)
    day = models.DateField(_("day"))
    created_at = models.DateTimeField(_("booked"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    reverses = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversed_by"
    )

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=~Q(amount=0), name="ledger_amount_not_zero")]
        indexes = [models.Index(fields=["household", "day"], name="ledger_household_day_idx")]

    def __str__(self) -> str:
        return f"{self.household} {self.get_kind_display()} {self.amount:+d}"


class Reward(TimeStampedModel):
    subdistrict = models.ForeignKey(
        "grid.GridNode", on_delete=models.PROTECT, related_name="+", verbose_name=_("sub-district")
    )
    name = models.CharField(_("name"), max_length=80)
    cost = models.PositiveIntegerField(_("points"))
    stock = models.PositiveIntegerField(_("in stock"), default=0)
    active = models.BooleanField(pgettext_lazy("reward", "active"), default=True)

    class Meta:
        verbose_name = _("reward")
        verbose_name_plural = _("rewards")
        ordering = ["cost", "name"]
        constraints = [models.CheckConstraint(condition=Q(cost__gt=0), name="reward_cost_positive")]

    def __str__(self) -> str:
        return f"{self.name} ({self.cost})"


class Redemption(models.Model):
    entry = models.OneToOneField(LedgerEntry, on_delete=models.PROTECT, related_name="redemption")
    reward = models.ForeignKey(Reward, on_delete=models.PROTECT, related_name="redemptions")
    household = models.ForeignKey("grid.Household", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        verbose_name = _("redemption")
        verbose_name_plural = _("redemptions")

    def __str__(self) -> str:
        return f"{self.household} {self.reward}"
