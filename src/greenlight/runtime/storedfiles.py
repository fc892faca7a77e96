"""A stored asset's file, checked before a job reads it or a delivery copies it: inside the studio's asset
store (no path or link leading out of it) and holding the bytes whose sha256 the ledger recorded."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from greenlight.domain import Asset
from greenlight.errors import StudioError
from greenlight.runtime.studio import RESTORE, Studio

RESTORE_STORE = "restore the asset store from a backup and run `greenlight ledger verify`"


def checked_file(studio: Studio, asset: Asset, where: str, digest: Callable[[Path], str] | None = None) -> Path:
    """The path of ``asset``'s stored file, once checked; ``where`` names it in errors, ``digest`` hashes it
    (sha256 of the whole file unless given).

    Raises:
        StudioError: the file lies outside the asset store, cannot be read, or holds other bytes.
    """
    from greenlight.store.assets import sha256_file

    path = studio.home / asset.path
    if not path.resolve().is_relative_to(studio.assets.root.resolve()):
        raise StudioError(f"{where} lies outside the studio's asset store", RESTORE)
    try:
        found = (digest or sha256_file)(path)
    except OSError as exc:
        raise StudioError(f"{where} cannot be read ({exc.strerror or exc})", RESTORE) from None
    if found != asset.sha256:
        raise other_bytes(where, found, asset.sha256)
    return path


def other_bytes(where: str, found: str, recorded: str) -> StudioError:
    return StudioError(f"{where} holds other bytes than the ledger recorded (sha256 {found[:16]}…, the ledger's "
                       f"{recorded[:16]}…)", RESTORE_STORE)
