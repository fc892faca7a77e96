"""Every face on a still, and its identity embedding: BlazeFace sweeps checked by FaceMesh, plus dlib.

``find_faces`` sweeps the picture (``greenlight.likeness.sweep``: every quarter turn, tiles down to
20 px faces, the negative) and keeps a BlazeFace detection as a face when FaceMesh, run on the crop
turned upright by the detection's eye keypoints, says it holds a face, or failing that (a mask, a
profile, half a face) when dlib's CNN face detector finds a face on that upright crop. dlib's own
HOG + CNN detection runs too and adds any face the sweep missed. ``embed`` computes dlib's identity
embedding on the upright crop, so a face on its side is identified like an upright one, and on the
re-inverted picture for a face found on the negative.

Measured on the sample photos and the scenery pictures of ``skimage.data`` (tests/likeness): FaceMesh
gives every true face 1.0 and every BlazeFace false hit (a coffee cup, a cat, stars, textures) 0.04
or less.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import cv2
import numpy as np

from greenlight.domain.scan import Box
from greenlight.likeness import models
from greenlight.likeness.align import face_presence, levelled, quarter_turned, upright
from greenlight.likeness.blazeface import Detection
from greenlight.likeness.faces import FaceAnalyzer
from greenlight.likeness.sweep import Found, edge_padded, from_padded, sweep, unmirrored

PRESENCE = 0.5
"""FaceMesh face-presence a detection needs to be a face without a second opinion."""
SMALL_FACE_PX = 32
SMALL_PRESENCE = 0.99
"""FaceMesh face-presence a detection up to ``SMALL_FACE_PX`` wide needs: 28 of 29 true 20 px faces (six sample
faces upright, turned, in corners) scored 1.0 on one of their candidates, the 29th 1.0 read in another turn;
a suit's button with four holes, 21 px, scored 0.90."""
TURNED_PRESENCE = 0.95
"""FaceMesh face-presence a detection needs when read turned a quarter or half turn from its keypoints.
BlazeFace's eye keypoints on a small face on its side or upside down may point the wrong way (a 20 px face
turned 270° and resampled, as an editor turns it: 0.04 as read, 1.0 turned 180°); the sample faces' turned
20 px heads scored 0.997–1.0 so, the scenery pictures' chance hits at most 0.64."""
TURNED_READ_PX = 60
"""Widest detection read in the other turns: larger faces' keypoints are right, and a 222 px chance hit on a
painted landscape scored 0.986 upside down."""
CNN_CHECK_SCORE = 0.5
"""BlazeFace score above which a detection FaceMesh doubts is shown to dlib's CNN (~0.15 s each)."""
MAX_CNN_CHECKS = 12
"""At most this many CNN second opinions per picture (BlazeFace's chance hits are many on textures)."""
LEVEL_ROLL = 30
"""A detection FaceMesh doubts whose eye keypoints lie further than this from level is also shown to the CNN
upright as found: a profile's eye keypoints are one above the other (the sample clip's profile read -76°)."""
CNN_FACE_PX = 90
"""Face width the upright crop is scaled to for the CNN's second opinion (as ``faces.CONFIRM_FACE_PX``)."""
CHIP_SCALE = 2.0
"""The upright crop for dlib is the detection box enlarged this much: room for its landmark fit."""
CHIP_FACE_PX = (100, 300)
"""The face is scaled to at least / at most this width in the upright crop."""
DLIB_BOX = (0.9, -0.05)
"""dlib's detector box, relative to BlazeFace's: 0.9 of its size, centre moved up by 5 % of its height
(measured on the astronaut: dlib 91 px at (175, 76), BlazeFace 100 px at (174, 77))."""
SAME_FACE_IOU = 0.3
SMOOTHINGS = ((3.0, 80), (8.0, 160))
"""The blurred copies swept for a face seen through a fine regular pattern (blinds, bars, a fence, an LED wall,
halftone dots), each as (Gaussian σ in px per 1080 px of the picture's short side, at least that; the smallest
face looked for on it). A person sees such a face at a glance; BlazeFace sees the pattern (an attacker's blinds
over Obama's own photo: no face, allowed). A coarser pattern needs more blur, and only a larger face survives
it. Faces from 80 px: each copy costs a sweep of its coarser levels, in every turn (about +0.5 s on a 720p
still); a smaller face behind such a pattern is not looked for."""


@dataclass(frozen=True)
class Face:
    """A face on a still: its box (picture pixels) and, when BlazeFace found it, the detection."""

    box: Box
    detection: Detection | None = None
    negative: bool = False
    smoothed: float = 0.0
    """The blur it was found on (``smoothed``'s σ; 0 on the picture): a face behind a fine pattern, embedded there."""
    enrolled_box: Box | None = None
    """dlib's own box for the face, as enrolment finds a face, when its detector found this one too."""


def find_faces(rgb: np.ndarray, analyzer: FaceAnalyzer) -> list[Face]:
    """Every face a person would see on ``rgb``, left to right (see the module's docstring)."""
    padded, margin = edge_padded(rgb)
    faces = _dedupe([_unpadded(face, margin, rgb.shape) for face in _swept_faces(padded, margin, analyzer)])
    for sigma, min_face in SMOOTHINGS:
        blurred, _ = edge_padded(smoothed(rgb, sigma))
        for face in _swept_faces(blurred, margin, analyzer, min_face=min_face, negative=False):
            face = replace(_unpadded(face, margin, rgb.shape), smoothed=sigma)
            if all(face.box.iou(f.box) < SAME_FACE_IOU for f in faces):
                faces.append(face)
    for box in analyzer.detect(rgb):
        same = [i for i, f in enumerate(faces) if box.iou(f.box) >= SAME_FACE_IOU]
        if not same:
            faces.append(Face(box))
        for i in same:
            faces[i] = replace(faces[i], enrolled_box=box)
    return sorted(faces, key=lambda f: (f.box.left, f.box.top))


def smoothed(rgb: np.ndarray, sigma: float) -> np.ndarray:
    """``rgb`` blurred so that a fine regular pattern over a face melts into it (see ``SMOOTHINGS``)."""
    return cv2.GaussianBlur(rgb, (0, 0), max(sigma, sigma * min(rgb.shape[:2]) / 1080))


def _swept_faces(rgb: np.ndarray, margin: int, analyzer: FaceAnalyzer, **sweeping: Any) -> list[Face]:
    """The sweep's detections that FaceMesh (or dlib's CNN) confirms, on the picture padded by ``margin``
    (``sweeping`` goes to ``sweep``).

    A detection on the mirrored margin is the reflection of a face against the edge: it is checked where that
    face lies (``sweep.unmirrored``).
    """
    faces: list[Face] = []
    checks = 0
    for found in sweep(rgb, margin=margin, **sweeping):
        found = _on_picture(found, margin, rgb.shape)
        picture = 255 - rgb if found.negative else rgb
        candidates = (found.detection, *found.others)
        needed = SMALL_PRESENCE if found.detection.width <= SMALL_FACE_PX else PRESENCE
        det = next((d for d in candidates if face_presence(picture, d) >= needed), None)
        if det is None and found.detection.width <= TURNED_READ_PX:
            det = next((t for t in (quarter_turned(found.detection, k) for k in (1, 2, 3))
                        if face_presence(picture, t) >= TURNED_PRESENCE), None)
        if det is None and found.score >= CNN_CHECK_SCORE and checks < MAX_CNN_CHECKS:
            checks += 1
            if abs(found.detection.roll()) > LEVEL_ROLL:  # a profile's eye keypoints, one above the other
                candidates += (levelled(found.detection),)
            det = next((d for d in candidates if _cnn_sees_face(picture, d, analyzer)), None)
        if det is not None:
            faces.append(Face(_box(found.detection, rgb.shape), det, found.negative))
    return faces


def _on_picture(found: Found, margin: int, shape: tuple[int, ...]) -> Found:
    # Its detections reflected back onto the picture where they lie on the margin (in the padded picture's pixels).
    height, width = shape[0] - 2 * margin, shape[1] - 2 * margin
    into, back = from_padded(margin), from_padded(-margin)  # onto the picture, and back onto its padded copy

    def moved(det: Detection) -> Detection:
        return unmirrored(det.mapped(into), height, width).mapped(back)

    return replace(found, detection=moved(found.detection), others=tuple(moved(d) for d in found.others))


def _unpadded(face: Face, margin: int, shape: tuple[int, ...]) -> Face:
    height, width = shape[:2]
    box = face.box
    inside = Box(max(0, box.left - margin), max(0, box.top - margin), min(width, box.right - margin),
                 min(height, box.bottom - margin))
    return replace(face, box=inside, detection=face.detection.mapped(from_padded(margin)))


def embed(rgb: np.ndarray, face: Face, analyzer: FaceAnalyzer) -> np.ndarray:
    """dlib's 128-d identity embedding of ``face``, on its upright crop when BlazeFace found it."""
    if face.detection is None:
        return analyzer.embed(rgb, face.box)
    picture = smoothed(rgb, face.smoothed) if face.smoothed else rgb
    chip, box = upright_chip(255 - picture if face.negative else picture, face.detection)
    return analyzer.embed(chip, box)


def embeddings(rgb: np.ndarray, face: Face, analyzer: FaceAnalyzer) -> list[np.ndarray]:
    """``embed``'s embedding of ``face``, then, when dlib's detector found the face too, the one enrolment would
    compute for this picture (on dlib's box): the two differ by up to about 0.08, and a protected person is
    held within reach of either, so no face enrolment would call too close to them passes as someone else."""
    found = [embed(rgb, face, analyzer)]
    if face.enrolled_box is not None and face.detection is not None and not (face.negative or face.smoothed):
        found.append(analyzer.embed(rgb, face.enrolled_box))
    return found


def upright_chip(rgb: np.ndarray, det: Detection) -> tuple[np.ndarray, Box]:
    """The face turned upright in a crop scaled for dlib, and the dlib-style face box in that crop."""
    face_px = min(max(det.width, CHIP_FACE_PX[0]), CHIP_FACE_PX[1])
    side = round(face_px * CHIP_SCALE)
    chip, _ = upright(rgb, det, CHIP_SCALE, side)
    size, shift = DLIB_BOX
    half = face_px * size / 2
    cx, cy = side / 2, side / 2 + shift * face_px * det.height / max(det.width, 1.0)
    return chip, Box(round(cx - half), round(cy - half), round(cx + half), round(cy + half))


def _cnn_sees_face(rgb: np.ndarray, det: Detection, analyzer: FaceAnalyzer) -> bool:
    chip, box = upright_chip(rgb, det)
    scale = CNN_FACE_PX / max(box.width, 1)  # the CNN is reliable and quick on ~90 px faces
    small = cv2.resize(chip, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    analyzer.stats["confirmations"] += 1
    target = Box(*(round(v * scale) for v in (box.left, box.top, box.right, box.bottom)))
    return any(Box(d.rect.left(), d.rect.top(), d.rect.right() + 1, d.rect.bottom() + 1).iou(target) >= 0.3
               for d in models.cnn_detector()(np.ascontiguousarray(small), 0))


def _box(det: Detection, shape: tuple[int, ...]) -> Box:
    height, width = shape[:2]
    return Box(max(0, round(det.left)), max(0, round(det.top)), min(width, round(det.right)),
               min(height, round(det.bottom)))


def _dedupe(faces: list[Face]) -> list[Face]:
    # The positive and the negative sweep can both keep the same face; the positive one wins.
    kept: list[Face] = []
    for face in sorted(faces, key=lambda f: f.negative):
        if all(face.box.iou(k.box) < SAME_FACE_IOU for k in kept):
            kept.append(face)
    return kept
