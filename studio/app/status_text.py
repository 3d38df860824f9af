"""The one formatter of a show's figures: `studio live`'s status line and the window's status bar.

`status_parts(stats, words)` gives (text, tone) pairs — tone "ok" / "warn" / "bad" / "" — in the
language of `words` (English here; the window passes its translations). The CLI joins them with
" | ", the window draws one chip each. Everything is masked: a destination named by its URL never
shows its key.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from studio.core.secrets import mask_text
from studio.media.stats import ShowStats

STATE_TONES = {"live": "ok", "recording": "ok", "connecting": "warn", "reconnecting": "warn",
               "stalled": "warn", "gave_up": "bad", "error": "bad", "stopped": "", "off": ""}

ENGLISH_STATES = {"live": "live", "recording": "recording", "connecting": "connecting",
                  "reconnecting": "reconnecting", "stalled": "stalled", "gave_up": "gave up",
                  "error": "error", "stopped": "stopped", "off": "off", "idle": "idle"}


@dataclass(frozen=True)
class Words:
    """Templates with %1 for the value."""

    fps: str = "%1 fps"
    cpu: str = "CPU %1%"
    dropped: str = "Dropped %1"
    kbps: str = "%1 kbps"
    output_dropped: str = "dropped %1"
    congested: str = "congested (%1 s queued)"
    reconnects: str = "%1 reconnects"
    retry_in: str = "retry in %1 s"
    lowered: str = "bitrate lowered to %1 kbps"
    recording: str = "REC %1 MB"
    states: Mapping[str, str] = field(default_factory=lambda: dict(ENGLISH_STATES))

    def state(self, state: str) -> tuple[str, str]:
        return self.states.get(state, state), STATE_TONES.get(state, "")


def _fill(template: str, value: object) -> str:
    return template.replace("%1", str(value))


def status_parts(s: ShowStats, words: Words | None = None, cpu: bool = True) -> list[tuple[str, str]]:
    """fps, CPU and frames dropped since Go live, then one part per destination (the host's name for
    it, its state, its bitrate, drops, congestion, reconnects, the wait before the next try) and the
    recording."""
    w = words or Words()
    dropped = s.dropped
    parts = [(_fill(w.fps, f"{s.fps:.1f}"), "")]
    if cpu:
        parts.append((_fill(w.cpu, f"{s.cpu:.0f}"), ""))
    parts.append((_fill(w.dropped, dropped), "warn" if dropped else ""))
    for o in s.outputs:
        word, tone = w.state(o.state.value)
        text = f"{s.display_name(o.name)} · {word}"
        if o.state.value == "live":
            text += " · " + _fill(w.kbps, f"{o.kbps:.0f}")
            if s.bitrate_mode == "adaptive" and 0 < o.bitrate_kbps < s.configured_kbps:
                text += " · " + _fill(w.lowered, o.bitrate_kbps)
                tone = "warn"
        if o.dropped:
            text += " · " + _fill(w.output_dropped, o.dropped)
        if o.queued_s > 0.5:
            text += " · " + _fill(w.congested, f"{o.queued_s:.1f}")
            tone = "warn"
        if o.reconnects:
            text += " · " + _fill(w.reconnects, o.reconnects)
        if o.waiting_s > 0:
            text += " · " + _fill(w.retry_in, max(1, math.ceil(o.waiting_s)))
        parts.append((text, tone))
    rec = s.recording
    if rec is not None:
        word, tone = w.state(rec.state.value)
        parts.append((_fill(w.recording, f"{rec.bytes / 1e6:.1f}") + f" · {word}", tone))
    return [(mask_text(t), tone) for t, tone in parts]


def status_line(s: ShowStats) -> str:
    """`studio live`'s line on stderr, once a second: the clock and the engine's timings first."""
    clock = f"{int(s.time) // 60:02d}:{s.time % 60:04.1f}"
    head = [clock] + (["DEMO DATA"] if s.demo else [])
    timing = [f"render {s.render_ms:.1f} ms", f"encode {s.encode_ms:.1f} ms"]
    parts = [text for text, _ in status_parts(s, cpu=False)]
    return mask_text(" | ".join([*head, parts[0], *timing, *parts[1:]]))
