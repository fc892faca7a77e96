"""The mood-board engine on a small library the tests make from scikit-image's photos.

What must hold: the references that match the brief are found (stemmed, case-folded BM25); a reference
whose licence has run out or does not allow previs is left out and reported with why; a bad library
entry is refused in one line naming its file; the board shows the brief, the references and their
palette, the same seed gives the same board, and every reference on it is declared as a component.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from skimage import data

from greenlight.engines.base import EngineRequest
from greenlight.engines.previz.library import Licence, add_reference, read_library, refusal
from greenlight.engines.previz.moodboard import MoodboardEngine, select
from greenlight.engines.previz.moodboard_layout import palette
from greenlight.engines.previz.moodboard_rank import rank, stem, terms
from greenlight.errors import InvalidInput
from greenlight.media import file_sha256, load_image, save_image

STOCK = Licence("Stock House Ltd", ("previs", "marketing"), date(2099, 12, 31))
EXPIRED = Licence("Space Archive", ("previs",), date(2020, 1, 1))
MARKETING_ONLY = Licence("Agency Photo", ("marketing",), date(2099, 12, 31))
BRIEF = "a warm industrial cafe at dawn, a rocket launch on the horizon"


def gray(pixels: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(np.stack([pixels] * 3, -1))


def make_library(folder: Path, astronaut: Licence = MARKETING_ONLY) -> Path:
    """Seven references: coffee, cat, brick, colour wheel, galaxies (all usable), rocket (expired),
    astronaut (licensed for marketing only unless told otherwise)."""
    folder.mkdir(parents=True, exist_ok=True)
    entries = [
        ("coffee", data.coffee(), "a cup of coffee on a saucer, warm morning light", ["coffee", "cafe", "warm"], STOCK),
        ("cat", data.chelsea(), "a tabby cat resting by the window", ["cat", "interior", "soft"], STOCK),
        ("brick", gray(data.brick()), "an old brick wall, industrial texture", ["brick", "wall", "industrial"], STOCK),
        ("wheel", data.colorwheel(), "a colour wheel of saturated hues", ["colour", "palette"], STOCK),
        ("galaxies", data.hubble_deep_field()[:400, :600], "deep field of galaxies, a cold night sky",
         ["space", "night", "stars"], STOCK),
        ("rocket", data.rocket(), "a rocket on the launch pad at dawn", ["rocket", "launch", "dawn"], EXPIRED),
        ("astronaut", data.astronaut(), "portrait of an astronaut before the launch", ["astronaut", "portrait"],
         astronaut),
    ]
    for name, pixels, caption, tags, licence in entries:
        add_reference(folder, save_image(folder / f"{name}.png", pixels), caption, tags, licence)
    return folder


@pytest.fixture(scope="module")
def library(tmp_path_factory) -> Path:
    return make_library(tmp_path_factory.mktemp("refs") / "library")


def request(library: Path, brief: str = BRIEF, seed: int = 0, **params) -> EngineRequest:
    return EngineRequest((), {"brief": brief, "library": str(library), **params}, seed)


def test_words_are_stemmed_and_folded():
    assert stem("lamps") == stem("lamp") and stem("dimmed") == stem("dim") and stem("cities") == "city"
    assert stem("candles") == stem("candle") and stem("dancing") == stem("dance")
    assert terms("A Café at DAWN, candle-lit") == [stem("cafe"), "dawn", stem("candle"), "lit"]


def test_bm25_puts_the_closest_caption_first():
    docs = ["a rocket on the launch pad", "rockets and rocket engines, rocket fuel", "a cup of coffee", "brick wall"]
    ranked = rank(docs, "Rocket launch")
    assert [i for i, _ in ranked] == [0, 1]  # two matching words beat one word said three times
    assert rank(docs, "the of a") == []  # stop words alone match nothing


def test_expired_and_disallowed_licences_are_left_out_and_said(library):
    refs = read_library(library)
    chosen = select(refs, BRIEF + ", an astronaut portrait", 6, "previs", date(2026, 12, 1))
    used = [r.name for r, _ in chosen.used]
    assert "rocket.png" not in used and "astronaut.png" not in used
    assert used[:2] == ["coffee.png", "brick.png"]
    why = {r.name: reason for r, reason in chosen.excluded}
    assert why == {"rocket.png": "licence from Space Archive expired on 2020-01-01",
                   "astronaut.png": "licence from Agency Photo allows marketing, not previs"}
    assert "excluded rocket.png (licence from Space Archive expired on 2020-01-01)" in chosen.summary()


def test_a_licence_is_good_through_its_last_day():
    [ref] = [r for r in read_library(make_library(Path(_tmp()) / "l")) if r.name == "rocket.png"]
    assert refusal(ref, "previs", date(2020, 1, 1)) is None
    assert "expired" in refusal(ref, "previs", date(2020, 1, 2))


def _tmp() -> str:
    import tempfile

    return tempfile.mkdtemp(prefix="moodboard-")


def test_the_board_is_made_and_declares_its_references(library, tmp_path):
    engine = MoodboardEngine()
    engine.check_inputs(request(library))
    [board] = engine.run(request(library), tmp_path, lambda f, m: None)
    pixels = load_image(board.path)
    assert board.media == "image" and pixels.shape[1] > 700 and pixels.shape[0] > 400
    used = [u["reference"] for u in board.notes["used"]]
    assert "rocket.png" not in used and set(used) <= {"coffee.png", "brick.png", "cat.png", "wheel.png"}
    assert board.notes["excluded"] == [  # the astronaut's caption says "launch": relevant, but not for previs
        {"reference": "rocket.png", "why": "licence from Space Archive expired on 2020-01-01"},
        {"reference": "astronaut.png", "why": "licence from Agency Photo allows marketing, not previs"}]
    assert {p.name for p in board.components} == set(used)
    for path, title in board.components.items():
        assert title == f"{path.name} sha256:{file_sha256(path)}"
    assert len(board.notes["palette"]) == 6


def test_the_same_seed_gives_the_same_board(library, tmp_path):
    engine = MoodboardEngine()
    (tmp_path / "a").mkdir(), (tmp_path / "b").mkdir()
    first = engine.run(request(library, seed=3), tmp_path / "a", lambda f, m: None)[0]
    again = engine.run(request(library, seed=3), tmp_path / "b", lambda f, m: None)[0]
    assert first.path.read_bytes() == again.path.read_bytes()


def test_palette_finds_the_dominant_colours_most_common_first():
    red, blue = np.zeros((60, 60, 3), np.uint8), np.zeros((20, 60, 3), np.uint8)
    red[..., 0], blue[..., 2] = 200, 180
    assert palette([red, blue], colours=2) == [(200, 0, 0), (0, 0, 180)]
    assert palette([red], colours=6) == [(200, 0, 0)]  # one colour in, one colour out


def test_a_brief_that_matches_nothing_usable_fails_in_one_line(library, tmp_path):
    with pytest.raises(InvalidInput, match="no reference .* may be used .*excluded rocket.png"):
        MoodboardEngine().run(request(library, brief="rocket"), tmp_path, lambda f, m: None)


@pytest.mark.parametrize("params, message", [
    ({"brief": " "}, "needs a brief"),
    ({"n": 0}, "n=0"),
    ({"n": 13}, "n=13"),
    ({"library": ""}, "needs a reference library"),
])
def test_check_inputs_refuses_bad_requests(library, params, message):
    with pytest.raises(InvalidInput, match=message):
        MoodboardEngine().check_inputs(EngineRequest((), {"brief": BRIEF, "library": str(library), **params}))


def _broken(folder: Path, how: str) -> Path:
    make_library(folder)
    sidecar = folder / "coffee.json"
    plain = json.loads(sidecar.read_text())
    if how == "missing image":
        (folder / "coffee.png").unlink()
    elif how == "unreadable sidecar":
        sidecar.write_text('{"schema": "greenlight.reference.1", "image": ')
    elif how == "licence without owner":
        plain["licence"]["owner"] = " "
        sidecar.write_text(json.dumps(plain))
    elif how == "no uses":
        plain["licence"]["uses"] = []
        sidecar.write_text(json.dumps(plain))
    elif how == "bad date":
        plain["licence"]["valid_until"] = "next year"
        sidecar.write_text(json.dumps(plain))
    elif how == "image elsewhere":
        save_image(folder.parent / "outside.png", data.coffee())
        plain["image"] = "../outside.png"
        sidecar.write_text(json.dumps(plain))
    elif how == "image without sidecar":
        sidecar.unlink()
        return folder / "coffee.png"
    return sidecar


@pytest.mark.parametrize("how, message", [
    ("missing image", "its image coffee.png is missing"),
    ("unreadable sidecar", "unreadable reference sidecar"),
    ("licence without owner", "names no owner"),
    ("no uses", "lists no uses"),
    ("bad date", "is not a date"),
    ("image elsewhere", "is not beside it in the library"),
    ("image without sidecar", "without a licence sidecar"),
])
def test_a_bad_library_entry_is_one_line_naming_its_file(tmp_path, how, message):
    named = _broken(tmp_path / "library", how)
    with pytest.raises(InvalidInput) as refused:
        MoodboardEngine().check_inputs(request(tmp_path / "library"))
    line = refused.value.one_line()
    assert message in line and str(named) in line and "\n" not in line


def test_a_missing_library_is_refused(tmp_path):
    with pytest.raises(InvalidInput, match="is not a folder"):
        MoodboardEngine().check_inputs(request(tmp_path / "nowhere"))


def test_a_long_list_of_exclusions_is_named_up_to_ten_then_counted(tmp_path):
    folder = tmp_path / "library"
    folder.mkdir()
    for n in range(14):
        image = save_image(folder / f"rocket_{n:02d}.png", data.rocket()[::8, ::8])
        add_reference(folder, image, "a rocket at dawn", ["rocket"], EXPIRED)
    add_reference(folder, save_image(folder / "pad.png", data.rocket()[::8, ::8]), "the launch pad", ["rocket"], STOCK)
    chosen = select(read_library(folder), "rocket", 6, "previs", date(2026, 12, 1))
    summary = chosen.summary()
    assert len(chosen.excluded) == 14 and [r.name for r, _ in chosen.used] == ["pad.png"]
    assert summary.count("expired on 2020-01-01") == 10 and "and 4 more relevant references" in summary
