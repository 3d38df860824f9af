"""The Messages dock: every sentence the studio has for the host (start-up fallbacks, a destination
that dropped, a setting that waits for the show to end), newest last, as plain text. The status bar
keeps the figures; a message never covers them."""

from __future__ import annotations

import re
import time

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from studio.core.secrets import mask_text
from studio.ui.i18n import tr

MAX_MESSAGES = 500
COLORS = {"warning": "#b26a00", "error": "#c62828"}


def _templates() -> list[tuple[re.Pattern[str], str]]:
    """The engine's sentences (studio/app, English) and their translations; %1, %2 are the parts that
    vary. Built at call time so that the window's current language is used."""
    pairs = [
        (r"No camera found: the test pattern is shown instead\.",
         tr("No camera found: the test pattern is shown instead.")),
        (r"No microphone found: a muted test tone stands in for it\.",
         tr("No microphone found: a muted test tone stands in for it.")),
        (r"(.+) The test pattern is shown instead\.", tr("%1 The test pattern is shown instead.")),
        (r"(.+) A muted test tone stands in for it\.", tr("%1 A muted test tone stands in for it.")),
        (r"Layer '(.+)' is switched off: (.+)", tr("Layer '%1' is switched off: %2")),
        (r"The catalog is off: (.+)", tr("The catalog is off: %1")),
        (r"(.+): no product could be imported\.", tr("%1: no product could be imported.")),
        (r"Feed '(.+)' is off: (.+)", tr("Feed '%1' is off: %2")),
        (r"Product (.+) is not pinned: there is no catalog\.",
         tr("Product %1 is not pinned: there is no catalog.")),
        (r"Product (.+) is not pinned: it is not in the catalog\.",
         tr("Product %1 is not pinned: it is not in the catalog.")),
        (r"Product (.+) is no longer pinned: it is not in the new catalog\.",
         tr("Product %1 is no longer pinned: it is not in the new catalog.")),
        (r"The QR code is off: (.+) forbid\(s\) QR codes that lead off the platform\.",
         tr("The QR code is off: %1 forbid(s) QR codes that lead off the platform.")),
        ((r'The QR code is off on a 9:16 canvas: viewers watch on the phone they would scan with\. '
          r'Set qr = "product" to show it anyway\.'),
         tr('The QR code is off on a 9:16 canvas: viewers watch on the phone they would scan with. '
            'Set qr = "product" to show it anyway.')),
        (r"Your settings were moved to the show profile (.+)\.",
         tr("Your settings were moved to the show profile %1.")),
        (r"no stream key: nothing in the OS keyring; get it at (.+)",
         tr("no stream key: nothing in the OS keyring; get it at %1")),
        (r"no stream key: nothing in the OS keyring", tr("no stream key: nothing in the OS keyring")),
        (r"no stream key: nothing in the environment variable (\S+); get it at (.+)",
         tr("no stream key: nothing in the environment variable %1; get it at %2")),
        (r"no stream key: nothing in the environment variable (\S+)",
         tr("no stream key: nothing in the environment variable %1")),
        (r"no stream key at the end of the address \(rtmp://host/app/KEY\); get it at (.+)",
         tr("no stream key at the end of the address (rtmp://host/app/KEY); get it at %1")),
        (r"no stream key at the end of the address \(rtmp://host/app/KEY\)",
         tr("no stream key at the end of the address (rtmp://host/app/KEY)")),
        (r"no server address — choose a server in Settings → Destinations",
         tr("no server address — choose a server in Settings → Destinations")),
    ]
    return [(re.compile(p + r"\Z", re.DOTALL), t) for p, t in pairs]


def localize(text: str) -> str:
    """An engine sentence in the window's language when it is one the studio knows; as it is otherwise."""
    for pattern, template in _templates():
        m = pattern.match(text)
        if m:
            out = template
            for i, part in enumerate(m.groups(), 1):
                out = out.replace(f"%{i}", localize(part))
            return out
    return text


class MessagesDock(QWidget):
    added = Signal(str, str)   # text, level

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.list = QListWidget(self)
        self.list.setWordWrap(True)
        lay.addWidget(self.list)

    def add(self, text: str, level: str = "info") -> None:
        text = mask_text(localize(" ".join(str(text).split())))[:1000]
        item = QListWidgetItem(time.strftime("%H:%M:%S ") + text)   # QListWidgetItem text is never markup
        item.setData(Qt.ItemDataRole.UserRole, level)
        if level in COLORS:
            item.setForeground(QColor(COLORS[level]))
        self.list.addItem(item)
        while self.list.count() > MAX_MESSAGES:
            self.list.takeItem(0)
        self.list.scrollToBottom()
        self.added.emit(text, level)

    def texts(self) -> list[str]:
        return [self.list.item(i).text()[9:] for i in range(self.list.count())]
