"""A studio that needs no sample folder: scikit-image's astronaut photo (NASA, public domain) as the talent.

The same face the demo uses, so these tests run on a fresh clone. A test module imports ``cast_fixture``
(the fixture ``cast``).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

TALENT = "Dana Reyes"
DESCRIPTION = "De-age by about fifteen years in the launch-day flashback of episode two, for streaming"


def astronaut_files(folder: Path) -> tuple[Path, Path]:
    """The enrolment photo, and a half-second take of the same face mirrored and panned (12 frames at 24 fps)."""
    from skimage import data

    from greenlight.media import save_image, write_video

    folder.mkdir(parents=True, exist_ok=True)
    face = data.astronaut()
    photo = save_image(folder / "astronaut.png", face)
    mirrored = np.ascontiguousarray(face[:, ::-1])
    take = folder / "A001_C003_take_03.mp4"
    # A pan of 4 pixels a frame: the watermark reader averages frames, and needs the picture to move under the mark.
    write_video(take, (mirrored[20 + 4 * i : 404 + 4 * i, 60 + 4 * i : 444 + 4 * i] for i in range(12)), fps=24)
    return photo, take


@pytest.fixture(name="cast")
def cast_fixture(cli, tmp_path):
    """NIGHTFALL and DAYBREAK; Dana Reyes enrolled from the astronaut photo, covered for de-aging in
    NIGHTFALL only at 250.00 USD per approved second; signing keys made."""
    photo, take = astronaut_files(tmp_path / "media")
    cli("production", "add", "NIGHTFALL", "Nightfall, season 1")
    cli("production", "add", "DAYBREAK", "Daybreak (feature)")
    cli("talent", "add", TALENT, "--alias", "the astronaut")
    assert cli("talent", "enrol", TALENT, photo).code == 0
    granted = cli("consent", "grant", TALENT, "--production", "NIGHTFALL", "--use", "digital-alteration",
                  "--description", DESCRIPTION, "--until", "2030-01-01", "--signed-by", TALENT, "--rate", "250.00",
                  "--json")
    assert granted.code == 0, granted.err
    assert cli("keys", "init", "--organisation", "Test Studio").code == 0
    cli.grant_id = json.loads(granted.out)["id"]
    cli.photo, cli.take = photo, take
    return cli


def job_states(cli) -> dict[str, str]:
    return {j["id"]: j["state"] for j in json.loads(cli("jobs", "list", "--json").out)}


def deage(cli, clip: Path, production: str, *more: str) -> tuple[object, str]:
    """`greenlight run deage` on ``clip``; the run and the new job's id."""
    before = set(job_states(cli))
    run = cli("run", "deage", clip, "--talent", TALENT, "--years", "15", "--production", production, *more)
    [job_id] = set(job_states(cli)) - before
    return run, job_id


def grant_stills(cli) -> None:
    """A second grant for de-aging Dana Reyes in NIGHTFALL, paid per approved image: what a still needs."""
    granted = cli("consent", "grant", TALENT, "--production", "NIGHTFALL", "--use", "digital-alteration",
                  "--description", DESCRIPTION, "--until", "2030-01-01", "--signed-by", TALENT, "--rate", "40.00",
                  "--unit", "per-approved-image")
    assert granted.code == 0, granted.err
