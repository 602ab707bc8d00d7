"""Reading for the points pages: which household the counter was given."""

from __future__ import annotations

from dataclasses import dataclass

from accounts.models import User
from grid.household_query import parse as parse_household_query
from grid.models import HOUSEHOLD_RELATED, Household

COUNTER_CHOICES = 20  # households listed to choose from; more means the text should be narrower


@dataclass(frozen=True)
class CounterLookup:
    """What the counter's box found in the user's scope. `households`: one (the household), several (to
    choose from, at most COUNTER_CHOICES, `more` when there were more) or none. `rooms_hidden`: nothing
    found, and the text reads as a room, name or phone the user's role does not see and so cannot search
    (the page says so instead of "not found")."""

    households: list[Household]
    more: bool = False
    rooms_hidden: bool = False


def counter_lookup(user: User, text: str) -> CounterLookup:
    """The households of `user`'s part of the grid (`HouseholdQuerySet.visible_to`) that the counter's `text`
    names: its code exactly (a scanned sheet, a typed code) or, failing that, the household list's own
    search (`HouseholdQuerySet.search`, grid.household_query: "11号楼 3-302", "3号楼 102", full-width
    digits), under the same rules: rooms, names and phones only for roles that see them. Ordered by code."""
    mine = Household.objects.visible_to(user).select_related(*HOUSEHOLD_RELATED)
    text = text.strip()
    if not text:
        return CounterLookup([])
    by_code = mine.filter(code=text.upper()[:48]).first()
    if by_code is not None:
        return CounterLookup([by_code])
    personal = user.sees_personal_data
    found = list(mine.search(text, personal=personal).order_by("code")[: COUNTER_CHOICES + 1])
    rooms_hidden = not found and not personal and parse_household_query(text).looks_personal
    return CounterLookup(
        found[:COUNTER_CHOICES], more=len(found) > COUNTER_CHOICES, rooms_hidden=rooms_hidden
    )


__all__ = ["COUNTER_CHOICES", "CounterLookup", "counter_lookup"]
