"""One destination at a time, while the show goes on: stop it, start it again, Reconnect now."""

from __future__ import annotations

import socket
import time

import pytest

from studio.app.bench.faults import make_show, wait_for
from studio.media.outputs.base import OutputState

pytestmark = pytest.mark.slow


def refused_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()   # nothing listens there: every connect is refused
    return port


def test_a_destination_stops_and_starts_alone_while_the_other_stays_live(rtmp_server, tmp_path):
    show = make_show([rtmp_server.url("one"), rtmp_server.url("two")], None)
    show.start()
    try:
        a, b = show.outputs
        assert wait_for(lambda: a.state == "live" and b.state == "live", 20)
        assert show.switch_output(a.name, False)
        assert wait_for(lambda: a.state == OutputState.OFF, 10)
        sent = b.counters.packets_sent
        time.sleep(1.5)
        assert b.state == "live" and b.counters.packets_sent > sent   # the other one never noticed
        assert not show.switch_output(a.name, False)                  # already off
        assert show.switch_output(a.name, True)
        assert wait_for(lambda: a.state == "live", 20)
        assert a.counters.reconnects == 0   # a host's own stop is not a reconnect
    finally:
        show.stop()
    [first, second] = show.summaries()
    assert first.went_live and second.went_live


def test_reconnect_now_ends_the_backoff_wait(tmp_path):
    port = refused_port()
    show = make_show([f"rtmp://127.0.0.1:{port}/live/key"], None)
    show.start()
    try:
        out = show.outputs[0]
        assert wait_for(lambda: out.state == "reconnecting", 15)
        # the second failure waits 3 s; cut it short
        assert wait_for(lambda: out.counters.reconnects >= 2 and out.snapshot().waiting_s > 1.5, 15)
        before = out.counters.reconnects
        asked = time.monotonic()
        assert show.reconnect_now(out.name)
        assert wait_for(lambda: out.counters.reconnects > before, 5)
        assert time.monotonic() - asked < 1.5
    finally:
        show.stop()
    [summary] = show.summaries()
    assert not summary.went_live and "refused" in summary.never_reason
