"""The one small protocol every engine implements, and how engines are found.

An engine makes or alters media. It never decides policy and never writes the ledger: the runtime
runs the guards around it, signs and watermarks what it returns, and records every step.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, Protocol

from greenlight.errors import NotFound

ENTRY_POINT_GROUP = "greenlight.engines"

Progress = Callable[[float, str], None]
"""Called with the fraction done (0..1) and a short line saying what is happening."""


@dataclass(frozen=True)
class EngineInfo:
    """What an engine is, for people and for the guards.

    ``likeness_use`` is the consent use the engine's work implies for the faces it touches (a de-aging
    engine implies ``digital-alteration``); ``source_type`` is the IPTC digital source type its
    outputs carry in their Content Credentials; ``action`` is ``c2pa.created`` or ``c2pa.edited``.
    ``makes`` is the media its outputs are (``"image"``, ``"video"``); empty means the same media as
    its inputs (a still de-aged is a still). The runtime checks it against the unit of every grant a
    job relies on when the job is submitted.
    """

    name: str
    version: str
    summary: str
    action: str
    source_type: str
    likeness_use: str | None = None
    makes: tuple[str, ...] = ()


@dataclass(frozen=True)
class EngineRequest:
    """Everything an engine run needs, as plain data: inputs by path, typed parameters, the seed.

    ``likeness`` maps a talent id to that talent's enrolled 128-d embeddings, for engines that must
    find one person's face (de-aging); the runtime fills it from the registry.
    """

    inputs: tuple[Path, ...]
    params: Mapping[str, Any]
    seed: int = 0
    likeness: Mapping[str, tuple[tuple[float, ...], ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class EngineOutput:
    """One file an engine wrote into its work folder, with what it is.

    ``notes`` are the engine's own facts about the output; ``notes["summary"]``, when given, is one line
    the job's history keeps (what the engine chose, what it left out and why). ``components`` are files
    composed into the output beyond the job's inputs (the library references on a mood board), each with
    the title its Content Credentials give it as an ingredient. ``text`` is words the engine drew into
    the output that the job's own text did not hold (a board's captions): the postflight guard screens
    them for names like the job's text.
    """

    path: Path
    media: str  # "image" or "video"
    role: str = "result"
    notes: Mapping[str, Any] = field(default_factory=dict)
    components: Mapping[Path, str] = field(default_factory=dict)
    text: tuple[str, ...] = ()


class Engine(Protocol):
    """Describe, check inputs, run with progress. Nothing else."""

    info: EngineInfo

    def check_inputs(self, request: EngineRequest) -> None:
        """Raise ``greenlight.errors.InvalidInput`` naming the problem if the request cannot run."""

    def run(self, request: EngineRequest, workdir: Path, progress: Progress) -> list[EngineOutput]:
        """Make the outputs inside ``workdir`` and return them."""


def available_engines() -> dict[str, Any]:
    """Engine names to their (not yet imported) entry points."""
    return {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}


def load_engine(name: str) -> Engine:
    """Import and construct the engine registered under ``name``.

    Raises:
        NotFound: no engine of that name is installed.
    """
    found = available_engines()
    if name not in found:
        known = ", ".join(sorted(found)) or "none"
        raise NotFound(f"no engine named {name!r}", f"installed engines: {known}")
    return found[name].load()()
