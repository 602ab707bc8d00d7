"""The tables a city deployment distributes by sub-district (Citus-style, distribution column
`subdistrict_id`), and a check of SQL text: which of them a query reads without naming that column."""

from __future__ import annotations

import re
from typing import Any

# Large tables, distributed by sub-district. Everything else is small (reference tables in a city
# deployment: rules, the knowledge base, categories, articles, users).
DISTRIBUTED = frozenset(
    {
        "grid_building",
        "grid_household",
        "grid_person",
        "grid_gridworker",
        "supervision_dropoffpoint",
        "supervision_shift",
        "supervision_shiftsignup",
        "supervision_observation",
        "supervision_observationflag",
        "supervision_observationphoto",
        "supervision_puritycheck",
        "supervision_pointday",
        "supervision_householdday",
        "points_pointsaccount",
        "points_ledgerentry",
        "tonnage_tonnagerecord",
        "enforcement_case",
        "audit_auditentry",
        "party_partymember",
        "party_visit",
        "assessment_inspectionscore",
        "activities_activity",
    }
)
_TABLE = re.compile(r'(?:FROM|JOIN)\s+"(\w+)"(?:\s+(?:AS\s+)?"?(\w+)"?)?', re.IGNORECASE)


def unscoped(sql: str) -> list[str]:
    """Distributed tables the statement reads or joins without a condition on their `subdistrict_id`
    (by table name or alias). Writes (INSERT) always carry the column and are not checked."""
    if sql.lstrip().upper().startswith(("INSERT", "SAVEPOINT", "RELEASE", "BEGIN", "COMMIT", "ROLLBACK")):
        return []
    missing = []
    for table, alias in _TABLE.findall(sql):
        if table not in DISTRIBUTED:
            continue
        names = {table} | (
            {alias} if alias and alias.upper() not in {"ON", "WHERE", "INNER", "LEFT"} else set()
        )
        if not any(f'"{n}"."subdistrict_id"' in sql or f'{n}."subdistrict_id"' in sql for n in names):
            missing.append(table)
    return sorted(set(missing))


def in_sd(node: Any, via: str = "") -> dict[str, int]:
    """The filter every query on a distributed table carries: the node's sub-district (the indexes' lead column
    and the distribution key). `via` names a joined table ("point__") whose own column must be named too.
    Empty above the sub-districts (a city node reads across them). Readers of the grid apply it through
    `grid.scope.Scope` (`.sd(via)`, `.in_scope(scope, via=...)`), computed once per request."""
    return {f"{via}subdistrict_id": node.subdistrict_id} if node.subdistrict_id else {}
