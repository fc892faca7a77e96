"""Shared fixtures: a studio identity, a foreign one, and small real stills and clips."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image
from skimage import data

from greenlight.provenance import SigningIdentity, init_keys


@pytest.fixture(scope="session")
def keys_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("studio") / "keys"


@pytest.fixture(scope="session")
def identity(keys_dir: Path) -> SigningIdentity:
    return init_keys(keys_dir, "Test Studio")


@pytest.fixture(scope="session")
def other_identity(tmp_path_factory: pytest.TempPathFactory) -> SigningIdentity:
    return init_keys(tmp_path_factory.mktemp("other") / "keys", "Someone Else")


@pytest.fixture(scope="session")
def stills(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("stills")
    png, jpg = folder / "astronaut.png", folder / "coffee.jpg"
    Image.fromarray(data.astronaut()).save(png)
    Image.fromarray(data.coffee()).save(jpg, quality=92)
    return {"png": png, "jpg": jpg}


def write_clip(path: Path, frames: int = 24, size: tuple[int, int] = (320, 240), audio: bool = True,
               crf: int = 18) -> Path:
    """A short H.264 clip panning over the astronaut photo, with a sine tone when ``audio``."""
    w, h = size
    src = np.asarray(Image.fromarray(data.astronaut()).resize((w + frames * 4, h + frames * 2)))
    with av.open(str(path), "w") as out:
        video = out.add_stream("libx264", rate=24, options={"crf": str(crf)})
        video.width, video.height, video.pix_fmt = w, h, "yuv420p"
        sound = out.add_stream("aac", rate=48000, layout="mono") if audio else None
        for i in range(frames):
            rgb = np.ascontiguousarray(src[i * 2:i * 2 + h, i * 4:i * 4 + w])
            for pkt in video.encode(av.VideoFrame.from_ndarray(rgb, format="rgb24")):
                out.mux(pkt)
        if sound is not None:
            t = np.arange(48000 * frames // 24) / 48000
            tone = (0.2 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
            for start in range(0, len(tone), 1024):
                frame = av.AudioFrame.from_ndarray(tone[None, start:start + 1024], format="fltp", layout="mono")
                frame.sample_rate = 48000
                for pkt in sound.encode(frame):
                    out.mux(pkt)
            for pkt in sound.encode():
                out.mux(pkt)
        for pkt in video.encode():
            out.mux(pkt)
    return path


@pytest.fixture(scope="session")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_clip(tmp_path_factory.mktemp("clips") / "plate.mp4")


@pytest.fixture(scope="session")
def hd_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_clip(tmp_path_factory.mktemp("clips") / "plate_540p.mp4", size=(960, 540))
