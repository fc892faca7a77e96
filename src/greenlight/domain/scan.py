"""What a likeness scan finds: faces on an image, face tracks through a video."""

from __future__ import annotations

from dataclasses import dataclass, field

from greenlight.domain.registry import SubjectKind


@dataclass(frozen=True)
class Box:
    """A face box in pixels: left, top, right, bottom (right and bottom exclusive)."""

    SCHEMA = "Box.1"
    left: int
    top: int
    right: int
    bottom: int

    @property
    def width(self) -> int:
        return self.right - self.left

    @property
    def height(self) -> int:
        return self.bottom - self.top

    def iou(self, other: Box) -> float:
        """Intersection over union with another box, 0..1."""
        w = min(self.right, other.right) - max(self.left, other.left)
        h = min(self.bottom, other.bottom) - max(self.top, other.top)
        inter = max(0, w) * max(0, h)
        union = self.width * self.height + other.width * other.height - inter
        return inter / union if union else 0.0


@dataclass(frozen=True)
class Identity:
    """Who a face is: enrolled talent, a protected person, or unknown, with the embedding distance.

    ``distance`` is to the nearest enrolled reference (also for unknown faces, when any exist).
    ``also`` names every other enrolled subject the face is within the match threshold of: a face
    that could be either of two people needs consent from both (a blend of a consenting talent and a
    protected person must never pass on the talent's grant).
    """

    SCHEMA = "Identity.1"
    kind: SubjectKind
    subject_id: str | None = None
    name: str | None = None
    distance: float | None = None
    also: tuple[Identity, ...] = ()

    def candidates(self) -> tuple[Identity, ...]:
        """This identity and every other subject the face could also be."""
        return (self, *self.also)


@dataclass(frozen=True)
class FaceFinding:
    """One face on one image (or one frame)."""

    SCHEMA = "FaceFinding.1"
    box: Box
    identity: Identity
    page: int = 0
    """Which frame or page of the file the face is on (0 for a single picture)."""


@dataclass(frozen=True)
class FaceTrack:
    """One face followed through a video: where it is on each frame it is seen, and who it is."""

    SCHEMA = "FaceTrack.1"
    track_id: int
    first_frame: int
    last_frame: int
    identity: Identity
    boxes: tuple[tuple[int, Box], ...] = ()
    stream: int = 0
    """Which video stream of the file the track is in."""

    @property
    def frame_count(self) -> int:
        return self.last_frame - self.first_frame + 1


@dataclass(frozen=True)
class ScanResult:
    """Everything a scan of one file found. Images have ``faces``; videos have ``tracks``."""

    SCHEMA = "ScanResult.1"
    path: str
    sha256: str
    media: str  # "image" or "video"
    width: int
    height: int
    frame_count: int = 1
    fps: float | None = None
    faces: tuple[FaceFinding, ...] = ()
    tracks: tuple[FaceTrack, ...] = field(default=())

    def identities(self) -> tuple[Identity, ...]:
        """Every identity seen, one per face or track."""
        return tuple(f.identity for f in self.faces) + tuple(t.identity for t in self.tracks)
