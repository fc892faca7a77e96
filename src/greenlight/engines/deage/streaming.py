"""Streaming frames to the encoder: run the render ahead in a worker thread, report progress.

On a two-core machine the x264 encoder and the decode-and-retouch work each want a core; running the
render a few frames ahead in a worker lets them overlap instead of taking turns.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator

import numpy as np

from greenlight.engines.base import Progress


def reporting(frames: Iterator[np.ndarray], total: int, progress: Progress, what: str) -> Iterator[np.ndarray]:
    """Pass frames through, calling ``progress`` every 25 frames from the consumer's thread.

    Args:
        frames: the frames.
        total: frames expected.
        progress: called with 0..1 and a line such as ``"de-aging: frame 26/275"``.
        what: the first words of that line.
    """
    for index, frame in enumerate(frames):
        if index % 25 == 0:
            progress(index / max(total, 1), f"{what}: frame {index + 1}/{total}")
        yield frame


def prefetch(frames: Iterator[np.ndarray], depth: int = 4) -> Iterator[np.ndarray]:
    """Run ``frames`` in a worker thread, ``depth`` frames ahead of the consumer.

    The encoder (x264, in the consumer's thread) and decoding plus retouching (OpenCV and NumPy,
    which release the GIL) then overlap instead of taking turns on the CPU. Nothing that reports
    to the caller runs in the worker: progress is reported from the consumer's side.

    Args:
        frames: the frame iterator to run ahead.
        depth: frames held ready at most (bounds memory: a 1080p frame is 6 MB).

    Yields:
        The same frames, in order; an exception in the worker is raised here.
    """
    ready: queue.Queue = queue.Queue(maxsize=depth)
    done = object()
    stop = threading.Event()

    def work() -> None:
        try:
            for frame in frames:
                while not stop.is_set():
                    try:
                        ready.put(frame, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            ready.put(done)
        except BaseException as exc:  # handed to the consumer, raised there
            ready.put(exc)
        finally:
            close = getattr(frames, "close", None)
            if close is not None:
                close()  # releases the decoder when the consumer stopped early

    worker = threading.Thread(target=work, name="deage-render", daemon=True)
    worker.start()
    try:
        while True:
            item = ready.get()
            if item is done:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        # The consumer stopped early (an encoder error): let the worker finish instead of blocking.
        stop.set()
        worker.join()
