"""`verify`: does a file carry valid Content Credentials the studio trusts, and which asset is it?

An EXR frame's manifest is a sidecar: ``FILE.c2pa`` beside it, or the one the asset store keeps under the
frame's hash. A file whose manifest was stripped (a re-encoded copy, a screenshot) is traced through its invisible
watermark to the asset and job it came from; a file with neither says so plainly. A watermark can be
lifted off one picture and pasted onto another, so a mark alone never names an asset: the traced file's
picture must match the asset's stored picture, or it is reported as a copied mark.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from greenlight.domain import Asset, Job, to_plain
from greenlight.errors import MediaError, NotFound, ProvenanceError
from greenlight.runtime.signing import trust_root
from greenlight.runtime.studio import Studio

# The watermark's confidence is the mean |z-score| of its 64 bit correlations. Unmarked pictures, edited or
# not, have scored up to 1.76 (docs/benchmarks.md), so a mark is claimed only when its payload's checksum
# holds; the signal then says how clearly: from STRONG up no unmarked picture has scored.
UNMARKED_TOP = 1.76
STRONG = 1.8


def mark_strength(mark) -> str:
    """``strong`` or ``weak`` for a recovered mark (signal above, or within, unmarked pictures' range); ``none``."""
    if mark is None or mark.payload is None:
        return "none"
    return "strong" if mark.confidence >= STRONG else "weak"


@dataclass(frozen=True)
class Verification:
    """The answer for one file. ``verified`` only for an intact manifest chained to the studio root.

    ``mark_state`` says what the watermark showed: ``none`` (no mark read), ``unknown`` (a mark naming
    no asset of this studio), ``traced`` (it names an asset and the picture is that asset's), or
    ``copied`` (it names an asset but the picture is not that asset's: ``asset`` and ``job`` stay None).
    """

    path: str
    verified: bool
    reason: str
    manifest: object  # provenance.ManifestReport
    watermark: object | None  # provenance.WatermarkRead
    asset: Asset | None
    job: Job | None
    mark_state: str = "none"
    copied_from: str | None = None  # the asset id a copied mark names


def verify_file(studio: Studio, path: Path) -> Verification:
    """Check a file's Content Credentials against the studio root and trace it through its watermark.

    Raises:
        MediaError: the file is not a readable image or video.
        ProvenanceError: the file does not exist.
    """
    from greenlight.media import media_kind
    from greenlight.provenance import read_manifest, read_watermark

    path = Path(path)
    if not path.is_file():
        raise ProvenanceError(f"{path} does not exist", "give the path of the file to verify")
    media_kind(path)
    report = read_manifest(path, trust_root(studio), _stored_sidecar(studio, path))
    try:
        mark = read_watermark(path)
    except MediaError:  # a tampered file may no longer decode; the manifest still says what it was
        mark = None
    with studio.transaction() as tx:
        marked = tx.registry.asset_by_mark(f"{mark.payload:012x}") if mark and mark.found else None
    state = "none" if not (mark and mark.found) else "unknown" if marked is None else "traced"
    if marked is not None and report.state != "trusted" and not _same_picture(studio, path, marked, mark):
        verified, reason = False, _copied_reason(report, mark, marked)
        return Verification(str(path), verified, reason, report, mark, None, None, "copied", marked.id)
    with studio.transaction() as tx:
        asset = marked or _from_manifest(tx, report)
        job = _job(tx, asset)
    verified, reason = _judge(report, mark, asset)
    return Verification(str(path), verified, reason, report, mark, asset, job, state)


def _stored_sidecar(studio: Studio, path: Path) -> Path | None:
    """For an EXR with no ``.c2pa`` beside it, the sidecar manifest the store keeps under its hash (if any)."""
    from greenlight.media import file_sha256
    from greenlight.media.exr import is_exr
    from greenlight.provenance.spec import sidecar_path

    with path.open("rb") as f:
        if not is_exr(f.read(4)) or sidecar_path(path).is_file():
            return None
    return studio.assets.sidecar_for(file_sha256(path))


def _same_picture(studio: Studio, path: Path, asset: Asset, mark) -> bool:
    """Whether the file's picture is the asset's (edited or not), laid over it by the mark's registration."""
    from greenlight.provenance.watermark_match import same_picture

    stored = studio.home / asset.path
    if mark.registration is None or not stored.is_file():
        return False  # nothing to compare with: the mark alone does not name the asset
    try:
        return any(same_picture(read, original, mark.registration)
                   for read in _pictures(path, 1) for original in _pictures(stored, 12))
    except MediaError:
        return False


def _pictures(path: Path, frames: int) -> list:
    from greenlight.media import load_image, media_kind

    if media_kind(path) == "video":
        from greenlight.provenance.video import sample_frames

        return sample_frames(path, frames)
    return [load_image(path)]


def _copied_reason(report, mark, asset: Asset) -> str:
    what = {"unsigned": "no Content Credentials", "invalid": "invalid Content Credentials",
            "valid": "Content Credentials from a signer the studio root does not trust"}.get(report.state, "")
    return (f"copied mark: {what}; its watermark ({mark.payload:012x}) names asset {asset.id}, but the picture "
            f"is not that asset's (the mark was lifted from it and pasted onto something else)")


def _from_manifest(tx, report) -> Asset | None:
    asset_id = report.job.asset_id if report.job else None
    if asset_id:
        try:
            return tx.registry.asset(asset_id)
        except NotFound:
            return None
    return None


def _job(tx, asset: Asset | None) -> Job | None:
    if asset is None or asset.job_id is None:
        return None
    try:
        return tx.registry.get(Job, asset.job_id)
    except NotFound:
        return None


def _judge(report, mark, asset: Asset | None) -> tuple[bool, str]:
    """(verified, the reason in one line)."""
    payload = mark.payload if mark is not None else None
    traced = ""
    if asset is not None and payload is not None:
        traced = f"; its watermark traces it to asset {asset.id}" + (f" of job {asset.job_id}" if asset.job_id else "")
    if report.state == "unsigned":
        if traced:
            return False, "no Content Credentials (stripped or re-encoded)" + traced
        if payload is not None:
            return False, f"no Content Credentials; a watermark ({payload:012x}) names no asset of this studio"
        return False, "no Content Credentials and no Greenlight watermark: nothing says where it came from"
    if report.state == "invalid":
        what = "tampered: the file no longer matches its signed hash" if report.tampered else "invalid manifest"
        return False, f"{what} ({', '.join(report.failures)})" + traced
    if report.state == "valid":
        return False, f"signed by {report.signer}, which the studio root does not trust" + traced
    if report.job and asset is not None and report.job.asset_id != asset.id:
        return False, f"the manifest names asset {report.job.asset_id} but the watermark names {asset.id}"
    return True, f"Content Credentials valid and trusted (signed by {report.signer})"


def verification_plain(result: Verification) -> dict[str, Any]:
    """The JSON form of a verification (schema ``greenlight.verify.1``, see README): `greenlight verify --json`
    and the service's ``/verify`` give the same."""
    report, mark, asset, job = result.manifest, result.watermark, result.asset, result.job
    return {
        "schema": "greenlight.verify.1",
        "file": result.path,
        "verified": result.verified,
        "reason": result.reason,
        "manifest": {
            "state": report.state,
            "signer": report.signer,
            "failures": list(report.failures),
            "actions": [to_plain(a) for a in report.actions],
            "ingredients": [to_plain(i) for i in report.ingredients],
            "do_not_train": report.do_not_train,
            "greenlight": to_plain(report.job) if report.job else None,
            "sidecar": report.sidecar or None,
        },
        "watermark": {"payload": f"{mark.payload:012x}" if mark and mark.payload is not None else None,
                      "confidence": round(mark.confidence, 3) if mark else None,
                      "strength": mark_strength(mark),
                      "state": result.mark_state, "copied_from": result.copied_from},
        "asset": {"id": asset.id, "role": asset.role, "path": asset.path} if asset else None,
        "job": {"id": job.id, "engine": job.engine, "state": job.state.value} if job else None,
    }
