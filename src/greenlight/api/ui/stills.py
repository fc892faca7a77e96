"""The pictures the wipe viewer lays over each other: the input and the output as the browser can show them,
for a video the one frame where the edit shows most, and a close-up of the face the edit changed.

The representative frame of a de-aged clip is the sampled frame whose most changed face changed most in
all (the difference inside its box, summed): there the talent's face is large and the retouch strong; a
frame without a face, or with faces the engine left alone, scores lowest. The close-up is the detected face
with the most change inside its box, enlarged, so a reviewer judges skin, not a thumbnail. Pictures are
kept in a small cache: a reviewer drags the slider and reloads, the clip is decoded once.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

SAMPLES = 24  # frames compared per clip: enough to find the close-up, cheap on a long take
CLOSE_UP = 480  # pixels high: a face is enlarged to this
MARGIN = 0.35  # of the face box's size, around it


@dataclass(frozen=True)
class Pictures:
    """JPEGs of one before/after pair: the whole picture, and the changed face when one was found."""

    frame: int | None  # for a video: which frame
    before: bytes
    after: bytes
    close_before: bytes | None = None
    close_after: bytes | None = None

    def get(self, side: str, view: str) -> bytes | None:
        """``side`` before or after, ``view`` full or face."""
        if view == "face":
            return self.close_before if side == "before" else self.close_after
        return self.before if side == "before" else self.after


def jpeg(rgb: np.ndarray) -> bytes:
    """An RGB array as a JPEG a browser shows (quality high enough to judge skin)."""
    from PIL import Image

    out = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(rgb)).save(out, "JPEG", quality=92)
    return out.getvalue()


@lru_cache(maxsize=16)
def pictures(before: str, after: str, video: bool, analyzer) -> Pictures:
    """The viewer's pictures of ``after`` made from ``before`` (both images, or both videos).

    Raises:
        MediaError: either file cannot be read.
    """
    frame, a, b = _video_frames(before, after, analyzer) if video else (None, *_images(before, after))
    box = _changed_face(analyzer, a, b) if a.shape == b.shape else None
    if box is None:
        return Pictures(frame, jpeg(a), jpeg(b))
    return Pictures(frame, jpeg(a), jpeg(b), jpeg(_enlarged(a, box)), jpeg(_enlarged(b, box)))


def _images(before: str, after: str) -> tuple[np.ndarray, np.ndarray]:
    from greenlight.media import load_image

    return load_image(before), load_image(after)


def _video_frames(before: str, after: str, analyzer) -> tuple[int, np.ndarray, np.ndarray]:
    from greenlight.errors import MediaError
    from greenlight.media import probe_video, read_frames

    step = max(1, probe_video(after).frame_count // SAMPLES)
    best: tuple[float, int, np.ndarray, np.ndarray] | None = None
    for (index, a), (_, b) in zip(read_frames(before), read_frames(after), strict=False):
        if index % step:
            continue
        score = _face_change(analyzer, a, b) if a.shape == b.shape else 0.0
        if best is None or score > best[0]:
            best = (score, index, a, b)
    if best is None:
        raise MediaError(Path(after), "has no frames to show")
    return best[1], best[2], best[3]


def _face_change(analyzer, a: np.ndarray, b: np.ndarray) -> float:
    """How much the edit changed the faces in a frame: the summed difference inside the most changed face box
    (a large, strongly retouched face wins; re-encoding noise over the background does not count)."""
    return max((_change(a[f.top:f.bottom, f.left:f.right], b[f.top:f.bottom, f.left:f.right]) * f.width * f.height
                for f in analyzer.detect(a)), default=0.0)


def _change(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.mean(np.abs(a.astype(np.int16) - b.astype(np.int16))))


def _changed_face(analyzer, a: np.ndarray, b: np.ndarray) -> tuple[int, int, int, int] | None:
    """(top, bottom, left, right) around the detected face the edit changed most, or None."""
    faces = analyzer.detect(a)
    if not faces:
        return None
    face = max(faces, key=lambda f: _change(a[f.top:f.bottom, f.left:f.right], b[f.top:f.bottom, f.left:f.right]))
    pad_x, pad_y = round(face.width * MARGIN), round(face.height * MARGIN)
    height, width = a.shape[:2]
    top, bottom = max(0, face.top - pad_y), min(height, face.bottom + pad_y)
    left, right = max(0, face.left - pad_x), min(width, face.right + pad_x)
    return top, bottom, left, right


def _enlarged(rgb: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    import cv2

    top, bottom, left, right = box
    crop = rgb[top:bottom, left:right]
    scale = CLOSE_UP / crop.shape[0]
    size = (max(1, round(crop.shape[1] * scale)), CLOSE_UP)
    return cv2.resize(crop, size, interpolation=cv2.INTER_CUBIC if scale > 1 else cv2.INTER_AREA)
