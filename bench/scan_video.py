"""Benchmark of the likeness video scan: Greenlight's keyframe scan against a per-frame scan.

Enrols Lin-Manuel Miranda and Alex Lacamoire from one photo each, then on the sample clip measures the
frames per second of decoding alone, of the per-frame scan (HOG detection + landmarks + embedding on
every frame) and of Greenlight's keyframe scan, the speed-up, and whether Greenlight's tracks cover
every face-frame the per-frame scan found, with the same identities.

Usage:
    .venv/bin/python bench/scan_video.py [--faces DIR] [--intervals 5,10,20] [--repeat 1]

The faces folder defaults to $GREENLIGHT_FACES. ``--intervals`` also measures other keyframe
intervals (how the default was chosen).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from greenlight.domain.registry import SubjectKind
from greenlight.domain.scan import ScanResult
from greenlight.likeness import FaceAnalyzer, Gallery, compare_tracks, reference_from_photo
from greenlight.likeness.keyframes import KEYFRAME_INTERVAL
from greenlight.likeness.scan import scan_video, scan_video_per_frame
from greenlight.media import decode_frames, read_frames

PEOPLE = {
    "lin_manuel_miranda": ("lin_manuel_miranda/lin_manuel_miranda1.png", "Lin-Manuel Miranda"),
    "alex_lacamoire": ("alex_lacamoire/alex_lacamoire1.jpg", "Alex Lacamoire"),
}


def enrol(faces: Path, analyzer: FaceAnalyzer) -> Gallery:
    """A gallery of the two people on the clip, one reference photo each."""
    refs = [reference_from_photo(faces / photo, SubjectKind.TALENT, sid, analyzer)
            for sid, (photo, _) in PEOPLE.items()]
    return Gallery(refs, {sid: name for sid, (_, name) in PEOPLE.items()})


def timed(fn, repeat: int):
    """Best wall time of ``repeat`` runs (the machine is shared: the minimum is the least disturbed)."""
    best, result = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def describe(result: ScanResult) -> None:
    for t in result.tracks:
        who = t.identity.name or t.identity.kind.value
        print(f"    track {t.track_id}: frames {t.first_frame}–{t.last_frame} ({len(t.boxes)} boxes), "
              f"{who} (distance {t.identity.distance})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--faces", type=Path, default=os.environ.get("GREENLIGHT_FACES"),
                        help="sample faces folder (default: $GREENLIGHT_FACES)")
    parser.add_argument("--intervals", default="", help="extra keyframe intervals to measure, e.g. 5,20,30")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each fast measurement (best is kept)")
    args = parser.parse_args(argv)
    if args.faces is None:
        parser.error("give --faces DIR or set GREENLIGHT_FACES")
    clip = args.faces / "scenes" / "short_hamilton_clip.mp4"

    analyzer = FaceAnalyzer()
    gallery = enrol(args.faces, analyzer)
    decode_s, frames = timed(lambda: sum(1 for _ in read_frames(clip)), args.repeat)
    grey_s, _ = timed(lambda: sum(1 for f in decode_frames(clip) if f.gray() is not None), args.repeat)
    print(f"clip: {clip.name}, {frames} frames; {os.cpu_count()} CPU cores")
    print(f"decode only, to RGB:  {frames / decode_s:7.1f} fps")
    print(f"decode only, to grey: {frames / grey_s:7.1f} fps (what the scans read on every frame)")

    analyzer.stats.clear()
    full_s, full = timed(lambda: scan_video_per_frame(clip, gallery, analyzer), 1)
    print(f"per-frame scan:       {frames / full_s:7.1f} fps  ({full_s:.1f} s) work: {dict(analyzer.stats)}")
    describe(full)

    intervals = [KEYFRAME_INTERVAL] + [int(n) for n in args.intervals.split(",") if n.strip()]
    ok = True
    for n in intervals:
        analyzer.stats.clear()
        fast_s, fast = timed(lambda n=n: scan_video(clip, gallery, analyzer, keyframe_interval=n), args.repeat)
        stats = {k: v // args.repeat for k, v in analyzer.stats.items()}
        cov = compare_tracks(full.tracks, fast.tracks)
        label = "Greenlight scan" + (" (default)" if n == KEYFRAME_INTERVAL else "")
        print(f"{label}, keyframe every {n}: {frames / fast_s:7.1f} fps  ({fast_s:.2f} s), "
              f"speed-up {full_s / fast_s:4.1f}×, work: {stats}")
        print(f"    coverage of per-frame face-frames with the same identity: {100 * cov.ratio:.2f} % "
              f"({cov.covered - len(cov.mismatched)}/{cov.face_frames}); missed {len(cov.missed)}, "
              f"other identity {len(cov.mismatched)}")
        for frame, box in cov.missed[:10]:
            print(f"    missed: frame {frame} {box}")
        for frame, box in cov.mismatched[:10]:
            print(f"    other identity: frame {frame} {box}")
        if n == KEYFRAME_INTERVAL:
            describe(fast)
            ok = cov.complete
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
