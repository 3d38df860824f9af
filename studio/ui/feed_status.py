"""A feed's health in words, for the chat and sales docks: "youtube: connected", "youtube: retrying in
8 s: rate limited (429)", "shopify: token rejected — open Settings → Feeds …", and the DEMO DATA badge.

`feed_state_text` is a pure function of a `ConnectorState`, so it is tested without a window. Its text
is plain (control characters folded to spaces), masked (`mask_text`: a token that reached a message by
accident is still never shown) and capped, because the message comes from the outside world (an error
body, a platform's reason) and lands in a one-line label.
"""

from __future__ import annotations

import re

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from studio.core.secrets import mask_text
from studio.live.events import ConnectorState, FeedState
from studio.ui.i18n import tr

MAX_CHARS = 160
MAX_SOURCES = 32   # feeds in one show; more lines than this would not fit a dock anyway
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")
_SPACES = re.compile(r"\s{2,}")

# The colour of a line by state: trouble stands out, the normal case does not.
STATE_STYLE = {
    FeedState.BACKOFF: "color:#b26a00;",
    FeedState.FAILED: "color:#c62828;font-weight:bold;",
    FeedState.ENDED: "color:#666;",
    FeedState.STOPPED: "color:#666;",
}
DEMO_STYLE = "background:#ffb300;color:#000;font-weight:bold;padding:3px 8px;border-radius:3px;"


def plain_line(text: str) -> str:
    """One line of plain text: control characters and line breaks become single spaces."""
    return _SPACES.sub(" ", _CONTROL.sub(" ", text)).strip()


def cap(text: str, limit: int = MAX_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def seconds_text(seconds: float) -> str:
    """8 → "8 s", 1.5 → "1.5 s", 600 → "10 min": how long a host waits, said the way a host says it."""
    if seconds >= 120:
        return tr("%1 min").replace("%1", f"{seconds / 60:.0f}")
    if seconds >= 10 or float(seconds).is_integer():
        return tr("%1 s").replace("%1", f"{seconds:.0f}")
    return tr("%1 s").replace("%1", f"{seconds:.1f}")


def _own_message(source: str, message: str) -> str:
    """The message without a leading "Platform:" that repeats the source ("Shopify: token rejected…")."""
    head, sep, rest = message.partition(":")
    if sep and head.strip().lower() == source.split(":")[0].split("#")[0].strip().lower():
        return rest.strip()
    return message


def feed_state_text(ev: ConnectorState) -> str:
    """The host's one line for a connector state: source, what is happening, and the message."""
    source = plain_line(str(ev.source)) or "feed"
    message = _own_message(source, plain_line(str(ev.message or "")))
    state = ev.state
    if state == FeedState.CONNECTING:
        what = tr("connecting…")
    elif state == FeedState.CONNECTED:
        what = tr("connected")
    elif state == FeedState.RECONNECTED:
        what = tr("reconnected")
    elif state == FeedState.BACKOFF:
        if ev.retry_in is not None and ev.retry_in >= 0:
            what = tr("retrying in %1").replace("%1", seconds_text(float(ev.retry_in)))
        else:
            what = tr("retrying")
    elif state == FeedState.ENDED:
        what = tr("the live chat has ended")
    elif state == FeedState.FAILED:
        what = "" if message else tr("failed")
    elif state == FeedState.STOPPED:
        what = tr("stopped")
    else:
        what = plain_line(str(state))
    parts = [p for p in (what, message) if p]
    text = f"{source}: " + ": ".join(parts) if parts else source
    return cap(mask_text(text))


class FeedStatusBar(QWidget):
    """The latest state of every feed, one line each, and the DEMO DATA badge when the demo feed runs.

    Connect the bridge's `connector` signal to `update_state`; call `clear()` when the show is rebuilt
    (its feeds may be others) and `set_demo(spec.demo)`.
    """

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("feedStatusBar")
        self._lay = QVBoxLayout(self)
        self._lay.setContentsMargins(0, 0, 0, 0)
        self._lay.setSpacing(2)
        self.demo_badge = QLabel(self)
        self.demo_badge.setObjectName("demoBadge")
        self.demo_badge.setTextFormat(Qt.TextFormat.PlainText)
        self.demo_badge.setText(tr("DEMO DATA — simulated orders and chat"))
        self.demo_badge.setStyleSheet(DEMO_STYLE)
        self.demo_badge.setToolTip(tr("The demo feed is on: turn it off in Settings → Feeds"))
        self.demo_badge.setWordWrap(True)
        self.demo_badge.hide()
        self._lay.addWidget(self.demo_badge)
        self.lines: dict[str, QLabel] = {}
        self.states: dict[str, ConnectorState] = {}

    @Slot(object)
    def update_state(self, ev: ConnectorState) -> None:
        """Show `ev` as its source's line (a new source gets a new line, at most MAX_SOURCES)."""
        source = str(ev.source)
        label = self.lines.get(source)
        if label is None:
            if len(self.lines) >= MAX_SOURCES:
                return
            label = QLabel(self)
            label.setTextFormat(Qt.TextFormat.PlainText)
            label.setObjectName("feedState")
            self._lay.addWidget(label)
            self.lines[source] = label
        self.states[source] = ev
        text = feed_state_text(ev)
        label.setText(text)
        label.setToolTip(text)
        label.setStyleSheet(STATE_STYLE.get(ev.state, ""))

    def set_demo(self, on: bool) -> None:
        self.demo_badge.setVisible(bool(on))

    def text(self) -> str:
        """Every feed's line, in the order the feeds first reported."""
        return "\n".join(label.text() for label in self.lines.values())

    def clear(self) -> None:
        for label in self.lines.values():
            self._lay.removeWidget(label)
            label.deleteLater()
        self.lines.clear()
        self.states.clear()
