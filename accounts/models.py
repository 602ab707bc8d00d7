"""Accounts: a login bound to one node of the grid with one role."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.roles import READ_PERSONAL_DATA, Role
from lib.masking import mask_name


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=32, choices=Role.choices, blank=True)
    node = models.ForeignKey(
        "grid.GridNode",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("grid node"),
        help_text=_("The user sees this node and everything below it."),
    )
    person = models.OneToOneField(
        "grid.Person",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="user",
        verbose_name=_("person"),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(is_superuser=True)
                | models.Q(node__isnull=False)
                | models.Q(is_active=False),
                name="user_bound_to_node",
            )
        ]

    def has_role(self, roles: frozenset[str] | set[str]) -> bool:
        return (self.is_superuser and self.node_id is None) or self.role in roles

    @property
    def sees_personal_data(self) -> bool:
        return self.has_role(READ_PERSONAL_DATA)

    @property
    def display_name(self) -> str:
        """What people call this account: its person's name ("钱俊晨"), else the name set on the account
        itself, else the login ("jiaotong_sec"). Reads `person` (load it with select_related("person") in
        lists)."""
        if self.person is not None:
            return self.person.name
        return self.get_full_name() or self.username

    def display_name_for(self, reader: Any) -> str:
        """`display_name` as `reader` may see it: a person's (or the account's) name is personal data, masked
        ("钱**") for a reader who does not see it (lib.masking); the login is never masked (it names the account,
        not the person)."""
        name = self.display_name
        return (
            name if name == self.username or getattr(reader, "sees_personal_data", False) else mask_name(name)
        )


class AccountClaim(models.Model):
    """A one-time code staff hand to a person so they can take up an account: with `user` set, the new
    account staff created for them (the code lets them choose its password); without, whatever account
    they log in with gets linked to `person`. Only the code's SHA-256 is kept; it works once, until
    `expires_at`."""

    person = models.ForeignKey(
        "grid.Person", on_delete=models.CASCADE, related_name="account_claims", verbose_name=_("person")
    )
    user = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="claims",
        verbose_name=_("account"),
    )
    code_hash = models.CharField(max_length=64, unique=True)
    issued_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("issued by")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("valid until"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    used_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("used by")
    )

    class Meta:
        verbose_name = _("account claim code")
        verbose_name_plural = _("account claim codes")

    def __str__(self) -> str:
        return f"{self.person} → {self.user}" if self.user_id else str(self.person)


class DeviceToken(models.Model):
    """A bearer token for a phone, smart bin or other system posting records as `user`. Only a hash is kept.

    Authentication beside the session (accounts/tokens.py). The table keeps its first name
    (supervision_devicetoken): the model moved here from supervision without moving any data."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="device_tokens")
    name = models.CharField(_("device"), max_length=80, blank=True)
    prefix = models.CharField(max_length=8)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked = models.BooleanField(_("revoked"), default=False)

    class Meta:
        db_table = "supervision_devicetoken"
        verbose_name = _("device token")
        verbose_name_plural = _("device tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"
