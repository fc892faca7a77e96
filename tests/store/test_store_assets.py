"""The asset store: files named by their hash, written atomically, never overwritten."""

import hashlib
import os
import stat

import pytest

from greenlight.errors import InvalidInput, MediaError, NotFound
from greenlight.store import AssetStore, sha256_file
from greenlight.store import assets as assets_module
from greenlight.store import files as files_module

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8


def leftovers(root):
    return sorted(p.name for p in root.rglob(".*") if p.is_file())  # temporary files, not the folder they go in


def test_bytes_are_stored_under_their_hash(tmp_path):
    store = AssetStore(tmp_path / "assets")
    stored = store.put_bytes(PNG, ".png")
    digest = hashlib.sha256(PNG).hexdigest()
    assert stored.sha256 == digest
    assert stored.path == tmp_path / "assets" / digest[:2] / digest[2:4] / f"{digest}.png"
    assert stored.path.read_bytes() == PNG
    assert (stored.size, stored.media_type) == (len(PNG), "image/png")
    assert not stat.S_IMODE(stored.path.stat().st_mode) & 0o222  # stored files are read-only
    assert store.path_for(digest) == stored.path
    assert leftovers(tmp_path) == []


def test_a_file_is_copied_and_its_record_is_relative_to_the_studio(tmp_path):
    source = tmp_path / "Plate_v001.PNG"
    source.write_bytes(PNG)
    stored = AssetStore(tmp_path / "assets").put_file(source)
    assert stored.path.name == f"{stored.sha256}.png"
    assert stored.path.read_bytes() == PNG
    record = stored.record(tmp_path)
    assert record.path == f"assets/{stored.sha256[:2]}/{stored.sha256[2:4]}/{stored.sha256}.png"
    assert (record.sha256, record.size, record.media_type) == (stored.sha256, len(PNG), "image/png")


def test_an_existing_file_is_never_overwritten(tmp_path):
    store = AssetStore(tmp_path / "assets")
    first = store.put_bytes(PNG, ".png")
    before = first.path.stat()
    source = tmp_path / "same.bin"
    source.write_bytes(PNG)
    for again in (store.put_bytes(PNG, ".png"), store.put_bytes(PNG, ".dat"), store.put_file(source)):
        assert again == first
    after = first.path.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert [p.name for p in first.path.parent.iterdir()] == [first.path.name]


def test_a_failed_write_leaves_no_file(tmp_path, monkeypatch):
    def refuse(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files_module.os, "replace", refuse)
    store = AssetStore(tmp_path / "assets")
    with pytest.raises(OSError, match="No space"):
        store.put_bytes(PNG, ".png")
    monkeypatch.undo()
    assert [p for p in (tmp_path / "assets").rglob("*") if p.is_file()] == []
    with pytest.raises(NotFound):
        store.path_for(hashlib.sha256(PNG).hexdigest())


def test_a_file_that_changes_while_stored_is_refused(tmp_path, monkeypatch):
    source = tmp_path / "growing.exr"
    source.write_bytes(PNG)
    # The hash taken first no longer matches the bytes copied: as if the file grew in between.
    monkeypatch.setattr(assets_module, "sha256_file", lambda path: "0" * 64)
    with pytest.raises(MediaError, match="changed while"):
        AssetStore(tmp_path / "assets").put_file(source)
    assert [p for p in (tmp_path / "assets").rglob("*") if p.is_file()] == []


def test_sha256_file_reads_in_chunks(tmp_path, monkeypatch):
    monkeypatch.setattr(assets_module, "CHUNK", 7)
    path = tmp_path / "clip.bin"
    path.write_bytes(PNG)
    assert sha256_file(path) == hashlib.sha256(PNG).hexdigest()


def test_bad_hashes_suffixes_and_sources_are_refused(tmp_path):
    store = AssetStore(tmp_path / "assets")
    with pytest.raises(InvalidInput, match="not a sha256"):
        store.path_for("../../etc/passwd")
    with pytest.raises(NotFound, match="no stored file"):
        store.path_for("c" * 64)
    with pytest.raises(InvalidInput, match="not a file suffix"):
        store.put_bytes(PNG, "/../x")
    with pytest.raises(MediaError, match="cannot be read"):
        store.put_file(tmp_path / "missing.png")
    assert not os.path.exists(tmp_path / "assets")
