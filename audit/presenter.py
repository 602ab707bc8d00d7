"""The audit log as a person reads it: one presenter for the page and the export.

An entry stores its changes as JSON keyed by field attname (`{"stock": [200, 199]}` for an update, the row
as it was for a create or a delete). Here they become rows in the page's language: the field's verbose name,
"old → new", None as "—", choices by their label, times in local time, a foreign key by its record's name.
A batch of bin-side records (supervision.ingest) reads as one sentence ("3 条记录，网页录入").
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import Q
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext, pgettext_lazy

from audit.models import Action, AuditEntry
from lib.clock import local_time
from lib.codes import opaque_code

NONE = "—"
# Records named within their residential area (a building's "2号楼", a household's "2号楼 1206" recur in every
# residential area of a sub-district): the log names them with it ("交通路居民区 2号楼 1206").
AREA_NAMED = {"grid.Building", "grid.Household"}
# Records of one model named per query (an export's thousand entries may name more: all are read, in batches).
BATCH = 500
# Keys of a snapshot that say nothing to a reader (the row's own id; the sub-district shows in the scope).
_HIDDEN = {"id", "subdistrict_id"}
SYSTEM_ACTOR = "system"  # audit.services writes this for the system, scripts and jobs


def _opaque(f: models.Field[Any, Any] | None) -> bool:
    """An opaque code (lib.codes.opaque_code_field) or a phone's UUID: internals, not a change to read."""
    if f is None:
        return False
    if f.attname.endswith("_hash"):  # a claim code's or a device key's hash: a secret's trace
        return True
    if isinstance(f, models.UUIDField):
        return True
    return f.default is opaque_code


def _internal(f: models.Field[Any, Any] | None) -> bool:
    """A machine-written unique key with no name for people (a ledger entry's idempotency key
    "activity:ZJXL-A0042:989", a job's key, a node's path): bookkeeping, not a change to read. A field named
    for people (a verbose name of ours, a lazy msgid) is never internal, whatever it holds."""
    return (
        isinstance(f, models.CharField)
        and bool(f.unique)
        and not f.choices
        and isinstance(f.verbose_name, str)  # named by Django after the attribute, not by us
    )


def person_and_login(user: Any, login: str, reader: Any = None) -> str:
    """An account as a reader says it: its person's name with the login ("钱俊晨 (jiaotong_sec)"), the login
    alone for an account linked to nobody. The name is masked for a `reader` who does not see personal data
    (User.display_name_for); without a reader (scripts, tests) it is shown as is."""
    if user is None:
        return login
    name = user.display_name_for(reader) if reader is not None else user.display_name
    return f"{name} ({login})" if name and name != login else login


@dataclass
class ChangeRow:
    label: str
    old: str | None  # None for a create or delete: only the value
    new: str


@dataclass
class EntryView:
    entry: AuditEntry
    record: str
    rows: list[ChangeRow] = field(default_factory=list)
    summary: str = ""
    code: str = ""  # the record's readable code, as the title of its name
    reader: Any = None  # who reads the page: names of people are masked for a reader without personal data

    @property
    def actor(self) -> str:
        """Who acted, as a reader says it: the person with their login ("钱俊晨 (jiaotong_sec)"), the login
        alone for an account linked to nobody, or "系统" for the system and scripts. (The person comes with
        the entry: `selectors.visible_entries`.)"""
        if self.entry.actor_id is None and self.entry.actor_name in ("", SYSTEM_ACTOR):
            return _("System")
        user = self.entry.actor if self.entry.actor_id is not None else None
        return person_and_login(user, self.entry.actor_name, self.reader)

    @property
    def text(self) -> str:
        """The changes as one line of plain text (the export's cell)."""
        parts = [self.summary] if self.summary else []
        for row in self.rows:
            value = f"{row.old} → {row.new}" if row.old is not None else row.new
            parts.append(f"{row.label}: {value}")
        return "; ".join(parts)


def _model(label: str) -> type[models.Model] | None:
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def _fields(model: type[models.Model] | None) -> dict[str, models.Field[Any, Any]]:
    if model is None:
        return {}
    return {f.attname: f for f in model._meta.concrete_fields}


def _is_batch(entry: AuditEntry) -> bool:
    return (
        entry.object_id.startswith("batch:")
        and isinstance(entry.changes, dict)
        and "created" in entry.changes
    )


def _device(device: str) -> str:
    return _("on the web page") if device == "session" else _("from device %(device)s") % {"device": device}


def batch_summary(changes: dict[str, Any]) -> str:
    created = int(changes.get("created") or 0)
    duplicates = int(changes.get("duplicates") or 0)
    text = ngettext("%(n)s record", "%(n)s records", created) % {"n": created}
    device = str(changes.get("device") or "")
    if device:  # none for a batch written by a script (the demo, an import)
        text += _(", %(how)s") % {"how": _device(device)}
    if duplicates:
        text += _(", %(n)s repeats skipped") % {"n": duplicates}
    return text


def _when(value: str) -> str:
    at = parse_datetime(value)
    if at is None:
        return value
    if at.tzinfo is not None:
        at = local_time(at)
    return f"{at:%Y-%m-%d %H:%M}"


def readable_code(obj: models.Model, depth: int = 3) -> str:
    """The code people may look a record up by (a point's "ZJXL-01-P01", a household's), shown as the record's
    title beside its name: the record's own, else that of what it is about (a sign-up's shift's point), keys
    followed only when already loaded; "" when there is none (opaque codes are internals)."""
    f = next((f for f in obj._meta.concrete_fields if f.name == "code"), None)
    if f is not None and getattr(f, "unique", False) and f.default is not opaque_code:
        return str(getattr(obj, "code", "") or "")
    if depth <= 0:
        return ""
    for key in obj._meta.concrete_fields:
        if not key.many_to_one or key.name == "subdistrict" or not key.is_cached(obj):  # type: ignore[attr-defined]
            continue
        related = getattr(obj, key.name)
        if (
            isinstance(related, models.Model)
            and related._meta.label != "grid.GridNode"
            and (code := readable_code(related, depth - 1))
        ):
            return code
    return ""


def _keys(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    """The forward keys a record's name may read (not the sub-district: the page's scope)."""
    return [
        f
        for f in model._meta.concrete_fields
        if (f.many_to_one or f.one_to_one) and f.related_model is not None and f.name != "subdistrict"
    ]


def _paths(model: type[models.Model], depth: int = 2) -> list[str]:
    """select_related paths for naming a model's records: its keys, nullable ones too (an exemplar's household,
    a record's 记录人), and theirs (a household's building and residential area, an account's person), so
    that naming a page's records asks one query per model, not one per record. Grid nodes are named by
    their own name: their keys are not followed."""
    if depth <= 0 or model._meta.label == "grid.GridNode":
        return []
    paths: list[str] = []
    for f in _keys(model):
        paths.append(f.name)
        paths.extend(f"{f.name}__{sub}" for sub in _paths(f.related_model, depth - 1))  # type: ignore[arg-type]
    return paths


def _own_code(obj: models.Model) -> str:
    f = next((f for f in obj._meta.concrete_fields if f.name == "code"), None)
    if f is None or not getattr(f, "unique", False) or f.default is opaque_code:
        return ""
    return str(getattr(obj, "code", "") or "")


class _Names:
    """Foreign keys' records by name, fetched once per model for a whole page: every model the page refers
    to (one query each; the count of models is the project's, not the page's rows)."""

    def __init__(self, reader: Any = None) -> None:
        self.reader = reader
        self.wanted: dict[type[models.Model], set[Any]] = defaultdict(set)
        self.names: dict[tuple[type[models.Model], str], str] = {}
        self.codes: dict[tuple[type[models.Model], str], str] = {}
        # The code people know a residential-area-named record by (a household's "ZJXL-01-B007-203"): a text
        # field that copied it (an exemplar's name) reads as the record's name.
        self.own_codes: dict[tuple[type[models.Model], str], str] = {}
        self.logged: dict[tuple[str, str], str] = {}
        self.fetched: set[type[models.Model]] = set()

    def named(self, obj: models.Model, depth: int = 2) -> str:
        """A record's name in the log: an account as its person with the login (masked for the reader), a
        household or building with its residential area, and so too where such a record's name stands in
        another's ("积分流水 2号楼 1206 活动 +20", an exemplar named by the household's code)."""
        if obj._meta.label == get_user_model()._meta.label:
            return person_and_login(obj, str(getattr(obj, "username", "") or obj), self.reader)
        text = str(obj)
        if obj._meta.label in AREA_NAMED:
            area = obj.community if _loaded(obj, "community") else None  # type: ignore[attr-defined]
            return f"{area.name} {text}" if area is not None and area.name not in text else text
        if depth <= 0:
            return text
        for key in _keys(type(obj)):
            if not key.is_cached(obj):  # type: ignore[attr-defined]
                continue
            related = getattr(obj, key.name)
            if not isinstance(related, models.Model) or related._meta.label not in AREA_NAMED:
                continue
            full, plain, code = self.named(related, depth - 1), str(related), _own_code(related)
            if code and text == code:
                return full
            if plain and plain != full and plain in text and full not in text:
                text = text.replace(plain, full, 1)
        return text

    def want_record(self, model: type[models.Model] | None, pk: str) -> None:
        """The entry's own record, to be named as it is now (its name when logged may predate a rename or
        a better name)."""
        if model is not None and pk and not pk.startswith("batch:"):
            self.wanted[model].add(pk)

    def want(self, f: models.Field[Any, Any], value: Any) -> None:
        if f.is_relation and f.related_model is not None and value not in (None, ""):
            self.wanted[f.related_model].add(value)  # type: ignore[index]

    def fetch(self, subdistricts: set[int | None]) -> None:
        # One query per model the page refers to: every key is named (a page once left the models past the
        # eighth unnamed, "班次 班次"), and the count of queries is bounded by the project's models, not by
        # the page's rows. Records not found (deleted) are named by the log itself: the name their last
        # entry wrote down (one query).
        self.fetched = set(self.wanted)
        for model, pks in self.wanted.items():
            # A record's name may read its keys (a worker's person, a household's building and area). Read
            # BATCH at a time (an export names more: a cap of 500 once left the rest "已不存在的").
            wanted, found = list(pks), dict[Any, models.Model]()
            for start in range(0, len(wanted), BATCH):
                try:
                    found |= model._default_manager.select_related(*_paths(model)).in_bulk(
                        wanted[start : start + BATCH]
                    )
                except (ValueError, TypeError, ObjectDoesNotExist):
                    break
            for pk, obj in found.items():
                self.names[(model, str(pk))] = self.named(obj)
                self.codes[(model, str(pk))] = readable_code(obj)
                if obj._meta.label in AREA_NAMED and (code := _own_code(obj)):
                    self.own_codes[(model, str(pk))] = code
        missing = Q()
        for model, pks in self.wanted.items():
            lost = [str(pk) for pk in pks if (model, str(pk)) not in self.names]
            if lost:
                missing |= Q(model=model._meta.label, object_id__in=lost[:500])
        if missing:
            # The same sub-districts' entries only: a page never reads another sub-district's log.
            same = Q(subdistrict_id__in=[sd for sd in subdistricts if sd is not None])
            if None in subdistricts:
                same |= Q(subdistrict_id__isnull=True)
            rows = AuditEntry.objects.filter(missing, same).order_by("at", "id")
            for label, pk, text in rows.values_list("model", "object_id", "object_repr")[:2000]:
                self.logged[(label, pk)] = text  # the latest wins

    def name(self, f: models.Field[Any, Any], value: Any) -> str | None:
        return self.record(f.related_model, str(value))  # type: ignore[arg-type]

    def missing(self, model: type[models.Model] | None) -> str:
        """A key whose record is not named on this page: gone (its model was read), or past the bound."""
        if model is None:
            return NONE
        kind = model._meta.verbose_name
        if model in self.fetched:
            return _("a %(kind)s no longer on record") % {"kind": kind}
        return str(kind)

    def record(self, model: type[models.Model] | None, pk: str) -> str | None:
        if model is None:
            return None
        return self.names.get((model, pk)) or self.logged.get((model._meta.label, pk))


def _loaded(obj: models.Model, name: str) -> bool:
    f = next((f for f in obj._meta.concrete_fields if f.name == name), None)
    return f is not None and f.is_cached(obj)  # type: ignore[attr-defined]


def _value(
    f: models.Field[Any, Any] | None, value: Any, names: _Names, coded: dict[str, str] | None = None
) -> str:
    if value is None or value == "":
        return NONE
    if coded and isinstance(value, str) and value in coded and not (f is not None and f.unique):
        return coded[value]  # a copy of a referred record's code (an exemplar's name): that record's name
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if f is not None:
        if f.is_relation:
            if (found := names.name(f, value)) is not None:
                return found
            return names.missing(f.related_model)
        if f.choices:
            return str(dict(f.flatchoices).get(value, value))  # type: ignore[arg-type]
        if isinstance(f, models.DateTimeField) and isinstance(value, str):
            return _when(value)
    if isinstance(value, list | tuple):
        return "、".join(_value(None, v, names) for v in value) or NONE
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_value(None, v, names)}" for k, v in value.items())
    return str(value)


def _label(key: str, fields: dict[str, models.Field[Any, Any]]) -> str:
    f = fields.get(key)
    if f is None:
        return key
    if isinstance(
        f.verbose_name, str
    ):  # Django's name from the attribute ("sort order"), not a msgid of ours
        return pgettext("audit field", f.verbose_name)
    return str(f.verbose_name)


@dataclass(frozen=True)
class _Link:
    """A many-to-many's join row (a visitor on a visit plan): read as the owner's change, "走访计划 X：添加
    党员 Y", not as a row of its own."""

    owner: type[models.Model]
    target: type[models.Model]
    owner_pk: str
    target_pk: str


def _link(model: type[models.Model] | None, changes: Any) -> _Link | None:
    # An auto-created join table's `auto_created` is the model that owns the many-to-many field.
    owner: Any = model._meta.auto_created if model is not None else None
    if not (isinstance(owner, type) and issubclass(owner, models.Model)) or not isinstance(changes, dict):
        return None
    m2m = next(
        (f for f in owner._meta.many_to_many if getattr(f.remote_field, "through", None) is model), None
    )
    if m2m is None or m2m.related_model is None:
        return None
    owner_pk, target_pk = changes.get(m2m.m2m_column_name()), changes.get(m2m.m2m_reverse_name())
    if owner_pk is None or target_pk is None:
        return None
    return _Link(owner, m2m.related_model, str(owner_pk), str(target_pk))  # type: ignore[arg-type]


def _link_view(entry: AuditEntry, link: _Link, names: _Names) -> EntryView:
    owner = names.record(link.owner, link.owner_pk) or names.missing(link.owner)
    target = names.record(link.target, link.target_pk) or names.missing(link.target)
    kind = link.target._meta.verbose_name
    text = _("Removed %(kind)s %(name)s") if entry.action == Action.DELETE else _("Added %(kind)s %(name)s")
    record = f"{link.owner._meta.verbose_name} {owner}"
    return EntryView(entry, record, summary=text % {"kind": kind, "name": target})


def present(entries: Sequence[AuditEntry] | Iterable[AuditEntry], reader: Any = None) -> list[EntryView]:
    """The entries as rows a person reads (EntryView), their keys named in one query per model referred to.
    `reader`, the user reading the page, masks people's names where they may not see personal data."""
    entries = list(entries)
    names = _Names(reader)
    links: dict[int, _Link] = {}
    plans: list[tuple[AuditEntry, dict[str, models.Field[Any, Any]], list[tuple[str, Any]]]] = []
    for entry in entries:
        model = _model(entry.model)
        if (link := _link(model, entry.changes)) is not None:
            links[id(entry)] = link
            names.wanted[link.owner].add(link.owner_pk)
            names.wanted[link.target].add(link.target_pk)
            continue
        fields = _fields(model)
        changes = entry.changes if isinstance(entry.changes, dict) else {}
        if _is_batch(entry):
            # What the batch's records share (audit.services.audit_batch): a day's credits' kind, day, total.
            shared = changes.get("fields")
            items = [(k, v) for k, v in shared.items() if k in fields] if isinstance(shared, dict) else []
        else:
            items = [
                (k, v)
                for k, v in changes.items()
                if k not in _HIDDEN and not _opaque(fields.get(k)) and not _internal(fields.get(k))
            ]
        if not _is_batch(entry):
            names.want_record(model, entry.object_id)
        for key, value in items:
            f = fields.get(key)
            if f is None:
                continue
            pair = (
                value
                if entry.action == Action.UPDATE and isinstance(value, list) and len(value) == 2
                else [value]
            )
            for v in pair:
                names.want(f, v)
        plans.append((entry, fields, items))
    names.fetch({e.subdistrict_id for e in entries})
    views: list[EntryView] = []
    planned = {id(plan[0]): plan[1:] for plan in plans}
    for entry in entries:
        if id(entry) in links:
            view = _link_view(entry, links[id(entry)], names)
            view.reader = reader
            views.append(view)
            continue
        fields, items = planned[id(entry)]
        model = _model(entry.model)
        if _is_batch(entry):
            view = EntryView(entry, entry.model_label, summary=batch_summary(entry.changes), reader=reader)
        else:
            current = names.record(model, entry.object_id)
            view = EntryView(entry, f"{entry.model_label} {current or entry.object_repr}", reader=reader)
            view.code = names.codes.get((model, entry.object_id), "") if model is not None else ""
        # The codes of the records this entry refers to, with their names (see _Names.own_codes).
        coded = {
            code: names.names[(f.related_model, str(v))]  # type: ignore[index]
            for key, value in items
            if (f := fields.get(key)) is not None and f.is_relation and not isinstance(value, list | dict)
            for v in [value]
            if (code := names.own_codes.get((f.related_model, str(v)))) is not None  # type: ignore[arg-type]
        }
        for key, value in items:
            f = fields.get(key)
            if entry.action == Action.UPDATE and isinstance(value, list) and len(value) == 2:
                view.rows.append(
                    ChangeRow(
                        _label(key, fields),
                        _value(f, value[0], names, coded),
                        _value(f, value[1], names, coded),
                    )
                )
            elif entry.action != Action.UPDATE and value in (None, "", [], {}):
                continue  # a create/delete lists what the row held, not its empty fields
            else:
                view.rows.append(ChangeRow(_label(key, fields), None, _value(f, value, names, coded)))
        views.append(view)
    return views


def local_stamp(at: datetime.datetime) -> str:
    return f"{local_time(at):%Y-%m-%d %H:%M:%S}"


# Fields named by Django after their attribute (no verbose name of their own): their names for the log.
AUTO_FIELD_NAMES = (
    pgettext_lazy("audit field", "activity"),
    pgettext_lazy("audit field", "anonymous"),
    pgettext_lazy("audit field", "answered at"),
    pgettext_lazy("audit field", "article"),
    pgettext_lazy("audit field", "at"),
    pgettext_lazy("audit field", "bag not broken"),
    pgettext_lazy("audit field", "by"),
    pgettext_lazy("audit field", "case"),
    pgettext_lazy("audit field", "category"),
    pgettext_lazy("audit field", "checked at"),
    pgettext_lazy("audit field", "checked in at"),
    pgettext_lazy("audit field", "choice"),
    pgettext_lazy("audit field", "chosen by"),
    pgettext_lazy("audit field", "client id"),
    pgettext_lazy("audit field", "community"),
    pgettext_lazy("audit field", "community id"),
    pgettext_lazy("audit field", "contest"),
    pgettext_lazy("audit field", "correct"),
    pgettext_lazy("audit field", "corrected"),
    pgettext_lazy("audit field", "current"),
    pgettext_lazy("audit field", "data"),
    pgettext_lazy("audit field", "day"),
    pgettext_lazy("audit field", "decided by"),
    pgettext_lazy("audit field", "detail"),
    pgettext_lazy("audit field", "entry"),
    pgettext_lazy("audit field", "error"),
    pgettext_lazy("audit field", "errors"),
    pgettext_lazy("audit field", "flagged at"),
    pgettext_lazy("audit field", "household"),
    pgettext_lazy("audit field", "image"),
    pgettext_lazy("audit field", "initials"),
    pgettext_lazy("audit field", "issued by"),
    pgettext_lazy("audit field", "item"),
    pgettext_lazy("audit field", "joined at"),
    pgettext_lazy("audit field", "key"),
    pgettext_lazy("audit field", "language"),
    pgettext_lazy("audit field", "last used at"),
    pgettext_lazy("audit field", "level"),
    pgettext_lazy("audit field", "meeting"),
    pgettext_lazy("audit field", "member"),
    pgettext_lazy("audit field", "microgrid"),
    pgettext_lazy("audit field", "minutes"),
    pgettext_lazy("audit field", "mistakes"),
    pgettext_lazy("audit field", "mixed"),
    pgettext_lazy("audit field", "mixed with"),
    pgettext_lazy("audit field", "ms"),
    pgettext_lazy("audit field", "node"),
    pgettext_lazy("audit field", "notes"),
    pgettext_lazy("audit field", "observed at"),
    pgettext_lazy("audit field", "officer"),
    pgettext_lazy("audit field", "order"),
    pgettext_lazy("audit field", "org"),
    pgettext_lazy("audit field", "outcome"),
    pgettext_lazy("audit field", "path"),
    pgettext_lazy("audit field", "pdf"),
    pgettext_lazy("audit field", "person"),
    pgettext_lazy("audit field", "pinyin"),
    pgettext_lazy("audit field", "plan"),
    pgettext_lazy("audit field", "point"),
    pgettext_lazy("audit field", "prefix"),
    pgettext_lazy("audit field", "processed"),
    pgettext_lazy("audit field", "project"),
    pgettext_lazy("audit field", "public id"),
    pgettext_lazy("audit field", "question"),
    pgettext_lazy("audit field", "question count"),
    pgettext_lazy("audit field", "question started at"),
    pgettext_lazy("audit field", "received at"),
    pgettext_lazy("audit field", "recorded by"),
    pgettext_lazy("audit field", "refused"),
    pgettext_lazy("audit field", "registered at"),
    pgettext_lazy("audit field", "resolved item"),
    pgettext_lazy("audit field", "reverses"),
    pgettext_lazy("audit field", "reviewed at"),
    pgettext_lazy("audit field", "reviewed by"),
    pgettext_lazy("audit field", "reward"),
    pgettext_lazy("audit field", "scheme"),
    pgettext_lazy("audit field", "score"),
    pgettext_lazy("audit field", "selector"),
    pgettext_lazy("audit field", "shift"),
    pgettext_lazy("audit field", "signup"),
    pgettext_lazy("audit field", "sort order"),
    pgettext_lazy("audit field", "step"),
    pgettext_lazy("audit field", "steps"),
    pgettext_lazy("audit field", "subdistrict"),
    pgettext_lazy("audit field", "subdistrict id"),
    pgettext_lazy("audit field", "tier"),
    pgettext_lazy("audit field", "to person"),
    pgettext_lazy("audit field", "total"),
    pgettext_lazy("audit field", "total ms"),
    pgettext_lazy("audit field", "unit"),
    pgettext_lazy("audit field", "updated by"),
    pgettext_lazy("audit field", "uploaded at"),
    pgettext_lazy("audit field", "uploaded by"),
    pgettext_lazy("audit field", "user"),
    pgettext_lazy("audit field", "voided by"),
    pgettext_lazy("audit field", "xlsx"),
    pgettext_lazy("audit field", "created by"),
)
