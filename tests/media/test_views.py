"""Images as a person sees them: every frame and page, transparency composited, limits, and no change for
ordinary files (issue 7, class 1, the media side)."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from greenlight.errors import MediaError
from greenlight.media import image_frames, load_image, load_views
from greenlight.media import images as images_module
from tests.media import corpus

FACE = corpus.FACE_BOX


@pytest.fixture(scope="module")
def face() -> np.ndarray:
    return corpus.astronaut()


@pytest.mark.parametrize("name, fmt", [("two.gif", "GIF"), ("two.png", "PNG"), ("two.webp", "WEBP"),
                                       ("two.tif", "TIFF")])
def test_every_frame_and_page_is_a_view(tmp_path, face, name, fmt):
    path = corpus.animation(tmp_path / name, [corpus.blank(face), face], fmt)
    views = load_views(path)
    assert [(v.page, v.backdrop) for v in views] == [(0, None), (1, None)]
    assert views[0].rgb.max() == 0  # the first frame is all black, as load_image alone saw
    tolerance = 40 if fmt == "GIF" else 0  # GIF keeps 256 colours
    assert np.abs(views[1].rgb[FACE].astype(int) - face[FACE]).mean() <= tolerance / 4
    assert image_frames(path) == 2
    np.testing.assert_array_equal(load_image(path), views[0].rgb)


def test_a_partial_gif_frame_is_composited_over_the_one_before(tmp_path, face):
    path = corpus.partial_gif(tmp_path / "delta.gif", face)
    with Image.open(path) as gif:
        gif.seek(1)
        assert gif.tile and gif.tile[0][1] != (0, 0, *gif.size)  # really a partial frame on disk
    second = load_views(path)[1].rgb
    assert second.shape == face.shape  # the whole canvas, not the patch
    assert second[FACE].mean() > 60 and second[300:, :].max() == 0


def test_a_face_drawn_only_in_alpha_shows_over_white(tmp_path, face):
    path = corpus.alpha_face(tmp_path / "alpha.png", face)
    assert load_image(path).max() == 0  # what was seen before: black
    views = {v.backdrop: v.rgb for v in load_views(path)}
    assert set(views) == {"white", "black"}  # the hidden colour is black: nothing more to see raw
    assert views["black"].max() == 0
    white = views["white"][FACE].astype(int)
    assert white.std() > 30  # the face's features, as a viewer shows the file on white


def test_a_picture_under_alpha_zero_is_seen_raw(tmp_path, face):
    views = {v.backdrop: v.rgb for v in load_views(corpus.hidden_face(tmp_path / "hidden.png", face))}
    assert views["white"].min() == 255 and views["black"].max() == 0
    np.testing.assert_array_equal(views["raw"], face)


def test_transparent_frames_of_an_animation_get_both_backdrops(tmp_path, face):
    rgba = np.dstack([face, np.full(face.shape[:2], 128, np.uint8)])
    frames = [Image.fromarray(np.zeros_like(rgba), "RGBA"), Image.fromarray(rgba, "RGBA")]
    frames[0].save(tmp_path / "fade.png", save_all=True, append_images=frames[1:])
    views = load_views(tmp_path / "fade.png")
    assert [(v.page, v.backdrop) for v in views if v.page == 1][:2] == [(1, "white"), (1, "black")]
    white = next(v.rgb for v in views if v.page == 1 and v.backdrop == "white").astype(int)
    np.testing.assert_allclose(white, face.astype(float) * 128 / 255 + 255 * 127 / 255, atol=1)


def test_exif_orientation_is_applied_to_views(tmp_path, face):
    exif = Image.Exif()
    exif[0x0112] = 6
    Image.fromarray(face[:, :300]).save(tmp_path / "portrait.jpg", exif=exif.tobytes(), quality=95)
    [view] = load_views(tmp_path / "portrait.jpg")
    assert view.rgb.shape == (300, 512, 3)
    np.testing.assert_array_equal(view.rgb, load_image(tmp_path / "portrait.jpg"))


@pytest.mark.parametrize("case", corpus.PASS_CASES[:4], ids=lambda c: c.name)
def test_ordinary_stills_give_exactly_what_load_image_gave(tmp_path, face, case):
    path = case.make(tmp_path, face)
    [view] = load_views(path)
    assert view.page == 0 and view.backdrop is None
    np.testing.assert_array_equal(view.rgb, load_image(path))


def test_a_logo_on_a_transparent_background_adds_no_raw_view(tmp_path, face):
    views = load_views(corpus.logo(tmp_path / "logo.png", face))
    assert [v.backdrop for v in views] == ["white", "black"]


def test_the_total_work_is_bounded_before_decoding(tmp_path, face, monkeypatch):
    path = corpus.animation(tmp_path / "many.gif", [corpus.blank(face, level) for level in range(0, 250, 25)], "GIF")
    monkeypatch.setattr(images_module, "MAX_VIEW_PIXELS", 512 * 512 * 9)
    with pytest.raises(MediaError, match=r"many\.gif: 10 frames of 512×512 pixels are more than"):
        load_views(path)
    monkeypatch.setattr(images_module, "MAX_VIEW_PIXELS", 512 * 512 * 10)
    assert len(load_views(path)) == 10


def test_backdrops_count_against_the_limit(tmp_path, face, monkeypatch):
    path = corpus.alpha_face(tmp_path / "alpha.png", face)
    monkeypatch.setattr(images_module, "MAX_VIEW_PIXELS", 512 * 512 + 1)  # room for one view, not two
    with pytest.raises(MediaError, match=r"alpha\.png: .* more than"):
        load_views(path)


def test_too_many_frames_is_refused(tmp_path, monkeypatch):
    tiny = [np.full((4, 4, 3), level, np.uint8) for level in (0, 80, 160)]
    path = corpus.animation(tmp_path / "tiny.gif", tiny, "GIF")
    monkeypatch.setattr(images_module, "MAX_FRAMES", 2)
    with pytest.raises(MediaError, match=r"tiny\.gif: holds 3 frames, more than the 2"):
        load_views(path)


@pytest.mark.parametrize("name, fmt", [("cut.gif", "GIF"), ("cut.png", "PNG"), ("cut.tif", "TIFF"),
                                       ("cut.webp", "WEBP")])
def test_a_truncated_animation_is_one_line_naming_the_file(tmp_path, face, name, fmt):
    whole = corpus.animation(tmp_path / f"whole{name[3:]}", [corpus.blank(face, 128), face], fmt)
    cut = tmp_path / name
    cut.write_bytes(whole.read_bytes()[: int(whole.stat().st_size * 0.7)])
    with pytest.raises(MediaError) as caught:
        load_views(cut)
    message = str(caught.value)
    assert message.startswith(f"{cut}: ") and "\n" not in message
    assert message.count(str(cut)) == 1


def test_an_odd_file_is_one_line_naming_it(tmp_path):
    odd = tmp_path / "odd.gif"
    odd.write_bytes(b"GIF89a\x10\x00\x10\x00" + bytes(20))
    with pytest.raises(MediaError) as caught:
        load_views(odd)
    assert str(caught.value).startswith(f"{odd}: ") and str(caught.value).count(str(odd)) == 1


def test_a_video_is_not_an_image(tmp_path, face):
    path = corpus.video(tmp_path / "clip.mp4", [[corpus.blank(face[:64, :64])]])
    with pytest.raises(MediaError, match="is a video, not an image"):
        load_views(path)


@pytest.mark.parametrize("case", corpus.CATCH_CASES[:7], ids=lambda c: c.name)
def test_the_face_is_found_in_some_view(tmp_path, face, case, analyzer):
    """The detector in use finds the hidden face in a view (and did not in what load_image gave)."""
    path = case.make(tmp_path, face)
    views = load_views(path)
    assert any(analyzer.detect(v.rgb) for v in views)
    if case.name != "png, face under alpha 0":  # that one load_image saw by accident: it drops alpha
        assert not analyzer.detect(load_image(path))


@pytest.mark.parametrize("case", corpus.CLEAN_CASES, ids=lambda c: c.name)
def test_no_face_is_found_where_there_is_none(tmp_path, face, case, analyzer):
    assert not any(analyzer.detect(v.rgb) for v in load_views(case.make(tmp_path, face)))


def test_sample_photo_on_a_second_page_is_found(tmp_path, faces, analyzer):
    photo = load_image(faces / "obama" / "obama.jpg")
    path = corpus.animation(tmp_path / "scan.tif", [corpus.blank(photo, 255), photo], "TIFF")
    views = load_views(path)
    assert not analyzer.detect(views[0].rgb) and analyzer.detect(views[1].rgb)


def test_check_media_takes_a_still_and_refuses_an_animation_naming_it(tmp_path, face):
    from greenlight.media import check_media

    Image.fromarray(face).save(tmp_path / "still.gif")
    assert check_media(tmp_path / "still.gif") == "image"
    path = corpus.animation(tmp_path / "two.webp", [corpus.blank(face), face], "WEBP")
    with pytest.raises(MediaError, match=r"two\.webp: holds 2 frames; .* keep only the first"):
        check_media(path)
