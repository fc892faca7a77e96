"""Errors as the user should read them: naming their file, never a path inside the studio folder.

Jobs read their inputs from the asset store (``assets/ab/cd/<sha256>.png``) and sign in scratch folders
(``work/.signing-…/marked.gif``); an error raised there names those paths, which mean nothing to the
person who ran ``greenlight ingest take.gif``. Here they are replaced by the file names the user gave.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from greenlight.errors import GreenlightError, MediaError


def for_user(error: GreenlightError, home: Path, names: Mapping[Path, str], fallback: str,
             subject: str | None = None) -> GreenlightError:
    """The same error, of the same type, naming the user's files instead of the studio's own paths.

    Args:
        error: what was raised.
        home: the studio folder; any path under it is internal.
        names: a stored path and the user's name for it (a job input and the file name it came as).
        fallback: what to call any other internal path (an output being signed, say).
        subject: the file the error is about, put first when the message names no file at all
            ("a 16x16 image is too small to carry a watermark").

    Returns:
        ``error`` itself when it needs no change; otherwise a new error of its type.
    """
    if isinstance(error, MediaError):
        path = error.path
        body = error.problem[len(f"{path}: "):] if error.problem.startswith(f"{path}: ") else error.problem
        named, said = _file_name(Path(path), home, names, fallback), _replaced(body, home, names, fallback)
        return error if (named, said) == (path, body) else MediaError(named, said, error.hint)
    said = _replaced(error.problem, home, names, fallback)
    names_a_file = said != error.problem or any(name in said for name in (subject or "", *names.values()) if name)
    if subject is not None and not names_a_file:
        said = f"{subject}: {said}"
    if said == error.problem:
        return error
    try:
        return type(error)(said, error.hint)
    except TypeError:  # a subclass with its own arguments: keep the words, if not the type
        return GreenlightError(said, error.hint)


def _replaced(text: str, home: Path, names: Mapping[Path, str], fallback: str) -> str:
    for stored, name in names.items():
        text = text.replace(str(stored), name)
    roots = "|".join(re.escape(str(root)) for root in {str(home), str(home.resolve())})
    # A path runs to the next space, quote or colon ("…/marked.gif: cannot write …").
    return re.sub(f"(?:{roots})[^\\s'\":]*", fallback, text)


def _file_name(path: Path, home: Path, names: Mapping[Path, str], fallback: str) -> str:
    for stored, name in names.items():
        if path == stored or path.resolve() == stored.resolve():
            return name
    return fallback if path.resolve().is_relative_to(home.resolve()) else str(path)
