"""The ``collapse`` engine: a building on a plate falls apart in a dust cloud, as a signed VFX shot.

Steps (fixed, in this order): check the plate and the outline → Voronoi fracture along the floors →
rigid-body simulation of 3-D slabs (pybullet) with holds that fail from the failure point outward →
per frame: revealed background, textured and shaded pieces with sub-frame motion blur, debris, the dust
plume, camera shake → the beauty as H.264 (with the plate's audio) and four matte passes as H.264.

What the runtime can sign and watermark is a still or an H.264 clip, so that is what is delivered:
the beauty clip, one grey clip per matte pass (pieces, debris, dust, revealed background), and, on
request, every beauty frame as a PNG. EXR is not delivered: the runtime cannot watermark or sign it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from greenlight.engines.base import EngineInfo, EngineOutput, EngineRequest, Progress
from greenlight.engines.collapse.fill import revealed_plate
from greenlight.engines.collapse.params import CollapseParams
from greenlight.engines.collapse.plate import building_mask, clean_plate, open_plate, split_inputs
from greenlight.engines.collapse.shot import PASSES, Shot, prepare, render
from greenlight.engines.collapse.sinks import ClipSink


class CollapseEngine:
    """Building collapse on a plate: procedural, seeded, CPU only."""

    info = EngineInfo(
        name="collapse",
        version="1.0.0",
        summary="Collapse a building on a plate: Voronoi fracture along its floors, 3-D rigid-body slabs, "
        "dust plume, debris, camera shake; beauty plus aligned matte passes.",
        action="c2pa.edited",
        source_type="http://cv.iptc.org/newscodes/digitalsourcetype/algorithmicMedia",
        makes=("video", "image"),
    )

    def check_inputs(self, request: EngineRequest) -> None:
        """Refuse a request that cannot run, naming the problem and the file.

        Raises:
            InvalidInput: bad parameters, the wrong inputs, or a bad outline (empty, self-intersecting,
                outside the frame, covering the frame, fewer than three points, a mask of the wrong size).
            MediaError: the plate, mask or clean plate is not a readable image or clip.
        """
        self._load(request)

    def _load(self, request: EngineRequest):
        params = CollapseParams.parse(request.params)
        plate_path, mask_path, clean_path = split_inputs(tuple(request.inputs), params)
        plate = open_plate(plate_path, params)
        mask = building_mask(plate, params, mask_path)
        clean = clean_plate(clean_path, plate) if clean_path is not None else None
        return params, plate, mask, clean

    def run(self, request: EngineRequest, workdir: Path, progress: Progress) -> list[EngineOutput]:
        """Make the shot in ``workdir``: the beauty clip, one clip per matte pass, PNG frames on request.

        Raises:
            InvalidInput, MediaError: as :meth:`check_inputs`, or an output cannot be written.
        """
        params, plate, mask, clean = self._load(request)
        workdir = Path(workdir)
        workdir.mkdir(parents=True, exist_ok=True)
        frames = max(plate.frame_count, params.start_frame + int(round(params.duration * plate.fps)))
        progress(0.0, f"breaking up the building in {plate.path.name}")
        texture = plate.frame(params.start_frame)
        rng = np.random.default_rng(request.seed)
        background = clean if clean is not None else revealed_plate(texture, mask, rng)
        shot = Shot(params, texture, background, mask, plate.fps, frames, request.seed)
        prepare(shot, lambda f: progress(0.3 * f, "simulating the collapse"))
        stem = plate.path.stem
        beauty = ClipSink(workdir / f"{stem}.collapse.mp4", plate.fps, plate.path if plate.has_audio else None,
                          preset="veryfast", crf=17)
        # Mattes are flat grey: the fastest x264 preset costs them nothing in quality.
        mattes = {name: ClipSink(workdir / f"{stem}.collapse.matte-{name}.mp4", plate.fps, preset="ultrafast")
                  for name in PASSES}
        stills: list[EngineOutput] = []
        try:
            for frame in render(shot, plate.frames(frames)):
                beauty.push(frame.beauty)
                for name, sink in mattes.items():
                    sink.push(frame.mattes[name])
                if params.png_frames:
                    stills.append(self._still(workdir, stem, frame.index, frame.beauty))
                progress(0.3 + 0.7 * (frame.index + 1) / frames, f"rendering frame {frame.index + 1}/{frames}")
        finally:
            paths = [beauty.close()] + [sink.close() for sink in mattes.values()]
        notes = self._notes(params, shot, frames)
        outputs = [EngineOutput(paths[0], "video", "beauty", notes)]
        outputs += [EngineOutput(path, "video", f"matte-{name}", notes) for path, name in zip(paths[1:], PASSES,
                                                                                             strict=True)]
        return outputs + stills

    @staticmethod
    def _still(workdir: Path, stem: str, index: int, rgb: np.ndarray) -> EngineOutput:
        from greenlight.media import save_image

        path = save_image(workdir / f"{stem}.collapse.{index:04d}.png", rgb)
        return EngineOutput(path, "image", "frame", {"frame": index})

    @staticmethod
    def _notes(params: CollapseParams, shot: Shot, frames: int) -> dict[str, Any]:
        return {"model": "voronoi-pybullet-dustgrid", "frames": frames, "fps": shot.fps,
                "pieces": len(shot.fracture.shards), "direction": params.direction,
                "storey_px": round(shot.fracture.floor_px, 1)}


