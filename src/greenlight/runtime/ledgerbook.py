"""The ledger as the CLI and the service both read it: verified against every checkpoint, exported as JSON Lines.

``greenlight ledger verify|export`` and the service's ``/ledger`` routes call these, so both check the same
checkpoints (the studio's file, the ones someone kept, every signed output's Content Credentials) and write
the same lines.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from greenlight.domain import canonical_json
from greenlight.errors import InvalidInput
from greenlight.runtime.studio import Studio


def verify_ledger(studio: Studio, kept: Sequence[Path] = (), accept_restart: int | None = None):
    """The audit of the chain, every checkpoint and every registry row (a ``ledger.audit.AuditReport``).

    Args:
        kept: checkpoint files (or folders of them) kept outside the studio by legal or talent.
        accept_restart: the entry at which a restart of the checkpoints file is acknowledged.

    Raises:
        InvalidInput: a kept checkpoint cannot be read, naming the file.
    """
    from greenlight.ledger.audit import audit

    others = [*(given for path in kept for given in kept_checkpoints(path)), *manifest_checkpoints(studio)]
    with studio.transaction() as tx:
        return audit(tx.ledger.session, studio.checkpoints, others, accept_restart)


def audit_plain(report) -> dict[str, Any]:
    """The JSON form of an audit (`greenlight ledger verify --json`)."""
    latest = report.latest.to_plain() if report.latest else None
    return {"ok": report.ok, "entries": report.count, "problems": list(report.problems),
            "notes": list(report.notes), "protected": report.protected, "checkpoints": report.checkpoints,
            "latest_checkpoint": latest}


def kept_checkpoints(path: Path) -> list:
    """The checkpoint in ``path``, or every ``*.json`` checkpoint in it when it is a folder (`checkpoint --to`)."""
    if Path(path).is_dir():
        files = sorted(Path(path).glob("*.json"))
        if not files:  # a wrong folder given would otherwise pass as "0 kept checkpoints"
            raise InvalidInput(f"{path}: no checkpoint files (*.json) in this folder",
                               "give the folder `ledger checkpoint --to` wrote, or a checkpoint file")
        return [kept_checkpoint(file) for file in files]
    return [kept_checkpoint(path)]


def kept_checkpoint(path: Path):
    """A checkpoint file someone kept, as a ``Sourced`` checkpoint. Raises InvalidInput naming the file."""
    from greenlight.ledger.audit import Sourced
    from greenlight.ledger.checkpoint import Checkpoint

    try:
        return Sourced(str(path), "given", Checkpoint.from_plain(json.loads(Path(path).read_text("utf-8"))))
    except OSError as exc:
        raise InvalidInput(f"{path}: cannot read the checkpoint ({exc.strerror})") from None
    except (ValueError, UnicodeDecodeError):
        raise InvalidInput(f"{path}: not a Greenlight ledger checkpoint",
                           "give a file written by `greenlight ledger checkpoint`") from None


def manifest_checkpoints(studio: Studio) -> list:
    """The checkpoints carried in the Content Credentials of every signed output in the asset store."""
    from greenlight.domain import Asset
    from greenlight.ledger.audit import Sourced
    from greenlight.ledger.checkpoint import Checkpoint

    with studio.transaction() as tx:
        signed = [a for a in tx.registry.list(Asset) if a.role in ("output", "quarantined") and a.mark]
    if not signed:
        return []
    from greenlight.errors import ProvenanceError
    from greenlight.provenance import read_manifest

    found, seen = [], set()
    for asset in signed:
        try:
            report = read_manifest(studio.home / asset.path)
            data = report.job.ledger_checkpoint if report.job else None
            checkpoint = Checkpoint.from_plain(data) if data else None
        except (ProvenanceError, ValueError):
            continue  # a file that cannot be read here is `greenlight verify`'s to report
        if checkpoint is not None and checkpoint.id not in seen:
            seen.add(checkpoint.id)
            found.append(Sourced(f"the manifest of {asset.path}", "manifest", checkpoint))
    return found


def export_ledger(studio: Studio, target: Path) -> int:
    """Write every entry as JSON Lines to ``target`` inside the studio folder; returns how many.

    Raises:
        OutsideStudio: ``target`` is outside the studio folder (the export names talent and decisions).
    """
    from greenlight.store.home import check_inside

    target = check_inside(studio.home, target)
    with studio.transaction() as tx:
        return tx.ledger.export_jsonl(target)


def ledger_lines(studio: Studio) -> Iterator[bytes]:
    """Every entry's canonical JSON and a newline, oldest first: the lines `export_ledger` writes."""
    with studio.transaction() as tx:
        for entry in tx.ledger.entries():
            yield canonical_json(entry).encode("utf-8") + b"\n"
