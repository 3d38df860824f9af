"""Results of worker threads for windows that may close before the worker ends.

A worker must never emit on a dialog the user may already have closed (the C++ object is deleted
under it). It emits on the process-wide `relay()` instead, which lives in the GUI thread until exit;
dialogs connect their @Slot methods to it, and Qt disconnects them when they are destroyed.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal


class Relay(QObject):
    encoders_found = Signal(str)
    progress = Signal(object, str)     # (owner token, text)
    measured = Signal(object, object)  # (owner token, proposal or exception)


_relay: Relay | None = None


def relay() -> Relay:
    """The relay; first called from the GUI thread (the dialogs' constructors)."""
    global _relay
    if _relay is None:
        _relay = Relay()
    return _relay
