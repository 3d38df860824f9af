"""Translations: Qt .ts files (source of truth, edited with Qt Linguist) compiled to .qm by
`python -m studio.ui.i18n.build` (pyside6-lrelease). Every UI string goes through `tr()`, one context
("Studio"), so the build's own extractor finds them. When a .qm is missing (a source checkout where the
build step did not run) the .ts is read at run time by `TsTranslator`.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QTranslator

CONTEXT = "Studio"
HERE = Path(__file__).resolve().parent
LANGUAGES = {"en": "English", "zh_CN": "简体中文"}


def tr(text: str) -> str:
    return QCoreApplication.translate(CONTEXT, text)


class TsTranslator(QTranslator):
    """Translations straight from a .ts file (finished and unfinished entries with text)."""

    def __init__(self, path: Path, parent=None) -> None:
        super().__init__(parent)
        self._map: dict[tuple[str, str], str] = {}
        root = ET.parse(path).getroot()
        for ctx in root.iter("context"):
            name = ctx.findtext("name") or ""
            for msg in ctx.iter("message"):
                src, tr_el = msg.findtext("source"), msg.find("translation")
                if src and tr_el is not None and tr_el.text:
                    self._map[(name, src)] = tr_el.text

    def translate(self, context, source_text, disambiguation=None, n=-1):
        return self._map.get((context, source_text), "")

    def isEmpty(self) -> bool:
        return not self._map


def install(app, language: str) -> tuple[QTranslator | None, str]:
    """Install the translator for `language` on `app`; (translator, how) where how is "qm", "ts" or ""."""
    if language in ("", "en"):
        app._studio_translator = None
        return None, ""
    qm, ts = HERE / f"studio_{language}.qm", HERE / f"studio_{language}.ts"
    translator: QTranslator | None = None
    how = ""
    if qm.exists():
        translator = QTranslator(app)
        if translator.load(str(qm)):
            how = "qm"
        else:
            translator = None
    if translator is None and ts.exists():
        translator, how = TsTranslator(ts, app), "ts"
    if translator is not None:
        app.installTranslator(translator)
    app._studio_translator = translator
    install_qt_own(app, language)
    return translator, how


def switch(app, language: str) -> None:
    """Another language now: the studio's and Qt's own translators replaced (windows built after this
    speak it; the main window rebuilds itself, see MainWindow.switch_language)."""
    uninstall(app, getattr(app, "_studio_translator", None))
    install(app, language)


def install_qt_own(app, language: str) -> bool:
    """Qt's own words (the OK / Cancel / Yes / No of message boxes and dialogs) from the qtbase
    translations that ship with PySide6."""
    qt = QTranslator(app)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if not qt.load(f"qtbase_{language}", folder):
        return False
    app.installTranslator(qt)
    app._studio_qt_translator = qt  # installTranslator does not own it
    return True


def uninstall(app, translator: QTranslator | None) -> None:
    """Back to English: remove `translator` (from `install`) and Qt's own."""
    if translator is not None:
        app.removeTranslator(translator)
    if getattr(app, "_studio_translator", None) is translator:
        app._studio_translator = None
    qt = getattr(app, "_studio_qt_translator", None)
    if qt is not None:
        app.removeTranslator(qt)
        app._studio_qt_translator = None
