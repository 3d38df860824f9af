"""Settings → Feeds: the show's live-data connectors (chat, orders, viewers), each edited with a form
generated from its connector's declared `OPTIONS` (studio/live/connectors/options.py).

Nothing here knows a platform: the list offers every kind in `connector_types()`, the form is built
from the `Option` declarations (text/url/number/int fields, a check box for bool, a combo for choice,
a password field for secrets, advanced options under a fold), and the problems under the form are
`check_feed_options`' own sentences. A new connector therefore needs no UI code.

Two mappings follow the show model (studio/app/profile/model.py), not any connector:
* the shared `name` option is the `Feed.name` (the profile stores it beside `kind`, not among the
  options, and the assembler hands it back to the connector as `name=`);
* a secret option never holds the secret: the page keeps what the host typed in the password field
  until `apply_secrets()` stores it in the OS keyring and puts `${keyring:NAME}` in its place. Without
  a keyring the field says so in one sentence and takes the name of an environment variable instead
  (`STUDIO_SHOPIFY_TOKEN` → `${STUDIO_SHOPIFY_TOKEN}`). `feeds()` returns references only, always.

Every value from outside (option values, feed names, problem sentences that quote them) is shown as
plain text: line edits, list items and labels set to `Qt.TextFormat.PlainText`.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from PySide6.QtCore import QRegularExpression, Qt, Signal, SignalInstance, Slot
from PySide6.QtGui import QFont, QRegularExpressionValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from studio.app.profile.model import Feed
from studio.app.profile.secure import KEYRING_PREFIX, keyring_entry
from studio.core.log import get_logger
from studio.core.secrets import SECRET_REF, mask_text, set_secret
from studio.live.connectors import check_feed_options, connector_types
from studio.live.connectors.options import MAX_VALUE, TRUE, Option
from studio.ui.i18n import tr

log = get_logger("ui.feeds")

NAME_OPTION = "name"   # the option every connector shares; it is `Feed.name` in the show model
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
WARNING_STYLE = "color:#b26a00;"
DEMO_STYLE = "background:#ffb300;color:#000;font-weight:bold;padding:3px 6px;"
PROBLEM_STYLE = "color:#c62828;"


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


def feed_label(title: str, name: str) -> str:
    return f"{title} — {name}" if name else title


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


# -- one feed's form -------------------------------------------------------------------------------

class FeedForm(QWidget):
    """The generated form of one feed. `feed()` is the feed as the form now says (references only)."""

    changed = Signal()

    def __init__(self, feed: Feed, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.original = feed
        self.kind = feed.kind
        self.enabled = feed.enabled
        self.cls = connector_types().get(feed.kind)
        self.fields: dict[str, QWidget] = {}
        self.labels: dict[str, QLabel] = {}
        self._values: dict[str, Getter] = {}
        lay = QVBoxLayout(self)
        self.title = plain(getattr(self.cls, "title", "") or feed.kind, self)
        big = QFont(self.title.font())
        big.setBold(True)
        big.setPointSizeF(big.pointSizeF() * 1.15)
        self.title.setFont(big)
        lay.addWidget(self.title)
        self.notice = plain("", self, wrap=True)
        self.notice.setObjectName("feedNotice")
        self.notice.hide()
        lay.addWidget(self.notice)
        self.problems_label = plain("", self, wrap=True)
        self.problems_label.setObjectName("feedProblems")
        self.problems_label.setStyleSheet(PROBLEM_STYLE)
        if self.cls is None:
            self.notice.setText(tr("Unknown feed kind %1: this studio has no such connector, so the feed is "
                                   "kept as it is and does not run.").replace("%1", feed.kind))
            self.notice.setStyleSheet(WARNING_STYLE)
            self.notice.show()
            lay.addWidget(self.problems_label)
            lay.addStretch(1)
            return
        if getattr(self.cls, "simulated", False):
            self.notice.setText(tr("Simulated data: orders and chat are not real"))
            self.notice.setStyleSheet(DEMO_STYLE)
            self.notice.show()
        elif getattr(self.cls, "unofficial", False):
            self.notice.setText(tr("This feed uses an unofficial library: it may break when the platform "
                                   "changes."))
            self.notice.setStyleSheet(WARNING_STYLE)
            self.notice.show()
        values = feed.option_map
        options: tuple[Option, ...] = tuple(getattr(self.cls, "OPTIONS", ()))
        main = QFormLayout()
        main.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        lay.addLayout(main)
        self.advanced_button = QToolButton(self)
        self.advanced_button.setText(tr("Advanced"))
        self.advanced_button.setCheckable(True)
        self.advanced_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.advanced_button.setArrowType(Qt.ArrowType.RightArrow)
        self.advanced_button.setAutoRaise(True)
        self.advanced_button.toggled.connect(self.show_advanced)
        self.advanced = QWidget(self)
        self.advanced.setObjectName("advancedOptions")
        adv = QFormLayout(self.advanced)
        adv.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        adv.setContentsMargins(12, 0, 0, 0)
        any_advanced_set = False
        for opt in options:
            raw = feed.name if opt.name == NAME_OPTION else values.get(opt.name)
            widget, getter, signal = make_field(opt, raw, self)
            label = plain(opt.label + (" *" if opt.required else ""), self)
            if opt.help:
                label.setToolTip(opt.help)
                widget.setToolTip(opt.help)
            if opt.required:
                f = label.font()
                f.setBold(True)
                label.setFont(f)
            (adv if opt.advanced else main).addRow(label, widget)
            any_advanced_set |= opt.advanced and raw not in (None, "")
            self.fields[opt.name] = widget
            self.labels[opt.name] = label
            self._values[opt.name] = getter
            signal.connect(self._changed)
        has_advanced = any(o.advanced for o in options)
        self.advanced_button.setVisible(has_advanced)
        lay.addWidget(self.advanced_button, 0, Qt.AlignmentFlag.AlignLeft)
        lay.addWidget(self.advanced)
        self.show_advanced(False)
        if any_advanced_set:
            self.advanced_button.setChecked(True)
        if any(o.required for o in options):
            lay.addWidget(plain(tr("* required"), self))
        lay.addWidget(self.problems_label)
        lay.addStretch(1)
        self.refresh_problems()

    @Slot(bool)
    def show_advanced(self, on: bool) -> None:
        self.advanced.setVisible(on)
        self.advanced_button.setArrowType(Qt.ArrowType.DownArrow if on else Qt.ArrowType.RightArrow)

    @Slot()
    def _changed(self) -> None:
        self.refresh_problems()
        self.changed.emit()

    # -- what the form says ------------------------------------------------------------------------
    def secret_fields(self) -> dict[str, SecretField]:
        return {k: w for k, w in self.fields.items() if isinstance(w, SecretField)}

    def name(self) -> str:
        if self.cls is None or NAME_OPTION not in self._values:
            return self.original.name
        return self._values[NAME_OPTION]() or ""

    def label(self) -> str:
        return feed_label(getattr(self.cls, "title", "") or self.kind, self.name())

    def feed(self) -> Feed:
        """The feed as edited: declared options only, in declaration order, secrets as references."""
        if self.cls is None:
            return Feed(self.kind, self.original.name, self.enabled, self.original.options)
        options = []
        for key, getter in self._values.items():
            if key == NAME_OPTION:
                continue
            v = getter()
            if v is not None:
                options.append((key, v))
        return Feed(self.kind, self.name(), self.enabled, tuple(options))

    def check_options(self) -> dict[str, str]:
        """The options `check_feed_options` sees: the feed's, the name, typed secrets as references."""
        out = dict(self.feed().options)
        if self.name():
            out[NAME_OPTION] = self.name()
        for key, f in self.secret_fields().items():
            v = f.check_value()
            if v is None:
                out.pop(key, None)
            else:
                out[key] = v
        return out

    def problems(self) -> list[str]:
        if self.cls is None:
            return []
        found = [p for p in (f.problem() for f in self.secret_fields().values()) if p]
        try:
            found += check_feed_options(self.kind, self.check_options())
        except Exception as e:  # noqa: BLE001 - a connector's own check must not take the dialog down
            log.exception("check_feed_options(%s) failed", self.kind)
            found.append(tr("The options could not be checked (%1)").replace("%1", e.__class__.__name__))
        return [mask_text(p) for p in found]

    def refresh_problems(self) -> None:
        problems = self.problems()
        self.problems_label.setText("\n".join(f"• {p}" for p in problems))
        self.problems_label.setVisible(bool(problems))

    def apply_secrets(self, taken: set[str]) -> list[str]:
        """Store every typed secret of this feed; `taken` holds the keyring entries other feeds use."""
        problems = []
        for key, f in self.secret_fields().items():
            if not f.pending():
                continue
            name = f.keyring_name()
            if not name.startswith(KEYRING_PREFIX):  # a shared default entry is not this feed's to overwrite
                base = keyring_entry(self.kind, self.name(), key)
                name, n = base, 1
                while name in taken:
                    n += 1
                    name = f"{base}-{n}"
            problem = f.store(name)
            if problem:
                problems.append(problem)
            else:
                taken.add(name)
        self.refresh_problems()
        return problems


# -- the page --------------------------------------------------------------------------------------

class FeedsPage(QWidget):
    """Settings → Feeds. `feeds()` is the edited list; `apply_secrets()` stores typed secrets (call it
    before `feeds()` when the host presses OK) and returns the problems that should keep the dialog
    open: keyring failures and the check problems of every enabled feed."""

    changed = Signal()

    def __init__(self, feeds: tuple[Feed, ...], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.types = connector_types()
        h = QHBoxLayout(self)
        left = QVBoxLayout()
        self.feed_list = QListWidget(self)
        self.feed_list.setObjectName("feedList")
        self.feed_list.currentRowChanged.connect(self.select)
        self.feed_list.itemChanged.connect(self._item_changed)
        left.addWidget(self.feed_list, 1)
        row = QHBoxLayout()
        self.add_kind = QComboBox(self)
        self.add_kind.setToolTip(tr("The kind of feed to add"))
        for kind, cls in self.types.items():
            self.add_kind.addItem(getattr(cls, "title", kind) or kind, kind)
        self.add_button = QPushButton(tr("Add"), self)
        self.add_button.clicked.connect(self.add_selected_kind)
        self.remove_button = QPushButton(tr("Remove"), self)
        self.remove_button.clicked.connect(self.remove_current)
        row.addWidget(self.add_kind, 1)
        row.addWidget(self.add_button)
        row.addWidget(self.remove_button)
        left.addLayout(row)
        h.addLayout(left, 1)
        self.stack = QStackedWidget(self)
        hint = tr("No feeds: add one to show real chat and orders, or the demo feed to rehearse.")
        self.empty = plain(hint, self, wrap=True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack.addWidget(self.empty)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(self.stack)
        h.addWidget(scroll, 2)
        self.forms: list[FeedForm] = []
        for f in feeds:
            self._append(f)
        if self.forms:
            self.feed_list.setCurrentRow(0)
        self._update_buttons()

    # -- list --------------------------------------------------------------------------------------
    def _append(self, feed: Feed) -> FeedForm:
        form = FeedForm(feed, self.stack)
        self.forms.append(form)
        self.stack.addWidget(form)
        item = QListWidgetItem(form.label())  # list items are plain text
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Checked if feed.enabled else Qt.CheckState.Unchecked)
        item.setToolTip(tr("Checked: the feed runs with the show"))
        self.feed_list.blockSignals(True)
        self.feed_list.addItem(item)
        self.feed_list.blockSignals(False)
        form.changed.connect(self._form_changed)
        return form

    def current_form(self) -> FeedForm | None:
        row = self.feed_list.currentRow()
        return self.forms[row] if 0 <= row < len(self.forms) else None

    @Slot(int)
    def select(self, row: int) -> None:
        self.stack.setCurrentWidget(self.forms[row] if 0 <= row < len(self.forms) else self.empty)
        self._update_buttons()

    @Slot()
    def add_selected_kind(self) -> None:
        kind = self.add_kind.currentData()
        if kind:
            self.add_feed(kind)

    def add_feed(self, kind: str) -> FeedForm:
        """A new, enabled feed of `kind` with no options yet, selected."""
        form = self._append(Feed(kind=kind))
        self.feed_list.setCurrentRow(len(self.forms) - 1)
        self.changed.emit()
        return form

    @Slot()
    def remove_current(self) -> None:
        row = self.feed_list.currentRow()
        if not 0 <= row < len(self.forms):
            return
        form = self.forms.pop(row)
        self.feed_list.takeItem(row)
        self.stack.removeWidget(form)
        form.deleteLater()
        self.select(self.feed_list.currentRow())
        self.changed.emit()

    @Slot(QListWidgetItem)
    def _item_changed(self, item: QListWidgetItem) -> None:
        row = self.feed_list.row(item)
        if 0 <= row < len(self.forms):
            on = item.checkState() == Qt.CheckState.Checked
            if self.forms[row].enabled != on:
                self.forms[row].enabled = on
                self.changed.emit()

    @Slot()
    def _form_changed(self) -> None:
        form = self.sender()
        if isinstance(form, FeedForm) and form in self.forms:
            item = self.feed_list.item(self.forms.index(form))
            if item is not None and item.text() != form.label():
                item.setText(form.label())
        self.changed.emit()

    def _update_buttons(self) -> None:
        self.remove_button.setEnabled(self.current_form() is not None)

    # -- results -----------------------------------------------------------------------------------
    def feeds(self) -> tuple[Feed, ...]:
        """The feeds as edited, in list order; secret options are references (typed secrets that
        `apply_secrets()` has not stored yet are left out)."""
        return tuple(form.feed() for form in self.forms)

    def problems(self) -> list[str]:
        """The check problems of every enabled feed, each prefixed with the feed it belongs to."""
        out = []
        for form in self.forms:
            if form.enabled:
                out += [f"{form.label()}: {p}" for p in form.problems()]
        return out

    def apply_secrets(self) -> list[str]:
        """Store every typed secret in the OS keyring (a `${keyring:NAME}` reference takes its place);
        the problems, as sentences: a keyring that is not there (the field then asks for an environment
        variable), and what `problems()` finds. After it `feeds()` holds only references."""
        fields = [f for form in self.forms for f in form.secret_fields().values()]
        taken = {f.keyring_name() for f in fields if f.keyring_name()}
        out = []
        for form in self.forms:
            out += [f"{form.label()}: {p}" for p in form.apply_secrets(taken)]
        out += self.problems()
        for row, form in enumerate(self.forms):
            if any(f.keyring_failed for f in form.secret_fields().values()):
                self.feed_list.setCurrentRow(row)
                break
        return out

