"""`studio` / `studio app`: the desktop studio (the default when no command is given)."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def register(sub: Any) -> None:
    p = sub.add_parser("app", help="open the desktop studio (the default)",
                       description="Open Anchor Studio's window: preview, products, chat, sales, Go live.")
    add_window_arguments(p)
    p.set_defaults(func=run)


def add_window_arguments(p: Any) -> None:
    p.add_argument("--profile", type=Path, default=None, metavar="FILE",
                   help="open the window on this show profile (default: your own, in the config folder)")
    p.add_argument("--lang", choices=["en", "zh_CN"], default=None, help="interface language for this run")
    p.add_argument("--wizard", action="store_true", default=None, help="open the auto-configuration wizard")


def run(args: Any) -> int:
    from studio.ui import app  # Qt widgets load only when the window is wanted, not for `studio live`

    return int(app.run(language=args.lang, wizard=args.wizard, profile=args.profile) or 0)
