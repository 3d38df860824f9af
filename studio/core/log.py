"""Category loggers with secret masking on every record."""

from __future__ import annotations

import logging
import sys

from studio.core.secrets import mask_text


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


def setup_logging(level: int = logging.WARNING, stream=None) -> None:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s", "%H:%M:%S"))
    handler.addFilter(MaskingFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


def get_logger(category: str) -> logging.Logger:
    return logging.getLogger(f"studio.{category}")
