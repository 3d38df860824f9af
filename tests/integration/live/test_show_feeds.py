"""The app glue: `start_feeds` runs the feeds, writes the session log, keeps counters and puts the chat
overlay (rendered by the commerce layer's real `chat_overlay_image`) on the board — checked in a
subprocess so the QGuiApplication it needs never meets the pytest-qt application of the UI tests."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from studio.core.errors import UserError
from studio.live.connectors import build_all

ROOT = Path(__file__).resolve().parents[3]

SCRIPT = textwrap.dedent("""
    import json, sys, time
    from pathlib import Path
    from studio.app.show_feeds import start_feeds
    from studio.core.events import EventBus, ProductPinned
    from studio.live.blocklist import Blocklist
    from studio.live.connectors import build_all
    from studio.media.overlay import OverlayBoard
    board, bus = OverlayBoard(), EventBus()
    seen = []
    bus.subscribe(None, lambda e: seen.append(type(e).__name__))
    feeds = start_feeds(build_all(["demo:rate=200,seed=3"]), board, (1280, 720), bus, Path(sys.argv[1]),
                        chat_overlay=True, blocklist=Blocklist.load(sys.argv[2]))
    bus.publish(ProductPinned("TEA-LJ-250", "Longjing"))
    feeds.start()
    time.sleep(1.5)
    chat = board.get("chat")
    lines = feeds.overlay.lines_now()
    t0 = time.monotonic(); feeds.stop(); stop_s = time.monotonic() - t0
    print(json.dumps({"chat_slot": chat is not None, "shape": list(chat.image.shape) if chat else None,
                      "renders": feeds.overlay.renders, "lines": lines,
                      "after_stop": board.get("chat") is not None,
                      "totals": feeds.counters.totals(), "stop_s": stop_s, "bus": sorted(set(seen))}))
""")


def test_start_feeds_runs_feeds_logs_and_draws_the_chat_overlay(tmp_path):
    words = tmp_path / "blocked.txt"
    words.write_text("多少钱\n", encoding="utf-8")
    log = tmp_path / "show.sqlite"
    res = subprocess.run([sys.executable, "-c", SCRIPT, str(log), str(words)], capture_output=True, text=True,
                         timeout=60, cwd=ROOT, env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin",
                                                    "HOME": str(tmp_path)})
    assert res.returncode == 0, res.stderr[-2000:]
    out = json.loads(res.stdout.strip().splitlines()[-1])
    assert out["chat_slot"] and out["shape"][2] == 4
    assert 1 <= out["renders"] <= 8  # at most ~4 renders a second, over 1.5 s
    assert out["lines"] and all("多少钱" not in text for _, text in out["lines"])
    assert not out["after_stop"] and out["stop_s"] < 3
    assert out["totals"]["chat_messages"] > 50
    assert {"ChatMessage", "ConnectorState", "ProductPinned"} <= set(out["bus"])
    rep = subprocess.run([sys.executable, "-m", "studio", "report", str(log), "--json"], capture_output=True,
                         text=True, timeout=60, cwd=ROOT)
    assert json.loads(rep.stdout)["chat_messages"] == out["totals"]["chat_messages"]


def test_a_bad_feed_spec_is_a_user_error_before_anything_starts():
    with pytest.raises(UserError, match="unknown feed kind 'myspace'"):
        build_all(["demo", "myspace:x=1"])


def test_no_feed_spec_means_no_feed_not_the_demo():
    assert build_all([]) == [] and build_all(None) == []
