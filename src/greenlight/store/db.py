"""The studio database: one engine, one transaction per session, migrations run in code.

SQLite is the embedded default and PostgreSQL the shared one; both behave the same to callers.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import URL, create_engine, event, inspect, make_url, text
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlalchemy.orm import Session

from greenlight.errors import StudioError

MIGRATIONS = Path(__file__).with_name("migrations")
HEAD_REVISION = "0005"
"""The newest migration in ``migrations/versions`` (a test checks it against alembic's own head): opening a
studio compares its database with it without importing alembic, a quarter of a second of every command."""


class Database:
    """A studio database at ``url`` (any SQLAlchemy URL; ``sqlite:///...`` or ``postgresql+psycopg://...``)."""

    def __init__(self, url: str | URL) -> None:
        self.url = make_url(url)
        sqlite = self.url.get_backend_name() == "sqlite"
        # SQLite writers wait up to 30 s for the file lock instead of failing at once.
        # A server connection may have been dropped while pooled: test it before use.
        options = {"connect_args": {"timeout": 30}} if sqlite else {"pool_pre_ping": True}
        self.engine = create_engine(self.url, **options)
        if sqlite:
            _configure_sqlite(self.engine)

    def __repr__(self) -> str:
        return f"Database({self.url.render_as_string(hide_password=True)!r})"

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back entirely on any exception.

        Yields:
            a Session for ``Registry`` and ``Ledger``; they share its transaction.
        """
        with self._intact(), Session(self.engine) as session, session.begin():
            yield session

    def upgrade(self) -> None:
        """Run the migrations up to the newest one (a no-op when already there).

        Raises:
            StudioError: the database cannot be reached.
        """
        from alembic import command

        with self._reachable(), self.engine.begin() as connection:
            command.upgrade(_alembic_config(connection), "head")

    def revision(self) -> str | None:
        """The migration the database is at, or None for an empty (never migrated) database."""
        with self._reachable(), self.engine.connect() as connection:
            if not inspect(connection).has_table("alembic_version"):
                return None
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()

    def check(self) -> None:
        """Make sure the database is migrated to the newest revision this Greenlight knows.

        Raises:
            StudioError: the database is not migrated, is older, or was written by a newer Greenlight.
        """
        current = self.revision()
        if current == HEAD_REVISION:
            return
        from alembic.script import ScriptDirectory

        script = ScriptDirectory.from_config(_alembic_config(None))
        head = script.get_current_head()
        if current == head:
            return
        where = self.url.render_as_string(hide_password=True)
        if current is not None and current not in {r.revision for r in script.walk_revisions()}:
            raise StudioError(
                f"the studio database {where} is at revision {current}, newer than this Greenlight knows",
                "upgrade Greenlight before opening this studio",
            )
        found = "not initialised" if current is None else f"at revision {current}, not {head}"
        raise StudioError(
            f"the studio database {where} is {found}",
            "run `greenlight init DIR` on the studio folder to create or upgrade it",
        )

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()

    @contextmanager
    def _reachable(self) -> Iterator[None]:
        try:
            with self._intact():
                yield
        except OperationalError as exc:
            raise StudioError(
                f"cannot open the database {self.url.render_as_string(hide_password=True)}: {exc.orig}",
                "check GREENLIGHT_DATABASE_URL or the studio folder",
            ) from exc

    @contextmanager
    def _intact(self) -> Iterator[None]:
        """A database file that is damaged (cut short, overwritten) is named in one line, not a traceback."""
        try:
            yield
        except DatabaseError as exc:
            if type(exc) is not DatabaseError:  # a constraint, a lock, a lost connection: not damage
                raise
            where = self.url.database if self.url.get_backend_name() == "sqlite" else \
                self.url.render_as_string(hide_password=True)
            raise StudioError(f"the studio database {where} is damaged ({exc.orig})",
                              "restore it from a backup, then run `greenlight ledger verify`") from None


def _alembic_config(connection: Any) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def _configure_sqlite(engine: Any) -> None:
    """Foreign keys on, and every transaction takes the write lock when it begins.

    ``BEGIN IMMEDIATE`` means two sessions never both read the ledger head and then race to write
    it; the second waits. The sqlite3 module's own BEGIN handling is switched off so ours is used.
    """

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        dbapi_connection.execute("PRAGMA foreign_keys = ON")

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
