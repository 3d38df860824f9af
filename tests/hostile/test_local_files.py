"""The studio's files on the host's disk: created readable by the user only (0600), never replacing an
existing recording or log (a new name, said in one line), one show per session log; and what it reads:
images bounded in pixels before they are decoded, catalogs and word lists from regular files only."""

from __future__ import annotations

import os
import sqlite3
import struct
import subprocess
import sys
import time
import zlib
from pathlib import Path

import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from studio.core.errors import UserError
from studio.core.files import claim_new_file, free_name
from studio.core.imagesize import MAX_PIXELS, check_pixels, image_size
from tests.support.studio_proc import ROOT, run_studio, start_studio, studio_cmd


def mode(p: Path) -> int:
    return p.stat().st_mode & 0o777


def one_line(stderr: str) -> str:
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    return lines[0]


# -- modes and names ----------------------------------------------------------------------------------

def test_a_show_never_replaces_a_file_and_keeps_its_files_to_the_user(tmp_path):
    """`--record` aimed at an existing session log: the log is untouched, the recording gets a new name,
    said in one line; recording, session log, stats and log file are all 0600 (whatever the umask)."""
    from studio.live.session_log import SessionLog, read_rows

    precious = tmp_path / "show.sqlite"
    old = SessionLog(precious)
    old.mark("start", note="an earlier show")
    old.close()
    before = precious.read_bytes()
    rows = list(read_rows(precious))
    session, stats, log = tmp_path / "new.sqlite", tmp_path / "stats.jsonl", tmp_path / "studio.log"
    umask = os.umask(0o022)  # the usual one, which leaves new files world-readable
    try:
        res = run_studio("live", "--size", "320x180", "--fps", "15", "--bitrate", "300", "--record",
                         str(precious), "--session-log", str(session), "--stats", str(stats),
                         "--duration", "2", "--quiet", timeout=60, env={"STUDIO_LOG_FILE": str(log)})
    finally:
        os.umask(umask)
    assert res.returncode == 0, res.stderr
    moved = tmp_path / "show (2).sqlite"
    assert one_line(res.stderr) == (f"studio: {precious} already exists: recording to {moved} instead "
                                    "(nothing is replaced)")
    assert precious.read_bytes() == before and list(read_rows(precious)) == rows
    import av

    with av.open(str(moved)) as c:
        assert c.format.name == "matroska,webm" and next(c.decode(video=0)) is not None
    for p in (moved, session, stats, log):
        assert mode(p) == 0o600, (p, oct(mode(p)))


def test_a_session_log_while_it_is_open_has_its_wal_and_shm_private_too(tmp_path):
    from studio.live.session_log import SessionLog

    log = SessionLog(tmp_path / "s.sqlite")
    try:
        log.mark("start")
        files = [p for p in tmp_path.iterdir() if p.name.startswith("s.sqlite")]
        assert {p.name for p in files} >= {"s.sqlite", "s.sqlite-wal", "s.sqlite-shm", "s.sqlite.lock"}
        assert all(mode(p) == 0o600 for p in files), {p.name: oct(mode(p)) for p in files}
    finally:
        log.close()


def test_a_new_profile_is_private_and_an_existing_one_keeps_its_mode(tmp_path):
    from studio.app.profile.model import ShowSpec
    from studio.app.profile.save import save_profile

    new = save_profile(ShowSpec(), tmp_path / "show.toml")
    assert mode(new) == 0o600
    new.chmod(0o640)
    assert mode(save_profile(ShowSpec(), new)) == 0o640


@settings(max_examples=25, deadline=None)
@given(st.lists(st.sampled_from(["show.mkv", "show (2).mkv", "show (3).mkv", "show", "a.b.mkv"]), max_size=6))
def test_a_claimed_name_is_always_new(names):
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        folder = Path(d)
        for n in names:
            (folder / n).write_bytes(b"theirs")
        before = {p.name: p.read_bytes() for p in folder.iterdir()}
        want = free_name(folder / "show.mkv")
        got = claim_new_file(folder / "show.mkv")
        assert got == want and got.name not in before and mode(got) == 0o600 and got.stat().st_size == 0
        assert {p.name: p.read_bytes() for p in folder.iterdir() if p != got} == before


# -- one writer per session log ---------------------------------------------------------------------------

def test_a_session_log_open_in_a_running_show_is_refused_with_a_sentence(tmp_path):
    log = tmp_path / "show.sqlite"
    first = start_studio("live", "--size", "320x180", "--fps", "15", "--bitrate", "300", "--record",
                         str(tmp_path / "a.mkv"), "--session-log", str(log), "--duration", "6", "--quiet")
    try:
        lock = Path(f"{log}.lock")
        deadline = time.monotonic() + 20
        while not (lock.exists() and lock.read_text().strip()):
            assert time.monotonic() < deadline and first.poll() is None
            time.sleep(0.05)
        second = run_studio("live", "--size", "320x180", "--record", str(tmp_path / "b.mkv"), "--session-log",
                            str(log), "--duration", "1", timeout=60)
        assert second.returncode == 2
        assert one_line(second.stderr) == (
            f"studio: the session log {log} is open in another running show (process {first.pid}): give this "
            "show its own --session-log FILE, or end the other show first")
        assert not (tmp_path / "b.mkv").exists()
        _, err = first.communicate(timeout=60)
        assert first.returncode == 0, err
    finally:
        if first.poll() is None:
            first.kill()
            first.communicate()
    db = sqlite3.connect(log)
    query = "SELECT json_extract(data, '$.what') FROM events WHERE kind = 'session'"
    marks = [r[0] for r in db.execute(query)]
    db.close()
    assert marks == ["start", "stop"]  # the first show's; nothing of the second's


def test_a_closed_session_log_can_be_opened_again_and_a_held_one_cannot(tmp_path):
    from studio.live.session_log import SessionLog, SessionLogError

    a = SessionLog(tmp_path / "s.sqlite")
    with pytest.raises(SessionLogError, match="is open in another running show"):
        SessionLog(tmp_path / "s.sqlite")
    a.close()
    SessionLog(tmp_path / "s.sqlite").close()


# -- images bounded in pixels before decoding ----------------------------------------------------------

def huge_png(path: Path, w: int, h: int) -> Path:
    """A valid grey PNG of w x h, streamed: a few hundred kB on disk whatever its size in pixels."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    z = zlib.compressobj(9)
    row = b"\0" + b"\x80" * w
    with path.open("wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0)))
        body = b"".join(z.compress(row) for _ in range(h)) + z.flush()
        f.write(chunk(b"IDAT", body) + chunk(b"IEND", b""))
    return path


def test_a_huge_png_layer_is_refused_from_its_header_without_the_memory(tmp_path):
    png = huge_png(tmp_path / "logo.png", 12000, 12000)
    assert png.stat().st_size < 2_000_000
    # the show runs under a small parent of its own, so that its peak memory is its own
    probe = ("import resource, subprocess, sys; "
             "r = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
             "sys.stdout.write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)); "
             "sys.stderr.write(r.stderr); sys.exit(r.returncode)")
    show = studio_cmd("live", "--image", f"{png}@0,0", "--record", str(tmp_path / "x.mkv"), "--duration", "1")
    res = subprocess.run([sys.executable, "-c", probe, *show], cwd=ROOT, capture_output=True, text=True,
                         timeout=60)
    assert res.returncode == 2
    assert one_line(res.stderr) == (
        f"studio: {png} is 12000×12000 pixels (144 MP): use an image of at most {MAX_PIXELS // 1_000_000} MP "
        "and 16384 pixels a side, e.g. scaled to the canvas")
    peak_mb = int(res.stdout) / 1024  # KiB on Linux
    assert peak_mb < 700, peak_mb  # decoding it takes 576 MB for its BGRA pixels alone, and more on the way


def test_a_layer_image_within_the_bound_still_loads(tmp_path):
    from studio.media.still import load_rgba

    png = huge_png(tmp_path / "ok.png", 300, 200)
    assert load_rgba(png).shape == (200, 300, 4)


ENCODINGS = {".png": [], ".jpg": [cv2.IMWRITE_JPEG_QUALITY, 50], ".webp": [cv2.IMWRITE_WEBP_QUALITY, 50],
             ".webp-lossless": [cv2.IMWRITE_WEBP_QUALITY, 101], ".bmp": []}


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=1, max_value=300), st.integers(min_value=1, max_value=300),
       st.sampled_from(sorted(ENCODINGS)), st.sampled_from([1, 3, 4]))
def test_the_header_says_the_size_of_every_image_we_decode(w, h, ext, channels):
    if ext.startswith(".jpg") and channels == 4:
        channels = 3
    shape = (h, w, channels) if channels > 1 else (h, w)
    img = np.random.default_rng(w * h).integers(0, 255, shape, np.uint8)
    ok, data = cv2.imencode(ext.split("-")[0], img, ENCODINGS[ext])
    assert ok
    assert image_size(data.tobytes()[:65536]) == (w, h)


MAGIC = [b"", b"\x89PNG\r\n\x1a\n", b"\xff\xd8", b"RIFF\0\0\0\0WEBPVP8X", b"RIFF\0\0\0\0WEBPVP8L", b"GIF89a",
         b"BM"]


@given(st.binary(max_size=200), st.sampled_from(MAGIC))
def test_any_bytes_give_a_size_or_none_never_an_error(data, magic):
    size = image_size(magic + data)
    assert size is None or (isinstance(size[0], int) and isinstance(size[1], int))
    try:
        check_pixels(magic + data, "x.png")
    except UserError as e:
        assert "\n" not in str(e)


# -- only regular files are read ----------------------------------------------------------------------------

@pytest.fixture
def fifo(tmp_path):
    p = tmp_path / "fifo"
    os.mkfifo(p)
    return p


@pytest.mark.parametrize("what", ["catalog /dev/zero", "catalog FIFO", "blocked words FIFO", "image FIFO",
                                  "image /dev/zero"])
def test_a_device_or_fifo_given_as_a_file_is_refused_at_once(tmp_path, fifo, what):
    kind, _, target = what.partition(" ")
    path = "/dev/zero" if target.endswith("zero") else str(fifo)
    if what.startswith("catalog"):
        args = ["catalog", "check", path]
    elif what.startswith("blocked"):
        args = ["live", "--blocked-words", path, "--record", str(tmp_path / "x.mkv"), "--duration", "1"]
    else:
        args = ["live", "--image", f"{path}@0,0", "--record", str(tmp_path / "x.mkv"), "--duration", "1"]
    try:
        res = run_studio(*args, timeout=20)
    except subprocess.TimeoutExpired:
        pytest.fail(f"{what}: still reading after 20 s")
    assert res.returncode == 2, res.stderr
    line = one_line(res.stderr)
    assert line.startswith(f"studio: {path}: "), line
    assert "not a regular file" in line or "not a file" in line, line
