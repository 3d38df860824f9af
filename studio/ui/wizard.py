"""First run: pick camera and microphone, the platform and its stream key (with the platform's "get
your key" page), measure what this machine encodes in real time, and propose resolution, frame rate
and bitrate with the reason in one sentence (like OBS's auto-configuration). The upload itself is not
measured: the proposal stays inside the platform's published limits. Non-modal, beside the main
window, which is already live with its preview; Cancel dismisses it and changes nothing."""

from __future__ import annotations

import html
import threading

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QVBoxLayout,
    QWizard,
    QWizardPage,
)

from studio.app.controller import Proposal, auto_configure
from studio.app.presets import Preset, load_presets, preset_by_id
from studio.core.errors import UserError
from studio.ui.i18n import tr
from studio.ui.products import plain_label
from studio.ui.relay import relay
from studio.ui.settings_dialog import (
    DestinationRow,
    camera_choices,
    microphone_choices,
    no_keyring_text,
    store_key,
)

VERTICAL_FIRST = ("tiktok", "douyin", "kuaishou")   # watched on phones: 9:16 proposed


def explain(p: Proposal, preset: Preset | None) -> str:
    """One sentence: why this size and bitrate."""
    fast = p.measured.get(f"{max(p.width, p.height)}x{min(p.width, p.height)}")
    why = (tr("libx264 encodes %1 at %2 fps here, fast enough for %3 fps with room for the preview and "
              "the sound").replace("%1", f"{max(p.width, p.height)}×{min(p.width, p.height)}")
           .replace("%2", str(fast)).replace("%3", str(p.fps)) if fast is not None and not p.hardware
           else tr("a hardware encoder (%1) is here, so the largest size is proposed").replace(
               "%1", ", ".join(p.hardware)) if p.hardware else tr("this is the smallest size offered"))
    limit = ""
    if preset is not None and preset.max_video_kbps:
        limit = " " + tr("%1 accepts up to %2 kbps.").replace("%1", preset.name).replace(
            "%2", str(preset.max_video_kbps))
    if p.upload_kbps is not None and preset is not None:
        upload = " " + tr("The upload to %1 carried %2 kbps; the bitrate stays within 80 % of it.").replace(
            "%1", preset.name).replace("%2", f"{p.upload_kbps:.0f}")
    elif preset is not None:
        upload = " " + tr("The upload to %1 was not measured (it has no test mode that stays off air).") \
            .replace("%1", preset.name)
    else:
        upload = ""
    return why + "; " + tr("%1 kbps suits that size.").replace("%1", str(p.bitrate_kbps)) + limit + upload


def _measure(token, fps: int, vertical: bool, upload_url: str | None) -> None:
    """Worker: measure and propose; results go to the relay, which outlives the wizard."""
    r = relay()
    result: Proposal | Exception
    try:
        result = auto_configure(fps, vertical, progress=lambda what: r.progress.emit(token, what),
                                upload_url=upload_url)
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
        self.key_problem = ""

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

        where = QWizardPage()
        where.setTitle(tr("Where do you stream?"))
        wf = QFormLayout(where)
        try:
            self.presets = load_presets()
        except UserError:
            self.presets = []
        self.platform = QComboBox(where)
        self.platform.addItem(tr("Only record for now"), "")
        for p in self.presets:
            self.platform.addItem(p.name, p.id)
        self.server = QComboBox(where)
        self.server.setEditable(True)
        self.key = QLineEdit(where)
        self.key.setEchoMode(QLineEdit.EchoMode.Password)
        self.key.setPlaceholderText(tr("Paste the stream key (stored in the OS keyring)"))
        self.key_link = QLabel(where)   # rich text from our own presets file only
        self.key_link.setTextFormat(Qt.TextFormat.RichText)
        self.key_link.setOpenExternalLinks(True)
        self.platform_note = plain_label("", where)
        self.platform_note.setWordWrap(True)
        wf.addRow(tr("Platform"), self.platform)
        wf.addRow(tr("Server"), self.server)
        wf.addRow(tr("Stream key"), self.key)
        wf.addRow("", self.key_link)
        wf.addRow("", self.platform_note)
        self.platform.currentIndexChanged.connect(self.platform_changed)
        self.addPage(where)
        self.platform_changed()

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
            args = (self.token, round(float(self.spec.canvas.fps)), vertical, self.upload_test_url())
            threading.Thread(target=_measure, args=args, name="studio: auto-config", daemon=True).start()

    def upload_test_url(self) -> str | None:
        """The chosen destination in the platform's test mode (never shown live), when it has one."""
        p = self.chosen_preset()
        key = self.key.text().strip()
        server = self.server.currentText().strip()
        if p is None or not p.bandwidth_test or not key or not server:
            return None
        from studio.app.presets import stream_url
        from studio.core.secrets import register_secret

        register_secret(key)
        return stream_url(server, key + p.bandwidth_test)

    @Slot(object, str)
    def on_progress(self, token, what: str) -> None:
        if token is not self.token:
            return
        if what == "encoders":
            self.status.setText(tr("Looking for hardware encoders…"))
        elif what == "upload":
            preset = self.chosen_preset()
            self.status.setText(tr("Testing the upload to %1 (its test mode: nothing is shown live)…")
                                .replace("%1", preset.name if preset else ""))
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
        preset = self.chosen_preset()
        if preset is not None and preset.max_video_kbps and proposal.bitrate_kbps > preset.max_video_kbps:
            from dataclasses import replace

            proposal = self.proposal = replace(proposal, bitrate_kbps=preset.max_video_kbps)
        self.result_label.setText(tr("Canvas %1×%2 at %3 fps, %4 kbps, encoder %5. "
                               "Press Finish to use these settings.")
                            .replace("%1", str(proposal.width)).replace("%2", str(proposal.height))
                            .replace("%3", str(proposal.fps)).replace("%4", str(proposal.bitrate_kbps))
                            .replace("%5", proposal.encoder) + "\n\n" + explain(proposal, preset) + ".")
        self.next()

    def chosen_preset(self) -> Preset | None:
        return preset_by_id(self.presets, self.platform.currentData() or "")

    @Slot()
    def platform_changed(self) -> None:
        p = self.chosen_preset()
        self.server.clear()
        for s in p.servers if p else ():
            self.server.addItem(s.url)
        for w in (self.server, self.key):
            w.setEnabled(p is not None)
        link = p.stream_key_link if p else ""
        label = html.escape(tr("Get your stream key"))
        self.key_link.setText(f'<a href="{html.escape(link, quote=True)}">{label}</a> — {html.escape(link)}'
                              if link else "")
        self.platform_note.setText(p.server_note if p else tr("The show is recorded; add a platform later "
                                                              "in Settings → Destinations."))
        if p is not None:
            self.vertical.setChecked(p.id in VERTICAL_FIRST)

    def destination(self) -> tuple[object | None, str]:
        """(the destination the host chose, a sentence when its key could not be stored)."""
        p = self.chosen_preset()
        if p is None:
            return None, ""
        row = DestinationRow(name=p.name, preset=p.id, server=self.server.currentText().strip(),
                             enabled=False)
        key = self.key.text().strip()
        self.key.clear()
        problem = ""
        if key and not store_key(row, key):
            problem = no_keyring_text(row)
        return row.destination(), problem

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
            dest, self.key_problem = self.destination()
            destinations = s.destinations if dest is None else (*s.destinations, dest)
            recording = s.recording if dest is not None else replace(s.recording, enabled=True)
            self.spec = replace(s, canvas=canvas, layers=tuple(layers), audio=tuple(audio),
                                encoding=Encoding("auto", p.bitrate_kbps), destinations=destinations,
                                recording=recording)
            self.applied.emit(self.spec, True)
        super().accept()
