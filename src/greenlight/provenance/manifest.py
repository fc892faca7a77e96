"""C2PA Content Credentials: sign a file, read and validate one. The only module that imports ``c2pa``."""

from __future__ import annotations

import dataclasses
import json
import os
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import c2pa

from greenlight.domain import to_plain
from greenlight.errors import ProvenanceError
from greenlight.media import atomic_output
from greenlight.provenance.keys import SigningIdentity
from greenlight.provenance.report import report_from_store
from greenlight.provenance.spec import (
    JOB_LABEL,
    SIDECAR_TYPES,
    TRAINING_LABEL,
    TRAINING_USES,
    Ingredient,
    ManifestReport,
    ManifestSpec,
    Relationship,
    SourceKind,
    check_spec,
    mime_for,
    sidecar_path,
)

PathLike = str | os.PathLike[str]


def sign_file(src: PathLike, dst: PathLike, spec: ManifestSpec, identity: SigningIdentity) -> None:
    """Write ``dst``: the bytes of ``src`` with an embedded, signed C2PA manifest built from ``spec``.

    ``dst`` appears only once it is complete. If ``src`` already carries Content Credentials they are
    kept as an ingredient of the new manifest rather than replaced. A type C2PA cannot embed in (OpenEXR)
    gets a sidecar instead: ``dst`` is a byte-for-byte copy of ``src`` and ``dst.c2pa`` beside it holds
    the manifest, bound to those bytes by a data hash (``sidecar_path``).

    Args:
        src: a PNG, JPEG, MP4 or EXR (other C2PA formats work where the SDK supports them).
        dst: where the signed file goes; may equal ``src``.
        spec: what the manifest says.
        identity: the chain and signer from ``keys``.

    Raises:
        ProvenanceError: ``src`` is missing or of an unsupported type, or signing failed.
    """
    src, dst = Path(src), Path(dst)
    if not src.is_file():
        raise ProvenanceError(f"{src} does not exist", "give the path of the file to sign")
    mime = mime_for(dst, spec.mime) or mime_for(src)
    if mime not in c2pa.Builder.get_supported_mime_types() and mime not in SIDECAR_TYPES:
        raise ProvenanceError(f"{dst}: cannot carry Content Credentials ({mime or 'unknown type'})",
                              "sign a PNG, JPEG or MP4")
    ingredients = _with_prior_credentials(src, spec.ingredients)
    check_spec(dataclasses.replace(spec, ingredients=tuple(ingredients)))
    labels = [f"ingredient_{i}" for i in range(len(ingredients))]
    definition = _definition(spec, labels, ingredients)
    try:
        with (_context(None, spec.thumbnail) as ctx, _signer(identity) as signer,
              c2pa.Builder(definition, context=ctx) as builder):
            for label, ingredient in zip(labels, ingredients, strict=True):
                _add_ingredient(builder, label, ingredient)
            if mime in SIDECAR_TYPES:
                _sign_beside(builder, signer, mime, src, dst)
                return
            with atomic_output(dst) as tmp, open(src, "rb") as source, open(tmp, "w+b") as out:
                builder.sign(signer, mime, source, out)
    except c2pa.C2paError as e:
        raise ProvenanceError(f"could not sign {src}: {e}",
                              "check the file is intact and the certificate chain is valid") from e


def _sign_beside(builder: c2pa.Builder, signer: c2pa.Signer, mime: str, src: Path, dst: Path) -> None:
    """``dst`` a copy of ``src``, ``dst.c2pa`` its manifest; each appears only complete, and on a failure while
    signing neither does (the old files, if any, are kept)."""
    builder.set_no_embed()
    sidecar = sidecar_path(dst)
    with atomic_output(dst) as tmp, atomic_output(sidecar) as tmp_sidecar:
        with open(src, "rb") as source, open(tmp, "w+b") as out:
            # With no embedding the SDK writes the asset unchanged and hashes exactly what it wrote.
            manifest = builder.sign(signer, mime, source, out)
        tmp_sidecar.write_bytes(manifest)


def has_credentials(path: PathLike) -> bool:
    """Whether ``path`` carries a C2PA manifest at all (valid or not), or has a sidecar one beside it;
    False for a missing file."""
    if not Path(path).is_file():
        return False
    if _beside_type(path):
        return sidecar_path(path).is_file()
    try:
        with _context(None) as ctx:
            reader = c2pa.Reader.try_create(str(path), context=ctx)
            if reader is None:
                return False
            reader.close()
            return True
    except c2pa.C2paError.NotSupported:
        return False
    except c2pa.C2paError:
        return True  # a manifest the SDK cannot parse is still a manifest someone put there


def read_manifest(path: PathLike, trust_root_pem: bytes | str | None = None,
                  sidecar: PathLike | None = None) -> ManifestReport:
    """Read and validate the Content Credentials of ``path``.

    Args:
        path: the file to check.
        trust_root_pem: the studio root certificate(s); a manifest chained to it is ``trusted``.
        sidecar: for a type whose credentials live beside it (EXR), the manifest store to check ``path``
            against; by default ``FILE.c2pa`` beside it. No sidecar: ``unsigned``.

    Returns:
        A report: ``unsigned``, ``invalid`` (with the failing status codes), ``valid`` or ``trusted``.

    Raises:
        ProvenanceError: the file is missing or of a type that cannot carry Content Credentials.
    """
    path = Path(path)
    if not path.is_file():
        raise ProvenanceError(f"{path} does not exist", "give the path of the file to check")
    if _beside_type(path):
        return _read_beside(path, trust_root_pem, Path(sidecar) if sidecar else sidecar_path(path))
    try:
        with _context(trust_root_pem) as ctx:
            reader = c2pa.Reader.try_create(str(path), context=ctx)
            if reader is None:
                return ManifestReport(str(path), "unsigned")
            with reader:
                store = json.loads(reader.json())
    except c2pa.C2paError.NotSupported as e:
        raise ProvenanceError(f"{path}: this file type cannot carry Content Credentials", str(e)) from e
    except c2pa.C2paError as e:
        return ManifestReport(str(path), "invalid", ("manifest.unreadable",), (str(e),))
    return report_from_store(str(path), store)


def _read_beside(path: Path, trust_root_pem: bytes | str | None, sidecar: Path) -> ManifestReport:
    if not sidecar.is_file():
        return ManifestReport(str(path), "unsigned")
    try:
        with _context(trust_root_pem) as ctx, open(path, "rb") as asset:
            reader = c2pa.Reader.try_create(_beside_type(path), asset, manifest_data=sidecar.read_bytes(),
                                            context=ctx)
            if reader is None:
                return ManifestReport(str(path), "unsigned")
            with reader:
                store = json.loads(reader.json())
    except c2pa.C2paError as e:
        return ManifestReport(str(path), "invalid", ("manifest.unreadable",), (str(e),), sidecar=str(sidecar))
    return dataclasses.replace(report_from_store(str(path), store), sidecar=str(sidecar))


def _beside_type(path: PathLike) -> str:
    """The MIME type of a file whose credentials are a sidecar, by its name or its magic bytes; "" otherwise."""
    from greenlight.media.exr import is_exr

    if mime_for(path) in SIDECAR_TYPES:
        return mime_for(path)
    with open(path, "rb") as f:
        return "image/x-exr" if is_exr(f.read(4)) else ""


def _definition(spec: ManifestSpec, labels: list[str], ingredients: list[Ingredient]) -> dict[str, Any]:
    parents = [lab for lab, i in zip(labels, ingredients, strict=True) if i.relationship is Relationship.PARENT]
    actions: list[dict[str, Any]] = []
    if spec.source is SourceKind.ALTERED and parents:
        actions.append({"action": "c2pa.opened", "parameters": {"ingredientIds": parents[:1]}})
    actions.append({"action": spec.source.action, "digitalSourceType": spec.source.digital_source_type,
                    "softwareAgent": {"name": spec.software_agent}})
    training = {"entries": {f"cawg.{use}": {"use": "notAllowed"} for use in TRAINING_USES}}
    assertions = [{"label": "c2pa.actions", "data": {"actions": actions}},
                  {"label": TRAINING_LABEL, "data": training}]
    if spec.job is not None:
        assertions.append({"label": JOB_LABEL, "data": to_plain(spec.job)})
    return {"claim_generator_info": [{"name": "Greenlight", "version": _version()}],
            "title": spec.title, "assertions": assertions}


def _with_prior_credentials(src: Path, given: tuple[Ingredient, ...]) -> list[Ingredient]:
    ingredients = list(given)
    if has_credentials(src) and all(i.path.resolve() != src.resolve() for i in ingredients):
        has_parent = any(i.relationship is Relationship.PARENT for i in ingredients)
        ingredients.append(Ingredient(src, Relationship.COMPONENT if has_parent else Relationship.PARENT))
    return ingredients


def _add_ingredient(builder: c2pa.Builder, label: str, ingredient: Ingredient) -> None:
    mime = mime_for(ingredient.path)
    if not ingredient.path.is_file() or not mime:
        raise ProvenanceError(f"ingredient {ingredient.path} is missing or of an unknown type")
    with open(ingredient.path, "rb") as f:
        builder.add_ingredient({"title": ingredient.title or ingredient.path.name,
                                "relationship": ingredient.relationship.value,
                                "label": label}, mime, f)


def _context(trust_root_pem: bytes | str | None, thumbnail: bool = False) -> c2pa.Context:
    # Thumbnails add hundreds of KB per file and a preview of unreleased material: only when asked.
    settings: dict[str, Any] = {"builder": {"thumbnail": {"enabled": thumbnail}}}
    if trust_root_pem:
        root = trust_root_pem.decode() if isinstance(trust_root_pem, bytes) else trust_root_pem
        settings |= {"verify": {"verify_trust": True}, "trust": {"trust_anchors": root}}
    return c2pa.Context.from_dict(settings)


def _signer(identity: SigningIdentity) -> c2pa.Signer:
    # No timestamp authority: the studio signs offline.
    return c2pa.Signer.from_callback(identity.signer.sign, c2pa.C2paSigningAlg.ES256,
                                     identity.chain_pem.decode(), None)


def _version() -> str:
    try:
        return version("greenlight")
    except PackageNotFoundError:
        return "0"
