"""The edits an attacker (or an ordinary screenshot) makes to a marked picture, and the pictures to make them on.

Shared by the adversarial watermark tests and ``bench/provenance.py``: every picture is made at test time
(skimage.data, synthetic dark frames, and the sample photos when ``GREENLIGHT_FACES`` is set).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
from PIL import Image
from skimage import data

Attack = Callable[[np.ndarray], np.ndarray]


def jpeg(rgb: np.ndarray, quality: int = 80) -> np.ndarray:
    """A JPEG re-encode at ``quality`` (PIL, 4:2:0)."""
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, "JPEG", quality=quality)
    return np.asarray(Image.open(buf).convert("RGB"))


def crop(rgb: np.ndarray, left: float, top: float, right: float, bottom: float) -> np.ndarray:
    """Cut the given fractions off each side."""
    h, w = rgb.shape[:2]
    return np.ascontiguousarray(rgb[round(h * top):h - round(h * bottom), round(w * left):w - round(w * right)])


def rotate(rgb: np.ndarray, degrees: float) -> np.ndarray:
    """Rotate about the centre, same canvas, black corners (what an editor's straighten tool does first)."""
    h, w = rgb.shape[:2]
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    return cv2.warpAffine(rgb, matrix, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)


def border(rgb: np.ndarray, top: float, side: float, bottom: float, colour: int = 236) -> np.ndarray:
    """The picture inside a screenshot: a title bar, margins and a status bar around it."""
    h, w = rgb.shape[:2]
    t, s, b = round(h * top), round(w * side), round(h * bottom)
    out = np.full((h + t + b, w + 2 * s, 3), colour, np.uint8)
    out[:t] = 60  # a dark title bar
    out[t:t + h, s:s + w] = rgb
    return out


def brightness(rgb: np.ndarray, gain: float, offset: float = 0.0) -> np.ndarray:
    """A brightness/exposure change: ``gain * x + offset``, clipped."""
    return np.clip(rgb.astype(np.float32) * gain + offset, 0, 255).astype(np.uint8)


def scale(rgb: np.ndarray, factor: float) -> np.ndarray:
    """Resize by ``factor`` (area average)."""
    h, w = rgb.shape[:2]
    return cv2.resize(rgb, (round(w * factor), round(h * factor)), interpolation=cv2.INTER_AREA)


GEOMETRIC: dict[str, Attack] = {
    "crop 10% centre": lambda x: crop(x, 0.05, 0.05, 0.05, 0.05),
    "crop 10% left+top": lambda x: crop(x, 0.10, 0.10, 0, 0),
    "crop 10% right": lambda x: crop(x, 0, 0, 0.10, 0),
    "rotate +2°": lambda x: rotate(x, 2.0),
    "rotate -2°": lambda x: rotate(x, -2.0),
    "flip horizontal": lambda x: np.ascontiguousarray(x[:, ::-1]),
    "screenshot border": lambda x: border(x, 0.08, 0.04, 0.05),
    "white border 10%": lambda x: border(x, 0.10, 0.10, 0.10, colour=255),
    "brighter x1.25": lambda x: brightness(x, 1.25),
    "darker x0.75": lambda x: brightness(x, 0.75),
    "brightness +30": lambda x: brightness(x, 1.0, 30),
    "brighter x1.5": lambda x: brightness(x, 1.5),
    "brightness -40": lambda x: brightness(x, 1.0, -40),
}

ATTACKS: dict[str, Attack] = {
    **GEOMETRIC,
    **{f"{name} + JPEG 80": (lambda x, a=attack: jpeg(a(x), 80)) for name, attack in GEOMETRIC.items()},
    "flip + crop 10% + JPEG 80": lambda x: jpeg(crop(x[:, ::-1], 0.05, 0.05, 0.05, 0.05), 80),
    "rotate 2° + border + JPEG 80": lambda x: jpeg(border(rotate(x, 2.0), 0.08, 0.04, 0.05), 80),
    "brighter + crop + 0.75x": lambda x: scale(brightness(crop(x, 0.1, 0, 0, 0.05), 1.2), 0.75),
    "brighter x2 (highlights clipped)": lambda x: brightness(x, 2.0),
    "contrast 1.3 + JPEG 80": lambda x: jpeg(brightness(x, 1.3, -0.3 * 128), 80),
}


def faces_folder() -> Path | None:
    """The sample photos (``GREENLIGHT_FACES``, else the repository's cache), when there are any."""
    from tests.conftest import sample_folder

    folder = sample_folder()
    return folder if folder.is_dir() else None


def dark_flat_frames(size: tuple[int, int] = (1920, 1080)) -> dict[str, np.ndarray]:
    """Synthetic dark flat frames: a night sky and a black curtain, with a camera's own faint noise."""
    w, h = size
    rng = np.random.default_rng(7)
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    sky = np.stack([8 + 6 * y / h, 10 + 7 * y / h, 18 + 10 * y / h], -1)  # deep blue, lighter at the horizon
    sky += rng.normal(0, 0.35, sky.shape)
    curtain = 9 + 2.0 * np.sin(x / w * 40) * np.exp(-((y / h - 0.5) ** 2))  # soft folds
    curtain = np.repeat(curtain[..., None], 3, -1) + rng.normal(0, 0.35, (h, w, 3))
    return {name: np.clip(np.round(frame), 0, 255).astype(np.uint8) for name, frame in
            (("night sky", sky), ("black curtain", curtain))}


def marked_sources() -> dict[str, np.ndarray]:
    """Pictures to mark and attack: skimage photos, and the sample face photos when available."""
    images = {"astronaut": data.astronaut(), "coffee": data.coffee(), "chelsea": data.chelsea(),
              "rocket": data.rocket(),
              "coffee 1080p": cv2.resize(data.coffee(), (1920, 1080), interpolation=cv2.INTER_CUBIC)}
    faces = faces_folder()
    if faces:
        from greenlight.media import load_image

        for folder in sorted(p for p in faces.iterdir() if p.is_dir() and p.name != "scenes"):
            first = sorted(folder.iterdir())[0]
            images[first.stem] = load_image(first)[..., :3]
    return images


def unmarked_corpus() -> dict[str, np.ndarray]:
    """Pictures that carry no mark, with crops, flips and rotations of them: nothing may be read from any."""
    base = {"astronaut": data.astronaut(), "coffee": data.coffee(), "chelsea": data.chelsea(),
            "rocket": data.rocket(), "cat": data.cat(), "ihc": data.immunohistochemistry(),
            "hubble": data.hubble_deep_field(), "retina": data.retina(), "colorwheel": data.colorwheel(),
            "brick": np.dstack([data.brick()] * 3), "grass": np.dstack([data.grass()] * 3),
            "gravel": np.dstack([data.gravel()] * 3), "camera": np.dstack([data.camera()] * 3),
            "moon": np.dstack([data.moon()] * 3), "checkerboard": np.dstack([data.checkerboard()] * 3),
            "noise": np.random.default_rng(1).integers(0, 256, (300, 400, 3), np.uint8),
            "grey": np.full((200, 200, 3), 90, np.uint8), **dark_flat_frames((960, 540))}
    faces = faces_folder()
    if faces:
        from greenlight.media import load_image

        for folder in sorted(p for p in faces.iterdir() if p.is_dir() and p.name != "scenes"):
            for path in sorted(folder.iterdir())[:3]:
                base[path.stem] = load_image(path)[..., :3]
    corpus = dict(base)
    for name, rgb in base.items():
        corpus[f"{name} cropped"] = crop(rgb, 0.1, 0.05, 0, 0.1)
        corpus[f"{name} flipped"] = np.ascontiguousarray(rgb[:, ::-1])
        corpus[f"{name} rotated"] = rotate(rgb, 3.0)
        corpus[f"{name} bordered"] = border(rgb, 0.08, 0.04, 0.05)
    return corpus
