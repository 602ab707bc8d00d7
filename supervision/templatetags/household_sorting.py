"""The household page's sorting block, rendered by supervision: the grid's household page loads this tag
(`{% load household_sorting %}{% household_sorting household %}`) instead of importing a supervision selector.

A template tag rather than an htmx fragment: the household page is kept offline for its grid worker (the
service worker keeps navigations only), and the block must be in the kept copy. The household passed in is the
one the page already resolved within the reader's scope (`get_household_for_user`), so the block shows
nothing the page could not."""

from __future__ import annotations

import datetime
from typing import Any

from django import template

from grid.models import Household
from lib.clock import local_today
from supervision.selectors import household_recent

register = template.Library()

SORTING_DAYS = 30  # the block's window: "Sorting, last 30 days"


@register.inclusion_tag("supervision/partials/household_sorting.html")
def household_sorting(household: Household) -> dict[str, Any]:
    since = local_today() - datetime.timedelta(days=SORTING_DAYS)
    return {"sorting": household_recent(household, since)}
