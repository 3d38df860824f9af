"""Layers: drag on the preview moves and resizes a layer (the compositor uses it), order and visibility
from the dock; audio: mute and gain reach the mixer; the scene survives a restart."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt

from studio.app.settings import load_settings


def test_drag_moves_and_resizes_a_layer_on_the_preview(make_window, qtbot):
    w = make_window()
    i = w.controller.add_layer("testsrc", "Second")
    w.scenes.refresh(i)
    layer = w.controller.layers[i]
    assert (layer.x, layer.y, layer.width, layer.height) == (320, 0, 320, 180)
    pic = w.preview.picture_rect()
    s = pic.width() / 640
    start = QPoint(int(pic.x() + 400 * s), int(pic.y() + 50 * s))
    qtbot.mousePress(w.preview, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(w.preview, start - QPoint(int(100 * s), -int(40 * s)))
    qtbot.mouseRelease(w.preview, Qt.MouseButton.LeftButton, pos=start - QPoint(int(100 * s), -int(40 * s)))
    assert abs(layer.x - 220) <= 4 and abs(layer.y - 40) <= 4
    # resize from the bottom-right grip
    grip = QPoint(int(pic.x() + (layer.x + layer.width - 3) * s), int(pic.y() + (layer.y + layer.height - 3) * s))
    qtbot.mousePress(w.preview, Qt.MouseButton.LeftButton, pos=grip)
    qtbot.mouseMove(w.preview, grip + QPoint(-int(60 * s), -int(30 * s)))
    qtbot.mouseRelease(w.preview, Qt.MouseButton.LeftButton, pos=grip + QPoint(-int(60 * s), -int(30 * s)))
    assert abs(layer.width - 260) <= 4 and abs(layer.height - 150) <= 4
    # saved on release: the scene survives a restart
    saved, _ = load_settings()
    assert [(l.name, l.x) for l in saved.layers][1] == ("Second", layer.x)


def test_layer_order_and_visibility_from_the_dock(make_window, qtbot):
    w = make_window()
    i = w.controller.add_layer("testsrc", "Top")
    w.scenes.refresh(i)
    top = w.controller.layers[1]
    w.scenes.list.setCurrentRow(0)   # the list shows the top layer first
    w.scenes.down()
    assert w.controller.layers[0] is top
    assert w.controller.show.compositor.layers[0] is top
    item = w.scenes.list.item(1)
    item.setCheckState(Qt.CheckState.Unchecked)
    assert top.visible is False


def test_mute_and_gain_reach_the_mixer(make_window, qtbot):
    w = make_window()
    inp = w.controller.audio_inputs[0]
    w.audio.mutes[0].setChecked(True)
    assert inp.muted
    w.audio.gains[0].setValue(50)
    assert inp.gain == 0.5
    qtbot.waitUntil(lambda: w.audio.meters["mix"].value() == 0, timeout=2000)  # muted: the mix is silent
    w.audio.mutes[0].setChecked(False)
    qtbot.waitUntil(lambda: w.audio.meters["mix"].value() > 20, timeout=2000)
