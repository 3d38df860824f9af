"""First run: pick camera and microphone, measure what this machine encodes in real time, propose
resolution, frame rate and bitrate (like OBS's auto-configuration). Non-modal, beside the main window,
which is already live with its preview; Cancel dismisses it and changes nothing."""

from __future__ import annotations

import threading

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QProgressBar,
    QVBoxLayout,
    QWizard,
    QWizardPage,
)

from studio.app.controller import Proposal, auto_configure
from studio.ui.i18n import tr
from studio.ui.products import plain_label
from studio.ui.relay import relay
from studio.ui.settings_dialog import camera_choices, microphone_choices


def _measure(token, fps: int, vertical: bool) -> None:
    """Worker: measure and propose; results go to the relay, which outlives the wizard."""
    r = relay()
    result: Proposal | Exception
    try:
        result = auto_configure(fps, vertical, progress=lambda what: r.progress.emit(token, what))
    except Exception as e:  # noqa: BLE001 - shown to the host as one sentence
        result = e
    r.measured.emit(token, result)


class AutoConfigWizard(QWizard):
    applied = Signal(object, bool)

    def __init__(self, spec, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Anchor Studio — first-run setup"))
        self.setModal(False)
        self.spec = spec
        self.proposal = None

        devices = QWizardPage()
        devices.setTitle(tr("Camera and microphone"))
        form = QFormLayout(devices)
        self.camera = QComboBox(devices)
        for label, spec in camera_choices():
            self.camera.addItem(label, spec)
        self.mic = QComboBox(devices)
        for label, spec in microphone_choices():
            self.mic.addItem(label, spec)
        self.vertical = QCheckBox(tr("Vertical video (9:16) for phone-first platforms"), devices)
        self.vertical.setChecked(self.spec.canvas.vertical)
        form.addRow(tr("Camera"), self.camera)
        form.addRow(tr("Microphone"), self.mic)
        form.addRow("", self.vertical)
        self.addPage(devices)

        measure = QWizardPage()
        measure.setTitle(tr("Measuring this computer"))
        lay = QVBoxLayout(measure)
        self.status = plain_label(tr("Press Next to start the measurement."), measure)
        self.status.setWordWrap(True)
        self.bar = QProgressBar(measure)
        self.bar.setRange(0, 0)
        self.bar.hide()
        lay.addWidget(self.status)
        lay.addWidget(self.bar)
        self.addPage(measure)
        self.measure_page = measure

        result = QWizardPage()
        result.setTitle(tr("Proposed settings"))
        rl = QVBoxLayout(result)
        self.result_label = plain_label("", result)
        self.result_label.setWordWrap(True)
        rl.addWidget(self.result_label)
        self.addPage(result)

        self.currentIdChanged.connect(self.page_changed)
        self.token = object()  # which wizard a relayed result belongs to
        relay().progress.connect(self.on_progress)
        relay().measured.connect(self.on_measured)
        self.resize(520, 380)

    @Slot(int)
    def page_changed(self, page_id: int) -> None:
        if self.page(page_id) is self.measure_page and self.proposal is None:
            self.bar.show()
            self.button(QWizard.WizardButton.NextButton).setEnabled(False)
            vertical = self.vertical.isChecked()
            threading.Thread(target=_measure, args=(self.token, round(float(self.spec.canvas.fps)), vertical),
                             name="studio: auto-config", daemon=True).start()

    @Slot(object, str)
    def on_progress(self, token, what: str) -> None:
        if token is not self.token:
            return
        if what == "encoders":
            self.status.setText(tr("Looking for hardware encoders…"))
        else:
            self.status.setText(tr("Timing libx264 at %1…").replace("%1", what))

    @Slot(object, object)
    def on_measured(self, token, proposal) -> None:
        if token is not self.token:
            return
        self.bar.hide()
        self.button(QWizard.WizardButton.NextButton).setEnabled(True)
        if isinstance(proposal, Exception):
            self.status.setText(tr("The measurement failed: %1").replace("%1", str(proposal)))
            return
        self.proposal = proposal
        timings = ", ".join(f"{k}: {v} fps" for k, v in proposal.measured.items())
        hw = ", ".join(proposal.hardware) or tr("none")
        self.status.setText(tr("Done. libx264 here: %1. Hardware encoders: %2.").replace("%1", timings)
                            .replace("%2", hw))
        self.result_label.setText(tr("Canvas %1×%2 at %3 fps, %4 kbps, encoder %5. "
                               "Press Finish to use these settings.")
                            .replace("%1", str(proposal.width)).replace("%2", str(proposal.height))
                            .replace("%3", str(proposal.fps)).replace("%4", str(proposal.bitrate_kbps))
                            .replace("%5", proposal.encoder))
        self.next()

    def accept(self) -> None:
        p = self.proposal
        if p is not None:
            from dataclasses import replace
            from fractions import Fraction

            from studio.app.profile.model import Canvas, Encoding
            from studio.ui.settings_dialog import scale_layer

            s = self.spec
            canvas = Canvas(p.width, p.height, Fraction(p.fps))
            layers = [scale_layer(layer, s.canvas.size, canvas.size) for layer in s.layers]
            first = next((i for i, layer in enumerate(layers) if layer.kind == "video"), None)
            if first is not None:
                layers[first] = replace(layers[first], source=self.camera.currentData())
            audio = list(s.audio)
            if audio:
                audio[0] = replace(audio[0], source=self.mic.currentData())
            self.spec = replace(s, canvas=canvas, layers=tuple(layers), audio=tuple(audio),
                                encoding=Encoding("auto", p.bitrate_kbps))
            self.applied.emit(self.spec, True)
        super().accept()
