"""The frame passes of a video stream computed ahead in a second process, on the machine's other core.

The whole-frame BlazeFace pass and the sweeps depend on the frames alone
(``greenlight.likeness.framepass``), and they are half of a scan's work. dlib, which does most of the
rest, holds Python's lock while it embeds a face, so a thread cannot overlap them: a process can. The
worker is forked when a stream's scan starts, decodes the stream itself and sends each frame's
``FramePass`` through a pipe; the scan keeps decoding, tracking and identifying in its own process and
takes each frame's pass from the pipe.

The worker only saves time, it decides nothing: the scan checks that each pass it receives is for the
frame it is on (its number, and the digest of its picture: the worker decodes the file again, which may
have been replaced meanwhile), with the cut and the sweep its own schedule says, and computes the pass
itself when it is not, when the worker stops (it failed to decode: the scan's own decoding raises the
same typed error at the same frame) or when it is silent for ``STALL_SECONDS``. So the tracks are the same with
the worker or without it. The worker ignores Ctrl-C (the scan stops it), dies with the scan's process
if that is killed (Linux's parent-death signal), and is stopped and reaped when the stream's scan ends
in any way.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Iterable, Iterator

from greenlight.likeness.framepass import (
    SWEEP_INTERVAL,
    Change,
    FramePass,
    FramePasser,
    passes_on,
    picture_digest,
    with_spots,
)
from greenlight.likeness.frames import Frame

LEAD = 4
"""Frames ahead of the scan under which the worker leaves a frame's changed-area crops to the scan: the
work moves to whichever process is waiting (a fixed share, every other frame's crops, left the worker
the slower half on the sample clip)."""
STALL_SECONDS = 30.0
"""A worker silent this long is given up on (a frame pass takes milliseconds), and the scan goes on alone."""
_PR_SET_PDEATHSIG = 1


def can_run_ahead() -> bool:
    """Whether a worker process can help here: Linux (fork, parent-death signal) and a second CPU core."""
    if not sys.platform.startswith("linux") or "fork" not in multiprocessing.get_all_start_methods():
        return False
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return cores >= 2 and not multiprocessing.current_process().daemon


class FrameFeed:
    """A worker process computing a stream's frame passes ahead; call it as the scan's ``Passes``.

    Start it before the scan's own decoder opens (forking beside a running decoder's threads is unsafe),
    and close it when the stream's scan ends (it is a context manager).

    Args:
        frames: makes the stream's frames anew (called in the worker only).
        interval: frames between sweeps, as the scan's own.
    """

    def __init__(self, frames: Callable[[], Iterable[Frame]], interval: int = SWEEP_INTERVAL) -> None:
        self._conn = None
        self._process = None
        self._wanted = multiprocessing.get_context("fork").RawValue("q", 0)  # the frame the scan is on
        self.taken = 0
        """Passes taken from the worker (the others were computed by the scan itself)."""
        self._start(frames, interval)

    def __call__(self, frame: Frame, cut: bool, sweep: bool, change: Change | None = None) -> FramePass:
        """The pass of ``frame``: the worker's when it has the right one, else computed here."""
        if self._conn is not None:
            self._wanted.value = frame.index
            passed = self._receive()
            if (isinstance(passed, FramePass) and passed.index == frame.index and passed.cut == cut
                    and (passed.swept is not None) == sweep and passed.picture == picture_digest(frame)
                    and passed.candidates == (change.tiles if change is not None else ())):
                self.taken += 1
                return with_spots(passed, frame, change) if change is not None else passed
            self.close()  # out of step, stopped or failed: the scan goes on alone, exactly as without it
        return passes_on(frame, cut, sweep, change)

    def ready(self) -> bool:
        """Whether the worker's next pass has arrived (or there is no worker: nothing to wait for)."""
        if self._conn is None:
            return True
        try:
            return self._conn.poll(0)
        except (EOFError, OSError):
            return True

    def close(self) -> None:
        """Stop the worker and reap it (idempotent)."""
        conn, process, self._conn, self._process = self._conn, self._process, None, None
        if conn is not None:
            conn.close()
        if process is not None:
            if process.is_alive():
                process.terminate()
            process.join(5)
            if process.is_alive():
                process.kill()
                process.join()

    def __enter__(self) -> FrameFeed:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _start(self, frames: Callable[[], Iterable[Frame]], interval: int) -> None:
        import cv2

        context = multiprocessing.get_context("fork")
        receive, send = context.Pipe(duplex=False)
        # OpenCV's thread pool does not survive a fork (a pass in the child hangs or crawls): the pool is
        # stopped for the fork, so the worker runs its passes on one thread, and restarted here after.
        threads = cv2.getNumThreads()
        cv2.setNumThreads(1)
        try:
            process = context.Process(target=_work, args=(send, frames, interval, os.getpid(), self._wanted),
                                      daemon=True, name="greenlight-frame-passes")
            process.start()
        except (OSError, AssertionError, ValueError):
            receive.close()
            return  # no worker: the scan computes every pass itself
        finally:
            cv2.setNumThreads(threads)
            send.close()
        self._conn, self._process = receive, process

    def _receive(self) -> object:
        try:
            if self._conn.poll(STALL_SECONDS):
                return self._conn.recv()
        except (EOFError, OSError):
            pass
        return None


@contextlib.contextmanager
def frame_feed(frames: Callable[[], Iterable[Frame]], interval: int = SWEEP_INTERVAL) -> Iterator[FrameFeed | None]:
    """A ``FrameFeed`` where ``can_run_ahead`` says one helps, else None; closed on leaving."""
    if not can_run_ahead():
        yield None
        return
    feed = FrameFeed(frames, interval)
    try:
        yield feed
    finally:
        feed.close()


def _work(conn, frames: Callable[[], Iterable[Frame]], interval: int, parent: int, wanted) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the scan, which stops this worker
    _die_with(parent)
    try:
        passer = FramePasser(interval, share=lambda index: index - wanted.value < LEAD)
        for frame in frames():
            conn.send(passer.run(frame))
    except BaseException:  # noqa: BLE001 - the scan's own decoding reports any error; it computes what is missing
        pass
    finally:
        with contextlib.suppress(OSError):
            conn.close()


def _die_with(parent: int) -> None:
    # If the scan's process is killed outright, the kernel kills this worker too: no orphan is left.
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the signal was asked for
        os._exit(0)
