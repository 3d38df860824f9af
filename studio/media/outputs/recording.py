"""Local recording to Matroska, in-process, never interrupted by a network failure.

Matroska is written cluster by cluster, so a file cut short by a crash or SIGKILL still plays up to
its last cluster. A write error (the disk filled up) stops the recording with one clear message; the
show and its streams go on.

The file is the recording's own: created new (O_EXCL) and readable by the user only (0600) before
FFmpeg opens it, so an existing recording or session log is never replaced — a taken name becomes
`show (2).mkv`, said in the log — and no other user of the machine can read the show.
"""

from __future__ import annotations

import contextlib
import threading
from collections import deque
from collections.abc import Callable
from pathlib import Path

import av
from av.audio.stream import AudioStream
from av.video.stream import VideoStream

from studio.core.files import claim_new_file
from studio.core.log import get_logger
from studio.media.outputs.base import Output, OutputCounters, OutputState
from studio.media.packets import VIDEO, EncodedPacket

log = get_logger("media.recording")

QUEUE_CAP = 3000  # ~30 s of video+audio packets; a disk slower than that is a broken disk


class RecordingOutput(Output):
    def __init__(self, path: str | Path, video_template: VideoStream, audio_template: AudioStream,
                 on_state: Callable[[str, str, str], None] | None = None) -> None:
        self.name = "recording"
        self.path = Path(path)
        self.stats = OutputCounters()
        self.state = OutputState.IDLE
        self.message = ""
        self._templates = (video_template, audio_template)
        self._queue: deque[EncodedPacket] = deque()
        self._cond = threading.Condition()
        self._stop = False
        self._thread: threading.Thread | None = None
        self._started_at_key = False
        self._on_state = on_state

    def _set_state(self, state: OutputState, message: str = "") -> None:
        self.state, self.message = state, message
        if self._on_state:
            self._on_state(self.name, state.value, message)

    def start(self) -> None:
        try:
            claimed = claim_new_file(self.path)  # FFmpeg then opens it (truncating our empty file): mode kept
            if claimed != self.path:
                log.warning("%s already exists: recording to %s instead (nothing is replaced)", self.path,
                            claimed)
                self.path = claimed
            try:
                self._container = av.open(str(self.path), "w", format="matroska")
            except BaseException:
                with contextlib.suppress(OSError):
                    if self.path.stat().st_size == 0:
                        self.path.unlink()  # the empty file claimed above, nothing of anyone's
                raise
        except (OSError, av.error.FFmpegError) as e:
            why = getattr(e, "strerror", None) or e
            self._set_state(OutputState.ERROR, f"cannot record to {self.path}: {why}")
            return
        vt, at = self._templates
        self._vs = self._container.add_stream_from_template(vt)
        self._as = self._container.add_stream_from_template(at)
        self._thread = threading.Thread(target=self._run, name="studio: recording", daemon=True)
        self._thread.start()
        self._set_state(OutputState.RECORDING, str(self.path))

    def push(self, packet: EncodedPacket) -> None:
        if self._thread is None or self.state != OutputState.RECORDING:
            return
        if not self._started_at_key:
            if packet.kind != VIDEO or not packet.keyframe:
                return
            self._started_at_key = True
        with self._cond:
            if len(self._queue) >= QUEUE_CAP:
                self._queue.popleft()
                self.stats.queue_overflow += 1
            self._queue.append(packet)
            self._cond.notify()

    def stop(self) -> None:
        if self._thread is None:
            return
        with self._cond:
            self._stop = True
            self._cond.notify()
        self._thread.join(timeout=15.0)
        self._thread = None

    def _run(self) -> None:
        failed = False
        while True:
            with self._cond:
                while not self._queue and not self._stop:
                    self._cond.wait(0.5)
                batch = list(self._queue)
                self._queue.clear()
                stop = self._stop
            if not failed:
                try:
                    for ep in batch:
                        self._container.mux(ep.to_av(self._vs if ep.kind == VIDEO else self._as))
                        self.stats.bytes_sent += len(ep.data)
                        self.stats.packets_sent += 1
                except (OSError, av.error.FFmpegError) as e:
                    failed = True
                    reason = getattr(e, "strerror", None) or str(e)
                    self._set_state(OutputState.ERROR,
                                    f"recording stopped: cannot write {self.path} ({reason}); "
                                    "free some disk space — the stream goes on")
                    log.error("recording failed: %s", e)
            if stop:
                break
        try:
            self._container.close()
        except (OSError, av.error.FFmpegError) as e:
            log.warning("recording trailer not written: %s", e)
        if not failed:
            self._set_state(OutputState.STOPPED, str(self.path))
