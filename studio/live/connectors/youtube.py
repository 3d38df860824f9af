"""YouTube live chat: `liveChatMessages.list` polling (PLATFORMS.md §1.2–1.3).

`GET {api_base}/youtube/v3/liveChat/messages?liveChatId=…&part=id,snippet,authorDetails&pageToken=…`
with an API key (`key=`) or an OAuth bearer token. The next call waits `pollingIntervalMillis`
(never less than `min_interval`). The chat ends on a response carrying `offlineAt` or on a 403
`liveChatEnded`. `quotaExceeded` backs off long (`quota_backoff`, default 10 min: the daily quota will
not come back sooner), `rateLimitExceeded` backs off short. Super Chats and Super Stickers become
`ChatMessage(kind="superchat", amount, currency)` with `amountMicros` (a string) / 10⁶ as Decimal.
With `video_id=`, `videos.list?part=liveStreamingDetails` is polled every `viewers_every` seconds for
`concurrentViewers`.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

import httpx

from studio.core.errors import UserError
from studio.core.log import get_logger
from studio.live.connectors.base import (
    FeedError,
    PollingConnector,
    api_base_problem,
    checked_api_base,
    error_reason,
    json_body,
    parse_time,
    token_rejected,
    try_json,
)
from studio.live.connectors.options import (
    RETRY,
    RETRY_CAP,
    Option,
    name_option,
    number_value,
    secret_value,
    text_value,
)
from studio.live.events import ChatMessage, FeedState, ViewerCount

log = get_logger("live.youtube")

DEFAULT_BASE = "https://www.googleapis.com"
MESSAGES_PATH = "/youtube/v3/liveChat/messages"
VIDEOS_PATH = "/youtube/v3/videos"
BROADCASTS_PATH = "/youtube/v3/liveBroadcasts"

_SILENT = {"tombstone", "chatEndedEvent", "messageDeletedEvent", "userBannedEvent", "pollOpenedEvent",
           "pollClosedEvent", "pollEditedEvent", "pollVotedEvent", "sponsorOnlyModeStartedEvent",
           "sponsorOnlyModeEndedEvent"}
_BAD_CREDENTIALS = {"keyInvalid", "authError", "invalidCredentials", "unauthorized"}
_FATAL_403 = {"forbidden": "no permission to read this live chat",
              "liveChatDisabled": "live chat is not enabled for this broadcast"}


def parse_message(item: Any, source: str = "youtube") -> ChatMessage | None:
    """One `liveChatMessage` resource → ChatMessage, or None for items nothing should show."""
    if not isinstance(item, dict):
        return None
    snip = item.get("snippet")
    if not isinstance(snip, dict):
        return None
    mtype = snip.get("type", "")
    if not isinstance(mtype, str) or mtype in _SILENT:
        return None
    details = item.get("authorDetails")
    name = str(details.get("displayName") or "") if isinstance(details, dict) else ""
    try:
        at = parse_time(snip.get("publishedAt"))
    except ValueError:
        at = time.time()
    mid = str(item.get("id") or "")
    if mtype in ("superChatEvent", "superStickerEvent"):
        det = snip.get("superChatDetails") or snip.get("superStickerDetails") or {}
        if not isinstance(det, dict):
            return None
        try:
            amount = Decimal(str(det.get("amountMicros", "0"))) / Decimal(1_000_000)
        except InvalidOperation:
            amount = None
        if amount is not None and (not amount.is_finite() or amount.adjusted() > 15):
            amount = None  # "NaN", "Infinity" or absurd: show the message, count no money
        text = str(det.get("userComment") or "")
        if not text:
            sticker = det.get("superStickerMetadata")
            text = str(sticker.get("altText", "")) if isinstance(sticker, dict) else ""
        return ChatMessage(source, mid, name, text or str(snip.get("displayMessage") or ""), at,
                           kind="superchat", amount=amount, currency=str(det.get("currency") or "") or None)
    tdet = snip.get("textMessageDetails")
    body = tdet.get("messageText") if isinstance(tdet, dict) else None
    body = body if isinstance(body, str) else snip.get("displayMessage")
    if not isinstance(body, str) or not body:
        return None
    return ChatMessage(source, mid, name, body, at)


LIVE_CHAT_ID = Option("live_chat_id", "text", "Live chat ID", placeholder="ID",
                      help="The broadcast's liveStreamingDetails.activeLiveChatId. Empty with an OAuth "
                           "token: the chat of your active broadcast is found by itself.")
VIDEO_ID = Option("video_id", "text", "Video ID", placeholder="VIDEO_ID", pattern=r"[A-Za-z0-9_-]{1,64}",
                  help="The ID after watch?v= in the stream's address; with it, the concurrent viewer "
                       "count is shown too.")
TOKEN = Option("token", "text", "OAuth token", secret=True, keyring_name="youtube_token",
               env_var="STUDIO_YOUTUBE_TOKEN",
               help="An OAuth 2.0 access token with the youtube.readonly scope; used instead of the API key.")
API_KEY = Option("api_key", "text", "API key", secret=True, keyring_name="youtube_api_key",
                 env_var="STUDIO_YOUTUBE_API_KEY",
                 help="A YouTube Data API v3 key: Google Cloud console → APIs & Services → Credentials.")
API_BASE = Option("api_base", "url", "API address", default=DEFAULT_BASE, advanced=True,
                  help="Scheme and host of the YouTube Data API (a test server or a proxy); the paths stay.")
MIN_INTERVAL = Option("min_interval", "number", "Shortest poll interval (s)", default="1", minimum=0,
                      maximum=60, advanced=True,
                      help="Never poll faster than this, whatever pollingIntervalMillis says.")
QUOTA_BACKOFF = Option("quota_backoff", "number", "Wait after quota exceeded (s)", default="600", minimum=0,
                       maximum=86400, advanced=True,
                       help="How long to wait when the daily API quota is used up.")
RATE_LIMIT_BACKOFF = Option("rate_limit_backoff", "number", "Wait after rate limit (s)", default="5",
                            minimum=0, maximum=3600, advanced=True,
                            help="How long to wait when YouTube says we ask too fast.")
NAME = name_option("youtube")
BROADCAST_RETRY = Option("broadcast_retry", "number", "Look for the active broadcast every (s)", default="30",
                         minimum=0, maximum=3600, advanced=True,
                         help="Without a live chat ID: how often to look for your active broadcast until "
                              "it starts.")
VIEWERS_EVERY = Option("viewers_every", "number", "Viewer count every (s)", default="30", minimum=0,
                       maximum=3600, advanced=True,
                       help="How often the concurrent viewer count is asked for (needs the video ID).")


class YouTubeChat(PollingConnector):
    kind = "youtube"
    title = "YouTube live chat"
    OPTIONS = (LIVE_CHAT_ID, VIDEO_ID, TOKEN, API_KEY, NAME, API_BASE, MIN_INTERVAL,
               QUOTA_BACKOFF, RATE_LIMIT_BACKOFF, VIEWERS_EVERY, BROADCAST_RETRY, RETRY, RETRY_CAP)

    @classmethod
    def check_options(cls, options: Mapping[str, str]) -> list[str]:
        return api_base_problem(options.get("api_base"))

    def __init__(self, settings: dict[str, str]) -> None:
        super().__init__()
        self.configure(settings)
        self.chat_id = text_value(settings, LIVE_CHAT_ID)
        self.name = text_value(settings, NAME)
        self.base = checked_api_base(text_value(settings, API_BASE), DEFAULT_BASE)
        self.video_id = text_value(settings, VIDEO_ID)
        self.min_interval = number_value(settings, MIN_INTERVAL)
        self.quota_backoff = number_value(settings, QUOTA_BACKOFF)
        self.rate_limit_backoff = number_value(settings, RATE_LIMIT_BACKOFF)
        self.viewers_every = number_value(settings, VIEWERS_EVERY)
        self.broadcast_retry = number_value(settings, BROADCAST_RETRY)
        self.token = secret_value(settings, TOKEN)
        self.api_key = None if self.token else secret_value(settings, API_KEY)
        if not (self.token or self.api_key):
            raise UserError("the youtube feed needs an API key or an OAuth token: add one in Settings → "
                            "Feeds, or set STUDIO_YOUTUBE_API_KEY or STUDIO_YOUTUBE_TOKEN")
        if not self.chat_id and not self.token:
            raise UserError("the youtube feed needs live_chat_id=ID, or an OAuth token to find the chat of "
                            "your active broadcast (an API key cannot see your broadcasts)")
        self.page_token: str | None = None
        self._next_viewers = 0.0

    def _auth(self) -> tuple[dict[str, str], dict[str, str]]:
        if self.token:
            return {"Authorization": f"Bearer {self.token}"}, {}
        return {}, {"key": self.api_key or ""}

    def _raise_for_youtube(self, resp: httpx.Response) -> None:
        if resp.status_code not in (400, 401, 403, 404):
            return
        reason, message = error_reason(try_json(resp))
        if reason == "liveChatEnded":
            raise FeedError("the live chat has ended", fatal=True, state=FeedState.ENDED)
        if reason == "quotaExceeded":
            raise FeedError("YouTube API quota exceeded; waiting before trying again",
                            hold=self.quota_backoff)
        if reason == "rateLimitExceeded":
            raise FeedError("YouTube says we ask too fast; slowing down", retry_after=self.rate_limit_backoff)
        if reason == "liveChatNotFound" or resp.status_code == 404:
            raise FeedError("live chat not found: check live_chat_id", fatal=True, state=FeedState.FAILED)
        if reason in _FATAL_403:
            raise FeedError(_FATAL_403[reason], fatal=True, state=FeedState.FAILED)
        if resp.status_code == 401 or reason in _BAD_CREDENTIALS or "API_KEY_INVALID" in resp.text[:4096]:
            what = "a valid OAuth token" if self.token else "a valid API key"
            raise FeedError(token_rejected("YouTube", what) + f" ({resp.status_code} {reason})".rstrip(),
                            fatal=True, state=FeedState.FAILED)
        raise FeedError(f"YouTube error {resp.status_code} {reason or ''}".strip()
                        + (f": {message}" if message else ""))

    def _find_active_chat(self, headers: dict[str, str]) -> bool:
        """The live chat of the token owner's active broadcast (liveBroadcasts.list, broadcastStatus=
        active: `mine=true` also returns past broadcasts, whose chat has ended). False when there is none
        yet."""
        resp = self.request("GET", self.base + BROADCASTS_PATH, what="YouTube broadcasts", headers=headers,
                            params={"part": "id,snippet", "broadcastStatus": "active",
                                    "broadcastType": "all", "maxResults": "5"})
        self._raise_for_youtube(resp)
        body = json_body(resp, "YouTube broadcasts")
        items = body.get("items") if isinstance(body, dict) else None
        if not isinstance(items, list):
            raise FeedError("YouTube broadcasts: response is not a liveBroadcastListResponse")
        for item in items:
            snippet = item.get("snippet") if isinstance(item, dict) else None
            chat = snippet.get("liveChatId") if isinstance(snippet, dict) else None
            if isinstance(chat, str) and 0 < len(chat) <= 200:
                self.chat_id = chat
                vid = item.get("id")
                if not self.video_id and isinstance(vid, str) and len(vid) <= 64:
                    self.video_id = vid  # the viewer count comes with it
                log.info("%s: chat of the active broadcast found", self.name)
                return True
        return False

    def poll(self) -> float:
        headers, params = self._auth()
        if not self.chat_id and not self._find_active_chat(headers):
            raise FeedError("no active broadcast on this channel yet; looking again in "
                            f"{self.broadcast_retry:.0f} s", hold=self.broadcast_retry)
        params = {**params, "liveChatId": self.chat_id, "part": "id,snippet,authorDetails",
                  "maxResults": "2000"}
        if self.page_token:
            params["pageToken"] = self.page_token
        resp = self.request("GET", self.base + MESSAGES_PATH, what="YouTube live chat", params=params,
                            headers=headers)
        self._raise_for_youtube(resp)
        body = json_body(resp, "YouTube live chat")
        if not isinstance(body, dict) or not isinstance(body.get("items", []), list):
            raise FeedError("YouTube live chat: response is not a liveChatMessageListResponse")
        for item in body.get("items", []):
            msg = parse_message(item, self.name)
            if msg is not None:
                self._emit(msg)
        token = body.get("nextPageToken")
        if isinstance(token, str) and token:
            self.page_token = token
        if body.get("offlineAt"):
            raise FeedError("the stream is offline; the live chat has ended", fatal=True,
                            state=FeedState.ENDED)
        if self.video_id and time.monotonic() >= self._next_viewers:
            self._next_viewers = time.monotonic() + self.viewers_every
            self._poll_viewers(headers, self._auth()[1])
        interval = body.get("pollingIntervalMillis")
        wait = 5.0
        if isinstance(interval, int) and not isinstance(interval, bool):
            wait = min(interval, 60_000) / 1000.0  # clamp first: a huge int cannot become a float
        elif isinstance(interval, float) and math.isfinite(interval):
            wait = min(interval, 60_000.0) / 1000.0
        return max(self.min_interval, min(wait, 60.0))

    def _poll_viewers(self, headers: dict[str, str], params: dict[str, str]) -> None:
        resp = self.request("GET", self.base + VIDEOS_PATH, what="YouTube video details", headers=headers,
                            params={**params, "part": "liveStreamingDetails", "id": self.video_id})
        self._raise_for_youtube(resp)
        body = json_body(resp, "YouTube video details")
        try:
            details = body["items"][0]["liveStreamingDetails"]
            count = int(details["concurrentViewers"])
        except (KeyError, IndexError, TypeError, ValueError):
            return  # not live yet, or viewers hidden: nothing to report
        self._emit(ViewerCount(self.name, count))
