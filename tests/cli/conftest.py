"""Run the real `greenlight` entry point in-process and look at exit status, stdout, stderr and the store."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from greenlight.cli.app import main


@dataclass
class Run:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys, monkeypatch, tmp_path):
    """``cli("talent", "add", "X")`` runs `greenlight talent add X` against a fresh studio."""
    home = tmp_path / "studio"
    monkeypatch.setenv("GREENLIGHT_HOME", str(home))
    monkeypatch.setenv("GREENLIGHT_USER", "test-operator")
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.delenv("GREENLIGHT_DATABASE_URL", raising=False)

    def run(*args: str | Path) -> Run:
        monkeypatch.setattr(sys, "argv", ["greenlight", *map(str, args)])
        with pytest.raises(SystemExit) as exited:
            main()
        captured = capsys.readouterr()
        return Run(exited.value.code or 0, captured.out, captured.err)

    assert run("init", home).code == 0
    run.home = home
    return run


@pytest.fixture
def snapshot(cli):
    """The studio's whole state (every table's rows), to prove a failed command changed nothing."""
    from sqlalchemy import select

    from greenlight.runtime.studio import Studio
    from greenlight.store.tables import metadata

    def take() -> dict[str, list]:
        studio = Studio.open(Path(cli.home))
        with studio.database.session() as session:
            return {t.name: [tuple(r) for r in session.execute(select(t))] for t in metadata.sorted_tables}

    return take


def one_line_error(run: Run, *needles: str) -> None:
    """The command failed with exit 2 and exactly one line on stderr containing every needle."""
    assert run.code == 2, (run.code, run.out, run.err)
    lines = run.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), run.err
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])


DESCRIPTION = "De-age by about ten years in the rehearsal flashback of episode two, for streaming"


LEAD = "Eileen Collins"  # the astronaut, whom the sample cache always has
LEAD_PHOTO = "eileen_collins/eileen_collins1.png"


@pytest.fixture
def studio(cli, faces):
    """NIGHTFALL, with Eileen Collins enrolled from one photo and covered for de-aging."""
    cli("production", "add", "NIGHTFALL", "Nightfall")
    cli("production", "add", "DAYBREAK", "Daybreak")
    cli("talent", "add", LEAD)
    assert cli("talent", "enrol", LEAD, faces / LEAD_PHOTO).code == 0
    granted = cli("consent", "grant", LEAD, "--production", "NIGHTFALL", "--use", "digital-alteration",
                  "--description", DESCRIPTION, "--until", "2030-01-01", "--signed-by", LEAD,
                  "--rate", "300", "--json")
    cli.grant_id = json.loads(granted.out)["id"]
    return cli
