"""The roles, and who may do what: every role set of the project, named once by the capability it grants.

Views check them with `role_required(...)` or `user.has_role(...)` (accounts/access.py); a superuser bound to
no node (the operator) passes every check. Where one set of roles grants two different things, each thing
has its own name here (they may part one day), and the comment says so; a set is never defined elsewhere.
"""

from __future__ import annotations

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


# --- The sub-district admin alone -------------------------------------------------------------------------
# The sub-district's own records: the audit log, assessment inspections, member units and their meetings'
# records, the seven-mechanisms frame.
ADMINISTER_SUBDISTRICT = frozenset({Role.SUBDISTRICT_ADMIN})

# --- Admin and residential-area secretary: running a residential area -------------------------------------
# Change grid records (imports, assignment, household keys); link accounts to people; review plausibility
# flags and guide questions; approve shift hand-overs (sign-ups count at once, nothing to approve) and keep the
# roster and drop-off points; work enforcement cases
# (propose, gather evidence).
MANAGE_AREA = frozenset({Role.SUBDISTRICT_ADMIN, Role.COMMUNITY_SECRETARY})
# Read a resident's ID number in full: held by the same roles as MANAGE_AREA, but a personal-data right.
SEE_ID_NUMBERS = MANAGE_AREA

# --- Reading ----------------------------------------------------------------------------------------------
# Browse the grid's households at all (others answer 403 on those pages).
READ_GRID = frozenset({Role.SUBDISTRICT_ADMIN, Role.AREA_LEAD, Role.COMMUNITY_SECRETARY, Role.GRID_WORKER})
# A household's page: the grid's readers, and the resident their own (the page checks which household).
READ_HOUSEHOLDS = READ_GRID | {Role.RESIDENT}
# Residents' phone numbers, ID numbers and exact addresses, needed to do one's work: a household's room and
# contact, a person's phone (the roster's candidates, to call them), for the people of one's own part of the
# grid (grid.presenters.sees_personal_data_at); others read them masked (lib.masking).
READ_PERSONAL_DATA = frozenset({Role.SUBDISTRICT_ADMIN, Role.COMMUNITY_SECRETARY, Role.GRID_WORKER})
# The party of an enforcement case the officer acts on (referred: decide; decided: close): address, room and
# name, to find and serve them; the phone stays masked (enforcement.selectors.party_view decides the cases).
SERVE_CASE_PARTIES = frozenset({Role.ENFORCEMENT_OFFICER})
# The coverage report, dashboards and assessment figures; every window's roster and hand-over offer at the
# points of one's scope, and the repeat offenders: what an area is doing (signing people up stays MANAGE_AREA).
READ_COVERAGE = frozenset({Role.SUBDISTRICT_ADMIN, Role.AREA_LEAD, Role.COMMUNITY_SECRETARY})
# Organise activities and contests for residents: the same roles as READ_COVERAGE, another right.
ORGANISE_EVENTS = READ_COVERAGE
# Party organisations, members and their four leads.
READ_PARTY = frozenset({Role.SUBDISTRICT_ADMIN, Role.AREA_LEAD, Role.COMMUNITY_SECRETARY, Role.PARTY_MEMBER})
# Member units, their commitments and meetings.
READ_UNITS = frozenset({Role.SUBDISTRICT_ADMIN, Role.AREA_LEAD, Role.COMMUNITY_SECRETARY, Role.UNIT_LIAISON})
# Enforcement cases.
READ_CASES = frozenset(
    {Role.SUBDISTRICT_ADMIN, Role.AREA_LEAD, Role.COMMUNITY_SECRETARY, Role.ENFORCEMENT_OFFICER}
)

# --- Field work -------------------------------------------------------------------------------------------
# Record sorting at the bins (observations, photos).
RECORD_SORTING = frozenset(
    {Role.SUBDISTRICT_ADMIN, Role.COMMUNITY_SECRETARY, Role.GRID_WORKER, Role.VOLUNTEER, Role.PARTY_MEMBER}
)
# Read the drop-off points of one's scope (a point's page: today's windows, opening hours, the link to each
# window's roster): those who record at the bins, and the area lead, who oversees their area's points without
# recording there (no sign-ups, check-ins, purity checks or observations: those stay RECORD_SORTING).
READ_POINTS = RECORD_SORTING | {Role.AREA_LEAD}
# Record door-to-door visits.
RECORD_VISITS = frozenset(
    {Role.SUBDISTRICT_ADMIN, Role.COMMUNITY_SECRETARY, Role.PARTY_MEMBER, Role.GRID_WORKER}
)
# Count points at the counter.
COUNT_POINTS = frozenset({Role.SUBDISTRICT_ADMIN, Role.COMMUNITY_SECRETARY, Role.VOLUNTEER})
# Type household codes: recorders at the bins, the points counter, cases, the grid's household pages. Not a
# resident (their sheet opens their own page) nor a member unit's liaison.
SCAN_HOUSEHOLDS = frozenset(
    {
        Role.SUBDISTRICT_ADMIN,
        Role.AREA_LEAD,
        Role.COMMUNITY_SECRETARY,
        Role.GRID_WORKER,
        Role.VOLUNTEER,
        Role.PARTY_MEMBER,
        Role.ENFORCEMENT_OFFICER,
    }
)
# Keep one's work pages on the phone for offline use (phones at bins and doors).
WORK_OFFLINE = frozenset({Role.VOLUNTEER, Role.GRID_WORKER, Role.PARTY_MEMBER})
# Close (or drop) an enforcement case.
CLOSE_CASES = frozenset({Role.SUBDISTRICT_ADMIN, Role.ENFORCEMENT_OFFICER})

# --- One role's own pages ---------------------------------------------------------------------------------
# A grid worker's own households.
GRID_WORKER_ONLY = frozenset({Role.GRID_WORKER})
# A resident's own household.
RESIDENT_ONLY = frozenset({Role.RESIDENT})
# A member unit's liaison answers their unit's invitations.
UNIT_LIAISON_ONLY = frozenset({Role.UNIT_LIAISON})
# Roles whose work hangs on their person (shifts, leads, household, visits): an unlinked account of these
# roles is told what to do.
WORK_THROUGH_PERSON = frozenset(
    {Role.COMMUNITY_SECRETARY, Role.GRID_WORKER, Role.VOLUNTEER, Role.PARTY_MEMBER, Role.RESIDENT}
)
