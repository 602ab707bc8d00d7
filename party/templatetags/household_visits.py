"""The household page's visits panel, rendered by party: the grid's household page loads these tags instead
of importing party's views (party builds on grid, not the other way round).

    {% load household_visits %}{% household_visit_panel household request.user as visits_panel %}
    … {{ visits_panel.counter.0 }} (the worker's "visited this quarter", in the page's header) …
    {% household_visits_section visits_panel %}

Template tags rather than an htmx fragment: the household page is kept offline for its grid worker with the
visit form in it (the service worker keeps navigations only). The household passed in is the one the page
already resolved within the reader's scope (`get_household_for_user`)."""

from __future__ import annotations

from typing import Any

from django import template

from accounts.models import User
from accounts.roles import READ_GRID, RECORD_VISITS
from grid.models import Household
from party.views import visit_panel

register = template.Library()


@register.simple_tag
def household_visit_panel(household: Household, user: User) -> dict[str, Any] | None:
    """The panel's context (party.views.visit_panel) for a reader who may see visits, else None."""
    if not user.has_role(RECORD_VISITS | READ_GRID):
        return None
    return visit_panel(user, household)


@register.inclusion_tag("party/partials/household_visits.html")
def household_visits_section(visits: dict[str, Any]) -> dict[str, Any]:
    """Renders the panel from `household_visit_panel`'s context (the csrf token comes along by itself)."""
    return visits
