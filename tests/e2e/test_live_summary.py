"""Every `studio live` show ends with one line per destination, and its exit code says whether each
one went live: 0 when all did, 3 when one never did (the recording is complete either way)."""

from __future__ import annotations

import json
import socket
import threading

import pytest

from tests.support.studio_proc import run_studio

pytestmark = pytest.mark.slow


@pytest.fixture
def silent_server():
    """Accepts TCP and never says a word: the RTMP handshake never completes."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(8)
    held = []
    stop = threading.Event()

    def accept():
        srv.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(srv.accept()[0])
            except OSError:
                continue

    t = threading.Thread(target=accept, daemon=True)
    t.start()
    yield srv.getsockname()[1]
    stop.set()
    t.join(2)
    for c in held:
        c.close()
    srv.close()


def test_a_destination_that_never_answers_ends_the_show_with_its_reason_and_exit_3(silent_server, tmp_path):
    stats = tmp_path / "stats.jsonl"
    rec = tmp_path / "show.mkv"
    res = run_studio("live", "--out", f"rtmp://127.0.0.1:{silent_server}/live/sekrit-key-123",
                     "--record", str(rec), "--duration", "12", "--feed", "none", "--stats", str(stats),
                     "--quiet", timeout=90)
    assert res.returncode == 3, res.stderr
    line = next(ln for ln in res.stderr.splitlines() if "never went live" in ln)
    assert "did not accept the stream within 10 s" in line, line
    assert "sekrit-key-123" not in res.stderr
    last = json.loads(stats.read_text().splitlines()[-1])
    [dest] = last["summary"]["destinations"]
    assert dest["went_live"] is False and "did not accept" in dest["never_reason"]
    assert last["summary"]["all_went_live"] is False
    assert rec.stat().st_size > 10_000  # the recording is complete whatever the destination did


def test_a_destination_that_went_live_says_when_for_how_long_and_what_it_got(rtmp_server, tmp_path):
    stats = tmp_path / "stats.jsonl"
    res = run_studio("live", "--out", rtmp_server.url("summary"), "--duration", "6", "--feed", "none",
                     "--stats", str(stats), "--quiet", timeout=90)
    assert res.returncode == 0, res.stderr
    line = next(ln for ln in res.stderr.splitlines() if "live from" in ln)
    assert " 0 reconnects" in line and "3500 kbps" in line and "0 frames dropped" in line, line
    last = json.loads(stats.read_text().splitlines()[-1])
    [dest] = last["summary"]["destinations"]
    assert dest["went_live"] and 3 <= dest["live_s"] <= 7
    assert last["final"] is True
