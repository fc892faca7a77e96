"""A job's progress as server-sent events: every step of its history, the executor's progress, then the end.

The history comes from the database, so any executor's jobs can be followed; the fraction done and the line
saying what is happening come from the executor that ``greenlight serve`` runs beside the app (``Board``).
A stream ends once the job is settled: final, in review, or escalated (waiting for a person).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from greenlight.domain import Job, JobState, to_plain
from greenlight.runtime.studio import Studio

SETTLED = frozenset({JobState.IN_REVIEW, JobState.ESCALATED}) | {s for s in JobState if s.final}
POLL_SECONDS = 0.25
HEARTBEAT_SECONDS = 15.0


class Board:
    """The latest progress of each job the service's executor is running (fraction done, what is happening)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._latest: dict[str, tuple[float, str]] = {}

    def reporter(self, job_id: str) -> Callable[[float, str], None]:
        """The progress callback for one job's run."""

        def report(fraction: float, message: str) -> None:
            if fraction < 0:  # the executor is done with the job
                return self.forget(job_id)
            with self._lock:
                self._latest[job_id] = (round(min(fraction, 1.0), 3), message)

        return report

    def latest(self, job_id: str) -> tuple[float, str] | None:
        with self._lock:
            return self._latest.get(job_id)

    def forget(self, job_id: str) -> None:
        with self._lock:
            self._latest.pop(job_id, None)


def event(kind: str, data: dict[str, Any], n: int) -> bytes:
    """One server-sent event."""
    return f"id: {n}\nevent: {kind}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n".encode()


def job_events(studio: Studio, job_id: str, board: Board | None, poll: float = POLL_SECONDS,
               allowed: Callable[[], bool] | None = None,
               seen: Callable[[dict[str, Any]], dict[str, Any]] = lambda step: step) -> Iterator[bytes]:
    """``state`` events for each step of the job's history (from the first), ``progress`` events while it runs,
    and a last ``end`` event with its settled state.

    ``allowed`` is asked before each look at the job: once it says no (the follower's token was revoked or
    expired), the stream ends with an ``end`` event that says so and tells nothing more of the job. ``seen``
    cuts each step down to what the follower may see of it (``api.scope.step_plain``).
    """
    sent, shown, n, spoke = 0, None, 0, time.monotonic()
    while True:
        if allowed is not None and not allowed():
            yield event("end", {"job": job_id, "state": None, "problem": "the access token is no longer live"}, n + 1)
            return
        with studio.transaction() as tx:
            job = tx.registry.get(Job, job_id)
        for step in job.history[sent:]:
            n, spoke = n + 1, time.monotonic()
            yield event("state", seen(to_plain(step)), n)
        sent, latest = len(job.history), board.latest(job_id) if board else None
        if latest is not None and latest != shown and job.state not in SETTLED:
            shown, n, spoke = latest, n + 1, time.monotonic()
            yield event("progress", {"fraction": latest[0], "message": latest[1]}, n)
        if job.state in SETTLED:
            yield event("end", {"job": job.id, "state": job.state.value}, n + 1)
            return
        if time.monotonic() - spoke > HEARTBEAT_SECONDS:  # keeps proxies from closing a quiet stream
            spoke = time.monotonic()
            yield b": still running\n\n"
        time.sleep(poll)
