"""Party building on the grid: organisations (党工委 › 党总支 › 党支部), members linked to their household and
branch (in-service members report to a residential area: 在职党员报到), the pledge (承诺书) behind the first
of the "four leads", and door-to-door group visits (组团式走访) planned by micro-grid."""

from __future__ import annotations

import re

from django.conf import settings
from django.db import models
from django.utils.translation import gettext, gettext_noop, override
from django.utils.translation import gettext_lazy as _

from grid.scope import ScopedQuerySet
from lib.codes import opaque_code_field
from lib.db import TimeStampedModel
from lib.periods import Period


class OrgKind(models.TextChoices):
    COMMITTEE = "committee", _("Working committee (党工委)")
    GENERAL_BRANCH = "general_branch", _("General branch (党总支)")
    BRANCH = "branch", _("Branch (党支部)")


class PartyOrg(TimeStampedModel):
    subdistrict = models.ForeignKey("grid.GridNode", on_delete=models.PROTECT, related_name="+")
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=OrgKind.choices)
    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    # Where it works: a residential area for residential branches, the sub-district for organ branches.
    node = models.ForeignKey(
        "grid.GridNode", on_delete=models.PROTECT, related_name="party_orgs", verbose_name=_("grid node")
    )
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("party organisation")
        verbose_name_plural = _("party organisations")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class MemberKind(models.TextChoices):
    RESIDENT = "resident", _("Resident member")
    IN_SERVICE = "in_service", _("In-service member reporting here (在职党员)")


class PartyMember(TimeStampedModel):
    subdistrict = models.ForeignKey("grid.GridNode", on_delete=models.PROTECT, related_name="+")
    person = models.OneToOneField(
        "grid.Person", on_delete=models.PROTECT, related_name="party_member", verbose_name=_("person")
    )
    org = models.ForeignKey(
        PartyOrg, on_delete=models.PROTECT, related_name="members", verbose_name=_("branch")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=MemberKind.choices, default=MemberKind.RESIDENT)
    # The residential area the member serves: home for residents, where they reported for in-service members.
    community = models.ForeignKey(
        "grid.GridNode", on_delete=models.PROTECT, related_name="+", verbose_name=_("residential area")
    )
    workplace = models.CharField(_("workplace"), max_length=100, blank=True)
    reported_on = models.DateField(_("reported on"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("party member")
        verbose_name_plural = _("party members")
        ordering = ["org", "person__name"]
        indexes = [models.Index(fields=["subdistrict", "community"], name="member_sd_community_idx")]

    def __str__(self) -> str:
        return self.person.name


class Pledge(models.Model):
    """The signed commitment (承诺书) to sort at home and lead by example; one per member and text version."""

    member = models.ForeignKey(PartyMember, on_delete=models.CASCADE, related_name="pledges")
    text_version = models.CharField(_("text version"), max_length=40)
    signed_on = models.DateField(_("signed on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("pledge")
        verbose_name_plural = _("pledges")
        constraints = [
            models.UniqueConstraint(fields=["member", "text_version"], name="pledge_once_per_text")
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.text_version}"


class VisitPlan(TimeStampedModel):
    """A micro-grid's door-to-door round for a quarter, and the members who go."""

    subdistrict = models.ForeignKey("grid.GridNode", on_delete=models.PROTECT, related_name="+")
    microgrid = models.ForeignKey(
        "grid.GridNode", on_delete=models.PROTECT, related_name="visit_plans", verbose_name=_("micro-grid")
    )
    quarter = models.CharField(_("quarter"), max_length=8)  # 2026-Q4
    code = opaque_code_field()
    title = models.CharField(_("title"), max_length=100)
    members = models.ManyToManyField(
        PartyMember, blank=True, related_name="visit_plans", verbose_name=_("visitors")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("visit plan")
        verbose_name_plural = _("visit plans")
        ordering = ["-quarter", "microgrid__code"]
        constraints = [
            models.UniqueConstraint(fields=["microgrid", "quarter"], name="visitplan_one_per_quarter")
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def display_title(self) -> str:
        """The title in the reader's language, the quarter as people write it ("2026年第4季度" / "2026 Q4"):
        a generated title (visit_plan_title, in either language, with the quarter as a label or as the stored
        key "2026-Q4" of older plans) is generated again for the reader; any other title as stored, its
        quarter key written as a label."""
        try:
            period = Period.parse(self.quarter)
        except ValueError:
            return self.title
        for language in ("zh-hans", "en"):
            with override(language):
                pattern = gettext(VISIT_PLAN_TITLE)
                quarters = {self.quarter, str(period.label)}
            regex = re.escape(pattern).replace(re.escape("%(grid)s"), "(?P<grid>.+?)")
            regex = regex.replace(re.escape("%(quarter)s"), "(?:" + "|".join(map(re.escape, quarters)) + ")")
            if m := re.fullmatch(regex, self.title):
                return visit_plan_title(m["grid"], period)
        return self.title.replace(self.quarter, str(period.label))


# A visit plan's generated title (party.services.visit_plan_create), in the creator's language.
VISIT_PLAN_TITLE = gettext_noop("%(grid)s door-to-door visits, %(quarter)s")


def visit_plan_title(grid: str, period: Period) -> str:
    """A plan's title in the active language: "交通第1微网格 2026年第4季度 入户走访" / "… visits, 2026 Q4"."""
    return gettext(VISIT_PLAN_TITLE) % {"grid": grid, "quarter": period.label}


class VisitOutcome(models.TextChoices):
    TALKED = "talked", _("Talked it through")
    LEAFLET = "leaflet", _("Not home: left a leaflet")
    NOT_HOME = "not_home", _("Not home")
    REFUSED = "refused", _("Refused to talk")


class Visit(TimeStampedModel):
    subdistrict = models.ForeignKey("grid.GridNode", on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey("grid.Household", on_delete=models.PROTECT, related_name="visits")
    microgrid = models.ForeignKey("grid.GridNode", on_delete=models.PROTECT, related_name="+", null=True)
    plan = models.ForeignKey(
        VisitPlan, on_delete=models.SET_NULL, null=True, blank=True, related_name="visits"
    )
    day = models.DateField(_("day"))
    outcome = models.CharField(_("outcome"), max_length=10, choices=VisitOutcome.choices)
    issue = models.CharField(_("issue raised"), max_length=300, blank=True)
    follow_up = models.CharField(_("follow-up"), max_length=300, blank=True)
    follow_up_done = models.BooleanField(_("follow-up done"), default=False)
    visitors = models.ManyToManyField(
        PartyMember, blank=True, related_name="visits", verbose_name=_("visitors")
    )
    # Made by the phone: the same visit sent twice is recorded once.
    client_id = models.UUIDField(unique=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    # Readers apply a Scope through the households visited: `Visit.objects.in_scope(scope, via="household__")`.
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-day", "-created_at"]
        indexes = [
            models.Index(fields=["subdistrict", "day"], name="visit_sd_day_idx"),
            models.Index(fields=["microgrid", "day"], name="visit_microgrid_day_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.household} {self.day} {self.get_outcome_display()}"


class Inclusion(models.TextChoices):
    """The report's "四个纳入": where sorting is written in."""

    RESPONSIBILITY = "responsibility", _("Party-building responsibility system (党建责任制)")
    ASSESSMENT = "assessment", _("Annual quantitative assessment (年度量化考核)")
    PRACTICAL = "practical", _("The year's practical projects (实事项目)")
    CO_GOVERNANCE = "co_governance", _("Party-led self- and co-governance projects (自治共治项目)")


class WorkStatus(models.TextChoices):
    OPEN = "open", _("To do")
    ACTIVE = "active", _("Under way")
    DONE = "done", _("Done")


class Responsibility(TimeStampedModel):
    """One line of a party organisation's responsibility list: what it answers for, who owns it, where it is."""

    org = models.ForeignKey(PartyOrg, on_delete=models.CASCADE, related_name="responsibilities")
    item = models.CharField(_("responsibility"), max_length=200)
    owner = models.CharField(_("owner"), max_length=50)
    due = models.DateField(_("due"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=WorkStatus.choices, default=WorkStatus.OPEN)
    note = models.CharField(_("progress"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("responsibility")
        verbose_name_plural = _("responsibilities")
        ordering = ["org", "due", "pk"]

    def __str__(self) -> str:
        return self.item


class Project(TimeStampedModel):
    subdistrict = models.ForeignKey("grid.GridNode", on_delete=models.PROTECT, related_name="+")
    node = models.ForeignKey(
        "grid.GridNode", on_delete=models.PROTECT, related_name="party_projects", verbose_name=_("grid node")
    )
    code = opaque_code_field()
    inclusion = models.CharField(_("written into"), max_length=16, choices=Inclusion.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=150)
    owner = models.CharField(_("owner"), max_length=80)
    org = models.ForeignKey(
        PartyOrg, on_delete=models.SET_NULL, null=True, blank=True, related_name="projects"
    )
    status = models.CharField(_("status"), max_length=8, choices=WorkStatus.choices, default=WorkStatus.OPEN)

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["-year", "inclusion", "title"]

    def __str__(self) -> str:
        return self.title


class Milestone(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("milestone"), max_length=150)
    due = models.DateField(_("due"), null=True, blank=True)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    evidence_note = models.CharField(_("evidence"), max_length=300, blank=True)
    evidence = models.FileField(_("evidence file"), upload_to="projects/%Y/", blank=True)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["project", "due", "pk"]

    def __str__(self) -> str:
        return self.title


class ExemplarKind(models.TextChoices):
    HOUSEHOLD = "household", _("Model household")
    MEMBER = "member", _("Model party member")
    VOLUNTEER = "volunteer", _("Model volunteer")
    UNIT = "unit", _("Model member unit")


class Exemplar(TimeStampedModel):
    """典型: someone chosen for the roll, with the reason taken from the records."""

    subdistrict = models.ForeignKey("grid.GridNode", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("kind"), max_length=10, choices=ExemplarKind.choices)
    household = models.ForeignKey(
        "grid.Household", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    person = models.ForeignKey(
        "grid.Person", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    unit = models.ForeignKey(
        "units.MemberUnit", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    name = models.CharField(_("name"), max_length=100)
    reason = models.CharField(_("reason"), max_length=300)
    chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("exemplar")
        verbose_name_plural = _("exemplars")
        ordering = ["-year", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["year", "kind", "household"], name="exemplar_household_once"),
            models.UniqueConstraint(fields=["year", "kind", "person"], name="exemplar_person_once"),
            models.UniqueConstraint(fields=["year", "kind", "unit"], name="exemplar_unit_once"),
        ]

    def __str__(self) -> str:
        return self.name


class TalentKind(models.TextChoices):
    TRAINER = "trainer", _("Trainer")
    TEACHER = "teacher", _("Teacher")
    PROFESSIONAL = "professional", _("Professional volunteer")
    OTHER = "other", _("Other")


class Talent(TimeStampedModel):
    """人才: people the grid can call on to train, teach or advise, with their topics; sessions given are
    the activities they spoke at."""

    subdistrict = models.ForeignKey("grid.GridNode", on_delete=models.PROTECT, related_name="+")
    person = models.OneToOneField("grid.Person", on_delete=models.CASCADE, related_name="talent")
    kind = models.CharField(_("kind"), max_length=12, choices=TalentKind.choices)
    topics = models.CharField(_("topics"), max_length=200)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("talent")
        verbose_name_plural = _("talent pool")
        ordering = ["person__name"]

    def __str__(self) -> str:
        return self.person.name
