"""The studio's licensed reference library: a folder of images, each with a JSON sidecar.

A reference is the pair ``NAME.json`` + the image it names, side by side in the library folder (or a
sub-folder)::

    {"schema": "greenlight.reference.1",
     "image": "coffee.png",
     "caption": "a cup of coffee on a saucer, morning light",
     "tags": ["coffee", "cafe", "breakfast"],
     "licence": {"owner": "Stock House Ltd", "uses": ["previs"], "valid_until": "2027-12-31"}}

``uses`` names the uses of the licence (``previs`` for mood boards and concept frames); ``valid_until``
is the last day it may be used (an ISO date). A sidecar per image, not one index, so that adding a
reference is copying two files, and a broken entry names its own file.

Every image in the folder must have a sidecar: an image without a licence is not a reference the
studio may use, and a library that holds one is refused rather than silently trimmed.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from greenlight.errors import InvalidInput

SCHEMA = "greenlight.reference.1"
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".webp", ".tif", ".tiff"}
_FIX = "fix or remove that entry; see docs for the sidecar format (README, Mood boards)"


@dataclass(frozen=True)
class Licence:
    """Who owns a reference, which uses the licence allows, and the last day it may be used."""

    owner: str
    uses: tuple[str, ...]
    valid_until: date


@dataclass(frozen=True)
class Reference:
    """One licensed image of the library: where it lies, what it shows, under what licence."""

    image: Path
    sidecar: Path
    caption: str
    tags: tuple[str, ...]
    licence: Licence

    @property
    def name(self) -> str:
        """The reference's name as the library knows it: the image's path inside the library."""
        return self.image.name

    @property
    def text(self) -> str:
        """What ranking reads: the caption and the tags."""
        return " ".join((self.caption, *self.tags))


def read_library(folder: Path) -> tuple[Reference, ...]:
    """Every reference of the library in ``folder``, in path order.

    Raises:
        InvalidInput: the folder is missing or empty, or one entry is bad (an unreadable sidecar, a
            missing image, a licence without owner, uses or date, an image without a sidecar); the
            message names that file.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise InvalidInput(f"reference library {folder} is not a folder", "give the folder of the studio's library")
    files = _walk(folder)
    references = tuple(read_reference(f) for f in files if f.suffix == ".json")
    if not references:
        raise InvalidInput(f"reference library {folder} holds no references (no *.json sidecars)", _FIX)
    _check_every_image_licensed(files, references)
    return references


def read_reference(sidecar: Path) -> Reference:
    """One reference from its sidecar.

    Raises:
        InvalidInput: the sidecar or its licence is unreadable or incomplete, or its image is missing.
    """
    try:
        plain = json.loads(sidecar.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InvalidInput(f"{sidecar}: unreadable reference sidecar ({_short(error)})", _FIX) from None
    if not isinstance(plain, dict) or plain.get("schema") != SCHEMA:
        raise InvalidInput(f"{sidecar}: not a reference sidecar (schema must be {SCHEMA!r})", _FIX)
    name = _text(plain, "image", sidecar)
    image = Path(os.path.normpath(sidecar.parent / name))
    if image.parent != sidecar.parent:  # a sidecar speaks for the image beside it, not one elsewhere
        raise InvalidInput(f"{sidecar}: its image {name!r} is not beside it in the library", _FIX)
    if not image.is_file():
        raise InvalidInput(f"{sidecar}: its image {image.name} is missing", _FIX)
    if image.resolve().parent != sidecar.parent.resolve():  # a link would let the board show a file from elsewhere
        raise InvalidInput(f"{sidecar}: its image {image.name} is a link to a file outside the library", _FIX)
    if image.suffix.lower() not in IMAGE_SUFFIXES:
        raise InvalidInput(f"{sidecar}: {image.name} is not an image the library takes (PNG, JPEG, WebP, TIFF)", _FIX)
    tags = plain.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise InvalidInput(f"{sidecar}: tags must be a list of words", _FIX)
    return Reference(image, sidecar, _text(plain, "caption", sidecar), tuple(tags), _licence(plain, sidecar))


def refusal(reference: Reference, use: str, on: date) -> str | None:
    """Why ``reference`` may not be used for ``use`` on the day ``on``; None when its licence allows it."""
    licence = reference.licence
    if use not in licence.uses:
        return f"licence from {licence.owner} allows {', '.join(licence.uses)}, not {use}"
    if licence.valid_until < on:
        return f"licence from {licence.owner} expired on {licence.valid_until.isoformat()}"
    return None


def _licence(plain: dict, sidecar: Path) -> Licence:
    licence = plain.get("licence")
    if not isinstance(licence, dict):
        raise InvalidInput(f"{sidecar}: no licence (owner, uses, valid_until)", _FIX)
    owner = licence.get("owner")
    if not isinstance(owner, str) or not owner.strip():
        raise InvalidInput(f"{sidecar}: the licence names no owner", _FIX)
    uses = licence.get("uses")
    if not isinstance(uses, list) or not uses or not all(isinstance(u, str) and u.strip() for u in uses):
        raise InvalidInput(f"{sidecar}: the licence lists no uses (e.g. \"uses\": [\"previs\"])", _FIX)
    until = licence.get("valid_until")
    try:
        valid_until = date.fromisoformat(until) if isinstance(until, str) else None
    except ValueError:
        valid_until = None
    if valid_until is None:
        raise InvalidInput(f"{sidecar}: the licence's valid_until {until!r} is not a date (YYYY-MM-DD)", _FIX)
    return Licence(owner.strip(), tuple(u.strip().lower() for u in uses), valid_until)


def _text(plain: dict, key: str, sidecar: Path) -> str:
    value = plain.get(key)
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{sidecar}: no {key}", _FIX)
    return value.strip()


def _walk(folder: Path) -> list[Path]:
    """Every file under ``folder``, in path order; one directory walk, no per-file system calls."""
    found = []
    for root, dirs, names in os.walk(folder):
        dirs.sort()
        found += [Path(os.path.normpath(os.path.join(root, n))) for n in sorted(names)]
    return found


def _check_every_image_licensed(files: list[Path], references: tuple[Reference, ...]) -> None:
    licensed = {r.image for r in references}
    for path in files:
        if path.suffix.lower() in IMAGE_SUFFIXES and path not in licensed:
            raise InvalidInput(f"{path}: an image in the reference library without a licence sidecar",
                               "add its NAME.json sidecar with a licence, or move it out of the library")


def _short(error: BaseException) -> str:
    return str(error).splitlines()[0] if str(error) else type(error).__name__


def add_reference(folder: Path, image: Path, caption: str, tags: list[str], licence: Licence) -> Reference:
    """Write the sidecar of ``image`` (already inside ``folder``) and return the reference it makes.

    Raises:
        InvalidInput: the image is not in the folder, or the entry would not read back.
    """
    image = Path(image)
    if Path(folder).resolve() not in image.resolve().parents:
        raise InvalidInput(f"{image}: a reference's image must lie inside the library {folder}")
    sidecar = image.with_suffix(".json")
    plain = {"schema": SCHEMA, "image": image.name, "caption": caption, "tags": list(tags),
             "licence": {"owner": licence.owner, "uses": list(licence.uses),
                         "valid_until": licence.valid_until.isoformat()}}
    sidecar.write_text(json.dumps(plain, indent=2) + "\n", encoding="utf-8")
    return read_reference(sidecar)
