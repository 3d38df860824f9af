"""Screenshots of the main window for the README (run under Xvfb or offscreen):

    python -m studio.ui.screenshot docs/screenshots/main-en-landscape.png --lang en --size 1280x720

A throwaway STUDIO_HOME, the test pattern, a muted tone and the demo feed at a quick pace; the first
product pinned and a coupon shown so the preview looks like a show."""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("--lang", default="en")
    p.add_argument("--size", default="1280x720")
    p.add_argument("--seconds", type=float, default=6.0)
    p.add_argument("--window", default="1500x900")
    p.add_argument("--live", action="store_true",
                   help="go live (recording only) for the REC badge and status")
    p.add_argument("--summary", metavar="PNG",
                   help="then stop, and save the end-of-show summary dialog here")
    a = p.parse_args(argv)
    os.environ.setdefault("STUDIO_HOME", tempfile.mkdtemp(prefix="studio-shot-"))
    from PySide6.QtCore import QEventLoop, QTimer

    from studio.app.controller import StudioController
    from studio.app.profile.model import AudioSource, Canvas, Commerce, Feed, Layer, Recording, ShowSpec
    from studio.core.paths import resources_dir
    from studio.ui import i18n
    from studio.ui.app import make_app
    from studio.ui.main_window import MainWindow

    w, h = (int(v) for v in a.size.split("x"))
    app = make_app()
    i18n.install(app, a.lang)
    rec = tempfile.mkdtemp(prefix="studio-shot-rec-")
    spec = ShowSpec(language=a.lang, canvas=Canvas(w, h),
                    layers=(Layer(kind="video", name="Camera", source="testsrc"),),
                    audio=(AudioSource("tone", gain=0.6),), recording=Recording(enabled=True, folder=rec),
                    commerce=Commerce(catalog=str(resources_dir() / "catalog" / "demo.json")),
                    feeds=(Feed(kind="demo", options=(("rate", "4"), ("seed", "3"))),))
    controller = StudioController(spec).start()
    window = MainWindow(spec, controller, profile_path=Path(os.environ["STUDIO_HOME"]) / "profile.toml")
    ww, wh = (int(v) for v in a.window.split("x"))
    window.resize(ww, wh)
    window.show()
    controller.pin_index(1)
    window.products.refresh_pinned()
    controller.set_coupon("SAVE10 · 满100减10" if a.lang == "zh_CN" else "SAVE10 — 10% off today")
    controller.set_countdown(300)
    if a.live:
        controller.go_live()
        window.live_started(True, "")
    def pump(seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            loop = QEventLoop()
            QTimer.singleShot(50, loop.quit)
            loop.exec()

    pump(a.seconds)
    window.update_status()
    window.grab().save(a.out)
    if a.live and a.summary:
        window.ctl.end_live()
        window.live_ended("")
        pump(0.5)
        assert window.summary_dialog is not None
        window.summary_dialog.grab().save(a.summary)
        print(a.summary)
    window.unbind()
    controller.shutdown()
    import shutil

    shutil.rmtree(rec, ignore_errors=True)
    print(a.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
