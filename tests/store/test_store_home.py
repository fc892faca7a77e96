"""The studio folder: finding it, creating it, opening it, and keeping studio files inside it."""

import pytest

from greenlight.errors import OutsideStudio, StudioError
from greenlight.store import Database, Registry, check_inside, database_url, init_studio, open_studio, resolve_home
from greenlight.store.home import DATABASE_ENV, HOME_ENV


@pytest.fixture(autouse=True)
def no_studio_environment(monkeypatch):
    monkeypatch.delenv(HOME_ENV, raising=False)
    monkeypatch.delenv(DATABASE_ENV, raising=False)


def test_the_home_is_explicit_else_from_the_environment(tmp_path, monkeypatch):
    assert resolve_home(tmp_path / "a" / ".." / "b") == tmp_path / "b"
    with pytest.raises(StudioError) as caught:
        resolve_home(None)
    assert "greenlight init DIR" in caught.value.hint and HOME_ENV in caught.value.hint
    monkeypatch.setenv(HOME_ENV, str(tmp_path / "env"))
    assert resolve_home(None) == tmp_path / "env"
    assert resolve_home(tmp_path / "given") == tmp_path / "given"


def test_the_database_is_a_file_in_the_studio_unless_a_url_is_set(tmp_path, monkeypatch):
    assert database_url(tmp_path) == f"sqlite:///{tmp_path}/greenlight.db"
    monkeypatch.setenv(DATABASE_ENV, "postgresql+psycopg://studio@db.example/greenlight")
    assert database_url(tmp_path) == "postgresql+psycopg://studio@db.example/greenlight"


def test_init_creates_a_studio_that_opens(tmp_path):
    home = init_studio(tmp_path / "studio")
    assert (home / "assets").is_dir()
    marker = (home / "studio.toml").read_text()
    assert "[studio]" in marker
    database = open_studio(home)
    try:
        database.check()
        with database.session() as session:
            assert Registry(session).references() == []
    finally:
        database.dispose()
    assert init_studio(home) == home  # again: nothing lost, nothing rewritten
    assert (home / "studio.toml").read_text() == marker


def test_init_refuses_a_file(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("x")
    with pytest.raises(StudioError, match="is a file"):
        init_studio(path)


def test_open_refuses_a_folder_that_is_not_a_studio(tmp_path):
    with pytest.raises(StudioError, match="not a Greenlight studio") as caught:
        open_studio(tmp_path)
    assert "greenlight init" in caught.value.hint


def test_open_refuses_an_unmigrated_database(tmp_path):
    (tmp_path / "studio.toml").write_text("[studio]\n")
    Database(database_url(tmp_path)).dispose()
    with pytest.raises(StudioError, match="not initialised") as caught:
        open_studio(tmp_path)
    assert "greenlight init" in caught.value.hint


def test_paths_inside_the_studio_are_accepted(tmp_path):
    home = tmp_path / "studio"
    (home / "exports").mkdir(parents=True)
    assert check_inside(home, "exports/ledger.jsonl") == home / "exports" / "ledger.jsonl"
    assert check_inside(home, home / "exports" / "x" / ".." / "y") == home / "exports" / "y"


@pytest.mark.parametrize("escape", ["../outside.jsonl", "exports/../../outside", "/etc/passwd", "../studio2/x"])
def test_paths_that_climb_out_are_refused(tmp_path, escape):
    home = tmp_path / "studio"
    (home / "exports").mkdir(parents=True)
    with pytest.raises(OutsideStudio, match="outside the studio"):
        check_inside(home, escape)


def test_a_symlink_that_leads_out_is_refused(tmp_path):
    home, outside = tmp_path / "studio", tmp_path / "elsewhere"
    home.mkdir()
    outside.mkdir()
    (home / "exports").symlink_to(outside, target_is_directory=True)
    (home / "ledger.jsonl").symlink_to(outside / "ledger.jsonl")
    for path in ("exports/ledger.jsonl", "ledger.jsonl"):
        with pytest.raises(OutsideStudio):
            check_inside(home, path)
