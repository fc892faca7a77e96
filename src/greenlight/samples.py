"""Sample faces the project fetches for itself: ``make samples`` fills a local, git-ignored cache.

The photos come from the source package of face_recognition 1.3.0 on the package index (MIT licence;
its ``tests/test_images/`` shows Barack Obama and Joe Biden); the astronaut (Eileen Collins, NASA,
public domain) comes from scikit-image. The cache is laid out one folder per person, like the studio's
shared sample folder, so the tests find people by folder. A shared folder, when there is one, may add
people and clips the cache lacks; it never replaces a file the cache has.

    python -m greenlight.samples [--cache .cache/samples/faces] [--shared ../shared/data/faces]
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from greenlight.errors import GreenlightError

REQUIREMENT = "face_recognition==1.3.0"
ARCHIVE = "face_recognition-1.3.0.tar.gz"
# Pinned so that a changed upload on the index is refused rather than unpacked into the tests.
ARCHIVE_SHA256 = "5e5efdd1686aa566af0d3cc1313b131e4b197657a8ffd03669e6d3fad92705ec"
TOP = "face_recognition-1.3.0/"
IMAGES = TOP + "tests/test_images/"
# Archive member (under tests/test_images/) → place in the cache: one folder per person.
PHOTOS = {
    "obama.jpg": "obama/obama.jpg",
    "obama2.jpg": "obama/obama2.jpg",
    "obama3.jpg": "obama/obama3.jpg",
    "obama_partial_face.jpg": "obama/obama_partial_face.jpg",
    "obama_partial_face2.jpg": "obama/obama_partial_face2.jpg",
    "32bit.png": "obama/obama2_32bit.png",  # obama2.jpg again, as an RGBA PNG
    "biden.jpg": "biden/biden.jpg",
}
LICENCE = "LICENSE.face_recognition"
ASTRONAUT = "eileen_collins/eileen_collins1.png"
README = """# Sample faces (made by `make samples`; do not edit)

- obama/: photos of Barack Obama, two of them partial faces; obama2_32bit.png is obama2.jpg as RGBA.
- biden/: a photo of Joe Biden.
  Both from the face_recognition 1.3.0 source package, tests/test_images/ (MIT licence, in
  LICENSE.face_recognition beside this file).
- eileen_collins/: the astronaut photo (Eileen Collins), scikit-image's `data.astronaut()` (NASA,
  public domain).

Anything else here was added from a shared sample folder, never over a file listed above.
"""
DEFAULT_CACHE = Path(".cache/samples/faces")
DEFAULT_SHARED = Path("../shared/data/faces")


class SamplesUnavailable(GreenlightError):
    """The sample photos could not be fetched or unpacked (no package index, a changed archive)."""

    exit_code = 1


def planned(cache: Path) -> dict[str, Path]:
    """Archive member → file in the cache, for every photo and the licence beside them."""
    plan = {IMAGES + member: cache / place for member, place in PHOTOS.items()}
    plan[TOP + "LICENSE"] = cache / LICENCE
    return plan


def missing(cache: Path) -> list[Path]:
    """The files of a complete cache that are not there yet (empty when the cache is whole)."""
    wanted = [*planned(cache).values(), cache / ASTRONAUT, cache / "README.md"]
    return [path for path in wanted if not path.is_file()]


def pip_download(folder: Path) -> Path:
    """Fetch the source archive from the package index into ``folder`` (no dependencies, no wheel)."""
    command = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary", ":all:",
               "--retries", "1", "--timeout", "20", "--dest", str(folder), REQUIREMENT]
    done = subprocess.run(command, capture_output=True, text=True)
    archive = folder / ARCHIVE
    if done.returncode != 0 or not archive.is_file():
        last = (done.stderr.strip().splitlines() or ["no output"])[-1].strip()
        raise SamplesUnavailable(f"cannot fetch {REQUIREMENT} from the package index ({last})",
                                 "check the network or the pip index settings, then run `make samples` again")
    return archive


def check_archive(archive: Path) -> None:
    """Refuse an archive whose bytes are not the ones this module was written for."""
    digest = hashlib.sha256(archive.read_bytes()).hexdigest()
    if digest != ARCHIVE_SHA256:
        raise SamplesUnavailable(f"{archive}: sha256 {digest[:12]}… is not the pinned {ARCHIVE_SHA256[:12]}…",
                                 "delete it and run `make samples` again")


def unpack(archive: Path, cache: Path) -> list[Path]:
    """Copy the planned photos and licence out of the archive; files already in the cache stay as they are."""
    written = []
    with tarfile.open(archive, "r:gz") as tar:
        for member, target in planned(cache).items():
            if target.is_file():
                continue
            source = tar.extractfile(member)
            if source is None:
                raise SamplesUnavailable(f"{archive}: has no {member}", "delete it and run `make samples` again")
            written.append(_write_atomically(target, source.read()))
    return written


def write_astronaut(cache: Path) -> list[Path]:
    """The astronaut photo from scikit-image, unless the cache has it already."""
    target = cache / ASTRONAUT
    if target.is_file():
        return []
    from skimage import data

    from greenlight.media import save_image

    target.parent.mkdir(parents=True, exist_ok=True)
    save_image(target, data.astronaut())
    return [target]


def additions(cache: Path, shared: Path) -> dict[Path, Path]:
    """File in ``shared`` → place in the cache, for each file the cache does not have (never one it has)."""
    found = {}
    for source in sorted(shared.rglob("*")):
        relative = source.relative_to(shared)
        if source.is_file() and not any(part.startswith(".") for part in relative.parts):
            target = cache / relative
            if not target.exists():
                found[source] = target
    return found


def add_shared(cache: Path, shared: Path) -> list[Path]:
    """Copy what ``shared`` has and the cache lacks into the cache; return the files added."""
    return [_write_atomically(target, source.read_bytes()) for source, target in additions(cache, shared).items()]


def fill(cache: Path, shared: Path | None = None,
         download: Callable[[Path], Path] = pip_download) -> list[Path]:
    """Make the cache whole (fetching only when a file is missing), then add from ``shared``.

    Returns the files written; an empty list when there was nothing to do.

    Raises:
        SamplesUnavailable: the package index could not be reached, or gave another archive.
    """
    cache.mkdir(parents=True, exist_ok=True)
    written = []
    if any(not path.is_file() for path in planned(cache).values()):
        archive = cache.parent / "dist" / ARCHIVE
        if not archive.is_file():
            archive.parent.mkdir(parents=True, exist_ok=True)
            archive = download(archive.parent)
        check_archive(archive)
        written += unpack(archive, cache)
    written += write_astronaut(cache)
    if not (cache / "README.md").is_file():
        written.append(_write_atomically(cache / "README.md", README.encode()))
    if shared is not None and shared.is_dir():
        written += add_shared(cache, shared)
    return written


def _write_atomically(target: Path, data: bytes) -> Path:
    # A run stopped half-way must not leave a truncated photo that the next run takes as done.
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=target.parent, prefix=f".{target.name}.", delete=False) as handle:
        handle.write(data)
    Path(handle.name).replace(target)
    return target


def _summary(written: Iterable[Path], cache: Path) -> str:
    written = list(written)
    if not written:
        return f"samples: {cache} is complete"
    return f"samples: {len(written)} file(s) written to {cache}"


def main(argv: list[str] | None = None) -> int:
    """``make samples``: fill the cache; one line on success, one line on stderr on failure."""
    parser = argparse.ArgumentParser(prog="python -m greenlight.samples", description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="the cache folder to fill")
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED,
                        help="a sample folder to add from, when it exists")
    args = parser.parse_args(argv)
    try:
        written = fill(args.cache, args.shared if args.shared.is_dir() else None)
    except (SamplesUnavailable, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(_summary(written, args.cache))
    return 0


if __name__ == "__main__":
    sys.exit(main())
