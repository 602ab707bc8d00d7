"""What a household search box was given: the one parser of a typed household (`Household.objects.search`,
the household list and the API's `q`).

People type a household the way the app shows it: "3号楼 102", "3号楼102", "11号楼 1-301", the card's
"1号楼 1单元 1-101", full-width digits from a Chinese keyboard ("３号楼１０２"), or the recorder's short form
"<building no>-<room>" ("3-102", "11-1-301"; static/supervision/recorder.js `matchHousehold` takes the same
forms). Each reading of the text is a `Place`: a building (by name, or by its number when the name has one)
and a room. The reader-independent parts are decided here; who may search rooms, names and phones is the
queryset's (`HouseholdQuerySet.search`)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# A building name ends in one of these after its number ("3号楼", "3幢", "3栋", "3座", "3号").
_BUILDING = r"\d+\s*(?:号楼|号|幢|栋|座|楼)"
_ROOM = r"[0-9A-Za-z]+(?:-[0-9A-Za-z]+)*"
_STAIRWELL = r"\d+\s*单元"
# "3号楼 102", "3号楼102", "1号楼 1单元 1-101", "阳光苑3号楼 102".
_NAMED = re.compile(rf"^(?P<building>\S*?{_BUILDING})\s*(?:{_STAIRWELL}\s*)?(?P<room>{_ROOM})$")
# "<any building name> <room>" with a space: a building without a number in its name ("东楼 102").
_SPACED = re.compile(rf"^(?P<building>\S+)\s+(?:{_STAIRWELL}\s+)?(?P<room>{_ROOM})$")
# The recorder's "<building no>-<room>": "3-102", "11-1-301".
_NUMBERED = re.compile(r"^(?P<number>\d+)-(?P<room>\d+(?:-\d+)?)$")
_PHONE = re.compile(r"^\+?[\d\s-]{7,}$")
_NAME = re.compile(r"^[\u4e00-\u9fff·]{2,4}$")


@dataclass(frozen=True)
class Place:
    """One reading of the text as building + room. `number`: the building's number ("3" of "3号楼"), matched
    against the digits of building names as the recorder does; `building`: the name as typed otherwise."""

    room: str
    number: str = ""
    building: str = ""


@dataclass(frozen=True)
class HouseholdQuery:
    text: str  # NFKC (full-width digits and letters made plain), trimmed, runs of spaces as one
    places: tuple[Place, ...]

    @property
    def looks_personal(self) -> bool:
        """Looks like a phone number, a person's name or a building + room: what a reader who does not see
        personal data cannot search (the page says why instead of silently finding nothing)."""
        return bool(self.places) or bool(_PHONE.match(self.text)) or self._looks_like_name()

    def _looks_like_name(self) -> bool:
        return bool(_NAME.match(self.text)) and not re.search(r"号|楼|幢|栋|座|单元|苑|区|村", self.text)


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip()


def parse(text: str) -> HouseholdQuery:
    t = normalise(text)
    places: list[Place] = []
    for pattern in (_NAMED, _SPACED):
        m = pattern.match(t)
        if m:
            building = re.sub(r"\s+", "", m["building"])
            digits = "".join(re.findall(r"\d+", building))
            place = (
                Place(room=m["room"], number=digits) if digits else Place(room=m["room"], building=building)
            )
            if place not in places:
                places.append(place)
    m = _NUMBERED.match(t)
    if m:
        places.append(Place(room=m["room"], number=m["number"].lstrip("0") or "0"))
    return HouseholdQuery(t, tuple(places))


def building_number_regex(number: str) -> str:
    """A building name whose digits are exactly `number` ("3号楼", "3幢", not "13号楼"): the recorder's
    `buildingNo`, as a database regex."""
    return rf"^[^0-9]*0*{number}[^0-9]*$"


__all__ = ["HouseholdQuery", "Place", "building_number_regex", "normalise", "parse"]
