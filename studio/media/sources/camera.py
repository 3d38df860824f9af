"""A USB/built-in camera through OpenCV's `VideoCapture`, opened in the capture thread.

`camera:N` opens device index N; `camera:NAME` resolves a name to an index at every open, so a camera
that comes back on another index after a replug is found again. The device is asked for MJPG before
size and frame rate (USB 2 only carries full-rate 1080p as MJPG), and what the driver granted is read
back and logged. Unplug detection is the base watchdog's job (no frame, or the same frame forever).

OpenCV has no API that lists cameras: on Linux names come from sysfs (`/sys/class/video4linux`, the
same index as `/dev/videoN`); elsewhere from Qt Multimedia's `QMediaDevices.videoInputs()`, whose order
matches the DirectShow / AVFoundation index order in practice but is not guaranteed to.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

if sys.platform == "win32":  # must precede the first `import cv2`: MSMF hardware transforms open in seconds
    os.environ.setdefault("OPENCV_VIDEOIO_MSMF_ENABLE_HW_TRANSFORMS", "0")

import cv2  # noqa: E402
from numpy.typing import NDArray

from studio.core.errors import SourceError, UserError  # noqa: E402
from studio.core.log import get_logger  # noqa: E402
from studio.media.sources.base import VideoSource, WatchdogPolicy  # noqa: E402

log = get_logger("media.sources.camera")

SYSFS_V4L = Path("/sys/class/video4linux")


class CaptureLike(Protocol):
    """The part of `cv2.VideoCapture` a camera uses (the seam tests inject a fake through)."""

    def isOpened(self) -> bool: ...  # noqa: N802 - OpenCV's names
    def set(self, prop: int, value: float) -> bool: ...
    def get(self, prop: int) -> float: ...
    def read(self) -> tuple[bool, NDArray[Any] | None]: ...
    def release(self) -> None: ...


CaptureFactory = Callable[[int, int], CaptureLike]


@dataclass(frozen=True)
class CameraInfo:
    index: int
    name: str
    path: str = ""  # /dev/videoN on Linux, the Qt device id elsewhere


def platform_api() -> int:
    """The OpenCV backend to use here: DirectShow, AVFoundation or V4L2 (CAP_ANY elsewhere)."""
    if sys.platform == "win32":
        return int(cv2.CAP_DSHOW)
    if sys.platform == "darwin":
        return int(cv2.CAP_AVFOUNDATION)
    if sys.platform.startswith("linux"):
        return int(cv2.CAP_V4L2)
    return int(cv2.CAP_ANY)


def fourcc_text(value: float) -> str:
    v = int(value)
    return "".join(chr((v >> (8 * i)) & 0xFF) for i in range(4)).strip("\x00") or "?"


def _list_v4l(root: Path) -> list[CameraInfo]:
    found = []
    for d in root.glob("video*"):
        m = re.fullmatch(r"video(\d+)", d.name)
        if not m:
            continue
        try:
            # A UVC camera registers a capture node (index 0) and a metadata node (index 1).
            if (d / "index").exists() and (d / "index").read_text().strip() not in ("", "0"):
                continue
            name = (d / "name").read_text().strip()
        except OSError:
            continue
        found.append(CameraInfo(int(m.group(1)), name, f"/dev/{d.name}"))
    return sorted(found, key=lambda c: c.index)


def _list_qt() -> list[CameraInfo]:
    try:
        from PySide6.QtCore import QCoreApplication
        from PySide6.QtMultimedia import QMediaDevices
    except ImportError:  # a build without QtMultimedia: no names, indices still work
        return []
    if QCoreApplication.instance() is None:
        _list_qt.app = QCoreApplication([])  # type: ignore[attr-defined]  # kept alive for the process
    return [CameraInfo(i, d.description(), bytes(d.id().data()).decode(errors="replace"))
            for i, d in enumerate(QMediaDevices.videoInputs())]


def list_cameras(sysfs_root: Path | None = None) -> list[CameraInfo]:
    """Cameras this machine has, with the index OpenCV opens them by."""
    if sys.platform.startswith("linux") or sysfs_root is not None:
        return _list_v4l(sysfs_root or SYSFS_V4L)
    return _list_qt()


def resolve_camera(device: int | str, cameras: list[CameraInfo] | None = None) -> int:
    """Index of a camera given as an index or a name (exact, else a unique case-insensitive part)."""
    if isinstance(device, int):
        return device
    cams = list_cameras() if cameras is None else cameras
    exact = [c for c in cams if c.name == device]
    if not exact:
        exact = [c for c in cams if device.lower() in c.name.lower()]
    if len(exact) >= 1 and len({c.name for c in exact}) == 1:
        return exact[0].index
    names = ", ".join(f"{c.index}: {c.name}" for c in cams) or "none"
    if exact:
        raise UserError(f"Camera name {device!r} matches several cameras ({names}); "
                        "use a longer name or camera:N.")
    raise UserError(f"No camera named {device!r}; cameras found: {names}. "
                    "Use camera:N or one of these names.")


def _default_factory(index: int, api: int) -> CaptureLike:
    return cv2.VideoCapture(index, api)


class CameraSource(VideoSource):
    """`camera:N` / `camera:NAME`: BGR frames from OpenCV at the size and rate the driver grants."""

    kind = "camera"
    frame_format = "bgr24"

    def __init__(self, device: int | str, size: tuple[int, int] = (1920, 1080), fps: float = 30.0,
                 name: str | None = None, watchdog: WatchdogPolicy | None = None,
                 capture_factory: CaptureFactory | None = None, api: int | None = None,
                 fourcc: str = "MJPG") -> None:
        super().__init__(name or f"camera:{device}", watchdog)
        self.device = device
        self.size = size
        self.fps = fps
        self.fourcc = fourcc
        self.api = platform_api() if api is None else api
        self._factory = capture_factory or _default_factory
        self._cap: CaptureLike | None = None
        #: what the driver granted at the last open: (width, height, fps, fourcc)
        self.granted: tuple[int, int, float, str] | None = None

    def _open(self) -> None:
        index = self.device if isinstance(self.device, int) else self._find_again()
        cap = self._factory(index, self.api)
        if not cap.isOpened():
            cap.release()
            raise SourceError(f"camera {index} did not open (in use by another program, or unplugged?)")
        # Order matters: the format first, so the size/rate are negotiated within MJPG's modes.
        if self.fourcc:
            cap.set(cv2.CAP_PROP_FOURCC, cv2.VideoWriter.fourcc(*self.fourcc))
        w, h = self.size
        cap.set(cv2.CAP_PROP_FRAME_WIDTH, w)
        cap.set(cv2.CAP_PROP_FRAME_HEIGHT, h)
        cap.set(cv2.CAP_PROP_FPS, self.fps)
        cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)  # V4L2 honours it: less latency; others ignore it
        self.granted = (int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT)),
                        float(cap.get(cv2.CAP_PROP_FPS)), fourcc_text(cap.get(cv2.CAP_PROP_FOURCC)))
        gw, gh, gfps, gcc = self.granted
        level = log.info if (gw, gh) == (w, h) else log.warning
        level("%s: asked %dx%d@%g %s, granted %dx%d@%g %s", self.name, w, h, self.fps, self.fourcc,
              gw, gh, gfps, gcc)
        self._cap = cap

    def _find_again(self) -> int:
        try:
            return resolve_camera(str(self.device))
        except UserError as e:  # unplugged: the watchdog keeps retrying with backoff
            raise SourceError(str(e)) from None

    def _read(self) -> NDArray[Any] | None:
        cap = self._cap
        if cap is None:
            return None
        ok, frame = cap.read()
        if not ok or frame is None or frame.size == 0:
            return None
        return frame

    def _close(self) -> None:
        cap, self._cap = self._cap, None
        if cap is not None:
            cap.release()

