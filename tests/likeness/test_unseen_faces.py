"""Issue 7, class 1: faces the scanner must not miss, and ordinary pictures it must not see faces in.

The corpus is generated at test time: from ``skimage.data.astronaut()`` and from the sample photos
(the cache `make samples` fills); the profile cases need the real footage a shared sample folder adds.
Each case goes through the public ``scan_image`` / ``scan_video`` a user's ``greenlight scan`` runs,
as a file on disk.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from skimage import data

from greenlight.domain.registry import SubjectKind
from greenlight.likeness.gallery import Gallery
from greenlight.likeness.scan import scan_image, scan_video
from greenlight.media.images import save_image
from greenlight.media.video import write_video

# The astronaut's face box, from dlib on the unmodified picture.
FACE = (175, 76, 266, 167)


def astronaut() -> np.ndarray:
    return data.astronaut()


def _head(rgb: np.ndarray, box: tuple[int, int, int, int], margin: float = 0.6) -> np.ndarray:
    left, top, right, bottom = box
    pad = int(margin * (right - left))
    return rgb[max(0, top - pad):bottom + pad // 2, max(0, left - pad // 2):right + pad // 2].copy()


def rotate(rgb: np.ndarray, degrees: float) -> np.ndarray:
    """The picture rotated (counter-clockwise) on an enlarged canvas, nothing cut off."""
    height, width = rgb.shape[:2]
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), degrees, 1.0)
    cos, sin = abs(matrix[0, 0]), abs(matrix[0, 1])
    size = (int(height * sin + width * cos), int(height * cos + width * sin))
    matrix[0, 2] += size[0] / 2 - width / 2
    matrix[1, 2] += size[1] / 2 - height / 2
    return cv2.warpAffine(rgb, matrix, size, borderMode=cv2.BORDER_REPLICATE)


def paste_small(rgb: np.ndarray, box, face_px: int, canvas: tuple[int, int]) -> np.ndarray:
    """The head scaled so the face is ``face_px`` wide, pasted on a textured canvas (height, width)."""
    head = _head(rgb, box)
    scale = face_px / (box[2] - box[0])
    small = cv2.resize(head, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    rng = np.random.default_rng(7)
    noise = rng.normal(0, 12, (canvas[0] // 8 + 1, canvas[1] // 8 + 1, 3))
    background = np.clip(140 + cv2.resize(noise, (canvas[1], canvas[0])), 0, 255).astype(np.uint8)
    y, x = canvas[0] * 3 // 5, canvas[1] * 2 // 7
    background[y:y + small.shape[0], x:x + small.shape[1]] = small
    return background


def _turned(rgb: np.ndarray, quarter_turns: int) -> np.ndarray:
    return np.ascontiguousarray(np.rot90(rgb, quarter_turns))


def crop_filling(rgb: np.ndarray, box) -> np.ndarray:
    """The face cut tight (brow to chin, cheek to cheek) and enlarged to 600 px: it fills the frame."""
    left, top, right, bottom = box
    return cv2.resize(rgb[top:bottom, left:right], (600, 600), interpolation=cv2.INTER_CUBIC)


def masked(rgb: np.ndarray, box) -> np.ndarray:
    """A pale blue surgical mask drawn over nose and mouth, ear to ear."""
    left, top, right, bottom = box
    w, h = right - left, bottom - top
    out = rgb.copy()
    polygon = np.array([(left - w * 0.05, top + h * 0.45), (right + w * 0.05, top + h * 0.45),
                        (right, top + h * 0.95), (left + w * 0.5, bottom + h * 0.15), (left, top + h * 0.95)])
    cv2.fillPoly(out, [polygon.astype(np.int32)], (170, 205, 225))
    return out


def half_hidden(rgb: np.ndarray, box) -> np.ndarray:
    """The left half of the face blacked out (as by a door frame or a hand)."""
    left, top, right, bottom = box
    out = rgb.copy()
    pad = (right - left) // 2
    out[max(0, top - pad):bottom + pad, max(0, left - pad):(left + right) // 2] = 0
    return out


def _count(path, rgb, gallery, analyzer) -> int:
    save_image(path, rgb)
    return len(scan_image(path, gallery, analyzer).faces)


@pytest.fixture(scope="module")
def empty_gallery() -> Gallery:
    return Gallery([], {})


ASTRONAUT_CASES = {
    "rot90": lambda: _turned(astronaut(), 1),
    "rot180": lambda: _turned(astronaut(), 2),
    "rot270": lambda: _turned(astronaut(), 3),
    "tilt+25": lambda: rotate(astronaut(), 25),
    "tilt-30": lambda: rotate(astronaut(), -30),
    "tiny40-3000sq": lambda: paste_small(astronaut(), FACE, 40, (3000, 3000)),
    "tiny24-3840x2160": lambda: paste_small(astronaut(), FACE, 24, (2160, 3840)),
    "tiny20-1920x1080": lambda: paste_small(astronaut(), FACE, 20, (1080, 1920)),
    # Small and turned at once (the picture turned with it): the fine tiles run in every turn.
    "tiny24-1920x1080-rot180": lambda: _turned(paste_small(astronaut(), FACE, 24, (1080, 1920)), 2),
    "tiny20-3000sq-rot90": lambda: _turned(paste_small(astronaut(), FACE, 20, (3000, 3000)), 1),
    "tiny40-3000sq-rot180": lambda: _turned(paste_small(astronaut(), FACE, 40, (3000, 3000)), 2),
    "tiny24-3840x2160-rot270": lambda: _turned(paste_small(astronaut(), FACE, 24, (2160, 3840)), 3),
    "crop-fills-frame": lambda: crop_filling(astronaut(), FACE),
    "masked": lambda: masked(astronaut(), FACE),
    "half-hidden": lambda: half_hidden(astronaut(), FACE),
    "negative": lambda: 255 - astronaut(),
    "negative-rot90": lambda: _turned(255 - astronaut(), 1),
}


@pytest.mark.parametrize("case", sorted(ASTRONAUT_CASES))
def test_astronaut_variant_is_found(case, tmp_path, empty_gallery, analyzer):
    assert _count(tmp_path / f"{case}.png", ASTRONAUT_CASES[case](), empty_gallery, analyzer) >= 1


def _scenery(name: str) -> np.ndarray:
    image = getattr(data, name)()
    if image.ndim == 2:
        image = np.stack([image] * 3, axis=-1)
    return np.ascontiguousarray(image[..., :3]).astype(np.uint8)


NO_FACE = {
    "coffee": lambda: _scenery("coffee"), "chelsea-cat": lambda: _scenery("chelsea"),
    "rocket": lambda: _scenery("rocket"), "brick": lambda: _scenery("brick"), "grass": lambda: _scenery("grass"),
    "gravel": lambda: _scenery("gravel"), "coins": lambda: _scenery("coins"), "horse": lambda: _scenery("horse"),
    "moon": lambda: _scenery("moon"), "hubble": lambda: _scenery("hubble_deep_field"),
    "mission-patch": lambda: np.ascontiguousarray(astronaut()[300:470, 90:260]),
    "scenery-3840x2160": lambda: cv2.resize(_scenery("coffee"), (3840, 2160), interpolation=cv2.INTER_CUBIC),
}


@pytest.mark.parametrize("case", sorted(NO_FACE))
def test_picture_without_a_person_has_no_face(case, tmp_path, empty_gallery, analyzer):
    assert _count(tmp_path / f"{case}.png", NO_FACE[case](), empty_gallery, analyzer) == 0


def test_astronaut_has_exactly_one_face_not_the_patch(tmp_path, empty_gallery, analyzer):
    save_image(tmp_path / "a.png", astronaut())
    (face,) = scan_image(tmp_path / "a.png", empty_gallery, analyzer).faces
    assert face.box.left < 230 and face.box.top < 130


# --- on the sample photos: a rotated, masked or half-hidden protected face is found AND identified ---

def _obama(faces_dir):
    from greenlight.media.images import load_image

    return load_image(faces_dir / "obama" / "obama2.jpg")


def _obama_box(faces_dir, analyzer):
    box = analyzer.detect(_obama(faces_dir))[0]
    return (box.left, box.top, box.right, box.bottom)


SAMPLE_CASES = {
    "rot90": lambda rgb, box: _turned(rgb, 1),
    "rot180": lambda rgb, box: _turned(rgb, 2),
    "rot270": lambda rgb, box: _turned(rgb, 3),
    "tilt+30": lambda rgb, box: rotate(rgb, 30),
    "tilt-20": lambda rgb, box: rotate(rgb, -20),
    "tiny40-3000sq": lambda rgb, box: paste_small(rgb, box, 40, (3000, 3000)),
    "tiny40-3000sq-rot180": lambda rgb, box: _turned(paste_small(rgb, box, 40, (3000, 3000)), 2),
    "tiny24-1920x1080-rot90": lambda rgb, box: _turned(paste_small(rgb, box, 24, (1080, 1920)), 1),
    "crop-fills-frame": crop_filling,
    "masked": masked,
    "half-hidden": half_hidden,
    "negative": lambda rgb, box: 255 - rgb,
}
IDENTIFIABLE = {"rot90", "rot180", "rot270", "tilt+30", "tilt-20"}


@pytest.mark.parametrize("case", sorted(SAMPLE_CASES))
def test_protected_face_variant_is_found(case, tmp_path, faces_dir, gallery, analyzer):
    rgb = SAMPLE_CASES[case](_obama(faces_dir), _obama_box(faces_dir, analyzer))
    save_image(tmp_path / f"{case}.png", rgb)
    faces = scan_image(tmp_path / f"{case}.png", gallery, analyzer).faces
    assert faces, f"{case}: no face found"
    if case in IDENTIFIABLE:
        assert any(f.identity.subject_id == "obama" for f in faces), [f.identity for f in faces]
    # Found but not identified is never taken as talent: it is the protected person or unknown.
    assert all(f.identity.kind in (SubjectKind.PROTECTED, SubjectKind.UNKNOWN) for f in faces)


HALF_PROFILE = pytest.mark.xfail(strict=True, reason="a still of a profile is kept only when dlib's CNN confirms "
                                  "it (FaceMesh does not see profiles); the video scan follows him on these frames")


@pytest.mark.parametrize("frame", [25, 30, pytest.param(40, marks=HALF_PROFILE), pytest.param(50, marks=HALF_PROFILE)])
def test_profile_in_the_sample_clip_is_found(frame, tmp_path, real_clip, gallery, analyzer):
    """Alex Lacamoire is seen only in profile on frames 20–81 of the clip, the only face ≥ 100 px there."""
    from greenlight.media.video import read_frames

    rgb = next(f for i, f in read_frames(real_clip.path) if i == frame)
    save_image(tmp_path / f"profile{frame}.png", rgb)
    faces = scan_image(tmp_path / f"profile{frame}.png", gallery, analyzer).faces
    assert any(f.box.width >= 100 and f.box.right >= 420 for f in faces), [f.box for f in faces]


SPURIOUS = {"obama/obama.jpg": 1, "biden/biden.jpg": 1, "eileen_collins/eileen_collins1.png": 1,
            "obama/obama_partial_face.jpg": 1}
# Added when a shared sample folder is there.
SPURIOUS_SHARED = {"rose_leslie/rose_leslie1.jpg": 1, "lin_manuel_miranda/lin_manuel_miranda1.png": 1,
                   "scenes/two_people.jpg": 2}


def test_sample_photos_have_no_spurious_faces(tmp_path, faces_dir, two_shot, gallery, analyzer):
    """One face per portrait, two on the two-person scenes: no extra hits on clothes or backgrounds."""
    expected = {faces_dir / name: count for name, count in SPURIOUS.items()} | {two_shot: 2}
    expected |= {faces_dir / name: count for name, count in SPURIOUS_SHARED.items() if (faces_dir / name).is_file()}
    for photo, count in expected.items():
        assert len(scan_image(photo, gallery, analyzer).faces) == count, photo.name


# --- video: faces on screen for a few frames only, between keyframes ---

def _flash_video(path, frames_on: range, face_px: int = 90):
    """A 40-frame 320×240 video of a still textured background with the astronaut's head on ``frames_on``."""
    rng = np.random.default_rng(3)
    background = np.clip(120 + cv2.resize(rng.normal(0, 15, (30, 40, 3)), (320, 240)), 0, 255).astype(np.uint8)
    head = _head(astronaut(), FACE)
    scale = face_px / (FACE[2] - FACE[0])
    head = cv2.resize(head, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    with_face = background.copy()
    with_face[40:40 + head.shape[0], 100:100 + head.shape[1]] = head[:200, :220]
    frames = [with_face if i in frames_on else background for i in range(40)]
    return write_video(path, frames, 30)


@pytest.mark.parametrize("frames_on", [range(7, 8), range(22, 25), range(16, 30)], ids=["1", "3", "14"])
def test_face_on_screen_for_a_few_frames_is_reported(frames_on, tmp_path, empty_gallery, analyzer):
    path = _flash_video(tmp_path / "flash.mp4", frames_on)
    tracks = scan_video(path, empty_gallery, analyzer).tracks
    seen = {f for t in tracks for f, _ in t.boxes}
    assert set(frames_on) <= seen, (sorted(seen), list(frames_on))
    assert all(t.identity.kind is SubjectKind.UNKNOWN for t in tracks)


def test_video_without_a_face_has_no_track(tmp_path, empty_gallery, analyzer):
    path = _flash_video(tmp_path / "none.mp4", range(0))
    assert scan_video(path, empty_gallery, analyzer).tracks == ()


@pytest.mark.parametrize("photo", ["biden/biden.jpg", "eileen_collins/eileen_collins1.png"])
@pytest.mark.parametrize("turns", [1, 2, 3])
def test_a_small_face_on_its_side_or_upside_down_is_found(photo, turns, tmp_path, faces_dir, empty_gallery, analyzer):
    # 24 px in 1080p, then the picture turned: the back-camera tiles ran upright only and missed 3 of these 6.
    from greenlight.media.images import load_image

    rgb = load_image(faces_dir / photo)
    box = max(analyzer.detect(rgb), key=lambda b: b.width)
    small = paste_small(rgb, (box.left, box.top, box.right, box.bottom), 24, (1080, 1920))
    assert _count(tmp_path / "small.png", _turned(small, turns), empty_gallery, analyzer) >= 1


def resampled_turn(patch: np.ndarray, degrees: float) -> np.ndarray:
    """``patch`` turned as an image editor turns it: resampled about its centre, not a lossless quarter turn."""
    height, width = patch.shape[:2]
    side = int(np.hypot(height, width)) + 4
    top, left = (side - height) // 2, (side - width) // 2
    framed = cv2.copyMakeBorder(patch, top, side - height - top, left, side - width - left, cv2.BORDER_REFLECT)
    matrix = cv2.getRotationMatrix2D((side / 2, side / 2), -degrees, 1)
    return cv2.warpAffine(framed, matrix, (side, side), borderMode=cv2.BORDER_REFLECT)


@pytest.mark.parametrize("photo, degrees", [
    ("biden/biden.jpg", 270), ("eileen_collins/eileen_collins1.png", 180), ("obama/obama.jpg", 90),
    ("eileen_collins/eileen_collins1.png", 270),
])
def test_a_20px_face_turned_by_an_editor_in_a_720p_still_is_found(photo, degrees, tmp_path, faces_dir, empty_gallery,
                                                                  analyzer):
    # Resampled, the turned 20 px face scored 0.50-0.60 on its turned tile, below the 0.6 a video frame's
    # turned tile needs: 3 of these 4 were missed before stills took 0.5 (FaceMesh checks each detection); the 4th,
    # found, read its keypoints upside down (FaceMesh is now asked about the other turns too).
    from greenlight.media.images import load_image
    from tests.scenes import head, wall

    small = head(load_image(faces_dir / photo), analyzer, 20)
    turned = resampled_turn(small, degrees)
    side = turned.shape[0]
    ring = np.zeros((side, side), np.uint8)
    cv2.circle(ring, (side // 2, side // 2), int(0.55 * max(small.shape[:2])), 1, -1)
    ring = ring.astype(bool)
    canvas = wall(720, 1280, 7)
    x, y = 853, 240
    canvas[y:y + side, x:x + side][ring] = turned[ring]
    faces = scan_image(save_image(tmp_path / "turned.png", canvas), empty_gallery, analyzer).faces
    cx, cy = x + side / 2, y + side / 2
    assert any(abs((f.box.left + f.box.right) / 2 - cx) < 20 and abs((f.box.top + f.box.bottom) / 2 - cy) < 20
               for f in faces), faces


@pytest.mark.parametrize("photo", ["obama/obama.jpg", "biden/biden.jpg", "eileen_collins/eileen_collins1.png"])
@pytest.mark.parametrize("turns", [0, 1, 2, 3])
def test_a_small_face_in_a_video_is_found_upright_on_its_side_or_upside_down(photo, turns, tmp_path, faces_dir,
                                                                             empty_gallery, analyzer):
    # 22 px in 1080p, for four frames: the video's sweep tiles ran upright only and missed 6 of the 9 turned;
    # turned tiles merged with the upright ones lost 2 of the upright (the askew box won and FaceMesh doubted it).
    from greenlight.media.images import load_image

    rgb = load_image(faces_dir / photo)
    box = max(analyzer.detect(rgb), key=lambda b: b.width)
    face = (box.left, box.top, box.right, box.bottom)
    small = _turned(paste_small(rgb, face, 22, (1080, 1920)), turns)
    pasted = _turned(paste_small(np.full_like(rgb, 255), face, 22, (1080, 1920)) == 255, turns)[..., 0]
    path = write_video(tmp_path / "small.mp4", [small] * 4, 24)
    tracks = scan_video(path, empty_gallery, analyzer).tracks
    assert len(tracks) == 1 and tracks[0].identity.kind is SubjectKind.UNKNOWN, tracks
    found = tracks[0].boxes[0][1]
    assert pasted[(found.top + found.bottom) // 2, (found.left + found.right) // 2], found  # on the face, not beside it


@pytest.mark.parametrize("turns", [1, 2, 3])
def test_a_small_turned_face_that_appears_mid_shot_is_found(turns, tmp_path, faces_dir, empty_gallery, analyzer):
    # A shot's later sweeps run the tiles upright and in one other turn, in rotation: within three sweeps.
    from greenlight.media.images import load_image

    rgb = load_image(faces_dir / "obama/obama.jpg")
    box = max(analyzer.detect(rgb), key=lambda b: b.width)
    face = (box.left, box.top, box.right, box.bottom)
    small = _turned(paste_small(rgb, face, 22, (1080, 1920)), turns)
    bare = _turned(paste_small(np.full_like(rgb, 140), face, 22, (1080, 1920)), turns)
    path = write_video(tmp_path / "enters.mp4", [bare] * 10 + [small] * 90, 24)
    tracks = scan_video(path, empty_gallery, analyzer).tracks
    assert len(tracks) == 1 and tracks[0].identity.kind is SubjectKind.UNKNOWN, tracks


@pytest.mark.parametrize("photo", ["obama/obama.jpg", "eileen_collins/eileen_collins1.png"])
@pytest.mark.parametrize("turns", [1, 2, 3])
def test_a_small_turned_face_on_screen_only_between_sweeps_is_found(photo, turns, tmp_path, faces_dir, empty_gallery,
                                                                    analyzer):
    # On frames 35–54 of a still shot: the sweeps on 30 and 60 do not see it, so the crops of the change it
    # makes must look in every turn (they ran upright only and missed it).
    from greenlight.media.images import load_image

    rgb = load_image(faces_dir / photo)
    box = max(analyzer.detect(rgb), key=lambda b: b.width)
    face = (box.left, box.top, box.right, box.bottom)
    small = _turned(paste_small(rgb, face, 22, (1080, 1920)), turns)
    bare = _turned(paste_small(np.full_like(rgb, 140), face, 22, (1080, 1920)), turns)
    path = write_video(tmp_path / "between.mp4", [bare] * 35 + [small] * 20 + [bare] * 15, 24)
    tracks = scan_video(path, empty_gallery, analyzer).tracks
    assert len(tracks) == 1 and tracks[0].identity.kind is SubjectKind.UNKNOWN, tracks
    assert min(f for f, _ in tracks[0].boxes) <= 36, tracks[0].boxes[:3]


def close_up(rgb: np.ndarray, box, inset=(0.12, 0.18, 0.12, 0.04)) -> np.ndarray:
    """Cut inside the face's box (left, top, right, bottom insets as fractions of it): no jaw line, no hairline."""
    left, top, right, bottom = box
    w, h = right - left, bottom - top
    return rgb[int(top + inset[1] * h):int(bottom - inset[3] * h), int(left + inset[0] * w):int(right - inset[2] * w)]


CLOSE_UPS = {
    "as-cut": lambda c: c,
    "enlarged-900": lambda c: cv2.resize(c, (900, 900 * c.shape[0] // c.shape[1]), interpolation=cv2.INTER_CUBIC),
    "rot90": lambda c: _turned(c, 1),
    "rot180": lambda c: _turned(c, 2),
}


@pytest.mark.parametrize("photo", ["obama/obama3.jpg", "obama/obama2.jpg", "biden/biden.jpg",
                                   "eileen_collins/eileen_collins1.png"])
@pytest.mark.parametrize("case", sorted(CLOSE_UPS))
def test_a_close_up_cut_inside_the_face_is_found(photo, case, tmp_path, faces_dir, gallery, analyzer):
    # BlazeFace scored such a close-up 0.3–0.4 without the context around a face: 24 of 24 were missed.
    from greenlight.media.images import load_image

    rgb = load_image(faces_dir / photo)
    box = max(analyzer.detect(rgb), key=lambda b: b.width)
    picture = np.ascontiguousarray(CLOSE_UPS[case](close_up(rgb, (box.left, box.top, box.right, box.bottom))))
    save_image(tmp_path / "close.png", picture)
    faces = scan_image(tmp_path / "close.png", gallery, analyzer).faces
    assert faces, f"{photo} {case}: no face found"
    if photo.startswith("obama"):
        assert all(f.identity.subject_id == "obama" or f.identity.kind is SubjectKind.UNKNOWN for f in faces)


def test_a_close_up_in_a_video_is_found(tmp_path, faces_dir, empty_gallery, analyzer):
    from greenlight.media.images import load_image

    rgb = load_image(faces_dir / "obama/obama3.jpg")
    box = max(analyzer.detect(rgb), key=lambda b: b.width)
    picture = np.ascontiguousarray(close_up(rgb, (box.left, box.top, box.right, box.bottom))[:240, :220])
    path = write_video(tmp_path / "close.mp4", [picture] * 24, 24)
    assert scan_video(path, empty_gallery, analyzer).tracks
