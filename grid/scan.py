"""What a scanned household QR names: `parse_scanned` reads the text a camera saw, `resolve` turns it into
a household code for a logged-in actor within their scope (the `household_resolve` view answers it as JSON
for static/lib/scan.js).

A QR may carry a bare household code, an old sheet's URL (`…/guide/?h=<code>`) or a new sheet's secret URL
(`…/h/<token>/`, the resident's page). The first two are read on the phone itself, offline too; a token needs
the server, which alone can tell which household it belongs to, and answers only within the actor's scope.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal
from urllib.parse import parse_qs, urlsplit

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from accounts.models import User
from accounts.roles import SCAN_HOUSEHOLDS
from grid.models import Household
from grid.scope import Scope
from grid.services.household_keys import household_by_token
from lib.bilingual import Msg
from lib.validation import has_control_chars

MAX_SCANNED = 512  # a QR of a URL with a token is well under this; anything longer is not one of ours
CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,47}$")  # Household.code is at most 48 characters
TOKEN_PATH_RE = re.compile(r"^/h/([A-Za-z0-9_-]{8,128})/?$")

UNREADABLE = Msg(
    "这个二维码不是住户码，请手动输入。", "This QR code is not a household code; type it instead."
)
UNKNOWN = Msg(
    "找不到这个住户，或不在您的范围内；请手动输入。",
    "No such household within your part of the grid; type it instead.",
)
LOGIN = Msg("请先登录。", "Log in first.")
NOT_YOURS = Msg("您的角色不需要扫描住户码。", "Your role does not scan household codes.")


@dataclass(frozen=True)
class Scanned:
    """What a QR named: `kind` "code" (a household code) or "token" (a household sheet's secret)."""

    kind: Literal["code", "token"]
    value: str


def parse_scanned(text: str) -> Scanned | None:
    """The household a scanned text names, or None when it is not one of our household QR codes.

    Accepts `ZJXL-07-B012-301`, `https://host/guide/?h=ZJXL-07-B012-301` and `https://host/h/<token>/` (any
    host: a sheet printed behind another proxy name still names the same household; the lookup decides).
    """
    text = text.strip()
    if not text or len(text) > MAX_SCANNED or has_control_chars(text):
        return None
    if CODE_RE.match(text):
        return Scanned("code", text)
    if not (text.startswith(("http://", "https://", "/"))):
        return None
    try:
        parts = urlsplit(text)
    except ValueError:  # e.g. an unbalanced "[" in the host
        return None
    codes = parse_qs(parts.query).get("h", [])
    if len(codes) == 1 and CODE_RE.match(codes[0]):
        return Scanned("code", codes[0])
    match = TOKEN_PATH_RE.match(parts.path)
    if match:
        return Scanned("token", match.group(1))
    return None


# Who else may record for a household outside their scope: each answers (actor, household) → True. Apps that
# widen the reach register theirs in their AppConfig.ready() (supervision: a recorder at the household's
# drop-off point, supervision/apps.py), so the grid imports none of them.
HOUSEHOLD_REACH: list[Callable[[User, Household], bool]] = []


def resolve(actor: User, scanned: Scanned) -> str | None:
    """The household code `scanned` names if `actor` may record for that household, else None.

    In scope means the household's residential area or micro-grid is (`Scope.require_household`), or the
    household brings its waste to a drop-off point the actor records at (a grid worker on bin duty sees
    households beyond their own micro-grid there: supervision's entry in HOUSEHOLD_REACH).
    """
    if scanned.kind == "code":
        household = Household.objects.filter(code=scanned.value).select_related("building__microgrid").first()
    else:
        household = household_by_token(scanned.value)  # constant-time; None when re-issued since
    if household is None:
        return None
    scope = Scope.of(actor)
    microgrid = household.building.microgrid if household.building_id else None
    if scope.covers(household.community) or scope.covers(microgrid):
        return household.code
    if any(reaches(actor, household) for reaches in HOUSEHOLD_REACH):
        return household.code
    return None


def _error(msg: Msg, status: int) -> JsonResponse:
    return JsonResponse({"error": str(msg), "message": msg.as_dict()}, status=status)


@require_GET
def household_resolve(request: HttpRequest) -> JsonResponse:
    """GET ?q=<scanned text> → 200 {"code": "<household code>"}; 400 not a household QR; 401 not logged in;
    403 a role outside SCAN_HOUSEHOLDS; 404 unknown or outside the actor's scope (the same answer, so a token's
    existence does not leak). Errors are {"error": text in the page's language, "message": {"zh", "en"}}."""
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        return _error(LOGIN, 401)  # JSON, not a redirect to the login page: the caller is a script
    if not user.has_role(SCAN_HOUSEHOLDS):
        return _error(NOT_YOURS, 403)
    scanned = parse_scanned(request.GET.get("q", ""))
    if scanned is None:
        return _error(UNREADABLE, 400)
    code = resolve(user, scanned)
    if code is None:
        return _error(UNKNOWN, 404)
    response = JsonResponse({"code": code})
    response["Cache-Control"] = "no-store"
    return response
