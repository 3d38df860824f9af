"""The layers dock: every layer of the show (video, image, text), top of the list drawn last (on top),
with visibility, order, add, edit and remove. Position and size are also edited by dragging on the
preview. The dock edits the show model through the controller (a new spec each time), never a live
compositor object."""

from __future__ import annotations

import functools
from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from studio.app.profile.model import MAX_SIDE, Layer
from studio.core.errors import UserError
from studio.ui.i18n import tr


def kind_label(kind: str) -> str:
    return {"video": tr("Video"), "image": tr("Image"), "text": tr("Text")}.get(kind, kind)


class LayerDialog(QDialog):
    """Edit one layer: what it shows, position and size (0 = full/own size), crop, opacity, text style."""

    def __init__(self, layer: Layer, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Layer"))
        self.kind = layer.kind
        form = QFormLayout(self)
        self.name = QLineEdit(layer.name, self)
        form.addRow(tr("Name"), self.name)
        shown = {"video": layer.source, "image": layer.path, "text": layer.text}[layer.kind]
        self.what = QLineEdit(shown, self)
        self.what.setObjectName("layerWhat")
        label = {"video": tr("Source (testsrc, camera:0, file:PATH, url:URL)"), "image": tr("Image file"),
                 "text": tr("Text")}[layer.kind]
        form.addRow(label, self.what)
        if layer.kind == "image":
            browse = QPushButton(tr("Browse…"), self)
            browse.clicked.connect(self.browse)
            form.addRow("", browse)

        def spin(value: int, lo: int, hi: int, name: str) -> QSpinBox:
            box = QSpinBox(self)
            box.setRange(lo, hi)
            box.setValue(value)
            box.setObjectName(name)
            return box

        self.x_box = spin(layer.x, -MAX_SIDE, MAX_SIDE, "x")
        self.y_box = spin(layer.y, -MAX_SIDE, MAX_SIDE, "y")
        self.w_box = spin(layer.width or 0, 0, MAX_SIDE, "width")
        self.h_box = spin(layer.height or 0, 0, MAX_SIDE, "height")
        boxes = ((tr("X"), self.x_box), (tr("Y"), self.y_box), (tr("Width (0: full size)"), self.w_box),
                 (tr("Height (0: full size)"), self.h_box))
        for text, box in boxes:
            form.addRow(text, box)
        self.crop = [spin(v, 0, MAX_SIDE, f"crop{i}") for i, v in enumerate(layer.crop)]
        if layer.kind == "video":
            row = QHBoxLayout()
            for box in self.crop:
                row.addWidget(box)
            form.addRow(tr("Crop left, top, right, bottom"), row)
        self.opacity = QDoubleSpinBox(self)
        self.opacity.setRange(0.0, 1.0)
        self.opacity.setSingleStep(0.05)
        self.opacity.setValue(layer.opacity)
        form.addRow(tr("Opacity"), self.opacity)
        self.font_size = spin(layer.font_size, 6, 400, "fontSize")
        self.color = QLineEdit(layer.color, self)
        self.background = QLineEdit(layer.background, self)
        self.background.setPlaceholderText(tr("none, or #rrggbb / #rrggbbaa"))
        if layer.kind == "text":
            form.addRow(tr("Font size"), self.font_size)
            form.addRow(tr("Colour"), self.color)
            form.addRow(tr("Background"), self.background)
        ok_cancel = QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        buttons = QDialogButtonBox(ok_cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.base = layer

    @Slot()
    def browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, tr("Image file"), "",
                                              "Images (*.png *.jpg *.jpeg *.webp)")
        if path:
            self.what.setText(path)

    def layer(self) -> Layer:
        """The edited layer; UserError naming what is wrong (the colour, an empty source)."""
        import re
        from dataclasses import replace

        what = self.what.text().strip()
        if not what:
            raise UserError(tr("A layer needs something to show: a source, an image file or a text."))
        for box in (self.color, self.background):
            value = box.text().strip()
            if value and not re.fullmatch(r"#[0-9a-fA-F]{6}([0-9a-fA-F]{2})?", value):
                raise UserError(tr("Colour %1 is not #rrggbb or #rrggbbaa, e.g. #ffffff")
                                .replace("%1", value[:20]))
        left, top, right, bottom = (b.value() for b in self.crop)
        edited = replace(self.base, name=self.name.text().strip(), x=self.x_box.value(), y=self.y_box.value(),
                         width=self.w_box.value() or None, height=self.h_box.value() or None,
                         crop=(left, top, right, bottom), opacity=self.opacity.value(),
                         font_size=self.font_size.value(), color=self.color.text().strip() or "#ffffff",
                         background=self.background.text().strip())
        if self.kind == "video":
            return replace(edited, source=what)
        if self.kind == "image":
            return replace(edited, path=what)
        return replace(edited, text=what)


class ScenesDock(QWidget):
    changed = Signal()
    edited = Signal()      # the host changed the layers: the window saves the profile
    selected = Signal(int)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.controller: Any = None  # the bound StudioController (bind() comes before any slot)
        lay = QVBoxLayout(self)
        self.list = QListWidget(self)
        self.list.itemChanged.connect(self.item_changed)
        self.list.currentRowChanged.connect(self.row_changed)
        lay.addWidget(self.list, 1)
        row = QHBoxLayout()
        self.add_button = QPushButton(tr("Add…"), self)
        add_menu = QMenu(self.add_button)
        for kind in ("video", "image", "text"):
            add_menu.addAction(kind_label(kind), functools.partial(self.add, kind))
        self.add_button.setMenu(add_menu)
        row.addWidget(self.add_button)
        for text, slot in ((tr("Edit…"), self.edit), (tr("Remove"), self.remove), (tr("Up"), self.up),
                           (tr("Down"), self.down)):
            b = QPushButton(text, self)
            b.clicked.connect(slot)
            row.addWidget(b)
        self.list.itemDoubleClicked.connect(lambda _item: self.edit())
        lay.addLayout(row)

    def bind(self, controller) -> None:
        self.controller = controller
        self.refresh()

    def _index_of_row(self, row: int) -> int:
        return len(self.controller.layers) - 1 - row   # the list shows the top layer first

    def refresh(self, select_index: int | None = None) -> None:
        self.list.blockSignals(True)
        self.list.clear()
        for i in reversed(range(len(self.controller.layers))):
            spec = self.controller.layers[i]
            item = QListWidgetItem(f"{kind_label(spec.kind)}: {spec.label}")
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            visible = self.controller.layers[i].visible
            item.setCheckState(Qt.CheckState.Checked if visible else Qt.CheckState.Unchecked)
            self.list.addItem(item)
        if select_index is not None and select_index >= 0:
            self.list.setCurrentRow(self._index_of_row(select_index))
        self.list.blockSignals(False)
        self.changed.emit()

    @Slot(QListWidgetItem)
    def item_changed(self, item: QListWidgetItem) -> None:
        i = self._index_of_row(self.list.row(item))
        self.controller.set_layer_visible(i, item.checkState() == Qt.CheckState.Checked)
        self.changed.emit()
        self.edited.emit()

    @Slot(int)
    def row_changed(self, row: int) -> None:
        if row >= 0:
            self.selected.emit(self._index_of_row(row))

    def select_layer(self, index: int) -> None:
        self.list.blockSignals(True)
        self.list.setCurrentRow(self._index_of_row(index))
        self.list.blockSignals(False)

    def _current(self) -> int:
        row = self.list.currentRow()
        return -1 if row < 0 else self._index_of_row(row)

    def _warn(self, title: str, e: Exception) -> None:
        box = QMessageBox(QMessageBox.Icon.Warning, title, str(e), parent=self)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.exec()

    def add(self, kind: str = "video") -> None:
        w, h = self.controller.spec.canvas.size
        start = {"video": Layer(kind="video", x=w // 2, width=w // 2, height=h // 2),
                 "image": Layer(kind="image", x=20, y=20),
                 "text": Layer(kind="text", text="", x=20, y=h - 80, background="#00000099")}[kind]
        dialog = LayerDialog(start, self)
        self.edit_dialog = dialog
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        try:
            i = self.controller.add_layer(dialog.layer())
        except UserError as e:
            self._warn(tr("Add layer"), e)
            return
        self.refresh(i)
        self.edited.emit()

    @Slot()
    def edit(self) -> None:
        i = self._current()
        if i < 0:
            return
        dialog = LayerDialog(self.controller.layers[i], self)
        self.edit_dialog = dialog
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        try:
            self.controller.set_layer(i, dialog.layer())
        except UserError as e:
            self._warn(tr("Layer"), e)
            return
        self.refresh(i)
        self.edited.emit()

    @Slot()
    def remove(self) -> None:
        i = self._current()
        if i >= 0 and len(self.controller.layers) > 1:
            self.controller.remove_layer(i)
            self.refresh()
            self.edited.emit()

    @Slot()
    def up(self) -> None:
        i = self._current()
        if i >= 0:
            self.refresh(self.controller.move_layer(i, +1))
            self.edited.emit()

    @Slot()
    def down(self) -> None:
        i = self._current()
        if i >= 0:
            self.refresh(self.controller.move_layer(i, -1))
            self.edited.emit()
