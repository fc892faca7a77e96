"""Write the beauty and its matte passes as H.264 clips at once, each encoder in its own thread."""

from __future__ import annotations

import queue
import threading
from pathlib import Path

import numpy as np

_DONE = object()


class ClipSink:
    """Frames pushed in are encoded by ``media.write_video`` in a worker thread, in order."""

    def __init__(self, path: Path, fps: float, audio_from: Path | None = None, preset: str = "veryfast",
                 crf: int = 16) -> None:
        self.path = path
        self.frames: queue.Queue = queue.Queue(maxsize=4)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._encode, args=(fps, audio_from, preset, crf), daemon=True)
        self.thread.start()

    def _encode(self, fps, audio_from, preset, crf) -> None:
        from greenlight.media import write_video

        finished = False

        def frames():
            nonlocal finished
            while (frame := self.frames.get()) is not _DONE:
                yield frame
            finished = True

        try:
            write_video(self.path, frames(), fps, audio_from=audio_from, crf=crf, preset=preset)
        except BaseException as error:  # handed to the caller in close()
            self.error = error
            while not finished and self.frames.get() is not _DONE:  # drain, so the producer never blocks
                pass

    def push(self, rgb: np.ndarray) -> None:
        """Queue one RGB (or single-channel) uint8 frame."""
        if rgb.ndim == 2:
            rgb = np.repeat(rgb[..., None], 3, axis=2)
        self.frames.put(rgb)

    def close(self) -> Path:
        """Finish the clip; raises what the encoder raised."""
        self.frames.put(_DONE)
        self.thread.join()
        if self.error is not None:
            raise self.error
        return self.path
