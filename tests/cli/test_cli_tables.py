"""Listings on an 80-column terminal, narrower ones and in a pipe: every id, state, engine and name stays whole.

A cell broken across lines (``deag``/``e``, ``job_3f…``/``9a``) cannot be read or copied into the next
command, so each test looks for every value whole on one line of the output.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.astronaut import TALENT, cast_fixture, deage  # noqa: F401  (the fixture `cast`)

WIDTHS = (80, 60, 40)


@pytest.fixture
def busy(cast):
    """Four jobs in four states: blocked, in review, queued and cancelled; and a protected work."""
    blocked = deage(cast, cast.take, "DAYBREAK")
    assert blocked[0].code == 4, blocked[0].out
    # the take, not the still: the one grant is paid per second, which a still cannot meter
    reviewed = deage(cast, cast.take, "NIGHTFALL")
    assert reviewed[0].code == 0, reviewed[0].out
    _, queued = deage(cast, cast.take, "NIGHTFALL", "--queue")
    _, cancelled = deage(cast, cast.take, "NIGHTFALL", "--queue")
    assert cast("jobs", "cancel", cancelled, "--note", "wrong take").code == 0
    cast("protect", "work", "Star Voyagers", "--character", "Captain Orla Vance", "--owner", "Another Studio")
    return cast


def whole(out: str, *values: str) -> None:
    """Every value appears unbroken within one line of ``out``."""
    lines = out.splitlines()
    for value in values:
        assert any(value in line for line in lines), (value, out)


def narrow(cli, monkeypatch, width: int, *args: str):
    monkeypatch.setenv("COLUMNS", str(width))
    run = cli(*args)
    assert run.code == 0, run.err
    return run.out


def jobs(cli) -> list[dict]:
    return json.loads(cli("jobs", "list", "--json").out)


def test_jobs_list_keeps_every_id_engine_state_and_file_whole(busy, monkeypatch):
    listed = jobs(busy)
    assert {j["state"] for j in listed} == {"blocked", "in_review", "queued", "cancelled"}
    for width in WIDTHS:
        out = narrow(busy, monkeypatch, width, "jobs", "list")
        for job in listed:
            whole(out, job["id"], job["engine"], job["state"], *(i["name"] for i in job["inputs"]))
        assert max(len(line.rstrip()) for line in out.splitlines()) <= width, out
    out = narrow(busy, monkeypatch, 80, "jobs", "list")
    for job in listed:  # at 80 columns still a table: one line per job
        [line] = [line for line in out.splitlines() if job["id"] in line]
        assert job["state"] in line.split() and job["inputs"][0]["name"] in line.split(), line
    assert "not shown at this width: outputs" in out


def test_talent_show_and_every_other_listing_keep_ids_and_names_whole(busy, monkeypatch):
    busy("consent", "grant", TALENT, "--use", "previs", "--description", "Previsualisation of the launch sequence "
         "stunt for episode two, shown only to the crew", "--until", "2029-06-30", "--signed-by", TALENT,
         "--rate", "40", "--unit", "per-approved-image")
    shown = json.loads(busy("talent", "show", TALENT, "--json").out)
    grants = json.loads(busy("consent", "list", "--json").out)
    people = json.loads(busy("talent", "list", "--json").out)
    productions = json.loads(busy("production", "list", "--json").out)
    for width in WIDTHS:
        out = narrow(busy, monkeypatch, width, "talent", "show", TALENT)
        whole(out, TALENT, shown["talent"]["id"], "NIGHTFALL", "every production")
        for grant in shown["grants"]:
            whole(out, grant["id"], grant["use"], grant["state"])
        listing = out.splitlines()[1:]  # the heading line is the name and id, longer than 40 columns here
        assert max(len(line.rstrip()) for line in listing) <= width, out
        out = narrow(busy, monkeypatch, width, "consent", "list")
        for grant in grants:
            whole(out, grant["id"], TALENT, grant["use"], grant["state"])
        whole(narrow(busy, monkeypatch, width, "talent", "list"), TALENT, people[0]["id"], "living")
        out = narrow(busy, monkeypatch, width, "production", "list")
        whole(out, *(p["id"] for p in productions), "Nightfall, season 1", "Daybreak (feature)")
        out = narrow(busy, monkeypatch, width, "protect", "list")
        whole(out, "Star Voyagers", "work", *(["Captain Orla Vance"] if width == 80 else []))


def test_a_pipe_gets_one_whole_line_per_record(busy):
    """A real pipe and no COLUMNS, as `greenlight jobs list | grep blocked` runs: no width to fold to."""
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    env["PYTHONPATH"] = os.pathsep.join([str(Path(__file__).parents[2] / "src"), env.get("PYTHONPATH", "")])
    for args in (["jobs", "list"], ["talent", "show", TALENT]):
        piped = subprocess.run([sys.executable, "-m", "greenlight", *args], env=env, capture_output=True,
                               text=True, timeout=120, check=True)
        lines = piped.stdout.splitlines()
        if args[0] == "jobs":
            for job in jobs(busy):
                [line] = [line for line in lines if job["id"] in line]
                for value in (job["engine"], job["state"], job["inputs"][0]["name"], job["requested_by"]):
                    assert value in line.split(), (value, line)
        else:
            [grant] = json.loads(busy("consent", "list", "--json").out)
            [line] = [line for line in lines if grant["id"] in line]
            assert line.split()[1:5] == ["digital-alteration", "NIGHTFALL", "active", grant["valid_from"][:10]]
            assert "250.00 USD/s" in line
