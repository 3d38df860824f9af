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

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
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
from studio.core.secrets import mask_text
from studio.live.connectors import check_feed_options, connector_types
from studio.live.connectors.options import Option
from studio.ui.feed_fields import WARNING_STYLE, Getter, SecretField, make_field, plain
from studio.ui.i18n import tr

log = get_logger("ui.feeds")

NAME_OPTION = "name"   # the option every connector shares; it is `Feed.name` in the show model
DEMO_STYLE = "background:#ffb300;color:#000;font-weight:bold;padding:3px 6px;"
PROBLEM_STYLE = "color:#c62828;"


def feed_label(title: str, name: str) -> str:
    return f"{title} — {name}" if name else title


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

