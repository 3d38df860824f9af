"""Fake YouTube Data API v3 `liveChatMessages.list` and `videos.list` (PLATFORMS.md §1.2–1.3 shapes)."""

from __future__ import annotations

from collections import deque

from .http_base import FakeServer, Request, Response, html_response, json_response


def text_item(n: int, text: str, name: str = "Anhad Singh", published: str | None = None) -> dict:
    return {
        "kind": "youtube#liveChatMessage", "etag": f"e{n}", "id": f"LCC.msg{n}",
        "snippet": {"type": "textMessageEvent", "liveChatId": "CHAT1",
                    "authorChannelId": "UC2ZwzUUY_4dAJDGAaTsKjjA",
                    "publishedAt": published or f"2020-07-10T14:00:{n % 60:02d}.645000Z",
                    "hasDisplayContent": True,
                    "displayMessage": text, "textMessageDetails": {"messageText": text}},
        "authorDetails": {"channelId": "UC2ZwzUUY_4dAJDGAaTsKjjA",
                          "channelUrl": "http://www.youtube.com/channel/UC2ZwzUUY_4dAJDGAaTsKjjA",
                          "displayName": name, "profileImageUrl": "https://yt3.ggpht.com/x/photo.jpg",
                          "isVerified": False, "isChatOwner": False, "isChatSponsor": False,
                          "isChatModerator": False},
    }


def superchat_item(n: int) -> dict:
    return {
        "kind": "youtube#liveChatMessage", "etag": f"e{n}", "id": f"LCC.sc{n}",
        "snippet": {"type": "superChatEvent", "liveChatId": "CHAT1",
                    "authorChannelId": "UCezJOfu7OtqGzd5xrP3q6WA",
                    "publishedAt": "2021-06-09T15:40:52.765983+00:00", "hasDisplayContent": True,
                    "displayMessage": "€2.00 from Brian Lough: \"test\"",
                    "superChatDetails": {"amountMicros": "2000000", "currency": "EUR",
                                         "amountDisplayString": "€2.00", "userComment": "test", "tier": 2}},
        "authorDetails": {"channelId": "UCezJOfu7OtqGzd5xrP3q6WA", "displayName": "Brian Lough",
                          "isChatModerator": True},
    }


def broadcast_item(video_id: str = "dQw4w9WgXcQ", chat_id: str = "CHAT1") -> dict:
    """A liveBroadcast resource (YouTube Data API v3 liveBroadcasts.list, part=id,snippet)."""
    return {"kind": "youtube#liveBroadcast", "etag": "b1", "id": video_id,
            "snippet": {"publishedAt": "2030-01-01T09:00:00Z", "channelId": "UC2ZwzUUY_4dAJDGAaTsKjjA",
                        "title": "Tea tasting live", "liveChatId": chat_id,
                        "actualStartTime": "2030-01-01T10:00:00Z"}}


def yt_error(code: int, reason: str, domain: str = "youtube.liveChat") -> Response:
    quota = "The request cannot be completed because you have exceeded your <a>quota</a>."
    msg = {"quotaExceeded": quota}.get(reason, reason)
    errors = [{"message": msg, "domain": domain, "reason": reason}]
    return json_response({"error": {"code": code, "message": msg, "errors": errors}}, status=code)


class FakeYouTube:
    """Serves `pages` in order (page i answers pageToken p{i}); after the last page it repeats an empty
    page (or ends the chat with `end`: "offline" → offlineAt, "ended" → 403 liveChatEnded).
    `faults` are served first, one per request: "quota", "ratelimit", "500", "html", "truncated",
    "redirect", "notfound"."""

    def __init__(self, pages: list[list[dict]], interval_ms: int = 50, end: str | None = None,
                 faults: list[str] | None = None, viewers: int | None = None,
                 api_key: str = "AIzaTESTKEY123", broadcasts: list[list[dict]] | None = None) -> None:
        self.pages, self.interval_ms, self.end = pages, interval_ms, end
        self.faults = deque(faults or [])
        self.viewers, self.api_key = viewers, api_key
        # liveBroadcasts.list answers, one per request (the last one repeats); OAuth only, as YouTube
        self.broadcasts = deque(broadcasts or [[]])
        self.server = FakeServer(self.handle)

    def __enter__(self) -> FakeYouTube:
        self.server.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self.server.__exit__(*exc)

    @property
    def base(self) -> str:
        return self.server.base

    @property
    def requests(self) -> list[Request]:
        return self.server.requests

    def handle(self, req: Request) -> Response:
        authorized = (req.query.get("key") == self.api_key
                      or req.headers.get("authorization") == f"Bearer {self.api_key}")
        if not authorized:
            return yt_error(403, "forbidden", "global")
        if req.path == "/youtube/v3/liveBroadcasts":
            if not req.headers.get("authorization", "").startswith("Bearer "):
                return yt_error(401, "authError", "global")  # an API key cannot list your broadcasts
            if req.query.get("broadcastStatus") != "active" or "mine" in req.query:
                return yt_error(400, "incompatibleParameters", "youtube.parameter")
            items = self.broadcasts[0] if len(self.broadcasts) == 1 else self.broadcasts.popleft()
            return json_response({"kind": "youtube#liveBroadcastListResponse", "items": items})
        if req.path == "/youtube/v3/videos":
            return json_response({"kind": "youtube#videoListResponse", "items": [
                {"id": req.query.get("id"), "liveStreamingDetails": {"concurrentViewers": str(self.viewers),
                                                                    "activeLiveChatId": "CHAT1"}}]})
        if req.path != "/youtube/v3/liveChat/messages":
            return html_response(404)
        if self.faults:
            f = self.faults.popleft()
            if f == "quota":
                return yt_error(403, "quotaExceeded", "youtube.quota")
            if f == "ratelimit":
                return yt_error(403, "rateLimitExceeded")
            if f == "500":
                return json_response({"error": {"code": 500, "message": "Backend Error"}}, status=500)
            if f == "html":
                return 200, {"Content-Type": "text/html"}, b"<html>Sign in to continue</html>"
            if f == "truncated":
                return (200, {"Content-Type": "application/json"},
                        b'{"kind": "youtube#liveChatMessageListResponse", "items": [{"id')
            if f == "redirect":
                return 302, {"Location": "/youtube/v3/liveChat/messages?" + req.raw_query}, b""
            if f == "notfound":
                return yt_error(404, "liveChatNotFound")
        token = req.query.get("pageToken", "p0")
        i = int(token[1:]) if token[1:].isdigit() else 0
        if i >= len(self.pages):
            if self.end == "ended":
                return yt_error(403, "liveChatEnded")
            items: list[dict] = []
        else:
            items = self.pages[i]
        body = {"kind": "youtube#liveChatMessageListResponse", "etag": "t5gH92h4PsSNwD4mErx6zyJp9aw",
                "pollingIntervalMillis": self.interval_ms, "pageInfo": {"totalResults": len(items),
                                                                       "resultsPerPage": len(items)},
                "nextPageToken": f"p{min(i + 1, len(self.pages))}", "items": items}
        if i >= len(self.pages) and self.end == "offline":
            body["offlineAt"] = "2020-07-10T15:00:00+00:00"
        return json_response(body)
