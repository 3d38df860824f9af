"""Category loggers with secret masking on every record; inert text and no traceback on the terminal;
the detail in a log file of the user's own.

Masking happens twice: when a record is created (a log-record factory, so that *every* handler — the
console, pytest's capture, a crash reporter, a UI log view — only ever sees the masked text, including
records of third-party loggers such as httpx's `HTTP Request: GET …?key=…`), and again in the console
handler's filter (for records made before the factory was installed).

What reaches a host: every line is one line, masked and inert (studio/core/text.py: an escape sequence
in a platform's error text or an order id is shown as `\\x1b[…`, never run by the terminal). A traceback
goes to the log file only (`-vv` shows it on the terminal too); the terminal line says where it is.
Uncaught exceptions, in the main thread and in worker threads, become one sentence the same way.

The log file (`logs/studio-YYYYMMDD.log` in the data folder, or $STUDIO_LOG_FILE; `none` turns it off)
is created 0600, keeps INFO and above, and is a side file: when it cannot be written (a full disk)
that is said once on the terminal and the show goes on without it. The terminal itself may be a file
on a full disk (`2>>kiosk.log`): a line that cannot be written is dropped, never an error.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import threading
import time
from pathlib import Path
from types import TracebackType
from typing import Any, TextIO

from studio.core.secrets import mask_text
from studio.core.text import inert, one_line

LOG_FILE_ENV = "STUDIO_LOG_FILE"
MAX_LINE = 4000                   # one terminal or log line at most; a 300 MB error text is cut here
MAX_LOG_BYTES = 50 * 1024 * 1024  # written by one process to the log file; past it, said once, no more
KEEP_LOG_FILES = 14               # daily files kept in logs/
FILE_ONLY = "studio_file_only"    # a record with this attribute set goes to the log file, not the terminal


def _mask_record(record: logging.LogRecord) -> None:
    msg = record.getMessage()
    masked = mask_text(msg)
    if masked != msg or record.args:
        record.msg, record.args = masked, None
    if record.exc_info and record.exc_info[1] is not None and not record.exc_text:
        # Formatters reuse a cached exc_text: cache the masked traceback.
        record.exc_text = mask_text(logging.Formatter().formatException(record.exc_info))
    if record.stack_info:
        record.stack_info = mask_text(record.stack_info)


class MaskingFilter(logging.Filter):
    """Masks stream keys and tokens in the final message, whatever the handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        msg = record.getMessage()
        masked = mask_text(msg)
        if masked != msg or record.args:
            record.msg, record.args = masked, None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = mask_text(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


class _NotFileOnly(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not getattr(record, FILE_ONLY, False)


def install_masking() -> None:
    """Mask every log record at creation (idempotent)."""
    base = logging.getLogRecordFactory()
    if getattr(base, "_studio_masking", False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = base(*args, **kwargs)
        with contextlib.suppress(Exception):  # bad %-args: the handler reports them; the filter masks later
            _mask_record(record)
        return record

    factory._studio_masking = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)


# -- formatting: one inert line, the traceback only where it belongs -------------------------------

class InertFormatter(logging.Formatter):
    """The message on one line, masked and inert, at most MAX_LINE characters. With `tracebacks` the
    exception's traceback follows (inert, line feeds kept); without, `hint()` is appended instead
    (where the traceback can be read)."""

    def __init__(self, fmt: str, datefmt: str | None = None, *, tracebacks: bool = True,
                 hint: Any = None) -> None:
        super().__init__(fmt, datefmt)
        self.tracebacks = tracebacks
        self.hint = hint

    def format(self, record: logging.LogRecord) -> str:
        record.message = one_line(mask_text(record.getMessage()), MAX_LINE)
        if self.usesTime():
            record.asctime = self.formatTime(record, self.datefmt)
        s = self.formatMessage(record)
        detail = record.exc_text or ""
        if not detail and record.exc_info and record.exc_info[1] is not None:
            detail = mask_text(self.formatException(record.exc_info))
        if self.tracebacks:
            if detail:
                s += "\n" + inert(detail, multiline=True)
            if record.stack_info:
                s += "\n" + inert(mask_text(self.formatStack(record.stack_info)), multiline=True)
        elif detail and self.hint is not None:
            s += str(self.hint() or "")
        return s


# -- the terminal -------------------------------------------------------------------------------------

class _Terminal:
    """stderr as a sink that may die: a write that fails (a full disk behind `2>file`, a closed pipe)
    turns it off for the rest of the process, and the log file says so once."""

    def __init__(self) -> None:
        self.dead = False

    def write(self, text: str, stream: TextIO | None = None) -> None:
        if self.dead:
            return
        out = stream or sys.stderr
        if out is None:
            return
        try:
            out.write(text)
            out.flush()
        except (OSError, ValueError) as e:  # ValueError: a closed stream
            self.dead = True
            reason = getattr(e, "strerror", None) or str(e)
            logging.getLogger("studio.core.log").warning(
                "the terminal (stderr) cannot be written (%s): its lines are dropped from now on", reason,
                extra={FILE_ONLY: True})


TERMINAL = _Terminal()


def say(text: str, stream: TextIO | None = None) -> None:
    """One line for the host on stderr (masked, inert, capped); nothing when stderr cannot take it."""
    TERMINAL.write(one_line(mask_text(text), MAX_LINE) + "\n", stream)


class ConsoleHandler(logging.Handler):
    """Records to a text stream (stderr by default); a failure never prints a traceback (there is
    nowhere to print it)."""

    terminator = "\n"

    def __init__(self, stream: TextIO | None = None) -> None:
        super().__init__()
        self.stream = stream or sys.stderr

    def emit(self, record: logging.LogRecord) -> None:
        if TERMINAL.dead and self.stream is sys.stderr:
            return
        try:
            text = self.format(record)
        except Exception:  # noqa: BLE001 - a record that cannot be formatted: its bare message
            text = one_line(mask_text(str(record.msg)), MAX_LINE)
        TERMINAL.write(text + self.terminator, self.stream)


# -- the log file -------------------------------------------------------------------------------------

def default_log_file() -> Path | None:
    """$STUDIO_LOG_FILE (`none`/`off`/empty: no log file), else logs/studio-YYYYMMDD.log in the data
    folder."""
    env = os.environ.get(LOG_FILE_ENV)
    if env is not None:
        return None if env.strip().lower() in ("", "none", "off", "0") else Path(env)
    from studio.core.paths import data_dir

    return data_dir() / "logs" / time.strftime("studio-%Y%m%d.log")


class LogFileHandler(logging.Handler):
    """Appends to `path` (created 0600), opening it for each record: any number of studio processes
    share one file (O_APPEND), and nothing stays open for a test or a crash to leak. A write that fails
    is said once on the terminal; the handler is off from then on."""

    def __init__(self, path: Path, level: int = logging.INFO) -> None:
        super().__init__(level)
        self.path = path
        self.failed = ""
        self.written = 0

    def emit(self, record: logging.LogRecord) -> None:
        if self.failed:
            return
        try:
            data = (self.format(record) + "\n").encode("utf-8", "backslashreplace")
        except Exception:  # noqa: BLE001 - an unformattable record is not worth a traceback
            return
        if self.written + len(data) > MAX_LOG_BYTES:
            self._fail(f"this show has written {MAX_LOG_BYTES // (1024 * 1024)} MB to it")
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(os, "O_BINARY", 0)
            fd = os.open(self.path, flags, 0o600)
            try:
                view = memoryview(data)
                while view:
                    n = os.write(fd, view)
                    view = view[n:]
            finally:
                os.close(fd)
        except OSError as e:
            self._fail(e.strerror or str(e))
            return
        self.written += len(data)

    def _fail(self, reason: str) -> None:
        self.failed = reason
        say(f"studio: the log file {self.path} cannot be written ({reason}): nothing more is logged to it; "
            "the show goes on")


def _prune(folder: Path) -> None:
    """Keep the newest KEEP_LOG_FILES daily files."""
    with contextlib.suppress(OSError):
        old = sorted(folder.glob("studio-*.log"))[:-KEEP_LOG_FILES]
        for p in old:
            with contextlib.suppress(OSError):
                p.unlink()


_file_handler: LogFileHandler | None = None


def log_file() -> Path | None:
    """The log file this process writes, while it can (None: none, or it failed)."""
    h = _file_handler
    return h.path if h is not None and not h.failed else None


def details_hint() -> str:
    path = log_file()
    return f" (the details are in {path})" if path is not None else ""


# -- uncaught exceptions: one sentence, the traceback to the log file --------------------------------

def report_unexpected(exc: BaseException, where: str = "") -> None:
    """Say an unexpected failure as one sentence on the terminal; its traceback goes to the log file."""
    what = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    logging.getLogger("studio.crash").error("unexpected failure%s: %s", f" in {where}" if where else "", what,
                                            exc_info=(type(exc), exc, exc.__traceback__),
                                            extra={FILE_ONLY: True})
    say(f"studio: unexpected failure{f' in {where}' if where else ''}: {what}{details_hint()}")


def _masked_excepthook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    if issubclass(exc_type, KeyboardInterrupt):
        say("studio: interrupted")
        return
    if exc.__traceback__ is None and tb is not None:
        exc = exc.with_traceback(tb)
    report_unexpected(exc)


def _masked_thread_excepthook(args: threading.ExceptHookArgs) -> None:
    if args.exc_type is SystemExit:
        return
    name = args.thread.name if args.thread is not None else "?"
    exc = args.exc_value
    if exc is None:
        say(f"studio: the thread {name} failed: {args.exc_type.__name__}")
        return
    report_unexpected(exc, f"the thread {name}")


# -- setup --------------------------------------------------------------------------------------------

def setup_logging(level: int = logging.WARNING, stream: TextIO | None = None,
                  log_path: Path | None | str = "default") -> None:
    """The terminal at `level` (tracebacks shown only at DEBUG), and the log file at INFO (`log_path`:
    "default" for `default_log_file()`, None for none)."""
    global _file_handler
    install_masking()
    handler = ConsoleHandler(stream or sys.stderr)
    handler.setFormatter(InertFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", "%H:%M:%S",
                                        tracebacks=level <= logging.DEBUG, hint=details_hint))
    handler.addFilter(MaskingFilter())
    handler.addFilter(_NotFileOnly())
    handler.setLevel(level)
    handlers: list[logging.Handler] = [handler]
    path = default_log_file() if log_path == "default" else (Path(log_path) if log_path else None)
    _file_handler = None
    if path is not None:
        if log_path == "default" and LOG_FILE_ENV not in os.environ:
            _prune(path.parent)
        _file_handler = LogFileHandler(path)
        _file_handler.setFormatter(InertFormatter(
            "%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s", "%Y-%m-%d %H:%M:%S"))
        _file_handler.addFilter(MaskingFilter())
        handlers.append(_file_handler)
    root = logging.getLogger()
    root.handlers[:] = handlers
    root.setLevel(min(level, logging.INFO) if path is not None else level)
    TERMINAL.dead = False
    # A crash report must not carry a stream key either (an OutputError naming the URL, say), nor reach
    # the host as a traceback.
    sys.excepthook = _masked_excepthook
    threading.excepthook = _masked_thread_excepthook


def get_logger(category: str) -> logging.Logger:
    return logging.getLogger(f"studio.{category}")


install_masking()
