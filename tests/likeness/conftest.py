"""Fixtures for likeness tests: the sample photos, one shared analyzer, a gallery, the clips' scans.

Models, enrolments and the (slow) scans of the sample clips are made once per test session. Everyone
the sample folder has is enrolled: the cache's three people always, and the people a shared sample
folder adds when it is there; the clips are the one made from the stills, and the real footage when
a shared folder added it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from greenlight.domain.registry import SubjectKind
from greenlight.domain.scan import ScanResult
from tests.conftest import CLIPS, sample_exists

# One enrolment photo per person; every other photo of theirs must match them and no one else.
# The first three are in the cache; the others only when a shared sample folder added them.
ENROL_PHOTOS = {
    "obama": "obama/obama.jpg",
    "biden": "biden/biden.jpg",
    "eileen_collins": "eileen_collins/eileen_collins1.png",
    "alex_lacamoire": "alex_lacamoire/alex_lacamoire1.jpg",
    "rose_leslie": "rose_leslie/rose_leslie1.jpg",
    "lin_manuel_miranda": "lin_manuel_miranda/lin_manuel_miranda1.png",
}
ENROL = {sid: photo for sid, photo in ENROL_PHOTOS.items() if sample_exists(photo)}
NAMES = {
    "obama": "Barack Obama", "biden": "Joe Biden", "eileen_collins": "Eileen Collins",
    "alex_lacamoire": "Alex Lacamoire", "rose_leslie": "Rose Leslie", "lin_manuel_miranda": "Lin-Manuel Miranda",
}
PROTECTED = {"obama", "biden"}


@pytest.fixture(scope="session")
def faces_dir(faces) -> Path:
    """The sample faces folder (the shared ``faces`` fixture skips when it is not given)."""
    return faces


@pytest.fixture(scope="session")
def references(faces_dir, analyzer) -> dict:
    """Subject id → reference enrolled from that person's first photo."""
    from greenlight.likeness.enrol import reference_from_photo

    return {
        sid: reference_from_photo(faces_dir / photo, SubjectKind.PROTECTED if sid in PROTECTED else SubjectKind.TALENT,
                                  sid, analyzer)
        for sid, photo in ENROL.items()
    }


@pytest.fixture(scope="session")
def gallery(references):
    from greenlight.likeness.gallery import Gallery

    return Gallery(list(references.values()), NAMES)


@pytest.fixture(scope="session", params=CLIPS)
def clip(request):
    """Each sample clip with its script (tests/scenes.py): who is on screen on which frames."""
    return request.getfixturevalue("cast_clip" if request.param == "built" else "real_clip")


@dataclass(frozen=True)
class ClipScan:
    result: ScanResult
    seconds: float
    stats: dict
    progress: list


def _timed_scan(scan, clip, gallery) -> ClipScan:
    from greenlight.likeness.faces import FaceAnalyzer

    analyzer, calls = FaceAnalyzer(), []  # its own analyzer, for clean work counts
    t0 = time.perf_counter()
    result = scan(clip.path, gallery, analyzer, progress=lambda done, total: calls.append((done, total)))
    return ClipScan(result, time.perf_counter() - t0, dict(analyzer.stats), calls)


@pytest.fixture(scope="session")
def clip_per_frame(clip, gallery, analyzer) -> ClipScan:
    """The exhaustive scan of the clip (about 40 s for the real footage on two cores)."""
    from greenlight.likeness.scan import scan_video_per_frame

    analyzer.detect(np.zeros((64, 64, 3), np.uint8))  # models loaded before the clock starts
    return _timed_scan(scan_video_per_frame, clip, gallery)


@pytest.fixture(scope="session")
def clip_keyframe(clip, gallery, analyzer) -> ClipScan:
    """Greenlight's scan of the clip."""
    from greenlight.likeness.scan import scan_video

    analyzer.detect(np.zeros((64, 64, 3), np.uint8))
    return _timed_scan(scan_video, clip, gallery)
