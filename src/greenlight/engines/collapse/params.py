"""The collapse request's art direction, checked once, as a typed record (every field has a default)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from greenlight.errors import InvalidInput

DIRECTIONS = ("pancake", "left", "right", "toward-camera")
BREAKS = ("floors", "shatter")


@dataclass(frozen=True)
class CollapseParams:
    """How the building falls.

    Attributes:
        outline: the building's polygon in plate pixels ``[[x, y], ...]``; empty when the outline is a
            mask image (the job's second input).
        outline_file: the name of the file the outline came from, for error messages.
        clean_plate: the job's last input is a clean plate (what is behind the building).
        start_frame: the plate frame at which the building starts to fail.
        duration: seconds from the first failure to the end of the shot.
        fps: frame rate of the output when the plate is a still (a clip keeps its own).
        direction: ``pancake`` (straight down), ``left``, ``right`` or ``toward-camera``.
        speed: how fast the failure runs through the building (1 = a floor about every 0.15 s).
        breakup: ``floors`` (slabs along the floors) or ``shatter`` (smaller, rounder pieces).
        floors: number of storeys (0: guessed from the building's height).
        pieces: about how many pieces the building breaks into.
        failure: where it fails first, as fractions of the building's box ``[x, y]`` (0,0 top left).
        dust: amount of dust, 0 (none) .. 2.
        dust_colour: ``[r, g, b]`` 0..255, or empty for a colour taken from the building and the plate.
        debris: amount of small debris, 0 .. 2.
        shake: camera shake on impacts, in pixels at 1080p (0 for none).
        motion_blur: sub-frame samples per frame (1 for none).
        png_frames: also deliver every beauty frame as a signed PNG.
        exr_frames: also deliver every frame as a signed EXR: linear half R, G, B and one channel per matte
            pass (``pieces.A``, ``debris.A``, ``dust.A``, ``revealed.A``), credentials in a ``.c2pa`` sidecar.
    """

    outline: tuple[tuple[float, float], ...] = ()
    outline_file: str = ""
    clean_plate: bool = False
    start_frame: int = 6
    duration: float = 6.0
    fps: float = 24.0
    direction: str = "pancake"
    speed: float = 1.0
    breakup: str = "floors"
    floors: int = 0
    pieces: int = 90
    failure: tuple[float, float] = (0.5, 0.35)
    dust: float = 1.0
    dust_colour: tuple[int, ...] = ()
    debris: float = 1.0
    shake: float = 6.0
    motion_blur: int = 3
    png_frames: bool = False
    exr_frames: bool = False
    polygon: bool = False  # set by parse: the outline came as points (even none), not as a mask image

    @classmethod
    def parse(cls, params: Mapping[str, Any]) -> CollapseParams:
        """Check and type the request parameters.

        Raises:
            InvalidInput: a parameter is unknown, of the wrong type or out of range.
        """
        known = {f.name for f in fields(cls)} - {"polygon"}
        unknown = sorted(set(params) - known)
        if unknown:
            raise InvalidInput(f"unknown collapse parameter(s): {', '.join(unknown)}",
                               f"use {', '.join(sorted(known))}")
        p = cls()
        values = {
            "outline": _points(params.get("outline", ()), params.get("outline_file", "")),
            "outline_file": str(params.get("outline_file", "")),
            "clean_plate": _flag(params, "clean_plate", p.clean_plate),
            "start_frame": _number(params, "start_frame", p.start_frame, 0, 100_000, whole=True),
            "duration": _number(params, "duration", p.duration, 0.5, 60.0),
            "fps": _number(params, "fps", p.fps, 1.0, 120.0),
            "direction": _choice(params, "direction", p.direction, DIRECTIONS),
            "speed": _number(params, "speed", p.speed, 0.1, 10.0),
            "breakup": _choice(params, "breakup", p.breakup, BREAKS),
            "floors": _number(params, "floors", p.floors, 0, 200, whole=True),
            "pieces": _number(params, "pieces", p.pieces, 4, 2000, whole=True),
            "failure": _pair(params, "failure", p.failure),
            "dust": _number(params, "dust", p.dust, 0.0, 2.0),
            "dust_colour": _colour(params.get("dust_colour", ())),
            "debris": _number(params, "debris", p.debris, 0.0, 2.0),
            "shake": _number(params, "shake", p.shake, 0.0, 100.0),
            "motion_blur": _number(params, "motion_blur", p.motion_blur, 1, 16, whole=True),
            "png_frames": _flag(params, "png_frames", p.png_frames),
            "exr_frames": _flag(params, "exr_frames", p.exr_frames),
            "polygon": "outline" in params,
        }
        return cls(**values)


def _number(params: Mapping[str, Any], name: str, default: float, low: float, high: float, whole: bool = False):
    value = params.get(name, default)
    kinds = (int,) if whole else (int, float)
    if isinstance(value, bool) or not isinstance(value, kinds):
        raise InvalidInput(f"{name} must be a {'whole ' if whole else ''}number, got {value!r}",
                           f"give {low:g}..{high:g}")
    if not low <= value <= high:
        raise InvalidInput(f"{name}={value} is out of range", f"give {low:g}..{high:g}")
    return int(value) if whole else float(value)


def _flag(params: Mapping[str, Any], name: str, default: bool) -> bool:
    value = params.get(name, default)
    if not isinstance(value, bool):
        raise InvalidInput(f"{name} must be true or false, got {value!r}")
    return value


def _choice(params: Mapping[str, Any], name: str, default: str, allowed: tuple[str, ...]) -> str:
    value = params.get(name, default)
    if value not in allowed:
        raise InvalidInput(f"{name} {value!r} is not one of {', '.join(allowed)}")
    return value


def _pair(params: Mapping[str, Any], name: str, default: tuple[float, float]) -> tuple[float, float]:
    value = params.get(name, default)
    ok = isinstance(value, list | tuple) and len(value) == 2 and all(
        isinstance(v, int | float) and not isinstance(v, bool) and 0 <= v <= 1 for v in value)
    if not ok:
        raise InvalidInput(f"{name} must be two fractions [x, y] in 0..1, got {value!r}")
    return float(value[0]), float(value[1])


def _colour(value: Any) -> tuple[int, ...]:
    if value in ((), [], None):
        return ()
    ok = isinstance(value, list | tuple) and len(value) == 3 and all(
        isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 255 for v in value)
    if not ok:
        raise InvalidInput(f"dust_colour must be [r, g, b] with 0..255 each, got {value!r}")
    return tuple(int(v) for v in value)


def _points(value: Any, source: str) -> tuple[tuple[float, float], ...]:
    """The polygon as float pairs; its geometry is checked against the plate in ``outline.py``."""
    where = source or "the outline"
    if not isinstance(value, list | tuple):
        raise InvalidInput(f"{where}: the outline must be a list of [x, y] points, got {type(value).__name__}")
    points = []
    for i, point in enumerate(value):
        ok = isinstance(point, list | tuple) and len(point) == 2 and all(
            isinstance(v, int | float) and not isinstance(v, bool) for v in point)
        if not ok:
            raise InvalidInput(f"{where}: point {i} of the outline is {point!r}, not [x, y]",
                               "give plate pixel coordinates as numbers")
        points.append((float(point[0]), float(point[1])))
    return tuple(points)
