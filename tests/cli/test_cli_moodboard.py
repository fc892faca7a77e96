"""`greenlight run moodboard` through the real entry point: exclusions said, a bad library refused in one line."""

from __future__ import annotations

import json

import pytest

from tests.cli.conftest import one_line_error
from tests.engines.test_moodboard import BRIEF, make_library

EXPIRED = "rocket.png (licence from Space Archive expired on 2020-01-01)"


@pytest.fixture
def designer(cli):
    assert cli("production", "add", "BUNKER", "The Bunker").code == 0
    assert cli("keys", "init", "--organisation", "Test Studio").code == 0
    return cli


def test_a_board_goes_to_review_and_says_what_was_left_out(designer, tmp_path):
    library = make_library(tmp_path / "library")
    run = designer("run", "moodboard", BRIEF, "--production", "BUNKER", "--library", library)
    assert run.code == 0, run.out + run.err
    assert "in_review" in run.out and EXPIRED in run.out.replace("\n", " ")
    [job] = json.loads(designer("jobs", "list", "--json").out)
    shown = designer("jobs", "show", job["id"])
    assert EXPIRED in shown.out.replace("\n", " ")
    [board] = [a for a in json.loads(designer("jobs", "show", job["id"], "--json").out)["assets"]]
    verified = designer("verify", designer.home / board["path"])
    assert verified.code == 0 and "VERIFIED" in verified.out, verified.out


def test_a_bad_library_is_one_line_and_changes_nothing(designer, tmp_path, snapshot):
    library = make_library(tmp_path / "library")
    (library / "brick.json").write_text('{"schema": "greenlight.reference.1"')
    before = snapshot()
    one_line_error(designer("run", "moodboard", BRIEF, "--production", "BUNKER", "--library", library),
                   str(library / "brick.json"), "unreadable reference sidecar")
    assert snapshot() == before


def test_a_brief_naming_a_protected_person_exits_blocked(designer, tmp_path):
    assert designer("protect", "person", "Eileen Collins").code == 0
    library = make_library(tmp_path / "library")
    run = designer("run", "moodboard", "E1leen C0llins on the launch pad", "-p", "BUNKER", "--library", library)
    assert run.code == 4 and "blocked" in run.out, run.out
