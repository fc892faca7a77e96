"""Databases for ledger tests: an empty SQLite file, and a fresh PostgreSQL schema when a server is given.

PostgreSQL runs when GREENLIGHT_TEST_POSTGRES_URL is set (``.ci/run`` starts a server and sets it).
"""

import os

import pytest

from greenlight.store.scratch import scratch_database

POSTGRES_ENV = "GREENLIGHT_TEST_POSTGRES_URL"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def blank_database(request, tmp_path):
    """An empty, unmigrated Database on each backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'greenlight.db'}"
    else:
        url = os.environ.get(POSTGRES_ENV)
        if not url:
            pytest.skip(f"{POSTGRES_ENV} is not set (run through .ci/run to test PostgreSQL)")
    with scratch_database(url) as database:
        yield database


@pytest.fixture
def database(blank_database):
    """A Database migrated to the newest revision."""
    blank_database.upgrade()
    return blank_database
