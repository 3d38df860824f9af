"""The fields of a feed's form, one per declared `Option` (studio/live/connectors/options.py): text,
url, number and int line edits (validated as typed), a check box for bool, a combo for choice, and the
secret field — a password edit whose value goes to the OS keyring (or the studio's encrypted key file
when there is no keyring), leaving only a `${keyring:NAME}` reference, or the name of an environment
variable. Every value is plain text."""

from __future__ import annotations

import re
from collections.abc import Callable

from PySide6.QtCore import QRegularExpression, Qt, Signal, SignalInstance, Slot
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from studio.core.log import get_logger
from studio.core.secrets import SECRET_REF, mask_text, set_secret
from studio.live.connectors.options import MAX_VALUE, TRUE, Option
from studio.ui.i18n import tr
from studio.ui.keyfile import offer_key_file

log = get_logger("ui.feeds")

_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
WARNING_STYLE = "color:#b26a00;"


def plain(text: str = "", parent: QWidget | None = None, *, wrap: bool = False) -> QLabel:
    """A label that never reads its text as markup: names, values and messages come from outside."""
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(text)
    label.setWordWrap(wrap)
    return label


def keyring_name_of(ref: str) -> str:
    """NAME of a `${keyring:NAME}` reference; "" for anything else."""
    m = SECRET_REF.fullmatch(ref.strip())
    return m.group("kname") if m and m.group("keyring") else ""


def env_name_of(ref: str) -> str:
    """ENV of a `${ENV}` reference; "" for anything else."""
    m = SECRET_REF.fullmatch(ref.strip())
    return m.group("name") if m and not m.group("keyring") and _ENV_NAME.fullmatch(m.group("name")) else ""


def no_keyring_sentence(opt: Option) -> str:
    return (tr("No OS keyring is available on this machine, so the %1 was not saved: put it in an "
               "environment variable such as %2 and type that variable's name below.")
            .replace("%1", opt.label).replace("%2", opt.env_var or "STUDIO_TOKEN"))


# -- fields ----------------------------------------------------------------------------------------

def _number_validator(opt: Option, parent: QWidget) -> QRegularExpressionValidator:
    sign = "-?" if opt.minimum is None or opt.minimum < 0 else ""
    pattern = rf"{sign}[0-9]{{0,20}}" if opt.kind == "int" else rf"{sign}[0-9]{{0,15}}(\.[0-9]{{0,9}})?"
    return QRegularExpressionValidator(QRegularExpression(pattern), parent)


class SecretField(QWidget):
    """A secret option: a password field whose text goes to the keyring on `store()`, or the name of
    an environment variable. `value()` is the reference the feed keeps (never the typed secret)."""

    changed = Signal()

    def __init__(self, opt: Option, ref: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.opt = opt
        self.ref = ref.strip()
        self.keyring_failed = False
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        self.edit = QLineEdit(self)
        self.edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.edit.setMaxLength(MAX_VALUE)
        self.edit.textChanged.connect(self._edited)
        self.clear_button = QPushButton(tr("Clear"), self)
        self.clear_button.setToolTip(tr("Forget this feed's reference (the keyring entry stays)"))
        self.clear_button.clicked.connect(self.clear)
        row.addWidget(self.edit, 1)
        row.addWidget(self.clear_button)
        lay.addLayout(row)
        self.status = plain("", self, wrap=True)
        self.status.setObjectName("secretStatus")
        lay.addWidget(self.status)
        self.env_row = QWidget(self)
        env = QHBoxLayout(self.env_row)
        env.setContentsMargins(0, 0, 0, 0)
        env.addWidget(plain(tr("Environment variable"), self.env_row))
        self.env_edit = QLineEdit(self.env_row)
        self.env_edit.setPlaceholderText(opt.env_var)
        self.env_edit.setMaxLength(128)
        self.env_edit.textChanged.connect(self._edited)
        env.addWidget(self.env_edit, 1)
        lay.addWidget(self.env_row)
        self.mode_button = QPushButton(self)
        self.mode_button.setFlat(True)
        self.mode_button.clicked.connect(self.toggle_env)
        lay.addWidget(self.mode_button, 0, Qt.AlignmentFlag.AlignLeft)
        env_name = env_name_of(self.ref)
        if env_name:
            self.env_edit.setText(env_name)
        self._set_env_mode(bool(env_name))

    # the two ways a secret can reach the feed
    @property
    def env_mode(self) -> bool:
        return not self.env_row.isHidden()

    def _set_env_mode(self, on: bool) -> None:
        self.env_row.setVisible(on)
        self.edit.setEnabled(not on)
        if on:
            self.edit.clear()
        self.mode_button.setText(tr("Store it in the OS keyring instead") if on else
                                 tr("Use an environment variable instead"))
        self._refresh()

    @Slot()
    def toggle_env(self) -> None:
        self._set_env_mode(not self.env_mode)
        self.changed.emit()

    @Slot()
    def clear(self) -> None:
        self.ref = ""
        self.edit.clear()
        self.env_edit.clear()
        self.keyring_failed = False
        self._refresh()
        self.changed.emit()

    @Slot()
    def _edited(self) -> None:
        if self.edit.text():
            self.keyring_failed = False
        self._refresh()
        self.changed.emit()

    def env_name(self) -> str:
        return self.env_edit.text().strip()

    def pending(self) -> str:
        """The secret typed and not yet stored ("" when none)."""
        return "" if self.env_mode else self.edit.text().strip()

    def value(self) -> str | None:
        """The reference the feed keeps: ${ENV}, ${keyring:NAME}, or None (the connector's own lookup)."""
        if self.env_mode:
            name = self.env_name()
            return f"${{{name}}}" if _ENV_NAME.fullmatch(name) else None
        return self.ref if self.keyring_name() else None

    def check_value(self) -> str | None:
        """What the problems check sees: a typed secret counts as the reference it will become."""
        if self.pending():
            return self.opt.reference
        return self.value()

    def problem(self) -> str | None:
        name = self.env_name()
        if self.env_mode and name and not _ENV_NAME.fullmatch(name):
            return (tr("%1: %2 is not an environment variable name (letters, digits and _)")
                    .replace("%1", self.opt.name).replace("%2", repr(mask_text(name)[:40])))
        return None

    def store(self, name: str) -> str | None:
        """Put the typed secret in the keyring entry `name`; the problem sentence when there is no keyring."""
        secret = self.pending()
        if not secret:
            return None
        try:
            try:
                set_secret(name, secret)
            except Exception:  # noqa: BLE001 - no OS keyring: the encrypted key file, if the host wants it
                if not offer_key_file(self):
                    raise
                set_secret(name, secret)
        except Exception as e:  # noqa: BLE001 - keyring backends raise their own types; all mean "not here"
            log.warning("keyring unavailable for %s: %s", name, e.__class__.__name__)
            self.edit.clear()   # the secret is not kept anywhere, not even in the form
            self.keyring_failed = True
            self._set_env_mode(True)
            self.changed.emit()
            return no_keyring_sentence(self.opt)
        self.ref = f"${{keyring:{name}}}"
        self.edit.clear()
        self._refresh()
        self.changed.emit()
        return None

    def keyring_name(self) -> str:
        return keyring_name_of(self.ref)

    def _refresh(self) -> None:
        opt = self.opt
        if self.keyring_failed:
            text = no_keyring_sentence(opt)
        elif self.env_mode:
            name = self.env_name()
            if name:
                text = tr("Read from the environment variable %1 when the show starts").replace("%1", name)
            else:
                text = tr("Type the name of the environment variable that holds it, e.g. %1")
                text = text.replace("%1", opt.env_var)
        elif self.edit.text().strip():
            text = tr("Stored in the OS keyring when you press OK")
        elif self.keyring_name():
            text = tr("Stored in the OS keyring")
        else:
            text = (tr("Not set: the feed reads %1 from the environment, else the keyring entry %2")
                    .replace("%1", opt.env_var).replace("%2", opt.keyring_name))
        self.status.setText(text)
        self.status.setStyleSheet(WARNING_STYLE if self.keyring_failed else "")
        self.edit.setPlaceholderText(tr("stored in keyring — type to replace") if self.keyring_name() else
                                     tr("Paste it here: it is stored in the OS keyring"))
        self.clear_button.setEnabled(bool(self.ref or self.edit.text() or self.env_edit.text()))


Getter = Callable[[], "str | None"]


def make_field(opt: Option, raw: str | None, parent: QWidget) -> tuple[QWidget, Getter, SignalInstance]:
    """The editor for one option: (widget, value getter, its change signal). The getter returns the
    text the feed keeps for the option, or None to leave it out (the connector's default applies)."""
    if opt.secret:
        f = SecretField(opt, raw or "", parent)
        return f, f.value, f.changed
    if opt.kind == "bool":
        box = QCheckBox(parent)
        default = (opt.default or "").strip().lower() in TRUE
        box.setChecked((raw or "").strip().lower() in TRUE if raw not in (None, "") else default)

        def flag() -> str | None:
            if box.isChecked() == default and raw in (None, ""):
                return None   # untouched and the default: leave it to the connector
            return "true" if box.isChecked() else "false"

        return box, flag, box.toggled
    if opt.kind == "choice":
        combo = QComboBox(parent)
        if opt.default is None and not opt.required:
            combo.addItem(tr("(not set)"), "")
        for c in opt.choices:
            combo.addItem(c, c)  # item text is plain text
        current = raw if raw in opt.choices else (opt.default if opt.default in opt.choices else None)
        if current is not None:
            combo.setCurrentIndex(combo.findData(current))
        if raw and raw not in opt.choices:   # keep a value the declaration no longer has: the check says so
            combo.addItem(raw, raw)
            combo.setCurrentIndex(combo.count() - 1)

        def choice() -> str | None:
            v = combo.currentData() or ""
            return None if not v or (v == opt.default and raw in (None, "")) else v

        return combo, choice, combo.currentIndexChanged
    edit = QLineEdit(parent)
    edit.setMaxLength(MAX_VALUE)
    if opt.kind in ("number", "int"):
        edit.setValidator(_number_validator(opt, edit))
    hint = opt.placeholder or (opt.default or "")
    if hint:
        edit.setPlaceholderText(hint)
    edit.setText(raw or "")
    return edit, lambda: edit.text().strip() or None, edit.textChanged
