"""HEVC over RTMP, the real path: `Encoder` (libx265 + AAC) → `NetworkOutput` → the sender child (NUT on
its stdin, remuxed to FLV, which FFmpeg writes as Enhanced RTMP, FourCC hvc1) → an RTMP server.

The server is FFmpeg's own RTMP listener, in a child process (two PyAV RTMP endpoints in one process hang;
PyAV's RTMP calls hold the GIL): it decodes what arrives and writes a JSON report. The second test goes
through nginx-rtmp, which relays HEVC only with `wait_key off;` and only to a player connected before the
publisher: the player is another child process of the same script.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from studio.app.bench.nginx import RtmpServer, free_port, nginx_available
from studio.media.clock import AUDIO_RATE
from studio.media.encoder import Encoder
from studio.media.encoder_options import VideoSettings, choose_encoder, software_fallback
from studio.media.outputs.network import NetworkOutput

pytestmark = pytest.mark.slow

W, H, FPS = 640, 360, 30
SECONDS = 3
FRAMES = SECONDS * FPS
SETTINGS = VideoSettings(W, H, Fraction(FPS), 1000)

# The receiving end, run as `python -c RECEIVER MODE URL REPORT MAX_FRAMES`: MODE "listen" (FFmpeg's RTMP
# server, until the publisher closes) or "play" (an RTMP player, until MAX_FRAMES video frames).
RECEIVER = r'''
import json, sys
import av

mode, url, report, max_frames = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
r = {"streams": [], "video_frames": 0, "audio_frames": 0, "decode_errors": 0, "first_row": None}
try:
    print("opening", flush=True)
    options = {"listen": "1"} if mode == "listen" else {}
    inp = av.open(url, options=options, timeout=(25, 10))
    r["streams"] = [{"type": s.type, "codec": s.codec_context.name,
                     "width": getattr(s.codec_context, "width", None),
                     "height": getattr(s.codec_context, "height", None)} for s in inp.streams]
    try:
        for packet in inp.demux():
            try:
                frames = packet.decode()
            except av.error.FFmpegError as e:
                r["decode_errors"] += 1
                r.setdefault("first_decode_error", repr(e))
                continue
            for f in frames:
                if isinstance(f, av.VideoFrame):
                    if r["first_row"] is None:
                        r["first_row"] = f.reformat(format="yuv420p").to_ndarray()[H // 2].tolist()
                    r["video_frames"] += 1
                    r["size"] = [f.width, f.height]
                else:
                    r["audio_frames"] += 1
            if r["video_frames"] >= max_frames:
                break
    except OSError as e:
        r["ended"] = repr(e)    # FFmpeg's listener reads EIO when the publisher hangs up
    inp.close()
except Exception as e:
    r["error"] = repr(e)
with open(report, "w") as out:
    json.dump(r, out)
'''.replace("H // 2", str(H // 2))


def _canvas(i: int) -> np.ndarray:
    """Frame `i` of the test pattern: a diagonal gradient moving 4 px a frame (yuv420p, grey chroma)."""
    canvas = np.full((H * 3 // 2, W), 128, np.uint8)
    canvas[:H] = np.add.outer(np.arange(H), np.arange(W) + 4 * i) % 200 + 16
    return canvas


def _tone(start: int, n: int) -> np.ndarray:
    t = (np.arange(n) + start) / AUDIO_RATE
    s = (0.2 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    return np.stack([s, s], axis=1)


def _tcp_states(port: int) -> list[tuple[int, int, str]]:
    """(local port, remote port, state) of this machine's IPv4 TCP sockets that involve `port` (Linux)."""
    rows = []
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote, state = int(fields[1].split(":")[1], 16), int(fields[2].split(":")[1], 16), fields[3]
        if port in (local, remote):
            rows.append((local, remote, state))
    return rows


def _wait_for(condition, what: str, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.05)


def _receiver(mode: str, url: str, report: Path, max_frames: int = 10**9) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", RECEIVER, mode, url, str(report), str(max_frames)],
                            stdout=subprocess.DEVNULL)


def _finish(proc: subprocess.Popen[bytes], report: Path, timeout: float = 20.0) -> dict[str, Any]:
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        pytest.fail("the receiving child did not finish")
    assert report.exists(), "the receiving child wrote no report"
    result: dict[str, Any] = json.loads(report.read_text())
    return result


def _publish(url: str) -> tuple[NetworkOutput, Encoder]:
    """Encode SECONDS of pattern + tone with the HEVC encoder `auto` chooses here (libx265 on a machine
    without a GPU) and send it through the real NetworkOutput, at the show's pace."""
    name = choose_encoder("auto", SETTINGS, codec="hevc")
    encoder = Encoder(name, SETTINGS, 128, fallback=software_fallback("hevc"))
    assert encoder.video_template.codec_context.name == name
    out = NetworkOutput(url, encoder.video_template, encoder.audio_template,
                        bitrate_kbps=SETTINGS.bitrate_kbps, connect_timeout=15.0)
    encoder.sinks.append(out.push)
    out.start()
    encoder.start()
    per_frame = AUDIO_RATE // FPS
    t0 = time.monotonic()
    try:
        for i in range(FRAMES):
            encoder.submit_audio(i * per_frame, _tone(i * per_frame, per_frame))
            encoder.submit_video(i, _canvas(i), None)
            delay = t0 + (i + 1) / FPS - time.monotonic()
            if delay > 0:
                time.sleep(delay)
    finally:
        encoder.stop()
        out.stop(timeout=5.0)
    assert encoder.failure is None, encoder.failure
    return out, encoder


def _assert_hevc_received(r: dict[str, Any], min_frames: int) -> None:
    assert "error" not in r, r.get("error")
    video = [s for s in r["streams"] if s["type"] == "video"]
    audio = [s for s in r["streams"] if s["type"] == "audio"]
    assert video and video[0]["codec"] == "hevc", r["streams"]
    assert (video[0]["width"], video[0]["height"]) == (W, H)
    assert audio and audio[0]["codec"] == "aac", r["streams"]
    assert r["size"] == [W, H]
    assert r["decode_errors"] == 0, r.get("first_decode_error")
    assert r["video_frames"] >= min_frames, r
    assert r["audio_frames"] >= 50, r     # AAC frames of 1024 samples: ~47 a second
    # the first picture is the pattern's (a keyframe at 1000 kbit/s: close to what was sent)
    sent = _canvas(0)[H // 2].astype(int)
    assert np.abs(np.array(r["first_row"]) - sent).mean() < 6


def test_hevc_reaches_ffmpegs_rtmp_server_through_the_sender_child(tmp_path):
    port = free_port()
    url = f"rtmp://127.0.0.1:{port}/live/k3y"
    report = tmp_path / "received.json"
    server = _receiver("listen", url, report)
    try:
        # not a probing connect: FFmpeg's listener takes exactly one connection
        _wait_for(lambda: (port, 0, "0A") in _tcp_states(port), "FFmpeg's RTMP listener")
        out, encoder = _publish(url)
        r = _finish(server, report)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    assert encoder.name == "libx265" or encoder.name.startswith("hevc_")
    assert out.counters.reconnects == 0
    assert out.counters.video_dropped == 0
    _assert_hevc_received(r, min_frames=FRAMES - 5)


@pytest.mark.skipif(not nginx_available(), reason="nginx with the RTMP module is not installed")
def test_hevc_through_nginx_with_wait_key_off_reaches_a_player_connected_before(tmp_path):
    report = tmp_path / "played.json"
    with RtmpServer(tmp_path / "nginx", wait_key=False) as server:
        url = server.url("k3y")
        assert "wait_key off;" in (server.workdir / "nginx.conf").read_text()
        player = _receiver("play", url, report, max_frames=FRAMES - 30)
        try:
            # the player is in (an established connection to nginx's port), and has asked to play
            _wait_for(lambda: any(remote == server.port and state == "01"
                                  for _, remote, state in _tcp_states(server.port)), "the player to connect")
            time.sleep(0.5)
            out, _ = _publish(url)
            r = _finish(player, report)
        finally:
            if player.poll() is None:
                player.kill()
                player.wait()
    assert out.counters.reconnects == 0
    _assert_hevc_received(r, min_frames=FRAMES - 30)


def test_a_show_streams_h264_and_hevc_destinations_from_one_canvas(tmp_path, rtmp_server):
    """`studio live --out URL --out-hevc URL`: two encodes of the same canvas, each to its destination."""
    from tests.support.studio_proc import run_studio

    port = free_port()
    hevc_url = f"rtmp://127.0.0.1:{port}/live/hevc-k3y"
    report = tmp_path / "received.json"
    server = _receiver("listen", hevc_url, report)
    try:
        _wait_for(lambda: (port, 0, "0A") in _tcp_states(port), "FFmpeg's RTMP listener")
        stats = tmp_path / "stats.jsonl"
        res = run_studio("live", "--size", "640x360", "--bitrate", "1000",
                         "--out", rtmp_server.url("h264-k3y"), "--out-hevc", hevc_url,
                         "--duration", "4", "--feed", "none", "--stats", str(stats), "--quiet", timeout=90)
        r = _finish(server, report)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    assert res.returncode == 0, res.stderr
    assert sum("live from" in line for line in res.stderr.splitlines()) == 2, res.stderr
    video = [s for s in r["streams"] if s["type"] == "video"]
    assert video and video[0]["codec"] == "hevc" and r["decode_errors"] == 0, r
    assert r["video_frames"] >= 60, r
