"""What reading media as displayed costs: every view of a still, every frame upright (issue 7, class 1).

    PYTHONPATH=src GREENLIGHT_FACES=.cache/samples/faces .venv/bin/python bench/media_views.py

Times are medians of ``--repeat`` runs. Decoding the sample clip is also timed on a copy carrying a
90° display matrix, to show what the rotation adds; run it once with an older ``src`` on PYTHONPATH to
compare (the parts that older code lacks are skipped).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

from greenlight import media


def timed(work, repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def rotated_copy(clip: Path, target: Path) -> Path:
    """The clip re-encoded with a 90° display matrix (frames stored sideways, as a phone does)."""
    import av

    with av.open(str(target), "w") as out:
        stream = None
        for _, rgb in media.read_frames(clip):
            sideways = np.ascontiguousarray(np.rot90(rgb, -1))
            if stream is None:
                stream = out.add_stream("libx264", rate=int(round(media.probe_video(clip).fps)))
                stream.height, stream.width = sideways.shape[:2]
                stream.pix_fmt, stream.options = "yuv420p", {"preset": "veryfast"}
                stream.set_display_rotation(90)
            out.mux(stream.encode(av.VideoFrame.from_ndarray(sideways, format="rgb24")))
        out.mux(stream.encode(None))
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    faces = Path(os.environ.get("GREENLIGHT_FACES", ""))
    clip = faces / "scenes" / "short_hamilton_clip.mp4"
    if not clip.is_file():
        sys.exit("set GREENLIGHT_FACES to the sample faces folder")
    views = getattr(media, "load_views", None)
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        photo = faces / "obama" / "obama.jpg"
        rgba = np.dstack([media.load_image(photo), np.full(media.load_image(photo).shape[:2], 200, np.uint8)])
        Image.fromarray(rgba, "RGBA").save(work / "alpha.png")
        print(f"{'what':44} {'ms':>8}")
        for name, path in (("opaque JPEG", photo), ("PNG with alpha", work / "alpha.png")):
            print(f"{'load_image, ' + name:44} {timed(lambda p=path: media.load_image(p), args.repeat) * 1e3:8.1f}")
            if views:
                print(f"{'load_views, ' + name:44} {timed(lambda p=path: views(p), args.repeat) * 1e3:8.1f}")
        sources = [("clip", clip)]
        if hasattr(media, "video_stream_count"):
            sources.append(("clip, 90° display matrix", rotated_copy(clip, work / "turned.mp4")))
        for name, path in sources:
            gray = timed(lambda p=path: sum(1 for f in media.decode_frames(p) if f.gray() is not None), args.repeat)
            rgb = timed(lambda p=path: sum(1 for _ in media.read_frames(p)), args.repeat)
            print(f"{'decode + gray, ' + name:44} {gray * 1e3:8.1f}")
            print(f"{'decode + rgb, ' + name:44} {rgb * 1e3:8.1f}")


if __name__ == "__main__":
    main()
