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
    TRAINING_LABEL,
    TRAINING_USES,
    Ingredient,
    ManifestReport,
    ManifestSpec,
    Relationship,
    SourceKind,
    check_spec,
    mime_for,
)

PathLike = str | os.PathLike[str]


def sign_file(src: PathLike, dst: PathLike, spec: ManifestSpec, identity: SigningIdentity) -> None:
    """Write ``dst``: the bytes of ``src`` with an embedded, signed C2PA manifest built from ``spec``.

    ``dst`` appears only once it is complete. If ``src`` already carries Content Credentials they are
    kept as an ingredient of the new manifest rather than replaced.

    Args:
        src: a PNG, JPEG or MP4 (other C2PA formats work where the SDK supports them).
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
    if mime not in c2pa.Builder.get_supported_mime_types():
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
            with atomic_output(dst) as tmp, open(src, "rb") as source, open(tmp, "w+b") as out:
                builder.sign(signer, mime, source, out)
    except c2pa.C2paError as e:
        raise ProvenanceError(f"could not sign {src}: {e}",
                              "check the file is intact and the certificate chain is valid") from e


def has_credentials(path: PathLike) -> bool:
    """Whether ``path`` carries a C2PA manifest at all (valid or not); False for a missing file."""
    if not Path(path).is_file():
        return False
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


def read_manifest(path: PathLike, trust_root_pem: bytes | str | None = None) -> ManifestReport:
    """Read and validate the Content Credentials of ``path``.

    Args:
        path: the file to check.
        trust_root_pem: the studio root certificate(s); a manifest chained to it is ``trusted``.

    Returns:
        A report: ``unsigned``, ``invalid`` (with the failing status codes), ``valid`` or ``trusted``.

    Raises:
        ProvenanceError: the file is missing or of a type that cannot carry Content Credentials.
    """
    path = Path(path)
    if not path.is_file():
        raise ProvenanceError(f"{path} does not exist", "give the path of the file to check")
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
