"""Importing buildings, households, grid workers and people from .xlsx/.csv with Chinese headers.

A file is checked whole first; any bad row rejects the file with row-level messages (row, column,
what is wrong, in zh and en) and nothing is written. A good file is written in one short transaction: ids,
codes, audit entries and the INSERTs themselves are prepared before it (see `_Importer.prepare`).
"""

from __future__ import annotations

import datetime
import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models.sql import InsertQuery
from django.utils import timezone

from audit.services import audit_entries_created
from grid.models import (
    Building,
    GridNode,
    GridWorker,
    Household,
    ImportJob,
    ImportKind,
    ImportStatus,
    Level,
    Person,
)
from grid.scope import Scope
from grid.services.records import NO_ROOM_CODE, room_code
from lib import jobs
from lib.bilingual import Msg
from lib.codes import CodeCounter
from lib.xlsx import TableError, read_table

PHONE_RE = re.compile(r"^(1\d{10}|0\d{2,3}-?\d{7,8})$")
ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
ID_CHECK = "10X98765432"
MAX_ROWS = 200_000


@dataclass(frozen=True)
class Column:
    header: str
    key: str
    required: bool = False
    kind: str = "text"  # text | int | phone | id_number
    max_length: int = 100
    help: str = ""
    # The downloadable template's example row (its own sheet, never read by the importer): a value this column
    # would accept, so the example shows the format that passes (issue 17).
    example: str = ""


SPECS: dict[str, list[Column]] = {
    ImportKind.BUILDINGS: [
        Column("居民区编码", "community", True, max_length=32, help="例: ZJXL-01", example="ZJXL-01"),
        Column("楼栋名称", "name", True, max_length=60, help="例: 12号楼", example="12号楼"),
        Column("地址", "address", max_length=200, example="普善路 100 弄 12 号"),
        Column("微网格编码", "microgrid", max_length=32, help="例: ZJXL-01-M02", example="ZJXL-01-M02"),
        Column("楼栋编码", "code", max_length=40, help="留空自动生成"),
    ],
    ImportKind.HOUSEHOLDS: [
        Column("楼栋编码", "building", True, max_length=40, help="例: ZJXL-01-B012", example="ZJXL-01-B012"),
        Column("室号", "room", True, max_length=20, help="例: 301", example="301"),
        Column("楼道", "stairwell", max_length=20, help="例: 2单元", example="2单元"),
        Column("人口数", "size", kind="int", example="3"),
        Column("联系人", "contact_name", max_length=50, example="张三"),
        Column("联系电话", "contact_phone", kind="phone", example="13800138000"),
        Column("户编码", "code", max_length=48, help="留空自动生成"),
    ],
    ImportKind.GRID_WORKERS: [
        Column("姓名", "name", True, max_length=50, example="李四"),
        Column("手机号", "phone", True, kind="phone", example="13900139000"),
        Column("微网格编码", "microgrid", True, max_length=32, example="ZJXL-01-M02"),
        Column("身份证号", "id_number", kind="id_number", example="310106199001011236"),
        Column("户编码", "household", max_length=48, example="ZJXL-01-B012-301"),
    ],
    ImportKind.PEOPLE: [
        Column("姓名", "name", True, max_length=50, example="王五"),
        Column("手机号", "phone", kind="phone", example="13700137000"),
        Column("身份证号", "id_number", kind="id_number", example="310106199001011236"),
        Column("户编码", "household", max_length=48, example="ZJXL-01-B012-301"),
        Column("所属网格编码", "node", True, max_length=32, help="居民区或微网格编码", example="ZJXL-01"),
    ],
}


@dataclass
class RowError:
    row: int  # as Excel shows it: the header is row 1
    column: str
    msg: Msg

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "zh": self.msg.zh, "en": self.msg.en}


class ImportRejected(Exception):
    def __init__(self, errors: list[RowError]):
        super().__init__(f"{len(errors)} errors")
        self.errors = errors


REQUIRED = Msg("必填项为空。", "Required value is missing.")
TOO_LONG = Msg("内容过长（最多 {n} 个字符）。", "Too long (at most {n} characters).")
NOT_INT = Msg("应为整数，实际是“{v}”。", "Must be a whole number, got “{v}”.")
OUT_OF_RANGE = Msg("数值应在 {lo}–{hi} 之间。", "Must be between {lo} and {hi}.")
BAD_PHONE = Msg("电话号码格式不对：“{v}”。", "Not a phone number: “{v}”.")
BAD_ID = Msg(
    "身份证号无效（应为 18 位且校验位正确）。", "Invalid ID number (18 characters with a valid check digit)."
)
UNKNOWN_CODE = Msg(
    "找不到编码“{v}”，或不在您管辖的网格内。", "No {what} with code “{v}” in your part of the grid."
)
WRONG_LEVEL = Msg("编码“{v}”不是{what}。", "Code “{v}” is not a {what}.")
DUP_IN_FILE = Msg("与第 {other} 行重复。", "Duplicate of row {other}.")
EXISTS = Msg("已存在：{v}。", "Already exists: {v}.")
MG_NOT_IN_COMMUNITY = Msg("微网格“{v}”不属于该居民区。", "Micro-grid “{v}” is not in this residential area.")
ALREADY_WORKER = Msg("此人已是网格员。", "This person is already a grid worker.")


_MOBILE_RE = re.compile(r"(?:\+?86|0086)?-?(1\d{2})-?(\d{4})-?(\d{4})")
# A landline: its area code with the trunk "0" (or after "+86"/"0086", which drop it), then 7–8 digits.
_LANDLINE_RE = re.compile(r"(?:(?:\+?86|0086)-?0?|0)(\d{2,3})(-?)(\d{3,4})-?(\d{4})")


def clean_phone(value: str) -> str:
    """A phone number as people type it, in the form PHONE_RE reads (the import, and searches by phone):
    spaces, dots and brackets dropped, a mobile's "+86"/"0086" and hyphens dropped ("+86 138-1234-5678" →
    "13812345678"); a landline keeps only the hyphen after its area code ("021-6248-1234" → "021-62481234",
    "(021) 6248 1234" and "+86 21 6248 1234" → "02162481234"). Anything else comes back as it was."""
    value = re.sub(r"[\s.()]", "", value)  # the reader made full-width brackets and spaces ASCII (NFKC)
    mobile = _MOBILE_RE.fullmatch(value)
    if mobile:
        return "".join(mobile.groups())
    landline = _LANDLINE_RE.fullmatch(value)
    return "0" + "".join(landline.groups()) if landline else value


def valid_id_number(value: str) -> bool:
    if not re.fullmatch(r"\d{17}[\dXx]", value):
        return False
    return (
        ID_CHECK[sum(int(d) * w for d, w in zip(value[:17], ID_WEIGHTS, strict=True)) % 11]
        == value[17].upper()
    )


def _parse_row(
    spec: list[Column], index: dict[str, int], raw: list[str], row_no: int, errors: list[RowError]
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for col in spec:
        value = raw[index[col.header]] if col.header in index else ""
        # A bad value still leaves a key, so later checks of the row can report their own problems.
        out[col.key] = None if col.kind == "int" else ""
        if not value:
            if col.required:
                errors.append(RowError(row_no, col.header, REQUIRED))
            continue
        if col.kind == "int":
            if not re.fullmatch(r"\d+", value):
                errors.append(RowError(row_no, col.header, NOT_INT.format(v=value[:30])))
                continue
            number = int(value)
            if not 1 <= number <= 30:
                errors.append(RowError(row_no, col.header, OUT_OF_RANGE.format(lo=1, hi=30)))
                continue
            out[col.key] = number
            continue
        if col.kind == "phone":
            value = clean_phone(value)
            if not PHONE_RE.fullmatch(value):
                errors.append(RowError(row_no, col.header, BAD_PHONE.format(v=value[:30])))
                continue
        if col.kind == "id_number" and not valid_id_number(value):
            errors.append(RowError(row_no, col.header, BAD_ID))
            continue
        if len(value) > col.max_length:
            errors.append(RowError(row_no, col.header, TOO_LONG.format(n=col.max_length)))
            continue
        out[col.key] = value
    return out


def _lookup(model: Any, codes: Iterable[str], scope: Any) -> dict[str, Any]:
    codes = sorted(set(c for c in codes if c))
    found: dict[str, Any] = {}
    for i in range(0, len(codes), 900):
        for obj in scope.filter(code__in=codes[i : i + 900]):
            found[obj.code] = obj
    return found


class _Importer:
    def __init__(self, *, kind: str, actor: Any, root: GridNode, job_id: int | None = None):
        self.kind, self.actor, self.root, self.job_id = kind, actor, root, job_id
        self.spec = SPECS[kind]

    def header_errors(self, header: list[str]) -> list[RowError]:
        known = {c.header for c in self.spec}
        errors = []
        for col in self.spec:
            if col.required and col.header not in header:
                errors.append(
                    RowError(
                        1,
                        col.header,
                        Msg("缺少必需的列“{h}”。", "Missing required column “{h}”.").format(h=col.header),
                    )
                )
        for h in header:
            if h and h not in known:
                errors.append(
                    RowError(
                        1,
                        h,
                        Msg("未知的列“{h}”，请使用模板。", "Unknown column “{h}”; use the template.").format(
                            h=h
                        ),
                    )
                )
        seen = set()
        for h in header:
            if h in seen:
                errors.append(
                    RowError(1, h, Msg("列“{h}”出现了两次。", "Column “{h}” appears twice.").format(h=h))
                )
            seen.add(h)
        return errors

    def nodes_in_scope(self) -> Any:
        return GridNode.objects.subtree(self.root)

    def buildings_in_scope(self) -> Any:
        if self.root.level == Level.MICROGRID:
            return Building.objects.filter(microgrid=self.root)
        return Building.objects.filter(community__path__startswith=self.root.path)

    def check(
        self, rows: list[dict[str, Any]], errors: list[RowError], progress: Callable[[int], None]
    ) -> list[Any]:
        method = getattr(self, f"check_{self.kind}")
        return method(rows, errors, progress)

    # --- per kind: check rows, return unsaved objects -------------------------------------------------

    def check_buildings(
        self, rows: list[dict[str, Any]], errors: list[RowError], progress: Callable[[int], None]
    ) -> list[Any]:
        nodes = _lookup(
            GridNode, [r["community"] for r in rows] + [r["microgrid"] for r in rows], self.nodes_in_scope()
        )
        existing_codes = set(_lookup(Building, [r["code"] for r in rows], Building.objects.all()))
        community_ids = {n.pk for n in nodes.values() if n.level == Level.COMMUNITY}
        existing_names = set(
            Building.objects.filter(community_id__in=community_ids).values_list("community_id", "name")
        )
        building_codes = CodeCounter(Building, 3)
        seen_names: dict[tuple[int, str], int] = {}
        seen_codes: dict[str, int] = {}
        out = []
        for i, r in enumerate(rows):
            row_no = r["_row"]
            community = nodes.get(r["community"])
            if r["community"] and community is None:
                errors.append(
                    RowError(
                        row_no, "居民区编码", UNKNOWN_CODE.format(v=r["community"], what="residential area")
                    )
                )
                continue
            if community is None:
                continue
            if community.level != Level.COMMUNITY:
                errors.append(
                    RowError(
                        row_no, "居民区编码", WRONG_LEVEL.format(v=r["community"], what="residential area")
                    )
                )
                continue
            microgrid = None
            if r["microgrid"]:
                microgrid = nodes.get(r["microgrid"])
                if microgrid is None or microgrid.level != Level.MICROGRID:
                    errors.append(
                        RowError(
                            row_no, "微网格编码", UNKNOWN_CODE.format(v=r["microgrid"], what="micro-grid")
                        )
                    )
                    continue
                if microgrid.parent_id != community.pk:
                    errors.append(
                        RowError(row_no, "微网格编码", MG_NOT_IN_COMMUNITY.format(v=r["microgrid"]))
                    )
                    continue
            key = (community.pk, r["name"])
            if key in existing_names:
                errors.append(RowError(row_no, "楼栋名称", EXISTS.format(v=r["name"])))
                continue
            if key in seen_names:
                errors.append(RowError(row_no, "楼栋名称", DUP_IN_FILE.format(other=seen_names[key])))
                continue
            seen_names[key] = row_no
            code = r["code"]
            if not code:
                code = building_codes.next(f"{community.code}-B")
            if code in existing_codes:
                errors.append(RowError(row_no, "楼栋编码", EXISTS.format(v=code)))
                continue
            if code in seen_codes:
                errors.append(RowError(row_no, "楼栋编码", DUP_IN_FILE.format(other=seen_codes[code])))
                continue
            seen_codes[code] = row_no
            out.append(
                Building(
                    subdistrict_id=community.subdistrict_id,
                    community=community,
                    microgrid=microgrid,
                    name=r["name"],
                    address=r["address"],
                    code=code,
                )
            )
            if i % 500 == 0:
                progress(i)
        return out

    def check_households(
        self, rows: list[dict[str, Any]], errors: list[RowError], progress: Callable[[int], None]
    ) -> list[Any]:
        buildings = _lookup(Building, [r["building"] for r in rows], self.buildings_in_scope())
        existing_rooms = set(
            Household.objects.filter(building_id__in=[b.pk for b in buildings.values()]).values_list(
                "building_id", "room"
            )
        )
        wanted_codes = [r["code"] or "" for r in rows]
        for r in rows:
            b = buildings.get(r["building"])
            if b is not None and not r["code"] and r["room"]:
                try:
                    r["code"] = f"{b.code}-{room_code(r['room'])}"
                except ValueError:
                    errors.append(RowError(r["_row"], "室号", NO_ROOM_CODE.format(v=r["room"][:20])))
                    r["_no_code"] = True
                    continue
                wanted_codes.append(r["code"])
        existing_codes = set(_lookup(Household, wanted_codes, Household.objects.all()))
        seen_rooms: dict[tuple[int, str], int] = {}
        seen_codes: dict[str, int] = {}
        out = []
        for i, r in enumerate(rows):
            row_no = r["_row"]
            building = buildings.get(r["building"])
            if building is None:
                if r["building"]:
                    errors.append(
                        RowError(row_no, "楼栋编码", UNKNOWN_CODE.format(v=r["building"], what="building"))
                    )
                continue
            if not r["room"] or r.get("_no_code"):
                continue
            key = (building.pk, r["room"])
            if key in existing_rooms:
                errors.append(RowError(row_no, "室号", EXISTS.format(v=f"{building.name} {r['room']}")))
                continue
            if key in seen_rooms:
                errors.append(RowError(row_no, "室号", DUP_IN_FILE.format(other=seen_rooms[key])))
                continue
            seen_rooms[key] = row_no
            if r["code"] in existing_codes:
                errors.append(RowError(row_no, "户编码", EXISTS.format(v=r["code"])))
                continue
            if r["code"] in seen_codes:
                errors.append(RowError(row_no, "户编码", DUP_IN_FILE.format(other=seen_codes[r["code"]])))
                continue
            seen_codes[r["code"]] = row_no
            out.append(
                Household(
                    subdistrict_id=building.subdistrict_id,
                    community_id=building.community_id,
                    building=building,
                    room=r["room"],
                    stairwell=r["stairwell"],
                    size=r["size"] or 1,
                    contact_name=r["contact_name"],
                    contact_phone=r["contact_phone"],
                    code=r["code"],
                    import_job_id=self.job_id,  # the job page lists exactly these rows
                )
            )
            if i % 500 == 0:
                progress(i)
        return out

    def _households_in_scope(self, rows: list[dict[str, Any]]) -> dict[str, Household]:
        return _lookup(Household, [r["household"] for r in rows], Household.objects.in_node(self.root))

    def check_people(
        self, rows: list[dict[str, Any]], errors: list[RowError], progress: Callable[[int], None]
    ) -> list[Any]:
        nodes = _lookup(GridNode, [r["node"] for r in rows], self.nodes_in_scope())
        households = self._households_in_scope(rows)
        out = []
        for i, r in enumerate(rows):
            row_no = r["_row"]
            node = nodes.get(r["node"])
            if r["node"] and node is None:
                errors.append(
                    RowError(row_no, "所属网格编码", UNKNOWN_CODE.format(v=r["node"], what="grid node"))
                )
                continue
            household = households.get(r["household"]) if r["household"] else None
            if r["household"] and household is None:
                errors.append(
                    RowError(row_no, "户编码", UNKNOWN_CODE.format(v=r["household"], what="household"))
                )
                continue
            if node is None:
                continue
            out.append(
                Person(
                    subdistrict_id=node.subdistrict_id,
                    node=node,
                    household=household,
                    name=r["name"],
                    phone=r["phone"],
                    id_number=r["id_number"].upper(),
                )
            )
            if i % 500 == 0:
                progress(i)
        return out

    def check_grid_workers(
        self, rows: list[dict[str, Any]], errors: list[RowError], progress: Callable[[int], None]
    ) -> list[Any]:
        nodes = _lookup(GridNode, [r["microgrid"] for r in rows], self.nodes_in_scope())
        households = self._households_in_scope(rows)
        seen_phones: dict[str, int] = {}
        out = []
        for i, r in enumerate(rows):
            row_no = r["_row"]
            mg = nodes.get(r["microgrid"])
            if r["microgrid"] and (mg is None or mg.level != Level.MICROGRID):
                errors.append(
                    RowError(row_no, "微网格编码", UNKNOWN_CODE.format(v=r["microgrid"], what="micro-grid"))
                )
                continue
            household = households.get(r["household"]) if r["household"] else None
            if r["household"] and household is None:
                errors.append(
                    RowError(row_no, "户编码", UNKNOWN_CODE.format(v=r["household"], what="household"))
                )
                continue
            if r["phone"] in seen_phones:
                errors.append(RowError(row_no, "手机号", DUP_IN_FILE.format(other=seen_phones[r["phone"]])))
                continue
            if r["phone"]:
                seen_phones[r["phone"]] = row_no
            if mg is None:
                continue
            person = Person(
                subdistrict_id=mg.subdistrict_id,
                node=mg,
                household=household,
                name=r["name"],
                phone=r["phone"],
                id_number=r["id_number"].upper(),
            )
            out.append((person, mg))
            if i % 500 == 0:
                progress(i)
        existing = set(
            GridWorker.objects.filter(
                person__phone__in=list(seen_phones), microgrid__path__startswith=self.root.path
            ).values_list("person__phone", flat=True)
        )
        for phone_no in existing:
            errors.append(RowError(seen_phones[phone_no], "手机号", ALREADY_WORKER))
        return out

    # --- writing -----------------------------------------------------------------------------------

    def prepare(self, objs: list[Any]) -> list[tuple[str, Any]]:
        """Every INSERT of the write, rendered before the write transaction: primary keys reserved (so
        workers can point at their people and audit entries at their records), codes numbered, audit
        entries built, SQL and parameters adapted. What remains for the transaction is executing them."""
        if self.kind == ImportKind.GRID_WORKERS:
            people = [p for p, _mg in objs]
            worker_codes = CodeCounter(GridWorker, 2)
            workers = [
                GridWorker(
                    subdistrict_id=mg.subdistrict_id,
                    person=person,
                    microgrid=mg,
                    code=worker_codes.next(f"{mg.code}-W"),
                )
                for person, mg in objs
            ]
            groups: list[list[Any]] = [people, workers]
        else:
            groups = [objs]
        for group in groups:
            for obj, pk in zip(group, reserve_ids(type(group[0]), len(group)) if group else [], strict=True):
                obj.pk = pk
        if self.kind == ImportKind.GRID_WORKERS:
            for worker, person in zip(groups[1], groups[0], strict=True):
                worker.person = person  # again: its id was reserved after the worker was made
        created = [o for group in groups for o in group]
        entries = audit_entries_created(actor=self.actor, objs=created, reason="import")
        return [stmt for group in [*groups, entries] for stmt in insert_statements(group)]


def reserve_ids(model: Any, n: int) -> list[int]:
    """`n` primary keys of `model` that no other writer will be given, without holding a write lock.

    PostgreSQL: from the table's sequence. SQLite: Django's AUTOINCREMENT tables never hand out an id at or
    below `sqlite_sequence.seq`, so moving it on by `n` (one tiny transaction) sets the block aside.
    """
    table, pk = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)", [table, pk, n]
            )
            return [row[0] for row in cursor.fetchall()]
        with transaction.atomic():
            cursor.execute(f'SELECT MAX("{pk}") FROM "{table}"')
            top = cursor.fetchone()[0] or 0
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            row = cursor.fetchone()
            start = max(top, row[0] if row else 0)
            if row:
                cursor.execute("UPDATE sqlite_sequence SET seq = %s WHERE name = %s", [start + n, table])
            else:
                cursor.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, start + n])
    return list(range(start + 1, start + n + 1))


def insert_statements(objs: list[Any], batch: int = 2000) -> list[tuple[str, Any]]:
    """(sql, params) of multi-row INSERTs of `objs` (one model; all with their primary key set, or all
    without it, to be numbered by the database), as bulk_create would send them, but rendered now so that
    executing them later costs only the database's own work."""
    if not objs:
        return []
    model = type(objs[0])
    skip = model._meta.auto_field if objs[0].pk is None else None
    fields = [f for f in model._meta.concrete_fields if not getattr(f, "generated", False) and f is not skip]
    size = max(1, min(batch, connection.ops.bulk_batch_size(fields, objs)))
    out: list[tuple[str, Any]] = []
    for i in range(0, len(objs), size):
        query = InsertQuery(model)
        query.insert_values(fields, objs[i : i + size])
        out.extend(query.get_compiler(connection=connection).as_sql())
    return out


def _execute(statements: list[tuple[str, Any]]) -> None:
    with connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)


def grid_import(
    *,
    kind: str,
    filename: str,
    data: bytes,
    actor: Any,
    root: GridNode,
    progress: Callable[[int, int], None] | None = None,
    job_id: int | None = None,
) -> int:
    """Check the whole file, then write it in one transaction. Raises ImportRejected with every bad row;
    PermissionDenied when `root` is outside the actor's scope (codes are resolved under `root` only).
    `job_id`: the ImportJob the created households keep (Household.import_job)."""
    Scope.of(actor).require(root)
    if kind not in SPECS:
        raise ValueError(f"unknown import kind {kind!r}")
    try:
        header, raw_rows = read_table(filename, data, headings=[c.header for c in SPECS[kind]])
    except TableError as exc:
        raise ImportRejected([RowError(0, "", exc.msg)]) from None
    importer = _Importer(kind=kind, actor=actor, root=root, job_id=job_id)
    errors = importer.header_errors(header)
    if errors:
        raise ImportRejected(errors)
    if not raw_rows:
        raise ImportRejected(
            [RowError(2, "", Msg("文件只有表头，没有数据行。", "The file has a header but no data rows."))]
        )
    if len(raw_rows) > MAX_ROWS:
        raise ImportRejected(
            [RowError(0, "", Msg("一次最多导入 {n} 行。", "At most {n} rows per file.").format(n=MAX_ROWS))]
        )
    total = len(raw_rows)
    report = progress or (lambda done, total: None)
    index = {h: i for i, h in enumerate(header)}
    rows = []
    for n, raw in enumerate(raw_rows):
        parsed = _parse_row(importer.spec, index, raw, n + 2, errors)
        parsed["_row"] = n + 2
        rows.append(parsed)
        if n % 1000 == 0:
            report(n // 2, total)
    objs = importer.check(rows, errors, lambda i: report(total // 2 + i // 2, total))
    if errors:
        errors.sort(key=lambda e: (e.row, e.column))
        raise ImportRejected(errors)
    report(total, total)
    statements = importer.prepare(objs)
    # The write lock (SQLite's is database-wide) is held only while the prepared INSERTs run: phones posting
    # records meanwhile wait seconds, not the length of the whole import.
    with transaction.atomic():
        _execute(statements)
    return len(objs)


# --- background jobs ---------------------------------------------------------------------------------


# A rejected file stays (for whoever helps the person fix it) only while it is small and recent; the row
# messages in `errors` are what the person reads. Imported files are dropped at once.
REJECTED_KEEP = datetime.timedelta(days=7)
REJECTED_KEEP_MAX_BYTES = 2 * 1024 * 1024


def import_jobs_purge(*, now: datetime.datetime | None = None) -> int:
    """Drop the stored file of every import older than REJECTED_KEEP (rejected, or abandoned by a worker
    that died). Returns how many files were dropped."""
    cutoff = (now or timezone.now()) - REJECTED_KEEP
    return ImportJob.objects.filter(created_at__lt=cutoff).exclude(data=b"").update(data=b"")


def _rejected_data(job: ImportJob) -> bytes:
    """What to keep of a rejected file: nothing when it is larger than REJECTED_KEEP_MAX_BYTES."""
    return b"" if len(job.data) > REJECTED_KEEP_MAX_BYTES else bytes(job.data)


def import_job_create(*, kind: str, filename: str, data: bytes, actor: Any, root: GridNode) -> ImportJob:
    Scope.of(actor).require(root)
    import_jobs_purge()  # every new import clears the old files: retention needs no separate scheduler
    job = ImportJob.objects.create(
        public_id=uuid.uuid4(), kind=kind, filename=filename[:200], data=data, created_by=actor, node=root
    )
    jobs.start(import_job_run, give_up=import_job_give_up, job_id=job.pk)
    return job


def import_job_give_up(*, job_id: int) -> None:
    """The worker died on this import again and again (jobs.runner): say so on its row, not "checking"."""
    job = ImportJob.objects.get(pk=job_id)
    message = Msg(
        "导入在后台多次中断，已停止重试。请稍后重新上传；如再次发生，请联系管理员。",
        "The import was interrupted several times in the background and was stopped. Please upload it "
        "again later; if it happens again, contact the administrator.",
    )
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.FAILED, data=_rejected_data(job), errors=[RowError(0, "", message).as_dict()]
    )


def import_job_run(*, job_id: int) -> ImportJob:
    job = ImportJob.objects.select_related("created_by", "node").get(pk=job_id)
    if job.status in (ImportStatus.DONE, ImportStatus.FAILED):
        return job  # handed out again after its worker died once it had finished (jobs.runner): done already
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.CHECKING)

    def progress(done: int, total: int) -> None:
        ImportJob.objects.filter(pk=job.pk).update(processed=done, total=total)

    try:
        created = grid_import(
            kind=job.kind,
            filename=job.filename,
            data=bytes(job.data),
            actor=job.created_by,
            root=job.node,
            progress=progress,
            job_id=job.pk,
        )
    except ImportRejected as exc:
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportStatus.FAILED,
            errors=[e.as_dict() for e in exc.errors[:1000]],
            data=_rejected_data(job),
        )
    except Exception:
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportStatus.FAILED,
            data=_rejected_data(job),
            errors=[
                RowError(
                    0,
                    "",
                    Msg(
                        "导入时发生内部错误，未写入任何数据。",
                        "Internal error during import; nothing was written.",
                    ),
                ).as_dict()
            ],
        )
        raise
    else:
        ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.DONE, created=created, data=b"")
    job.refresh_from_db()
    return job


def template_columns(kind: str) -> list[Column]:
    return SPECS[kind]
