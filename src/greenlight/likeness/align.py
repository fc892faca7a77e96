"""Turning a found face upright, and checking that it is a face, with BlazeFace's eye keypoints.

A face found tilted or on its side is cut out and rotated so that its eyes are level before anything
else looks at it: dlib's landmarks and identity embedding were trained on upright faces, and so was
FaceMesh, whose face-presence flag (``face_presence``, 3 ms) tells faces from BlazeFace's chance hits
on textures, a cat, a coffee cup.
"""

from __future__ import annotations

import cv2
import numpy as np

from greenlight.domain.scan import Box
from greenlight.likeness import blazeface
from greenlight.likeness.blazeface import Detection

MESH_SCALE = 1.5
"""The FaceMesh crop is the detection box enlarged this much (MediaPipe's ROI scale for it)."""
MESH_SIDE = 192


def upright(rgb: np.ndarray, detection: Detection, scale: float, side: int,
            border: int = cv2.BORDER_CONSTANT) -> tuple[np.ndarray, np.ndarray]:
    """A ``side``×``side`` crop around the detection, rotated so the eyes are level.

    Args:
        rgb: the picture the detection is on.
        detection: the face.
        scale: crop side as a multiple of the detection box's longer side.
        side: output side in pixels.
        border: what fills the crop beyond the picture's edge (black, or the picture's edge mirrored).

    Returns:
        The crop and the 2×3 matrix taking picture points into it.
    """
    cx, cy = detection.centre
    extent = max(detection.width, detection.height, 1.0) * scale
    matrix = cv2.getRotationMatrix2D((cx, cy), detection.roll(), side / extent)
    matrix[0, 2] += side / 2 - cx
    matrix[1, 2] += side / 2 - cy
    chip = cv2.warpAffine(rgb, matrix, (side, side), flags=cv2.INTER_LINEAR, borderMode=border)
    return chip, matrix


def upright_box(detection: Detection, scale: float, side: int) -> Box:
    """Where the detection's box lies in its ``upright`` crop (centred, the box's size scaled)."""
    extent = max(detection.width, detection.height, 1.0) * scale
    half_w = detection.width * side / extent / 2
    half_h = detection.height * side / extent / 2
    return Box(round(side / 2 - half_w), round(side / 2 - half_h), round(side / 2 + half_w), round(side / 2 + half_h))


def quarter_turned(detection: Detection, quarters: int) -> Detection:
    """The detection with its keypoints turned ``quarters`` quarter turns about its centre (box unchanged):
    the same face read as lying on another side."""
    return _keypoints_turned(detection, 90 * quarters)


def levelled(detection: Detection) -> Detection:
    """The detection with its keypoints turned so its eyes are level: a face in profile gets eye keypoints
    one above the other (a roll of -76° on the sample clip's profile), and its upright crop would be on its side."""
    return _keypoints_turned(detection, detection.roll())


def _keypoints_turned(detection: Detection, degrees: float) -> Detection:
    cx, cy = detection.centre
    matrix = cv2.getRotationMatrix2D((cx, cy), degrees, 1.0)
    points = np.hstack([detection.keypoints, np.ones((len(detection.keypoints), 1))]) @ matrix.T
    return Detection(detection.left, detection.top, detection.right, detection.bottom, detection.score, points)


def face_presence(rgb: np.ndarray, detection: Detection) -> float:
    """FaceMesh's confidence (0..1) that the upright crop around the detection holds a face (a face against
    the picture's edge is seen with the edge mirrored beyond it, as the sweep saw it: ``sweep.edge_padded``)."""
    chip, _ = upright(rgb, detection, MESH_SCALE, MESH_SIDE, cv2.BORDER_REFLECT)
    outputs = blazeface.network("face_landmark.tflite").run((chip.astype(np.float32) / 255.0)[None])
    flag = next(o for o in outputs if o.size == 1)
    return float(1 / (1 + np.exp(-np.clip(flag.ravel()[0], -50, 50))))
