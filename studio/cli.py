"""`studio` command line: the top of the stack, above every layer. Each subcommand lives in its own
module and exposes `register(subparsers)`; the module list below is the only place they are named."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

from studio.core.errors import UserError
from studio.core.log import report_unexpected, say, setup_logging

COMMAND_MODULES = [
    "studio.app.commands.live",
    "studio.app.commands.devices",
    "studio.app.commands.catalog",
    "studio.app.commands.overlay",
    "studio.app.commands.report",
    "studio.app.commands.bench",
    "studio.app.commands.soak",
    "studio.app.commands.faults",
    "studio.ui.command",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="studio", description="Anchor Studio: live-commerce broadcasting.")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log detail (-vv for debug)")
    parser.add_argument("--profile", default=None, metavar="FILE",
                        help="open the window on this show profile (`studio --profile show.toml`)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command. What reaches the host is one line: a `UserError` as its sentence (its exit code,
    2), any other failure as one sentence naming it (exit 1) with the traceback in the log file."""
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--sender"]:  # a frozen bundle re-runs itself as a network output's sender process
        from studio.media.outputs import sender_main

        return sender_main.main()
    parser = build_parser()
    try:
        args = parser.parse_args(argv)  # a number flag's type raises UserError (studio/core/flags.py)
    except UserError as e:
        say(f"studio: {e}")
        return e.exit_code
    setup_logging([logging.WARNING, logging.INFO, logging.DEBUG][min(args.verbose, 2)])
    try:
        if not getattr(args, "func", None):
            profile = ["--profile", args.profile] if args.profile else []
            rest = [a for a in argv if a != "--profile" and a != args.profile]
            args = parser.parse_args([*rest, "app", *profile])
        from studio.core.keystore import from_environment

        from_environment()   # no OS keyring and a passphrase given: the encrypted key file
        return int(args.func(args) or 0)
    except UserError as e:
        say(f"studio: {e}")
        return e.exit_code
    except KeyboardInterrupt:
        return 130
    except Exception as e:  # noqa: BLE001 - whatever went wrong, the host gets a sentence, not a traceback
        report_unexpected(e, f"`studio {args.command}`" if getattr(args, "command", None) else "")
        return 1
