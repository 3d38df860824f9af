"""A pytest plugin that fails the run when a test secret (tests/support/secrets.py) shows up in
anything the suite produced.

Enable it in tests/conftest.py with

    pytest_plugins = ["tests.support.secret_scan"]

What is scanned:
* every test report: captured stdout, stderr and log of setup, call and teardown, and the failure
  text (`pytest_runtest_logreport`);
* at the end of the session (`pytest_sessionfinish`), every file under pytest's base temporary
  folder — the files the tests wrote: STUDIO_HOME (settings TOML, session logs in SQLite, stats JSON
  lines, reports, recordings), `--stats` files, HTML reports. Binary files are scanned as bytes
  (UTF-8 and UTF-16), so an SQLite page or a Matroska tag leaks as surely as a text file.
  Folders of the *fake servers* the tests start are skipped: an RTMP server logging the stream name
  it was sent, or a fake platform recording the token it received, is the other end of the wire,
  not studio output.

A hit fails the session (exit status 1) and prints which secret (by name, never its value) appeared
where. The scanner is plain functions (`find_in_text`, `find_in_bytes`, `scan_tree`) so a test can
prove it catches a planted leak.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.secrets import TEST_SECRETS

# Folders that belong to servers, not to the studio (see above), by name without mktemp's number:
# `nginx0` (the session RTMP server), `<test>/nginx` (a test's own), `pa0` (PulseAudio).
SERVER_DIRS = ("nginx", "pa", "fake-server")
CHUNK = 8 * 1024 * 1024


@dataclass(frozen=True)
class Leak:
    secret: str  # the secret's *name* (TEST_STREAM_KEY), never its value
    where: str

    def __str__(self) -> str:
        return f"{self.secret} in {self.where}"


def _needles(secrets: dict[str, str]) -> list[tuple[str, bytes]]:
    out = []
    for name, value in secrets.items():
        out.append((name, value.encode("utf-8")))
        out.append((name, value.encode("utf-16-le")))
    return out


def find_in_text(text: str, where: str, secrets: dict[str, str] = TEST_SECRETS) -> list[Leak]:
    return [Leak(name, where) for name, value in secrets.items() if value and value in text]


def find_in_bytes(data: bytes, where: str, secrets: dict[str, str] = TEST_SECRETS) -> list[Leak]:
    seen: set[str] = set()
    for name, needle in _needles(secrets):
        if name not in seen and needle in data:
            seen.add(name)
    return [Leak(name, where) for name in sorted(seen)]


def find_in_file(path: Path, secrets: dict[str, str] = TEST_SECRETS) -> list[Leak]:
    """Scan a file of any size in overlapping chunks (a needle split across two chunks is still found)."""
    needles = _needles(secrets)
    overlap = max((len(n) for _, n in needles), default=1)
    seen: set[str] = set()
    try:
        with open(path, "rb") as f:
            tail = b""
            while True:
                block = f.read(CHUNK)
                if not block:
                    break
                data = tail + block
                for name, needle in needles:
                    if name not in seen and needle in data:
                        seen.add(name)
                tail = data[-overlap:]
    except OSError:
        return []  # a socket, a fifo, a file removed meanwhile
    return [Leak(name, str(path)) for name in sorted(seen)]


def scan_tree(root: Path, skip_dirs: Iterable[str] = (),
              secrets: dict[str, str] = TEST_SECRETS) -> list[Leak]:
    """Every regular file under `root` (symlinks not followed); folders whose name, without a trailing
    number, is one of `skip_dirs` are skipped."""
    leaks: list[Leak] = []
    skip = set(skip_dirs)
    root = Path(root)
    if not root.is_dir():
        return leaks
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = [d for d in dirnames if d.rstrip("0123456789") not in skip]
        for fn in filenames:
            p = Path(dirpath) / fn
            if p.is_file() and not p.is_symlink():
                leaks.extend(find_in_file(p, secrets))
    return leaks


# -- the plugin ------------------------------------------------------------------------------------

_leaks: list[Leak] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    for title, content in report.sections:
        _leaks.extend(find_in_text(content, f"{report.nodeid} ({title})"))
    if report.failed or report.skipped:
        try:
            text = report.longreprtext
        except Exception:  # noqa: BLE001 - a report we cannot render is not a leak
            text = ""
        _leaks.extend(find_in_text(text, f"{report.nodeid} ({report.when} report)"))


def _basetemp(session: pytest.Session) -> Path | None:
    factory = getattr(session.config, "_tmp_path_factory", None)
    if factory is None:
        return None
    try:
        return factory.getbasetemp()
    except Exception:  # noqa: BLE001
        return None


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    leaks = list(_leaks)
    base = _basetemp(session)
    if base is not None:
        leaks.extend(scan_tree(base, SERVER_DIRS))
    if not leaks:
        return
    unique = sorted({str(leak) for leak in leaks})
    lines = ["", "SECRET LEAK: a test secret appeared in output the studio produced:"]
    lines += [f"  {u}" for u in unique[:50]]
    if len(unique) > 50:
        lines.append(f"  … and {len(unique) - 50} more")
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line("\n".join(lines), red=True, bold=True)
    else:
        print("\n".join(lines))
    session.exitstatus = pytest.ExitCode.TESTS_FAILED
