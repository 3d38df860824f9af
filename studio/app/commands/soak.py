"""`studio soak`: a long show under load, to prove the studio holds for a whole broadcast.

720p30 with the demo catalog pinned, a countdown, a coupon and the chat overlay, chat at ~20
messages a second with orders (the demo feed, sped up), pushed to a local nginx-rtmp and recorded.
Reports dropped frames, RSS at the start and the end, A/V drift at the end of the recording, CPU.
Linux only (it reads /proc); not part of `make test`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from studio.core.errors import UserError
from studio.core.flags import number_flag


def register(sub) -> None:
    p = sub.add_parser("soak", help="a long show under load (default 30 min): drops, memory, A/V drift, CPU")
    p.add_argument("--minutes", type=number_flag("--minutes", 0, 24 * 60, low_open=True, example="30"),
                   default=30.0, help="length of the show (default 30)")
    p.add_argument("--chat-rate", type=number_flag("--chat-rate", 0, 10_000, example="20"), default=20.0,
                   help="demo feed pace, messages a second (default 20)")
    p.add_argument("--json", type=Path, default=None, help="also write the results to this file")
    p.set_defaults(func=run)


def _rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def _recording_ends(path: Path) -> tuple[float, float, int, float]:
    """(last video frame end, last audio frame end, video frames, largest gap between video frames)."""
    import av

    v_end = a_end = 0.0
    frames = 0
    gap = 0.0
    last = None
    with av.open(str(path)) as c:
        v, a = c.streams.video[0], c.streams.audio[0]
        for pkt in c.demux(v, a):
            if pkt.pts is None:
                continue
            t = float(pkt.pts * pkt.time_base)
            d = float((pkt.duration or 0) * pkt.time_base)
            if pkt.stream.type == "video":
                frames += 1
                v_end = max(v_end, t + d)
                if last is not None:
                    gap = max(gap, t - last)
                last = t
            else:
                a_end = max(a_end, t + d)
    return v_end, a_end, frames, gap


def run(args) -> int:
    from studio.app.bench.nginx import RtmpServer, nginx_available
    from studio.core.paths import resources_dir

    if not Path("/proc/self/status").exists():
        raise UserError("studio soak reads /proc: run it on Linux")
    if not nginx_available():
        raise UserError("the soak needs nginx with the RTMP module: run `make setup`")
    seconds = int(args.minutes * 60)
    demo = resources_dir() / "catalog" / "demo.json"
    with tempfile.TemporaryDirectory() as tmp, RtmpServer(Path(tmp) / "nginx") as server:
        rec, stats, log = Path(tmp) / "soak.mkv", Path(tmp) / "stats.jsonl", Path(tmp) / "session.sqlite"
        cmd = [sys.executable, "-m", "studio", "live", "--size", "1280x720", "--fps", "30",
               "--encoder", "libx264", "--catalog", str(demo), "--pin", "TEA-LJ-250", "--countdown", "59:00",
               "--coupon", "SAVE10",
               "--chat-overlay", "--feed", f"demo:rate={args.chat_rate / 1.1:g}", "--session-log", str(log),
               "--out", server.url("soak"), "--record", str(rec), "--stats", str(stats),
               "--duration", str(seconds), "--quiet"]
        start = time.monotonic()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        samples: list[tuple[float, float]] = []
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            rss = _rss_mb(proc.pid)
            if rss is not None:
                samples.append((time.monotonic() - start, rss))
            time.sleep(5.0)
        stderr = proc.stderr.read() if proc.stderr else ""
        if os.waitstatus_to_exitcode(status) != 0:
            last = stderr.strip().splitlines()[-1] if stderr.strip() else status
            raise UserError(f"the soak show failed: {last}")
        final = json.loads(stats.read_text().splitlines()[-1])
        v_end, a_end, frames, gap = _recording_ends(rec)
        from studio.live.report import build_report

        totals = build_report(log).totals()
    warm = [r for t, r in samples if t >= 60] or [r for _, r in samples]
    out: dict[str, Any] = next(iter(final["outputs"].values()), {})
    result = {
        "minutes": args.minutes,
        "frames_encoded": final["frames"],
        "frames_expected": seconds * 30,
        "lagged_frames": final["lagged"],
        "duplicated_frames": final["duplicated"],
        "network_dropped_frames": out.get("dropped"),
        "reconnects": out.get("reconnects"),
        "rss_start_mb": round(warm[0], 1) if warm else None,
        "rss_end_mb": round(warm[-1], 1) if warm else None,
        "rss_max_mb": round(max(warm), 1) if warm else None,
        "rss_every_5_min_mb": [round(r, 1) for t, r in samples if int(t) % 300 < 5][:13],
        "av_drift_ms": round((a_end - v_end) * 1000, 1),
        "recording_frames": frames,
        "recording_max_gap_ms": round(gap * 1000, 1),
        "cpu_percent_of_one_core": round((usage.ru_utime + usage.ru_stime) / seconds * 100, 1),
        "latency_p50_ms": out.get("latency_p50_ms"),
        "latency_p95_ms": out.get("latency_p95_ms"),
        "chat_messages": totals.get("chat_messages"),
        "orders": totals.get("orders"),
    }
    print("| figure | value |\n|---|---|")
    for k, v in result.items():
        print(f"| {k} | {v} |")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    return 0
