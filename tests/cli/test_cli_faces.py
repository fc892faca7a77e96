"""Enrol and scan through the CLI on the sample photos; every bad input is one line and changes nothing."""

from __future__ import annotations

import json
import struct
import zlib
from pathlib import Path

from tests.cli.conftest import LEAD, LEAD_PHOTO, one_line_error
from tests.runtime.conftest import cut


def scan(cli, path: Path, *context: str):
    run = cli("scan", path, *context, "--json")
    return run.code, json.loads(run.out) if run.out.strip() else None


def test_scan_exit_status_follows_the_decision(studio, cast_clip, tmp_path):
    clip = cast_clip.path
    code, result = scan(studio, clip, "--production", "NIGHTFALL", "--use", "digital-alteration")
    codes = [r["code"] for r in result["decision"]["reasons"]]
    assert code == 3 and codes == ["consent.covered", "face.unknown"]  # Obama and Biden are not enrolled here
    alone = cast_clip.lead_alone
    stage = cut(clip, tmp_path / "stage.mp4", start=alone.start, frames=len(alone))  # Eileen Collins alone
    code, result = scan(studio, stage, "--production", "NIGHTFALL", "--use", "digital-alteration")
    assert code == 0 and {t["identity"]["name"] for t in result["tracks"]} == {LEAD}
    assert scan(studio, stage, "--production", "DAYBREAK", "--use", "digital-alteration")[0] == 4
    assert scan(studio, stage, "--production", "NIGHTFALL", "--use", "previs")[0] == 4
    assert studio("consent", "suspend", studio.grant_id, "--reason", "strike").code == 0
    assert scan(studio, stage, "--production", "NIGHTFALL", "--use", "digital-alteration")[0] == 4
    studio("consent", "resume", studio.grant_id)
    assert scan(studio, stage, "--production", "NIGHTFALL", "--use", "digital-alteration")[0] == 0
    assert scan(studio, stage)[0] == 3  # no production given: consent cannot be checked


def test_scan_json_is_the_documented_shape(studio, faces):
    studio("protect", "person", "Barack Obama", faces / "obama" / "obama.jpg")
    code, result = scan(studio, faces / "obama" / "obama2.jpg", "--production", "NIGHTFALL", "--use", "previs")
    assert code == 4
    assert set(result) == {"schema", "file", "sha256", "media", "width", "height", "frames", "fps", "faces", "tracks",
                           "decision"}
    assert result["schema"] == "greenlight.scan.1" and result["media"] == "image" and result["tracks"] == []
    [face] = result["faces"]
    assert face["identity"]["kind"] == "protected" and face["identity"]["name"] == "Barack Obama"
    assert len(face["box"]) == 4 and face["identity"]["distance"] < 0.6
    assert [r["code"] for r in result["decision"]["reasons"]] == ["protected.person"]


def _png_claiming(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = chunk(b"IDAT", zlib.compress(b"\0" * 64))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + pixels + chunk(b"IEND", b"")


def bad_inputs(faces: Path, clip: Path, folder: Path) -> dict[str, Path]:
    jpeg = (faces / "obama" / "obama.jpg").read_bytes()
    clip = clip.read_bytes()
    files = {
        "empty.jpg": b"",
        "truncated.jpg": jpeg[: len(jpeg) // 2],
        "truncated.mp4": clip[: len(clip) // 3],
        "notes.jpg": b"call sheet: day 12, stage 4, 6am\n" * 20,
        "huge.png": _png_claiming(20000, 20000),
    }
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return {name: folder / name for name in files}


def test_bad_inputs_give_one_line_and_change_nothing(studio, faces, cast_clip, two_shot, tmp_path, snapshot):
    before = snapshot()
    for name, path in bad_inputs(faces, cast_clip.path, tmp_path).items():
        one_line_error(studio("talent", "enrol", LEAD, path), name)
        one_line_error(studio("scan", path, "--production", "NIGHTFALL", "--use", "previs"), name)
    one_line_error(studio("talent", "enrol", LEAD, tmp_path / "missing.jpg"), "missing.jpg")
    one_line_error(studio("talent", "enrol", LEAD, faces / LEAD_PHOTO), "already enrolled")
    one_line_error(studio("talent", "enrol", LEAD, two_shot), "faces")
    one_line_error(studio("ledger", "export", tmp_path / "outside.jsonl"), "outside the studio")
    assert snapshot() == before


def test_one_bad_photo_enrols_none(studio, faces, two_shot, snapshot):
    studio("talent", "add", "Barack Obama")
    before = snapshot()
    run = studio("talent", "enrol", "Barack Obama", faces / "obama" / "obama.jpg", two_shot)
    one_line_error(run, two_shot.name)
    assert snapshot() == before


def test_a_face_is_enrolled_under_one_name_only(studio, faces, snapshot):
    studio("protect", "person", "Barack Obama", faces / "obama" / "obama.jpg")
    studio("talent", "add", "Joe Biden")
    before = snapshot()
    # Not Eileen Collins: refused, whoever it is.
    one_line_error(studio("talent", "enrol", LEAD, faces / "biden" / "biden.jpg"),
                   "biden.jpg", f"does not look like the other photos of {LEAD}")
    # A protected person's face can never become a talent's likeness (and pass on their consent).
    one_line_error(studio("talent", "enrol", "Joe Biden", faces / "obama" / "obama2.jpg"),
                   "obama2.jpg", "matches Barack Obama")
    # Two photos of two people for one new talent: refused together.
    one_line_error(studio("talent", "enrol", "Joe Biden", faces / "biden" / "biden.jpg", faces / LEAD_PHOTO),
                   "does not look like")
    assert snapshot() == before
    assert studio("talent", "enrol", "Joe Biden", *sorted((faces / "biden").glob("biden*.jpg"))).code == 0
