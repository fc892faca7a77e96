"""EXR frames of a collapse: the PNG's picture in linear half float, the mattes as named channels, the same
bytes for the same seed; watermarked in their sRGB picture and signed with a sidecar manifest bound to their
bytes."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import OpenEXR
import pytest

from greenlight.engines.base import EngineRequest
from greenlight.engines.collapse.engine import CollapseEngine
from greenlight.errors import MediaError
from greenlight.media import load_image, read_frames
from greenlight.media.exr import linear_to_srgb, read_exr, srgb_to_linear, write_exr
from greenlight.provenance import asset_payload, init_keys, mark_and_sign, read_manifest, read_watermark
from greenlight.provenance.spec import Ingredient, ManifestSpec, Relationship, SourceKind, sidecar_path
from tests.engines.collapse_helpers import TINY, tiny_plate

PASSES = ("pieces", "debris", "dust", "revealed")
CHANNELS = {"R", "G", "B", "pieces.A", "debris.A", "dust.A", "revealed.A"}


def run(folder: Path, seed: int, **more):
    plate, outline = tiny_plate(folder)
    params = {**TINY, "outline": outline, "outline_file": "outline.json", "exr_frames": True, **more}
    outputs = CollapseEngine().run(EngineRequest((plate,), params, seed=seed), folder / f"work{seed}",
                                   lambda f, m: None)
    return plate, outputs


def channels_of(path: Path) -> tuple[dict, dict[str, np.ndarray]]:
    """Read back with OpenEXR itself, not through Greenlight."""
    with OpenEXR.File(str(path), separate_channels=True) as exr:
        header = dict(exr.header())
        return header, {name: np.array(c.pixels) for name, c in exr.channels().items()}


def test_every_8bit_level_survives_srgb_to_linear_half_and_back():
    levels = np.arange(256, dtype=np.uint8)
    half = srgb_to_linear(levels).astype(np.float16)
    assert np.array_equal(linear_to_srgb(half), levels)
    assert srgb_to_linear(np.uint8([128]))[0] == pytest.approx(0.2158605, abs=1e-6)  # sRGB mid grey, linear


def test_exr_frames_hold_the_png_picture_in_linear_light_and_the_mattes_as_channels(tmp_path):
    plate, outputs = run(tmp_path, seed=1, png_frames=True, shake=0.0)
    pngs = [o for o in outputs if o.role == "frame"]
    exrs = [o for o in outputs if o.role == "frame-exr"]
    assert len(pngs) == len(exrs) == 12
    mattes = {name: [f for _, f in read_frames(o.path)] for o, name in zip(outputs[1:5], PASSES, strict=True)}
    source = load_image(plate).astype(int)
    for k, (png, exr) in enumerate(zip(pngs, exrs, strict=True)):
        header, channels = channels_of(exr.path)
        assert set(channels) == CHANNELS and all(c.dtype == np.float16 for c in channels.values())
        assert [list(v) for v in header["dataWindow"]] == [[0, 0], [159, 89]]  # aligned with the PNG, no crop
        rgb = np.stack([channels[c] for c in "RGB"], axis=2).astype(np.float32)
        picture = load_image(png.path)
        assert np.allclose(rgb, srgb_to_linear(picture), rtol=1e-3, atol=1e-6)  # half-float precision
        assert np.array_equal(linear_to_srgb(rgb), picture)  # and exactly the PNG once back in sRGB
        covered = np.zeros(picture.shape[:2], bool)
        for name in PASSES:
            matte = channels[f"{name}.A"].astype(np.float32)
            assert matte.min() >= 0 and matte.max() <= 1
            # The same pass as its H.264 clip, within what the encoder loses.
            assert np.abs(matte * 255 - mattes[name][k][..., 0]).mean() < 2.0
            covered |= matte > 0
        differs = np.abs(picture.astype(int) - source).max(axis=2) > 0
        assert not (differs & ~covered).any(), f"frame {k} changed pixels that no matte channel covers"
    last = channels_of(exrs[-1].path)[1]
    assert last["revealed.A"].max() == 1 and last["dust.A"].max() > 0


def test_same_seed_same_exr_bytes_other_seed_other_bytes(tmp_path):
    def digests(seed, folder):
        folder.mkdir()
        return [hashlib.sha256(o.path.read_bytes()).hexdigest() for o in run(folder, seed)[1]
                if o.role == "frame-exr"]

    first, again, other = digests(3, tmp_path / "a"), digests(3, tmp_path / "b"), digests(4, tmp_path / "c")
    assert first == again
    assert first[0] == other[0]  # before the failure: the plate alone
    assert first[-1] != other[-1]


def test_a_bad_folder_or_a_damaged_exr_is_one_error_and_nothing_is_left(tmp_path):
    rgb = np.zeros((70, 80, 3), np.uint8)
    with pytest.raises(MediaError, match="folder does not exist"):
        write_exr(tmp_path / "missing" / "f.exr", rgb)
    with pytest.raises(MediaError, match="same size"):
        write_exr(tmp_path / "f.exr", rgb, {"dust": np.zeros((10, 10), np.uint8)})
    assert list(tmp_path.iterdir()) == []
    good = write_exr(tmp_path / "f.exr", rgb)
    for name, data in (("cut.exr", good.read_bytes()[: len(good.read_bytes()) // 2]),
                       ("header.exr", good.read_bytes()[:40])):
        (tmp_path / name).write_bytes(data)
        with pytest.raises(MediaError) as raised:
            read_exr(tmp_path / name, 10**8)
        assert str(raised.value).count("\n") == 0 and name in str(raised.value)


@pytest.fixture(scope="module")
def studio_keys(tmp_path_factory):
    return init_keys(tmp_path_factory.mktemp("studio") / "keys", "Test Studio")


def signed_frame(tmp_path: Path, identity, payload: int) -> tuple[Path, Path]:
    plate, outputs = run(tmp_path, seed=2, png_frames=True)
    frame = [o for o in outputs if o.role == "frame-exr"][-1].path
    spec = ManifestSpec("shot.0011", SourceKind.PROCEDURAL, "Greenlight collapse",
                        (Ingredient(plate, Relationship.PARENT),))
    signed = tmp_path / "signed" / "shot.0011.exr"
    signed.parent.mkdir()
    mark_and_sign(frame, signed, spec, identity, payload)
    return frame, signed


def test_a_signed_exr_carries_the_mark_and_a_sidecar_manifest_bound_to_its_bytes(tmp_path, studio_keys):
    from greenlight.provenance import embed_watermark

    payload = asset_payload("asset_exr_test")
    frame, signed = signed_frame(tmp_path, studio_keys, payload)
    root = studio_keys.root_pem
    assert sidecar_path(signed).is_file() and sorted(p.name for p in signed.parent.iterdir()) == [
        "shot.0011.c2pa", "shot.0011.exr"]
    report = read_manifest(signed, root)
    assert report.trusted and report.sidecar.endswith("shot.0011.c2pa")
    assert report.actions[-1].digital_source_type.endswith("/algorithmicMedia") and report.do_not_train
    # The picture is the watermarked PNG's, in linear light; the mattes are untouched.
    before, after = channels_of(frame)[1], channels_of(signed)[1]
    marked = embed_watermark(read_exr(frame, 10**8).rgb, payload)
    rgb = np.stack([after[c] for c in "RGB"], axis=2)
    assert np.array_equal(rgb, srgb_to_linear(marked).astype(np.float16))
    assert all(np.array_equal(before[f"{n}.A"], after[f"{n}.A"]) for n in PASSES)
    mark = read_watermark(signed, payload)
    assert mark.found and mark.payload == payload


def test_a_changed_byte_a_foreign_sidecar_or_none_at_all_are_not_valid(tmp_path, studio_keys):
    frame, signed = signed_frame(tmp_path, studio_keys, asset_payload("asset_exr_tamper"))
    root = studio_keys.root_pem
    data = bytearray(signed.read_bytes())
    data[-20] ^= 0x01  # one bit of the last scanline block
    tampered = tmp_path / "tampered.exr"
    tampered.write_bytes(bytes(data))
    sidecar_path(signed).rename(sidecar_path(tampered))
    report = read_manifest(tampered, root)
    assert report.state == "invalid" and report.tampered
    other = tmp_path / "other.exr"
    other.write_bytes(frame.read_bytes())  # the unmarked frame, with the signed one's manifest
    sidecar_path(other).write_bytes(sidecar_path(tampered).read_bytes())
    assert read_manifest(other, root).tampered
    sidecar_path(other).write_bytes(b"not a manifest store")
    assert read_manifest(other, root).state == "invalid"
    sidecar_path(other).unlink()
    assert read_manifest(other, root).state == "unsigned"


def test_an_exr_frame_is_scanned_for_faces_as_its_png_is(faces, analyzer, tmp_path):
    """Postflight scans every output: an EXR is read as the picture a viewer sees, so a face in it is found."""
    from greenlight.likeness.gallery import Gallery
    from greenlight.likeness.scan import scan_file
    from greenlight.media import save_image

    rgb = load_image(faces / "obama" / "obama.jpg")
    found = [scan_file(path, Gallery([], {}), analyzer)
             for path in (save_image(tmp_path / "f.png", rgb), write_exr(tmp_path / "f.exr", rgb))]
    assert len(found[0].faces) == len(found[1].faces) == 1
    assert found[1].media == "image"
