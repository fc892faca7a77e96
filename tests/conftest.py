"""Shared fixtures: the sample faces (the cache `make samples` fills), scenes made from them, databases.

The sample folder is GREENLIGHT_FACES when set (the Makefile points it at the cache), else the
repository's cache, ``.cache/samples/faces``. PostgreSQL runs when GREENLIGHT_TEST_POSTGRES_URL is set
(``.ci/run`` starts a server and sets it). The run ends with one line saying what was skipped, and why.
"""

import os
from collections import Counter
from pathlib import Path

import pytest

from greenlight.store.scratch import scratch_database

os.environ.setdefault("HF_HUB_OFFLINE", "1")

pytest_plugins = ["tests.engines.previz_kit"]  # the previz fixtures, for the engine and the CLI tests

REPOSITORY = Path(__file__).resolve().parents[1]
CACHE = REPOSITORY / ".cache" / "samples" / "faces"
# Who the cache always has: the people every guard rule is tested on.
CACHED_PEOPLE = ("obama", "biden", "eileen_collins")
HAMILTON = "scenes/short_hamilton_clip.mp4"
FACES_SKIP = "no sample faces: run `make samples` (it fills .cache/samples/faces from the package index)"
REAL_FOOTAGE_SKIP = (f"needs real footage ({HAMILTON}: a profile, a moving camera), "
                     "which only a studio's shared sample folder adds to the cache")


def sample_folder() -> Path:
    """The sample faces folder: GREENLIGHT_FACES when it is set and not empty, else the repository's cache."""
    folder = os.environ.get("GREENLIGHT_FACES")
    return Path(folder) if folder else CACHE


def has_samples(folder: Path) -> bool:
    """Whether ``folder`` is laid out like the cache: one folder for each person the cache always has."""
    return all((folder / person).is_dir() for person in CACHED_PEOPLE)


def sample_exists(relative: str) -> bool:
    """Whether the sample folder has this file (for cases that only richer sample folders can add)."""
    return (sample_folder() / relative).is_file()


# A second photo of a person that only a richer sample folder has, and what stands in for it in the cache
# alone: the person's cached photo mirrored (another picture of the same face, not the enrolment photo's bytes).
STAND_INS = {"biden/biden2.jpg": "biden/biden.jpg"}


def copy_sample(relative: str, target: Path, faces: Path | None = None) -> Path:
    """Copy a sample photo to ``target``; one the cache lacks is written as its stand-in, mirrored."""
    faces = faces or sample_folder()
    if (faces / relative).is_file() or relative not in STAND_INS:
        target.write_bytes((faces / relative).read_bytes())
        return target
    import cv2

    picture = cv2.imread(str(faces / STAND_INS[relative]), cv2.IMREAD_COLOR)
    if not cv2.imwrite(str(target), cv2.flip(picture, 1)):
        raise OSError(f"{target}: could not write the mirrored stand-in for {relative}")
    return target


# The clip made from the stills always; the real footage too when the sample folder has it.
CLIPS = ["built", *(["hamilton"] if sample_exists(HAMILTON) else [])]


@pytest.fixture(scope="session")
def faces() -> Path:
    """The sample faces folder, or skip (naming `make samples`) when it has not been filled."""
    folder = sample_folder()
    if not has_samples(folder):
        lacking = [person for person in CACHED_PEOPLE if not (folder / person).is_dir()]
        set_elsewhere = folder != CACHE
        pytest.skip(f"{FACES_SKIP}; GREENLIGHT_FACES names a folder without {', '.join(lacking)}/"
                    if set_elsewhere else FACES_SKIP)
    return folder


@pytest.fixture(scope="session")
def two_shot(faces, analyzer, tmp_path_factory) -> Path:
    """Barack Obama and Joe Biden side by side in one photo, made from their portraits."""
    from tests.scenes import two_shot

    return two_shot(tmp_path_factory.mktemp("scenes") / "obama_beside_biden.jpg", faces, analyzer)


@pytest.fixture(scope="session")
def cast_clip(faces, analyzer, tmp_path_factory):
    """The clip made from the stills: zoom, two-shot pan, cuts, a face entering; sound (tests/scenes.py)."""
    from tests.scenes import built_clip

    return built_clip(tmp_path_factory.mktemp("scenes") / "cast_clip.mp4", faces, analyzer)


@pytest.fixture(scope="session")
def real_clip(faces):
    """The real footage (Lin-Manuel Miranda on stage), or skip: only a shared sample folder adds it."""
    from tests.scenes import hamilton_clip

    if not (faces / HAMILTON).is_file():
        pytest.skip(REAL_FOOTAGE_SKIP)
    return hamilton_clip(faces / HAMILTON)


@pytest.fixture(scope="session")
def analyzer():
    """One face analyzer for the session: dlib's models load once."""
    from greenlight.likeness.faces import FaceAnalyzer

    return FaceAnalyzer()

POSTGRES_ENV = "GREENLIGHT_TEST_POSTGRES_URL"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def blank_database(request, tmp_path):
    """An empty, unmigrated Database on each backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'greenlight.db'}"
    else:
        url = os.environ.get(POSTGRES_ENV)
        if not url:
            pytest.skip(f"{POSTGRES_ENV} is not set (run through .ci/run to test PostgreSQL)")
    with scratch_database(url) as database:
        yield database


@pytest.fixture
def database(blank_database):
    """A Database migrated to the newest revision."""
    blank_database.upgrade()
    return blank_database


def _skip_reason(report) -> str:
    """A short name for why a test was skipped, for the one-line summary."""
    reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
    if POSTGRES_ENV in reason:
        return f"PostgreSQL (no {POSTGRES_ENV})"
    if reason.removeprefix("Skipped: ") == REAL_FOOTAGE_SKIP:
        return "real footage (a camera clip with a profile view), which this checkout's samples lack"
    if reason.removeprefix("Skipped: ").startswith("no Chromium at "):
        return "Chromium (no /usr/bin/chromium: Debian's `chromium`)"
    if reason.removeprefix("Skipped: ").startswith(FACES_SKIP):
        return "no sample faces (run `make samples`)"
    return reason.removeprefix("Skipped: ")


def pytest_unconfigure(config) -> None:
    """One line at the very end, after pytest's own totals: how many tests were skipped, and why (a green
    run can hide skips)."""
    terminal = config.pluginmanager.get_plugin("terminalreporter")
    skipped = terminal.stats.get("skipped", []) if terminal else []
    if skipped:
        counts = Counter(_skip_reason(r) for r in skipped)
        reasons = ", ".join(f"{why} {count}" for why, count in counts.most_common())
        terminal.write_line(f"skipped {len(skipped)}: {reasons}", yellow=True, bold=True)
