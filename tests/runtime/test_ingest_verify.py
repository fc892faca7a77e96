"""Outside media through the gate (ingest), and `verify` on what comes out — and on copies of it."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from greenlight.domain import JobState, RateUnit, Use
from greenlight.runtime.executor import LocalExecutor
from greenlight.runtime.jobs import submit
from greenlight.runtime.verification import verify_file
from tests.runtime.conftest import PRODUCTION, cut, ledger_kinds


def ingest(cast, path: Path, use: Use = Use.INDEPENDENT_REPLICA):
    job = submit(cast.studio, "ingest", {"tool": "HostedModel 3", "use": use.value}, [path], PRODUCTION, "artist")
    return LocalExecutor(cast.studio).run(job.id)


def output_path(cast, job) -> Path:
    with cast.studio.transaction() as tx:
        return cast.studio.home / tx.registry.asset(job.outputs[0]).path


def test_ingested_image_is_signed_marked_and_verifies(cast):
    grant = cast.grant(cast.lead, Use.INDEPENDENT_REPLICA, RateUnit.PER_IMAGE)
    job = ingest(cast, cast.lead_photo)
    assert job.state is JobState.IN_REVIEW and job.grant_ids == (grant.id,)
    result = verify_file(cast.studio, output_path(cast, job))
    assert result.verified, result.reason
    assert result.manifest.do_not_train
    assert [a.software_agent for a in result.manifest.actions if a.action == "c2pa.created"] == ["HostedModel 3"]
    assert len(result.manifest.ingredients) == 1
    assert result.manifest.job.consent_grant_ids == (grant.id,)
    assert result.asset.id == job.outputs[0] and result.job.id == job.id
    assert "asset.signed" in ledger_kinds(cast.studio)


def test_stripped_and_recompressed_copy_is_traced_by_its_watermark(cast, tmp_path):
    cast.grant(cast.lead, Use.INDEPENDENT_REPLICA, RateUnit.PER_IMAGE)
    job = ingest(cast, cast.lead_photo)
    image = Image.open(output_path(cast, job)).convert("RGB")
    copy = tmp_path / "copy.jpg"
    image.resize((image.width * 3 // 4, image.height * 3 // 4)).save(copy, quality=75)
    result = verify_file(cast.studio, copy)
    assert not result.verified and result.manifest.state == "unsigned"
    assert result.asset.id == job.outputs[0] and result.job.id == job.id
    assert "watermark traces it" in result.reason


def test_ingested_clip_verifies_and_keeps_audio(cast, cast_clip, tmp_path):
    from greenlight.media import probe_video

    cast.grant(cast.lead, Use.INDEPENDENT_REPLICA)
    cast.grant(cast.second, Use.INDEPENDENT_REPLICA)
    clip = tmp_path / "short.mp4"
    cut(cast_clip.path, clip, start=cast_clip.lead_alone.start, frames=45)
    job = ingest(cast, clip)
    assert job.state is JobState.IN_REVIEW, job.history[-1].note
    signed = output_path(cast, job)
    result = verify_file(cast.studio, signed)
    assert result.verified, result.reason
    assert result.watermark.payload is not None and result.asset.id == job.outputs[0]
    assert probe_video(signed).has_audio and probe_video(signed).frame_count == probe_video(clip).frame_count


def test_blocked_ingest_is_quarantined_and_never_signed(cast, tmp_path):
    # a neutral file name: a name in it would block at preflight, before the face scan this is about
    plate = tmp_path / "plate_07.jpg"
    plate.write_bytes((cast.faces / "biden" / "biden.jpg").read_bytes())  # Joe Biden: enrolled, no grant
    job = ingest(cast, plate)
    assert job.state is JobState.BLOCKED
    with cast.studio.transaction() as tx:
        roles = {tx.registry.asset(a).role for a in job.outputs}
        signed = [a for a in tx.registry.job_assets(job.id) if a.role == "output"]
    assert roles <= {"input", "quarantined"} and not signed
    assert "asset.quarantined" in ledger_kinds(cast.studio) and "asset.signed" not in ledger_kinds(cast.studio)


def test_tampered_untrusted_and_unsigned_files_are_reported(cast, tmp_path):
    from greenlight.provenance import init_keys
    from greenlight.runtime.signing import keys_folder
    from greenlight.runtime.studio import Studio

    cast.grant(cast.lead, Use.INDEPENDENT_REPLICA, RateUnit.PER_IMAGE)
    signed = output_path(cast, ingest(cast, cast.lead_photo))
    tampered = tmp_path / "tampered.png"
    data = bytearray(signed.read_bytes())
    data[len(data) // 2] ^= 0xFF  # inside the image data, which the manifest's hash covers
    tampered.write_bytes(bytes(data))
    report = verify_file(cast.studio, tampered)
    assert not report.verified and report.manifest.tampered and "tampered" in report.reason

    other = Studio.create(tmp_path / "other")
    other.__dict__["analyzer"] = cast.studio.analyzer
    init_keys(keys_folder(other))
    untrusted = verify_file(other, signed)
    assert not untrusted.verified and untrusted.manifest.state == "valid" and "does not trust" in untrusted.reason

    plain = verify_file(cast.studio, cast.faces / "obama" / "obama.jpg")
    assert not plain.verified and plain.manifest.state == "unsigned" and plain.asset is None
