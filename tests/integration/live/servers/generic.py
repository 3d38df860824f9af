"""Fake generic feed (docs/feed.md): a polling endpoint with cursors and an SSE endpoint with ids."""

from __future__ import annotations

import json
import threading

from .http_base import FakeServer, Request, Response, json_response


class FakeFeed:
    """`events` is the feed's history; GET /feed?cursor=N returns events[N:N+page] and cursor N+page.
    GET /stream (SSE) sends events from Last-Event-ID+1, each with `id: N`; with `drop_after` it closes
    the connection after that many events once (the client must resume from where it was)."""

    def __init__(self, events: list[dict], page: int = 3, drop_after: int | None = None,
                 bad_sse_at: int | None = None) -> None:
        self.events, self.page = events, page
        self.drop_after, self.bad_sse_at = drop_after, bad_sse_at
        self.connections = 0
        self.last_event_ids: list[str | None] = []
        self.server = FakeServer(self.handle)
        self.server_handler_cls = None
        self._done = threading.Event()

    def __enter__(self) -> FakeFeed:
        self.server.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self._done.set()
        self.server.__exit__(*exc)

    @property
    def base(self) -> str:
        return self.server.base

    def handle(self, req: Request) -> Response | None:
        if req.path == "/feed":
            start = int(req.query.get("cursor", 0))
            chunk = self.events[start: start + self.page]
            return json_response({"events": chunk, "cursor": str(start + len(chunk)), "poll_after_ms": 20})
        if req.path == "/stream":
            return self._stream(req)
        return 404, {"Content-Type": "text/plain"}, b"not found"

    def _stream(self, req: Request) -> Response | None:
        self.connections += 1
        last = req.headers.get("last-event-id")
        self.last_event_ids.append(last)
        start = int(last) + 1 if last is not None else 0
        lines = ["retry: 50", ": hello", ""]
        for n, i in enumerate(range(start, len(self.events)), 1):
            if self.bad_sse_at is not None and i == self.bad_sse_at:
                self.bad_sse_at = None
                lines += ["data: {\"type\": \"chat\", \"te", ""]
                break
            lines += [f"id: {i}", "data: " + json.dumps(self.events[i], ensure_ascii=False), ""]
            if self.drop_after is not None and n >= self.drop_after:
                self.drop_after = None
                break
        body = ("\n".join(lines) + "\n").encode()
        # a finite stream: the client reads it, sees the end, and reopens with Last-Event-ID
        return 200, {"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}, body
