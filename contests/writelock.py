"""One answer writer at a time on SQLite, queued by the kernel instead of SQLite's busy sleeps.

SQLite admits one writer. A connection that finds the write lock taken runs SQLite's busy handler: it sleeps
1, 2, 5, 10, 15, 20, 25 … 100 ms and tries again, whatever the holder does meanwhile: an answer holds the lock
for a fraction of a millisecond, yet an unlucky writer slept through many of those. Answer writers therefore
first take an exclusive `flock` on a file beside the database: waiting processes block in the kernel and the
next one runs the moment the previous one commits (4 processes writing answer-sized transactions at once on
the shared 2-core machine: the longest wait 59 and 24 ms queued, 461 and 92 ms with the busy handler alone).
Other writers of the site are unaffected (they still meet SQLite's busy handler).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

try:
    import fcntl
except ImportError:  # not on Linux/macOS: SQLite's busy handler alone, as before
    fcntl = None  # type: ignore[assignment]

from django.db import connection

_thread_lock = threading.Lock()  # flock does not exclude the threads of one process (same open file)
_files: dict[tuple[int, str], IO[bytes]] = {}  # (pid, path): reopened after a fork, or workers would share it


def lock_path() -> str:
    """The lock file of the default database's answer writers."""
    return f"{connection.settings_dict['NAME']}-answers.lock"


def _lock_file(path: str) -> IO[bytes]:
    key = (os.getpid(), path)
    file = _files.get(key)
    if file is None:
        file = _files[key] = open(path, "ab")  # noqa: SIM115  (kept open for the process's life)
    return file


@contextmanager
def sqlite_answer_writer() -> Iterator[None]:
    """Hold the answer writers' lock of the default SQLite database (nothing elsewhere). Only outside a
    transaction: inside one the connection may already hold SQLite's write lock, and waiting for the file
    lock then could wait for a process that waits for us."""
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        yield
        return
    name = str(connection.settings_dict["NAME"])
    with _thread_lock:
        if fcntl is None or name == ":memory:" or "mode=memory" in name:  # no file to sit beside
            yield
            return
        file = _lock_file(lock_path())
        fcntl.flock(file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(file, fcntl.LOCK_UN)
