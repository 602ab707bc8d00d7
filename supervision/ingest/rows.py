"""A bin-side record resolved to ids (`Row`), the shape every writer takes, and what the writers share."""

from __future__ import annotations

import datetime
import uuid
from typing import NamedTuple

# The staging table's column types for PostgreSQL's binary COPY, in `Row` order.
COPY_TYPES = ["uuid", "int8", "int8", "int8", "int8", "timestamptz", "date", "varchar", "varchar", "varchar"]
# Advisory-lock namespace ("WGR1"): ingest holds it shared per sub-district, a rollup reconcile exclusively.
ROLLUP_LOCK = 0x57475231


class Row(NamedTuple):
    """One record resolved to ids, its fields in the order the staging table's COPY takes them."""

    client_id: uuid.UUID
    subdistrict_id: int
    community_id: int
    point_id: int
    household_id: int | None
    observed_at: datetime.datetime
    day: datetime.date
    category: str
    outcome: str
    mixed_with: str
