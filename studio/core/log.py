"""Category loggers with secret masking on every record.

Masking happens twice: when a record is created (a log-record factory, so that *every* handler — the
console, pytest's capture, a crash reporter, a UI log view — only ever sees the masked text, including
records of third-party loggers such as httpx's `HTTP Request: GET …?key=…`), and again in the console
handler's filter (for records made before the factory was installed). Uncaught exceptions, in the main
thread and in worker threads, are printed masked too.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import threading
import traceback
from types import TracebackType
from typing import Any, TextIO

from studio.core.secrets import mask_text


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


def _masked_excepthook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    sys.stderr.write(mask_text("".join(traceback.format_exception(exc_type, exc, tb))))


def _masked_thread_excepthook(args: threading.ExceptHookArgs) -> None:
    if args.exc_type is SystemExit:
        return
    name = args.thread.name if args.thread is not None else "?"
    text = "".join(traceback.format_exception(args.exc_type, args.exc_value, args.exc_traceback))
    sys.stderr.write(mask_text(f"Exception in thread {name}:\n{text}"))


def setup_logging(level: int = logging.WARNING, stream: TextIO | None = None) -> None:
    install_masking()
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s", "%H:%M:%S"))
    handler.addFilter(MaskingFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # A crash report must not carry a stream key either (an OutputError naming the URL, say).
    sys.excepthook = _masked_excepthook
    threading.excepthook = _masked_thread_excepthook


def get_logger(category: str) -> logging.Logger:
    return logging.getLogger(f"studio.{category}")


install_masking()
