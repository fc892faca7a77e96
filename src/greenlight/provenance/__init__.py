"""Provenance: signing keys, C2PA Content Credentials, and the invisible watermark.

Public surface (imported lazily so ``import greenlight.provenance`` loads neither c2pa nor PyAV)::

    init_keys(folder) -> SigningIdentity            load_identity(folder) -> SigningIdentity
    import_keys(folder, chain, key, root) -> SigningIdentity
    identity_from_pem(chain, key, root)             identity_from_signer(chain, signer, root)
    sign_file(src, dst, spec, identity)             read_manifest(path, trust_root_pem) -> ManifestReport
    embed_watermark(rgb, payload) -> rgb            extract_watermark(rgb, expected) -> WatermarkRead
    embed_video(src, dst, payload) -> frames        read_watermark(path, expected) -> WatermarkRead
    mark_and_sign(src, dst, spec, identity, payload)   asset_payload(asset_id) -> int
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from greenlight.provenance.spec import (
    ActionRecord,
    GreenlightJob,
    Ingredient,
    IngredientRecord,
    ManifestReport,
    ManifestSpec,
    Relationship,
    SourceKind,
)

_LAZY = {
    "CallbackSigner": ("keys", "CallbackSigner"),
    "SigningIdentity": ("keys", "SigningIdentity"),
    "init_keys": ("keys", "init_keys"),
    "import_keys": ("keys", "import_keys"),
    "load_identity": ("keys", "load_identity"),
    "identity_from_pem": ("keys", "identity_from_pem"),
    "identity_from_signer": ("keys", "identity_from_signer"),
    "sign_file": ("manifest", "sign_file"),
    "read_manifest": ("manifest", "read_manifest"),
    "has_credentials": ("manifest", "has_credentials"),
    "WatermarkRead": ("watermark", "WatermarkRead"),
    "asset_payload": ("watermark", "asset_payload"),
    "embed_watermark": ("watermark", "embed"),
    "extract_watermark": ("watermark", "extract"),
    "embed_video": ("video", "embed_video"),
    "extract_video": ("video", "extract_video"),
    "mark_and_sign": ("mark", "mark_and_sign"),
    "mark_image": ("mark", "mark_image"),
    "read_watermark": ("mark", "read_watermark"),
}

__all__ = [
    "ActionRecord", "CallbackSigner", "GreenlightJob", "Ingredient", "IngredientRecord", "ManifestReport",
    "ManifestSpec", "Relationship", "SigningIdentity", "SourceKind", "WatermarkRead", "asset_payload",
    "embed_video", "embed_watermark", "extract_video", "extract_watermark", "has_credentials",
    "identity_from_pem", "identity_from_signer", "import_keys", "init_keys", "load_identity", "mark_and_sign",
    "mark_image", "read_manifest", "read_watermark", "sign_file",
]


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'greenlight.provenance' has no attribute {name!r}")
    module, attr = _LAZY[name]
    value = getattr(importlib.import_module(f"greenlight.provenance.{module}"), attr)
    globals()[name] = value
    return value


if TYPE_CHECKING:
    from greenlight.provenance.keys import (
        CallbackSigner,
        SigningIdentity,
        identity_from_pem,
        identity_from_signer,
        import_keys,
        init_keys,
        load_identity,
    )
    from greenlight.provenance.manifest import has_credentials, read_manifest, sign_file
    from greenlight.provenance.mark import mark_and_sign, mark_image, read_watermark
    from greenlight.provenance.video import embed_video, extract_video
    from greenlight.provenance.watermark import WatermarkRead, asset_payload
    from greenlight.provenance.watermark import embed as embed_watermark
    from greenlight.provenance.watermark import extract as extract_watermark
