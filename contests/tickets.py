"""A player's answer ticket: what lets a tap be stored without reading the session and the user.

200 phones tap within the same second (bench/contest_bench.py). Reading the session row and the user row
cost each tap two queries and about half of its CPU: more than all the contest's own work. The page a joined
player sees carries a ticket instead — the user id and the contest, signed with the site's
key (django.core.signing, salted for this one use) — and the tap's fast path trusts the ticket instead of the
session. CSRF is checked as for every POST.

What a ticket grants: answering the running question of that one contest as that player, for TICKET_HOURS
after it was issued; the insert itself still checks that the player joined the contest, that the contest
concerns their node as it is now, that their account is active and that the contest is on that question (services.answer_fast). Logging out does not withdraw a ticket
already on the page; it expires with the contest day. Anything else (no ticket, a bad or old one, a second
tap, time up) takes the full path, which reads the session as every other page does.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core import signing

from accounts.models import User
from contests.models import Contest

TICKET_HOURS = 12
_SALT = "wastegrid.contests.answer-ticket"


@dataclass(frozen=True)
class Ticket:
    user_id: int
    contest_id: int


def ticket_issue(user: User, contest: Contest) -> str:
    """The ticket for `user` answering `contest`."""
    return signing.TimestampSigner(salt=_SALT).sign(f"{user.pk}.{contest.pk}")


def ticket_read(value: str) -> Ticket | None:
    """The ticket in `value`, or None when it is missing, altered, malformed or older than TICKET_HOURS."""
    if not value or len(value) > 200:
        return None
    try:
        raw = signing.TimestampSigner(salt=_SALT).unsign(value, max_age=TICKET_HOURS * 3600)
        user_id, contest_id = (int(part) for part in raw.split("."))
    except (signing.BadSignature, ValueError):
        return None
    return Ticket(user_id, contest_id)
