"""Names in the folders of a file brought in with `greenlight ingest`: a folder the artist named is free text.

The path is given on the command line as the artist typed it ("media/Barack Obama/plate.png"); the folders
in it are screened with the file's name. The home directory and the studio's own folders are not the
artist's words for this file, so they are left out.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.cli.conftest import cli  # noqa: F401 (the in-process CLI fixture)

from greenlight.cli.common import chosen_folders


@pytest.fixture
def gate(cli, tmp_path, monkeypatch):  # noqa: F811
    """A studio with keys, NIGHTFALL and Barack Obama protected, run from ``tmp_path/work``."""
    assert cli("keys", "init", "--organisation", "Test Studio").code == 0
    assert cli("production", "add", "NIGHTFALL", "Nightfall").code == 0
    assert cli("protect", "person", "Barack Obama").code == 0
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return cli


def _plate(path: Path) -> Path:
    from skimage import data

    from greenlight.media import save_image

    path.parent.mkdir(parents=True, exist_ok=True)
    return save_image(path, data.coffee())


def _ingest(cli, path) -> tuple[int, dict]:  # noqa: F811
    run = cli("ingest", path, "--tool", "Matte Painter 4", "--production", "NIGHTFALL", "--json")
    return run.code, json.loads(run.out)


def test_a_name_in_a_folder_of_the_ingested_file_blocks(gate, tmp_path):
    _plate(tmp_path / "work" / "media" / "Barack Obama" / "plate.png")
    code, result = _ingest(gate, "media/Barack Obama/plate.png")
    assert code == 4 and result["state"] == "blocked"
    assert "protected.person" in [r["code"] for r in result["reasons"]]


def test_a_name_in_a_folder_given_as_an_absolute_path_blocks(gate, tmp_path):
    plate = _plate(tmp_path / "elsewhere" / "B a r a c k  O b a m a" / "shot_010" / "plate.png")
    code, result = _ingest(gate, plate.resolve())
    assert code == 4 and "protected.person" in [r["code"] for r in result["reasons"]]


def test_ordinary_folders_pass(gate, tmp_path):
    _plate(tmp_path / "work" / "media" / "Nightfall" / "shot_012" / "plate.png")
    code, result = _ingest(gate, "media/Nightfall/shot_012/plate.png")
    assert code == 0 and result["state"] == "in_review", result


def test_the_home_directory_is_not_the_artists_words(gate, tmp_path, monkeypatch):
    home = tmp_path / "Obama"  # an account named after someone; the artist chose only what lies below it
    monkeypatch.setenv("HOME", str(home))
    plate = _plate(home / "shots" / "plate.png")
    code, result = _ingest(gate, plate)
    assert code == 0 and result["state"] == "in_review", result


@pytest.mark.parametrize(
    "path, home, studio, folders",
    [
        ("media/Barack Obama/plate.png", "/home/ana", "/srv/studio", "media/Barack Obama"),
        ("../../Barack Obama/./plate.png", "/home/ana", "/srv/studio", "Barack Obama"),
        ("plate.png", "/home/ana", "/srv/studio", ""),
        ("/home/ana/shots/Obama/plate.png", "/home/ana", "/srv/studio", "shots/Obama"),
        ("/mnt/projects/Obama/plate.png", "/home/ana", "/srv/studio", "mnt/projects/Obama"),
        ("/srv/studio/assets/ab/plate.png", "/home/ana", "/srv/studio", ""),
    ],
)
def test_the_chosen_folders_are_those_the_artist_typed(path, home, studio, folders):
    assert chosen_folders(Path(path), Path(home), Path(studio)) == folders
