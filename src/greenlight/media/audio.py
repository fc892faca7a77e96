"""Carrying a source's sound into a new video: packets copied as they are, or re-encoded to AAC."""

from __future__ import annotations

_LAYOUTS = {1: "mono", 2: "stereo", 3: "2.1", 4: "quad", 5: "5.0", 6: "5.1", 8: "7.1"}
# Audio codecs the MP4/MOV muxers accept as they are; anything else is re-encoded to AAC.
REMUXABLE_AUDIO = frozenset({"aac", "mp3", "ac3", "eac3", "alac", "opus", "flac", "mp2"})


class AudioCopy:
    """Carries one audio stream into an output container: packets copied, or re-encoded to AAC.

    Args:
        out: the PyAV output container (before its header is written: the stream is added here).
        source: a PyAV input container with at least one audio stream; its first one is carried.
    """

    def __init__(self, out, source) -> None:
        import av

        self._in = source.streams.audio[0]
        self._remux = self._in.codec_context.name in REMUXABLE_AUDIO
        if self._remux:
            self._out = out.add_stream_from_template(self._in)
        else:
            self._out = out.add_stream("aac", rate=self._in.codec_context.sample_rate)
            # Decoders may report an unordered "N channels" layout, which the AAC encoder refuses.
            channels = self._in.codec_context.layout.nb_channels
            self._out.layout = _LAYOUTS.get(channels, "stereo")
        self._container = out
        self._packets = source.demux(self._in)
        self._pending: av.Packet | None = None  # read, but due after the video written so far
        self._done = False

    def mux_until(self, seconds: float) -> None:
        """Mux source packets that start before ``seconds`` (interleaving with the video as it is written)."""
        while not self._done:
            packet = self._pending if self._pending is not None else next(self._packets, None)
            self._pending = None
            if packet is None:
                self._done = True
                break
            if packet.dts is None:  # the demuxer's final flush packet
                continue
            if packet.pts is not None and float(packet.pts * packet.time_base) >= seconds:
                self._pending = packet
                break
            self._write(packet)

    def finish(self) -> None:
        """Mux every packet left, then flush the encoder when re-encoding."""
        self.mux_until(float("inf"))
        if not self._remux:
            for packet in self._out.encode(None):
                self._container.mux(packet)

    def _write(self, packet) -> None:
        if self._remux:
            packet.stream = self._out
            self._container.mux(packet)
            return
        for frame in packet.decode():
            frame.pts = None  # let the encoder number samples itself
            for out_packet in self._out.encode(frame):
                self._container.mux(out_packet)
