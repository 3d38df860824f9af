"""The benchmark job of issue 2, run side by side through `studio live` and the `ffmpeg` command line.

A 720p30 (or 1080p30) MJPEG "camera" file + a 400x200 card overlay + a tone → libx264 veryfast CBR
3500k + AAC → nginx RTMP, for 20 s each. CPU is the user+system time of each whole process tree
(wait4's rusage includes the children it waited for: our sender process, ffmpeg's threads).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av
import cv2
import numpy as np
from av.video.stream import VideoStream

CARD = (400, 200)
CARD_XY = (40, 40)


WARMUP_S = 5.0  # steady state is measured from here to the end (start-up: imports, encoder open)


@dataclass
class RunResult:
    name: str
    cpu_s: float          # the whole run, start-up included
    wall_s: float
    returncode: int
    steady_cpu_s: float | None = None   # from WARMUP_S to the end
    steady_wall_s: float | None = None
    stats: dict[str, Any] | None = None


def _tree_cpu(pid: int) -> float:
    """User+system seconds of `pid` and its live descendants, from /proc (Linux)."""
    tick = os.sysconf("SC_CLK_TCK")
    procs: dict[int, tuple[int, float]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        procs[int(entry.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / tick)
    total, todo = 0.0, [pid]
    while todo:
        p = todo.pop()
        if p in procs:
            total += procs[p][1]
        todo.extend(c for c, (ppid, _) in procs.items() if ppid == p)
    return total


def make_camera_file(path: Path, size: tuple[int, int], seconds: int = 10, fps: int = 30) -> Path:
    """An MJPEG file like a USB webcam's stream: moving content, yuvj422p, ~q 5."""
    if path.exists():
        return path
    w, h = size
    tmp = path.with_suffix(".tmp.mkv")
    with av.open(str(tmp), "w", format="matroska") as c:
        s = c.add_stream("mjpeg", rate=fps)
        assert isinstance(s, VideoStream)  # older PyAV stubs do not know "mjpeg" is a video codec
        s.width, s.height, s.pix_fmt = w, h, "yuvj422p"
        s.codec_context.options = {"q:v": "5"}
        s.codec_context.qmin = s.codec_context.qmax = 5
        yy, xx = np.mgrid[0:h, 0:w]
        for i in range(seconds * fps):
            img = np.empty((h, w, 3), np.uint8)
            img[..., 0] = ((xx + i * 4) % 256).astype(np.uint8)
            img[..., 1] = ((yy + i * 2) % 256).astype(np.uint8)
            img[..., 2] = ((xx + yy) // 4 % 256).astype(np.uint8)
            cv2.putText(img, f"frame {i}", (w // 10, h // 2), cv2.FONT_HERSHEY_SIMPLEX, h / 240,
                        (255, 255, 255), 3)
            frame = av.VideoFrame.from_ndarray(img, format="bgr24").reformat(format="yuvj422p")
            frame.pts = i
            for p in s.encode(frame):
                c.mux(p)
        for p in s.encode(None):
            c.mux(p)
    tmp.rename(path)
    return path


def make_card(path: Path) -> Path:
    w, h = CARD
    img = np.zeros((h, w, 4), np.uint8)
    cv2.rectangle(img, (0, 0), (w - 1, h - 1), (40, 40, 200, 230), -1)
    cv2.putText(img, "$19.99", (30, 130), cv2.FONT_HERSHEY_SIMPLEX, 2.5, (255, 255, 255, 255), 5)
    cv2.imwrite(str(path), img)
    return path


def _run_measured(name: str, cmd: list[str], timeout: float) -> RunResult:
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = start + timeout
    warm_cpu: float | None = None
    warm_t = 0.0
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if warm_cpu is None and time.monotonic() - start >= WARMUP_S:
            warm_t, warm_cpu = time.monotonic(), _tree_cpu(proc.pid)
        if time.monotonic() > deadline:
            proc.kill()
            pid, status, usage = os.wait4(proc.pid, 0)
            break
        time.sleep(0.05)
    end = time.monotonic()
    proc.returncode = os.waitstatus_to_exitcode(status)
    cpu = usage.ru_utime + usage.ru_stime
    r = RunResult(name, cpu, end - start, proc.returncode)
    if warm_cpu is not None:
        r.steady_cpu_s, r.steady_wall_s = cpu - warm_cpu, end - warm_t
    return r


def run_studio(camera: Path, card: Path, size: tuple[int, int], url: str, seconds: int,
               stats: Path) -> RunResult:
    cmd = [sys.executable, "-m", "studio", "live", "--video", f"file:{camera}", "--audio", "tone",
           "--image", f"{card}@{CARD_XY[0]},{CARD_XY[1]}", "--size", f"{size[0]}x{size[1]}", "--fps", "30",
           "--bitrate", "3500", "--encoder", "libx264", "--out", url, "--duration", str(seconds),
           "--stats", str(stats), "--quiet", "--feed", "none"]
    stats.unlink(missing_ok=True)
    r = _run_measured("studio live", cmd, seconds + 60)
    lines = [json.loads(x) for x in stats.read_text().splitlines()] if stats.exists() else []
    r.stats = lines[-1] if lines else None
    return r


def run_ffmpeg(camera: Path, card: Path, size: tuple[int, int], url: str, seconds: int) -> RunResult:
    w, h = size
    cmd = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-re", "-stream_loop", "-1", "-i", str(camera),
           "-i", str(card), "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
           "-filter_complex", f"[0:v]scale={w}:{h}[cam];[cam][1:v]overlay={CARD_XY[0]}:{CARD_XY[1]}[v]",
           "-map", "[v]", "-map", "2:a", "-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency",
           "-b:v", "3500k", "-maxrate", "3500k", "-bufsize", "7000k", "-g", "60", "-pix_fmt", "yuv420p",
           "-c:a", "aac", "-b:a", "128k", "-ac", "2", "-t", str(seconds), "-f", "flv", url]
    return _run_measured("ffmpeg", cmd, seconds + 60)
