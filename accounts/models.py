"""Accounts: a login bound to one node of the grid with one role."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    SUBDISTRICT_ADMIN = "subdistrict_admin", _("Sub-district admin")
    AREA_LEAD = "area_lead", _("Area lead")
    COMMUNITY_SECRETARY = "community_secretary", _("Residential-area secretary / social worker")
    GRID_WORKER = "grid_worker", _("Grid worker")
    VOLUNTEER = "volunteer", _("Volunteer")
    PARTY_MEMBER = "party_member", _("Party member")
    UNIT_LIAISON = "unit_liaison", _("Member-unit liaison")
    ENFORCEMENT_OFFICER = "enforcement_officer", _("Law-enforcement officer")
    RESIDENT = "resident", _("Resident")


# Who may browse the grid's households at all (others answer 403 on those pages).
GRID_READERS = frozenset({Role.SUBDISTRICT_ADMIN, Role.AREA_LEAD, Role.COMMUNITY_SECRETARY, Role.GRID_WORKER})
# Who may change grid records (imports, assignment).
GRID_EDITORS = frozenset({Role.SUBDISTRICT_ADMIN, Role.COMMUNITY_SECRETARY})
# Who needs residents' phone numbers, ID numbers and exact addresses to do their work.
PERSONAL_DATA_ROLES = frozenset({Role.SUBDISTRICT_ADMIN, Role.COMMUNITY_SECRETARY, Role.GRID_WORKER})
# Who reads the coverage report.
COVERAGE_READERS = frozenset({Role.SUBDISTRICT_ADMIN, Role.AREA_LEAD, Role.COMMUNITY_SECRETARY})
# Who sees party organisations, members and their four leads; who records door-to-door visits.
PARTY_READERS = frozenset(
    {Role.SUBDISTRICT_ADMIN, Role.AREA_LEAD, Role.COMMUNITY_SECRETARY, Role.PARTY_MEMBER}
)
VISIT_RECORDERS = frozenset(
    {Role.SUBDISTRICT_ADMIN, Role.COMMUNITY_SECRETARY, Role.PARTY_MEMBER, Role.GRID_WORKER}
)


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
        return self.has_role(PERSONAL_DATA_ROLES)


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
        return f"claim {self.pk} → {self.person_id}"
