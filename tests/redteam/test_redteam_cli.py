"""Attacks on today's CLI exit codes and listings: `jobs run` with jobs that stop in every way, `consent
grant` with nothing given, tables on a 40-column terminal with very long names.

Each test is one attack; it passes when the CLI holds.
"""

from __future__ import annotations

import json

import pytest

from tests.cli.conftest import one_line_error
from tests.engines.test_moodboard import make_library

GOOD = "a warm cafe, coffee on a saucer"


@pytest.fixture
def designer(cli):
    assert cli("production", "add", "BUNKER", "The Bunker").code == 0
    assert cli("keys", "init", "--organisation", "Test Studio").code == 0
    assert cli("protect", "person", "Barack Obama").code == 0
    assert cli("protect", "work", "Star Voyagers", "--character", "Captain Orla Vance").code == 0
    return cli


def queue(cli, library, brief: str) -> str:
    run = cli("run", "moodboard", brief, "--production", "BUNKER", "--library", library, "--queue")
    assert run.code == 0, run.err
    return run.out.split()[1].rstrip(":")


@pytest.mark.parametrize("kinds, code", [(("good", "failed", "escalated", "blocked"), 4),
                                         (("failed", "escalated", "good"), 3),
                                         (("good", "failed"), 2),
                                         (("good",), 0)])
def test_jobs_run_exits_with_the_worst_stop_and_names_every_stopped_job(designer, tmp_path, kinds, code):
    library = make_library(tmp_path / "library")
    broken = make_library(tmp_path / "broken")
    briefs = {"good": (library, GOOD), "blocked": (library, "Barack Obama drinking coffee in a cafe"),
              "escalated": (library, "Captain Orla Vance's coffee cup in a cafe"), "failed": (broken, GOOD)}
    ids = {kind: queue(designer, *briefs[kind]) for kind in kinds}
    if "failed" in ids:
        (broken / "coffee.json").write_text("{")
    run = designer("jobs", "run")
    assert run.code == code, (run.out, run.err)
    listed = {j["id"]: j["state"] for j in json.loads(designer("jobs", "list", "--json").out)}
    assert listed == {ids[k]: {"good": "in_review"}.get(k, k) for k in kinds}
    stopped = [f"{ids[k]} {k}" for k in kinds if k != "good"]
    if stopped:
        [last] = [line for line in run.err.splitlines() if line.startswith("not in review")]
        assert all(s in last for s in stopped), run.err
    else:
        assert "not in review" not in run.err


def test_jobs_run_a_second_time_has_nothing_to_do_and_exits_0(designer, tmp_path):
    library = make_library(tmp_path / "library")
    queue(designer, library, "Barack Obama drinking coffee in a cafe")
    assert designer("jobs", "run").code == 4
    again = designer("jobs", "run")
    assert again.code == 0 and "no queued jobs" in again.out


def test_consent_grant_with_every_option_missing_names_them_all_in_one_line(cli, snapshot):
    assert cli("talent", "add", "Dana Reyes").code == 0
    before = snapshot()
    one_line_error(cli("consent", "grant", "Dana Reyes"), "--use", "--description", "--until", "--signed-by",
                   "--rate", "nothing was recorded")
    assert snapshot() == before


def test_consent_grant_with_every_option_missing_for_an_unknown_talent_is_one_line(cli, snapshot):
    before = snapshot()
    run = cli("consent", "grant", "Nobody At All")
    assert run.code == 2 and len(run.err.strip().splitlines()) == 1, run.err
    assert snapshot() == before


def test_consent_grant_with_every_option_wrong_names_each(cli, snapshot):
    assert cli("talent", "add", "Dana Reyes").code == 0
    before = snapshot()
    run = cli("consent", "grant", "Dana Reyes", "--use", "cinema", "--description", "x", "--until", "31/12/2029",
              "--signed-by", " ", "--rate", "lots", "--unit", "per-kilo", "--from", "yesterday")
    one_line_error(run, "--use", "--until", "--rate", "--unit", "--from")
    assert snapshot() == before


LONG = "Maximiliana Theodora Wolfeschlegelsteinhausenbergerdorff-Vanderbilt de la Cruz y Montenegro"


def test_listings_at_40_columns_keep_ids_whole_beside_very_long_names(cli, monkeypatch):
    assert cli("production", "add", "EPISODEONEHUNDREDANDTWELVE", LONG + " and the Endless Night").code == 0
    assert cli("talent", "add", LONG).code == 0
    assert cli("protect", "person", LONG + " Senior").code == 0
    assert cli("consent", "grant", LONG, "--use", "previs", "--description", "Previsualisation of the launch sequence "
               "stunt for episode two, shown only to the crew", "--until", "2029-06-30", "--signed-by", LONG,
               "--rate", "40", "--unit", "per-approved-image").code == 0
    talent = json.loads(cli("talent", "list", "--json").out)
    grants = json.loads(cli("consent", "list", "--json").out)
    monkeypatch.setenv("COLUMNS", "40")
    for args, ids in [(("talent", "list"), [t["id"] for t in talent]),
                      (("consent", "list"), [g["id"] for g in grants]),
                      (("talent", "show", LONG), [talent[0]["id"], *(g["id"] for g in grants)]),
                      (("production", "list"), ["EPISODEONEHUNDREDANDTWELVE"]),
                      (("protect", "list"), [])]:
        run = cli(*args)
        assert run.code == 0, (args, run.err)
        lines = run.out.splitlines()
        for value in ids:
            assert any(value in line for line in lines), (args, value, run.out)
        # A name is kept whole, as an id is (a name cut in two cannot be copied into the next command): only a
        # line holding a name longer than the terminal may run past it.
        assert all(len(line.rstrip()) <= 40 or LONG in line for line in lines), (args, run.out)
