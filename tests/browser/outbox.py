"""Helpers for journeys over the phones' outbox (static/lib/outbox.js): what waits in its IndexedDB."""

from __future__ import annotations

from typing import Any

# The recorder's undo window: a record may be sent this long after its tap (static/supervision/recorder.js).
UNDO_MS = 8000

_ITEMS = """async (name) => {
  const store = idbKeyval.createStore(`wastegrid-${name}`, "outbox");
  const entries = await idbKeyval.entries(store);
  return entries.filter(([k]) => String(k).startsWith("item:")).map(([, v]) => v);
}"""


def outbox_items(page: Any, name: str) -> list[dict[str, Any]]:
    """The items stored in the page's outbox `name` ("recorder", "visits"), oldest first."""
    items: list[dict[str, Any]] = page.evaluate(_ITEMS, name)
    return sorted(items, key=lambda i: i["at"])
