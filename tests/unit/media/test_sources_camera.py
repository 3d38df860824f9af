"""CameraSource up to the device boundary: a fake `cv2.VideoCapture` is injected through the factory."""

from __future__ import annotations

import threading
import time

import cv2
import numpy as np
import pytest

from studio.core.backoff import Backoff
from studio.core.errors import UserError
from studio.media.sources.base import SourceState, WatchdogPolicy
from studio.media.sources.camera import CameraSource, fourcc_text, list_cameras, resolve_camera

FAST = WatchdogPolicy(stale_after=0.5, repeats_before_lost=5, reopen=Backoff(first=0.05, cap=0.2, jitter=0.0))


class FakeDevice:
    """What is plugged in: 'ok' (a new image every 10 ms), 'frozen' (the last image forever), 'dead'
    (read returns False), 'absent' (does not open). Shared by every capture the factory makes."""

    def __init__(self, mode: str = "ok") -> None:
        self.mode = mode
        self.opens: list[tuple[int, int]] = []
        self.sets: list[int] = []
        self.props = {cv2.CAP_PROP_FRAME_WIDTH: 640.0, cv2.CAP_PROP_FRAME_HEIGHT: 480.0,
                      cv2.CAP_PROP_FPS: 30.0, cv2.CAP_PROP_FOURCC: 0.0}
        self.n = 0
        self.lock = threading.Lock()

    def factory(self, index: int, api: int) -> FakeCapture:
        self.opens.append((index, api))
        return FakeCapture(self)


class FakeCapture:
    def __init__(self, dev: FakeDevice) -> None:
        self.dev = dev

    def isOpened(self) -> bool:  # noqa: N802
        return self.dev.mode != "absent"

    def set(self, prop: int, value: float) -> bool:
        self.dev.sets.append(prop)
        self.dev.props[prop] = float(value)
        return True

    def get(self, prop: int) -> float:
        return self.dev.props.get(prop, 0.0)

    def read(self) -> tuple[bool, np.ndarray | None]:
        time.sleep(0.01)
        if self.dev.mode == "dead":
            return False, None
        with self.dev.lock:
            if self.dev.mode == "ok":
                self.dev.n += 1
        img = np.full((48, 64, 3), self.dev.n % 256, np.uint8)
        return True, img

    def release(self) -> None:
        pass


def wait_until(cond, timeout: float = 3.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(0.01)
    return False


@pytest.fixture
def camera_of():
    made: list[CameraSource] = []

    def make(dev: FakeDevice, **kw) -> CameraSource:
        cam = CameraSource(0, size=(1920, 1080), fps=30, watchdog=FAST, capture_factory=dev.factory,
                           api=200, **kw)
        made.append(cam)
        return cam

    yield make
    for cam in made:
        cam.stop()


def test_frames_flow_as_bgr_and_the_granted_mode_is_read_back(camera_of):
    dev = FakeDevice()
    cam = camera_of(dev)
    cam.start()
    assert wait_until(lambda: cam.latest() is not None and cam.latest().seq > 5)
    frame = cam.latest()
    assert frame.fmt == "bgr24" and frame.image.shape == (48, 64, 3)
    assert cam.granted == (1920, 1080, 30.0, "MJPG")
    assert dev.opens == [(0, 200)]


def test_mjpg_is_requested_before_size_and_rate(camera_of):
    dev = FakeDevice()
    cam = camera_of(dev)
    cam.start()
    assert wait_until(lambda: cam.state is SourceState.LIVE)
    assert dev.sets[:4] == [cv2.CAP_PROP_FOURCC, cv2.CAP_PROP_FRAME_WIDTH, cv2.CAP_PROP_FRAME_HEIGHT,
                            cv2.CAP_PROP_FPS]
    assert fourcc_text(dev.props[cv2.CAP_PROP_FOURCC]) == "MJPG"


def test_a_device_repeating_the_same_frame_is_lost_then_reopened(camera_of):
    dev = FakeDevice()
    cam = camera_of(dev)
    states: list[SourceState] = []
    cam.state_listeners.append(lambda s, st, msg: states.append(st))
    cam.start()
    assert wait_until(lambda: cam.state is SourceState.LIVE)
    dev.mode = "frozen"
    assert wait_until(lambda: cam.state is SourceState.LOST)
    assert "same frame" in (cam.last_error or "")
    assert cam.latest() is None
    dev.mode = "ok"
    assert wait_until(lambda: cam.state is SourceState.LIVE and len(dev.opens) >= 2)
    assert states[:3] == [SourceState.STARTING, SourceState.LIVE, SourceState.LOST]


def test_a_device_whose_read_fails_is_lost_and_reopened_with_backoff(camera_of):
    dev = FakeDevice("dead")
    cam = camera_of(dev)
    cam.start()
    assert wait_until(lambda: cam.state is SourceState.LOST)
    assert "no frame" in (cam.last_error or "")
    assert wait_until(lambda: len(dev.opens) >= 3)  # it keeps trying …
    dev.mode = "absent"                             # … the camera is unplugged: open fails, backoff grows
    n = len(dev.opens)
    time.sleep(0.6)
    tries = len(dev.opens) - n
    assert 1 <= tries <= 5, tries  # 0.05, 0.1, 0.2, 0.2 … not a busy loop
    dev.mode = "ok"
    assert wait_until(lambda: cam.state is SourceState.LIVE, timeout=2)
    assert cam.reopens >= 1


def test_stop_is_prompt_and_idempotent(camera_of):
    cam = camera_of(FakeDevice())
    cam.start()
    assert wait_until(lambda: cam.state is SourceState.LIVE)
    t = time.monotonic()
    cam.stop()
    cam.stop()
    assert time.monotonic() - t < 0.5
    assert cam.state is SourceState.STOPPED


@pytest.fixture
def sysfs(tmp_path):
    def add(n: int, name: str, index: int = 0) -> None:
        d = tmp_path / f"video{n}"
        d.mkdir()
        (d / "name").write_text(name + "\n")
        (d / "index").write_text(f"{index}\n")

    add(0, "HD Pro Webcam C920")
    add(1, "HD Pro Webcam C920", index=1)  # the UVC metadata node: not a camera
    add(2, "Cam Link 4K")
    return tmp_path


def test_cameras_are_listed_from_sysfs_without_metadata_nodes(sysfs):
    cams = list_cameras(sysfs)
    assert [(c.index, c.name, c.path) for c in cams] == [(0, "HD Pro Webcam C920", "/dev/video0"),
                                                         (2, "Cam Link 4K", "/dev/video2")]


def test_a_camera_name_resolves_to_its_index(sysfs):
    cams = list_cameras(sysfs)
    assert resolve_camera("Cam Link 4K", cams) == 2
    assert resolve_camera("c920", cams) == 0
    assert resolve_camera(5, cams) == 5


def test_an_unknown_camera_name_lists_the_cameras_found(sysfs):
    listed = r"No camera named 'Logitech Brio'.*0: HD Pro Webcam C920.*2: Cam Link 4K"
    with pytest.raises(UserError, match=listed):
        resolve_camera("Logitech Brio", list_cameras(sysfs))
