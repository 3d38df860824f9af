"""Text from outside is inert in every sink the host reads — the terminal (status line, one-line errors,
log lines), the log file, the report page and its JSON — and no failure reaches the host as a
traceback. Number flags are finite and in range. Hostile text is generated (hypothesis), not listed."""

from __future__ import annotations

import io
import json
import logging
import math
import os
import subprocess
import sys
import textwrap
import time
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from studio.core.errors import UserError
from studio.core.flags import number_flag
from studio.core.log import InertFormatter, LogFileHandler
from studio.core.text import inert, inert_json, one_line
from tests.support.studio_proc import ROOT, run_studio

# Characters that act on a terminal or a log viewer: C0/C1 controls and DEL, line/paragraph separators,
# surrogates, bidi and invisible format characters (joiners and emoji tags excepted).
ACTING_CATEGORIES = ("Cc", "Cs", "Zl", "Zp")
ESC_SEQUENCES = st.sampled_from([
    "\x1b[2J", "\x1b[31m", "\x1b]8;;https://evil.example\x1b\\", "\x1b]0;title\x07", "\x9b6n",
    "\x1bP+q\x1b\\",
    "\r", "\n", "\u2028", "\u202e", "\u2066", "\ud800", "\x00", "\x7f", "\u0085", "\ufeff", "\u200b"])
HOSTILE = st.lists(st.one_of(st.text(max_size=12), ESC_SEQUENCES), max_size=12).map("".join)
ANY_TEXT = st.one_of(HOSTILE, st.text(alphabet=st.characters(codec=None), max_size=60))


def acting(s: str) -> list[str]:
    import unicodedata

    out = []
    for c in s:
        cat = unicodedata.category(c)
        if cat in ACTING_CATEGORIES or (cat == "Cf" and c not in "\u200c\u200d"
                                        and not 0xE0020 <= ord(c) <= 0xE007F):
            out.append(c)
    return out


def assert_inert_line(s: str) -> None:
    assert acting(s) == [], [hex(ord(c)) for c in acting(s)]
    s.encode("utf-8")  # a lone surrogate would make print() raise


# -- the sanitiser -----------------------------------------------------------------------------------

@given(ANY_TEXT)
def test_inert_text_has_nothing_that_acts_and_is_stable(text):
    out = inert(text)
    assert_inert_line(out)
    assert inert(out) == out


@given(st.text(alphabet=st.characters(exclude_categories=("Cc", "Cs", "Cf", "Zl", "Zp")), max_size=80))
def test_ordinary_text_of_any_script_is_left_as_it_is(text):
    assert inert(text) == text


@given(ANY_TEXT)
def test_multiline_keeps_line_feeds_and_nothing_else_that_acts(text):
    out = inert(text, multiline=True)
    for line in out.split("\n"):
        assert_inert_line(line.replace("\t", " "))


@given(ANY_TEXT, st.integers(min_value=1, max_value=50))
def test_one_line_is_capped(text, limit):
    out = one_line(text, limit)
    assert len(out) <= limit + 1 and "\n" not in out


@given(st.recursive(st.one_of(ANY_TEXT, st.integers(), st.none()),
                    lambda kids: st.one_of(st.lists(kids, max_size=3),
                                           st.dictionaries(ANY_TEXT, kids, max_size=3)),
                    max_leaves=8))
def test_json_output_keeps_its_value_and_cannot_act(value):
    text = inert_json(json.dumps(value, ensure_ascii=False, indent=2))
    assert json.loads(text) == value
    for line in text.split("\n"):
        assert_inert_line(line)


# -- the log: terminal lines and the log file ----------------------------------------------------------

def _record(msg: str, args: tuple = (), exc: BaseException | None = None) -> logging.LogRecord:
    info = (type(exc), exc, exc.__traceback__) if exc is not None else None
    return logging.getLogger("studio.hostile").makeRecord("studio.hostile", logging.WARNING, __file__, 1, msg,
                                                           args, info)


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ANY_TEXT, ANY_TEXT)
def test_a_log_line_on_the_terminal_is_one_inert_line_without_traceback(msg, arg):
    try:
        raise RuntimeError("platform said: " + arg)
    except RuntimeError as e:
        record = _record("order %s: " + msg.replace("%", "%%"), (arg,), e)
    fmt = InertFormatter("%(levelname)s %(name)s: %(message)s", tracebacks=False, hint=lambda: " (see log)")
    line = fmt.format(record)
    assert "\n" not in line and "Traceback" not in line and line.endswith(" (see log)")
    assert_inert_line(line)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ANY_TEXT)
def test_the_log_file_keeps_the_traceback_inert_and_one_record_per_line(tmp_path, text):
    path = tmp_path / "studio.log"
    path.unlink(missing_ok=True)
    handler = LogFileHandler(path)
    handler.setFormatter(InertFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    try:
        raise ValueError(text)
    except ValueError as e:
        handler.handle(_record("rejected order %s", (text,), e))
    handler.handle(_record("next record"))
    lines = path.read_text(encoding="utf-8").split("\n")
    assert lines[0].count(" WARNING studio.hostile: rejected order ") == 1
    starts = [ln for ln in lines if " WARNING studio.hostile: " in ln]
    assert len(starts) == 2, lines  # a newline in the text cannot forge a record
    assert "Traceback (most recent call last):" in lines
    for line in lines:
        assert_inert_line(line.replace("\t", " "))
    assert (path.stat().st_mode & 0o777) == 0o600


def test_a_log_file_that_cannot_be_written_is_said_once_and_dropped(capsys):
    handler = LogFileHandler(Path("/dev/full"))
    handler.setFormatter(InertFormatter("%(message)s"))
    for i in range(5):
        handler.handle(_record(f"line {i}"))
    err = capsys.readouterr().err
    assert err.count("cannot be written") == 1 and "No space left on device" in err
    assert handler.failed


# -- the CLI: status line and one-line errors ------------------------------------------------------------

@settings(max_examples=60, deadline=None)
@given(ANY_TEXT, ANY_TEXT)
def test_the_status_line_is_inert(name, message):
    from studio.app.status_text import status_line
    from studio.core.log import say
    from studio.media.outputs.base import OutputState, OutputStats
    from studio.media.stats import RecordingStats, ShowStats

    stats = ShowStats(time=12.5, fps=30.0, render_ms=1.0, encode_ms=2.0,
                      outputs=(OutputStats(name, OutputState.LIVE, message, kbps=2500.0, reconnects=1),),
                      recording=RecordingStats(OutputState.RECORDING, message, 10), names={name: message})
    out = io.StringIO()
    say(status_line(stats), out)
    say(f"studio: {name}: error {message}", out)
    lines = out.getvalue().split("\n")
    assert len(lines) == 3 and lines[2] == ""
    for line in lines:
        assert_inert_line(line)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(HOSTILE)
def test_a_user_error_quoting_hostile_text_is_one_inert_line(capsys, text):
    from studio.cli import main

    assume("\x00" not in text)  # argv cannot carry a NUL
    code = main(["live", f"--image={text}@1,x"])  # "=": a text starting with "-" is not a flag
    err = capsys.readouterr().err
    assert code == 2
    lines = err.split("\n")
    assert len(lines) == 2 and lines[0].startswith("studio: --image ") and lines[1] == ""
    assert_inert_line(lines[0])


def test_an_unexpected_failure_is_one_sentence_and_its_traceback_is_in_the_log_file(tmp_path):
    """Any exception a command did not expect, in the main thread or a worker: exit 1, one sentence per
    failure on stderr, naming the log file; the traceback is there, not on the terminal."""
    log = tmp_path / "studio.log"
    code = textwrap.dedent("""
        import sys, threading
        import studio.app.commands.report as report
        from studio.cli import main

        def boom(args):
            t = threading.Thread(target=lambda: 1 / 0, name="studio: worker")
            t.start(); t.join()
            raise RuntimeError("the platform said \\x1b[2J\\x1b]0;pwned\\x07 no")

        real = report.register
        def register(sub):
            real(sub)
            sub.choices["report"].set_defaults(func=boom)
        report.register = register
        sys.exit(main(["report", "x.sqlite"]))
        """)
    res = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60,
                         env={**os.environ, "STUDIO_LOG_FILE": str(log)})
    assert res.returncode == 1, res.stderr
    lines = res.stderr.splitlines()
    assert "Traceback" not in res.stderr and "\x1b" not in res.stderr, res.stderr
    assert len(lines) == 2, res.stderr
    assert lines[0].startswith("studio: unexpected failure in the thread studio: worker: ZeroDivisionError")
    assert lines[1].startswith("studio: unexpected failure in `studio report`: RuntimeError: the platform "
                               "said \\x1b[2J\\x1b]0;pwned\\x07 no")
    assert all(ln.endswith(f"(the details are in {log})") for ln in lines)
    detail = log.read_text(encoding="utf-8")
    assert detail.count("Traceback (most recent call last):") == 2 and "in boom" in detail
    assert "\x1b" not in detail and (log.stat().st_mode & 0o777) == 0o600


# -- the report: page and JSON -------------------------------------------------------------------------------

def _hostile_log(path: Path, bad: str) -> Path:
    from studio.core.events import ProductPinned, StreamStateChanged
    from studio.live.events import ChatMessage, LineItem, Order
    from studio.live.session import LiveSession

    now = time.time()
    s = LiveSession(path, catalog={"TEA": "tea " + bad})
    s.handle(StreamStateChanged("yt" + bad, "live", "err " + bad, at=now), republish=False)
    s.handle(ProductPinned("TEA", "tea" + bad, at=now), republish=False)
    item = LineItem("TEA", 1, Decimal("9.00"), title="t" + bad)
    s.handle(Order("shop", "id" + bad, now + 1, "USD", (item,), Decimal("9.00")), republish=False)
    s.handle(ChatMessage("yt", "c1" + bad, "a" + bad, "hi" + bad, now + 2), republish=False)
    s.close()
    return path


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(HOSTILE.filter(lambda t: acting(t)))
def test_the_report_page_and_its_json_carry_no_acting_character(tmp_path, capsys, text):
    from studio.cli import main

    for p in tmp_path.glob("show*"):
        p.unlink()
    log = _hostile_log(tmp_path / "show.sqlite", text)
    page = tmp_path / "show.html"
    assert main(["report", str(log), "--out", str(page)]) == 0
    html = page.read_text(encoding="utf-8")
    for line in html.split("\n"):
        assert_inert_line(line.replace("\t", " "))
    capsys.readouterr()
    assert main(["report", str(log), "--json"]) == 0
    out = capsys.readouterr().out
    for line in out.split("\n"):
        assert_inert_line(line)
    json.loads(out)


# -- number flags --------------------------------------------------------------------------------------------

NUMBER_FLAGS = [  # (command, flag, a good value)
    (["live"], "--duration", "60"), (["live"], "--fps", "30"), (["live"], "--bitrate", "3500"),
    (["overlay", "render", "qr"], "--image-timeout", "3"),
]
BAD_NUMBERS = ["nan", "NaN", "inf", "-inf", "1e400", "-1", "0", "1e12", "nan(0x1)", "", "five"]


@pytest.mark.parametrize(("command", "flag", "good"), NUMBER_FLAGS, ids=[f for _, f, _ in NUMBER_FLAGS])
def test_every_number_flag_refuses_what_is_not_a_finite_number_in_range(capsys, command, flag, good):
    from studio.cli import main

    for bad in BAD_NUMBERS:
        code = main([*command, f"{flag}={bad}"])
        err = capsys.readouterr().err
        lines = err.splitlines()
        assert code == 2 and len(lines) == 1, (bad, err)
        assert lines[0].startswith(f"studio: {flag} ") and f"e.g. {flag} {good}" in lines[0], lines[0]


@given(st.one_of(st.floats(allow_nan=True, allow_infinity=True).map(repr), st.text(max_size=12),
                 st.integers(min_value=-10**30, max_value=10**30).map(str)),
       st.floats(min_value=-1e6, max_value=1e6), st.floats(min_value=0, max_value=1e6), st.booleans(),
       st.booleans())
def test_a_number_flag_returns_only_finite_numbers_in_its_range(text, low, span, integer, low_open):
    parse = number_flag("--x", low, low + span, integer=integer, low_open=low_open)
    try:
        value = parse(text)
    except UserError as e:
        assert str(e).startswith("--x ") and "\n" not in str(e)
        return
    assert math.isfinite(value) and low <= value <= low + span
    assert not (low_open and value == low)
    assert not integer or isinstance(value, int)


def test_a_show_given_duration_nan_is_refused_at_once():
    res = run_studio("live", "--record", "/tmp/never.mkv", "--duration", "nan", timeout=30)
    assert res.returncode == 2 and res.stderr.startswith("studio: --duration nan is out of range"), res.stderr
    assert len(res.stderr.splitlines()) == 1
