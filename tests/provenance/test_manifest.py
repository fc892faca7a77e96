"""Content Credentials: sign -> read -> validate, tampering, foreign roots, unsigned files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from greenlight.errors import ProvenanceError
from greenlight.provenance import (
    GreenlightJob,
    Ingredient,
    ManifestSpec,
    Relationship,
    SourceKind,
    read_manifest,
    sign_file,
)
from greenlight.provenance.spec import IPTC

JOB = GreenlightJob(production="prod_heist", job_id="job_42", engine="deage", asset_id="asset_7",
                    model="sd-local", seed=1234, consent_grant_ids=("cg_1", "cg_2"))


def _spec(source: SourceKind = SourceKind.GENERATED, ingredients: tuple[Ingredient, ...] = ()) -> ManifestSpec:
    return ManifestSpec("Shot 12 take 3", source, "greenlight.engines.deage", ingredients, JOB)


@pytest.fixture(params=["png", "jpg", "mp4"])
def signed(request, identity, stills, clip, tmp_path: Path) -> Path:
    src = clip if request.param == "mp4" else stills[request.param]
    dst = tmp_path / f"signed.{request.param}"
    sign_file(src, dst, _spec(SourceKind.ALTERED, (Ingredient(src, Relationship.PARENT),)), identity)
    return dst


def test_round_trip_is_trusted_by_the_studio_root(signed: Path, identity) -> None:
    report = read_manifest(signed, identity.root_pem)
    assert report.state == "trusted" and report.present and report.valid and report.trusted, report.failures
    assert report.signer == "Test Studio Content Credentials"
    assert [a.action for a in report.actions] == ["c2pa.opened", "c2pa.edited"]
    assert report.actions[-1].digital_source_type == IPTC + "compositeWithTrainedAlgorithmicMedia"
    assert report.actions[-1].software_agent == "greenlight.engines.deage"
    assert [(i.relationship, i.has_credentials) for i in report.ingredients] == [("parentOf", False)]
    assert report.do_not_train
    assert report.job == JOB


def test_created_outputs_name_their_digital_source_type(identity, stills, tmp_path: Path) -> None:
    cases = ((SourceKind.GENERATED, "trainedAlgorithmicMedia"), (SourceKind.PROCEDURAL, "algorithmicMedia"))
    for source, code in cases:
        sign_file(stills["png"], tmp_path / "out.png", _spec(source), identity)
        (action,) = read_manifest(tmp_path / "out.png", identity.root_pem).actions
        assert (action.action, action.digital_source_type) == ("c2pa.created", IPTC + code)


def test_flipped_byte_is_reported_tampered(signed: Path, identity, tmp_path: Path) -> None:
    data = bytearray(signed.read_bytes())
    at = data.find(b"mdat") + 400 if signed.suffix == ".mp4" else len(data) - 2000
    data[at] ^= 0x01
    tampered = tmp_path / f"tampered{signed.suffix}"
    tampered.write_bytes(bytes(data))
    report = read_manifest(tampered, identity.root_pem)
    assert report.state == "invalid" and report.tampered and not report.valid
    assert any(code in report.failures for code in ("assertion.dataHash.mismatch", "assertion.bmffHash.mismatch"))


def test_another_root_is_untrusted(identity, other_identity, stills, tmp_path: Path) -> None:
    sign_file(stills["jpg"], tmp_path / "foreign.jpg", _spec(), other_identity)
    report = read_manifest(tmp_path / "foreign.jpg", identity.root_pem)
    assert report.state == "valid" and report.valid and not report.trusted
    assert "signingCredential.untrusted" in report.failures
    assert read_manifest(tmp_path / "foreign.jpg", other_identity.root_pem).trusted


def test_unsigned_file_has_no_credentials(stills, clip, identity) -> None:
    for path in (stills["png"], stills["jpg"], clip):
        report = read_manifest(path, identity.root_pem)
        assert report.state == "unsigned" and not report.present and not report.do_not_train


def test_existing_credentials_are_kept_as_an_ingredient(identity, other_identity, stills, tmp_path: Path) -> None:
    outside = tmp_path / "outside.png"
    sign_file(stills["png"], outside, _spec(), other_identity)  # an outside tool's signed output
    ingest = ManifestSpec("ingested", SourceKind.GENERATED, "Outside Tool 3.1")
    sign_file(outside, outside, ingest, identity)  # in place
    report = read_manifest(outside, identity.root_pem)
    assert report.trusted and report.actions[0].software_agent == "Outside Tool 3.1"
    assert [(i.title, i.relationship, i.has_credentials) for i in report.ingredients] == [
        ("outside.png", "parentOf", True)]


def test_failures_leave_no_file_behind(identity, stills, tmp_path: Path) -> None:
    missing = Ingredient(tmp_path / "nope.png", Relationship.COMPONENT)
    with pytest.raises(ProvenanceError, match="nope.png"):
        sign_file(stills["png"], tmp_path / "out.png", _spec(ingredients=(missing,)), identity)
    notes = tmp_path / "notes.txt"
    notes.write_text("not media")
    with pytest.raises(ProvenanceError, match="cannot carry"):
        sign_file(notes, tmp_path / "out.txt", _spec(), identity)
    notes.unlink()
    with pytest.raises(ProvenanceError, match="does not exist"):
        sign_file(tmp_path / "absent.png", tmp_path / "out.png", _spec(), identity)
    assert list(tmp_path.iterdir()) == []


def test_read_refuses_missing_and_non_media_files(tmp_path: Path) -> None:
    with pytest.raises(ProvenanceError, match="does not exist"):
        read_manifest(tmp_path / "absent.png")
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(ProvenanceError):
        read_manifest(tmp_path / "notes.txt")


def test_report_without_root_is_valid_not_trusted(identity, stills, tmp_path: Path) -> None:
    shutil.copy(stills["png"], tmp_path / "a.png")
    sign_file(tmp_path / "a.png", tmp_path / "b.png", _spec(), identity)
    assert read_manifest(tmp_path / "b.png").state == "valid"


def test_a_thumbnail_only_when_asked(identity, stills, tmp_path: Path) -> None:
    import dataclasses
    import json

    import c2pa

    def thumbnail(spec: ManifestSpec) -> object:
        dst = tmp_path / f"{spec.thumbnail}.jpg"
        sign_file(stills["jpg"], dst, spec, identity)
        with c2pa.Reader(str(dst)) as reader:
            store = json.loads(reader.json())
        return store["manifests"][store["active_manifest"]].get("thumbnail")

    assert thumbnail(_spec()) is None
    assert thumbnail(dataclasses.replace(_spec(), thumbnail=True)) is not None
