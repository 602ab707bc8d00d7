"""Checks every input from outside passes before it reaches a model: text without control characters,
numbers inside what the model and every database can hold, plausible dates.

Services call these (not only views), so a form, an import and an API refuse the same values with the same
zh/en message, and the database never has to: an IntegrityError or OverflowError would be a 500.
"""

from __future__ import annotations

import datetime
import re
import uuid
from collections.abc import Iterator
from typing import Any

from django.core.exceptions import FieldError, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations
from django.utils.translation import override

from lib.bilingual import Msg
from lib.periods import MIN_DAY, MIN_YEAR, max_day, max_year, year_ok

# C0 controls except tab, line feed and carriage return; DEL; C1 controls. NUL breaks PostgreSQL text and
# openpyxl exports; the others are invisible in pages and exports and have no place in typed text.
CONTROL_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
CONTROL_MSG = Msg(
    "输入含有不可见的控制字符，请删除后重试。",
    "The input contains invisible control characters; remove them and try again.",
)


class InvalidInput(ValidationError):
    """A ValidationError that also carries its message in both languages (for the API's error body)."""

    def __init__(self, msg: Msg, code: str = "invalid"):
        super().__init__(str(msg), code=code)
        self.msg = msg


def bilingual(exc: ValidationError) -> Msg:
    """The zh/en message of a service's refusal; a plain ValidationError has one language, shown in both."""
    if isinstance(exc, InvalidInput):
        return exc.msg
    text = " ".join(exc.messages)
    return Msg(text, text)


def has_control_chars(text: str) -> bool:
    return CONTROL_CHARS.search(text) is not None


def check_text(**values: str) -> None:
    """InvalidInput if any of the named texts holds a control character (see CONTROL_CHARS)."""
    for value in values.values():
        if isinstance(value, str) and has_control_chars(value):
            raise InvalidInput(CONTROL_MSG, code="control_chars")


def strings_in(data: Any, *, max_depth: int) -> Iterator[str]:
    """Every key and string inside parsed JSON; ValueError when nested deeper than `max_depth`.
    Iterative, so a deep body cannot exhaust Python's stack here either."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict | list):
            if depth > max_depth:
                raise ValueError("too deep")
            items = value.items() if isinstance(value, dict) else ((None, v) for v in value)
            for key, item in items:
                if key is not None:
                    yield key
                stack.append((item, depth + 1))


def _field_msg(field: models.Field[Any, Any], exc: ValidationError) -> Msg:
    """ "<the field's name>: <Django's message>" in both languages (both are translated lazily)."""
    with override("zh-hans"):
        zh = f"{field.verbose_name}：{''.join(exc.messages)}"
    with override("en"):
        en = f"{field.verbose_name}: {' '.join(exc.messages)}"
    return Msg(zh, en)


def check_fields(model: type[models.Model], **values: Any) -> dict[str, Any]:
    """Clean each named value with its model field and return the cleaned values.

    Checks what the model declares: the field's conversion and validators (PositiveIntegerField ≥ 0,
    DecimalField digits and finiteness, max_length, choices), an integer range every supported database can
    store (PostgreSQL's, also on SQLite, so both refuse the same values), and each CheckConstraint that
    involves only the given fields. InvalidInput naming the field (zh/en) otherwise.
    """
    cleaned: dict[str, Any] = {}
    for name, value in values.items():
        field = model._meta.get_field(name)
        assert isinstance(field, models.Field)
        portable = BaseDatabaseOperations.integer_field_ranges.get(field.get_internal_type())
        try:
            number = field.to_python(value) if portable is not None else None
            if portable is not None and number is not None:  # None: a nullable field left empty
                MinValueValidator(portable[0])(number)
                MaxValueValidator(portable[1])(number)
            cleaned[name] = field.clean(value, None)
        except ValidationError as exc:
            raise InvalidInput(_field_msg(field, exc), code=name) from None
    instance = model(**cleaned)
    others = {f.name for f in model._meta.concrete_fields} - set(cleaned)
    for constraint in model._meta.constraints:
        if not isinstance(constraint, models.CheckConstraint):
            continue
        try:
            constraint.validate(model, instance, exclude=others)
        except FieldError:  # the constraint reads a field that was not given
            continue
        except ValidationError:
            raise InvalidInput(
                Msg(
                    f"数值不符合规则“{constraint.name}”。", f"The values break the rule “{constraint.name}”."
                ),
                code=constraint.name,
            ) from None
    return cleaned


def check_day(day: datetime.date, *, ahead: int = 366) -> None:
    """InvalidInput unless the date lies between MIN_DAY and `ahead` days from today (a typo such as
    0001-01-01 or 2062 would otherwise be stored and skew every period it falls into)."""
    last = max_day(ahead)
    if not MIN_DAY <= day <= last:
        raise InvalidInput(
            Msg("日期应在 {lo} 至 {hi} 之间。", "The date must be between {lo} and {hi}.").format(
                lo=MIN_DAY.isoformat(), hi=last.isoformat()
            ),
            code="day",
        )


def check_moment(moment: datetime.datetime, *, ahead: int = 366) -> None:
    """check_day on the datetime's own calendar date (converting year 1 or 9999 to another zone could
    overflow, the very error this prevents)."""
    check_day(moment.date(), ahead=ahead)


def check_year(year: int) -> None:
    """InvalidInput unless MIN_YEAR <= year <= next year (lib.periods' bounds)."""
    if not year_ok(year):
        raise InvalidInput(
            Msg("年份应在 {lo} 至 {hi} 之间。", "The year must be between {lo} and {hi}.").format(
                lo=MIN_YEAR, hi=max_year()
            ),
            code="year",
        )


MAX_ID = 2**63 - 1  # BigAutoField: the largest id either database can hold or compare


def form_pk(raw: str | None) -> int:
    """A record id chosen in a form (`<select name="reward">`): the id, or 0, which matches no record, for
    anything else. Lookups then answer "not found" instead of a ValueError ("abc") or, on SQLite, an
    OverflowError (an id past 64 bits)."""
    raw = (raw or "").strip()
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 19 or int(raw) > MAX_ID:
        return 0
    return int(raw)


def form_uuid(raw: str | None) -> uuid.UUID | None:
    """A record's UUID chosen in a link or form (`?key=<client id>`): the UUID, or None, which the caller
    treats as "no such record", for anything else. Filtering a UUIDField by "" or "2026-02-30" raised a
    ValidationError deep inside the ORM (a 500)."""
    try:
        return uuid.UUID((raw or "").strip())
    except ValueError:
        return None
