"""Bad outlines and bad plates are refused in one line naming the file, before anything is stored."""

from __future__ import annotations

import numpy as np
import pytest

from greenlight.engines.base import EngineRequest
from greenlight.engines.collapse.engine import CollapseEngine
from greenlight.errors import InvalidInput, MediaError
from greenlight.media import save_image
from tests.engines.collapse_helpers import TINY, tiny_plate

BAD_OUTLINES = {
    "empty": ([], "has 0 point"),
    "two points": ([[10, 10], [60, 60]], "three or more"),
    "zero area": ([[10, 10], [50, 10], [90, 10]], "empty"),
    "self-intersecting": ([[40, 10], [120, 80], [120, 10], [40, 80]], "crosses itself"),
    "outside the frame": ([[40, 10], [400, 10], [400, 80], [40, 80]], "outside the 160×90 frame"),
    "whole frame": ([[0, 0], [160, 0], [160, 90], [0, 90]], "of the frame"),
    "not numbers": ([[40, 10], ["a", 10], [120, 80]], "not [x, y]"),
}


def check(inputs, params):
    CollapseEngine().check_inputs(EngineRequest(tuple(inputs), {**TINY, **params}))


@pytest.mark.parametrize("case", sorted(BAD_OUTLINES))
def test_a_bad_polygon_is_refused_naming_its_file(tmp_path, case):
    plate, _ = tiny_plate(tmp_path)
    points, why = BAD_OUTLINES[case]
    with pytest.raises(InvalidInput) as refused:
        check([plate], {"outline": points, "outline_file": "tower_outline.json"})
    message = refused.value.one_line()
    assert "tower_outline.json" in message and why in message and "\n" not in message


@pytest.mark.parametrize("size, fill, why", [((90, 120), 255, "the mask is 120×90"), ((90, 160), 0, "empty"),
                                             ((90, 160), 255, "of the frame")])
def test_a_bad_mask_is_refused_naming_its_file(tmp_path, size, fill, why):
    plate, _ = tiny_plate(tmp_path)
    mask = save_image(tmp_path / "tower_mask.png", np.full((*size, 3), fill, np.uint8))
    with pytest.raises(InvalidInput) as refused:
        check([plate, mask], {})
    assert "tower_mask.png" in refused.value.one_line() and why in refused.value.one_line()


def test_a_good_mask_is_taken(tmp_path):
    plate, outline = tiny_plate(tmp_path)
    picture = np.zeros((90, 160, 3), np.uint8)
    (x0, y0), (x1, y1) = outline[0], outline[2]
    picture[int(y0):int(y1), int(x0):int(x1)] = 255
    check([plate, save_image(tmp_path / "mask.png", picture)], {})


@pytest.mark.parametrize("content", [b"not a picture at all\n", b"\x00\x01garbage" * 20, b""])
def test_a_plate_that_is_not_an_image_or_a_clip_is_refused(tmp_path, content):
    _, outline = tiny_plate(tmp_path)
    plate = tmp_path / "plate.png"
    plate.write_bytes(content)
    with pytest.raises(MediaError) as refused:
        check([plate], {"outline": outline})
    assert "plate.png" in refused.value.one_line() and "\n" not in refused.value.one_line()


def test_bad_art_direction_is_refused(tmp_path):
    plate, outline = tiny_plate(tmp_path)
    for params, why in (({"direction": "up"}, "direction"), ({"dust": 5}, "dust=5"), ({"colour": 1}, "unknown"),
                        ({"failure": [2, 0]}, "failure")):
        with pytest.raises(InvalidInput, match=why):
            check([plate], {"outline": outline, **params})


def test_the_wrong_inputs_for_the_outline_are_refused(tmp_path):
    plate, outline = tiny_plate(tmp_path)
    with pytest.raises(InvalidInput, match="takes 2 input"):
        check([plate], {})  # no polygon and no mask
    with pytest.raises(InvalidInput, match="clean plate is 80×46"):
        clean = save_image(tmp_path / "clean.png", np.zeros((46, 80, 3), np.uint8))
        check([plate, clean], {"outline": outline, "clean_plate": True})
