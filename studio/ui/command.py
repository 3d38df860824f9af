"""`studio` / `studio app`: the desktop studio (the default when no command is given)."""

from __future__ import annotations


def register(sub) -> None:
    p = sub.add_parser("app", help="open the desktop studio (the default)",
                       description="Open Anchor Studio's window: preview, products, chat, sales, Go live.")
    p.add_argument("--lang", choices=["en", "zh_CN"], default=None, help="interface language for this run")
    p.add_argument("--wizard", action="store_true", default=None, help="open the auto-configuration wizard")
    p.set_defaults(func=run)


def run(args) -> int:
    from studio.ui import app  # Qt widgets load only when the window is wanted, not for `studio live`

    return int(app.run(language=args.lang, wizard=args.wizard) or 0)
