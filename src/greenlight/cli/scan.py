"""`greenlight scan` and `greenlight screen`: who is in this file, who is named in this text."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from greenlight.cli.common import ActorOption, JsonOption, StudioOption, actor, console, open_studio, print_json
from greenlight.cli.progress import FrameProgress
from greenlight.domain import Decision, Production, ScanResult, Use, to_plain

ProductionOption = Annotated[str | None, typer.Option("--production", "-p", help="Production code.")]
UseOption = Annotated[str | None, typer.Option("--use", "-u", help="The use to check consent for.")]
JSON_SCHEMA = "greenlight.scan.1"


def scan(
    file: Annotated[Path, typer.Argument(help="An image (JPEG, PNG) or a video (MP4, MOV).")],
    production: ProductionOption = None,
    use: UseOption = None,
    studio: StudioOption = None,
    as_: ActorOption = None,
    json: JsonOption = False,
) -> None:
    """Find every face, identify it, and decide. Exit status: 0 allow, 3 escalate, 4 block."""
    from greenlight.errors import InvalidInput
    from greenlight.runtime.scanning import scan as run_scan

    if (production is None) != (use is None):
        raise InvalidInput("give both --production and --use to check consent, or neither")
    home = open_studio(studio)
    with FrameProgress(f"scanning {file.name}", enabled=not json) as report:
        outcome = run_scan(home, file, actor(as_), production, Use.parse(use) if use else None, progress=report)
    with home.transaction() as tx:
        codes = {p.id: p.code for p in tx.registry.list(Production)}
    if json:
        print_json(scan_json(outcome.scan, outcome.decision, codes))
    else:
        print_scan(outcome.scan)
        print_decision(outcome.decision)
    raise typer.Exit(outcome.decision.verdict.exit_code)


def screen(
    text: Annotated[str, typer.Argument(help="A prompt, brief or parameter to screen for names.")],
    production: Annotated[str, typer.Option("--production", "-p", help="Production code.")],
    use: Annotated[str, typer.Option("--use", "-u", help="The use to check consent for.")],
    studio: StudioOption = None,
    as_: ActorOption = None,
    json: JsonOption = False,
) -> None:
    """Screen text for names of talent, protected persons and works. Exit status as for scan."""
    from greenlight.runtime.scanning import screen as run_screen

    decision = run_screen(open_studio(studio), text, production, Use.parse(use), actor(as_))
    if json:
        print_json(decision_json(decision, {decision.production_id: production}))
    else:
        print_decision(decision)
    raise typer.Exit(decision.verdict.exit_code)


def scan_json(scan: ScanResult, decision: Decision, production_codes: dict[str, str]) -> dict[str, Any]:
    """The documented, stable JSON form of a scan (schema ``greenlight.scan.1``, see README)."""
    return {
        "schema": JSON_SCHEMA,
        "file": scan.path,
        "sha256": scan.sha256,
        "media": scan.media,
        "width": scan.width,
        "height": scan.height,
        "frames": scan.frame_count,
        "fps": scan.fps,
        "faces": [{"box": _box(f.box), "identity": _identity(f.identity), "page": f.page} for f in scan.faces],
        "tracks": [
            {
                "track": t.track_id,
                "stream": t.stream,
                "first_frame": t.first_frame,
                "last_frame": t.last_frame,
                "identity": _identity(t.identity),
                "boxes": [[frame, *_box(box)] for frame, box in t.boxes],
            }
            for t in scan.tracks
        ],
        "decision": decision_json(decision, production_codes),
    }


def decision_json(decision: Decision, production_codes: dict[str, str]) -> dict[str, Any]:
    return {
        "id": decision.id,
        "verdict": decision.verdict.value,
        "production": production_codes.get(decision.production_id) if decision.production_id else None,
        "use": decision.use,
        "reasons": [
            {
                "verdict": r.verdict.value,
                "code": r.code,
                "message": r.message,
                "subject_id": r.subject_id,
                "evidence": to_plain(r.evidence),
            }
            for r in decision.reasons
        ],
    }


def _box(box) -> list[int]:
    return [box.left, box.top, box.right, box.bottom]


def _identity(identity) -> dict[str, Any]:
    distance = None if identity.distance is None else round(identity.distance, 4)
    plain = {"kind": identity.kind.value, "id": identity.subject_id, "name": identity.name, "distance": distance}
    if identity.also:
        plain["also"] = [_identity(other) for other in identity.also]
    return plain


def print_scan(scan: ScanResult) -> None:
    console.print(
        f"{scan.path}: {scan.media} {scan.width}×{scan.height}"
        + (f", {scan.frame_count} frames at {scan.fps:.2f} fps" if scan.media == "video" else "")
    )
    for face in scan.faces:
        console.print(f"  face at {_box(face.box)}: {_who(face.identity)}")
    for t in scan.tracks:
        console.print(f"  track {t.track_id}, frames {t.first_frame}–{t.last_frame}: {_who(t.identity)}")
    if not scan.faces and not scan.tracks:
        console.print("  no faces")


def _who(identity) -> str:
    distance = f" (distance {identity.distance:.2f})" if identity.distance is not None else ""
    return f"{identity.kind.value} {identity.name or ''}{distance}".replace("  ", " ")


def print_decision(decision: Decision, stage: str | None = None, indent: str = "") -> None:
    """The verdict, its decision id and every reason; with ``stage``, which guard decided
    (``preflight guard: ALLOW``); every line after ``indent``."""
    colour = {"allow": "green", "escalate": "yellow", "block": "red"}[decision.verdict.value]
    gate = f"{stage} guard: " if stage else ""
    console.print(f"{indent}{gate}{decision.verdict.value.upper()} (decision {decision.id})", style=f"bold {colour}")
    for reason in decision.reasons:
        console.print(f"{indent}  {reason.verdict.value}: {reason.message} [{reason.code}]")
