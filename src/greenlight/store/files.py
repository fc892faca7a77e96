"""Writing a file all at once, so a reader never sees half of it."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from greenlight.leftover_files import hold, sweep_abandoned


@contextlib.contextmanager
def atomic_writer(path: Path, mode: int = 0o644, scratch: Path | None = None) -> Iterator[BinaryIO]:
    """Write ``path`` through a temporary file that replaces ``path`` only when complete.

    Args:
        path: the finished file; its folder is created if missing.
        mode: permission bits of the finished file.
        scratch: where the temporary file lives (default: beside ``path``); on the same file system,
            so that the final rename is atomic.

    Yields:
        a binary file to write to.

    Raises:
        OSError: the folder or file cannot be written. The temporary file is removed and ``path``
            is left as it was, on this and on any exception raised inside the block.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    folder = scratch or path.parent
    folder.mkdir(parents=True, exist_ok=True)
    sweep_abandoned(folder, f".{path.name}.", ".part")  # what a writer killed mid-write left
    fd, temp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".part")
    held = os.dup(fd)  # the lock outlives ``out`` until the rename
    try:
        hold(held)
        with os.fdopen(fd, "wb") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise
    finally:
        os.close(held)
