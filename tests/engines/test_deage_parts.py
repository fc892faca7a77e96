"""The de-aging engine's parts on synthetic data: smoothing, fades, strengths, mattes, warp."""

import numpy as np
import pytest
from skimage import data

from greenlight.domain import Box
from greenlight.engines.deage.geometry import EYE_L, EYE_R, LIPS_OUTER, FaceFrame, box_from_landmarks
from greenlight.engines.deage.masks import face_mattes
from greenlight.engines.deage.params import DeageParams, talent_embeddings
from greenlight.engines.deage.retouch import amounts_for
from greenlight.engines.deage.smoothing import smooth_track
from greenlight.engines.deage.streaming import prefetch
from greenlight.engines.deage.tracking import fade_weights
from greenlight.engines.deage.warp import apply_warp, displacement_field
from greenlight.errors import InvalidInput

# The astronaut's 68 landmarks (dlib layout, inter-ocular distance ≈ 44 px), fitted once on
# skimage.data.astronaut() and stored here so these tests need no face models.
FACE = np.array([
    [179, 104], [180, 116], [181, 127], [182, 139], [185, 150], [191, 160], [200, 168], [209, 176],
    [220, 178], [232, 177], [243, 171], [253, 163], [260, 154], [265, 143], [268, 131], [270, 120],
    [272, 108], [186, 94], [192, 88], [200, 87], [208, 89], [216, 92], [236, 93], [244, 91],
    [252, 91], [260, 92], [265, 99], [226, 102], [225, 111], [225, 119], [225, 127], [214, 131],
    [219, 133], [224, 134], [229, 133], [234, 132], [195, 101], [200, 98], [207, 98], [212, 104],
    [206, 104], [199, 104], [237, 106], [243, 100], [250, 100], [255, 105], [250, 107], [244, 107],
    [201, 139], [209, 139], [218, 139], [224, 141], [230, 140], [238, 140], [246, 141], [238, 151],
    [229, 155], [222, 156], [216, 155], [208, 150], [204, 141], [218, 143], [223, 144], [230, 143],
    [243, 142], [229, 150], [223, 151], [217, 150],
], dtype=np.float64)


def _polygon_mask(shape, pts):
    import cv2

    m = np.zeros(shape, np.uint8)
    cv2.fillPoly(m, [np.round(pts).astype(np.int32)], 1)
    return m.astype(bool)


def test_params_are_checked():
    assert DeageParams.parse({"talent_id": "t1", "years": 12}) == DeageParams("t1", 12, True)
    for bad in ({"talent_id": "t1", "years": 4}, {"talent_id": "t1", "years": 31},
                {"talent_id": "t1", "years": "20"}, {"talent_id": "t1", "years": True},
                {"years": 20}, {"talent_id": " ", "years": 20},
                {"talent_id": "t1", "years": 20, "reshape": "yes"},
                {"talent_id": "t1", "years": 20, "strength": 2}):
        with pytest.raises(InvalidInput):
            DeageParams.parse(bad)


def test_talent_embeddings_must_be_enrolled_128d():
    assert talent_embeddings({"t1": [[0.0] * 128]}, "t1").shape == (1, 128)
    for likeness in ({}, {"t1": []}, {"t1": [[0.0] * 64]}, {"t1": [[float("nan")] * 128]}):
        with pytest.raises(InvalidInput, match="t1"):
            talent_embeddings(likeness, "t1")


def test_strengths_grow_with_years():
    a5, a20, a30 = amounts_for(5), amounts_for(20), amounts_for(30)
    assert 1 > a5.mid > a20.mid > a30.mid >= 0
    assert a5.regions < a20.regions <= a30.regions
    assert amounts_for(20, reshape=False).reshape == 0


def test_smoothing_steadies_a_still_face_and_follows_a_moving_one():
    rng = np.random.default_rng(0)
    frames = 90
    still = np.repeat(FACE[None], frames, axis=0) + rng.normal(0, 1.0, (frames, 68, 2))
    smoothed = smooth_track(still, 30.0)
    assert np.abs(np.diff(smoothed, axis=0)).mean() < 0.25 * np.abs(np.diff(still, axis=0)).mean()
    # A head moving 4 px a frame: the two-way filter has next to no lag.
    moving = np.repeat(FACE[None], frames, axis=0) + np.arange(frames)[:, None, None] * np.array([4.0, 0.0])
    lag = np.abs(smooth_track(moving, 30.0) - moving)[5:-5].mean()
    assert lag < 0.5


def test_fades_ease_in_and_out_except_at_clip_ends():
    w = fade_weights(start=10, length=40, frame_count=100, ramp=8)
    assert w[0] < 0.1 and w[-1] < 0.1 and np.all(w[8:-8] == 1) and np.all(np.diff(w[:8]) > 0)
    assert np.all(fade_weights(start=0, length=100, frame_count=100, ramp=8) == 1)


def test_box_from_landmarks_is_detector_like():
    # The astronaut's HOG box; the fit spreads ±9 % in size over the sample faces.
    assert box_from_landmarks(FACE, 512, 512).iou(Box(175, 76, 266, 167)) > 0.7


def test_skin_matte_leaves_out_eyes_lips_and_covers_cheeks():
    m = face_mattes((512, 512), FACE)
    for feature in (EYE_R, EYE_L, LIPS_OUTER):
        region = _polygon_mask((512, 512), FACE[feature])
        assert m.skin[region].max() == 0.0
        assert m.features[region].min() == 1.0
    frame = FaceFrame.from_landmarks(FACE)
    cheek = np.round((FACE[2] + FACE[31]) / 2).astype(int)
    forehead = np.round(FACE[19:25].mean(0) - 0.45 * frame.iod * frame.down).astype(int)
    assert m.skin[cheek[1], cheek[0]] > 0.9 and m.skin[forehead[1], forehead[0]] > 0.9
    assert m.skin[10, 10] == 0.0  # far off the face


def test_warp_is_small_smooth_and_never_moves_the_features():
    m = face_mattes((512, 512), FACE)
    field = displacement_field((512, 512), FACE, m.face, m.features, 1.0)
    mag = np.hypot(field[..., 0], field[..., 1])
    frame = FaceFrame.from_landmarks(FACE)
    assert 0.5 < mag.max() < 0.08 * frame.iod  # visible but subtle: a few per cent of the face
    assert mag[m.features >= 1.0].max() == 0.0
    assert mag[:20].max() < 1e-3  # nothing far from the face moves
    rgb = data.astronaut().astype(np.float32) / 255
    assert np.array_equal(apply_warp(rgb, np.zeros_like(field)), rgb)
    warped = apply_warp(rgb, field)
    assert np.array_equal(warped[m.features >= 1.0], rgb[m.features >= 1.0])


def test_prefetch_keeps_order_and_raises_the_workers_error():
    frames = [np.full((2, 2, 3), i, np.uint8) for i in range(10)]
    assert [int(f[0, 0, 0]) for f in prefetch(iter(frames), depth=2)] == list(range(10))

    def broken():
        yield frames[0]
        raise ValueError("decoder failed")

    with pytest.raises(ValueError, match="decoder failed"):
        list(prefetch(broken()))
    # A consumer that stops early does not leave the worker blocked.
    stream = prefetch(iter(frames), depth=1)
    next(stream)
    stream.close()
