"""The options of every connector as Markdown tables, made from the declarations (docs/feed.md holds the
output between its `<!-- options:begin -->` / `<!-- options:end -->` markers; a test keeps them equal).

    python -m studio.live.connectors.reference          # print the tables
    python -m studio.live.connectors.reference --write  # refresh docs/feed.md
"""

from __future__ import annotations

import sys
from pathlib import Path

from studio.live.connectors import connector_types
from studio.live.connectors.options import Option, fmt_number

BEGIN, END = "<!-- options:begin -->", "<!-- options:end -->"
DOC = Path(__file__).resolve().parents[3] / "docs" / "feed.md"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _value(o: Option) -> str:
    if o.secret:
        return f"reference, e.g. `{o.reference}`; absent: `{o.env_var}`, then keyring `{o.keyring_name}`"
    parts = []
    if o.kind == "choice":
        parts.append(" or ".join(f"`{c}`" for c in o.choices))
    elif o.kind in ("number", "int"):
        lo, hi = fmt_number(o.minimum), fmt_number(o.maximum)
        parts.append(("whole number" if o.kind == "int" else "number") + (f" {lo}–{hi}" if lo and hi else ""))
    else:
        parts.append(o.kind)
    if o.default not in (None, ""):
        parts.append(f"default `{o.default}`")
    return ", ".join(parts)


def options_markdown() -> str:
    out = []
    for kind, cls in connector_types().items():
        marks = (("simulated data", cls.simulated), ("unofficial interface", cls.unofficial))
        flags = [f for f, on in marks if on]
        out.append(f"### `{kind}` — {cls.title}" + (f" ({', '.join(flags)})" if flags else ""))
        out.append("")
        out.append("| option | value | required | what it is |")
        out.append("|---|---|---|---|")
        for o in cls.OPTIONS:
            name = f"`{o.name}`" + (" (advanced)" if o.advanced else "")
            out.append(f"| {name} | {_cell(_value(o))} | {'yes' if o.required else ''} | {_cell(o.help)} |")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def with_tables(doc: str) -> str:
    """`doc` with the text between the markers replaced by the current tables."""
    head, _, rest = doc.partition(BEGIN)
    _, _, tail = rest.partition(END)
    return f"{head}{BEGIN}\n{options_markdown()}{END}{tail}"


def main(argv: list[str]) -> int:
    if "--write" in argv:
        DOC.write_text(with_tables(DOC.read_text(encoding="utf-8")), encoding="utf-8")
    else:
        sys.stdout.write(options_markdown())
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
