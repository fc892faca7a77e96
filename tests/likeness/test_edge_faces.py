"""Issue 7, class 1: faces against the picture's edge — a small face flush against a corner, a face cut
through the middle by the frame — in stills and in video. A person sees every one of them.

Before the sweep looked past the edge (a mirror of it, ``sweep.edge_padded``), a 20 px face in a corner
of a 1080p still was missed 8 times in 12, and a portrait cut through the face 3 times in 39; the same in
a video, for its whole length.
"""

from __future__ import annotations

import numpy as np
import pytest

from greenlight.domain.registry import SubjectKind
from greenlight.likeness.gallery import Gallery
from greenlight.likeness.scan import scan_image, scan_video
from greenlight.media.images import load_image, save_image
from greenlight.media.video import write_video
from tests.likeness.test_unseen_faces import _head
from tests.scenes import wall

PHOTOS = ("obama/obama.jpg", "biden/biden.jpg", "eileen_collins/eileen_collins1.png")
CORNERS = ("top-left", "top-right", "bottom-left", "bottom-right")


@pytest.fixture(scope="module")
def empty_gallery() -> Gallery:
    return Gallery([], {})


def _face_box(rgb: np.ndarray, analyzer) -> tuple[int, int, int, int]:
    box = max(analyzer.detect(rgb), key=lambda b: b.width)
    return box.left, box.top, box.right, box.bottom


def in_corner(rgb: np.ndarray, analyzer, corner: str, size: tuple[int, int], face_px: int = 20):
    """The head scaled to a ``face_px`` face, flush against ``corner`` of a textured picture; and where it is."""
    import cv2

    box = _face_box(rgb, analyzer)
    head = _head(rgb, box)
    scale = face_px / (box[2] - box[0])
    head = cv2.resize(head, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    canvas = wall(*size, 7)
    h, w = head.shape[:2]
    y = 0 if corner.startswith("top") else size[0] - h
    x = 0 if corner.endswith("left") else size[1] - w
    canvas[y:y + h, x:x + w] = head
    return canvas, (x, y, x + w, y + h)


def cut_through(rgb: np.ndarray, analyzer, keep: str) -> np.ndarray:
    """The photo cut through its face: only its left or right half, or from below the eyes down."""
    left, top, right, bottom = _face_box(rgb, analyzer)
    middle = (left + right) // 2
    cuts = {"left-half": rgb[:, :middle], "right-half": rgb[:, middle:],
            "below-the-eyes": rgb[top + int(0.4 * (bottom - top)):]}
    return np.ascontiguousarray(cuts[keep])


def _overlaps(box, where) -> bool:
    x0, y0, x1, y1 = where
    return box.left < x1 and box.right > x0 and box.top < y1 and box.bottom > y0


@pytest.mark.parametrize("corner", CORNERS)
@pytest.mark.parametrize("photo", PHOTOS)
def test_a_20px_face_flush_against_a_corner_of_a_1080p_still_is_found(photo, corner, tmp_path, faces_dir,
                                                                      empty_gallery, analyzer):
    canvas, where = in_corner(load_image(faces_dir / photo), analyzer, corner, (1080, 1920))
    faces = scan_image(save_image(tmp_path / "corner.png", canvas), empty_gallery, analyzer).faces
    assert any(_overlaps(f.box, where) for f in faces), faces


@pytest.mark.parametrize("keep", ["left-half", "right-half", "below-the-eyes"])
@pytest.mark.parametrize("photo", PHOTOS)
def test_a_portrait_cut_through_the_face_is_found(photo, keep, tmp_path, faces_dir, empty_gallery, analyzer):
    cut = cut_through(load_image(faces_dir / photo), analyzer, keep)
    faces = scan_image(save_image(tmp_path / "cut.png", cut), empty_gallery, analyzer).faces
    assert len(faces) == 1 and faces[0].identity.kind is SubjectKind.UNKNOWN, faces


def test_a_protected_half_face_beside_a_whole_face_is_found_too(tmp_path, faces_dir, empty_gallery, analyzer):
    # Half of Biden against the left edge, Eileen Collins whole in the middle: only she was found.
    import cv2

    half = cut_through(load_image(faces_dir / "biden/biden.jpg"), analyzer, "right-half")
    half = cv2.resize(half, None, fx=360 / half.shape[0], fy=360 / half.shape[0], interpolation=cv2.INTER_AREA)
    lead = load_image(faces_dir / "eileen_collins/eileen_collins1.png")
    lead = cv2.resize(lead, None, fx=360 / lead.shape[0], fy=360 / lead.shape[0], interpolation=cv2.INTER_AREA)
    canvas = wall(720, 1280, 7)
    canvas[180:540, :half.shape[1]] = half
    canvas[180:540, 600:600 + lead.shape[1]] = lead
    faces = scan_image(save_image(tmp_path / "two.png", canvas), empty_gallery, analyzer).faces
    assert len(faces) == 2, faces
    assert min(f.box.left for f in faces) < half.shape[1] // 2, faces


def test_a_20px_face_in_a_corner_of_a_video_is_followed(tmp_path, faces_dir, empty_gallery, analyzer):
    canvas, where = in_corner(load_image(faces_dir / "biden/biden.jpg"), analyzer, "bottom-right", (720, 1280))
    tracks = scan_video(write_video(tmp_path / "corner.mp4", [canvas] * 6, 24), empty_gallery, analyzer).tracks
    assert len(tracks) == 1 and _overlaps(tracks[0].boxes[0][1], where), tracks


def test_a_half_face_against_the_edge_of_a_video_is_followed(tmp_path, faces_dir, empty_gallery, analyzer):
    # A 160 px face cut in half by the left edge of a 720p frame (a video's sweep mirrors the whole frame,
    # for faces of the full-range model's size: smaller half faces against an edge are the stills' only).
    import cv2

    photo = load_image(faces_dir / "biden/biden.jpg")
    left, top, right, bottom = _face_box(photo, analyzer)
    half = cut_through(photo, analyzer, "right-half")[max(0, top - (bottom - top)):bottom + (bottom - top)]
    scale = 160 / (right - left)
    half = cv2.resize(half, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)[:600]
    canvas = wall(720, 1280, 7)
    canvas[60:60 + half.shape[0], :half.shape[1]] = half
    tracks = scan_video(write_video(tmp_path / "half.mp4", [canvas] * 6, 24), empty_gallery, analyzer).tracks
    assert len(tracks) == 1 and tracks[0].boxes[0][1].left < half.shape[1] // 2, tracks


# Issue 7, class 1, second round: what an outside tester still got past the mirrored edge. Each case is built
# as they built it: the head (``_head``) scaled to a ``face_px`` face, its face box placed ``beyond`` its own
# width and height past the picture's edges at a corner (negative: that far inside), the rest of the head cut.

def _paste_face(canvas: np.ndarray, rgb: np.ndarray, analyzer, face_px: int,
                where) -> tuple[float, float, float, float]:
    """``rgb``'s head scaled to a ``face_px`` face and pasted on ``canvas`` so that its face box starts where
    ``where(face width, face height)`` says; that face box, (x, y, width, height), maybe beyond the canvas."""
    import cv2

    from tests.scenes import paste

    left, top, right, bottom = _face_box(rgb, analyzer)
    pad = int(0.6 * (right - left))
    x0, y0 = max(0, left - pad // 2), max(0, top - pad)
    scale = face_px / (right - left)
    head = cv2.resize(_head(rgb, (left, top, right, bottom)), None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    fw, fh = (right - left) * scale, (bottom - top) * scale
    fx, fy = where(fw, fh)
    paste(canvas, head, round(fx - (left - x0) * scale), round(fy - (top - y0) * scale))
    return fx, fy, fw, fh


def _place(rgb: np.ndarray, analyzer, face_px: int, canvas: np.ndarray, corner: str,
           beyond: tuple[float, float]) -> tuple[int, int, int, int]:
    """The head with a ``face_px`` face pasted so at ``corner`` of ``canvas``; the face box's visible part."""
    height, width = canvas.shape[:2]

    def at_corner(fw: float, fh: float) -> tuple[float, float]:
        return (-beyond[0] * fw if corner.endswith("left") else width - (1 - beyond[0]) * fw,
                -beyond[1] * fh if corner.startswith("top") else height - (1 - beyond[1]) * fh)

    fx, fy, fw, fh = _paste_face(canvas, rgb, analyzer, face_px, at_corner)
    return int(max(fx, 0)), int(max(fy, 0)), int(min(fx + fw, width)), int(min(fy + fh, height))


CORNER_CASES = [
    # A 22 px face box flush in a 720p corner, the chin and what is below it cut by the frame: 2 of 5 missed.
    ("eileen_collins/eileen_collins1.png", 22, "bottom-left", (720, 1280), (0.0, 0.0)),
    ("eileen_collins/eileen_collins1.png", 22, "bottom-right", (720, 1280), (0.0, 0.0)),
    # A 20 px face 1–4 px from a 1080p corner, its forehead cut: 3 of 18 missed.
    ("obama/obama.jpg", 20, "top-left", (1080, 1920), (-0.05, -0.05)),
    ("obama/obama.jpg", 20, "top-right", (1080, 1920), (-0.2, -0.2)),
    ("eileen_collins/eileen_collins1.png", 20, "top-left", (1080, 1920), (-0.05, -0.05)),
    # A 24 px face with 60 % of its box in the picture: 1 of 36 missed.
    ("eileen_collins/eileen_collins1.png", 24, "bottom-right", (720, 1280), (0.25, 0.2)),
]


@pytest.mark.parametrize(("photo", "face_px", "corner", "size", "beyond"), CORNER_CASES)
def test_a_small_face_in_a_corner_cut_by_the_frame_is_found(photo, face_px, corner, size, beyond, tmp_path,
                                                           faces_dir, empty_gallery, analyzer):
    canvas = wall(*size, 7)
    where = _place(load_image(faces_dir / photo), analyzer, face_px, canvas, corner, beyond)
    faces = scan_image(save_image(tmp_path / "corner.png", canvas), empty_gallery, analyzer).faces
    assert len(faces) == 1 and _overlaps(faces[0].box, where), (where, faces)


@pytest.mark.xfail(strict=True, reason="not yet found: the mirror does not make a face cut to 30 % whole, and no pass "
                   "scores it 0.5 (the best, a back-camera tile in the mirror: 0.49)")
def test_a_portrait_cut_to_one_eye_and_the_side_of_the_face_is_found(tmp_path, faces_dir, empty_gallery,
                                                                     analyzer):
    # Biden's portrait cut left of his face's right 30 %: one eye, a cheek, the ear (missed). A cut that keeps
    # only the mouth and chin (three more of the tester's 19) is not looked for: no eye, nose or brow is left,
    # nothing a person would call a face or anyone could be identified by.
    photo = load_image(faces_dir / "biden/biden.jpg")
    left, top, right, bottom = _face_box(photo, analyzer)
    cut = np.ascontiguousarray(photo[:, int(right - 0.3 * (right - left)):])
    faces = scan_image(save_image(tmp_path / "cut.png", cut), empty_gallery, analyzer).faces
    assert len(faces) == 1 and faces[0].box.left < 0.3 * (right - left), faces


def _frames_followed(tracks, where) -> set[int]:
    return {index for track in tracks for index, box in track.boxes if _overlaps(box, where)}


@pytest.mark.parametrize(("photo", "face_px", "corner", "shown"), [
    ("biden/biden.jpg", 20, "bottom-right", (5, 25)),
    ("obama/obama.jpg", 28, "top-left", (5, 25)),
    ("eileen_collins/eileen_collins1.png", 22, "bottom-left", (5, 59)),
])
def test_a_small_face_in_a_corner_between_sweeps_is_followed(photo, face_px, corner, shown, tmp_path, faces_dir,
                                                              empty_gallery, analyzer):
    # On screen only between the sweeps of frames 0 and 30 (or from frame 5 on): all three were missed.
    canvas = wall(720, 1280, 7)
    where = _place(load_image(faces_dir / photo), analyzer, face_px, canvas, corner, (0.0, 0.0))
    frames = [canvas if shown[0] <= i <= shown[1] else wall(720, 1280, 7) for i in range(60)]
    tracks = scan_video(write_video(tmp_path / "corner.mp4", frames, 24), empty_gallery, analyzer).tracks
    assert len(tracks) == 1 and _frames_followed(tracks, where), tracks


@pytest.mark.parametrize(("photo", "face_px", "edge", "cut"), [
    pytest.param("biden/biden.jpg", 80, "left", 0.5, marks=pytest.mark.xfail(
        strict=True, reason="not yet found: too small for the mirrored whole-frame pass, half of it for a tile; the "
        "mirrored edge strips that find it (back-camera model at 0.3) would cost ~7 ms a sweep, below 10x")),
    ("obama/obama.jpg", 100, "top", 0.4),  # followed on frames 0–30 only
])
def test_a_face_cut_by_the_edge_of_a_video_is_followed_on_every_frame(photo, face_px, edge, cut, tmp_path, faces_dir,
                                                                       empty_gallery, analyzer):
    canvas = wall(720, 1280, 7)
    fx, fy, fw, fh = _paste_face(canvas, load_image(faces_dir / photo), analyzer, face_px,
                                 lambda fw, fh: {"left": (-cut * fw, 250), "top": (500, -cut * fh)}[edge])
    where = (int(max(fx, 0)), int(max(fy, 0)), int(fx + fw), int(fy + fh))
    tracks = scan_video(write_video(tmp_path / "cut.mp4", [canvas] * 60, 24), empty_gallery, analyzer).tracks
    assert len(tracks) == 1 and _frames_followed(tracks, where) == set(range(60)), tracks
