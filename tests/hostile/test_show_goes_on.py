"""One bad value never stops a show: a QR code that cannot fit is said once and not drawn, a layer that
cannot be drawn (a crop larger than its source, a source that raises) is switched off or its crop not
applied with one message, and a side file that cannot be written (stats, the log file, the session log,
the terminal itself) is said once while the recording — on a good disk — is finalised and plays.

A full disk is a 1 MB tmpfs when this machine lets us mount one, else /dev/full (every write: ENOSPC)."""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import subprocess
import time
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from studio.media.compositor import Compositor, VideoLayer, _scale_frame, usable_crop
from studio.media.sources.base import CapturedFrame
from tests.support.studio_proc import run_studio, start_studio, studio_cmd

FPS = 15


@pytest.fixture(scope="module")
def gui():
    from studio.commerce.overlays.qt import ensure_gui

    ensure_gui()
    return True


def played(path: Path) -> tuple[int, float]:
    """(video frames decoded, seconds they span): the recording was finalised and plays to its end."""
    with av.open(str(path)) as c:
        frames = list(c.decode(video=0))
    assert frames, f"{path}: no video frame"
    span = float((frames[-1].pts - frames[0].pts) * frames[0].time_base)
    return len(frames), span


def stderr_lines(text: str) -> list[str]:
    return [ln for ln in text.splitlines() if ln.strip()]


# -- QR codes -----------------------------------------------------------------------------------------

URL_CHARS = st.sampled_from(["a", "Z", "9", "-", "/", "é", "茶", "🍵", "%2F"])


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(URL_CHARS, max_size=3200).map("".join),
       st.sampled_from([(320, 180), (640, 360), (1280, 720), (1920, 1080), (720, 1280)]))
def test_a_qr_code_either_fits_its_card_or_says_it_does_not(gui, tail, canvas):
    from studio.commerce.overlays.layout import layout_for
    from studio.commerce.overlays.qr import QRDoesNotFit, render_qr

    box = layout_for(canvas).box("qr")
    try:
        img = render_qr("https://shop.example.com/p/" + tail, box.size)
    except QRDoesNotFit as e:
        assert "\n" not in str(e) and ("too long" in str(e) or "pixels" in str(e))
        return
    assert img.shape == (box.h, box.w, 4)


def test_a_pinned_product_whose_link_cannot_be_a_qr_code_is_pinned_without_one_said_once(gui, caplog):
    from studio.app.show_commerce import CommerceShow
    from studio.commerce.catalog import Catalog
    from studio.commerce.product import make_product
    from studio.media.overlay import OverlayBoard

    long = make_product(sku="LONG", title="Tea", price="9", currency="USD",
                        url="https://shop.example.com/p/" + "🍵" * 760)
    short = make_product(sku="SHORT", title="Mug", price="5", currency="USD", url="https://shop.example.com/m")
    board = OverlayBoard()
    show = CommerceShow(board, (1280, 720), None, Catalog((long, short)))
    try:
        with caplog.at_level(logging.WARNING):
            for sku in ("LONG", "SHORT", "LONG"):
                show.pin(sku)
                assert board.get("commerce.price_card") is not None
                assert (board.get("commerce.qr") is None) == (sku == "LONG")
    finally:
        show.stop()
    said = [r for r in caplog.records if "QR code" in r.getMessage()]
    assert len(said) == 1 and "LONG" in said[0].getMessage() and "too long" in said[0].getMessage()


# -- layers -----------------------------------------------------------------------------------------

@settings(max_examples=150, deadline=None)
@given(st.tuples(*[st.integers(min_value=0, max_value=5000)] * 4),
       st.integers(min_value=8, max_value=320).map(lambda v: v * 2),
       st.integers(min_value=8, max_value=180).map(lambda v: v * 2),
       st.sampled_from(["bgr24", "yuv420p"]), st.sampled_from([(64, 36), (320, 180), (30, 600)]))
def test_any_crop_of_any_picture_scales_to_the_layer(crop, fw, fh, fmt, size):
    w, h = size
    if fmt == "yuv420p":
        img = np.full((fh * 3 // 2, fw), 128, np.uint8)
    else:
        img = np.full((fh, fw, 3), 128, np.uint8)
    y, u, v = _scale_frame(CapturedFrame(img, 0.0, 1, fmt), crop, w, h)
    assert y.shape == (h, w) and u.shape == (h // 2, w // 2) and v.shape == (h // 2, w // 2)
    left, top, right, bottom = usable_crop(crop, fw, fh)
    assert fw - left - right >= 4 and fh - top - bottom >= 4


class Flat:
    name = "flat"

    def __init__(self, w: int, h: int, luma: int) -> None:
        img = np.full((h * 3 // 2, w), 128, np.uint8)
        img[:h] = luma
        self.frame = CapturedFrame(img, 0.0, 1, "yuv420p")

    def latest(self) -> CapturedFrame:
        return self.frame


class Broken(Flat):
    name = "broken camera"

    def latest(self) -> CapturedFrame:
        raise RuntimeError("driver returned garbage")


def test_a_layer_that_cannot_be_drawn_is_switched_off_once_and_the_others_are_drawn(caplog):
    w, h = 64, 32
    bottom, bad = VideoLayer(Flat(w, h, 200)), VideoLayer(Broken(w, h, 50))  # type: ignore[arg-type]
    comp = Compositor((w, h), Fraction(30), [bottom, bad])
    with caplog.at_level(logging.WARNING):
        for i in range(20):
            canvas = comp.compose(i / 30)
            assert int(canvas[h // 2, w // 2]) == 200
    said = [r for r in caplog.records if "switched off" in r.getMessage()]
    assert len(said) == 1 and "broken camera" in said[0].getMessage() and bad.failed


def test_an_impossible_crop_and_an_unfittable_qr_keep_the_show_on_air_said_once_each(tmp_path):
    """`studio live` with both: exit 0, one line each, no traceback, a recording that plays."""
    scene = tmp_path / "scene.toml"
    scene.write_text('[canvas]\nwidth = 640\nheight = 360\nfps = 15\n\n'
                     '[[layer]]\nkind = "video"\nsource = "testsrc"\ncrop = [700, 0, 0, 400]\n')
    catalog = tmp_path / "catalog.csv"
    catalog.write_text("sku,title,price,url\nA1,Tea,9.99,https://shop.example.com/p/" + "茶" * 1900 + "\n",
                       encoding="utf-8")
    rec = tmp_path / "show.mkv"
    res = run_studio("live", "--scene", str(scene), "--catalog", str(catalog), "--pin", "A1", "--record",
                     str(rec), "--duration", "3", "--quiet", "--bitrate", "300", timeout=60)
    assert res.returncode == 0, res.stderr
    lines = stderr_lines(res.stderr)
    assert "Traceback" not in res.stderr and len(lines) == 2, res.stderr
    assert sum("crop (700, 0, 0, 400) is larger than its 640x360 picture" in ln for ln in lines) == 1
    assert sum("The QR code of A1 is not shown" in ln for ln in lines) == 1
    frames, span = played(rec)
    assert span >= 2.0 and frames >= 2.0 * FPS


# -- side files on a full disk ------------------------------------------------------------------------

@pytest.fixture
def small_disk(tmp_path):
    """A 1 MB tmpfs, or None when this machine does not let us mount one."""
    mnt = tmp_path / "small"
    mnt.mkdir()
    try:
        ok = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mnt)], capture_output=True,
                            timeout=10).returncode == 0
    except (OSError, subprocess.SubprocessError):
        ok = False
    yield mnt if ok else None
    if ok:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True, timeout=10)


def fill(folder: Path) -> None:
    with contextlib.suppress(OSError), open(folder / "filler", "wb") as f:
        while True:
            f.write(b"\0" * 65536)
            f.flush()


def test_stats_and_log_file_on_a_full_disk_are_said_once_and_the_recording_is_finalised(tmp_path, small_disk):
    if small_disk is not None:
        fill(small_disk)
        stats = small_disk / "stats.jsonl"
    else:
        stats = Path("/dev/full")
    rec = tmp_path / "good" / "show.mkv"
    res = run_studio("live", "--size", "320x180", "--fps", str(FPS), "--bitrate", "300", "--record", str(rec),
                     "--stats", str(stats), "--duration", "4", timeout=60,
                     env={"STUDIO_LOG_FILE": "/dev/full"})
    assert res.returncode == 0, res.stderr
    lines = stderr_lines(res.stderr)
    assert "Traceback" not in res.stderr
    assert sum(f"--stats {stats} cannot be written" in ln for ln in lines) == 1, res.stderr
    assert sum("the log file /dev/full cannot be written" in ln for ln in lines) == 1, res.stderr
    assert sum(" fps | render " in ln for ln in lines) >= 3  # the status line went on every second
    frames, span = played(rec)
    assert span >= 3.0 and frames >= 3.0 * FPS


def test_a_terminal_that_cannot_be_written_stops_nothing(tmp_path):
    rec = tmp_path / "show.mkv"
    log = tmp_path / "studio.log"
    with open("/dev/full", "w") as full:
        res = subprocess.run(studio_cmd("live", "--size", "320x180", "--fps", str(FPS), "--bitrate", "300",
                                        "--record", str(rec), "--duration", "3"),
                             stdout=subprocess.DEVNULL, stderr=full, timeout=60,
                             env={**os.environ, "STUDIO_LOG_FILE": str(log)})
    assert res.returncode == 0
    assert "the terminal (stderr) cannot be written" in log.read_text(encoding="utf-8")
    frames, span = played(rec)
    assert span >= 2.0 and frames >= 2.0 * FPS


def test_a_session_log_whose_disk_fills_mid_show_is_said_once_and_the_show_goes_on(tmp_path, small_disk):
    if small_disk is None:
        pytest.skip("no tmpfs mount here: "
                    "test_a_session_log_write_failure_is_said_once_and_recovers injects the failure instead")
    session = small_disk / "show.sqlite"
    rec = tmp_path / "show.mkv"
    proc = start_studio("live", "--size", "320x180", "--fps", str(FPS), "--bitrate", "300", "--record",
                        str(rec), "--feed", "demo:rate=20", "--session-log", str(session), "--duration", "5",
                        "--quiet")
    try:
        deadline = time.monotonic() + 20
        while not session.exists() or session.stat().st_size == 0:
            assert time.monotonic() < deadline and proc.poll() is None, proc.communicate()[1]
            time.sleep(0.1)
        time.sleep(1.0)
        fill(small_disk)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    assert sum("the session log" in ln and "cannot be written" in ln for ln in err.splitlines()) == 1, err
    frames, span = played(rec)
    assert span >= 4.0 and frames >= 4.0 * FPS


def test_a_session_log_write_failure_is_said_once_and_recovers(tmp_path, caplog):
    from studio.live.events import ChatMessage
    from studio.live.session_log import SessionLog, read_rows

    log = SessionLog(tmp_path / "s.sqlite")
    real = log._db

    class FullDisk:
        full = True

        def execute(self, *a):
            if self.full:
                raise sqlite3.OperationalError("database or disk is full")
            return real.execute(*a)

        def close(self):
            real.close()

    disk = FullDisk()
    log._db = disk  # type: ignore[assignment]
    with caplog.at_level(logging.WARNING):
        for i in range(5):
            log.append(ChatMessage("yt", f"m{i}", "a", "hi", 1.0 + i))
        disk.full = False
        log.append(ChatMessage("yt", "m9", "a", "back", 10.0))
    log.close()
    msgs = [r.getMessage() for r in caplog.records]
    assert sum("cannot be written" in m for m in msgs) == 1 and log.write_failures == 5
    assert sum("is written again (5 event(s) could not be logged)" in m for m in msgs) == 1
    assert [r[5]["id"] for r in read_rows(tmp_path / "s.sqlite") if r[2] == "chat"] == ["m9"]
