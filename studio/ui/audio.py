"""The audio dock: a meter per source and for the mix, mute and gain per source."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import QCheckBox, QGridLayout, QProgressBar, QSlider, QWidget

from studio.ui.i18n import tr
from studio.ui.products import plain_label

if TYPE_CHECKING:
    from studio.app.controller import StudioController

FLOOR_DB = -60


def meter_value(db: float) -> int:
    return int(max(FLOOR_DB, min(0.0, db)) - FLOOR_DB)


class AudioDock(QWidget):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.controller: StudioController | None = None
        self.grid = QGridLayout(self)
        self.meters: dict[str, QProgressBar] = {}
        self.mutes: list[QCheckBox] = []
        self.gains: list[QSlider] = []

    def _meter(self) -> QProgressBar:
        bar = QProgressBar(self)
        bar.setRange(0, -FLOOR_DB)
        bar.setTextVisible(False)
        bar.setFixedHeight(12)
        return bar

    def bind(self, controller: StudioController) -> None:
        self.controller = controller
        while self.grid.count():
            item = self.grid.takeAt(0)
            w = item.widget() if item is not None else None
            if w is not None:
                w.deleteLater()
        self.meters.clear()
        self.mutes.clear()
        self.gains.clear()
        for i, inp in enumerate(controller.audio_inputs):
            self.grid.addWidget(plain_label(inp.name, self), i, 0)
            bar = self._meter()
            self.meters[inp.name] = bar
            self.grid.addWidget(bar, i, 1)
            mute = QCheckBox(tr("Mute"), self)
            mute.setChecked(inp.muted)
            mute.setProperty("index", i)
            mute.toggled.connect(self.mute_toggled)
            self.grid.addWidget(mute, i, 2)
            gain = QSlider(Qt.Orientation.Horizontal, self)
            gain.setRange(0, 200)
            gain.setValue(int(inp.gain * 100))
            gain.setToolTip(tr("Gain"))
            gain.setProperty("index", i)
            gain.valueChanged.connect(self.gain_changed)
            self.grid.addWidget(gain, i, 3)
            self.mutes.append(mute)
            self.gains.append(gain)
        n = len(controller.audio_inputs)
        self.grid.addWidget(plain_label(tr("Mix"), self), n, 0)
        bar = self._meter()
        self.meters["mix"] = bar
        self.grid.addWidget(bar, n, 1, 1, 3)

    @Slot(bool)
    def mute_toggled(self, on: bool) -> None:
        if self.controller is None:
            return
        self.controller.set_muted(int(self.sender().property("index")), on)

    @Slot(int)
    def gain_changed(self, value: int) -> None:
        if self.controller is None:
            return
        self.controller.set_gain(int(self.sender().property("index")), value / 100.0)

    def update_meters(self) -> None:
        if self.controller is None:
            return
        for name, m in self.controller.meters().items():
            bar = self.meters.get(name)
            if bar is not None:
                bar.setValue(meter_value(m.peak_db))
