"""Attacks on mood boards: sidecars pointing outside the library, names hidden from the text screening,
odd licences, faces made hard to see, broken or changed libraries.

Each test is one attack; it passes when the guard holds.
"""

from __future__ import annotations

import json
import struct
import zlib

import numpy as np
import pytest
from skimage import data

from greenlight.domain import JobState
from greenlight.engines.previz.library import read_library, read_reference
from greenlight.errors import InvalidInput
from greenlight.media import save_image
from tests.engines.test_moodboard import STOCK, make_library
from tests.engines.test_moodboard_jobs import board_job, signed_outputs, studio  # noqa: F401 (fixture)


def sidecar(folder, name: str, image: str, caption: str = "a rocket on the launch pad at dawn",
            tags=("rocket",), owner: str = "Stock House Ltd", uses=("previs",), until="2099-12-31"):
    path = folder / f"{name}.json"
    plain = {"schema": "greenlight.reference.1", "image": image, "caption": caption, "tags": list(tags),
             "licence": {"owner": owner, "uses": list(uses), "valid_until": until}}
    path.write_text(json.dumps(plain))
    return path


@pytest.mark.parametrize("image", ["../outside.png", "ABSOLUTE", "sub/../../outside.png"])
def test_a_sidecar_whose_image_escapes_the_library_is_refused(tmp_path, image):
    library = make_library(tmp_path / "library")
    outside = save_image(tmp_path / "outside.png", data.rocket())
    name = str(outside) if image == "ABSOLUTE" else image
    sidecar(library, "escape", name)
    with pytest.raises(InvalidInput, match="escape.json: its image .* is not beside it"):
        read_library(library)


def test_a_symlink_to_an_image_outside_the_library_is_refused(tmp_path):
    library = make_library(tmp_path / "library")
    (tmp_path / "elsewhere").mkdir()
    outside = save_image(tmp_path / "elsewhere" / "portrait.png", data.astronaut())
    (library / "linked.png").symlink_to(outside)
    sidecar(library, "linked", "linked.png")
    with pytest.raises(InvalidInput, match="linked.json: .*outside the library"):
        read_library(library)


def test_a_symlinked_sidecar_to_outside_is_refused(tmp_path):
    library = make_library(tmp_path / "library")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    save_image(elsewhere / "portrait.png", data.astronaut())
    outside = sidecar(elsewhere, "portrait", "portrait.png")
    (library / "portrait.json").symlink_to(outside)
    (library / "portrait.png").symlink_to(elsewhere / "portrait.png")
    with pytest.raises(InvalidInput, match="outside the library"):
        read_library(library)


HIDDEN = {
    "zero-width inside": "Ei\u200bleen Col\u200dlins's coffee on launch morning",
    "cyrillic look-alikes": "\u0415ileen C\u043ellins's coffee on launch morning",
    "fullwidth": "\uff25ileen Collins's coffee on launch morning",
    "soft hyphen": "Eil\u00adeen Collins's coffee on launch morning",
}


@pytest.mark.parametrize("caption", HIDDEN.values(), ids=HIDDEN.keys())
def test_a_caption_with_a_disguised_protected_name_blocks_the_board(studio, tmp_path, caption):  # noqa: F811
    from greenlight.runtime.registry import protect_person

    protect_person(studio, "Eileen Collins", "test")
    library = make_library(tmp_path / "library")
    sidecar(library, "coffee", "coffee.png", caption=caption, tags=("coffee", "cafe", "warm"))
    job = board_job(studio, library)
    assert job.state is JobState.BLOCKED, job.history[-1].note
    assert signed_outputs(studio, job) == [] or job.state is JobState.BLOCKED


@pytest.mark.parametrize("owner", ["Eileen Collins", "Ei\u200bleen Collins Archive"])
def test_an_owner_naming_a_protected_person_is_drawn_so_it_blocks_the_board(studio, tmp_path, owner):  # noqa: F811
    """The owner is printed on the board ("© OWNER") like the caption: it is text the board shows."""
    from greenlight.runtime.registry import protect_person

    protect_person(studio, "Eileen Collins", "test")
    library = make_library(tmp_path / "library")
    sidecar(library, "coffee", "coffee.png", caption="a cup of coffee on a saucer, warm morning light",
            tags=("coffee", "cafe", "warm"), owner=owner)
    job = board_job(studio, library)
    assert job.state is JobState.BLOCKED, job.history[-1].note


@pytest.mark.parametrize("until", ["2020-01-01T00:00:00+14:00", "31/12/2099", "2099-12-31 ", "tomorrow", "2099-13-01",
                                   "+2099-12-31", "2099-12-31Z"])
def test_a_valid_until_in_an_odd_format_is_refused_naming_the_sidecar(tmp_path, until):
    save_image(tmp_path / "r.png", data.rocket())
    with pytest.raises(InvalidInput, match="r.json: the licence's valid_until"):
        read_reference(sidecar(tmp_path, "r", "r.png", until=until))


@pytest.mark.parametrize("until, day", [("20200101", "2020-01-01"), ("2020-W01-1", "2019-12-30")])
def test_a_compact_or_week_date_reads_as_the_day_it_names(tmp_path, until, day):
    """Python reads these ISO forms too; what matters is that the day read is the day written (so it expires)."""
    save_image(tmp_path / "r.png", data.rocket())
    reference = read_reference(sidecar(tmp_path, "r", "r.png", until=until))
    assert reference.licence.valid_until.isoformat() == day


@pytest.mark.parametrize("uses, allowed", [(["Previs"], True), ([" previs "], True), (["PREVIS"], True),
                                           (["pre\u200bvis"], False), (["previs-only"], False),
                                           (["marketing, previs"], False), (["prévis"], False)])
def test_uses_are_read_case_and_space_blind_but_no_looser(tmp_path, uses, allowed):
    from datetime import date

    from greenlight.engines.previz.library import refusal

    save_image(tmp_path / "r.png", data.rocket())
    reference = read_reference(sidecar(tmp_path, "r", "r.png", uses=uses))
    assert (refusal(reference, "previs", date(2026, 1, 1)) is None) is allowed


def protected_collins(home, tmp_path):
    from greenlight.runtime.registry import protect_person

    mirrored = save_image(tmp_path / "collins.png", np.ascontiguousarray(data.astronaut()[:, ::-1]))
    protect_person(home, "Eileen Collins", "test", photos=[mirrored])


def test_a_protected_face_turned_on_its_side_in_a_reference_still_blocks_the_board(studio, tmp_path):  # noqa: F811
    protected_collins(studio, tmp_path)
    library = make_library(tmp_path / "library")
    save_image(library / "coffee.png", np.ascontiguousarray(np.rot90(data.astronaut())))
    job = board_job(studio, library)
    assert job.state is JobState.BLOCKED, job.history[-1].note


def test_a_protected_face_small_in_a_wide_reference_still_blocks_the_board(studio, tmp_path):  # noqa: F811
    protected_collins(studio, tmp_path)
    library = make_library(tmp_path / "library")
    wide = np.full((512, 1024, 3), 200, np.uint8)
    wide[128:384, 384:640] = data.astronaut()[::2, ::2]  # the whole portrait at half size, on a wall
    save_image(library / "coffee.png", wide)
    job = board_job(studio, library)
    assert job.state is JobState.BLOCKED, job.history[-1].note


def test_a_library_with_nothing_relevant_fails_in_one_line_and_makes_nothing(studio, tmp_path):  # noqa: F811
    library = make_library(tmp_path / "library")
    job = board_job(studio, library, "submarine periscope, torpedo bay")
    assert job.state is JobState.FAILED
    note = job.history[-1].note
    assert "no reference in" in note and "\n" not in note
    assert signed_outputs(studio, job) == []


def png_claiming(width: int, height: int) -> bytes:
    """A PNG whose header claims ``width × height`` (and whose pixels would take gigabytes)."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = chunk(b"IDAT", zlib.compress(b"\0" * 64))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + pixels + chunk(b"IEND", b"")


@pytest.mark.parametrize("content", ["garbage", "huge", "truncated"])
def test_a_corrupt_or_huge_reference_fails_the_job_naming_the_file(studio, tmp_path, content):  # noqa: F811
    library = make_library(tmp_path / "library")
    coffee = library / "coffee.png"
    body = {"garbage": b"not a png at all" * 10, "huge": png_claiming(60000, 60000),
            "truncated": coffee.read_bytes()[:2000]}[content]
    coffee.write_bytes(body)
    job = board_job(studio, library)
    assert job.state is JobState.FAILED, job.history[-1].note
    note = job.history[-1].note
    assert "coffee.png" in note and "\n" not in note and "Traceback" not in note


def test_a_face_swapped_into_the_library_after_submission_is_caught(studio, tmp_path):  # noqa: F811
    from greenlight.runtime.executor import LocalExecutor
    from greenlight.runtime.jobs import submit

    protected_collins(studio, tmp_path)
    library = make_library(tmp_path / "library")
    job = submit(studio, "moodboard", {"brief": "a warm cafe, coffee", "library": str(library)}, [], "BUNKER", "d")
    save_image(library / "coffee.png", data.astronaut())  # same name, now a portrait of the protected person
    job = LocalExecutor(studio).run(job.id)
    assert job.state is JobState.BLOCKED, job.history[-1].note


def test_an_unlicensed_image_added_after_submission_fails_the_job(studio, tmp_path):  # noqa: F811
    from greenlight.runtime.executor import LocalExecutor
    from greenlight.runtime.jobs import submit

    library = make_library(tmp_path / "library")
    job = submit(studio, "moodboard", {"brief": "a warm cafe, coffee", "library": str(library)}, [], "BUNKER", "d")
    save_image(library / "stray.png", data.astronaut())
    job = LocalExecutor(studio).run(job.id)
    assert job.state is JobState.FAILED and "stray.png" in job.history[-1].note


def test_a_licence_swapped_to_marketing_after_submission_leaves_the_reference_out(studio, tmp_path):  # noqa: F811
    from greenlight.runtime.executor import LocalExecutor
    from greenlight.runtime.jobs import submit

    library = make_library(tmp_path / "library")
    job = submit(studio, "moodboard", {"brief": "a warm cafe, coffee", "library": str(library)}, [], "BUNKER", "d")
    sidecar(library, "coffee", "coffee.png", caption="a cup of coffee on a saucer", tags=("coffee", "cafe"),
            uses=("marketing",))
    job = LocalExecutor(studio).run(job.id)
    assert job.state is JobState.FAILED and "coffee.png (licence from Stock House Ltd allows marketing" in \
        job.history[-1].note


assert STOCK.uses  # the library's usable licence, for readers of the cases above


def test_a_reference_rewritten_while_the_board_is_made_fails_the_job(studio, tmp_path, monkeypatch):  # noqa: F811
    """A library being synced while the board is made: the picture drawn must be the one the Content
    Credentials name by its hash, or no board."""
    import greenlight.media

    library = make_library(tmp_path / "library")
    real = greenlight.media.load_image

    def load_then_rewrite(path, *args, **kwargs):
        pixels = real(path, *args, **kwargs)
        if path.name == "coffee.png":
            save_image(path, data.chelsea())  # rewritten just after it was read
        return pixels

    monkeypatch.setattr(greenlight.media, "load_image", load_then_rewrite)
    job = board_job(studio, library, "a warm cafe, coffee")
    assert job.state is JobState.FAILED, job.history[-1].note
    assert "coffee.png: the reference changed while the board was being made" in job.history[-1].note
