"""File plumbing shared by image and video I/O: content hashes and atomic writes."""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from greenlight.errors import MediaError
from greenlight.leftover_files import hold, sweep_abandoned


def file_sha256(path: str | Path) -> str:
    """SHA-256 of a file's bytes, as lowercase hex.

    Raises:
        MediaError: the file is missing or unreadable.
    """
    digest = hashlib.sha256()
    try:
        with Path(path).open("rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
    except OSError as e:
        raise MediaError(path, f"cannot be read ({e.strerror or e})") from None
    return digest.hexdigest()


@contextlib.contextmanager
def atomic_output(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it replaces ``path`` in one step.

    The temporary file lives in the same folder so that ``os.replace`` is a rename on one file system:
    readers see either the old file or the finished new one, never a half-written file. On any error
    the temporary file is removed and ``path`` is left as it was.

    Raises:
        MediaError: the folder does not exist or is not writable.
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise MediaError(path, "its folder does not exist", "create the folder first")
    prefix, suffix = f".{path.stem}.", f".tmp{path.suffix}"
    sweep_abandoned(folder, prefix, suffix)
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=prefix, suffix=suffix, dir=folder)
    except OSError as e:
        raise MediaError(path, f"cannot write in its folder ({e.strerror or e})") from None
    tmp = Path(tmp_name)
    try:
        hold(fd)  # while writing: a sweep takes only a file no live writer holds
        yield tmp
        _fsync(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
        os.close(fd)


def _fsync(path: Path) -> None:
    # Flush the finished bytes to disk before the rename makes them visible under the real name.
    with path.open("rb+") as f:
        os.fsync(f.fileno())
