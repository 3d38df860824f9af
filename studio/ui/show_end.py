"""What the host sees around a show: which destinations are not ready at Go live, the summary at
Stop (with the report and the recording one click away), and the list of past shows."""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QMessageBox,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from studio.app.readiness import DestinationCheck
from studio.app.summary import PastShow, ShowSummary, ensure_report, past_shows
from studio.core.log import get_logger
from studio.core.secrets import mask_text
from studio.media.outputs.summary import DestinationSummary
from studio.ui.i18n import tr
from studio.ui.messages import localize
from studio.ui.products import plain_label

log = get_logger("ui.show_end")

GO, SETTINGS, CANCEL = "go", "settings", "cancel"


def hms(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"


def money(gmv: dict[str, str]) -> str:
    return ", ".join(f"{v} {k}" for k, v in gmv.items()) or "0"


def open_path(path: Path) -> bool:
    """Open a file or folder with the desktop's own application; False when there is none."""
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


# -- Go live -------------------------------------------------------------------------------------
def readiness_text(checks: list[DestinationCheck]) -> str:
    lines = []
    for c in checks:
        if c.ready:
            lines.append(tr("✓ %1: ready").replace("%1", c.label))
            lines.extend("   " + w for w in c.warnings)
        else:
            lines.append(tr("✗ %1: %2").replace("%1", c.label).replace("%2", localize(c.problem)))
    return mask_text("\n".join(lines))


def ask_partial(parent: QWidget, checks: list[DestinationCheck], records: bool) -> str:
    """Some destinations are not ready: go live with the others (or record only), fix them, or wait."""
    ready = [c for c in checks if c.ready]
    box = QMessageBox(QMessageBox.Icon.Warning, tr("Not every destination is ready"),
                      readiness_text(checks), parent=parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    go = None
    if ready:
        go = box.addButton(tr("Go live with %n ready destination(s)").replace("%n", str(len(ready))),
                           QMessageBox.ButtonRole.AcceptRole)
    elif records:
        go = box.addButton(tr("Only record"), QMessageBox.ButtonRole.AcceptRole)
    fix = box.addButton(tr("Open Settings"), QMessageBox.ButtonRole.ActionRole)
    box.addButton(tr("Cancel"), QMessageBox.ButtonRole.RejectRole)
    links = sorted({c.key_link for c in checks if not c.ready and c.key_link})
    if links:
        box.setInformativeText(tr("Get your stream key at:") + "\n" + "\n".join(links))
    box.exec()
    clicked = box.clickedButton()
    if go is not None and clicked is go:
        return GO
    return SETTINGS if clicked is fix else CANCEL


# -- Stop ----------------------------------------------------------------------------------------
def destination_line(d: DestinationSummary) -> str:
    """What one destination got, in the window's language (the engine's `line()` in English)."""
    if not d.went_live:
        return tr("%1: never went live: %2").replace("%1", d.name).replace(
            "%2", localize(d.never_reason) or tr("no connection was made"))
    at = time.strftime("%H:%M:%S", time.localtime(d.first_live_at))
    rate = (str(d.bitrate_max_kbps) if d.bitrate_min_kbps == d.bitrate_max_kbps
            else f"{d.bitrate_min_kbps}–{d.bitrate_max_kbps}")
    return (tr("%1: live from %2 for %3, %4 reconnect(s), %5 kbps, %6 frame(s) dropped")
            .replace("%1", d.name).replace("%2", at).replace("%3", hms(d.live_s))
            .replace("%4", str(d.reconnects)).replace("%5", rate).replace("%6", str(d.frames_dropped)))


def summary_lines(s: ShowSummary) -> list[str]:
    lines = [tr("On air %1").replace("%1", hms(s.on_air_seconds))]
    if s.off_air_seconds >= 1:
        lines[0] += " " + tr("(%1 off air while connecting or reconnecting)").replace(
            "%1", hms(s.off_air_seconds))
    if s.demo:
        lines.append(tr("DEMO DATA — simulated orders and chat"))
    lines.append(tr("Orders %1 · GMV %2 · peak viewers %3 · chat %4").replace("%1", str(s.orders))
                 .replace("%2", money(s.gmv)).replace("%3", str(s.peak_viewers))
                 .replace("%4", str(s.chat_messages)))
    if s.top_products:
        lines.append(tr("Top products: %1").replace(
            "%1", ", ".join(f"{title} ({n})" for title, n in s.top_products)))
    for d in s.destinations:
        lines.append(destination_line(d))
    if s.recording is not None:
        lines.append(tr("Recording: %1").replace("%1", str(s.recording)))
    if s.problem:
        lines.append(s.problem)
    return [mask_text(line) for line in lines]


class SummaryDialog(QDialog):
    """The show just ended: its figures, and the report and the recording one click away."""

    def __init__(self, summary: ShowSummary, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary = summary
        self.setWindowTitle(tr("The show has ended"))
        lay = QVBoxLayout(self)
        self.text = plain_label("\n".join(summary_lines(summary)), self)
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lay.addWidget(self.text)
        row = QHBoxLayout()
        self.open_report = QPushButton(tr("Open report"), self)
        self.open_report.setEnabled(summary.report_path is not None)
        self.open_report.clicked.connect(self.report)
        self.open_folder = QPushButton(tr("Open recording folder"), self)
        self.open_folder.setEnabled(summary.recording is not None)
        self.open_folder.clicked.connect(self.folder)
        close = QPushButton(tr("Close"), self)
        close.clicked.connect(self.accept)
        for b in (self.open_report, self.open_folder):
            row.addWidget(b)
        row.addStretch(1)
        row.addWidget(close)
        lay.addLayout(row)
        self.setMinimumWidth(520)
        self.opener = open_path

    @Slot()
    def report(self) -> None:
        if self.summary.report_path is not None:
            self.opener(self.summary.report_path)

    @Slot()
    def folder(self) -> None:
        if self.summary.recording is not None:
            self.opener(self.summary.recording.parent)


class ReportsDialog(QDialog):
    """Past shows, newest first: date, time on air, orders, GMV; open one's report."""

    def __init__(self, folder: Path, lang: str = "en", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Reports"))
        self.lang = lang
        self.opener = open_path
        lay = QVBoxLayout(self)
        self.list = QTreeWidget(self)
        self.list.setHeaderLabels([tr("Show"), tr("On air"), tr("Orders"), tr("GMV")])
        self.list.setRootIsDecorated(False)
        self.shows: list[PastShow] = past_shows(folder)
        for show in self.shows:
            when = time.strftime("%Y-%m-%d %H:%M", time.localtime(show.started)) if show.started else "—"
            label = when + (" · " + tr("demo") if show.demo else "")
            item = QTreeWidgetItem([label, hms(show.on_air_seconds), str(show.orders), money(show.gmv)])
            item.setToolTip(0, str(show.log_path))
            self.list.addTopLevelItem(item)
        self.list.itemDoubleClicked.connect(lambda *_: self.open_selected())
        lay.addWidget(self.list)
        self.empty = plain_label(tr("No show has been recorded yet: the reports of your shows appear here."),
                                 self)
        self.empty.setVisible(not self.shows)
        lay.addWidget(self.empty)
        buttons = QDialogButtonBox(self)
        self.open_button = buttons.addButton(tr("Open report"), QDialogButtonBox.ButtonRole.ActionRole)
        self.open_button.clicked.connect(self.open_selected)
        buttons.addButton(tr("Close"), QDialogButtonBox.ButtonRole.RejectRole).clicked.connect(self.reject)
        lay.addWidget(buttons)
        first = self.list.topLevelItem(0)
        if first is not None:
            self.list.setCurrentItem(first)
        self.resize(620, 380)

    @Slot()
    def open_selected(self) -> Path | None:
        item = self.list.currentItem()
        i = self.list.indexOfTopLevelItem(item) if item is not None else -1
        if not 0 <= i < len(self.shows):
            return None
        try:
            path = ensure_report(self.shows[i], self.lang)
        except Exception as e:  # noqa: BLE001 - a log deleted meanwhile, a full disk
            log.warning("report failed: %s", e)
            QMessageBox.warning(self, tr("Reports"), mask_text(tr("The report could not be written: %1")
                                                               .replace("%1", str(e))))
            return None
        self.opener(path)
        return path
