"""Shared set-up for the collapse tests: a tiny street plate, its outline, and the engine's entry point."""

from __future__ import annotations

import tomllib
from importlib.metadata import EntryPoint
from pathlib import Path

import pytest

from greenlight.engines import base
from greenlight.engines.collapse.street import street_plate
from greenlight.media import save_image

ROOT = Path(__file__).resolve().parents[2]
# 12 frames: 2 before the failure, then 5 s at 2 frames/s.
TINY = {"start_frame": 2, "duration": 5.0, "fps": 2.0, "motion_blur": 2, "pieces": 24}


def with_collapse_entry_point(monkeypatch: pytest.MonkeyPatch) -> None:
    """Find the engine through the entry point pyproject.toml declares, even before a reinstall registers it."""
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["entry-points"]["greenlight.engines"]
    found = base.available_engines()
    if "collapse" not in found:
        point = EntryPoint("collapse", declared["collapse"], base.ENTRY_POINT_GROUP)
        monkeypatch.setattr(base, "available_engines", lambda: {**found, "collapse": point})


def tiny_plate(folder: Path, width: int = 160, height: int = 90) -> tuple[Path, list[list[float]]]:
    rgb, outline = street_plate(width, height)
    return save_image(folder / "street.png", rgb), outline
