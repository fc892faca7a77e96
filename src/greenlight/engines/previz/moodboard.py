"""The ``moodboard`` engine: a brief → a board composed from the studio's licensed reference library.

Fixed steps: read the library → rank its references against the brief → leave out every reference whose
licence does not allow this use or has run out (and say which, and why) → lay out the best ones with
their captions, owners and the board's colour palette. Every reference on the board is declared as a
component of the output, so its Content Credentials list each one (title and SHA-256) as an ingredient.

A board is a composite of licensed photographs arranged by an algorithm, with no trained model: its
IPTC digital source type is ``composite``, not ``trainedAlgorithmicMedia`` (nothing on it was generated)
and not ``compositeCapture`` (its parts are not captures of one scene, and the title and palette are
drawn). The guards still run around it: the brief is screened before any work, and the board is scanned
for faces after, like every output (a photo of enrolled talent on a board needs consent for previs).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from greenlight.domain import Use, utcnow
from greenlight.engines.base import EngineInfo, EngineOutput, EngineRequest, Progress
from greenlight.engines.previz.library import Reference, read_library, refusal
from greenlight.errors import InvalidInput

IPTC_COMPOSITE = "http://cv.iptc.org/newscodes/digitalsourcetype/composite"
MAX_REFERENCES = 12
SAID = 10  # excluded references named in the job's history; the engine's notes list them all


@dataclass(frozen=True)
class Selection:
    """What a brief takes from a library: the references on the board (best first, with their scores)
    and the relevant ones left out, each with why."""

    used: tuple[tuple[Reference, float], ...]
    excluded: tuple[tuple[Reference, str], ...]

    def summary(self) -> str:
        """One line for the job's history and the CLI: how many were used, which were left out and why."""
        count = len(self.used)
        line = f"mood board of {count} licensed reference{'s' if count != 1 else ''}"
        if self.excluded:
            named = "; ".join(f"{r.name} ({why})" for r, why in self.excluded[:SAID])
            more = len(self.excluded) - SAID
            line += f"; excluded {named}" + (f"; and {more} more relevant references with licences that do not "
                                             "allow this use or have run out" if more > 0 else "")
        return line


def select(references: Sequence[Reference], brief: str, count: int, use: str, on: date) -> Selection:
    """The ``count`` best references for ``brief`` whose licence allows ``use`` on ``on``.

    Every reference that matches the brief at all but may not be used is reported, not only those that
    would have made the cut: a designer asking for "the rocket" should learn its licence ran out.
    """
    from greenlight.engines.previz.moodboard_rank import rank

    used, excluded = [], []
    for index, score in rank([r.text for r in references], brief):
        why = refusal(references[index], use, on)
        if why:
            excluded.append((references[index], why))
        elif len(used) < count:
            used.append((references[index], score))
    return Selection(tuple(used), tuple(excluded))


class MoodboardEngine:
    """A mood board from the licensed library named by ``library``, for the ``brief``."""

    info = EngineInfo(
        name="moodboard",
        version="1",
        summary="a mood board from the studio's licensed reference library, ranked against a brief",
        action="c2pa.created",
        source_type=IPTC_COMPOSITE,
        likeness_use=Use.PREVIS.value,
        makes=("image",),
    )

    def check_inputs(self, request: EngineRequest) -> None:
        """Refuse a request without a brief, with a bad count, with input media, or with a bad library.

        Raises:
            InvalidInput: naming the parameter, or the library file that is wrong.
        """
        params = request.params
        if not str(params.get("brief", "")).strip():
            raise InvalidInput("a mood board needs a brief", 'say what it is for, e.g. "a 1970s bunker, cold light"')
        if request.inputs:
            raise InvalidInput("a mood board takes no input files", "name the reference library with --library")
        count = params.get("n", 6)
        if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= MAX_REFERENCES:
            raise InvalidInput(f"n={count!r}: a board holds 1 to {MAX_REFERENCES} references", "use --n 6")
        read_library(_library(params))

    def run(self, request: EngineRequest, workdir: Path, progress: Progress) -> list[EngineOutput]:
        """Make ``moodboard.png`` in ``workdir``.

        Raises:
            InvalidInput: the library is bad, or no reference it may use matches the brief.
        """
        from greenlight.engines.previz.moodboard_layout import Tile, compose, palette
        from greenlight.media import file_sha256, load_image

        params = request.params
        progress(0.0, "reading the reference library")
        library = _library(params)
        on = utcnow().date()  # a licence is checked on the day the board is made, not the day it was asked for
        chosen = select(read_library(library), params["brief"], params.get("n", 6), _use(params), on)
        if not chosen.used:
            raise InvalidInput(f"no reference in {library} that may be used for this brief ({chosen.summary()})",
                               "widen the brief, or add licensed references whose captions or tags match it")
        progress(0.3, f"laying out {len(chosen.used)} references")
        hashes = {r.image: file_sha256(r.image) for r, _ in chosen.used}
        tiles = [Tile(load_image(r.image), r.caption, r.licence.owner) for r, _ in chosen.used]
        _check_unchanged(hashes)  # the ingredients' hashes are those of the pictures drawn
        colours = palette([t.pixels for t in tiles], seed=request.seed)
        board = _save(workdir / "moodboard.png", compose(params["brief"], tiles, colours))
        progress(0.9, "board laid out")
        return [EngineOutput(board, "image", notes=_notes(chosen, hashes, colours, on, library),
                             components={path: f"{path.name} sha256:{digest}" for path, digest in hashes.items()},
                             # The captions and the owners' credits ("© OWNER") are drawn on the board:
                             # screened after, like the brief before (a credit can print a name too).
                             text=tuple(t for r, _ in chosen.used for t in (r.caption, r.licence.owner)))]


def _check_unchanged(hashes: dict[Path, str]) -> None:
    """Refuse a board whose references changed while they were read (a library being synced meanwhile).

    Raises:
        InvalidInput: naming the first reference whose bytes are no longer those hashed.
    """
    from greenlight.media import file_sha256

    for path, digest in hashes.items():
        if file_sha256(path) != digest:
            raise InvalidInput(f"{path}: the reference changed while the board was being made",
                               "run the job again once the library is no longer being changed")


def _save(path: Path, rgb) -> Path:
    """The board as a quickly compressed PNG: signing writes the file again (watermarked), so a slow,
    small encoding here would be thrown away."""
    from PIL import Image

    from greenlight.media import atomic_output

    with atomic_output(path) as tmp:
        Image.fromarray(rgb).save(tmp, format="PNG", compress_level=1)
    return path


def _library(params) -> Path:
    folder = str(params.get("library", "")).strip()
    if not folder:
        raise InvalidInput("a mood board needs a reference library", "give its folder with --library DIR")
    return Path(folder)


def _use(params) -> str:
    return str(params.get("use") or Use.PREVIS.value)


def _notes(chosen: Selection, hashes: dict, colours, on: date, library: Path) -> dict:
    return {
        "summary": chosen.summary(),
        "library": str(library),
        "licences_checked_on": on.isoformat(),
        "used": [{"reference": r.name, "sha256": hashes[r.image], "owner": r.licence.owner, "score": round(s, 3)}
                 for r, s in chosen.used],
        "excluded": [{"reference": r.name, "why": why} for r, why in chosen.excluded],
        "palette": ["#{:02x}{:02x}{:02x}".format(*c) for c in colours],
    }
