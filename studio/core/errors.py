"""Project exceptions. A `UserError` carries one sentence a host can act on; the CLI prints it and exits 2."""

from __future__ import annotations


class StudioError(Exception):
    """Base of every exception the studio raises on purpose."""


class UserError(StudioError):
    """Bad input or environment: the message names the problem and what to do, in one line."""

    exit_code = 2


class SourceError(StudioError):
    """A capture source could not be opened or read."""


class EncoderError(StudioError):
    """No encoder could be opened, or an encoder failed mid-stream."""


class OutputError(StudioError):
    """A destination failed (connect, publish rejected, write)."""
