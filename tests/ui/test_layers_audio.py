"""Layers: drag on the preview moves and resizes a layer (the compositor uses it), order and visibility
from the dock; audio: mute and gain reach the mixer; the scene survives a restart."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt

from studio.app.host_profile import host_profile_path
from studio.app.profile.load import load_profile
from studio.app.profile.model import Layer


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
    layer = w.controller.layers[i]
    assert abs(layer.x - 220) <= 4 and abs(layer.y - 40) <= 4
    drawn = w.controller.show.compositor.layers[i]   # the compositor's own snapshot followed
    assert (drawn.x, drawn.y) == (layer.x, layer.y)
    # resize from the bottom-right grip
    grip = QPoint(int(pic.x() + (layer.x + layer.width - 3) * s),
                  int(pic.y() + (layer.y + layer.height - 3) * s))
    qtbot.mousePress(w.preview, Qt.MouseButton.LeftButton, pos=grip)
    qtbot.mouseMove(w.preview, grip + QPoint(-int(60 * s), -int(30 * s)))
    qtbot.mouseRelease(w.preview, Qt.MouseButton.LeftButton, pos=grip + QPoint(-int(60 * s), -int(30 * s)))
    layer = w.controller.layers[i]
    assert abs(layer.width - 260) <= 4 and abs(layer.height - 150) <= 4
    # saved on release: the scene survives a restart
    saved = load_profile(host_profile_path()).spec
    assert [(ly.name, ly.x) for ly in saved.layers][1] == ("Second", layer.x)


def test_layer_order_and_visibility_from_the_dock(make_window, qtbot):
    w = make_window()
    i = w.controller.add_layer("testsrc", "Top")
    w.scenes.refresh(i)
    top = w.controller.layers[1]
    top_source = w.controller.show.compositor.layers[1].source
    w.scenes.list.setCurrentRow(0)   # the list shows the top layer first
    w.scenes.down()
    assert w.controller.layers[0] == top
    assert w.controller.show.compositor.layers[0].source is top_source
    item = w.scenes.list.item(1)
    item.setCheckState(Qt.CheckState.Unchecked)
    assert w.controller.layers[0].visible is False
    assert w.controller.show.compositor.layers[0].visible is False


def test_image_and_text_layers_with_crop_from_the_dock(make_window, qtbot, tmp_path):
    import cv2
    import numpy as np

    from studio.core.errors import UserError

    logo = tmp_path / "logo.png"
    cv2.imwrite(str(logo), np.full((40, 80, 4), 255, np.uint8))
    w = make_window()
    i = w.controller.add_layer(Layer(kind="image", path=str(logo), x=10, y=20))
    j = w.controller.add_layer(Layer(kind="text", text="包邮 Free shipping", x=10, y=300,
                                     background="#000000aa"))
    w.scenes.refresh(j)
    board = w.controller.show.board
    assert board.get(f"layer.{i}").image.shape[:2] == (40, 80)
    text = board.get(f"layer.{j}")
    assert text is not None and (text.x, text.y) == (10, 300)
    assert w.controller.layer_rects()[i] == (10, 20, 80, 40)
    # crop the camera layer through the edit dialog, as a host would
    w.scenes.list.setCurrentRow(2)  # the bottom row: the camera
    from studio.ui.scenes import LayerDialog

    dialog = LayerDialog(w.controller.layers[0])
    qtbot.addWidget(dialog)
    dialog.crop[0].setValue(100)
    dialog.crop[2].setValue(100)
    w.controller.set_layer(0, dialog.layer())
    assert w.controller.show.compositor.layers[0].crop == (100, 0, 100, 0)
    # hiding the image layer takes it off the board; a bad image is refused with a sentence
    w.controller.set_layer_visible(i, False)
    assert board.get(f"layer.{i}") is None
    try:
        w.controller.add_layer(Layer(kind="image", path=str(tmp_path / "missing.png")))
    except UserError as e:
        assert "does not exist" in str(e)
    else:
        raise AssertionError("a missing image was accepted")
    assert [layer.kind for layer in w.controller.spec.layers] == ["video", "image", "text"]


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
