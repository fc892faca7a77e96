"""Model folders: is this a local text-to-image diffusers pipeline that loads without a download, and its hash.

Everything here reads files only; nothing imports torch. The list of text-to-image pipeline classes
comes from diffusers itself (imported only when a folder is checked, by ``models add`` and at submission).
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from greenlight.errors import InvalidInput

INDEX = "model_index.json"
WEIGHTS = (".safetensors", ".bin", ".index.json")
TOKENIZER_FILES = ("tokenizer.json", "vocab.json", "spiece.model", "tokenizer.model", "tokenizer_config.json")
LIBRARIES = ("diffusers", "transformers")
_CHUNK = 1 << 20


class ModelFolderError(InvalidInput):
    """A model folder cannot be used: missing, not a diffusers pipeline, not text-to-image, or incomplete."""


@dataclass(frozen=True)
class ModelFile:
    """One file of a model folder: its path inside the folder, size, modification and change times."""

    path: str
    size: int
    mtime_ns: int
    # The change time, which no one can set back: restoring the size and modification time after editing the
    # bytes (os.utime) would otherwise leave the fingerprint as registered and skip the content hash.
    ctime_ns: int


@dataclass(frozen=True)
class FolderCheck:
    """What a model folder holds: the pipeline class, its components and its files."""

    folder: Path
    pipeline: str
    components: tuple[str, ...]
    files: tuple[ModelFile, ...]

    @property
    def size(self) -> int:
        return sum(f.size for f in self.files)

    @property
    def fingerprint(self) -> str:
        """A hash of the files' paths, sizes, modification and change times (cheap: no file is read)."""
        lines = "".join(f"{f.path}\0{f.size}\0{f.mtime_ns}\0{f.ctime_ns}\n" for f in self.files)
        return hashlib.sha256(lines.encode("utf-8")).hexdigest()


def check_folder(folder: str | Path) -> FolderCheck:
    """Check that ``folder`` is a diffusers text-to-image pipeline that loads from local files alone.

    Raises:
        ModelFolderError: the folder is missing; has no readable ``model_index.json`` naming a pipeline
            class; names a pipeline that is not text-to-image; or lacks a component's files, weights
            included, so that loading it would need a download.
    """
    folder = Path(folder).expanduser()
    if not folder.is_dir():
        raise ModelFolderError(f"{folder}: no such model folder", "give the folder a diffusers pipeline was saved to")
    index = _index(folder)
    pipeline = index.get("_class_name")
    if isinstance(pipeline, list):
        raise ModelFolderError(f"{folder}: {INDEX} names a custom pipeline from a hub repository {pipeline}, which "
                               "would need a download", "use a folder whose pipeline ships with diffusers")
    if not isinstance(pipeline, str) or not pipeline:
        raise ModelFolderError(f"{folder}: {INDEX} names no pipeline class (_class_name)",
                               "save the pipeline with diffusers' save_pretrained")
    if pipeline not in text_to_image_pipelines():
        raise ModelFolderError(f"{folder}: {pipeline} is not a text-to-image pipeline",
                               "register a text-to-image model (Stable Diffusion 1.5/2.x/XL, SD-Turbo, LCM, …)")
    components = tuple(_check_component(folder, name, spec) for name, spec in sorted(index.items())
                       if not name.startswith("_") and _present(spec))
    return FolderCheck(folder.resolve(), pipeline, components, _files(folder))


def content_hash(check: FolderCheck) -> str:
    """The sha256 over every file's relative path and bytes, in path order: the model's identity."""
    total = hashlib.sha256()
    for item in check.files:
        digest = hashlib.sha256()
        with open(check.folder / item.path, "rb") as f:
            while chunk := f.read(_CHUNK):
                digest.update(chunk)
        total.update(f"{item.path}\0{item.size}\0{digest.hexdigest()}\n".encode())
    return total.hexdigest()


def check_unchanged(folder: str | Path, fingerprint: str, sha256: str, name: str) -> FolderCheck:
    """Check the folder before a job uses it: still a usable pipeline, and still the registered bytes.

    The fingerprint (no file read) decides in the common case; when it differs (files touched, copied
    or moved), the content hash is computed again and must equal the registered one.

    Raises:
        ModelFolderError: as ``check_folder``, or the files are not those registered as ``name``.
    """
    check = check_folder(folder)
    if check.fingerprint != fingerprint and content_hash(check) != sha256:
        raise ModelFolderError(f"{check.folder}: the files of model {name!r} changed since it was registered "
                               f"(sha256 {sha256[:12]}…)", "register the new files under a new name with "
                               "`greenlight models add`")
    return check


def text_to_image_pipelines() -> frozenset[str]:
    """The diffusers pipeline classes that make an image from a prompt alone (no control image)."""
    quiet_libraries()
    from diffusers.pipelines.auto_pipeline import AUTO_TEXT2IMAGE_PIPELINES_MAPPING

    names = {getattr(cls, "__name__", str(cls)) for cls in AUTO_TEXT2IMAGE_PIPELINES_MAPPING.values()}
    return frozenset(n for n in names if "Control" not in n)


def _index(folder: Path) -> dict:
    path = folder / INDEX
    if not path.is_file():
        raise ModelFolderError(f"{folder}: not a diffusers pipeline folder (no {INDEX})",
                               "give the folder a pipeline was saved to with save_pretrained")
    try:
        index = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as e:
        raise ModelFolderError(f"{path}: unreadable ({type(e).__name__})", "the folder is damaged") from None
    if not isinstance(index, dict):
        raise ModelFolderError(f"{path}: not a pipeline index (not a JSON object)", "the folder is damaged")
    return index


def _present(spec: object) -> bool:
    return isinstance(spec, list) and len(spec) == 2 and spec[0] is not None and spec[1] is not None


def _check_component(folder: Path, name: str, spec: list) -> str:
    library, cls = spec
    sub = folder / name
    missing = f"{folder}: component {name!r} ({cls})"
    hint = "copy the whole pipeline folder (every component and its weights); nothing is ever downloaded"
    if library not in LIBRARIES and not _diffusers_pipeline_module(library):
        raise ModelFolderError(f"{missing} comes from {library!r}, code that would need a download", hint)
    if not sub.is_dir():
        raise ModelFolderError(f"{missing} is missing, so loading would need a download", hint)
    if "Scheduler" in cls:
        wanted: tuple[str, ...] = ("scheduler_config.json",)
    elif "Tokenizer" in cls:
        wanted = TOKENIZER_FILES
    elif "Processor" in cls or "FeatureExtractor" in cls:
        wanted = ("preprocessor_config.json",)
    else:
        if not (sub / "config.json").is_file():
            raise ModelFolderError(f"{missing} has no config.json, so loading would need a download", hint)
        if not any(p.name.endswith(WEIGHTS) for p in sub.iterdir() if p.is_file()):
            raise ModelFolderError(f"{missing} has no weights (.safetensors or .bin), so loading would need a "
                                   "download", hint)
        return name
    if not any((sub / w).is_file() for w in wanted):
        raise ModelFolderError(f"{missing} lacks {' or '.join(wanted)}, so loading would need a download", hint)
    return name


def _diffusers_pipeline_module(library: str) -> bool:
    """Whether ``library`` names a module of diffusers' own pipelines (SD 1.5's safety checker comes from
    ``stable_diffusion``), as opposed to code from outside diffusers and transformers."""
    import importlib.util

    if not library.replace("_", "").isalnum():
        return False
    try:
        return importlib.util.find_spec(f"diffusers.pipelines.{library}") is not None
    except (ImportError, ValueError):
        return False


def _files(folder: Path) -> tuple[ModelFile, ...]:
    # Hidden files and folders (.cache, .git) are not part of the model: diffusers never reads them.
    found = []
    for root, dirs, names in os.walk(folder, followlinks=True):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for n in names:
            if n.startswith("."):
                continue
            path = Path(root) / n
            stat = path.stat()
            found.append(ModelFile(path.relative_to(folder).as_posix(), stat.st_size, stat.st_mtime_ns,
                                   stat.st_ctime_ns))
    return tuple(sorted(found, key=lambda f: f.path))


def quiet_libraries() -> None:
    """Keep diffusers' and transformers' import-time notices (a missing optional torchvision, say) off the
    user's terminal: Greenlight reports what matters itself. Call before importing either."""
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("DIFFUSERS_VERBOSITY", "error")
