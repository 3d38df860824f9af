"""Events into the GUI thread: every engine/live event becomes a Qt signal, and preview frames go
through a one-deep "latest" slot (a frame that was not yet shown is replaced, never queued).

The bridge is created in the GUI thread; bus subscribers run on publishers' threads and only emit.
Receivers connect `@Slot` methods of GUI-thread QObjects (never lambdas), so delivery is queued.
"""

from __future__ import annotations

import threading
from typing import ClassVar

import numpy as np
from PySide6.QtCore import QObject, Signal

from studio.core.events import (
    BitrateChanged,
    EncoderProblem,
    ProductPinned,
    ProductUnpinned,
    StreamStateChanged,
)
from studio.live.events import ChatMessage, ConnectorState, Order, ViewerCount


class Bridge(QObject):
    frame_ready = Signal()
    chat = Signal(object)
    order = Signal(object)
    viewers = Signal(object)
    connector = Signal(object)
    stream_state = Signal(object)
    bitrate = Signal(object)
    encoder_problem = Signal(object)
    pin_changed = Signal(object)
    live_result = Signal(bool, str)   # go-live finished: ok, message
    ended = Signal(str)               # end-live finished: message ("" when clean)
    measured = Signal(object)         # the wizard's measurement result

    _SIGNALS: ClassVar[dict[type, str]] = {
        ChatMessage: "chat", Order: "order", ViewerCount: "viewers", ConnectorState: "connector",
        StreamStateChanged: "stream_state", ProductPinned: "pin_changed", ProductUnpinned: "pin_changed",
        BitrateChanged: "bitrate", EncoderProblem: "encoder_problem"}

    def __init__(self, bus, parent=None) -> None:
        super().__init__(parent)
        self.bus = bus
        self._lock = threading.Lock()
        self._latest: tuple[int, np.ndarray] | None = None
        self._pending = False
        self.frames_delivered = 0
        bus.subscribe(None, self._on_event)

    def _on_event(self, event) -> None:  # publisher's thread: emit only
        name = self._SIGNALS.get(type(event))
        if name is not None:
            getattr(self, name).emit(event)

    def deliver_frame(self, index: int, bgr: np.ndarray) -> None:  # compositor thread
        with self._lock:
            self._latest = (index, bgr)
            pending, self._pending = self._pending, True
            self.frames_delivered += 1
        if not pending:
            self.frame_ready.emit()

    def take_frame(self) -> tuple[int, np.ndarray] | None:
        with self._lock:
            latest, self._latest, self._pending = self._latest, None, False
        return latest

    def detach(self) -> None:
        self.bus.unsubscribe(None, self._on_event)
