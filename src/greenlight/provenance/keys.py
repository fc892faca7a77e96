"""Studio signing identity: a local development CA, or a studio's own chain and key.

C2PA validators refuse a self-signed signing certificate, so ``init_keys`` writes a three-link chain
(root CA -> intermediate CA -> ES256 end-entity). Manifests carry the end-entity and intermediate
certificates; the root stays with the studio as the trust anchor for verification.

The private key is reached only through a ``CallbackSigner`` so a KMS or HSM can hold it instead.
Key material never appears in a repr, a log line or an error message.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cached_property
from pathlib import Path
from typing import Protocol, runtime_checkable

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from greenlight.errors import ProvenanceError

ROOT_CERT, ROOT_KEY = "root-ca.pem", "root-ca.key"
INTERMEDIATE_CERT, INTERMEDIATE_KEY = "intermediate-ca.pem", "intermediate-ca.key"
SIGNER_CHAIN, SIGNER_KEY = "signer-chain.pem", "signer.key"
_KEY_FILES = (ROOT_KEY, INTERMEDIATE_KEY, SIGNER_KEY)


@runtime_checkable
class CallbackSigner(Protocol):
    """Anything that signs bytes with the end-entity key: a local key, a KMS client, an HSM session.

    ``sign`` returns an ECDSA P-256/SHA-256 signature, DER-encoded or raw ``r||s`` (c2pa accepts both).
    """

    def sign(self, data: bytes) -> bytes: ...


class LocalKeySigner:
    """Signs with an ES256 private key held in this process. Its repr names no key material."""

    def __init__(self, key_pem: bytes) -> None:
        try:
            key = serialization.load_pem_private_key(key_pem, password=None)
        except (ValueError, TypeError):
            # Say what kind of problem it is, never echo the bytes that were given.
            raise ProvenanceError("the signing key is not an unencrypted PEM private key",
                                  "give an ES256 (P-256) key in PEM form") from None
        if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
            raise ProvenanceError("the signing key is not an ES256 (P-256) key", "give a P-256 EC key")
        self._key = key

    def sign(self, data: bytes) -> bytes:
        return self._key.sign(data, ec.ECDSA(hashes.SHA256()))

    def __repr__(self) -> str:
        return "LocalKeySigner(<ES256 key withheld>)"


@dataclass(frozen=True)
class SigningIdentity:
    """What signing needs: the chain to embed (end-entity first, no root) and a signer for its key.

    ``root_pem`` is the studio trust anchor used when verifying; it may be absent for a studio chain.
    """

    chain_pem: bytes
    signer: CallbackSigner = field(repr=False)
    root_pem: bytes | None = field(default=None, repr=False)

    @property
    def subject(self) -> str:
        """Common name of the end-entity certificate, for messages and reports."""
        cert = x509.load_pem_x509_certificate(self.chain_pem)
        names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
        return str(names[0].value) if names else cert.subject.rfc4514_string()


def init_keys(folder: str | os.PathLike[str], organisation: str = "Greenlight studio") -> SigningIdentity:
    """Create a local development CA and an ES256 signing certificate in ``folder``.

    Args:
        folder: where the PEM files go (created 0700 if missing).
        organisation: the studio name written into the certificates.

    Returns:
        The new identity, with its root certificate as trust anchor.

    Raises:
        ProvenanceError: keys already exist there (they are never overwritten).
    """
    folder = Path(folder)
    existing = [n for n in (*_KEY_FILES, ROOT_CERT, INTERMEDIATE_CERT, SIGNER_CHAIN) if (folder / n).exists()]
    if existing:
        raise ProvenanceError(f"signing keys already exist in {folder} ({', '.join(existing)})",
                              "keep them, or move the folder away to start a new CA")
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    now = datetime.now(UTC) - timedelta(minutes=5)
    root_key, inter_key, leaf_key = (ec.generate_private_key(ec.SECP256R1()) for _ in range(3))
    root = _cert(f"{organisation} Root CA", organisation, root_key, None, root_key, now, 3650, ca_path=1)
    inter = _cert(f"{organisation} Intermediate CA", organisation, inter_key, root, root_key, now, 1825, ca_path=0)
    leaf = _cert(f"{organisation} Content Credentials", organisation, leaf_key, inter, inter_key, now, 825)
    for name, key in ((ROOT_KEY, root_key), (INTERMEDIATE_KEY, inter_key), (SIGNER_KEY, leaf_key)):
        _write_private(folder / name, _key_pem(key))
    _write_public(folder / ROOT_CERT, _pem(root))
    _write_public(folder / INTERMEDIATE_CERT, _pem(inter))
    _write_public(folder / SIGNER_CHAIN, _pem(leaf) + _pem(inter))
    return SigningIdentity(_pem(leaf) + _pem(inter), LocalKeySigner(_key_pem(leaf_key)), _pem(root))


def import_keys(folder: str | os.PathLike[str], chain_pem: bytes, key_pem: bytes, root_pem: bytes) -> SigningIdentity:
    """Install a studio's own certificate chain and key where ``load_identity`` finds them.

    Args:
        folder: the studio's keys folder (created 0700 if missing).
        chain_pem: end-entity certificate first, then intermediates, no root.
        key_pem: the end-entity's private key (written 0600).
        root_pem: the studio root, the trust anchor verification uses.

    Raises:
        ProvenanceError: keys already exist there, the root is not a PEM certificate, or the chain
            and key do not match; nothing is written then.
    """
    folder = Path(folder)
    identity = identity_from_pem(chain_pem, key_pem, root_pem)
    try:
        x509.load_pem_x509_certificate(root_pem)
    except ValueError:
        raise ProvenanceError("the root is not a PEM certificate", "give the studio root CA certificate") from None
    existing = [n for n in (SIGNER_KEY, SIGNER_CHAIN, ROOT_CERT) if (folder / n).exists()]
    if existing:
        raise ProvenanceError(f"signing keys already exist in {folder} ({', '.join(existing)})",
                              "keep them, or move the folder away first")
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    _write_private(folder / SIGNER_KEY, key_pem)
    _write_public(folder / SIGNER_CHAIN, chain_pem)
    _write_public(folder / ROOT_CERT, root_pem)
    return identity


def load_identity(folder: str | os.PathLike[str]) -> SigningIdentity:
    """Read the identity ``init_keys`` wrote (or a studio's files with the same names).

    Raises:
        ProvenanceError: a file is missing, or the key file is readable by group or others.
    """
    folder = Path(folder)
    key_path, chain_path, root_path = folder / SIGNER_KEY, folder / SIGNER_CHAIN, folder / ROOT_CERT
    for path in (key_path, chain_path):
        if not path.is_file():
            raise ProvenanceError(f"{path} is missing", "run `greenlight keys init` or give the studio chain and key")
    if key_path.stat().st_mode & 0o077:
        raise ProvenanceError(f"{key_path} is readable by other users", f"run: chmod 600 {key_path}")
    root = root_path.read_bytes() if root_path.is_file() else None
    return identity_from_pem(chain_path.read_bytes(), key_path.read_bytes(), root)


def identity_from_pem(chain_pem: bytes, key_pem: bytes, root_pem: bytes | None = None) -> SigningIdentity:
    """An identity from a studio's own certificate chain (end-entity first) and its private key.

    Raises:
        ProvenanceError: the chain is not PEM certificates, or the key does not match the certificate.
    """
    signer = LocalKeySigner(key_pem)
    return identity_from_signer(chain_pem, signer, root_pem, public_key=signer._key.public_key())


def identity_from_signer(chain_pem: bytes, signer: CallbackSigner, root_pem: bytes | None = None,
                         public_key: ec.EllipticCurvePublicKey | None = None) -> SigningIdentity:
    """An identity whose key lives elsewhere (KMS, HSM): ``signer.sign`` is called for each manifest.

    Raises:
        ProvenanceError: the chain is not PEM certificates, or ``public_key`` does not match it.
    """
    try:
        certs = x509.load_pem_x509_certificates(chain_pem)
    except ValueError:
        raise ProvenanceError("the certificate chain is not PEM certificates", "end-entity first, no root") from None
    pub = certs[0].public_key()
    if public_key is not None and pub.public_numbers() != public_key.public_numbers():
        raise ProvenanceError("the private key does not belong to the first certificate of the chain")
    return SigningIdentity(chain_pem, signer, root_pem)


@dataclass(frozen=True)
class StudioSeal:
    """The studio key as the ledger uses it: signs checkpoints of the chain head, and checks them.

    ``signer`` is None where only the certificate is readable: checkpoints can then be checked, not made.
    """

    chain_pem: bytes
    signer: CallbackSigner | None = field(default=None, repr=False)

    @cached_property
    def key_id(self) -> str:
        return key_id(self.chain_pem)

    @cached_property
    def _public(self) -> ec.EllipticCurvePublicKey:
        return _public_key(self.chain_pem)

    @property
    def can_sign(self) -> bool:
        return self.signer is not None

    def sign(self, data: bytes) -> bytes:
        """A DER ES256 signature of ``data``. Raises ProvenanceError when the private key is not at hand."""
        if self.signer is None:
            raise ProvenanceError("the studio signing key cannot be read here", "run as the studio's owner")
        return sign_bytes(SigningIdentity(self.chain_pem, self.signer), data)

    def verify(self, data: bytes, signature: bytes) -> bool:
        """True when ``signature`` (DER ECDSA) is the studio key signing ``data``."""
        return _verify(self._public, data, signature)


def load_seal(folder: str | os.PathLike[str]) -> StudioSeal | None:
    """The studio seal from its keys folder, or None when the studio has no signing certificate.

    Raises:
        ProvenanceError: the key file is there but readable by others, or the files are not PEM.
    """
    folder = Path(folder)
    if not (folder / SIGNER_CHAIN).is_file():
        return None
    if not (folder / SIGNER_KEY).is_file() or not os.access(folder / SIGNER_KEY, os.R_OK):
        return StudioSeal((folder / SIGNER_CHAIN).read_bytes())
    identity = load_identity(folder)
    return StudioSeal(identity.chain_pem, identity.signer)


def key_id(chain_pem: bytes) -> str:
    """The hex SHA-256 of the signing certificate's public key (DER SubjectPublicKeyInfo), as RFC 9162 names a log key.

    Raises:
        ProvenanceError: the chain is not PEM certificates.
    """
    return hashlib.sha256(_public_key(chain_pem).public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)).hexdigest()


def sign_bytes(identity: SigningIdentity, data: bytes) -> bytes:
    """An ES256 signature of ``data`` by the studio signing key (through its signer: a local key, KMS or HSM).

    Returns:
        the DER-encoded ECDSA signature (a raw ``r||s`` from a callback signer is converted).
    """
    signature = identity.signer.sign(data)
    if len(signature) == 64:  # raw r||s, as some KMS clients return it
        signature = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
    return signature


def verify_bytes(chain_pem: bytes, data: bytes, signature: bytes) -> bool:
    """True when ``signature`` (DER ECDSA) is the key of the chain's first certificate signing ``data``."""
    return _verify(_public_key(chain_pem), data, signature)


def _verify(key: ec.EllipticCurvePublicKey, data: bytes, signature: bytes) -> bool:
    try:
        key.verify(signature, data, ec.ECDSA(hashes.SHA256()))
    except (InvalidSignature, ValueError):
        return False
    return True


def _public_key(chain_pem: bytes) -> ec.EllipticCurvePublicKey:
    try:
        key = x509.load_pem_x509_certificates(chain_pem)[0].public_key()
    except ValueError:
        raise ProvenanceError("the certificate chain is not PEM certificates", "end-entity first, no root") from None
    if not isinstance(key, ec.EllipticCurvePublicKey):
        raise ProvenanceError("the signing certificate does not hold an ES256 (P-256) key")
    return key


def _cert(cn: str, org: str, key: ec.EllipticCurvePrivateKey, issuer: x509.Certificate | None,
          issuer_key: ec.EllipticCurvePrivateKey, start: datetime, days: int,
          ca_path: int | None = None) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn), x509.NameAttribute(NameOID.ORGANIZATION_NAME, org)])
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    aki_source = issuer_key.public_key()
    b = (x509.CertificateBuilder().subject_name(name).issuer_name(issuer.subject if issuer else name)
         .public_key(key.public_key()).serial_number(x509.random_serial_number())
         .not_valid_before(start).not_valid_after(start + timedelta(days=days))
         .add_extension(ski, critical=False)
         .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(aki_source), critical=False))
    is_ca = ca_path is not None
    b = b.add_extension(x509.BasicConstraints(ca=is_ca, path_length=ca_path), critical=True)
    # C2PA requires digitalSignature and an allowed EKU (emailProtection) on the end-entity only.
    b = b.add_extension(x509.KeyUsage(
        digital_signature=not is_ca, content_commitment=False, key_encipherment=False, data_encipherment=False,
        key_agreement=False, key_cert_sign=is_ca, crl_sign=is_ca, encipher_only=False, decipher_only=False),
        critical=True)
    if not is_ca:
        b = b.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
    return b.sign(issuer_key, hashes.SHA256())


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _write_private(path: Path, data: bytes) -> None:
    # O_EXCL refuses an existing file; mode 0600 at creation so the key is never briefly world-readable.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


def _write_public(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
