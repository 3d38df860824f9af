"""One show model for both front doors: `studio live` flags → `--save-profile` → `--profile` is the same
show; a profile the window saved runs headless; a product pinned at start is counted in the report;
simulated data only when asked for, and marked wherever it shows. Run as subprocesses, like a kiosk."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import cv2
import numpy as np

from studio.app.commands.live import register, spec_from_args
from studio.app.profile.load import load_profile
from tests.support.studio_proc import ROOT, run_studio

DEMO = str(ROOT / "resources" / "catalog" / "demo.json")


def _args(*argv: str):
    import argparse

    parser = argparse.ArgumentParser()
    register(parser.add_subparsers())
    return parser.parse_args(["live", *argv])


def test_flags_save_profile_and_profile_give_the_same_show(tmp_path):
    logo = tmp_path / "logo.png"
    cv2.imwrite(str(logo), np.full((20, 40, 4), 255, np.uint8))
    flags = ["--video", "testsrc", "--audio", "tone", "--size", "720x1280", "--fps", "25",
             "--image", f"{logo}@12,34", "--out", "rtmp://127.0.0.1:1/live/${STUDIO_E2E_KEY}",
             "--out", "rtmps://127.0.0.1:2/app/${keyring:e2e-second}", "--record", str(tmp_path / "show.mkv"),
             "--bitrate", "2500", "--encoder", "libx264", "--catalog", DEMO, "--pin", "TEA-LJ-250",
             "--countdown", "05:00", "--coupon", "SAVE10", "--qr", "https://shop.example.com",
             "--feed", "demo:rate=3,seed=1", "--feed", "generic:url=https://bridge.example.com/feed,mode=sse",
             "--session-log", str(tmp_path / "s.sqlite"), "--chat-overlay"]
    path = tmp_path / "show.toml"
    res = run_studio("live", *flags, "--save-profile", str(path), timeout=60)
    assert res.returncode == 0, res.stderr
    assert "${STUDIO_E2E_KEY}" in path.read_text()
    loaded = load_profile(path)
    assert loaded.problems == []
    from_flags = spec_from_args(_args(*flags))
    from dataclasses import replace

    assert replace(loaded.spec, base_dir="") == from_flags
    # and the saved profile, given back as --profile with no flags, describes the same show again
    again = spec_from_args(_args("--profile", str(path)), loaded.spec)
    assert again == loaded.spec
    assert [layer.kind for layer in again.layers] == ["video", "image"]
    assert [f.kind for f in again.feeds] == ["demo", "generic"] and again.commerce.pin == "TEA-LJ-250"


def test_a_literal_stream_key_is_never_written_to_a_profile(tmp_path):
    path = tmp_path / "show.toml"
    res = run_studio("live", "--out", "rtmp://127.0.0.1:1/live/sk_live_topsecret123",
                     "--save-profile", str(path), timeout=60,
                     env={"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"})
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert "environment variable" in res.stderr and "sk_live_topsecret123" not in res.stderr
    assert not path.exists()


def _rows(path: Path) -> list[tuple[str, dict]]:
    with sqlite3.connect(path) as db:
        return [(k, json.loads(d)) for k, d in db.execute("SELECT kind, data FROM events ORDER BY seq")]


def test_a_kiosk_show_pins_at_start_counts_it_and_runs_no_simulated_feed(tmp_path):
    log = tmp_path / "kiosk.sqlite"
    res = run_studio("live", "--catalog", DEMO, "--pin", "TEA-LJ-250", "--session-log", str(log),
                     "--record", str(tmp_path / "k.mkv"), "--duration", "3", "--quiet", timeout=90,
                     env={"QT_QPA_PLATFORM": "offscreen"})
    assert res.returncode == 0, res.stderr
    rows = _rows(log)
    kinds = [k for k, _ in rows]
    assert "chat" not in kinds and "order" not in kinds and "viewers" not in kinds  # nothing simulated
    start = next(d for k, d in rows if k == "session" and d["what"] == "start")
    assert start["demo"] is False
    report = run_studio("report", str(log), "--json", timeout=60)
    data = json.loads(report.stdout)
    product = next(p for p in data["products"] if p["sku"] == "TEA-LJ-250")
    assert product["pinned_seconds"] >= 2.5 and product["title"].startswith("西湖龙井")
    assert data["demo"] is False


def test_the_demo_feed_is_marked_everywhere(tmp_path):
    log, stats = tmp_path / "demo.sqlite", tmp_path / "stats.jsonl"
    res = run_studio("live", "--catalog", DEMO, "--pin", "TEA-LJ-250", "--feed", "demo:rate=30,seed=2",
                     "--session-log", str(log), "--record", str(tmp_path / "d.mkv"), "--stats", str(stats),
                     "--duration", "3", timeout=90, env={"QT_QPA_PLATFORM": "offscreen"})
    assert res.returncode == 0, res.stderr
    assert "DEMO DATA" in res.stderr
    assert all(json.loads(line)["demo"] is True for line in stats.read_text().splitlines())
    start = next(d for k, d in _rows(log) if k == "session" and d["what"] == "start")
    assert start["demo"] is True
    html = tmp_path / "r.html"
    assert run_studio("report", str(log), "--out", str(html), timeout=60).returncode == 0
    assert "<h1>Show report (demo)</h1>" in html.read_text(encoding="utf-8")
    data = json.loads(run_studio("report", str(log), "--json", timeout=60).stdout)
    pinned = next(p for p in data["products"] if p["sku"] == "TEA-LJ-250")
    assert data["orders"] > 0 and pinned["all_orders_while_pinned"] > 0  # orders in the first seconds count


def test_a_profile_with_problems_reports_each_and_runs(tmp_path):
    path = tmp_path / "show.toml"
    path.write_text('version = 2\n\n[canvas]\nwidht = 640\n\n[[layer]]\nkind = "video"\nsource = "testsrc"\n'
                    'opacity = 3\n', encoding="utf-8")
    res = run_studio("live", "--profile", str(path), "--record", str(tmp_path / "p.mkv"), "--duration", "1",
                     timeout=60)
    assert res.returncode == 0, res.stderr
    lines = res.stderr.splitlines()
    assert f"studio: {path}:4: unknown key 'widht' in [canvas] — did you mean 'width'?" in lines
    assert any(line.startswith(f"studio: {path}:9: 'opacity' 3 in [[layer]] 1") for line in lines), lines
