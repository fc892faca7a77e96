"""Shared fixtures: the sample faces folder (GREENLIGHT_FACES), databases on SQLite and PostgreSQL.

PostgreSQL runs when GREENLIGHT_TEST_POSTGRES_URL is set (``.ci/run`` starts a server and sets it).
"""

import os
from pathlib import Path

import pytest

from greenlight.store.scratch import scratch_database

os.environ.setdefault("HF_HUB_OFFLINE", "1")

pytest_plugins = ["tests.engines.previz_kit"]  # the previz fixtures, for the engine and the CLI tests

FACES_SKIP = "set GREENLIGHT_FACES to ../shared/data/faces to run tests on real photos"


@pytest.fixture(scope="session")
def faces() -> Path:
    """The sample faces folder, or skip with a reason when it is not given."""
    folder = os.environ.get("GREENLIGHT_FACES")
    if not folder or not Path(folder, "scenes").is_dir():
        pytest.skip(FACES_SKIP)
    return Path(folder)


@pytest.fixture(scope="session")
def analyzer():
    """One face analyzer for the session: dlib's models load once."""
    from greenlight.likeness.faces import FaceAnalyzer

    return FaceAnalyzer()

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
