"""`studio report LOG [--json] [--out report.html]`: the post-show report from a session log."""

from __future__ import annotations

import argparse
import json
import sys

from studio.core.errors import UserError
from studio.core.text import inert_json, one_line


def register(subparsers) -> None:
    p = subparsers.add_parser("report", help="totals and the post-show report from a session log",
                              description="Rebuild a show's totals from its session log (SQLite).")
    p.add_argument("log", help="the session log (.sqlite) written by `studio live --session-log`")
    p.add_argument("--json", action="store_true", help="print the totals as JSON")
    p.add_argument("--out", metavar="HTML", help="write the post-show report (HTML with charts) here")
    p.add_argument("--lang", choices=("en", "zh_CN"), default="en", help="the report's language (default en)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from studio.live.report import build_report
    from studio.live.report.html import write_html
    from studio.live.session_log import SessionLogError

    try:
        rep = build_report(args.log)
    except SessionLogError as e:
        raise UserError(str(e)) from None
    totals = {**rep.totals(), "demo": rep.demo}
    if args.out:
        try:
            path = write_html(rep, args.out, args.lang)
        except OSError as e:
            raise UserError(f"cannot write {args.out}: {e.strerror or e}") from None
        if not args.json:
            print(one_line(f"report written to {path}"))
    if args.json or not args.out:
        if args.json:
            print(inert_json(json.dumps(totals, ensure_ascii=False, indent=2)))
        else:
            gmv = ", ".join(f"{v} {k}" for k, v in totals["gmv"].items()) or "0"
            demo = "DEMO DATA (simulated) · " if rep.demo else ""
            apart = totals["pre_live"]["orders"] + totals["between_shows"]["orders"]
            print(one_line(demo + f"on air {_dur(totals['on_air_seconds'])} · orders {totals['orders']} · "
                           f"units {totals['units']} · GMV {gmv} · chat {totals['chat_messages']} · "
                           f"peak viewers {totals['peak_viewers']} · reconnects {totals['reconnects']}"
                           + (f" · {apart} order(s) off air, not counted" if apart else ""), None))
    return 0


def _dur(secs: float) -> str:
    m, s = divmod(int(round(secs)), 60)
    h, m = divmod(m, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def main(argv: list[str] | None = None) -> int:
    """Run without the full CLI (`python -m studio.app.commands.report LOG --json`)."""
    from studio.core.secrets import mask_text

    parser = argparse.ArgumentParser(prog="studio report")
    sub = parser.add_subparsers()
    register(sub)
    args = parser.parse_args(["report", *(sys.argv[1:] if argv is None else argv)])
    try:
        return run(args)
    except UserError as e:
        print(one_line(f"studio: {mask_text(str(e))}"), file=sys.stderr)
        return e.exit_code


if __name__ == "__main__":
    raise SystemExit(main())
