"""`greenlight run collapse` through the guards: a street with no people goes to review, signed; bad outlines
are refused in one line and change nothing."""

from __future__ import annotations

import json

import pytest

from tests.cli.conftest import one_line_error
from tests.engines.collapse_helpers import tiny_plate, with_collapse_entry_point

TINY = ("--start-frame", "2", "--duration", "5", "--fps", "2", "--motion-blur", "2", "--pieces", "24")


@pytest.fixture
def street(cli, tmp_path, monkeypatch):
    """Keys, a production, the tiny street plate and its outline as JSON."""
    with_collapse_entry_point(monkeypatch)
    assert cli("keys", "init", "--organisation", "Test Studio").code == 0
    assert cli("production", "add", "NIGHTFALL", "Nightfall").code == 0
    plate, outline = tiny_plate(tmp_path)
    path = tmp_path / "tower_outline.json"
    path.write_text(json.dumps({"outline": outline}))
    return plate, path


def test_a_collapse_on_a_plate_with_nobody_in_it_goes_to_review_signed(cli, street):
    plate, outline = street
    run = cli("run", "collapse", plate, "--outline", outline, "--production", "NIGHTFALL", "--seed", "4", *TINY)
    assert run.code == 0, run.out + run.err
    [job] = json.loads(cli("jobs", "list", "--json").out)
    assert job["engine"] == "collapse" and job["state"] == "in_review"
    shown = json.loads(cli("jobs", "show", job["id"], "--json").out)
    roles = sorted(a["role"] for a in shown["assets"])
    assert roles == ["output"] * 5
    assert [d["verdict"] for d in shown["decisions"]] == ["allow", "allow", "allow"]
    signed = sorted(cli.home / a["path"] for a in shown["assets"])
    verified = cli("verify", signed[0])
    assert verified.code == 0, verified.out
    assert "algorithmicMedia" in verified.out or "c2pa.edited" in verified.out


@pytest.mark.parametrize("points, why", [
    ([[10, 10], [60, 60]], "three or more"),
    ([[40, 10], [120, 80], [120, 10], [40, 80]], "crosses itself"),
    ([[40, 10], [400, 10], [400, 80], [40, 80]], "outside the 160×90 frame"),
    ([[0, 0], [160, 0], [160, 90], [0, 90]], "of the frame"),
])
def test_a_bad_outline_is_one_line_naming_the_file_and_nothing_is_stored(cli, street, snapshot, points, why):
    plate, outline = street
    outline.write_text(json.dumps(points))
    before = snapshot()
    stored = sorted(p for p in (cli.home / "assets").rglob("*") if p.is_file())
    run = cli("run", "collapse", plate, "--outline", outline, "--production", "NIGHTFALL", *TINY)
    one_line_error(run, "tower_outline.json", why)
    assert snapshot() == before
    assert sorted(p for p in (cli.home / "assets").rglob("*") if p.is_file()) == stored


def test_an_outline_that_is_not_json_and_a_plate_that_is_not_media(cli, street, tmp_path):
    plate, outline = street
    outline.write_text("{not json")
    one_line_error(cli("run", "collapse", plate, "--outline", outline, "--production", "NIGHTFALL"),
                   "tower_outline.json", "not a JSON outline")
    outline.write_text("[[40, 10], [120, 10], [120, 80], [40, 80]]")
    fake = tmp_path / "plate.mov"
    fake.write_text("this is a shot list, not a clip\n")
    one_line_error(cli("run", "collapse", fake, "--outline", outline, "--production", "NIGHTFALL"), "plate.mov")


def test_a_plate_with_a_person_in_it_is_scanned_by_the_guards(cli, street, faces, tmp_path):
    """Someone on the pavement, left of the tower: the guards see them in the plate and in every output. Left
    as they were, the shot goes to review; shaken with the camera, their face changed, and the job is blocked."""
    import cv2

    from greenlight.engines.collapse.street import street_plate
    from greenlight.media import load_image, save_image

    rgb, outline = street_plate(480, 270)
    face = load_image(faces / "biden" / "biden.jpg")  # a passer-by nobody enrolled
    face = cv2.resize(face, (110, int(110 * face.shape[0] / face.shape[1])))
    rgb[150:150 + face.shape[0], 20:130] = face[:270 - 150]
    plate = save_image(tmp_path / "street_with_passer_by.png", rgb)
    path = tmp_path / "tower_outline.json"
    path.write_text(json.dumps(outline))
    outcomes = []
    for shake in ("0", "40"):
        run = cli("run", "collapse", plate, "--outline", path, "--production", "NIGHTFALL", "--shake", shake, *TINY)
        job = json.loads(cli("jobs", "list", "--json").out)[-1]
        shown = json.loads(cli("jobs", "show", job["id"], "--json").out)
        outcomes.append((run.code, job["state"], {r["code"] for d in shown["decisions"] for r in d["reasons"]}))
    (code, state, reasons), (shaken_code, shaken_state, shaken_reasons) = outcomes
    assert (code, state) == (0, "in_review") and "face.untouched" in reasons
    assert (shaken_code, shaken_state) == (4, "blocked") and "face.altered" in shaken_reasons
