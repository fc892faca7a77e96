"""Sign, watermark and store outputs; quarantine blocked ones. Every signing is a ledger entry.

File work (watermarking, signing, copying into the store) happens before the caller's transaction,
so a failure leaves no database rows; the caller records the returned assets in its transaction.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from greenlight.domain import Asset, new_id
from greenlight.errors import GreenlightError
from greenlight.runtime.messages import for_user
from greenlight.runtime.studio import Studio, Transaction

KEYS_FOLDER = "keys"
# A GIF's 256 colours cannot hold the watermark: a still GIF is signed as PNG (animations are refused
# at submission by check_media).
_SIGNED_STILL = {".gif": ".png"}


@dataclass(frozen=True)
class OutputSpec:
    """What an output's Content Credentials say about how it was made."""

    title: str
    source: str  # "generated", "procedural" or "altered"
    software_agent: str
    production: str
    job_id: str
    engine: str
    model: str = ""
    seed: int | None = None
    grant_ids: tuple[str, ...] = ()
    parents: tuple[Path, ...] = ()
    components: tuple[Path, ...] = ()
    titles: Mapping[Path, str] = field(default_factory=dict)  # the artist's file name of each input


def keys_folder(studio: Studio) -> Path:
    return studio.home / KEYS_FOLDER


def identity(studio: Studio):
    """The studio's signing identity. Raises ProvenanceError with a hint when there are no keys."""
    from greenlight.provenance import load_identity

    return load_identity(keys_folder(studio))


def trust_root(studio: Studio) -> bytes | None:
    """The studio root certificate that verification trusts, if the studio has keys."""
    from greenlight.provenance.keys import ROOT_CERT

    root = keys_folder(studio) / ROOT_CERT
    return root.read_bytes() if root.is_file() else None


def sign_output(studio: Studio, src: Path, spec: OutputSpec) -> Asset:
    """Watermark ``src`` with a new asset's payload, sign it, and put it in the store.

    Returns:
        The asset record (role ``output``), not yet written to the database.

    Raises:
        ProvenanceError: no studio keys, or signing failed.
        MediaError: ``src`` cannot be read.
    """
    from greenlight.provenance import (
        GreenlightJob,
        Ingredient,
        ManifestSpec,
        Relationship,
        SourceKind,
        asset_payload,
        mark_and_sign,
    )

    asset_id = new_id("asset")
    payload = asset_payload(asset_id)
    manifest = ManifestSpec(
        title=spec.title,
        source=SourceKind(spec.source),
        software_agent=spec.software_agent,
        ingredients=tuple(Ingredient(p, Relationship.PARENT, spec.titles.get(p, "")) for p in spec.parents)
        + tuple(Ingredient(p, Relationship.COMPONENT, spec.titles.get(p, "")) for p in spec.components),
        job=GreenlightJob(spec.production, spec.job_id, spec.engine, asset_id, spec.model, spec.seed, spec.grant_ids,
                          ledger_checkpoint=_ledger_checkpoint(studio)),
    )
    suffix = ".mp4" if _is_video(src) else src.suffix.lower()
    with tempfile.TemporaryDirectory(prefix=".signing-", dir=_scratch(studio, spec.job_id)) as work:
        signed = Path(work) / f"{spec.title}{suffix}"
        try:
            signed = signed.with_suffix(_SIGNED_STILL.get(suffix, suffix))
            mark_and_sign(src, signed, manifest, identity(studio), payload)
        except GreenlightError as error:
            # Name the user's file, not the scratch copy being marked (issue 7).
            names = {p: name for p, name in spec.titles.items() if name}
            made_from = f" (made from {', '.join(names.values())})" if names and src not in names else ""
            output = f"the output {signed.name}{made_from}"
            raise for_user(error, studio.home, names, output, names.get(src, output)) from None
        stored = studio.assets.put_file(signed)
        _keep_sidecar(studio, stored.sha256, signed)
    return _asset(studio, stored, asset_id, "output", spec.job_id, mark=f"{payload:012x}")


def _keep_sidecar(studio: Studio, sha256: str, signed: Path) -> None:
    """An EXR's Content Credentials are a sidecar: kept in the store under the hash of the frame they sign."""
    from greenlight.provenance.spec import sidecar_path

    if sidecar_path(signed).is_file():
        studio.assets.put_sidecar(sha256, sidecar_path(signed))


def quarantine(studio: Studio, src: Path, job_id: str) -> Asset:
    """Keep a blocked output in the store, marked quarantined: never published, never deleted."""
    stored = studio.assets.put_file(src)
    return _asset(studio, stored, new_id("asset"), "quarantined", job_id)


def store_original(studio: Studio, src: Path, job_id: str | None = None) -> Asset:
    """Keep an input as it came, content-addressed."""
    return _asset(studio, studio.assets.put_file(src), new_id("asset"), "original", job_id)


def record_asset(tx: Transaction, asset: Asset, actor: str, **details) -> Asset:
    """Add the asset to the registry and write its ledger entry; the same bytes are recorded once."""
    from greenlight.errors import NotFound

    try:
        return tx.registry.asset(asset.sha256)
    except NotFound:
        pass
    tx.registry.add(asset)
    kind = {"output": "asset.signed", "quarantined": "asset.quarantined"}.get(asset.role, "asset.stored")
    tx.record(kind, asset, actor, **details)
    return asset


def record_quarantined(tx: Transaction, asset: Asset, actor: str, job_id: str) -> Asset:
    """Record a held output as quarantined; the ledger says so even when its bytes are already in
    the store under another role (an ingested file is also the job's input)."""
    kept = record_asset(tx, replace(asset, role="quarantined"), actor, job_id=job_id)
    if kept.role != "quarantined":
        tx.record("asset.quarantined", kept, actor, job_id=job_id)
    return kept


def _asset(studio: Studio, stored, asset_id: str, role: str, job_id: str | None, mark: str | None = None) -> Asset:
    return replace(stored.record(studio.home), id=asset_id, role=role, job_id=job_id, mark=mark)


def _ledger_checkpoint(studio: Studio) -> dict | None:
    """The latest signed checkpoint of the ledger, for the output's Content Credentials (none unsigned)."""
    latest = studio.checkpoints.latest_signed()
    return latest.to_plain() if latest is not None else None


def _scratch(studio: Studio, job_id: str) -> Path:
    """The job's own scratch folder: kept while its executor lives, swept after a crash."""
    folder = studio.home / "work" / job_id
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _is_video(path: Path) -> bool:
    from greenlight.media import media_kind

    return media_kind(path) == "video"

