"""Update the .ts files from the UI's `tr("…")` calls and compile them to .qm with pyside6-lrelease.

    python -m studio.ui.i18n.build          # (the build step; the .qm files ship with the package)

New strings are added as unfinished; translations already in a .ts are kept.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from xml.sax.saxutils import escape

from studio.ui.i18n import CONTEXT, HERE

UI = HERE.parent
TS_LANGUAGES = ["zh_CN"]


def extract() -> list[str]:
    found: list[str] = []
    for path in sorted(UI.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "tr"
                    and node.args and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str) and node.args[0].value not in found):
                found.append(node.args[0].value)
    return found


def read_ts(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    out: dict[str, str] = {}
    for msg in ET.parse(path).getroot().iter("message"):
        el = msg.find("translation")
        source = msg.findtext("source")
        if source and el is not None and el.text:
            out[source] = el.text
    return out


def write_ts(path: Path, language: str, sources: list[str], translations: dict[str, str]) -> None:
    lines = ['<?xml version="1.0" encoding="utf-8"?>', "<!DOCTYPE TS>",
             f'<TS version="2.1" language="{language}">', "<context>", f"    <name>{CONTEXT}</name>"]
    for src in sources:
        t = translations.get(src, "")
        attr = "" if t else ' type="unfinished"'
        lines += ["    <message>", f"        <source>{escape(src)}</source>",
                  f"        <translation{attr}>{escape(t)}</translation>", "    </message>"]
    lines += ["</context>", "</TS>", ""]
    path.write_text("\n".join(lines), encoding="utf-8")


def lrelease() -> str | None:
    beside = shutil.which("pyside6-lrelease", path=str(Path(sys.executable).parent))
    exe = beside or shutil.which("pyside6-lrelease")
    return exe


def main() -> int:
    sources = extract()
    exe = lrelease()
    for lang in TS_LANGUAGES:
        ts = HERE / f"studio_{lang}.ts"
        write_ts(ts, lang, sources, read_ts(ts))
        if exe:
            subprocess.run([exe, str(ts), "-qm", str(ts.with_suffix(".qm"))], check=True, capture_output=True)
        else:
            print("pyside6-lrelease not found: the .ts is read at run time instead", file=sys.stderr)
    missing = [s for s in sources if s not in read_ts(HERE / f"studio_{TS_LANGUAGES[0]}.ts")]
    print(f"{len(sources)} strings, {len(missing)} untranslated")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
