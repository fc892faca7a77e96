"""`verify`: does a file carry valid Content Credentials the studio trusts, and which asset is it?

A file whose manifest was stripped (a re-encoded copy, a screenshot) is traced through its invisible
watermark to the asset and job it came from; a file with neither says so plainly.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from greenlight.domain import Asset, Job
from greenlight.errors import MediaError, NotFound, ProvenanceError
from greenlight.runtime.signing import trust_root
from greenlight.runtime.studio import Studio


@dataclass(frozen=True)
class Verification:
    """The answer for one file. ``verified`` only for an intact manifest chained to the studio root."""

    path: str
    verified: bool
    reason: str
    manifest: object  # provenance.ManifestReport
    watermark: object | None  # provenance.WatermarkRead
    asset: Asset | None
    job: Job | None


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
    report = read_manifest(path, trust_root(studio))
    try:
        mark = read_watermark(path)
    except MediaError:  # a tampered file may no longer decode; the manifest still says what it was
        mark = None
    with studio.transaction() as tx:
        asset = _traced(tx, mark.payload if mark else None, report)
        job = _job(tx, asset)
    verified, reason = _judge(report, mark, asset)
    return Verification(str(path), verified, reason, report, mark, asset, job)


def _traced(tx, payload: int | None, report) -> Asset | None:
    if payload is not None:
        found = tx.registry.asset_by_mark(f"{payload:012x}")
        if found is not None:
            return found
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
