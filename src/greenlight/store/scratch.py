"""Throwaway databases for tests and demos: a SQLite file, or a fresh PostgreSQL schema.

Each PostgreSQL scratch database is its own schema on the server named by the URL, reached through
``search_path``, and dropped afterwards; creating a schema is much faster than creating a database.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, make_url, text

from greenlight.store.db import Database


@contextmanager
def scratch_database(url: str) -> Iterator[Database]:
    """An empty, unmigrated ``Database``, removed (PostgreSQL) or released (SQLite) afterwards.

    Args:
        url: ``sqlite:///FILE`` (used as is; the caller owns the file) or a PostgreSQL server URL.

    Yields:
        the Database; call ``upgrade()`` for a migrated one.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        database = Database(url)
        try:
            yield database
        finally:
            database.dispose()
        return
    schema = f"scratch_{uuid.uuid4().hex[:12]}"
    admin = create_engine(parsed, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        database = Database(parsed.update_query_dict({"options": f"-csearch_path={schema}"}))
        try:
            yield database
        finally:
            database.dispose()
            with admin.connect() as connection:
                connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    finally:
        admin.dispose()
