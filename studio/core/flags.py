"""Number flags of the command line, checked where they arrive: finite and in range.

`float("nan")`, `float("inf")` and `1e400` all parse, and each breaks something later (`--duration nan`
never ends a show: every comparison with NaN is false). Every number flag's `type=` is made here, so
the rule and its sentence live in one place.

The type raises `UserError`, not `argparse.ArgumentTypeError`: argparse lets other exceptions through
`parse_args`, and the CLI prints a `UserError` as the one line every other bad input gets (exit 2).
"""

from __future__ import annotations

import math
from collections.abc import Callable

from studio.core.errors import UserError
from studio.core.text import one_line


def _shown(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:g}"


def number_flag(flag: str, low: float, high: float, *, integer: bool = False, unit: str = "",
                example: str = "", low_open: bool = False) -> Callable[[str], float]:
    """An argparse `type=` for `flag`: a finite number from `low` to `high` (`low` itself excluded with
    `low_open`), a whole one with `integer`. UserError naming the flag, the range and an example."""
    lo, hi = _shown(low), _shown(high)
    span = f"above {lo} and at most {hi}" if low_open else f"from {lo} to {hi}"
    kind = "a whole number" if integer else "a number"
    tail = (f" {unit}" if unit else "") + (f", e.g. {flag} {example}" if example else "")

    def parse(text: str) -> float:
        raw = text.strip()
        try:
            value: float = int(raw) if integer else float(raw)
        except (ValueError, OverflowError):
            raise UserError(f"{flag} {one_line(raw, 40)!s} is not {kind}: use {kind} {span}{tail}") from None
        if not math.isfinite(value) or value < low or value > high or (low_open and value == low):
            raise UserError(f"{flag} {one_line(raw, 40)!s} is out of range: use {kind} {span}{tail}")
        return value

    parse.__name__ = flag.lstrip("-").replace("-", "_")  # argparse names the type in its own messages
    return parse


def int_flag(flag: str, low: int, high: int, *, unit: str = "", example: str = "") -> Callable[[str], int]:
    """`number_flag` for whole numbers, typed as int."""
    check = number_flag(flag, low, high, integer=True, unit=unit, example=example)

    def parse(text: str) -> int:
        return int(check(text))

    parse.__name__ = check.__name__
    return parse
