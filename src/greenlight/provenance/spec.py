"""Plain records for Content Credentials: what to sign (``ManifestSpec``) and what a file says (``ManifestReport``).

No c2pa import here, so the runtime and CLI can build specs and read reports without loading the native
library.
"""

from __future__ import annotations

import enum
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from greenlight.errors import ProvenanceError

IPTC = "http://cv.iptc.org/newscodes/digitalsourcetype/"
JOB_LABEL = "org.greenlight.job"
# C2PA 2.x dropped its training-mining assertion; the CAWG republished it under the cawg.* labels.
TRAINING_LABEL = "cawg.training-mining"
LEGACY_TRAINING_LABEL = "c2pa.training-mining"
TRAINING_USES = ("ai_generative_training", "ai_training", "ai_inference", "data_mining")

MIME_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".mp4": "video/mp4",
              ".m4v": "video/mp4", ".mov": "video/quicktime", ".tif": "image/tiff", ".tiff": "image/tiff",
              ".webp": "image/webp",
              # No C2PA embedding exists for OpenEXR: its credentials are a sidecar (see SIDECAR_TYPES).
              ".exr": "image/x-exr",
              # Inputs only (an ingredient is hashed whatever its type; outputs are PNG, JPEG or MP4):
              ".gif": "image/gif", ".avi": "video/x-msvideo", ".mkv": "video/x-matroska", ".webm": "video/webm"}

# Types whose Content Credentials live beside the file, ``FILE.c2pa``: a C2PA manifest store bound to the
# file's bytes by a data hash (``c2pa.hash.data``), so a changed byte fails validation as an embedded one would.
SIDECAR_TYPES = frozenset({"image/x-exr"})
SIDECAR_SUFFIX = ".c2pa"


class SourceKind(enum.Enum):
    """How the pixels came to be; picks the C2PA action and the IPTC digital source type."""

    GENERATED = "generated"  # a trained model made it from a prompt or other media
    PROCEDURAL = "procedural"  # an algorithm without a trained model (physics, procedural noise)
    ALTERED = "altered"  # real footage changed by a trained model (de-aging, a collapse in a plate)
    COMPOSITE = "composite"  # existing media arranged together without a trained model (a mood board)

    @property
    def action(self) -> str:
        return "c2pa.edited" if self is SourceKind.ALTERED else "c2pa.created"

    @property
    def digital_source_type(self) -> str:
        return IPTC + {SourceKind.GENERATED: "trainedAlgorithmicMedia",
                       SourceKind.PROCEDURAL: "algorithmicMedia",
                       SourceKind.ALTERED: "compositeWithTrainedAlgorithmicMedia",
                       SourceKind.COMPOSITE: "composite"}[self]


class Relationship(enum.Enum):
    PARENT = "parentOf"  # the asset this one is an edit of (the plate, the take)
    COMPONENT = "componentOf"  # something composed into it (a reference, a matte)


@dataclass(frozen=True)
class Ingredient:
    """An input asset. If it carries Content Credentials they are kept inside the new manifest.

    ``title`` is the name people know it by (the artist's file name); the path's name when empty.
    """

    path: Path
    relationship: Relationship = Relationship.COMPONENT
    title: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "path", Path(self.path))


@dataclass(frozen=True)
class GreenlightJob:
    """The Greenlight assertion: which job, engine, model and consents produced the asset."""

    SCHEMA = "GreenlightJob.1"
    production: str
    job_id: str
    engine: str
    asset_id: str
    model: str = ""
    seed: int | None = None
    consent_grant_ids: tuple[str, ...] = ()
    # The studio's latest signed checkpoint of its ledger when this was signed (greenlight.checkpoint.1):
    # every output carries a copy of the ledger head that a database writer cannot take back.
    ledger_checkpoint: dict[str, Any] | None = None


@dataclass(frozen=True)
class ManifestSpec:
    """What the manifest of one output says.

    ``software_agent`` is the tool that made the pixels: a Greenlight engine, or for ingest the
    outside tool's name. ``mime`` is guessed from the destination's extension when empty. The
    do-not-train assertion is always written: the studio rules allow no opt-out.
    """

    title: str
    source: SourceKind
    software_agent: str
    ingredients: tuple[Ingredient, ...] = ()
    job: GreenlightJob | None = None
    mime: str = ""
    thumbnail: bool = False  # off unless asked: it adds hundreds of KB and a preview of unreleased work


@dataclass(frozen=True)
class ActionRecord:
    action: str
    digital_source_type: str = ""
    software_agent: str = ""


@dataclass(frozen=True)
class IngredientRecord:
    title: str
    relationship: str
    has_credentials: bool  # the ingredient carried its own manifest, now nested in this one


@dataclass(frozen=True)
class ManifestReport:
    """What a file's Content Credentials say and whether they hold.

    ``state`` is ``unsigned`` (no manifest), ``invalid`` (tampered or broken: see ``failures``),
    ``valid`` (intact, signer not anchored in the given root) or ``trusted`` (intact and chained to it).
    ``failures`` holds the failing status codes; those of a nested ingredient start with ``ingredient:``.
    """

    path: str
    state: str
    failures: tuple[str, ...] = ()
    explanations: tuple[str, ...] = ()
    signer: str = ""
    title: str = ""
    actions: tuple[ActionRecord, ...] = ()
    ingredients: tuple[IngredientRecord, ...] = ()
    do_not_train: bool = False
    job: GreenlightJob | None = None
    codes: tuple[str, ...] = field(default=(), repr=False)  # every status code, success ones included
    sidecar: str = ""  # where the manifest was read from when it is not embedded (FILE.c2pa, or the store)

    @property
    def present(self) -> bool:
        return self.state != "unsigned"

    @property
    def valid(self) -> bool:
        return self.state in ("valid", "trusted")

    @property
    def trusted(self) -> bool:
        return self.state == "trusted"

    @property
    def tampered(self) -> bool:
        """The manifest is there but the file's bytes or the manifest no longer match their hashes."""
        return self.state == "invalid" and any(
            "mismatch" in code and not code.startswith("ingredient:") for code in self.failures)


def check_spec(spec: ManifestSpec) -> None:
    """Refuse a spec the C2PA validator would reject.

    Raises:
        ProvenanceError: an alteration of real footage names no parentOf ingredient (the plate).
    """
    if spec.source is SourceKind.ALTERED and not any(i.relationship is Relationship.PARENT for i in spec.ingredients):
        raise ProvenanceError(f"{spec.title!r} alters real footage but names no parent ingredient",
                              "add the source plate as Ingredient(path, Relationship.PARENT)")


def sidecar_path(path: str | os.PathLike[str]) -> Path:
    """Where the sidecar manifest of ``path`` lies: beside it, same name, ``.c2pa``."""
    return Path(path).with_suffix(SIDECAR_SUFFIX)


def mime_for(path: str | os.PathLike[str], given: str = "") -> str:
    """The MIME type to sign ``path`` as: ``given`` if set, else from its extension ("" if unknown)."""
    return given or MIME_TYPES.get(Path(path).suffix.lower(), "")
