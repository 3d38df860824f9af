"""The main window: preview in the centre, products on the left, chat and sales on the right, audio and
scene layers below, Go live / Stop, and a status bar with what matters when a stream goes wrong."""

from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QCursor, QKeySequence
from PySide6.QtWidgets import (
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from studio.app.controller import PreviewTap, StudioController
from studio.app.host_profile import host_profile_path
from studio.app.profile.model import ShowSpec
from studio.app.profile.save import save_profile
from studio.app.status_text import Words
from studio.app.status_text import status_parts as shared_status_parts
from studio.core.errors import UserError
from studio.core.log import get_logger
from studio.core.secrets import mask_text
from studio.media.stats import ShowStats
from studio.ui.audio import AudioDock
from studio.ui.bridge import Bridge
from studio.ui.chat import ChatDock
from studio.ui.i18n import tr
from studio.ui.messages import MessagesDock
from studio.ui.preview import PreviewWidget
from studio.ui.products import ProductsPanel, plain_label
from studio.ui.sales import SalesDock
from studio.ui.scenes import ScenesDock
from studio.ui.show_end import CANCEL, GO, SummaryDialog, ask_partial, hms

log = get_logger("ui.main")


def status_words() -> Words:
    """The status bar's words in the window's language (app/status_text.py formats them)."""
    return Words(fps=tr("%1 fps"), cpu=tr("CPU %1%"), dropped=tr("Dropped %1"), kbps=tr("%1 kbps"),
                 output_dropped=tr("dropped %1"), congested=tr("congested (%1 s queued)"),
                 reconnects=tr("%1 reconnects"), retry_in=tr("retry in %1 s"),
                 lowered=tr("bitrate lowered to %1 kbps"), recording=tr("REC %1 MB"),
                 states={"live": tr("live"), "recording": tr("recording"), "connecting": tr("connecting"),
                         "reconnecting": tr("reconnecting"), "stalled": tr("stalled"),
                         "gave_up": tr("gave up"), "error": tr("error"), "stopped": tr("stopped"),
                         "off": tr("off"), "idle": tr("idle")})


def state_word(state: str) -> tuple[str, str]:
    """(the host's word for an output state, its tone: ok / warn / bad)."""
    return status_words().state(state)


TONES = {"ok": "background:#e8f5e9;color:#1b5e20", "warn": "background:#fff3e0;color:#8a4b00",
         "bad": "background:#ffebee;color:#b71c1c", "": ""}


def status_parts(s: ShowStats) -> list[tuple[str, str]]:
    """The status bar: fps, CPU and frames dropped since Go live, then one chip per destination and the
    recording; (text, tone) each."""
    return shared_status_parts(s, status_words())


class StatusChip(QLabel):
    """One part of the status bar; a destination's chip opens its menu when clicked."""

    clicked = Signal()

    def mousePressEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        self.clicked.emit()
        super().mousePressEvent(event)


class MainWindow(QMainWindow):
    def __init__(self, spec: ShowSpec, controller: StudioController | None = None,
                 profile_path: Path | None = None) -> None:
        super().__init__()
        self.profile_path = profile_path or host_profile_path()
        self.setWindowTitle("Anchor Studio")
        self.controller: StudioController | None = None
        self.bridge: Bridge | None = None
        self._tap: PreviewTap | None = None
        self.settings_message_box: QMessageBox | None = None
        self._busy = False
        self.confirm_stop = self._ask_stop
        self.confirm_partial = lambda checks: ask_partial(self, checks, self.ctl.records)
        self.summary_dialog: SummaryDialog | None = None
        self._sales_dirty = False
        self.pending_spec: ShowSpec | None = None   # settings that wait for the show to end
        self.replaced_by: MainWindow | None = None   # the window that took over (a language switch)

        centre = QWidget(self)
        v = QVBoxLayout(centre)
        self.preview = PreviewWidget(spec.canvas.size, centre)
        v.addWidget(self.preview, 1)
        bar = QHBoxLayout()
        self.demo_badge = plain_label(tr("DEMO DATA — simulated orders and chat"), centre)
        self.demo_badge.setObjectName("demoBadge")
        self.demo_badge.setStyleSheet("background:#ffb300;color:#000;font-weight:bold;padding:3px 8px;"
                                      "border-radius:4px")
        self.demo_badge.setToolTip(tr("The demo feed is on: turn it off in Settings → Feeds"))
        self.demo_badge.hide()
        bar.addWidget(self.demo_badge)
        self.live_label = plain_label("", centre)
        self.live_label.setObjectName("liveLabel")
        bar.addWidget(self.live_label, 1)
        self.go_button = QPushButton(tr("Go live"), centre)
        self.go_button.setObjectName("goLive")
        self.go_button.setMinimumHeight(36)
        self.go_button.clicked.connect(self.toggle_live)
        bar.addWidget(self.go_button)
        v.addLayout(bar)
        self.setCentralWidget(centre)

        self.products = ProductsPanel()
        self.chat = ChatDock()
        self.sales = SalesDock()
        self.audio = AudioDock()
        self.scenes = ScenesDock()
        self.messages = MessagesDock()
        self.docks = {}
        for key, title, widget, area in (
                ("products", tr("Products"), self.products, Qt.DockWidgetArea.LeftDockWidgetArea),
                ("chat", tr("Chat"), self.chat, Qt.DockWidgetArea.RightDockWidgetArea),
                ("sales", tr("Sales"), self.sales, Qt.DockWidgetArea.RightDockWidgetArea),
                ("audio", tr("Audio"), self.audio, Qt.DockWidgetArea.BottomDockWidgetArea),
                ("scenes", tr("Layers"), self.scenes, Qt.DockWidgetArea.BottomDockWidgetArea),
                ("messages", tr("Messages"), self.messages, Qt.DockWidgetArea.BottomDockWidgetArea)):
            dock = QDockWidget(title, self)
            dock.setObjectName(f"dock_{key}")
            dock.setWidget(widget)
            self.addDockWidget(area, dock)
            self.docks[key] = dock
        self.splitDockWidget(self.docks["audio"], self.docks["scenes"], Qt.Orientation.Horizontal)
        self.tabifyDockWidget(self.docks["scenes"], self.docks["messages"])
        self.docks["scenes"].raise_()
        self.resizeDocks([self.docks["audio"], self.docks["scenes"]], [150, 150], Qt.Orientation.Vertical)
        self.resizeDocks([self.docks["products"], self.docks["chat"]], [380, 360], Qt.Orientation.Horizontal)
        self.resizeDocks([self.docks["chat"], self.docks["sales"]], [420, 300], Qt.Orientation.Vertical)

        self.status_labels: list = []
        self.status_host = QWidget(self)
        self.status_layout = QHBoxLayout(self.status_host)
        self.status_layout.setContentsMargins(0, 0, 0, 0)
        self.status_layout.setSpacing(18)
        self.status_layout.addStretch(1)
        self.statusBar().addWidget(self.status_host, 1)

        menu = self.menuBar().addMenu(tr("&Studio"))
        self.settings_action = QAction(tr("Settings…"), self)
        self.settings_action.setShortcut(QKeySequence("Ctrl+,"))
        self.settings_action.triggered.connect(self.open_settings)
        menu.addAction(self.settings_action)
        self.wizard_action = QAction(tr("Auto-configuration wizard…"), self)
        self.wizard_action.triggered.connect(self.open_wizard)
        menu.addAction(self.wizard_action)
        self.reports_action = QAction(tr("Reports…"), self)
        self.reports_action.triggered.connect(self.open_reports)
        menu.addAction(self.reports_action)
        quit_action = QAction(tr("Quit"), self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        menu.addAction(quit_action)
        view = self.menuBar().addMenu(tr("&View"))
        for dock in self.docks.values():
            view.addAction(dock.toggleViewAction())

        self.preview.layer_moved.connect(self.layer_moved)
        self.preview.layer_edited.connect(self.layer_edited)
        self.preview.layer_selected.connect(self.scenes.select_layer)
        self.scenes.selected.connect(self.select_layer)
        self.scenes.changed.connect(self.layers_changed)
        self.scenes.edited.connect(self.save)

        self.status_timer = QTimer(self)
        self.status_timer.setInterval(1000)
        self.status_timer.timeout.connect(self.update_status)
        self.meter_timer = QTimer(self)
        self.meter_timer.setInterval(100)
        self.meter_timer.timeout.connect(self.update_meters)
        self.sales_timer = QTimer(self)
        self.sales_timer.setInterval(200)
        self.sales_timer.setSingleShot(True)
        self.sales_timer.timeout.connect(self.update_sales)
        self.resize(1400, 860)
        if controller is not None:
            self.bind(controller)

    # -- controller ------------------------------------------------------------------------------
    @property
    def ctl(self) -> StudioController:
        """The bound controller, for slots that only run while one is bound."""
        assert self.controller is not None, "no show is bound to the window"
        return self.controller

    @property
    def live_bridge(self) -> Bridge:
        assert self.bridge is not None, "no show is bound to the window"
        return self.bridge

    def bind(self, controller: StudioController) -> None:
        """Attach the window to a started controller (on start, and after settings that rebuild the show)."""
        self.controller = controller
        self.preview.canvas_size = controller.spec.canvas.size
        self.demo_badge.setVisible(controller.demo)
        self.bridge = Bridge(controller.bus, self)
        self.bridge.connector.connect(self.chat.feed_status.update_state)
        self.bridge.connector.connect(self.sales.feed_status.update_state)
        self.bridge.frame_ready.connect(self.show_frame)
        self.bridge.chat.connect(self.chat.add_message)
        self.bridge.order.connect(self.sales_event)
        self.bridge.viewers.connect(self.sales_event)
        self.bridge.pin_changed.connect(self.products.on_pin_event)
        self.bridge.stream_state.connect(self.stream_state)
        self.bridge.bitrate.connect(self.bitrate_changed)
        self.bridge.encoder_problem.connect(self.encoder_failed)
        self.bridge.live_result.connect(self.live_started)
        self.bridge.ended.connect(self.live_ended)
        self._tap = controller.add_preview(self.bridge.deliver_frame, self.preview.wanted_frame_size())
        for w in (self.products, self.chat, self.sales, self.audio, self.scenes):
            w.bind(controller)
        self.layers_changed()
        self.update_sales()
        self.status_timer.start()
        self.meter_timer.start()
        self.refresh_go_button()
        for m in controller.messages:
            self.notify(m, "warning")

    def unbind(self) -> None:
        if self.controller is None:
            return
        self.status_timer.stop()
        self.meter_timer.stop()
        if self._tap is not None:
            self.controller.remove_preview(self._tap)
        if self.bridge is not None:
            self.bridge.detach()
            self.bridge.deleteLater()
            self.bridge = None
        self.controller = None

    def shutdown(self) -> None:
        """Stop the show (ending the live part cleanly) and save the profile."""
        c = self.controller
        self.unbind()
        if c is not None:
            c.shutdown()
            try:
                save_profile(c.spec, self.profile_path)
            except UserError as e:
                log.warning("could not save the profile: %s", e)

    def closeEvent(self, event) -> None:
        if self.controller is not None and self.controller.live and not self.confirm_stop():
            event.ignore()
            return
        self.shutdown()
        super().closeEvent(event)

    # -- preview ---------------------------------------------------------------------------------
    @Slot()
    def show_frame(self) -> None:
        if self.bridge is None:
            return
        latest = self.bridge.take_frame()
        if latest is not None:
            self.preview.set_frame(*latest)
        if self._tap is not None:
            self._tap.size = self.preview.wanted_frame_size()

    @Slot(int, int, int, int, int)
    def layer_moved(self, index: int, x: int, y: int, w: int, h: int) -> None:
        self.ctl.set_layer_geometry(index, x, y, w, h)

    @Slot(int)
    def layer_edited(self, _index: int) -> None:
        self.save()

    @Slot(int)
    def select_layer(self, index: int) -> None:
        self.preview.selected = index
        self.preview.update()

    @Slot()
    def layers_changed(self) -> None:
        self.preview.layer_rects = self.ctl.layer_rects()
        self.preview.update()

    def save(self) -> None:
        """Write the show to the profile (comments and layout of a hand-edited file are kept)."""
        if self.controller is None:
            return
        try:
            save_profile(self.controller.spec, self.profile_path)
        except UserError as e:
            self.notify(tr("Could not save the profile: %1").replace("%1", str(e)), "error")

    def notify(self, text: str, level: str = "info") -> None:
        """One sentence for the host, in the Messages dock (never over the status bar's figures)."""
        self.messages.add(text, level)
        if level == "error":
            self.docks["messages"].raise_()

    # -- keys ------------------------------------------------------------------------------------
    def keyPressEvent(self, event) -> None:
        key = event.key()
        plain = not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if Qt.Key.Key_1 <= key <= Qt.Key.Key_9 and plain:
            self.products.pin_number(key - Qt.Key.Key_0)
            return
        if key == Qt.Key.Key_Escape:
            self.products.unpin()
            return
        super().keyPressEvent(event)

    # -- live ------------------------------------------------------------------------------------
    @Slot()
    def toggle_live(self) -> None:
        if self._busy:
            return
        if self.ctl.live:
            if self.confirm_stop():
                self.stop_live()
        else:
            self.go_live()

    def _ask_stop(self) -> bool:
        box = QMessageBox(QMessageBox.Icon.Question, tr("Stop the show?"),
                          tr("Stop streaming to every destination and end the recording?"),
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, self)
        box.setTextFormat(Qt.TextFormat.PlainText)
        return box.exec() == QMessageBox.StandardButton.Yes

    def refresh_go_button(self) -> None:
        """Go live streams when a destination is on; with none, it only records, and says so."""
        if self.controller is None or self._busy:
            return
        c = self.controller
        if c.live:
            self.go_button.setText(tr("Stop") if c.on_air_kind == "live" else tr("Stop recording"))
            self.go_button.setStyleSheet("background:#c62828;color:white;font-weight:bold")
        else:
            self.go_button.setText(tr("Go live") if c.streams or not c.records
                                   else tr("Start recording"))

    def go_live(self) -> None:
        """Check the destinations, then start on a worker thread (encoder warm-up, sender processes)."""
        checks = self.ctl.readiness()
        skip = False
        if any(not c.ready for c in checks):
            choice = self.confirm_partial(checks)
            if choice == CANCEL:
                return
            if choice != GO:
                self.open_settings()
                return
            skip = True
        self._busy = True
        self.go_button.setEnabled(False)
        self.go_button.setText(tr("Starting…"))
        threading.Thread(target=self._go_live_worker, args=(skip,), name="studio: go live",
                         daemon=True).start()

    def _go_live_worker(self, skip_unready: bool) -> None:
        bridge, controller = self.live_bridge, self.ctl
        try:
            controller.go_live(skip_unready=skip_unready)
            bridge.live_result.emit(True, "")
        except UserError as e:
            bridge.live_result.emit(False, mask_text(str(e)))
        except Exception as e:
            log.exception("go live failed")
            bridge.live_result.emit(False, mask_text(f"{type(e).__name__}: {e}"))

    @Slot(bool, str)
    def live_started(self, ok: bool, message: str) -> None:
        self._busy = False
        self.go_button.setEnabled(True)
        self.refresh_go_button()
        if ok:
            self.go_button.setStyleSheet("background:#c62828;color:white;font-weight:bold")
        else:
            box = QMessageBox(QMessageBox.Icon.Warning, tr("Could not go live"), message, parent=self)
            box.setTextFormat(Qt.TextFormat.PlainText)
            box.setModal(False)
            box.show()
            self.notify(message, "error")
        self.update_status()

    def stop_live(self) -> None:
        self._busy = True
        self.go_button.setEnabled(False)
        self.go_button.setText(tr("Stopping…"))
        threading.Thread(target=self._end_live_worker, name="studio: end live", daemon=True).start()

    def _end_live_worker(self) -> None:
        bridge = self.live_bridge
        try:
            self.ctl.end_live()
            bridge.ended.emit("")
        except Exception as e:
            log.exception("end live failed")
            bridge.ended.emit(mask_text(str(e)))

    @Slot(str)
    def live_ended(self, message: str) -> None:
        self._busy = False
        self.go_button.setEnabled(True)
        self.go_button.setStyleSheet("")
        self.refresh_go_button()
        if message:
            self.notify(message, "error")
        summary = self.ctl.last_summary
        if summary is not None and not message:
            self.summary_dialog = SummaryDialog(summary, self)
            self.summary_dialog.setModal(False)
            self.summary_dialog.show()
        if self.pending_spec is not None:
            spec, self.pending_spec = self.pending_spec, None
            self.settings_applied(spec, True)
        self.update_status()

    @Slot(object)
    def stream_state(self, event) -> None:
        if event.state in ("reconnecting", "stalled", "gave_up", "error"):
            name = self.ctl.stats().display_name(event.output)
            word, _ = state_word(event.state)
            self.notify(f"{name}: {word} {event.message}".strip(),
                        "error" if event.state in ("gave_up", "error") else "warning")

    @Slot(object)
    def bitrate_changed(self, event) -> None:
        name = self.ctl.stats().display_name(event.output)
        text = (tr("%1: the link is slow — bitrate lowered to %2 kbps") if event.kbps < event.previous_kbps
                else tr("%1: the link recovered — bitrate back up to %2 kbps"))
        self.notify(text.replace("%1", name).replace("%2", str(event.kbps)), "info")

    @Slot(object)
    def encoder_failed(self, event) -> None:
        self.notify(event.message, "error" if event.fatal else "warning")

    @Slot()
    def status_chip_clicked(self) -> None:
        name = getattr(self, "_chip_outputs", {}).get(id(self.sender()))
        if name is None or self.controller is None:
            return
        self.destination_menu(name).popup(QCursor.pos())

    def destination_menu(self, name: str) -> QMenu:
        """Reconnect now (while it waits out a backoff), stop or start this destination alone."""
        c = self.ctl
        o = c.stats().output(name)
        menu = QMenu(self)
        now = menu.addAction(tr("Reconnect now"))
        now.setEnabled(o is not None and o.waiting_s > 0)
        now.triggered.connect(lambda: c.reconnect_now(name))
        if o is not None and o.state.value == "off":
            start = menu.addAction(tr("Start this destination"))
            start.triggered.connect(lambda: c.switch_destination(name, True))
        else:
            stop = menu.addAction(tr("Stop this destination (the show goes on)"))
            stop.setEnabled(o is not None and c.live)
            stop.triggered.connect(lambda: c.switch_destination(name, False))
        return menu

    # -- periodic --------------------------------------------------------------------------------
    @Slot()
    def update_status(self) -> None:
        c = self.controller
        if c is None:
            return
        c.tick()
        s = c.stats()
        kind = c.on_air_kind
        clock = hms(s.time)
        self.preview.live_text = {"live": tr("LIVE"), "rec": tr("REC")}.get(kind, "")
        if kind:
            self.preview.live_text += " " + clock
        self.live_label.setText(tr("On air %1").replace("%1", clock) if kind == "live" else
                                tr("Recording only %1 — not streaming").replace("%1", clock) if kind == "rec"
                                else tr("Preview"))
        parts = status_parts(s)
        while len(self.status_labels) < len(parts):
            label = StatusChip(self.status_host)
            label.setTextFormat(Qt.TextFormat.PlainText)
            label.clicked.connect(self.status_chip_clicked)
            self.status_layout.insertWidget(len(self.status_labels), label)
            self.status_labels.append(label)
        # which chip is which destination: after fps, CPU and dropped, one per output
        self._chip_outputs = {id(self.status_labels[3 + i]): o.name for i, o in enumerate(s.outputs)
                              if 3 + i < len(self.status_labels)}
        for i, label in enumerate(self.status_labels):
            label.setVisible(i < len(parts))
            if i < len(parts):
                text, tone = parts[i]
                label.setText(text)
                style = TONES[tone] + (";padding:1px 6px;border-radius:3px" if tone else "")
                if label.styleSheet() != style:
                    label.setStyleSheet(style)
        self.preview.update()

    @Slot()
    def update_meters(self) -> None:
        if self.controller is not None:
            self.audio.update_meters()

    @Slot(object)
    def sales_event(self, _event) -> None:
        if not self.sales_timer.isActive():
            self.sales_timer.start()

    @Slot()
    def update_sales(self) -> None:
        if self.controller is None:
            return
        sales = self.controller.sales()
        self.sales.update_sales(sales)
        self.products.update_counts(sales)

    # -- dialogs ---------------------------------------------------------------------------------
    @Slot()
    def open_settings(self) -> None:
        from studio.ui.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.ctl.spec, self)
        dialog.applied.connect(self.settings_applied)
        dialog.show()
        self.settings_dialog = dialog

    @Slot(object, bool)
    def settings_applied(self, spec: ShowSpec, rebuild: bool) -> None:
        """A new spec from Settings or the wizard: saved at once; the show is rebuilt from it when what
        changed needs new sources (canvas, devices, encoder, catalog, feeds) — after the show when live."""
        c = self.ctl
        if spec.language != c.spec.language:
            c.spec = replace(c.spec, language=spec.language)
            window = self.switch_language(spec.language)
            window.settings_applied(spec, rebuild)
            return
        if rebuild and c.live:
            self.pending_spec = spec
            self.notify(tr("Canvas and device changes apply after you stop the show."))
            return
        c.spec = spec if rebuild else replace(spec, layers=c.spec.layers)
        self.save()
        if rebuild:
            self.rebuild()
        self.refresh_go_button()

    def switch_language(self, language: str) -> MainWindow:
        """Speak `language` now: a new main window, built in it, takes over the running show (live or
        not, nothing stops) with this one's geometry and dock layout; this one closes."""
        from PySide6.QtWidgets import QApplication

        from studio.ui import i18n

        i18n.switch(QApplication.instance(), language)
        controller = self.ctl
        new = MainWindow(controller.spec, None, self.profile_path)
        new.confirm_stop, new.confirm_partial = self.confirm_stop, self.confirm_partial
        new.restoreGeometry(self.saveGeometry())
        new.restoreState(self.saveState())
        self.unbind()
        new.bind(controller)
        for text in self.messages.texts()[-50:]:
            new.messages.add(text)
        self.replaced_by = new
        if self.isVisible():
            new.show()
        self.close()
        return new

    def rebuild(self) -> None:
        """Restart the show from the current spec (canvas, devices, encoder, feeds changed); the pin,
        the countdown, the coupon and the sales so far carry over, and the host is told what moved."""
        old = self.ctl
        spec = old.spec
        before = old.show.config.size if old.show is not None else spec.canvas.size
        state = old.state()
        self.unbind()
        old.shutdown()
        new = StudioController(spec).start()
        lost = new.restore(state)
        new.messages.extend(lost)
        self.bind(new)
        moved = self.rebuild_note(before, self.ctl.spec, state)
        if moved:
            self.notify(moved)

    @staticmethod
    def rebuild_note(before: tuple[int, int], after: ShowSpec, state) -> str:
        if tuple(before) == after.canvas.size:
            return ""
        kept = [tr("%1 layer(s) rescaled").replace("%1", str(len(after.layers)))]
        if state.pinned:
            kept.append(tr("the pinned product"))
        if state.countdown_s:
            kept.append(tr("the countdown"))
        if state.coupon:
            kept.append(tr("the coupon"))
        kept.append(tr("the sales so far"))
        size = f"{after.canvas.width}×{after.canvas.height}"
        return tr("Canvas is now %1: kept %2.").replace("%1", size).replace("%2", ", ".join(kept))

    @Slot()
    def open_reports(self) -> None:
        from studio.app.assemble import sessions_dir
        from studio.ui.show_end import ReportsDialog

        dialog = ReportsDialog(sessions_dir(), self.ctl.spec.language, self)
        dialog.show()
        self.reports_dialog = dialog

    def wizard_done(self, wizard) -> None:
        if wizard.key_problem:
            self.notify(wizard.key_problem, "error")

    @Slot()
    def open_wizard(self) -> None:
        from studio.ui.wizard import AutoConfigWizard

        wizard = AutoConfigWizard(self.ctl.spec, self)
        wizard.applied.connect(self.settings_applied)
        wizard.applied.connect(lambda *_: self.wizard_done(wizard))
        g = self.frameGeometry()
        wizard.move(g.right() - wizard.width() - 40, g.top() + 80)
        wizard.show()
        self.wizard = wizard
