"""Remote reads and retries are bounded whatever a server does (issue 11, "Bounded everything").

Every test runs the real connectors (or the image fetcher) against real misbehaving servers on
127.0.0.1 (tests/hostile/servers.py) whose misbehaviour is generated: Retry-After values, SSE `retry:`
values, drip rates, body sizes and framings, line lengths, event-id bytes. What is asserted is the
documented bound, not the example:

* requests: after failures, no more than the backoff policy allows (`most_attempts`), whatever
  `Retry-After`/`retry:` says, and never more than the request budget (40 + 2/s) whatever the settings;
  a server's wait is honoured only up to `retry_cap`;
* time: a request that makes no progress ends at its deadline with a sentence (a BACKOFF state);
* memory: what a response, a stream line or a compressed body can make the studio hold (tracemalloc);
* every run() reports in words, never raises, and ends promptly once stopped.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import socket
import threading
import time
import tracemalloc
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from studio.core.backoff import Backoff, retry_wait
from studio.core.http import CHUNK, LineSplitter, ResponseTooLarge, iter_decoded
from studio.live.connectors.base import RequestBudget
from studio.live.connectors.generic import GenericFeed, usable_event_id
from studio.live.connectors.shopify import ShopifyOrders
from studio.live.connectors.twitch import TwitchChat
from studio.live.connectors.youtube import YouTubeChat
from studio.live.events import ChatMessage, ConnectorState, FeedState
from tests.support.secrets import TEST_API_KEY, TEST_SHOP_TOKEN

from .servers import Behave, Gone, Hostile, response_head, simple

# Real servers take real seconds: a few generated examples, no shrinking (a failure is shown as found).
NO_SHRINK = (Phase.explicit, Phase.generate)
REAL = settings(max_examples=2, deadline=None, suppress_health_check=[HealthCheck.too_slow],
                database=None, phases=NO_SHRINK)
PURE = settings(max_examples=200, deadline=None)

FAST = Backoff(first=0.2, factor=2.0, cap=1.0, jitter=0.1)  # what FAST_RETRY sets on a connector
FAST_RETRY = {"retry": "0.2", "retry_cap": "1"}
WINDOW = 3.0
STOP_WITHIN = 1.0   # seconds from stop to the end of run()
SSE_FLOOR = 1.0     # the documented shortest reopen delay of an SSE stream, whatever `retry:` says
MiB = 1024 * 1024
PRINTABLE = st.characters(min_codepoint=0x20, max_codepoint=0x7E)


# -- running connectors ----------------------------------------------------------------------------

@dataclass
class Run:
    connector: Any
    events: list[tuple[float, Any]] = field(default_factory=list)
    started: float = 0.0
    raised: BaseException | None = None
    stop_took: float = 0.0
    alive: bool = False

    def states(self, state: FeedState = FeedState.BACKOFF) -> list[ConnectorState]:
        return [e for _, e in self.events if isinstance(e, ConnectorState) and e.state == state]

    def first_backoff_with(self, words: str) -> float | None:
        """Seconds from start to the first BACKOFF whose message contains `words`."""
        for at, e in self.events:
            if isinstance(e, ConnectorState) and e.state == FeedState.BACKOFF and words in e.message:
                return at - self.started
        return None

    def messages(self) -> list[str]:
        return [s.message for s in self.states()]

    def check_well_behaved(self) -> None:
        """Never raised out of run(), reported every backoff in a sentence, ended promptly."""
        assert self.raised is None, f"run() raised {self.raised!r}"
        assert not self.alive and self.stop_took <= STOP_WITHIN, f"run() took {self.stop_took:.2f} s to stop"
        for s in self.states():
            assert len(s.message) > 10 and s.retry_in is not None and s.retry_in >= 0, s


@contextlib.contextmanager
def running(*connectors: Any) -> Iterator[list[Run]]:
    """Run the connectors on their own threads; on exit stop them all (stop + close, as LiveRunner
    does) and record how long each took to end."""
    runs = [Run(c) for c in connectors]
    stop = threading.Event()
    lock = threading.Lock()
    threads = []
    for run in runs:
        def body(run: Run = run) -> None:
            def emit(e: Any) -> None:
                with lock:
                    run.events.append((time.monotonic(), e))
            try:
                run.connector.run(emit, stop)
            except BaseException as e:  # noqa: BLE001 - the test reports it
                run.raised = e
        run.started = time.monotonic()
        t = threading.Thread(target=body, name=f"hostile[{run.connector.name}]", daemon=True)
        threads.append(t)
        t.start()
    try:
        yield runs
    finally:
        t0 = time.monotonic()
        stop.set()
        for run in runs:
            run.connector.close()
        for run, t in zip(runs, threads, strict=True):
            t.join(5)
            run.stop_took, run.alive = time.monotonic() - t0, t.is_alive()


def most_attempts(window: float, policy: Backoff) -> int:
    """The most tries a run of failures can make in `window` seconds under `policy`: the first at once,
    each next one after the shortest wait the policy allows (jitter included)."""
    t, n = 0.0, 1
    while True:
        t += min(policy.first * policy.factor ** (n - 1), policy.cap) * (1 - policy.jitter)
        if t > window:
            return n
        n += 1


def generic_poll(base: str, **kw: str) -> GenericFeed:
    return GenericFeed({"url": base + "/feed", **FAST_RETRY, **kw})


def generic_sse(base: str, **kw: str) -> GenericFeed:
    return GenericFeed({"url": base + "/stream", "mode": "sse", **FAST_RETRY, **kw})


def youtube(base: str, **kw: str) -> YouTubeChat:
    return YouTubeChat({"live_chat_id": "CHAT", "api_key": TEST_API_KEY, "api_base": base,
                        "min_interval": "0", **FAST_RETRY, **kw})


def shopify(base: str, api: str = "rest", **kw: str) -> ShopifyOrders:
    return ShopifyOrders({"shop": "teashop", "token": TEST_SHOP_TOKEN, "api_base": base, "api": api,
                          "since": "2029-12-31T00:00:00Z", **FAST_RETRY, **kw})


def shopify_graphql(base: str, **kw: str) -> ShopifyOrders:
    return shopify(base, api="graphql", **kw)


def twitch(port: int, **kw: str) -> TwitchChat:
    return TwitchChat({"channel": "xyz", "api_base": f"irc://127.0.0.1:{port}", **kw})


POLLERS: list[Callable[..., Any]] = [generic_poll, youtube, shopify, shopify_graphql]


# -- generated hostile values --------------------------------------------------------------------

RETRY_AFTER = st.one_of(
    st.integers(min_value=-10**6, max_value=10**12).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["0", "0.0", "-0", "", "soon", "Wed, 21 Oct 2015 07:28:10 GMT",
                     "Fri, 31 Dec 9999 23:59:59 GMT", "1e309"]),
    st.text(PRINTABLE, max_size=24),
)


# -- pure bounds -----------------------------------------------------------------------------------

@PURE
@given(st.integers(min_value=0, max_value=200), st.one_of(st.none(), st.floats(allow_nan=True)),
       st.floats(min_value=0, max_value=1))
def test_a_servers_wait_lengthens_the_backoff_never_shortens_it_and_stops_at_the_cap(attempt, hint, r):
    policy = Backoff(first=1.0, cap=60.0)
    wait = retry_wait(attempt, policy, retry_after=hint, rnd=lambda: r)
    own = policy.delay(attempt, rnd=lambda: r)
    assert own <= wait <= max(own, policy.cap)


@PURE
@given(st.lists(st.floats(min_value=0, max_value=5), min_size=1, max_size=400))
def test_the_request_budget_allows_at_most_burst_plus_rate_a_minute(gaps):
    """Whatever the pattern of asking (a connector asks again `gap` seconds after each answer, waiting
    whatever the budget says first), no 60 s window holds more than 40 + 60·2 requests."""
    budget, now, sent = RequestBudget(), 0.0, []
    for gap in gaps * 3:
        wait = budget.take(now)
        while wait > 0:
            now += wait
            wait = budget.take(now)
        sent.append(now)
        now += gap
    j = 0
    for i, t in enumerate(sent):
        while sent[j] < t - 60.0:
            j += 1
        assert i - j + 1 <= budget.per_minute() == 160


@PURE
@given(st.binary(max_size=300).filter(lambda b: b"\r" not in b and b"\n" not in b))
def test_only_printable_ascii_ids_of_bounded_length_can_go_back_as_last_event_id(raw):
    value = raw.decode("utf-8", errors="replace")
    assert usable_event_id(value) == (len(raw) <= 256 and all(0x20 <= b <= 0x7E for b in raw))
    if usable_event_id(value):
        value.encode("ascii")  # what an HTTP header needs


def _reference_lines(data: bytes) -> list[bytes]:
    """SSE's line rule written plainly: CRLF, LF or CR ends a line; an unfinished last line is not one."""
    lines, cur, i = [], b"", 0
    while i < len(data):
        c = data[i:i + 1]
        if c == b"\r":
            lines.append(cur)
            cur = b""
            if data[i + 1:i + 2] == b"\n":
                i += 1
        elif c == b"\n":
            lines.append(cur)
            cur = b""
        else:
            cur += c
        i += 1
    return lines


@PURE
@given(st.lists(st.sampled_from([b"a", b"bc", b"\r", b"\n", b"\r\n", b"x" * 7]), max_size=60),
       st.lists(st.integers(min_value=0, max_value=200), max_size=10))
def test_lines_come_out_the_same_however_the_bytes_are_cut(parts, cuts):
    data = b"".join(parts)
    edges = sorted({min(c, len(data)) for c in cuts} | {0, len(data)})
    splitter, got = LineSplitter(10_000), []
    for a, b in zip(edges, edges[1:], strict=False):
        got += splitter.feed(data[a:b])
    assert got == _reference_lines(data)


@PURE
@given(st.integers(min_value=1, max_value=64), st.lists(st.integers(min_value=1, max_value=50), min_size=1))
def test_a_line_is_refused_as_soon_as_it_passes_the_cap(cap, pieces):
    splitter, fed = LineSplitter(cap), 0
    with contextlib.suppress(ResponseTooLarge):
        for n in pieces:
            splitter.feed(b"x" * n)
            fed += n
            assert splitter.pending == fed <= cap
        return
    assert fed + n > cap  # refused only past the cap, before keeping the piece


class _Chunks(httpx.SyncByteStream):
    def __init__(self, chunks: list[bytes]) -> None:
        self.chunks = chunks

    def __iter__(self) -> Iterator[bytes]:
        yield from self.chunks


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=0, max_value=MiB), st.sampled_from(["gzip", "deflate", "identity"]),
       st.integers(min_value=1, max_value=100_000))
def test_a_compressed_body_is_inflated_in_bounded_pieces(size, encoding, step):
    body = b"z" * size
    wire = {"gzip": gzip.compress, "deflate": zlib.compress}.get(encoding, bytes)(body)
    resp = httpx.Response(200, headers={"Content-Encoding": encoding},
                          stream=_Chunks([wire[i:i + step] for i in range(0, len(wire), step)]))
    pieces = list(iter_decoded(resp))
    assert all(len(p) <= CHUNK for p in pieces) and b"".join(pieces) == body


# -- request rate ----------------------------------------------------------------------------------

@REAL
@given(st.lists(st.tuples(st.sampled_from([429, 503]), RETRY_AFTER), min_size=4, max_size=4))
def test_a_refusing_platform_is_asked_at_backoff_pace_whatever_its_retry_after(answers):
    """`429`/`503` with any Retry-After (0, negative, a day, a date in 9999, garbage): each poller asks
    no faster than its own backoff and never waits longer than retry_cap."""
    servers = [Hostile(simple(status, {"Retry-After": ra, "Content-Type": "application/json"}, b"{}"))
               for status, ra in answers]
    with contextlib.ExitStack() as stack:
        for s in servers:
            stack.enter_context(s)
        with running(*(make(s.base) for make, s in zip(POLLERS, servers, strict=True))) as runs:
            time.sleep(WINDOW)
    bound = most_attempts(WINDOW, FAST)
    for run, srv in zip(runs, servers, strict=True):
        run.check_well_behaved()
        assert 2 <= srv.requests <= bound, (run.connector.kind, srv.requests, bound)
        waits = [s.retry_in for s in run.states()]
        assert waits and max(waits) <= FAST.cap * (1 + FAST.jitter) + 1e-3, waits


def _close_at_once(srv: Hostile, conn: socket.socket, head: bytes, n: int) -> None:
    pass


def _half_a_status_line(srv: Hostile, conn: socket.socket, head: bytes, n: int) -> None:
    srv.send(conn, b"HTTP/1.1 20")


def _short_body(srv: Hostile, conn: socket.socket, head: bytes, n: int) -> None:
    srv.send(conn, response_head(200, {"Content-Type": "application/json", "Content-Length": "100"}) + b"{")


def _not_http(srv: Hostile, conn: socket.socket, head: bytes, n: int) -> None:
    srv.send(conn, b"SSH-2.0-OpenSSH\r\n\r\n")


CLOSES = [_close_at_once, _half_a_status_line, _short_body, _not_http]


def _sse_that_closes(retry: str, comments: int) -> Behave:
    def behave(srv: Hostile, conn: socket.socket, head: bytes, n: int) -> None:
        body = f"retry: {retry}\n" + ": keep-alive\n" * comments + "\n"
        srv.send(conn, response_head(200, {"Content-Type": "text/event-stream"}) + body.encode())
    return behave


def _irc_join_and_close(lines: list[bytes]) -> Behave:
    def behave(srv: Hostile, conn: socket.socket, head: bytes, n: int) -> None:
        _irc_joined(srv, conn)
        for line in lines:
            srv.send(conn, line + b"\r\n")
    return behave


IRC_PARTING = st.lists(st.sampled_from([b":tmi.twitch.tv RECONNECT", b"PING :tmi.twitch.tv", b"",
                                        b":tmi.twitch.tv ROOMSTATE #xyz", b":tmi.twitch.tv NOTICE * :bye"]),
                       max_size=3)


@REAL
@given(st.lists(st.sampled_from(CLOSES), min_size=4, max_size=4),
       st.one_of(st.integers(min_value=0, max_value=10**12).map(str), st.text(PRINTABLE, max_size=12)),
       st.integers(min_value=0, max_value=3), IRC_PARTING)
def test_a_server_that_closes_at_once_is_a_failure_not_a_reconnect_loop(closes, retry, comments, parting):
    """An instant close — before, during or after the answer's head, an SSE stream that ends with no
    event whatever its `retry:`, an IRC server that lets us join and hangs up — counts as a failure:
    the next try waits the backoff (Twitch: one immediate reconnect, then its own backoff)."""
    servers = [Hostile(c) for c in closes] + [Hostile(_sse_that_closes(retry, comments))]
    irc = Hostile(_irc_join_and_close(parting), http=False)
    makers = [*POLLERS, generic_sse]
    with contextlib.ExitStack() as stack:
        for s in [*servers, irc]:
            stack.enter_context(s)
        connectors = [make(s.base) for make, s in zip(makers, servers, strict=True)] + [twitch(irc.port)]
        with running(*connectors) as runs:
            time.sleep(WINDOW)
    bound = most_attempts(WINDOW, FAST)
    for run, srv in zip(runs, servers, strict=False):
        run.check_well_behaved()
        assert 1 <= srv.requests <= bound, (run.connector.kind, srv.requests, bound)
        assert run.states(), "a failure must be reported"
    runs[-1].check_well_behaved()
    connections = len(irc.heads)
    assert 2 <= connections <= 1 + most_attempts(WINDOW, TwitchChat.backoff), connections
    assert runs[-1].states()


def _sse_event_then_close(retry: str) -> Behave:
    def behave(srv: Hostile, conn: socket.socket, head: bytes, n: int) -> None:
        event = json.dumps({"type": "chat", "id": f"m{n}", "text": "hi"})
        body = f"retry: {retry}\nid: {n}\ndata: {event}\n\n"
        srv.send(conn, response_head(200, {"Content-Type": "text/event-stream"}) + body.encode())
    return behave


@REAL
@given(st.lists(st.one_of(st.integers(min_value=0, max_value=10**12).map(str),
                          st.sampled_from(["0", "1", "-1", "999999999", "x"])), min_size=3, max_size=3))
def test_sse_retry_is_held_between_one_second_and_the_cap(retries):
    """A stream that brings an event and closes is reopened after `retry:` — but never sooner than 1 s
    (`retry: 0`) and never later than the cap (`retry: 10^12`)."""
    servers = [Hostile(_sse_event_then_close(r)) for r in retries]
    with contextlib.ExitStack() as stack:
        for s in servers:
            stack.enter_context(s)
        with running(*(generic_sse(s.base) for s in servers)) as runs:
            time.sleep(WINDOW)
    for run, srv in zip(runs, servers, strict=True):
        run.check_well_behaved()
        assert 2 <= srv.requests <= 1 + int(WINDOW / SSE_FLOOR), srv.requests
        times = [t for t, _ in srv.heads]
        gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
        assert min(gaps) >= SSE_FLOOR * 0.95, gaps
        assert any(isinstance(e, ChatMessage) for _, e in run.events)


def _empty_list(srv: Hostile, conn: socket.socket, head: bytes, n: int) -> None:
    srv.send(conn, response_head(200, {"Content-Type": "application/json", "Content-Length": "2"}) + b"[]")


def _youtube_now(srv: Hostile, conn: socket.socket, head: bytes, n: int) -> None:
    body = b'{"items": [], "pollingIntervalMillis": 0}'
    srv.send(conn, response_head(200, {"Content-Type": "application/json", "Content-Length": str(len(body))})
             + body)


def _shopify_endless_pages(srv: Hostile, conn: socket.socket, head: bytes, n: int) -> None:
    link = f'<{srv.base}/admin/api/2024-10/orders.json?page_info=p{n}&limit=250>; rel="next"'
    body = b'{"orders": []}'
    srv.send(conn, response_head(200, {"Content-Type": "application/json", "Content-Length": str(len(body)),
                                       "Link": link}) + body)


def test_no_setting_and_no_answer_can_ask_more_than_the_budget():
    """interval=0, pollingIntervalMillis=0, an endless chain of next pages: answered at once, each
    connector still asks at most 40 + 2/s."""
    behaviours = [_empty_list, _youtube_now, _shopify_endless_pages]
    servers = [Hostile(b) for b in behaviours]
    with contextlib.ExitStack() as stack:
        for s in servers:
            stack.enter_context(s)
        connectors = [generic_poll(servers[0].base, interval="0"), youtube(servers[1].base),
                      shopify(servers[2].base, interval="0")]
        with running(*connectors) as runs:
            time.sleep(WINDOW)
    for run, srv in zip(runs, servers, strict=True):
        run.check_well_behaved()
        elapsed = run.stop_took + WINDOW
        budget = RequestBudget()
        assert 40 <= srv.requests <= budget.burst + budget.rate * elapsed + 1, srv.requests


# -- deadlines: no progress is given up, in words ------------------------------------------------------

def _drip_head(every: float) -> Behave:
    def behave(srv: Hostile, conn: socket.socket, head: bytes, n: int) -> None:
        srv.drip(conn, b"HTTP/1.1 200 OK\r\n" + b"X-Pad: a\r\n" * 100_000, every)
    return behave


def _drip_body(every: float, ctype: str = "application/json") -> Behave:
    def behave(srv: Hostile, conn: socket.socket, head: bytes, n: int) -> None:
        srv.send(conn, response_head(200, {"Content-Type": ctype, "Content-Length": "1000000"}))
        srv.drip(conn, b" " * 1_000_000, every)
    return behave


def _sse_silent(srv: Hostile, conn: socket.socket, head: bytes, n: int) -> None:
    srv.send(conn, response_head(200, {"Content-Type": "text/event-stream"}) + b": hello\n")
    srv.hold()


def _sse_drip_no_newline(every: float) -> Behave:
    def behave(srv: Hostile, conn: socket.socket, head: bytes, n: int) -> None:
        srv.send(conn, response_head(200, {"Content-Type": "text/event-stream"}))
        srv.drip(conn, b"data: " + b"x" * 1_000_000, every)
    return behave


def _irc_joined(srv: Hostile, conn: socket.socket) -> None:
    srv.send(conn, b":tmi.twitch.tv 001 justinfan :Welcome\r\n:justinfan!j@j JOIN #xyz\r\n")


def _irc_drip(every: float) -> Behave:
    def behave(srv: Hostile, conn: socket.socket, head: bytes, n: int) -> None:
        _irc_joined(srv, conn)
        srv.drip(conn, b"@tag=" + b"a" * 30_000, every)
    return behave


def _irc_silent(srv: Hostile, conn: socket.socket, head: bytes, n: int) -> None:
    _irc_joined(srv, conn)
    srv.hold()


DEADLINE = 1.5


@REAL
@given(st.floats(min_value=0.05, max_value=0.4), st.floats(min_value=0.05, max_value=0.4))
def test_a_server_that_makes_no_progress_is_given_up_at_the_deadline_in_words(drip, drip2):
    """Headers or a body dripped a byte at a time (each read well inside its own timeout), an SSE stream
    that falls silent or never ends its line, an IRC server that drips or says nothing: each connector
    says so in a sentence within its deadline and tries again later."""
    cases = [  # (behaviour, http?, connector maker, the words)
        (_drip_head(drip), True, generic_poll, "no complete answer within 1.5 s"),
        (_drip_body(drip2), True, youtube, "no complete answer within 1.5 s"),
        (_drip_head(drip2), True, shopify_graphql, "no complete answer within 1.5 s"),
        (_drip_head(drip), True, generic_sse, "did not answer within 1.5 s"),
        (_sse_silent, True, generic_sse, "sent nothing for 1.5 s"),
        (_sse_drip_no_newline(drip), True, generic_sse, "sent no complete line for 1.5 s"),
        (_irc_drip(drip2), False, twitch, "Twitch sent no complete line for 1.5 s"),
        (_irc_silent, False, twitch, "Twitch sent nothing for 1.5 s"),
    ]
    servers = [Hostile(b, http=http) for b, http, _, _ in cases]
    with contextlib.ExitStack() as stack:
        for s in servers:
            stack.enter_context(s)
        connectors = []
        for (_, _, make, _), srv in zip(cases, servers, strict=True):
            if make is twitch:
                c = twitch(srv.port, dead_after=str(DEADLINE), idle_ping="1")
            else:
                c = make(srv.base)
                c.request_deadline = DEADLINE
                c.silence = DEADLINE
            connectors.append(c)
        with running(*connectors) as runs:
            time.sleep(DEADLINE + 1.5)
    for run, (_, _, make, words) in zip(runs, cases, strict=True):
        run.check_well_behaved()
        at = run.first_backoff_with(words)
        assert at is not None, (make.__name__, words, run.messages())
        assert at <= DEADLINE + 1.0, (make.__name__, at)


def test_a_stalled_server_does_not_delay_stop():
    """With the real (30 s) deadlines, a connector stuck on a dripping or silent server ends at once
    when stopped: close() wakes the blocked read."""
    servers = [Hostile(_drip_head(0.2)), Hostile(_drip_body(0.2)), Hostile(_sse_silent),
               Hostile(_sse_drip_no_newline(0.2)), Hostile(_irc_silent, http=False)]
    with contextlib.ExitStack() as stack:
        for s in servers:
            stack.enter_context(s)
        connectors = [generic_poll(servers[0].base), youtube(servers[1].base), generic_sse(servers[2].base),
                      generic_sse(servers[3].base), twitch(servers[4].port)]
        with running(*connectors) as runs:
            time.sleep(1.0)
    for run, srv in zip(runs, servers, strict=True):
        run.check_well_behaved()
        assert srv.requests == 1 and not run.states()


# -- images ----------------------------------------------------------------------------------------

def _redirect_slowly(pause: float) -> Behave:
    def behave(srv: Hostile, conn: socket.socket, head: bytes, n: int) -> None:
        if srv.stopping.wait(pause):
            raise Gone
        srv.send(conn, response_head(302, {"Location": f"/hop{n}", "Content-Length": "0"}))
    return behave


def _png(srv: Hostile, conn: socket.socket, head: bytes, n: int) -> None:
    body = b"\x89PNG\r\n\x1a\n" + b"\0" * 100
    srv.send(conn, response_head(200, {"Content-Type": "image/png", "Content-Length": str(len(body))}) + body)


@REAL
@given(st.floats(min_value=0.05, max_value=0.5), st.floats(min_value=0.25, max_value=0.45))
def test_an_image_server_that_drips_costs_the_image_timeout_and_no_more(drip, hop):
    """`fetch_bytes(url, timeout)`: dripped headers, a dripped body, a chain of slow redirects and a silent
    server each end within the timeout (wall clock, not per read); a sound image still arrives."""
    from studio.commerce.images import fetch_bytes

    timeout = 1.0
    behaviours = [_drip_head(drip), _drip_body(drip, "image/png"), _redirect_slowly(hop),
                  lambda srv, conn, head, n: srv.hold(), _png]
    servers = [Hostile(b) for b in behaviours]
    results: dict[int, tuple[bytes | None, float]] = {}

    def get(i: int, url: str) -> None:
        t0 = time.monotonic()
        data = fetch_bytes(url, timeout)
        results[i] = (data, time.monotonic() - t0)

    with contextlib.ExitStack() as stack:
        for s in servers:
            stack.enter_context(s)
        threads = [threading.Thread(target=get, args=(i, s.base + "/photo.png"), daemon=True)
                   for i, s in enumerate(servers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout + 2)
    assert len(results) == len(servers), "a fetch did not end"
    for i in range(len(servers) - 1):
        data, took = results[i]
        assert data is None and took <= timeout + 0.5, (i, took)
    assert results[len(servers) - 1][0] is not None


# -- memory ----------------------------------------------------------------------------------------

def _framed(body: bytes, framing: str) -> tuple[dict[str, str], bytes]:
    if framing == "length":
        return {"Content-Length": str(len(body))}, body
    if framing == "chunked":
        step = 256 * 1024
        pieces = [body[i:i + step] for i in range(0, len(body), step)]
        parts = [b"%x\r\n%s\r\n" % (len(p), p) for p in pieces]
        return {"Transfer-Encoding": "chunked"}, b"".join(parts) + b"0\r\n\r\n"
    if framing == "gzip":
        return {"Content-Encoding": "gzip"}, gzip.compress(body, compresslevel=1)
    return {}, body  # delimited by the close


def _big(head: bytes, payload: bytes) -> Behave:
    def behave(srv: Hostile, conn: socket.socket, h: bytes, n: int) -> None:
        try:
            conn.sendall(head)
            conn.sendall(payload)
        except OSError:
            raise Gone from None
    return behave


def _peak_while(until: Callable[[], bool], seconds: float) -> int:
    """tracemalloc's peak of Python memory (all threads) until `until()` or `seconds` have passed."""
    end = time.monotonic() + seconds
    while time.monotonic() < end and not until():
        time.sleep(0.01)
    return tracemalloc.get_traced_memory()[1]


DENSE = [b"[]", b"{}", b"1.5", b'"ab"', b"0"]  # values that cost 30-110 bytes each once parsed


@pytest.mark.parametrize("framing", ["length", "chunked", "gzip", "close", "dense"])
@settings(max_examples=2, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None,
          phases=NO_SHRINK)
@given(make=st.sampled_from([generic_poll, youtube, shopify]),
       megabytes=st.integers(min_value=24, max_value=48))
def test_a_huge_body_is_refused_while_it_streams(framing, make, megabytes):
    """A poll answer of 24–48 MB (honest length, chunked, close-delimited, or a gzip bomb of a few
    hundred kB), or one under the 8 MiB cap packed with values whose parse would take 100+ MB
    ("dense"): refused as too large, and the studio never holds much more than the 8 MiB cap twice."""
    if framing == "dense":
        value = DENSE[megabytes % len(DENSE)]
        count = 7 * MiB // (len(value) + 1)
        headers, payload = _framed(b'{"events": [' + b",".join([value] * count) + b"]}", "length")
    else:
        headers, payload = _framed(b'{"events": [' + b" " * (megabytes * MiB) + b"]}", framing)
    head = response_head(200, {"Content-Type": "application/json", **headers})
    with Hostile(_big(head, payload)) as srv:
        connector = make(srv.base)
        tracemalloc.start()
        try:
            with running(connector) as (run,):
                peak = _peak_while(lambda: bool(run.states()), 10)
        finally:
            tracemalloc.stop()
    run.check_well_behaved()
    assert any("response too large" in m for m in run.messages()), run.messages()
    assert peak < 20 * MiB, f"peak {peak / MiB:.1f} MiB for a {megabytes} MB body ({framing})"


def _endless(prefix: bytes, size: int, step: int) -> Behave:
    def behave(srv: Hostile, conn: socket.socket, head: bytes, n: int) -> None:
        srv.send(conn, response_head(200, {"Content-Type": "text/event-stream"}) + prefix)
        block = b"x" * step
        for _ in range(size // step):
            srv.send(conn, block)
    return behave


def _irc_endless(size: int, step: int) -> Behave:
    def behave(srv: Hostile, conn: socket.socket, head: bytes, n: int) -> None:
        _irc_joined(srv, conn)
        block = b"x" * step
        for _ in range(size // step):
            srv.send(conn, block)
    return behave


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None,
          phases=NO_SHRINK)
@given(st.integers(min_value=8, max_value=24), st.sampled_from([1024, 4096, 65536]),
       st.sampled_from([b"data: ", b": ", b"id: ", b"retry: ", b"event"]))
def test_a_line_that_never_ends_is_cut_at_the_cap(megabytes, step, prefix):
    """An SSE field (or an IRC line) that never ends, in pieces of any size: cut at the line cap with a
    sentence, never grown to what the server sends."""
    size = megabytes * MiB
    with Hostile(_endless(prefix, size, step)) as sse, Hostile(_irc_endless(size, step), http=False) as irc:
        tracemalloc.start()
        try:
            with running(generic_sse(sse.base), twitch(irc.port)) as runs:
                peak = _peak_while(lambda: all(r.states() for r in runs), 10)
        finally:
            tracemalloc.stop()
    for run in runs:
        run.check_well_behaved()
    assert any("a line longer than 1024 KiB" in m for m in runs[0].messages()), runs[0].messages()
    assert any("over-long line" in m for m in runs[1].messages()), runs[1].messages()
    assert peak < 8 * MiB, f"peak {peak / MiB:.1f} MiB for a {megabytes} MB line"


# -- event ids -----------------------------------------------------------------------------------

ID_BYTES = st.one_of(st.binary(max_size=300), st.text(max_size=80).map(lambda t: t.encode("utf-8")),
                     st.text(PRINTABLE, min_size=1, max_size=300).map(lambda t: t.encode()))


def _ids_then_check(ids: list[bytes]) -> Behave:
    def behave(srv: Hostile, conn: socket.socket, head: bytes, n: int) -> None:
        lines = [b"id: good-0", b'data: {"type": "chat", "id": "first", "text": "a"}', b""]
        if n == 0:
            for i, raw in enumerate(ids):
                lines += [b"id: " + raw, b'data: {"type": "chat", "id": "c%d", "text": "b"}' % i, b""]
        else:
            lines = [b'data: {"type": "chat", "id": "again", "text": "back"}', b""]
        srv.send(conn, response_head(200, {"Content-Type": "text/event-stream"}) + b"\n".join(lines) + b"\n")
        if n > 0:
            srv.hold()
    return behave


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None,
          phases=NO_SHRINK)
@given(st.lists(ID_BYTES.map(lambda b: b.replace(b"\r", b"").replace(b"\n", b"")), min_size=1, max_size=4))
def test_an_id_that_cannot_be_a_header_is_dropped_and_the_feed_comes_back(ids):
    """Ids of any bytes (non-ASCII, control characters, NUL, 300 long): the reopened stream sends back
    the last id that is printable ASCII of at most 256 characters, and the feed carries on."""
    def usable(raw: bytes) -> bool:
        return len(raw) <= 256 and all(0x20 <= b <= 0x7E for b in raw)

    expected = "good-0"
    for raw in ids:
        if b"\0" not in raw and usable(raw):
            expected = raw.decode("ascii")
    with Hostile(_ids_then_check(ids)) as srv:
        with running(generic_sse(srv.base)) as (run,):
            end = time.monotonic() + 4
            while time.monotonic() < end and not any(
                    isinstance(e, ChatMessage) and e.id == "again" for _, e in run.events):
                time.sleep(0.02)
        assert srv.requests >= 2, run.messages()
        assert srv.header(1, "Last-Event-ID") == (expected or None)
    run.check_well_behaved()
    assert any(isinstance(e, ChatMessage) and e.id == "again" for _, e in run.events), run.messages()
