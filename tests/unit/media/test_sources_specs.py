"""Spec strings → sources, and the one-sentence UserErrors for everything a host can get wrong."""

from __future__ import annotations

import av
import cv2
import numpy as np
import pytest

from studio.core.errors import UserError
from studio.media.audio.base import SilenceInput, ToneInput
from studio.media.sources.camera import CameraSource
from studio.media.sources.image import ImageSource
from studio.media.sources.media_file import FileSource, URLSource
from studio.media.sources.specs import parse_audio_spec, parse_video_spec
from studio.media.sources.testsrc import TestPatternSource as PatternSource


@pytest.fixture
def clip(tmp_path):
    path = tmp_path / "c.mkv"
    with av.open(str(path), "w") as c:
        s = c.add_stream("mjpeg", rate=10)
        s.width, s.height, s.pix_fmt = 64, 48, "yuvj420p"
        for p in s.encode(av.VideoFrame.from_ndarray(np.zeros((48, 64, 3), np.uint8), format="bgr24")):
            c.mux(p)
        for p in s.encode(None):
            c.mux(p)
    return path


def test_each_video_kind_gives_its_source(clip, tmp_path):
    png = tmp_path / "p.png"
    cv2.imwrite(str(png), np.zeros((10, 10, 3), np.uint8))
    assert isinstance(parse_video_spec("testsrc", (640, 360), 25), PatternSource)
    cam = parse_video_spec("camera:1", (1920, 1080), 30)
    assert isinstance(cam, CameraSource) and cam.device == 1 and cam.size == (1920, 1080)
    assert isinstance(parse_video_spec(f"file:{clip}"), FileSource)
    assert isinstance(parse_video_spec(f"image:{png}"), ImageSource)
    assert isinstance(parse_video_spec("url:rtsp://user:pw@10.0.0.5/stream1"), URLSource)


@pytest.mark.parametrize("spec, message", [
    ("webcam", r"Unknown video source 'webcam'; use one of: testsrc, camera:N"),
    ("camera:", r"camera:0 or camera:NAME"),
    ("camera:No Such Cam", r"No camera named 'No Such Cam'; cameras found:"),
    ("file:/nonexistent/clip.mp4", r"does not exist"),
    ("file:", r"names no file"),
    ("url:not a url", r"is not a stream URL"),
    ("url:ftp://host/x", r"is not a stream URL"),
    ("image:/nonexistent.png", r"does not exist"),
])
def test_bad_video_specs_say_what_to_do(spec, message):
    with pytest.raises(UserError, match=message):
        parse_video_spec(spec)


def test_a_file_that_is_not_video_and_an_image_that_is_not_an_image_are_refused(tmp_path):
    junk = tmp_path / "notes.txt"
    junk.write_text("not a picture, not a clip " * 20)
    with pytest.raises(UserError, match="not a video file"):
        parse_video_spec(f"file:{junk}")
    with pytest.raises(UserError, match="not an image"):
        parse_video_spec(f"image:{junk}")


def test_credentials_never_reach_the_error_message():
    with pytest.raises(UserError) as e:
        parse_video_spec("url:bogus://admin:hunter2@cam/x")
    assert "hunter2" not in str(e.value)


def test_audio_specs():
    assert isinstance(parse_audio_spec("tone"), ToneInput)
    assert parse_audio_spec("tone:1000").freq == 1000.0
    assert isinstance(parse_audio_spec("none"), SilenceInput)
    for bad, msg in [("tone:loud", "between 20 and 20000"), ("speaker", "Unknown audio source 'speaker'")]:
        with pytest.raises(UserError, match=msg):
            parse_audio_spec(bad)
