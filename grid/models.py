"""The grid: a tree of nodes (sub-district → area → residential area → micro-grid), buildings,
households, the people in them and the grid workers who look after them.

The tree is generic (a node has a level and a parent) with a materialised path of codes, so a city of
many sub-districts, or extra levels above the sub-district, fit without a schema change. Every large
table carries `subdistrict` so it can be partitioned or distributed by sub-district later.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Self

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from grid.household_query import building_number_regex
from grid.household_query import parse as parse_household_query
from grid.scope import ScopedQuerySet
from lib.codes import opaque_code_field
from lib.db import TimeStampedModel

if TYPE_CHECKING:
    from accounts.models import User


class Level(models.TextChoices):
    CITY = "city", _("City")
    DISTRICT = "district", _("District")
    SUBDISTRICT = "subdistrict", _("Sub-district")
    AREA = "area", _("Area")
    COMMUNITY = "community", _("Residential area")
    MICROGRID = "microgrid", _("Micro-grid")


# Which level may hang under which: the 1+4+18+x shape, plus optional city/district above.
ALLOWED_PARENT = {
    Level.CITY: (),
    Level.DISTRICT: (Level.CITY,),
    Level.SUBDISTRICT: (Level.DISTRICT, Level.CITY),
    Level.AREA: (Level.SUBDISTRICT,),
    Level.COMMUNITY: (Level.AREA, Level.SUBDISTRICT),
    Level.MICROGRID: (Level.COMMUNITY,),
}


class GridNodeQuerySet(models.QuerySet["GridNode"]):
    def subtree(self, node: GridNode) -> GridNodeQuerySet:
        return self.filter(path__startswith=node.path)

    def visible_to(self, user: User) -> GridNodeQuerySet:
        """The nodes in the user's scope: one rule for pages, pickers and services (grid.scope.Scope)."""
        from grid.scope import Scope  # access reads these models

        return self.filter(Scope.of(user).q())


class GridNode(TimeStampedModel):
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    # "/CODE/CODE/.../": subtree queries are one indexed prefix match.
    path = models.CharField(max_length=400, unique=True, editable=False)
    # The sub-district this node belongs to (itself for a sub-district; null above it).
    subdistrict = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    sort_order = models.PositiveIntegerField(default=0)

    objects = GridNodeQuerySet.as_manager()

    class Meta:
        verbose_name = _("grid node")
        verbose_name_plural = _("grid nodes")
        ordering = ["path"]
        indexes = [models.Index(fields=["subdistrict", "level"], name="gridnode_sd_level_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(level__in=[choice.value for choice in Level]), name="gridnode_level_valid"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("grid:node_detail", args=[self.code])

    @property
    def depth(self) -> int:
        return self.path.count("/") - 2


class VersionedRule(TimeStampedModel):
    """A rule a law or policy may change: one row per version, per sub-district or (empty) the default.
    The version that applies is the newest one in force on the day in question."""

    subdistrict = models.ForeignKey(
        GridNode,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sub-district"),
        help_text=_("Empty: the default for every sub-district."),
    )
    effective_from = models.DateField(_("effective from"))
    source = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        abstract = True

    @classmethod
    def in_force(cls, subdistrict_id: int | None, on: datetime.date) -> Self | None:
        rules = cls._default_manager.filter(effective_from__lte=on).order_by("-effective_from")
        own = rules.filter(subdistrict_id=subdistrict_id).first() if subdistrict_id else None
        return own or rules.filter(subdistrict__isnull=True).first()


class GridRule(VersionedRule):
    """The grid's staffing rules as versioned data: checked and reported, not assumed."""

    workers_min = models.PositiveSmallIntegerField(_("min grid workers per micro-grid"), default=10)
    workers_max = models.PositiveSmallIntegerField(_("max grid workers per micro-grid"), default=20)
    households_min = models.PositiveSmallIntegerField(_("min households per grid worker"), default=15)
    households_max = models.PositiveSmallIntegerField(_("max households per grid worker"), default=20)

    class Meta:
        verbose_name = _("grid rule")
        verbose_name_plural = _("grid rules")
        ordering = ["-effective_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(workers_min__lte=models.F("workers_max")), name="gridrule_workers_range"
            ),
            models.CheckConstraint(
                condition=Q(households_min__lte=models.F("households_max")) & Q(households_max__gt=0),
                name="gridrule_households_range",
            ),
            models.UniqueConstraint(fields=["subdistrict", "effective_from"], name="gridrule_unique_version"),
        ]

    def __str__(self) -> str:
        return f"{self.workers_min}–{self.workers_max} / {self.households_min}–{self.households_max} ({self.effective_from})"


class Building(TimeStampedModel):
    subdistrict = models.ForeignKey(GridNode, on_delete=models.PROTECT, related_name="+", editable=False)
    community = models.ForeignKey(
        GridNode, on_delete=models.PROTECT, related_name="buildings", verbose_name=_("residential area")
    )
    microgrid = models.ForeignKey(
        GridNode,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="microgrid_buildings",
        verbose_name=_("micro-grid"),
    )
    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("building"), max_length=60)
    address = models.CharField(_("address"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="building_unique_name_in_community")
        ]

    def __str__(self) -> str:
        return self.name


# What a household's row shows: loaded with it in one query.
HOUSEHOLD_RELATED = ("building", "community", "building__microgrid", "grid_worker__person")


class HouseholdQuerySet(ScopedQuerySet["Household"]):
    def in_node(self, node: GridNode) -> HouseholdQuerySet:
        # Below a sub-district the sub-district is named too: it leads the indexes and is the distribution key.
        if node.level == Level.MICROGRID:
            return self.filter(subdistrict_id=node.subdistrict_id, building__microgrid=node)
        if node.level == Level.COMMUNITY:
            return self.filter(subdistrict_id=node.subdistrict_id, community=node)
        if node.level == Level.SUBDISTRICT:
            return self.filter(subdistrict=node)
        if node.level == Level.AREA:
            return self.filter(subdistrict_id=node.subdistrict_id, community__path__startswith=node.path)
        return self.filter(community__path__startswith=node.path)

    def search(self, q: str, *, personal: bool, rooms: bool = False) -> HouseholdQuerySet:
        """Code, building name or address, and building + room as pages show them (`grid.household_query`:
        "3号楼 102", "3号楼102", "11号楼 1-301", "3-102", full-width digits); room, contact name and phone only
        for roles that see them (`personal`): a reader shown "***" cannot find a room by trying numbers, so
        their code search is by its start (a code ends in the room). `rooms`: the room (and building + room)
        for a reader shown rooms but not names or phones (a visit plan's visitors must find the door:
        party.views.plan_detail). Buildings match through a subquery on their small table, not a join over
        every household."""
        parsed = parse_household_query(q)
        text = parsed.text
        if not text:
            return self.all()
        buildings = Building.objects.filter(Q(name__icontains=text) | Q(address__icontains=text)).values("id")
        cond = Q(building_id__in=buildings)
        if not (personal or rooms):
            return self.filter(cond | Q(code__istartswith=text))
        cond |= Q(code__icontains=text) | Q(room__icontains=text)
        if personal:
            cond |= Q(contact_name__icontains=text) | Q(contact_phone__icontains=text)
        for place in parsed.places:
            named = (
                Q(name__regex=building_number_regex(place.number))
                if place.number
                else Q(name__iexact=place.building)
            )
            cond |= Q(room__iexact=place.room, building_id__in=Building.objects.filter(named).values("id"))
        return self.filter(cond)

    def visible_to(self, user: User) -> HouseholdQuerySet:
        from accounts.models import Role

        if user.is_superuser and user.node_id is None:
            return self.all()
        if user.node is None:
            return self.none()
        if user.role == Role.RESIDENT:
            household_id = user.person.household_id if user.person else None
            return self.filter(pk=household_id) if household_id else self.none()
        return self.in_node(user.node)


class Household(TimeStampedModel):
    subdistrict = models.ForeignKey(GridNode, on_delete=models.PROTECT, related_name="+", editable=False)
    community = models.ForeignKey(
        GridNode,
        on_delete=models.PROTECT,
        related_name="households",
        editable=False,
        verbose_name=_("residential area"),
    )
    building = models.ForeignKey(
        Building, on_delete=models.PROTECT, related_name="households", verbose_name=_("building")
    )
    code = models.CharField(_("code"), max_length=48, unique=True)
    room = models.CharField(_("room"), max_length=20)
    stairwell = models.CharField(_("stairwell"), max_length=20, blank=True)
    size = models.PositiveSmallIntegerField(_("household size"), default=1)
    contact_name = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    grid_worker = models.ForeignKey(
        "GridWorker",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="households",
        verbose_name=_("grid worker"),
    )
    drop_off_point = models.ForeignKey(
        "supervision.DropOffPoint",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="households",
        verbose_name=_("drop-off point"),
    )
    # The import that created the row (none for rows made one at a time or by the demo): "the rows this import
    # created" is then exact, not "rows created since the job began" (issue 17).
    import_job = models.ForeignKey(
        "ImportJob",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("import"),
    )

    objects = HouseholdQuerySet.as_manager()

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["building", "room"], name="household_unique_room")]
        indexes = [
            models.Index(fields=["community", "grid_worker"], name="household_comm_worker_idx"),
            models.Index(fields=["subdistrict", "code"], name="household_sd_code_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.building.name} {self.room}"

    def get_absolute_url(self) -> str:
        return reverse("grid:household_detail", args=[self.code])


class Person(TimeStampedModel):
    """Anyone the grid knows: most residents never log in."""

    subdistrict = models.ForeignKey(GridNode, on_delete=models.PROTECT, related_name="+", editable=False)
    node = models.ForeignKey(
        GridNode, on_delete=models.PROTECT, related_name="people", verbose_name=_("grid node")
    )
    household = models.ForeignKey(
        Household,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("household"),
    )
    code = opaque_code_field()
    name = models.CharField(_("name"), max_length=50)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    id_number = models.CharField(_("ID number"), max_length=18, blank=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["name"]
        indexes = [models.Index(fields=["subdistrict", "node"], name="person_sd_node_idx")]

    def __str__(self) -> str:
        return self.name


class GridWorker(TimeStampedModel):
    subdistrict = models.ForeignKey(GridNode, on_delete=models.PROTECT, related_name="+", editable=False)
    person = models.OneToOneField(
        Person, on_delete=models.PROTECT, related_name="grid_worker", verbose_name=_("person")
    )
    microgrid = models.ForeignKey(
        GridNode, on_delete=models.PROTECT, related_name="grid_workers", verbose_name=_("micro-grid")
    )
    code = models.CharField(_("code"), max_length=40, unique=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("grid worker")
        verbose_name_plural = _("grid workers")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.person.name} ({self.code})"


class ImportKind(models.TextChoices):
    BUILDINGS = "buildings", _("Buildings")
    HOUSEHOLDS = "households", _("Households")
    GRID_WORKERS = "grid_workers", _("Grid workers")
    PEOPLE = "people", _("People")


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    CHECKING = "checking", _("Checking rows")
    WRITING = "writing", _("Writing")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Rejected")


class ImportJob(TimeStampedModel):
    """One uploaded file and its fate: rejected whole with row messages, or committed in one transaction."""

    public_id = models.UUIDField(unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=ImportKind.choices)
    filename = models.CharField(_("file"), max_length=200)
    data = models.BinaryField(editable=False)
    created_by = models.ForeignKey("accounts.User", on_delete=models.SET_NULL, null=True, related_name="+")
    node = models.ForeignKey(GridNode, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(
        _("status"), max_length=12, choices=ImportStatus.choices, default=ImportStatus.PENDING
    )
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(_("rows imported"), default=0)
    errors = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display()})"

    @property
    def percent(self) -> int:
        if self.status == ImportStatus.DONE:
            return 100
        return int(self.processed * 100 / self.total) if self.total else 0

    @property
    def finished(self) -> bool:
        return self.status in (ImportStatus.DONE, ImportStatus.FAILED)


class HouseholdKey(models.Model):
    """The secret a household's QR sheet carries: `/h/<selector><verifier>/` opens that household's own page
    without a login (grid.resident_views).

    Both parts are random (`secrets.token_urlsafe`: 64 + 128 bits). The selector finds the row through its
    unique index; the verifier is then compared in constant time, so the lookup's timing says nothing about
    how much of a guess was right. They are kept as issued, not hashed: the office must be able to print the
    same sheet again (a jammed printer, a new copy for the door) without voiding the codes already handed out,
    and whoever reads this table already reads every figure the page shows. Re-issuing (a lost sheet) replaces
    both parts, so the old sheet opens nothing. The verifier is never written to the audit log.
    """

    household = models.OneToOneField(
        Household,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="qr_key",
        verbose_name=_("household"),
    )
    subdistrict_id = models.BigIntegerField()
    selector = models.CharField(max_length=16, unique=True)
    verifier = models.CharField(max_length=32)
    generation = models.PositiveIntegerField(_("sheet version"), default=1)
    issued_at = models.DateTimeField(_("issued"))
    issued_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("household QR key")
        verbose_name_plural = _("household QR keys")

    def __str__(self) -> str:
        # The audit log copies this text: the household and the sheet's version, never the secret.
        return f"{self.household.code} v{self.generation}"

    @property
    def token(self) -> str:
        return f"{self.selector}{self.verifier}"
