"""Pull a live stream back from the RTMP server and decode it, as a viewer would."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

import av
import numpy as np


@dataclass
class Pulled:
    video_codec: str = ""
    width: int = 0
    height: int = 0
    fps: float = 0.0
    video_pts: list[float] = field(default_factory=list)
    audio_pts: list[float] = field(default_factory=list)
    frames: list[np.ndarray] = field(default_factory=list)  # RGB, a few samples
    audio: list[np.ndarray] = field(default_factory=list)
    audio_rate: int = 0
    error: str | None = None


def pull(url: str, seconds: float, keep_frames: int = 5, open_timeout: float = 10.0) -> Pulled:
    """Read `seconds` of stream time from `url`; keeps the last `keep_frames` decoded frames."""
    out = Pulled()
    deadline = time.monotonic() + open_timeout
    while True:  # the publisher may not be there yet: nginx refuses to play a stream nobody publishes
        try:
            c = av.open(url, timeout=(open_timeout, 15.0), options={"rtmp_live": "live"})
            break
        except Exception as e:
            if time.monotonic() > deadline:
                out.error = str(e)
                return out
            time.sleep(0.3)
    try:
        v = c.streams.video[0]
        out.video_codec = v.codec_context.name
        out.width, out.height = v.codec_context.width, v.codec_context.height
        out.fps = float(v.average_rate or v.guessed_rate or 0)
        streams = [v] + list(c.streams.audio[:1])
        if c.streams.audio:
            out.audio_rate = c.streams.audio[0].codec_context.sample_rate
        start = None
        for frame in c.decode(*streams):
            if frame.pts is None:
                continue
            t = float(frame.pts * frame.time_base)
            if isinstance(frame, av.VideoFrame):
                start = t if start is None else start
                out.video_pts.append(t)
                out.frames.append(frame.to_ndarray(format="rgb24"))
                del out.frames[:-keep_frames]
                if t - start >= seconds:
                    break
            else:
                out.audio_pts.append(t)
                out.audio.append(frame.to_ndarray())
    except Exception as e:
        out.error = str(e)
    finally:
        c.close()
    return out


class Puller:
    """Pull in a background thread while the test pushes."""

    def __init__(self, url: str, seconds: float, **kw) -> None:
        self.result: Pulled | None = None
        self._t = threading.Thread(target=self._run, args=(url, seconds), kwargs=kw, daemon=True)

    def _run(self, url, seconds, **kw):
        self.result = pull(url, seconds, **kw)

    def start(self) -> Puller:
        self._t.start()
        return self

    def join(self, timeout: float = 60) -> Pulled:
        self._t.join(timeout)
        assert self.result is not None, "the pull did not finish"
        return self.result


def wait_for(cond, timeout: float = 10.0, interval: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(interval)
    return cond()
