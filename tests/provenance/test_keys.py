"""Signing keys: a valid three-link chain, private files 0600, never overwritten, never shown."""

from __future__ import annotations

import logging
import stat
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID

from greenlight.errors import ProvenanceError
from greenlight.provenance import (
    ManifestSpec,
    SourceKind,
    identity_from_pem,
    identity_from_signer,
    init_keys,
    load_identity,
    read_manifest,
    sign_file,
)
from greenlight.provenance.keys import INTERMEDIATE_CERT, ROOT_CERT, SIGNER_CHAIN, SIGNER_KEY

KEY_FILES = ("root-ca.key", "intermediate-ca.key", "signer.key")


def _key_bodies(folder: Path) -> list[str]:
    """The base64 lines of every private key in ``folder``: none may ever be printed anywhere."""
    lines = []
    for name in KEY_FILES:
        lines += [ln for ln in (folder / name).read_text().splitlines() if ln and not ln.startswith("-----")]
    return lines


def test_private_keys_are_0600_and_certificates_public(identity, keys_dir: Path) -> None:
    for name in KEY_FILES:
        assert stat.S_IMODE((keys_dir / name).stat().st_mode) == 0o600, name
    for name in (ROOT_CERT, INTERMEDIATE_CERT, SIGNER_CHAIN):
        assert stat.S_IMODE((keys_dir / name).stat().st_mode) == 0o644, name


def test_chain_links_root_intermediate_and_end_entity(identity, keys_dir: Path) -> None:
    leaf, inter = x509.load_pem_x509_certificates((keys_dir / SIGNER_CHAIN).read_bytes())
    root = x509.load_pem_x509_certificate((keys_dir / ROOT_CERT).read_bytes())
    leaf.verify_directly_issued_by(inter)
    inter.verify_directly_issued_by(root)
    root.verify_directly_issued_by(root)
    assert not leaf.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert inter.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert leaf.extensions.get_extension_for_class(x509.KeyUsage).value.digital_signature
    eku = leaf.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert ExtendedKeyUsageOID.EMAIL_PROTECTION in eku
    assert isinstance(leaf.public_key(), ec.EllipticCurvePublicKey)
    assert identity.root_pem == (keys_dir / ROOT_CERT).read_bytes()


def test_refuses_to_overwrite_existing_keys(identity, keys_dir: Path) -> None:
    before = (keys_dir / SIGNER_KEY).read_bytes()
    with pytest.raises(ProvenanceError, match="already exist"):
        init_keys(keys_dir)
    assert (keys_dir / SIGNER_KEY).read_bytes() == before


def test_load_identity_signs_with_the_end_entity_key(identity, keys_dir: Path) -> None:
    loaded = load_identity(keys_dir)
    sig = loaded.signer.sign(b"claim")
    leaf = x509.load_pem_x509_certificate(loaded.chain_pem)
    leaf.public_key().verify(sig, b"claim", ec.ECDSA(hashes.SHA256()))
    assert loaded.subject == "Test Studio Content Credentials"


def test_load_identity_refuses_a_key_others_can_read(tmp_path: Path) -> None:
    init_keys(tmp_path / "k")
    (tmp_path / "k" / SIGNER_KEY).chmod(0o644)
    with pytest.raises(ProvenanceError, match="readable by other users"):
        load_identity(tmp_path / "k")


def test_studio_chain_and_key_must_match(keys_dir: Path, other_identity) -> None:
    with pytest.raises(ProvenanceError, match="does not belong"):
        identity_from_pem(other_identity.chain_pem, (keys_dir / SIGNER_KEY).read_bytes())


def test_kms_callback_signer_signs_trusted_credentials(keys_dir: Path, identity, stills, tmp_path: Path) -> None:
    local = load_identity(keys_dir).signer
    calls = []

    class FakeKms:
        def sign(self, data: bytes) -> bytes:
            calls.append(len(data))
            return local.sign(data)

    kms = identity_from_signer(identity.chain_pem, FakeKms(), identity.root_pem)
    sign_file(stills["png"], tmp_path / "out.png", ManifestSpec("kms", SourceKind.GENERATED, "test"), kms)
    assert calls and read_manifest(tmp_path / "out.png", identity.root_pem).trusted


def test_keys_never_reach_logs_reprs_or_errors(keys_dir: Path, identity, stills, tmp_path: Path, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    seen = [repr(identity), repr(identity.signer), str(identity), repr(load_identity(keys_dir))]
    key_pem = (keys_dir / SIGNER_KEY).read_bytes()
    failures = [
        lambda: identity_from_pem(identity.chain_pem, key_pem[:-40]),  # truncated key
        lambda: identity_from_pem(b"not a chain", key_pem),
        lambda: identity_from_pem(identity.chain_pem, (keys_dir / "root-ca.key").read_bytes()),
        lambda: init_keys(keys_dir),
        lambda: sign_file(tmp_path / "absent.png", tmp_path / "x.png", ManifestSpec("t", SourceKind.GENERATED, "t"),
                          identity),
    ]
    for fail in failures:
        with pytest.raises(ProvenanceError) as info:
            fail()
        seen += [str(info.value), repr(info.value), info.value.hint]
    sign_file(stills["png"], tmp_path / "ok.png", ManifestSpec("t", SourceKind.GENERATED, "t"), identity)
    text = "\n".join(seen) + caplog.text
    assert "PRIVATE KEY" not in text
    for line in _key_bodies(keys_dir):
        assert line not in text
