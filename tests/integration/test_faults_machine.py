"""Machine faults: the recording disk fills up, the sender process is killed, the studio is SIGKILLed."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
from pathlib import Path

import av
import pytest

from studio.app.bench.faults import check_recording, make_show, run_scenario, wait_for
from tests.support.studio_proc import run_studio, start_studio

pytestmark = pytest.mark.slow


@pytest.fixture
def small_disk(tmp_path):
    """A 2 MiB tmpfs: about ten seconds of a 1.5 Mbit/s recording. Needs root (mount)."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs to fill up needs root (CI and the dev container run as root)")
    mnt = tmp_path / "disk"
    mnt.mkdir()
    res = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mnt)], capture_output=True,
                         text=True, timeout=10, check=False)
    if res.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {res.stderr.strip()}")
    try:
        yield mnt
    finally:
        if subprocess.run(["umount", str(mnt)], capture_output=True, timeout=10, check=False).returncode != 0:
            subprocess.run(["umount", "-l", str(mnt)], capture_output=True, timeout=10, check=False)


def test_a_full_recording_disk_stops_the_recording_with_a_clear_message_and_the_stream_goes_on(
        small_disk, rtmp_server):
    rec = small_disk / "show.mkv"
    show = make_show([rtmp_server.url("disk-full")], rec)
    try:
        show.start()
        out, recording = show.outputs[0], show.recording
        assert recording is not None
        assert wait_for(lambda: recording.state == "error", 60), (recording.state, recording.message)
        assert "free some disk space" in recording.message and "the stream goes on" in recording.message
        assert str(rec) in recording.message
        # The stream keeps flowing after the disk is full.
        assert wait_for(lambda: out.state == "live", 10), out.message
        sent = out.stats.audio_sent
        assert wait_for(lambda: out.stats.audio_sent > sent + 90, 15), "the stream stopped with the recording"
        assert show.compositor.lagged < show.compositor.frames * 0.05
    finally:
        show.stop()
    assert recording.state == "error"  # stop() does not paper over the failure
    # What fitted on the disk still plays.
    with av.open(str(rec)) as c:
        assert sum(1 for _ in c.decode(c.streams.video[0])) > 60


def test_a_killed_sender_process_is_restarted_and_the_stream_resumes(tmp_path):
    r = run_scenario("sender_killed", tmp_path)
    assert r.resume_s is not None and r.resume_s <= 5.0, r.states
    assert any("ended unexpectedly" in m for _, _, m in r.states)
    assert r.recording_gap_s == 0.0


def _events_logged(path: Path) -> int:
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1) as db:
            tables = [t for (t,) in db.execute("select name from sqlite_master where type='table'")]
            return sum(db.execute(f"select count(*) from {t}").fetchone()[0] for t in tables)
    except sqlite3.Error:
        return 0


def test_a_sigkilled_studio_leaves_a_playable_recording_and_an_intact_session_log(tmp_path):
    rec, log = tmp_path / "show.mkv", tmp_path / "session.sqlite"
    proc = start_studio("live", "--size", "640x360", "--bitrate", "1500", "--duration", "120", "--quiet",
                        "--record", str(rec), "--session-log", str(log), "--feed", "demo")
    try:
        ok = wait_for(lambda: rec.exists() and rec.stat().st_size > 600_000 and _events_logged(log) > 5, 60,
                      interval=0.2)
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        assert ok, "the show did not record or log anything"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
        for f in (proc.stdout, proc.stderr):
            if f:
                f.close()
    assert proc.returncode == -signal.SIGKILL
    check = check_recording(rec)
    assert check.decodable, check.error
    assert check.video_frames >= 60  # ≥ 2 s of the show, every frame in order, no hole
    assert check.gap_s == 0.0
    res = run_studio("report", str(log), "--json", timeout=60)
    assert res.returncode == 0, res.stderr
    report = json.loads(res.stdout)
    assert report, "empty report"
