"""Taking in bin-side records: one record at a time checked, all of a batch written in one statement.

Idempotent by construction: the batch's keys go into `ObservationKey` (sub-district, client_id) with
`ON CONFLICT DO NOTHING RETURNING`, which tells which records are new whatever day they name; only those are
inserted and added to the daily rollups, in the same transaction. A retry (even one whose observed_at moved to
another day), a double submit or two phones syncing the same queue can never count a drop-off twice.

The package, by step:
- `validation`: the record's schema (`ObservationIn`, also the API document's words) and per-record checks;
- `observations`: a batch from the API — checked, codes resolved in the sender's scope, written;
- `writers`: `write_rows` (one transaction, one audit entry per sub-district) over the databases' writers,
  `postgres` (binary COPY, one set-based statement) and `sqlite`;
- `rollups`: adding records to PointDay / HouseholdDay (SQLite); `reconcile`: rollups made equal to records;
- `bulk`: the bulk path (`bulk_write`, `bulk_load` on parallel connections);
- `rows`: `Row`, a record resolved to ids, as every writer takes it.
The outcomes and the rollups' counters are named in `supervision.outcomes`.
"""

from accounts.roles import RECORD_SORTING
from lib.clock import SHANGHAI
from supervision.ingest.bulk import bulk_load, bulk_write
from supervision.ingest.observations import IngestResult, observations_ingest, points_for
from supervision.ingest.reconcile import Reconciled, rollups_reconcile
from supervision.ingest.rollups import rollups_add
from supervision.ingest.rows import COPY_TYPES, ROLLUP_LOCK, Row
from supervision.ingest.validation import (
    CATEGORIES,
    FIELDS,
    MAX_BATCH,
    E,
    ObservationIn,
    RecordError,
)
from supervision.ingest.writers import audit_batch, write_rows
from supervision.outcomes import HOUSEHOLD_COUNTERS, MISTAKES, OUTCOMES, POINT_COUNTERS

__all__ = [
    "CATEGORIES",
    "COPY_TYPES",
    "E",
    "FIELDS",
    "HOUSEHOLD_COUNTERS",
    "MAX_BATCH",
    "MISTAKES",
    "OUTCOMES",
    "POINT_COUNTERS",
    "RECORD_SORTING",
    "ROLLUP_LOCK",
    "SHANGHAI",
    "IngestResult",
    "ObservationIn",
    "Reconciled",
    "RecordError",
    "Row",
    "audit_batch",
    "bulk_load",
    "bulk_write",
    "observations_ingest",
    "points_for",
    "rollups_add",
    "rollups_reconcile",
    "write_rows",
]
