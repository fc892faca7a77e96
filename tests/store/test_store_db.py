"""The database: migrations on both backends, one transaction per session, enforced constraints."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, insert, inspect, select, text
from sqlalchemy.exc import IntegrityError

from greenlight.domain import Production, Talent
from greenlight.errors import StudioError
from greenlight.store import Database, Registry, tables


def test_upgrade_creates_every_table_at_head(blank_database):
    assert blank_database.revision() is None
    blank_database.upgrade()
    assert blank_database.revision() is not None
    blank_database.check()
    with blank_database.engine.connect() as connection:
        names = set(inspect(connection).get_table_names())
        # The migration and tables.py describe the same schema: no drift either way.
        drift = compare_metadata(MigrationContext.configure(connection), tables.metadata)
    assert names == set(tables.metadata.tables) | {"alembic_version"}
    assert drift == []


def test_the_head_a_studio_is_checked_against_is_the_newest_migration(blank_database):
    from alembic.script import ScriptDirectory

    from greenlight.store.db import HEAD_REVISION, _alembic_config

    assert ScriptDirectory.from_config(_alembic_config(None)).get_current_head() == HEAD_REVISION
    blank_database.upgrade()
    with blank_database.engine.connect() as connection:
        alembic_says = MigrationContext.configure(connection).get_current_revision()
    assert blank_database.revision() == alembic_says == HEAD_REVISION


def test_upgrade_twice_changes_nothing(database):
    with database.session() as session:
        Registry(session).add(Production(code="NS", title="Night Shift"))
    database.upgrade()
    with database.session() as session:
        assert [p.code for p in Registry(session).list(Production)] == ["NS"]


def test_an_unmigrated_database_is_refused_with_a_hint(blank_database):
    with pytest.raises(StudioError) as caught:
        blank_database.check()
    assert "not initialised" in caught.value.problem
    assert "greenlight init" in caught.value.hint


def test_a_failed_session_leaves_nothing_behind(database):
    with pytest.raises(RuntimeError), database.session() as session:
        registry = Registry(session)
        registry.add(Production(code="NS", title="Night Shift"))
        registry.add(Talent(name="Jane Doe"))
        raise RuntimeError("the job died half way")
    with database.session() as session:
        counts = [session.scalar(select(func.count()).select_from(t)) for t in (tables.productions, tables.talent)]
    assert counts == [0, 0]


def test_a_session_commits_when_it_ends(database):
    with database.session() as session:
        talent = Registry(session).add(Talent(name="Jane Doe"))
    with database.session() as session:
        assert Registry(session).talent(talent.id) == talent


def test_foreign_keys_are_enforced_by_the_database(database):
    row = {"id": "grant_1", "talent_id": "tal_missing", "production_id": None, "state": "active", "record": "{}"}
    with pytest.raises(IntegrityError), database.session() as session:
        session.execute(insert(tables.consent_grants).values(**row))


def test_an_unreachable_database_is_a_studio_error():
    database = Database("postgresql+psycopg://nobody@127.0.0.1:1/nothing?connect_timeout=2")
    with pytest.raises(StudioError, match="cannot open the database"):
        database.revision()


def test_a_database_from_a_newer_greenlight_is_refused(database):
    with database.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(StudioError, match="newer than this Greenlight knows") as caught:
        database.check()
    assert "upgrade Greenlight" in caught.value.hint
