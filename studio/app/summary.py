"""The show's summary at Stop, and the list of past shows: both read the session logs the shows wrote
and the report they were rebuilt into (studio/live/report), so the window and `studio report`
always say the same numbers.

Every show's files share one name (`show-DATE-TIME`): the recording (`.mkv`), the session log
(`.sqlite`) and the report (`.html`, written beside the log at Stop).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from studio.core.log import get_logger
from studio.core.secrets import mask_text
from studio.media.outputs.summary import DestinationSummary

log = get_logger("app.summary")

MAX_LISTED = 200   # past shows in the Reports list, newest first


@dataclass(frozen=True)
class ShowSummary:
    log_path: Path | None
    report_path: Path | None
    recording: Path | None
    on_air_seconds: float = 0.0
    off_air_seconds: float = 0.0
    orders: int = 0
    gmv: dict[str, str] = field(default_factory=dict)
    peak_viewers: int = 0
    chat_messages: int = 0
    top_products: tuple[tuple[str, int], ...] = ()     # (title or SKU, orders), best first
    destinations: tuple[DestinationSummary, ...] = ()  # what each destination got (engine's figures)
    demo: bool = False
    problem: str = ""                                  # why the report could not be written


def report_path_of(log_path: Path) -> Path:
    return log_path.with_suffix(".html")


def summarize(log_path: Path | None, on_air_s: float, destinations: list[DestinationSummary],
              recording: Path | None, lang: str = "en") -> ShowSummary:
    """Rebuild the report of the show whose log is `log_path`, write it beside the log, and sum it up
    with what each destination got. Never raises: a problem is the summary's `problem`."""
    dests = tuple(destinations)
    if log_path is None:
        return ShowSummary(None, None, recording, on_air_s, destinations=dests)
    from studio.live.report import build_report
    from studio.live.report.html import write_html
    from studio.live.session_log import SessionLogError

    try:
        rep = build_report(log_path)
    except SessionLogError as e:
        return ShowSummary(log_path, None, recording, on_air_s, problem=mask_text(str(e)), destinations=dests)
    t = rep.totals()
    problem, report = "", report_path_of(log_path)
    written: Path | None = report
    try:
        write_html(rep, report, lang)
    except Exception as e:  # noqa: BLE001 - a full disk, a read-only folder: the show is over anyway
        log.warning("could not write the report: %s", e)
        problem, written = f"the report could not be written: {getattr(e, 'strerror', None) or e}", None
    top = sorted((p for p in t["products"] if p["orders"]), key=lambda p: (-p["orders"], p["sku"]))[:3]
    return ShowSummary(
        log_path, written, recording, rep.on_air_seconds, rep.off_air_seconds, t["orders"], t["gmv"],
        t["peak_viewers"], t["chat_messages"], tuple((p["title"] or p["sku"], p["orders"]) for p in top),
        dests, rep.demo, problem)


@dataclass(frozen=True)
class PastShow:
    log_path: Path
    started: float
    on_air_seconds: float
    orders: int
    gmv: dict[str, str]
    demo: bool

    @property
    def report_path(self) -> Path:
        return report_path_of(self.log_path)


def past_shows(folder: Path, limit: int = MAX_LISTED) -> list[PastShow]:
    """The shows whose session logs are in `folder`, newest first; an unreadable log is left out."""
    from studio.live.report import build_report
    from studio.live.session_log import SessionLogError

    try:
        logs = sorted(folder.glob("*.sqlite"), key=lambda p: p.stat().st_mtime, reverse=True)[:limit]
    except OSError:
        return []
    out = []
    for path in logs:
        try:
            rep = build_report(path)
        except (SessionLogError, OSError, ValueError, KeyError, TypeError) as e:
            log.info("not a readable show log: %s (%s)", path, e)
            continue
        t = rep.totals()
        out.append(PastShow(path, rep.start, rep.on_air_seconds, t["orders"], t["gmv"], rep.demo))
    return out


def ensure_report(show: PastShow, lang: str = "en") -> Path:
    """The show's report, rebuilt from its log when it is missing or older than the log."""
    from studio.live.report import build_report
    from studio.live.report.html import write_html

    report = show.report_path
    if not report.exists() or report.stat().st_mtime < show.log_path.stat().st_mtime:
        write_html(build_report(show.log_path), report, lang)
    return report
