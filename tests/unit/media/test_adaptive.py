"""Dynamic bitrate, as pure logic: a simulated link and queue, the controller deciding."""

from hypothesis import given, settings
from hypothesis import strategies as st

from studio.media.outputs.adaptive import AdaptivePolicy, BitrateController, shared_bitrate
from studio.media.outputs.policy import ADAPTING

CONFIGURED, AUDIO = 1500, 128


def simulate(link_kbps, seconds, ctl=None, step=0.5, t0=0.0, state=None):
    """A link carrying `link_kbps(t)`; the stream's rate is the controller's allowed bitrate + audio.
    The backlog grows when the stream outpaces the link. Returns (controller, [(t, allowed, backlog)])."""
    ctl = ctl or BitrateController(CONFIGURED, AUDIO)
    state = state if state is not None else {"acked": 0.0, "backlog_kbit": 0.0}
    trace = []
    t = t0
    while t < t0 + seconds:
        rate = ctl.allowed + AUDIO
        offered = state["backlog_kbit"] + rate * step
        carried = min(offered, link_kbps(t) * step)
        state["backlog_kbit"] = offered - carried
        state["acked"] += carried * 1000 / 8
        backlog_s = state["backlog_kbit"] / rate
        ctl.update(t, backlog_s, int(state["acked"]))
        trace.append((t, ctl.allowed, backlog_s))
        t += step
    return ctl, trace, state


def test_an_uncongested_link_keeps_the_configured_bitrate():
    ctl, trace, _ = simulate(lambda t: 10_000, 60)
    assert {a for _, a, _ in trace} == {CONFIGURED}


def test_half_the_bitrate_lowers_it_within_five_seconds_and_the_queue_drains():
    half = (CONFIGURED + AUDIO) * 0.5
    ctl, trace, state = simulate(lambda t: half, 30)
    lowered_at = next(t for t, a, _ in trace if a < CONFIGURED)
    assert lowered_at < 5.0
    settled = [a for t, a, _ in trace if t > 5]
    assert sum(settled) / len(settled) <= half - AUDIO   # on average what the link carries, or less
    assert min(settled) >= 0.6 * (half - AUDIO)          # not far below it either
    # the backlog never reaches the point where frames are dropped while adapting
    assert max(b for _, _, b in trace) < ADAPTING.drop_nonref_after


def test_it_climbs_back_within_thirty_seconds_of_the_link_recovering():
    half = (CONFIGURED + AUDIO) * 0.5
    ctl, trace, state = simulate(lambda t: half, 30)
    ctl, trace, _ = simulate(lambda t: 10_000, 30, ctl, t0=30.0, state=state)
    back = next(t for t, a, _ in trace if a >= 0.9 * CONFIGURED)
    assert back - 30.0 <= 30.0
    assert trace[-1][1] == CONFIGURED


def test_a_link_below_the_floor_stops_at_the_floor():
    ctl, trace, _ = simulate(lambda t: 200, 40)
    assert trace[-1][1] == ctl.floor == AdaptivePolicy().floor(CONFIGURED)
    assert ctl.at_floor


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(50, 20_000), min_size=1, max_size=12))
def test_never_above_the_configured_bitrate_nor_below_the_floor(links):
    ctl = None
    state = None
    for i, link in enumerate(links):
        ctl, trace, state = simulate(lambda t, link=link: link, 10, ctl, t0=10.0 * i, state=state)
        assert all(ctl.floor <= a <= CONFIGURED for _, a, _ in trace)


def test_one_encode_follows_the_fastest_destination():
    assert shared_bitrate(3500, [3500, 900]) == 3500
    assert shared_bitrate(3500, [2000, 900]) == 2000
    assert shared_bitrate(3500, []) == 3500
