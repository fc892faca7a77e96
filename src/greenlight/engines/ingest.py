"""The `ingest` engine: media made outside Greenlight enters a production through the same gate.

It makes nothing: its output is the file as it came. The runtime does the rest as for any engine —
every face scanned and checked against consent, the file signed (naming the outside tool, with the
original as an ingredient), watermarked, stored, and put in the review queue.
"""

from __future__ import annotations

from pathlib import Path

from greenlight.engines.base import EngineInfo, EngineOutput, EngineRequest, Progress
from greenlight.errors import InvalidInput

IPTC = "http://cv.iptc.org/newscodes/digitalsourcetype/"


MIN_SIDE = 64
"""The smallest side the watermark is embedded in (``greenlight.provenance.watermark.check_image``)."""


class IngestEngine:
    info = EngineInfo(
        name="ingest",
        version="1",
        summary="bring in media made by an outside tool (a hosted model, a vendor, an artist's own tool)",
        action="c2pa.created",
        source_type=IPTC + "trainedAlgorithmicMedia",
        likeness_use="independent-replica",
    )

    def check_inputs(self, request: EngineRequest) -> None:
        if len(request.inputs) != 1:
            raise InvalidInput(f"ingest takes one file, got {len(request.inputs)}")
        if not str(request.params.get("tool", "")).strip():
            raise InvalidInput("ingest needs the name of the outside tool that made the file", "add --tool NAME")
        from greenlight.errors import MediaError
        from greenlight.media import check_media, load_image, probe_video

        path = Path(request.inputs[0])
        if check_media(path) == "image":
            height, width = load_image(path).shape[:2]
        else:
            info = probe_video(path)
            width, height = info.width, info.height
        if min(width, height) < MIN_SIDE:  # refused here, before a job or a stored copy exists
            raise MediaError(path, f"is {width}x{height}: an ingested file is watermarked, which needs at least "
                                   f"{MIN_SIDE}x{MIN_SIDE} pixels", "give the full-size file")

    def run(self, request: EngineRequest, workdir: Path, progress: Progress) -> list[EngineOutput]:
        from greenlight.media import media_kind

        source = Path(request.inputs[0])
        progress(1.0, f"ingested {source.name}")
        # The output is the stored original itself, so its own Content Credentials, if any, become
        # the ingredient of the new manifest rather than being nested twice.
        return [EngineOutput(path=source, media=media_kind(source), role="ingested")]
