"""The plate (a still or a locked-off clip), the building's outline on it, and the clean plate."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

import numpy as np

from greenlight.engines.collapse.outline import image_mask, polygon_mask
from greenlight.engines.collapse.params import CollapseParams
from greenlight.errors import InvalidInput
from greenlight.media import check_media, load_image, probe_video, read_frames


@dataclass(frozen=True)
class Plate:
    """What the shot is made on."""

    path: Path
    kind: str  # "image" or "video"
    width: int
    height: int
    fps: float
    frame_count: int  # 1 for a still
    has_audio: bool

    def frame(self, index: int) -> np.ndarray:
        """One plate frame (the last one for an index past the end of a clip)."""
        if self.kind == "image":
            return load_image(self.path)
        wanted = min(index, self.frame_count - 1)
        for _, rgb in islice(read_frames(self.path), wanted, wanted + 1):
            return rgb
        raise InvalidInput(f"{self.path}: frame {wanted} cannot be read")

    def frames(self, count: int) -> Iterator[np.ndarray]:
        """``count`` frames: the clip's, holding its last frame, or the still over and over."""
        if self.kind == "image":
            still = load_image(self.path)
            for _ in range(count):
                yield still
            return
        last = None
        for _, rgb in islice(read_frames(self.path), count):
            last = rgb
            yield rgb
        made = min(self.frame_count, count)
        for _ in range(count - made):
            yield last


def open_plate(path: Path, params: CollapseParams) -> Plate:
    """Check and describe the plate.

    Raises:
        MediaError: not a readable image or clip.
        InvalidInput: a clip shorter than its start frame, or a plate too small to carry a watermark.
    """
    path = Path(path)
    kind = check_media(path)
    if kind == "image":
        h, w = load_image(path).shape[:2]
        plate = Plate(path, kind, w, h, params.fps, 1, False)
    else:
        info = probe_video(path)
        plate = Plate(path, kind, info.width, info.height, info.fps, info.frame_count, info.has_audio)
        if params.start_frame >= plate.frame_count:
            raise InvalidInput(f"{path}: start_frame {params.start_frame} is past the clip's "
                               f"{plate.frame_count} frames", "start the collapse inside the clip")
    if min(plate.width, plate.height) < 64 or plate.width % 2 or plate.height % 2:
        raise InvalidInput(f"{path}: a {plate.width}×{plate.height} plate cannot be delivered",
                           "give a plate at least 64×64 pixels with even width and height")
    return plate


def building_mask(plate: Plate, params: CollapseParams, mask_path: Path | None) -> np.ndarray:
    """The building as a bool mask the plate's size, from the polygon or the mask image.

    Raises:
        InvalidInput: a bad outline (see ``outline.py``), naming its file.
        MediaError: the mask image cannot be read.
    """
    if mask_path is not None:
        check_media(mask_path)
        return image_mask(load_image(mask_path), plate.width, plate.height, str(mask_path))
    return polygon_mask(params.outline, plate.width, plate.height, params.outline_file)


def clean_plate(path: Path, plate: Plate) -> np.ndarray:
    """The clean plate (first frame of a clip), which must be the plate's size.

    Raises:
        InvalidInput: of another size.
        MediaError: unreadable.
    """
    kind = check_media(path)
    rgb = load_image(path) if kind == "image" else next(read_frames(path))[1]
    if rgb.shape[:2] != (plate.height, plate.width):
        raise InvalidInput(f"{path}: the clean plate is {rgb.shape[1]}×{rgb.shape[0]}, the plate "
                           f"{plate.width}×{plate.height}", "give a clean plate shot with the same framing")
    return rgb


def split_inputs(inputs: tuple[Path, ...], params: CollapseParams) -> tuple[Path, Path | None, Path | None]:
    """The plate, the mask image (when the outline is not a polygon) and the clean plate, from the inputs.

    Raises:
        InvalidInput: the wrong number of inputs for the parameters.
    """
    wanted = 1 + (0 if params.polygon else 1) + (1 if params.clean_plate else 0)
    if len(inputs) != wanted:
        what = ["the plate"] + ([] if params.polygon else ["the outline mask"]) + (
            ["the clean plate"] if params.clean_plate else [])
        raise InvalidInput(f"collapse takes {wanted} input(s) ({', '.join(what)}), got {len(inputs)}",
                           "give the plate, and an outline polygon or a mask image")
    plate = Path(inputs[0])
    mask = None if params.polygon else Path(inputs[1])
    clean = Path(inputs[-1]) if params.clean_plate else None
    return plate, mask, clean
