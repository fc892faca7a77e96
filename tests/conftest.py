"""Shared fixtures: the sample faces folder (from GREENLIGHT_FACES) and an offline environment."""

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

FACES_SKIP = "set GREENLIGHT_FACES to ../shared/data/faces to run tests on real photos"


@pytest.fixture(scope="session")
def faces() -> Path:
    """The sample faces folder, or skip with a reason when it is not given."""
    folder = os.environ.get("GREENLIGHT_FACES")
    if not folder or not Path(folder, "scenes").is_dir():
        pytest.skip(FACES_SKIP)
    return Path(folder)
