"""One SQLite connection per call, one transaction per connection, always closed."""

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path

__all__ = ["transaction"]


@contextlib.contextmanager
def transaction(path: Path) -> Iterator[sqlite3.Connection]:
    """Yield a connection to *path* inside one transaction, then close it.

    The transaction is committed, or rolled back on an error; nothing is left open, so it is
    safe between threads and processes.
    """
    connection = sqlite3.connect(path, timeout=30)
    try:
        with connection:
            yield connection
    finally:
        connection.close()
