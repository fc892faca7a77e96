"""Landmark-defined mattes for one face, in the coordinates of its crop.

Every matte is a float32 array in 0..1. The skin matte covers the face up to the forehead and
leaves out eyes, brows, lips and nostrils, so the retouch never softens the features that carry a
likeness; a skin-colour gate keeps hair (a fringe, a beard's edge) out of it.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from greenlight.engines.deage.geometry import (
    BROW_L,
    BROW_R,
    EYE_L,
    EYE_R,
    JAW,
    LIPS_OUTER,
    NOSE_BASE,
    FaceFrame,
    forehead_points,
)

# The upper lid: the protected ellipse above the eye covers the lashes and the lid's margin only
# (centre this share of the eye's width above the eye's centre, this half-height), so the lid's
# crease and the skin up to the brow are retouched like the rest of the skin.
LID_SHIFT = 0.04
LID_AXIS = 0.24
BROW_WIDTH = 0.16  # IOD: the brow's protected band (a light brow passes the skin gate, so it needs one)
JAW_PUSH = (0.15, 0.1, 0.05)  # IOD: jaw points 0-2 and 16-14 pushed out in the hull (the crow's feet)
TEMPLE_REACH = 1.5  # the temple point's distance out from the brow's end, in the brow-to-jaw distance
TEMPLE_LIFT = 0.05  # IOD above the brow's end


@dataclass(frozen=True)
class FaceMattes:
    """The mattes one frame of one face needs.

    Attributes:
        skin: where to retouch (feathered; 0 on features and off the face).
        features: eyes, brows, lips and nostrils (1 inside, feathered outwards); never altered.
        under_eyes: tear-trough, lower-lid bag and crow's-feet regions, feathered.
        folds: nasolabial and marionette fold regions, feathered.
        face: the whole face hull, grown and feathered: where the reshaping warp may act.
        hull: the face hull itself (jaw line and forehead), unfeathered.
    """

    skin: np.ndarray
    features: np.ndarray
    under_eyes: np.ndarray
    folds: np.ndarray
    face: np.ndarray
    hull: np.ndarray


def _fp(pts: np.ndarray) -> np.ndarray:
    # cv2 draws with fixed-point coordinates: 4 fractional bits keep sub-pixel landmark motion
    # (otherwise a mask edge steps a whole pixel at a time and shimmers).
    return np.round(pts * 16).astype(np.int32)


def _ellipse(canvas: np.ndarray, center: np.ndarray, axes: tuple[float, float], angle: float) -> None:
    cv2.ellipse(
        canvas, tuple(_fp(center)), (max(1, int(axes[0] * 16)), max(1, int(axes[1] * 16))),
        angle, 0, 360, 1.0, -1, cv2.LINE_AA, 4,
    )


def _blur(m: np.ndarray, sigma: float) -> np.ndarray:
    return cv2.GaussianBlur(m, (0, 0), max(sigma, 0.3))


def _feature_matte(shape: tuple[int, int], pts: np.ndarray, frame: FaceFrame) -> np.ndarray:
    iod = frame.iod
    angle = float(np.degrees(np.arctan2(frame.right[1], frame.right[0])))
    m = np.zeros(shape, np.float32)
    for eye in (EYE_R, EYE_L):
        e = pts[eye]
        width = float(np.hypot(*(e[3] - e[0])))
        height = float(np.hypot(*(e[1:3].mean(0) - e[4:6].mean(0))))
        # The eye with its lashes and lid margin, and above it the upper lid up to the crease: they
        # stay exactly as shot. Below and beside, the matte hugs the lids, so the tear trough, the bag
        # and the crow's feet next to the corners can be treated.
        _ellipse(m, e.mean(0), (0.6 * width, max(0.22 * width, 0.85 * height)), angle)
        _ellipse(m, e.mean(0) - LID_SHIFT * width * frame.down, (0.58 * width, LID_AXIS * width), angle)
    for brow in (BROW_R, BROW_L):
        cv2.polylines(m, [_fp(pts[brow])], False, 1.0, max(1, int(BROW_WIDTH * iod)), cv2.LINE_AA, 4)
    lips = pts[LIPS_OUTER]
    c = lips.mean(0)
    cv2.fillPoly(m, [_fp(c + (lips - c) * 1.1)], 1.0, cv2.LINE_AA, 4)
    nose = pts[NOSE_BASE]
    span = float(np.hypot(*(nose[4] - nose[0])))
    # The nostrils only: the skin of the tip and the wings is retouched like the rest.
    for a, b in ((0, 1), (3, 4)):
        _ellipse(m, (nose[a] + nose[b]) / 2, (0.2 * span, 0.1 * iod), angle)
    # Grow then feather, so the matte is exactly 1 on the feature itself.
    grow = max(1, int(round(0.03 * iod)))
    m = cv2.dilate(m, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * grow + 1, 2 * grow + 1)))
    return np.maximum(m, _blur(m, 0.04 * iod))


def temple_points(pts: np.ndarray, frame: FaceFrame) -> np.ndarray:
    """One point at each temple, beside the brow's outer end, image-left then image-right.

    The brow ends sit well inside the face's outline, so a hull that runs from the jaw's top
    straight to the brow would leave the crow's feet out: this point, at the jaw's width and a little
    above the brow's end, puts the temple (and the crow's feet) inside.
    """
    out = []
    for jaw, brow in ((0, 17), (16, 26)):
        across = float((pts[jaw] - pts[brow]) @ frame.right)
        out.append(pts[brow] + TEMPLE_REACH * across * frame.right - TEMPLE_LIFT * frame.iod * frame.down)
    return np.array(out)


def _hull(shape: tuple[int, int], pts: np.ndarray, frame: FaceFrame) -> np.ndarray:
    temples = temple_points(pts, frame)
    jaw = pts[JAW].copy()
    # The 68-point jaw line starts inside the face's outline at eye level; the crow's feet lie
    # between it and the ear, so the top of the jaw line is pushed out (hair and background beyond
    # the face fail the skin-colour gate).
    for i, push in enumerate(JAW_PUSH):
        jaw[i] -= push * frame.iod * frame.right
        jaw[16 - i] += push * frame.iod * frame.right
    outline = np.concatenate([jaw, temples[1:], forehead_points(pts, frame)[::-1], temples[:1]])
    m = np.zeros(shape, np.float32)
    cv2.fillPoly(m, [_fp(outline)], 1.0, cv2.LINE_AA, 4)
    return m


def _region(shape: tuple[int, int], pts: np.ndarray, frame: FaceFrame) -> tuple[np.ndarray, np.ndarray]:
    iod, down, right = frame.iod, frame.down, frame.right
    angle = float(np.degrees(np.arctan2(right[1], right[0])))
    eyes = np.zeros(shape, np.float32)
    for eye, side in ((EYE_R, -1.0), (EYE_L, 1.0)):
        e = pts[eye]
        width = float(np.hypot(*(e[3] - e[0])))
        lower = e[[0, 5, 4, 3]].mean(0)
        # The trough sits under the lid, a little towards the nose; the bag under the lid's middle.
        center = lower + 0.55 * width * down - side * 0.05 * width * right
        _ellipse(eyes, center, (0.85 * width, 0.42 * width), angle)
        # Crow's feet fan out from the outer corner, towards the temple.
        outer = e[0] if side < 0 else e[3]
        _ellipse(eyes, outer + side * 0.32 * width * right, (0.3 * width, 0.5 * width), angle)
    folds = np.zeros(shape, np.float32)
    for wing, corner, jaw, side in ((31, 48, 6, -1.0), (35, 54, 10, 1.0)):
        a = pts[wing] + side * 0.12 * iod * right
        b = pts[corner] + side * 0.16 * iod * right + 0.12 * iod * down
        cv2.line(folds, tuple(_fp(a)), tuple(_fp(b)), 1.0, max(1, int(0.22 * iod)), cv2.LINE_AA, 4)
        # The marionette line runs from the mouth's corner down towards the jaw.
        c = pts[corner] + side * 0.08 * iod * right + 0.1 * iod * down
        cv2.line(folds, tuple(_fp(c)), tuple(_fp(0.45 * c + 0.55 * pts[jaw])), 1.0, max(1, int(0.18 * iod)),
                 cv2.LINE_AA, 4)
    return _blur(eyes, 0.14 * iod), _blur(folds, 0.1 * iod)


def skin_gate(ycrcb: np.ndarray, core: np.ndarray, prior: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """How skin-like each pixel's colour is, against the face's own skin colour.

    Args:
        ycrcb: the crop, float32 YCrCb (cv2 layout, all channels 0..1).
        core: a matte of where skin surely is (cheeks, nose, central forehead).
        prior: last frame's skin statistics, to blend with (keeps the gate from flickering).

    Returns:
        (gate 0..1, statistics [mean Y, mean Cr, mean Cb, spread Y, spread Cr, spread Cb]).
    """
    sel = core > 0.5
    if sel.sum() < 20:
        return np.ones(ycrcb.shape[:2], np.float32), prior if prior is not None else np.zeros(6)
    px = ycrcb[sel]
    med = np.median(px, axis=0)
    spread = 1.4826 * np.median(np.abs(px - med), axis=0) + np.array([0.04, 0.008, 0.008])
    stats = np.concatenate([med, spread])
    if prior is not None and prior.any():
        stats = 0.8 * prior + 0.2 * stats
    med, spread = stats[:3], stats[3:]
    d_c = (((ycrcb[..., 1:] - med[1:]) / (3.0 * spread[1:])) ** 2).sum(axis=-1)
    # Hair is darker than skin and less red; shadows on skin are darker but keep their hue, so
    # only darkness *with* a hue shift, or a large hue shift alone, counts against a pixel.
    dark = np.clip((med[0] - ycrcb[..., 0]) / (4.0 * spread[0]), 0.0, None) ** 2
    # A specular highlight is skin too, though washed out towards white: brightness forgives hue.
    bright = np.clip((ycrcb[..., 0] - med[0]) / (3.0 * spread[0]), 0.0, 1.0)
    d = d_c * (1.0 + dark) * (1.0 - 0.8 * bright)
    gate = np.exp(-0.5 * np.clip(d - 1.0, 0.0, None)).astype(np.float32)
    return gate, stats


def face_mattes(shape: tuple[int, int], pts: np.ndarray) -> FaceMattes:
    """Build the mattes for one face in a crop.

    Args:
        shape: (height, width) of the crop.
        pts: (68, 2) smoothed landmarks in crop coordinates.

    Returns:
        The mattes; ``skin`` before the skin-colour gate (see :func:`skin_gate`).
    """
    frame = FaceFrame.from_landmarks(pts)
    iod = frame.iod
    hull = _hull(shape, pts, frame)
    features = _feature_matte(shape, pts, frame)
    # Keep the feather inside the jaw line, so the face edge against the background is not touched.
    inset = max(1, int(round(0.07 * iod)))
    core = cv2.erode(hull, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * inset + 1, 2 * inset + 1)))
    skin = _blur(core, 0.05 * iod) * (1.0 - features)
    under_eyes, folds = _region(shape, pts, frame)
    grow = max(1, int(round(0.3 * iod)))
    face = _blur(cv2.dilate(hull, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * grow + 1,) * 2)), 0.2 * iod)
    return FaceMattes(skin=skin, features=features, under_eyes=under_eyes * skin, folds=folds * skin, face=face,
                      hull=hull)


def mesh_under_eyes(shape: tuple[int, int], outlines: list[np.ndarray], iod: float) -> np.ndarray:
    """The under-eye bags and troughs drawn from FaceMesh outlines (``mesh.bag_outlines``), feathered.

    Args:
        shape: (height, width) of the crop.
        outlines: closed outlines in crop pixels.
        iod: the face's inter-ocular distance in those pixels.
    """
    m = np.zeros(shape, np.float32)
    for outline in outlines:
        cv2.fillPoly(m, [_fp(outline)], 1.0, cv2.LINE_AA, 4)
    return _blur(m, 0.08 * iod)
