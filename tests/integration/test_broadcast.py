"""`studio live` pushes to a real nginx-rtmp server; we pull the stream back and decode it."""

from __future__ import annotations

import json

import av
import cv2
import numpy as np
import pytest

from tests.support.pull import Puller
from tests.support.studio_proc import run_studio

pytestmark = pytest.mark.slow

CARD_XY = (96, 160)
CARD_SIZE = (240, 120)


@pytest.fixture
def green_card(tmp_path):
    """A solid green card with a fully transparent 10-pixel border (straight alpha, as PNGs store it)."""
    w, h = CARD_SIZE
    img = np.zeros((h, w, 4), np.uint8)
    img[10:-10, 10:-10] = (0, 255, 0, 255)
    path = tmp_path / "card.png"
    cv2.imwrite(str(path), img)
    return path


def read_recording(path):
    with av.open(str(path)) as c:
        v = c.streams.video[0]
        vts = [float(f.pts * f.time_base) for f in c.decode(v)]
    with av.open(str(path)) as c:
        ats = [float(f.pts * f.time_base) for f in c.decode(c.streams.audio[0])]
        rate = c.streams.audio[0].codec_context.sample_rate
    return vts, ats, rate, v.codec_context.name


def test_live_pushes_h264_and_aac_with_the_overlay_in_place_and_records_the_same(rtmp_server, tmp_path,
                                                                                  green_card):
    url = rtmp_server.url("key-landscape-4f1a")
    rec = tmp_path / "show.mkv"
    stats = tmp_path / "stats.jsonl"
    puller = Puller(url, 4.0, open_timeout=20).start()  # retries until the studio publishes
    res = run_studio("live", "--duration", "9", "--out", url, "--record", str(rec), "--stats", str(stats),
                     "--image", f"{green_card}@{CARD_XY[0]},{CARD_XY[1]}", "--video", "testsrc",
                     "--audio", "tone")
    assert res.returncode == 0, res.stderr
    pulled = puller.join()
    assert pulled.error is None, pulled.error
    assert (pulled.video_codec, pulled.width, pulled.height) == ("h264", 1280, 720)
    assert pulled.fps == pytest.approx(30, abs=0.01)
    assert pulled.audio_rate == 48000 and pulled.audio_pts, "no audio in the stream"
    # constant frame rate: consecutive frames exactly 1/30 s apart
    gaps = np.diff(pulled.video_pts)
    assert np.allclose(gaps, 1 / 30, atol=0.002), f"irregular frame times: {sorted(set(np.round(gaps, 3)))}"
    # the overlay: green inside the card, the test pattern (not green) just outside its transparent border
    frame = pulled.frames[-1]
    cx, cy = CARD_XY[0] + CARD_SIZE[0] // 2, CARD_XY[1] + CARD_SIZE[1] // 2
    r, g, b = frame[cy, cx].astype(int)
    assert g > 200 and r < 60 and b < 60, f"card centre is {r, g, b}"
    r2, g2, b2 = frame[CARD_XY[1] + 4, CARD_XY[0] + 4].astype(int)
    assert not (g2 > 200 and r2 < 60 and b2 < 60), "the transparent border was drawn green"

    # status lines on stderr and as JSON lines, with the stream key masked
    assert "fps" in res.stderr and "key-landscape-4f1a" not in res.stderr
    lines = [json.loads(x) for x in stats.read_text().splitlines()]
    assert lines[-1]["final"] and lines[-1]["frames"] >= 9 * 30 - 3
    assert "key-landscape-4f1a" not in stats.read_text()

    # the recording: the whole show, CFR, audio alongside video
    vts, ats, rate, codec = read_recording(rec)
    assert codec == "h264" and rate == 48000
    assert len(vts) == pytest.approx(9 * 30, abs=4)
    assert np.allclose(np.diff(vts), 1 / 30, atol=0.002)
    assert abs(ats[0] - vts[0]) < 0.1, "audio and video do not start together"
    assert abs(ats[-1] - vts[-1]) < 0.15, "audio and video do not end together"


def test_vertical_canvas_streams_at_720x1280(rtmp_server):
    url = rtmp_server.url("key-vertical-5b2c")
    puller = Puller(url, 1.0, open_timeout=20).start()
    res = run_studio("live", "--size", "720x1280", "--duration", "7", "--out", url)
    assert res.returncode == 0, res.stderr
    pulled = puller.join()
    assert (pulled.width, pulled.height) == (720, 1280), pulled.error


def test_one_encode_feeds_two_destinations(rtmp_server):
    urls = [rtmp_server.url("key-first-6c3d"), rtmp_server.url("key-second-7d4e")]
    pullers = [Puller(u, 1.0, open_timeout=20).start() for u in urls]
    res = run_studio("live", "--duration", "7", "--out", urls[0], "--out", urls[1], "--size", "640x360")
    assert res.returncode == 0, res.stderr
    for p in pullers:
        r = p.join()
        assert r.error is None and (r.width, r.height) == (640, 360)
