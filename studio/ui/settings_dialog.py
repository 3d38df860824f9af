"""Settings: destinations (platform presets, stream keys in the OS keyring, shown masked), devices
(cameras by name via Qt Multimedia, microphones, canvas size and orientation, encoder, bitrate),
feeds (real chat and orders: a form generated from each connector's declared options) and general
options (language, recording, catalog). The dialog edits a copy of the show model and emits
`applied(spec, rebuild)`: the new `ShowSpec`, and whether the show must be rebuilt from it."""

from __future__ import annotations

import html
import re
import threading
import uuid
from dataclasses import dataclass, replace
from fractions import Fraction

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from studio.app.presets import load_presets, preset_by_id, stream_url
from studio.app.profile.model import Canvas, Destination, Encoding, Layer, Recording, ShowSpec
from studio.core.log import get_logger
from studio.core.secrets import get_secret, mask_url, register_secret, set_secret
from studio.ui.i18n import LANGUAGES, tr
from studio.ui.keyfile import offer_key_file
from studio.ui.products import plain_label
from studio.ui.relay import relay

log = get_logger("ui.settings")

SIZES = [(1280, 720), (1920, 1080), (854, 480), (720, 1280), (1080, 1920)]

def camera_choices() -> list[tuple[str, str]]:
    """(label, spec): the test pattern and every camera Qt Multimedia sees, by name."""
    out = [(tr("Test pattern"), "testsrc"), (tr("Automatic (first camera)"), "auto")]
    try:
        from PySide6.QtMultimedia import QMediaDevices

        for d in QMediaDevices.videoInputs():
            out.append((d.description(), f"camera:{d.description()}"))
    except Exception:
        log.info("no camera list from Qt Multimedia", exc_info=True)
    return out


def microphone_choices() -> list[tuple[str, str]]:
    out = [(tr("Automatic (default microphone)"), "auto"), (tr("Test tone"), "tone"), (tr("None"), "none")]
    try:
        from studio.media.sources.specs import list_microphones

        for m in list_microphones():
            out.append((m.label, f"mic:{m.name}"))
    except Exception:
        log.info("no microphone list", exc_info=True)
    return out


def _probe() -> None:
    """Worker: which encoders really encode here; the answer goes to the relay (never to a dialog)."""
    from studio.media.encoder_options import probe_encoders

    with _probing:
        try:
            found = [name for name, ok, _ in probe_encoders(320, 180, 30) if ok]
        except Exception:  # noqa: BLE001
            found = []
        hw = [n for n in found if n != "libx264"]
        text = (tr("auto uses %1 (hardware)").replace("%1", hw[0]) if hw else
                tr("auto uses libx264 (no hardware encoder found)") if found else tr("no encoder found"))
        _encoder_text.append(text)
    relay().encoders_found.emit(text)


_REF = re.compile(r"^(?P<server>.*?)/?(?P<ref>\$\{(?:keyring:)?[A-Za-z_][A-Za-z0-9_.:-]*\})$")


@dataclass
class DestinationRow:
    """A destination as the form edits it: the server and where its key is (a reference)."""

    name: str
    preset: str
    server: str
    key_ref: str = ""   # ${keyring:NAME} or ${ENV}; empty: the server URL holds the whole address
    enabled: bool = True
    codec: str = "h264"

    @classmethod
    def of(cls, d: Destination) -> DestinationRow:
        m = _REF.match(d.url)
        if m:
            return cls(d.name, d.preset, m.group("server"), m.group("ref"), d.enabled, d.codec)
        return cls(d.name, d.preset, d.url, "", d.enabled, d.codec)

    def destination(self) -> Destination:
        url = stream_url(self.server, self.key_ref) if self.key_ref and self.server else self.server
        return Destination(self.name, self.preset, url, self.enabled, self.codec)

    @property
    def keyring_name(self) -> str:
        m = re.fullmatch(r"\$\{keyring:(.+)\}", self.key_ref)
        return m.group(1) if m else f"destination:{uuid.uuid4().hex[:12]}"

    @property
    def env_name(self) -> str:
        """The environment variable a kiosk without a keyring puts this destination's key in."""
        m = re.fullmatch(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}", self.key_ref)
        if m:
            return m.group(1)
        word = re.sub(r"[^A-Za-z0-9]+", "_", self.name).strip("_").upper() or "DESTINATION"
        return f"STUDIO_KEY_{word}"


def split_pasted_key(server: str, preset_servers: list[str]) -> tuple[str, str] | None:
    """(server, key) when a whole stream URL with its key was pasted into the Server field: the preset's
    server followed by one more segment, or, for a custom server, rtmp(s)://host/app/…/KEY with the key
    as the last segment (OBS's convention). None when there is no key in it (or only a reference)."""
    text = server.strip()
    if not text or "${" in text or not text.lower().startswith(("rtmp://", "rtmps://")):
        return None
    base, sep, query = text.partition("?")
    for known in preset_servers:
        k = known.rstrip("/")
        if base.startswith(k + "/") and len(base) > len(k) + 1 and "/" not in base[len(k) + 1:]:
            return k + (sep + query if sep else ""), base[len(k) + 1:]
    if preset_servers:
        return None
    scheme, _, rest = base.partition("://")
    host, _, path = rest.partition("/")
    segments = [s for s in path.split("/") if s]
    if len(segments) < 2:
        return None
    return f"{scheme}://{host}/" + "/".join(segments[:-1]) + (sep + query if sep else ""), segments[-1]


def key_status(d: DestinationRow) -> str:
    if not d.server:
        return tr("No server URL yet")
    if not d.key_ref:
        return mask_url(d.server)
    m = re.fullmatch(r"\$\{keyring:(.+)\}", d.key_ref)
    try:
        key = get_secret(m.group(1)) if m else None
    except Exception:  # noqa: BLE001
        key = None
    if m is None:
        return tr("Key from the environment variable %1").replace("%1", d.key_ref.strip("${}"))
    return mask_url(stream_url(d.server, key)) if key else tr("No stream key stored")


def store_key(d: DestinationRow, key: str) -> bool:
    """Put a destination's key in the OS keyring and tick it; without a keyring, point the destination
    at its environment variable instead (False). The key itself is never written to a file."""
    register_secret(key)
    name = d.keyring_name
    try:
        set_secret(name, key)
    except Exception:  # noqa: BLE001 - keyring has many backend errors; the caller says one sentence
        d.key_ref = f"${{{d.env_name}}}"
        d.enabled = bool(get_secret(d.env_name, d.env_name))
        return False
    d.key_ref = f"${{keyring:{name}}}"
    d.enabled = True   # a key makes it ready: ticked
    return True


def no_keyring_text(d: DestinationRow) -> str:
    text = tr("No OS keyring is available on this machine, so the stream key was not saved, and it "
              "is never written to a file. To stream from this machine, start the studio with the "
              "key in the environment variable %1 (the destination now reads it from there), or "
              "install and unlock a keyring (GNOME Keyring, KWallet, macOS Keychain, Windows "
              "Credential Manager) and enter the key again.")
    return text.replace("%1", d.env_name)


_encoder_text: list[str] = []   # the probe's answer, once per process
_probing = threading.Lock()


class SettingsDialog(QDialog):
    applied = Signal(object, bool)

    def __init__(self, spec: ShowSpec, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Settings"))
        self.spec = spec
        self.presets = load_presets()
        self.destinations = [DestinationRow.of(d) for d in spec.destinations]
        lay = QVBoxLayout(self)
        self.tabs = QTabWidget(self)
        lay.addWidget(self.tabs)
        self.tabs.addTab(self._destinations_tab(), tr("Destinations"))
        self.tabs.addTab(self._devices_tab(), tr("Devices"))
        from studio.ui.feeds_page import FeedsPage

        self.feeds_page = FeedsPage(spec.feeds, self)
        self.tabs.addTab(self.feeds_page, tr("Feeds"))
        self.tabs.addTab(self._general_tab(), tr("General"))
        ok_cancel = QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        buttons = QDialogButtonBox(ok_cancel, self)
        buttons.accepted.connect(self.accept_settings)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.resize(640, 480)
        relay().encoders_found.connect(self.show_hardware)
        if _encoder_text:
            self.show_hardware(_encoder_text[0])
        elif not _probing.locked():
            threading.Thread(target=_probe, name="studio: encoder probe", daemon=True).start()

    # -- destinations ------------------------------------------------------------------------------
    def _destinations_tab(self) -> QWidget:
        w = QWidget()
        h = QHBoxLayout(w)
        left = QVBoxLayout()
        self.dest_list = QListWidget(w)
        self.dest_list.currentRowChanged.connect(self.dest_selected)
        left.addWidget(self.dest_list, 1)
        self.add_preset = QComboBox(w)
        for p in self.presets:
            self.add_preset.addItem(p.name, p.id)
        add = QPushButton(tr("Add"), w)
        add.clicked.connect(self.add_destination)
        remove = QPushButton(tr("Remove"), w)
        remove.clicked.connect(self.remove_destination)
        row = QHBoxLayout()
        row.addWidget(self.add_preset, 1)
        row.addWidget(add)
        row.addWidget(remove)
        left.addLayout(row)
        h.addLayout(left, 1)
        form = QFormLayout()
        self.d_name = QLineEdit(w)
        self.d_enabled = QCheckBox(tr("Stream to this destination"), w)
        self.d_server = QComboBox(w)
        self.d_server.setEditable(True)
        self.d_key = QLineEdit(w)
        self.d_key.setEchoMode(QLineEdit.EchoMode.Password)
        self.d_key.setPlaceholderText(tr("Paste the stream key (stored in the OS keyring)"))
        self.d_codec = QComboBox(w)
        self.d_codec.addItem(tr("H.264 (every platform)"), "h264")
        self.d_codec.addItem(tr("HEVC / H.265 (YouTube; its own encode, about 3× the CPU)"), "hevc")
        self.d_url = plain_label("", w)
        self.d_info = plain_label("", w)
        self.d_info.setWordWrap(True)
        # the one rich-text label here: the link comes from our own presets file, never from a platform
        self.d_link = QLabel(w)
        self.d_link.setTextFormat(Qt.TextFormat.RichText)
        self.d_link.setOpenExternalLinks(True)
        save_key = QPushButton(tr("Save key"), w)
        save_key.clicked.connect(self.save_key)
        form.addRow(tr("Name"), self.d_name)
        form.addRow("", self.d_enabled)
        form.addRow(tr("Server"), self.d_server)
        form.addRow(tr("Stream key"), self.d_key)
        form.addRow("", save_key)
        form.addRow(tr("Video codec"), self.d_codec)
        form.addRow(tr("URL"), self.d_url)
        form.addRow("", self.d_link)
        form.addRow(tr("Preset"), self.d_info)
        h.addLayout(form, 2)
        for d in self.destinations:
            self.dest_list.addItem(d.name)
        self._current = -1
        if self.destinations:
            self.dest_list.setCurrentRow(0)
        return w

    def _store_current(self) -> None:
        i = self._current
        if 0 <= i < len(self.destinations):
            d = self.destinations[i]
            d.name = self.d_name.text().strip() or d.name
            d.enabled = self.d_enabled.isChecked()
            d.codec = self.d_codec.currentData() or "h264"
            d.server = self.d_server.currentText().strip()
            p = preset_by_id(self.presets, d.preset)
            pasted = split_pasted_key(d.server, [s.url for s in p.servers] if p else [])
            if pasted is not None:
                # a key pasted into the Server field goes to the secret store, and is shown masked
                d.server, key = pasted
                self.d_server.setCurrentText(d.server)
                self._store_key(i, key)
            self.dest_list.item(i).setText(d.name)

    @Slot(int)
    def dest_selected(self, row: int) -> None:
        self._store_current()
        self._current = row
        if not 0 <= row < len(self.destinations):
            return
        d = self.destinations[row]
        p = preset_by_id(self.presets, d.preset)
        self.d_name.setText(d.name)
        self.d_enabled.setChecked(d.enabled)
        self._select(self.d_codec, d.codec)
        self.d_server.clear()
        for s in p.servers if p else ():
            self.d_server.addItem(s.url)
        self.d_server.setCurrentText(d.server)
        self.d_key.clear()
        self.d_url.setText(key_status(d))
        link = p.stream_key_link if p else ""
        self.d_link.setVisible(bool(link))
        label = html.escape(tr("Get your stream key"))
        self.d_link.setText(f'<a href="{html.escape(link, quote=True)}">{label}</a> — {html.escape(link)}'
                            if link else "")
        info = []
        if p:
            if p.server_note:
                info.append(p.server_note)
            rec = [f"{p.resolution[0]}x{p.resolution[1]}" if p.resolution else tr("resolution unknown"),
                   f"{p.fps} fps" if p.fps else tr("fps unknown"),
                   f"{p.bitrate_kbps} kbps" if p.bitrate_kbps else tr("bitrate unknown"),
                   tr("keyframe %1 s").replace("%1", str(p.keyint_s)) if p.keyint_s
                   else tr("keyframe interval unknown")]
            info.append(tr("Recommended: ") + ", ".join(rec))
        self.d_info.setText("\n".join(info))

    @Slot()
    def add_destination(self) -> None:
        p = preset_by_id(self.presets, self.add_preset.currentData())
        if p is None:
            return
        # not ticked until it has a key: a new destination never blocks Go live
        d = DestinationRow(name=p.name, preset=p.id, server=p.servers[0].url if p.servers else "",
                           enabled=False)
        self.destinations.append(d)
        self.dest_list.addItem(d.name)
        self.dest_list.setCurrentRow(len(self.destinations) - 1)

    @Slot()
    def remove_destination(self) -> None:
        row = self.dest_list.currentRow()
        if row >= 0:
            self._current = -1
            self.destinations.pop(row)
            self.dest_list.takeItem(row)

    @Slot()
    def save_key(self) -> bool:
        """Store the typed key; False when there is no keyring (the destination then reads its key from
        an environment variable, said in a message; the key is never written to a file)."""
        row = self._current
        key = self.d_key.text().strip()
        if not (0 <= row < len(self.destinations)) or not key:
            return True
        self.d_key.clear()
        self._store_current()
        return self._store_key(row, key)

    def _store_key(self, row: int, key: str) -> bool:
        d = self.destinations[row]
        ok = store_key(d, key)
        if not ok and offer_key_file(self):   # no OS keyring: the encrypted key file, never plain text
            ok = store_key(d, key)
        if not ok:
            box = QMessageBox(QMessageBox.Icon.Warning, tr("Stream key"), no_keyring_text(d), parent=self)
            box.setTextFormat(Qt.TextFormat.PlainText)
            box.show()
            self.keyring_box = box
        if row == self._current:
            self.d_enabled.setChecked(d.enabled)
            self.d_url.setText(key_status(d))
        return ok


    # -- devices -----------------------------------------------------------------------------------
    def _devices_tab(self) -> QWidget:
        w = QWidget()
        form = QFormLayout(w)
        self.camera = QComboBox(w)
        for label, spec in camera_choices():
            self.camera.addItem(label, spec)
        self._select(self.camera, self._camera_source())
        self.mic = QComboBox(w)
        for label, spec in microphone_choices():
            self.mic.addItem(label, spec)
        self._select(self.mic, self.spec.audio[0].source if self.spec.audio else "auto")
        self.canvas = QComboBox(w)
        for cw, ch in SIZES:
            shape = tr("landscape 16:9") if cw > ch else tr("vertical 9:16")
            self.canvas.addItem(f"{cw}×{ch} " + shape, f"{cw}x{ch}")
        cv = self.spec.canvas
        if cv.size not in SIZES:
            self.canvas.addItem(f"{cv.width}×{cv.height}", f"{cv.width}x{cv.height}")
        self._select(self.canvas, f"{cv.width}x{cv.height}")
        self.fps = QSpinBox(w)
        self.fps.setRange(10, 60)
        self.fps.setValue(round(float(cv.fps)))
        self.encoder = QComboBox(w)
        for name in ("auto", "libx264", "h264_nvenc", "h264_qsv", "h264_amf", "h264_videotoolbox", "h264_mf"):
            self.encoder.addItem(name, name)
        self._select(self.encoder, self.spec.encoding.encoder)
        self.hardware = plain_label(tr("Looking for hardware encoders…"), w)
        self.bitrate = QSpinBox(w)
        self.bitrate.setRange(300, 50000)
        self.bitrate.setSingleStep(250)
        self.bitrate.setSuffix(" kbps")
        self.bitrate.setValue(self.spec.encoding.bitrate_kbps)
        self.bitrate_mode = QComboBox(w)
        self.bitrate_mode.addItem(tr("Adapt to a slow link (recommended)"), "adaptive")
        self.bitrate_mode.addItem(tr("Constant: drop frames on a slow link"), "cbr")
        self._select(self.bitrate_mode, self.spec.encoding.bitrate_mode)
        self.bitrate_mode.setToolTip(tr("Adapt: on a slow uplink the bitrate follows what the link "
                                        "carries and climbs back when it recovers, so viewers see a "
                                        "softer picture instead of a frozen one."))
        form.addRow(tr("Camera"), self.camera)
        form.addRow(tr("Microphone"), self.mic)
        form.addRow(tr("Canvas"), self.canvas)
        form.addRow(tr("Frame rate"), self.fps)
        form.addRow(tr("Encoder"), self.encoder)
        form.addRow("", self.hardware)
        form.addRow(tr("Video bitrate"), self.bitrate)
        form.addRow(tr("On a slow link"), self.bitrate_mode)
        return w

    @Slot(str)
    def show_hardware(self, text: str) -> None:
        self.hardware.setText(text)

    # -- general -------------------------------------------------------------------------------------
    def _general_tab(self) -> QWidget:
        w = QWidget()
        form = QFormLayout(w)
        self.language = QComboBox(w)
        for code, name in LANGUAGES.items():
            self.language.addItem(name, code)
        self._select(self.language, self.spec.language)
        self.record = QCheckBox(tr("Record every show (Matroska, crash-safe)"), w)
        self.record.setChecked(self.spec.recording.enabled)
        self.recordings = QLineEdit(self.spec.recording.folder, w)
        self.recordings.setPlaceholderText(tr("Default: the studio's data folder"))
        self.catalog = QLineEdit(self.spec.commerce.catalog, w)
        self.catalog.setPlaceholderText(tr("No catalog: no products on screen"))
        browse_catalog = QPushButton(tr("Browse…"), w)
        browse_catalog.clicked.connect(self.browse_catalog)
        catalog_row = QHBoxLayout()
        catalog_row.addWidget(self.catalog, 1)
        catalog_row.addWidget(browse_catalog)
        browse_folder = QPushButton(tr("Browse…"), w)
        browse_folder.clicked.connect(self.browse_recordings)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.recordings, 1)
        folder_row.addWidget(browse_folder)
        form.addRow(tr("Language"), self.language)
        form.addRow("", self.record)
        form.addRow(tr("Recordings folder"), folder_row)
        form.addRow(tr("Catalog file"), catalog_row)
        return w

    @Slot()
    def browse_catalog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, tr("Catalog file"), self.catalog.text(),
                                              tr("Catalogs (*.csv *.json)"))
        if path:
            self.catalog.setText(path)

    @Slot()
    def browse_recordings(self) -> None:
        path = QFileDialog.getExistingDirectory(self, tr("Recordings folder"), self.recordings.text())
        if path:
            self.recordings.setText(path)

    @staticmethod
    def _select(combo: QComboBox, data) -> None:
        i = combo.findData(data)
        if i >= 0:
            combo.setCurrentIndex(i)

    def _camera_source(self) -> str:
        video = [layer for layer in self.spec.layers if layer.kind == "video"]
        return video[0].source if video else "camera"

    # -- apply ---------------------------------------------------------------------------------------
    @Slot()
    def accept_settings(self) -> None:
        if self.d_key.text().strip():
            self.save_key()   # without a keyring: the env route, said in a message; OK still closes
        problems = self.feeds_page.apply_secrets()
        if problems:
            self.tabs.setCurrentWidget(self.feeds_page)
            box = QMessageBox(QMessageBox.Icon.Warning, tr("Feeds"), "\n".join(problems), parent=self)
            box.setTextFormat(Qt.TextFormat.PlainText)
            box.show()
            self.feeds_box = box
            return
        self._store_current()
        spec = self.new_spec()
        old = self.spec
        rebuild = (spec.canvas != old.canvas or spec.layers != old.layers or spec.audio != old.audio
                   or spec.encoding.encoder != old.encoding.encoder
                   or spec.commerce.catalog != old.commerce.catalog
                   or spec.feeds != old.feeds)
        self.spec = spec
        self.applied.emit(spec, rebuild)
        self.accept()

    def new_spec(self) -> ShowSpec:
        """The show as the form now describes it."""
        old = self.spec
        w, h = (int(v) for v in self.canvas.currentData().split("x"))
        keep = round(float(old.canvas.fps)) == self.fps.value()  # 29.97 stays 30000/1001 unless changed
        canvas = Canvas(w, h, old.canvas.fps if keep else Fraction(self.fps.value()))
        layers = list(old.layers)
        camera = self.camera.currentData()
        first_video = next((i for i, layer in enumerate(layers) if layer.kind == "video"), None)
        if first_video is None:
            layers.insert(0, Layer(kind="video", name="Camera", source=camera))
        elif layers[first_video].source != camera:
            layers[first_video] = replace(layers[first_video], source=camera)
        if canvas.size != old.canvas.size:
            layers = [scale_layer(layer, old.canvas.size, canvas.size) for layer in layers]
        audio = list(old.audio)
        mic = self.mic.currentData()
        if audio:
            audio[0] = replace(audio[0], source=mic)
        else:
            from studio.app.profile.model import AudioSource

            audio = [AudioSource(mic)]
        return replace(
            old, language=self.language.currentData(), canvas=canvas, layers=tuple(layers),
            audio=tuple(audio),
            destinations=tuple(d.destination() for d in self.destinations),
            recording=Recording(self.record.isChecked(), old.recording.path, self.recordings.text().strip()),
            encoding=Encoding(self.encoder.currentData(), self.bitrate.value(),
                              self.bitrate_mode.currentData()),
            commerce=replace(old.commerce, catalog=self.catalog.text().strip()),
            feeds=self.feeds_page.feeds())


def scale_layer(layer: Layer, old: tuple[int, int], new: tuple[int, int]) -> Layer:
    """A layer kept in the same place and proportion on a canvas of another size (full-canvas layers
    stay full-canvas): a new canvas never drops the host's layout."""
    sx, sy = new[0] / old[0], new[1] / old[1]
    return replace(layer, x=round(layer.x * sx), y=round(layer.y * sy),
                   width=round(layer.width * sx) if layer.width else None,
                   height=round(layer.height * sy) if layer.height else None)
