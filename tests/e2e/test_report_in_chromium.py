"""The post-show report opened in a real browser (Debian's chromium, headless): it loads from the file
alone, in the host's language, and its charts are drawn."""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from studio.core.events import ProductPinned, StreamStateChanged
from studio.live.events import ChatMessage, LineItem, Order
from studio.live.report import build_report
from studio.live.report.html import write_html
from studio.live.session import LiveSession

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars"]


def _show(tmp_path: Path, monkeypatch) -> Path:
    clock = [1_700_000_000.0]
    monkeypatch.setattr(time, "time", lambda: clock[0])
    s = LiveSession(tmp_path / "show.sqlite", catalog={"TEA": "西湖龙井 <b>250g</b>"})
    s.handle(StreamStateChanged("douyin", "live"), republish=False)
    s.handle(ProductPinned("TEA", "西湖龙井", at=clock[0]), republish=False)
    for i in range(400):
        clock[0] += 1
        if i % 7 == 0:
            s.handle(Order("shop", str(i), clock[0], "CNY", (LineItem("TEA", 1, Decimal("99.00")),),
                           Decimal("99.00")), republish=False)
        s.handle(ChatMessage("dy", str(i), "观众", "上链接", clock[0]), republish=False)
    s.close()
    return tmp_path / "show.sqlite"


@pytest.mark.slow
def test_the_report_opens_in_chromium_in_chinese_with_its_charts(tmp_path, monkeypatch):
    if CHROMIUM is None:
        pytest.fail("chromium is not installed: run `make setup` (scripts/system-deps.sh)")
    page = write_html(build_report(_show(tmp_path, monkeypatch)), tmp_path / "show.html", "zh_CN")
    profile = tmp_path / "chromium-profile"
    dom = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "--dump-dom", page.as_uri()],
                         capture_output=True, text=True, timeout=60).stdout
    assert "<h1>直播报告</h1>" in dom and 'lang="zh-CN"' in dom
    assert "西湖龙井 &lt;b&gt;250g&lt;/b&gt;" in dom            # a catalog title is text, never markup
    srcs = re.findall(r'<img[^>]*src="([^"]{0,40})', dom)
    assert len(srcs) == 2 and all(s.startswith("data:image/png;base64,") for s in srcs)
    assert not re.search(r'(src|href)="https?://', dom)          # nothing loads from the network
    shot = tmp_path / "report.png"
    subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", f"--screenshot={shot}",
                    "--window-size=1100,1600", page.as_uri()], capture_output=True, timeout=60, check=True)
    img = QImage(str(shot))
    assert not img.isNull() and img.width() == 1100
    # the timeline's bars (#2f2f2f) and its chat line (#D62728) are on screen: the data: images decoded
    colours = {img.pixelColor(x, y).name()
               for x in range(0, img.width(), 2) for y in range(0, img.height(), 3)}
    assert "#2f2f2f" in colours and "#d62728" in colours
