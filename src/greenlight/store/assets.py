"""Content-addressed asset files: each file is stored once, under the sha256 of its bytes.

Layout: ``root/ab/cd/abcd…<suffix>``. A stored file is never rewritten: storing the same bytes again
returns the file already there, and the file is made read-only. A file whose Content Credentials cannot
be embedded (an EXR frame) has its sidecar manifest at ``root/credentials/ab/cd/abcd….c2pa``, under the
hash of the file it signs.

A studio's store names each file in an in-flight list before storing it (``store.inflight``), so that a
file stored by a process killed before the database recorded it is removed at the next start.
"""

from __future__ import annotations

import contextlib
import hashlib
import mimetypes
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from greenlight.domain.asset import Asset
from greenlight.errors import InvalidInput, MediaError, NotFound
from greenlight.store import inflight
from greenlight.store.files import atomic_writer

CHUNK = 1 << 20
_SHA256 = re.compile(r"[0-9a-f]{64}")
_SUFFIX = re.compile(r"(\.[a-z0-9_-]{1,16})?")


INCOMING = ".incoming"
CREDENTIALS = "credentials"


def sha256_file(path: Path) -> str:
    """The hex sha256 of a file's bytes, read in 1 MiB chunks.

    Raises:
        OSError: the file cannot be read.
    """
    digest = hashlib.sha256()
    with open(path, "rb") as source:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass(frozen=True)
class StoredAsset:
    """A file in the asset store: its hash, where it lies, its size in bytes and its media type."""

    sha256: str
    path: Path
    size: int
    media_type: str

    def record(self, home: Path) -> Asset:
        """The ``Asset`` record for the registry, with the path relative to the studio folder ``home``."""
        return Asset(
            sha256=self.sha256,
            path=self.path.resolve().relative_to(Path(home).resolve()).as_posix(),
            size=self.size,
            media_type=self.media_type,
        )


class AssetStore:
    """The content-addressed files under ``root`` (a studio's ``assets/`` folder); with ``in_flight`` (the
    studio's ``work/.inflight``), each file stored is listed there until ``settle``."""

    def __init__(self, root: Path, in_flight: Path | None = None) -> None:
        self.root = Path(root)
        # Files being written: in one folder, so that what a killed writer left is found at a glance.
        self.incoming = self.root / INCOMING
        self.in_flight = in_flight
        self._listed = threading.local()  # each thread lists, and settles, only what it stored

    def settle(self) -> None:
        """Say that the files this thread stored are recorded, or given up: from now on a start may remove
        those no row records. Call it once the transaction recording them has ended, committed or not."""
        listed = getattr(self._listed, "list", None)
        if listed is not None:
            self._listed.list = None
            listed.release()

    def put_file(self, path: Path) -> StoredAsset:
        """Store a copy of the file at ``path`` (its suffix kept, lower-cased).

        Raises:
            MediaError: the file cannot be read, or changed while it was being stored.
        """
        source = Path(path)
        try:
            digest = sha256_file(source)
        except OSError as exc:
            raise MediaError(source, f"cannot be read ({exc.strerror or exc})") from exc
        return self._store(digest, source.suffix.lower(), lambda out: _copy_checked(source, out, digest))

    def put_bytes(self, data: bytes, suffix: str = "") -> StoredAsset:
        """Store ``data`` as a file ending in ``suffix`` (such as ``".png"``).

        Raises:
            InvalidInput: the suffix is not a dot and 1-16 lower-case letters or digits.
        """
        return self._store(hashlib.sha256(data).hexdigest(), suffix, lambda out: out.write(data))

    def put_sidecar(self, sha256: str, manifest: Path) -> Path:
        """Keep the sidecar manifest of the stored file ``sha256``; the first one kept is never replaced.

        Raises:
            InvalidInput: ``sha256`` is not 64 lower-case hex digits.
            NotFound: no file with this hash is stored.
            MediaError: the manifest cannot be read.
        """
        self.path_for(sha256)
        target = self._sidecar(sha256)
        if target.is_file():
            return target
        try:
            data = Path(manifest).read_bytes()
        except OSError as exc:
            raise MediaError(manifest, f"cannot be read ({exc.strerror or exc})") from exc
        with atomic_writer(target, mode=0o444, scratch=self.incoming) as out:
            out.write(data)
        return target

    def sidecar_for(self, sha256: str) -> Path | None:
        """The sidecar manifest kept for the stored file ``sha256``, or None."""
        if not _SHA256.fullmatch(sha256):
            return None
        target = self._sidecar(sha256)
        return target if target.is_file() else None

    def _sidecar(self, sha256: str) -> Path:
        return self.root / CREDENTIALS / sha256[:2] / sha256[2:4] / f"{sha256}.c2pa"

    def path_for(self, sha256: str) -> Path:
        """Where the file with this hash lies.

        Raises:
            InvalidInput: ``sha256`` is not 64 lower-case hex digits.
            NotFound: no file with this hash is stored.
        """
        if not _SHA256.fullmatch(sha256):
            raise InvalidInput(f"{sha256!r} is not a sha256 hash", "give the 64 hex digits of the file's sha256")
        found = self._find(sha256)
        if found is None:
            raise NotFound(f"no stored file has sha256 {sha256}", "store it first, or check the hash")
        return found

    def _store(self, digest: str, suffix: str, write: Callable[[BinaryIO], object]) -> StoredAsset:
        if not _SUFFIX.fullmatch(suffix):
            hint = "use a dot and up to 16 lower-case letters, digits, '-' or '_', such as '.png'"
            raise InvalidInput(f"{suffix!r} is not a file suffix", hint)
        with self._listing(digest):
            existing = self._find(digest)
            if existing is not None:
                return _stored(digest, existing)
            target = self._folder(digest) / f"{digest}{suffix}"
            # Two writers of the same bytes may both get here; os.replace makes the second swap in an
            # identical file atomically, so a reader never sees a partial one.
            with atomic_writer(target, mode=0o444, scratch=self.incoming) as out:
                write(out)
            return _stored(digest, target)

    @contextlib.contextmanager
    def _listing(self, digest: str) -> Iterator[None]:
        """Name ``digest`` in this thread's in-flight list, and keep the sweep off while it is stored: a file
        found already there, maybe one a killed process left, is then kept for this writer too."""
        if self.in_flight is None:
            yield
            return
        with inflight.locked(self.in_flight):
            if getattr(self._listed, "list", None) is None:
                self._listed.list = inflight.InFlightList(self.in_flight, "store")
            self._listed.list.add(digest)
            yield

    def _folder(self, digest: str) -> Path:
        return self.root / digest[:2] / digest[2:4]

    def _find(self, digest: str) -> Path | None:
        folder = self._folder(digest)
        if not folder.is_dir():
            return None
        names = sorted(p for p in folder.iterdir() if p.name == digest or p.name.startswith(f"{digest}."))
        return names[0] if names else None


def _stored(digest: str, path: Path) -> StoredAsset:
    media_type = mimetypes.guess_type(f"x{path.suffix}")[0] or "application/octet-stream"
    return StoredAsset(sha256=digest, path=path, size=path.stat().st_size, media_type=media_type)


def copy_hashing(source: BinaryIO, out: BinaryIO) -> str:
    """Copy ``source`` into ``out`` to its end, returning the hex sha256 of the very bytes copied.

    Raises:
        OSError: ``source`` cannot be read, or ``out`` written.
    """
    digest = hashlib.sha256()
    while chunk := source.read(CHUNK):
        digest.update(chunk)
        out.write(chunk)
    return digest.hexdigest()


def _copy_checked(source: Path, out: BinaryIO, expected: str) -> None:
    """Copy while hashing again, so a file that changed since it was hashed is not stored under the old hash."""
    with open(source, "rb") as src:
        digest = copy_hashing(src, out)
    if digest != expected:
        raise MediaError(source, "changed while it was being stored", "store it again once it is finished")
