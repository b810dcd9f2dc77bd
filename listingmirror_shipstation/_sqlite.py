"""One SQLite connection per call, one transaction per connection, always closed."""

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Final

__all__ = ["FILE_MODE", "create_private", "transaction"]

#: Mode of every database file we create: the owner's alone (it holds order and shipment data).
FILE_MODE: Final = 0o600


def create_private(path: Path | str) -> None:
    """Create *path* empty with mode 0600 unless it exists (whatever the umask says).

    SQLite gives its journal and WAL files the mode of the database file, so they follow. An
    in-memory database (``:memory:``) has no file.
    """
    if str(path) == ":memory:":
        return
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))


@contextlib.contextmanager
def transaction(path: Path) -> Iterator[sqlite3.Connection]:
    """Yield a connection to *path* inside one transaction, then close it.

    The transaction is committed, or rolled back on an error; nothing is left open, so it is
    safe between threads and processes. A new file is created 0600 (owner only).
    """
    create_private(path)
    connection = sqlite3.connect(path, timeout=30)
    try:
        with connection:
            yield connection
    finally:
        connection.close()
