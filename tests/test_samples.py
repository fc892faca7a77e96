"""`make samples`: the cache layout, filling twice, a changed or unreachable archive, adding from a shared folder."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from greenlight import samples
from greenlight.samples import SamplesUnavailable, add_shared, additions, fill, planned
from tests.conftest import CACHE, CACHED_PEOPLE, FACES_SKIP, REPOSITORY, has_samples, sample_folder


@pytest.fixture
def sdist(tmp_path):
    """The cached source archive, copied where ``fill`` looks for it beside a fresh cache (no download)."""
    cached = CACHE.parent / "dist" / samples.ARCHIVE
    if not cached.is_file():
        pytest.skip(FACES_SKIP)
    (tmp_path / "dist").mkdir()
    return shutil.copy(cached, tmp_path / "dist" / samples.ARCHIVE)


def no_download(folder):
    raise AssertionError("fill must not download when the archive is there")


def test_the_cache_has_one_folder_per_person_and_the_licence_beside_them(tmp_path):
    plan = planned(tmp_path / "faces")
    people = {target.parent.name for target in plan.values() if target.suffix in (".jpg", ".png")}
    assert people == {"obama", "biden"}
    assert tmp_path / "faces" / "LICENSE.face_recognition" in plan.values()
    assert all(member.startswith("face_recognition-1.3.0/") for member in plan)
    assert all(target.is_relative_to(tmp_path / "faces") for target in plan.values())


def test_fill_unpacks_once_then_has_nothing_to_do(tmp_path, sdist):
    cache = tmp_path / "faces"
    written = fill(cache, download=no_download)
    assert has_samples(cache) and samples.missing(cache) == []
    assert {p.relative_to(cache).parts[0] for p in written} >= set(CACHED_PEOPLE)
    assert "MIT License" in (cache / "LICENSE.face_recognition").read_text()
    before = {p: p.stat().st_mtime_ns for p in cache.rglob("*")}
    assert fill(cache, download=no_download) == []
    assert {p: p.stat().st_mtime_ns for p in cache.rglob("*")} == before


def test_a_lost_photo_is_unpacked_again_and_nothing_else_is_touched(tmp_path, sdist):
    cache = tmp_path / "faces"
    fill(cache, download=no_download)
    (cache / "biden" / "biden.jpg").unlink()
    kept = (cache / "obama" / "obama.jpg").stat().st_mtime_ns
    assert fill(cache, download=no_download) == [cache / "biden" / "biden.jpg"]
    assert (cache / "obama" / "obama.jpg").stat().st_mtime_ns == kept


def test_a_changed_archive_is_refused_and_unpacks_nothing(tmp_path):
    (tmp_path / "dist").mkdir()
    (tmp_path / "dist" / samples.ARCHIVE).write_bytes(b"not the archive")
    with pytest.raises(SamplesUnavailable, match="sha256 .* is not the pinned"):
        fill(tmp_path / "faces", download=no_download)
    assert not any((tmp_path / "faces").rglob("*.jpg"))


def test_an_unreachable_index_is_one_line_naming_the_package(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PIP_NO_INDEX", "1")  # pip as it is offline, without trying the network
    with pytest.raises(SamplesUnavailable) as caught:
        samples.pip_download(tmp_path)
    assert "cannot fetch face_recognition==1.3.0 from the package index" in str(caught.value)
    assert len(str(caught.value).splitlines()) == 1
    assert samples.main(["--cache", str(tmp_path / "faces"), "--shared", str(tmp_path / "none")]) == 1
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and err.startswith("error: cannot fetch face_recognition")


def test_a_shared_folder_adds_what_the_cache_lacks_and_never_replaces(tmp_path):
    cache, shared = tmp_path / "cache", tmp_path / "shared"
    for folder, data in ((cache, b"from the package index"), (shared, b"from the shared folder")):
        (folder / "obama").mkdir(parents=True)
        (folder / "obama" / "obama.jpg").write_bytes(data)
    (shared / "rose_leslie").mkdir()
    (shared / "rose_leslie" / "rose_leslie1.jpg").write_bytes(b"rose")
    (shared / "scenes").mkdir()
    (shared / "scenes" / "clip.mp4").write_bytes(b"clip")
    (shared / ".DS_Store").write_bytes(b"finder")
    assert set(additions(cache, shared).values()) == {cache / "rose_leslie" / "rose_leslie1.jpg",
                                                      cache / "scenes" / "clip.mp4"}
    add_shared(cache, shared)
    assert (cache / "obama" / "obama.jpg").read_bytes() == b"from the package index"
    assert (cache / "rose_leslie" / "rose_leslie1.jpg").read_bytes() == b"rose"
    assert (cache / "scenes" / "clip.mp4").read_bytes() == b"clip"
    assert not (cache / ".DS_Store").exists()
    assert add_shared(cache, shared) == []


def test_fill_adds_from_a_shared_folder_after_the_cache_is_whole(tmp_path, sdist):
    shared = tmp_path / "shared"
    (shared / "biden").mkdir(parents=True)
    (shared / "biden" / "biden.jpg").write_bytes(b"another photo under the same name")
    (shared / "biden" / "biden2.jpg").write_bytes(b"a second photo")
    cache = tmp_path / "faces"
    fill(cache, shared, download=no_download)
    assert (cache / "biden" / "biden.jpg").read_bytes()[:2] == b"\xff\xd8"  # the package's JPEG, kept
    assert (cache / "biden" / "biden2.jpg").read_bytes() == b"a second photo"


def test_without_greenlight_faces_the_tests_read_the_cache(monkeypatch, tmp_path):
    monkeypatch.delenv("GREENLIGHT_FACES", raising=False)
    assert sample_folder() == CACHE == REPOSITORY / ".cache" / "samples" / "faces"
    monkeypatch.setenv("GREENLIGHT_FACES", "")
    assert sample_folder() == CACHE
    monkeypatch.setenv("GREENLIGHT_FACES", str(tmp_path))
    assert sample_folder() == tmp_path


def test_make_points_the_tests_at_the_cache_whatever_the_environment_says(tmp_path):
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    env = {"PATH": "/usr/bin:/bin", "GREENLIGHT_FACES": str(tmp_path / "elsewhere")}
    printed = subprocess.run(["make", "-pnq", "-C", str(REPOSITORY), "samples"], capture_output=True, text=True,
                             env=env).stdout
    assert f"GREENLIGHT_FACES := {CACHE}" in printed.splitlines()
