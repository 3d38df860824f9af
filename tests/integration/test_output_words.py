"""Each way a destination fails has its own sentence, and a link that carries nothing is "stalled", not
"live": a name that does not resolve is never blamed on the stream key; a proxy in front of a real
nginx-rtmp that stops forwarding makes the destination stalled, then live again."""

from __future__ import annotations

import time

import pytest

from studio.app.bench.fault_proxy import FaultProxy
from studio.core.events import StreamStateChanged
from studio.media.outputs.network import explain_error, unresolvable
from tests.integration.test_output_faults import make_show
from tests.support.pull import wait_for

pytestmark = pytest.mark.slow


def test_a_name_that_does_not_resolve_is_said_so_never_blamed_on_the_key():
    assert unresolvable("rtmp://no-such-host.invalid/live/abcdefgh12345").startswith(
        "the server name no-such-host.invalid could not be found")
    assert unresolvable("rtmp://127.0.0.1:1935/live/k") == ""
    show = make_show(["rtmp://no-such-host.invalid/live/abcdefgh12345"], None)
    states: list[StreamStateChanged] = []
    show.bus.subscribe(StreamStateChanged, states.append)
    show.start()
    try:
        assert wait_for(lambda: any(s.state == "reconnecting" for s in states), timeout=10)
    finally:
        show.stop()
    said = " ".join(s.message for s in states if s.state == "reconnecting")
    assert "could not be found" in said and "stream key" not in said and "abcdefgh12345" not in said
    # the other sentences stay distinct
    assert "refused the connection" in explain_error("connect", "Connection refused")
    assert "stream key" in explain_error("connect", "Input/output error")


def test_a_link_that_carries_nothing_is_stalled_then_live_again(rtmp_server):
    with FaultProxy(rtmp_server.port) as proxy:
        show = make_show([proxy.url("stall")], None)
        states: list[str] = []
        show.bus.subscribe(StreamStateChanged, lambda e: states.append(e.state))
        show.start()
        try:
            assert wait_for(lambda: "live" in states, timeout=15)
            time.sleep(1.0)
            proxy.stall(4.0)            # shorter than the 5 s watchdog: no reconnect, just nothing through
            assert wait_for(lambda: "stalled" in states, timeout=5), states
            out = show.outputs[0]
            assert out.state == "stalled" and "no data has gone through" in out.message
            assert wait_for(lambda: states[-1] == "live", timeout=8), states   # flows again
        finally:
            show.stop()
    assert "reconnecting" not in states[: states.index("stalled") + 1]
