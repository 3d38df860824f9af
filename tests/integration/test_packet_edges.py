"""No packet is lost at a connection's edges: what nginx-rtmp received, counted against what was encoded.

nginx records every publish as it arrived (`record all`, one FLV per connection). The show records
to Matroska alongside, which holds every packet the encoder produced.
"""

from __future__ import annotations

import os
import signal
import time

import av
import pytest

from studio.app.bench.faults import make_show, wait_for
from studio.app.bench.nginx import RtmpServer
from studio.core.events import StreamStateChanged

pytestmark = pytest.mark.slow


def packets(path) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {"audio": [], "video": []}
    with av.open(str(path)) as c:
        for p in c.demux():
            if p.dts is not None:
                out[p.stream.type].append(float(p.dts * p.time_base))
    return out


@pytest.fixture
def recording_server(tmp_path):
    server = RtmpServer(tmp_path / "nginx", record=True).start()
    yield server
    server.stop()


def test_one_connection_delivers_every_audio_and_video_packet(recording_server, tmp_path):
    show = make_show([recording_server.url("edges")], tmp_path / "rec.mkv")
    show.start()
    try:
        assert wait_for(lambda: show.outputs[0].state == "live", 20)
        time.sleep(4.0)
    finally:
        show.stop()
    time.sleep(0.5)  # nginx closes its recording when the publisher has gone
    encoded = packets(tmp_path / "rec.mkv")
    [received_file] = recording_server.recordings()
    received = packets(received_file)
    assert len(received["audio"]) == len(encoded["audio"]), "audio packets lost at a connection's edge"
    assert len(received["video"]) == len(encoded["video"]), "video packets lost at a connection's edge"
    out = show.outputs[0]
    assert out.counters.audio_sent == len(encoded["audio"])
    assert out.counters.video_sent == len(encoded["video"])


def test_a_new_connection_starts_on_a_keyframe_with_the_audio_it_covers(recording_server, tmp_path):
    show = make_show([recording_server.url("edges")], tmp_path / "rec.mkv")
    first_connection: list[tuple[int, int]] = []

    def on_state(ev: StreamStateChanged) -> None:
        if ev.state == "reconnecting" and not first_connection:  # the first child has been read to its end
            out = show.outputs[0]
            first_connection.append((out.counters.audio_sent, out.counters.video_sent))

    show.bus.subscribe(StreamStateChanged, on_state)
    show.start()
    try:
        out = show.outputs[0]
        assert wait_for(lambda: out.state == "live", 20)
        time.sleep(3.0)
        os.kill(out._proc.pid, signal.SIGKILL)   # a new connection, mid-show
        assert wait_for(lambda: out.state == "live" and out.counters.reconnects == 1, 20)
        time.sleep(3.0)
    finally:
        show.stop()
    time.sleep(0.5)
    files = recording_server.recordings()
    assert len(files) == 2
    second = packets(files[1])
    with av.open(str(files[1])) as c:
        first_video = next(p for p in c.demux(c.streams.video[0]) if p.dts is not None)
        assert first_video.is_keyframe
    # the audio starts with the keyframe (within the lead the encoder's audio delay needs), not later
    assert second["audio"][0] <= second["video"][0] + 0.03
    # every packet the new connection wrote reached the server (a SIGKILLed sender may lose what its
    # socket still held: that connection died, not its edge)
    [(audio_first, video_first)] = first_connection
    assert len(second["audio"]) == out.counters.audio_sent - audio_first
    assert len(second["video"]) == out.counters.video_sent - video_first
