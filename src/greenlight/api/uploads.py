"""Files sent to the service: written to a private folder in the studio while a request uses them, then removed.

The runtime takes paths (and stores inputs by content hash itself), so an upload is written to disk under
the name the sender gave it, reduced to a plain file name: the name is what the job, the guards' messages
and the ledger show.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from fastapi import UploadFile

from greenlight.errors import GreenlightError, InvalidInput
from greenlight.runtime.studio import Studio

UPLOADS = ".uploads"
LARGEST = 8 * 1024**3  # a long take at camera bit rates; beyond this an upload is refused, not truncated
_CHUNK = 1024 * 1024
_UNSAFE = re.compile(r"[^\w.\- ]+")


def plain_name(filename: str | None, n: int) -> str:
    """The sender's file name without folders or odd characters (``upload-N`` when nothing is left)."""
    name = _UNSAFE.sub("_", Path((filename or "").replace("\\", "/")).name).strip(" .")
    return name[-120:] or f"upload-{n}"


@contextmanager
def received(studio: Studio, uploads: Sequence[UploadFile], stored: Sequence[tuple[Path, str]] = ()) -> Iterator[
        list[Path]]:
    """The uploads as files on disk (each in its own folder, so two with one name both keep it), followed by
    copies of the ``stored`` studio files under the names given.

    Raises:
        InvalidInput: an upload is larger than ``LARGEST``.
    """
    (studio.home / UPLOADS).mkdir(exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="request-", dir=studio.home / UPLOADS))
    try:
        paths = [_write(upload, folder / str(n), n) for n, upload in enumerate(uploads, 1)]
        for n, (source, name) in enumerate(stored, len(paths) + 1):
            (folder / str(n)).mkdir()
            paths.append(Path(shutil.copyfile(source, folder / str(n) / plain_name(name, n))))
        yield paths
    except GreenlightError as error:
        _name_as_sent(error, folder)
        raise
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _name_as_sent(error: GreenlightError, folder: Path) -> None:
    """Name an upload in a refusal as its sender did (``headshot.jpg``), not by the server's private copy
    (``/srv/studio/.uploads/request-…/1/headshot.jpg``): the caller knows the one and has no use for the other."""
    private = re.compile(re.escape(str(folder)) + r"/\d+/")
    error.problem, error.hint = private.sub("", error.problem), private.sub("", error.hint)
    if isinstance(getattr(error, "path", None), str):
        error.path = private.sub("", error.path)
    error.args = (error.one_line(),)


def _write(upload: UploadFile, folder: Path, n: int) -> Path:
    folder.mkdir()
    target = folder / plain_name(upload.filename, n)
    written = 0
    with target.open("wb") as out:
        while chunk := upload.file.read(_CHUNK):
            written += len(chunk)
            if written > LARGEST:
                raise InvalidInput(f"{target.name}: larger than {LARGEST // 1024**3} GiB", "send a smaller file")
            out.write(chunk)
    return target
