"""Source specs → sources. The one place a spec string (`--video camera:0`, `--audio mic:default`) is read.

Video: `testsrc` | `camera:N` | `camera:NAME` | `file:PATH` | `url:rtsp://…|rtmp(s)://…|http(s)://…` |
`image:PATH`. Audio: `tone` | `tone:FREQ` | `mic:default` | `mic:NAME` | `none`.
Every problem a host can fix is a `UserError` with one sentence naming it and what to do, raised
here at parse time — not later from a capture thread.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import av

from studio.core.errors import UserError
from studio.media.audio.base import AudioInput, SilenceInput, ToneInput
from studio.media.sources.base import VideoSource
from studio.media.sources.camera import CameraInfo, CameraSource, list_cameras, resolve_camera
from studio.media.sources.image import ImageSource, load_image_i420
from studio.media.sources.media_file import FileSource, URLSource, redact_url
from studio.media.sources.testsrc import TestPatternSource

if TYPE_CHECKING:
    from studio.media.audio.mic import MicInfo

VIDEO_KINDS = ("testsrc", "camera:N", "camera:NAME", "file:PATH", "url:URL", "image:PATH")
AUDIO_KINDS = ("tone", "tone:FREQ", "mic:default", "mic:NAME", "none")
URL_SCHEMES = ("rtsp", "rtsps", "rtmp", "rtmps", "http", "https", "srt", "udp", "tcp")

__all__ = ["parse_video_spec", "parse_audio_spec", "list_cameras", "list_microphones", "CameraInfo"]


def _split(spec: str) -> tuple[str, str]:
    kind, _, arg = spec.strip().partition(":")
    return kind.strip().lower(), arg.strip()


def _existing_file(arg: str, what: str, spec: str) -> Path:
    if not arg:
        raise UserError(f"{spec!r} names no file; write {what}:PATH, e.g. {what}:/path/to/clip.mp4.")
    path = Path(arg).expanduser()
    if not path.is_file():
        raise UserError(f"{what} {str(path)!r} does not exist or is not a file; check the path.")
    try:
        with path.open("rb") as f:
            f.read(1)
    except OSError as e:
        raise UserError(f"{what} {str(path)!r} cannot be read ({e.strerror}); "
                        "check its permissions.") from None
    return path


def _check_video_file(path: Path) -> None:
    try:
        with av.open(str(path)) as c:
            if c.format.name == "tty":  # FFmpeg reads any text file as ANSI art
                raise av.error.InvalidDataError(0, "text, not video")
            if not c.streams.video:
                raise UserError(f"{str(path)!r} has no video track; pick a video file (mp4, mkv, mov…).")
    except av.error.FFmpegError:
        raise UserError(f"{str(path)!r} is not a video file FFmpeg can read; "
                        "pick an mp4, mkv or mov.") from None


def parse_video_spec(spec: str, size: tuple[int, int] = (1280, 720), fps: float = 30.0) -> VideoSource:
    """A (not yet started) video source for `spec`, or a `UserError` saying what is wrong."""
    kind, arg = _split(spec)
    if kind == "testsrc":
        return TestPatternSource(size=size, fps=fps)
    if kind == "camera":
        if not arg:
            raise UserError("'camera' needs a camera: write camera:0 or camera:NAME (see `studio devices`).")
        device: int | str = int(arg) if arg.isdigit() else arg
        if isinstance(device, str):
            resolve_camera(device)  # unknown name → UserError listing the cameras found
        return CameraSource(device, size=size, fps=fps)
    if kind == "file":
        path = _existing_file(arg, "file", spec)
        _check_video_file(path)
        return FileSource(path)
    if kind == "image":
        path = _existing_file(arg, "image", spec)
        if load_image_i420(path) is None:
            raise UserError(f"{str(path)!r} is not an image the studio can read; use a PNG, JPEG or BMP.")
        return ImageSource(path)
    if kind == "url":
        parts = urlsplit(arg)
        if parts.scheme.lower() not in URL_SCHEMES or not parts.hostname:
            raise UserError(f"{redact_url(arg)!r} is not a stream URL; write url:rtsp://HOST/PATH, "
                            "url:rtmp://HOST/APP/STREAM or url:http://HOST/PATH.")
        return URLSource(arg)
    raise UserError(f"Unknown video source {spec!r}; use one of: {', '.join(VIDEO_KINDS)}.")


def parse_audio_spec(spec: str) -> AudioInput:
    """A (not yet started) audio input for `spec`, or a `UserError` saying what is wrong."""
    kind, arg = _split(spec)
    if kind == "tone":
        if not arg:
            return ToneInput()
        try:
            freq = float(arg)
        except ValueError:
            freq = -1.0
        if not 20.0 <= freq <= 20000.0:
            raise UserError(f"Tone frequency {arg!r} is not a number of hertz between 20 and 20000; "
                            "write e.g. tone:440.")
        return ToneInput(freq)
    if kind == "none" and not arg:
        return SilenceInput("none")
    if kind == "mic":
        from studio.media.audio.mic import MicInput, resolve_microphone  # noqa: PLC0415 - PortAudio on demand

        info = resolve_microphone(arg or "default")  # unknown name → UserError listing the mics found
        return MicInput(arg or "default", hostapi=None if (arg or "default") == "default" else info.hostapi)
    raise UserError(f"Unknown audio source {spec!r}; use one of: {', '.join(AUDIO_KINDS)}.")


def list_microphones() -> list[MicInfo]:
    from studio.media.audio.mic import list_microphones as _list  # noqa: PLC0415 - PortAudio on demand

    return _list()
