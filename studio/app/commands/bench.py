"""`studio bench`: the speed figures of the README, measured on this machine.

1. The issue's job, side by side: `studio live` and the `ffmpeg` command line, same input, same
   encoder settings, same nginx-rtmp server; CPU-seconds of each process tree and their ratio.
2. Capture-to-socket latency p50/p95 (from the studio's own stats).
3. Compositing cost per 1080p frame with the price card, countdown, coupon, QR and badge pinned.
4. Importing a 10 000-row Shopify product export.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

from studio.core.errors import UserError
from studio.core.flags import int_flag


def register(sub) -> None:
    p = sub.add_parser("bench", help="measure speed: studio vs ffmpeg CPU, latency, compositing cost")
    p.add_argument("--seconds", type=int_flag("--seconds", 1, 3600, unit="s", example="20"), default=20,
                   help="length of each run (default 20)")
    p.add_argument("--sizes", default="1280x720,1920x1080",
                   help="canvas sizes to run (default 720p and 1080p)")
    p.add_argument("--json", type=Path, default=None, help="also write the results to this file")
    p.add_argument("--skip-ffmpeg", action="store_true", help="only the studio side and compositing")
    p.set_defaults(func=run)


def run(args) -> int:
    from studio.app.bench.compose import measure_compose
    from studio.app.bench.job import make_camera_file, make_card, run_ffmpeg, run_studio
    from studio.app.bench.nginx import RtmpServer, nginx_available
    from studio.core.paths import cache_dir
    from studio.media.canvas import parse_size

    if not nginx_available():
        raise UserError("the benchmark needs nginx with the RTMP module: run `make setup`")
    if not args.skip_ffmpeg and not shutil.which("ffmpeg"):
        raise UserError("the benchmark compares against the ffmpeg command line: install ffmpeg (make setup)")
    sizes = [parse_size(s.strip(), "--sizes") for s in args.sizes.split(",") if s.strip()]
    media = cache_dir() / "bench"
    media.mkdir(parents=True, exist_ok=True)
    card = make_card(media / "card.png")
    results: dict = {"jobs": []}
    with tempfile.TemporaryDirectory() as tmp, RtmpServer(Path(tmp) / "nginx") as server:
        for size in sizes:
            cam = make_camera_file(media / f"camera_{size[0]}x{size[1]}.mkv", size)
            print(f"{size[0]}x{size[1]}: studio live …", flush=True)
            st = run_studio(cam, card, size, server.url("studio"), args.seconds, Path(tmp) / "stats.jsonl")
            job: dict[str, Any] = {"size": f"{size[0]}x{size[1]}", "seconds": args.seconds,
                                   "studio_cpu_s": round(st.cpu_s, 2),
                                   "studio_steady_cpu_s": round(st.steady_cpu_s or 0, 2),
                                   "studio_rc": st.returncode}
            s = st.stats or {}
            out: dict[str, Any] = next(iter(s.get("outputs", {}).values()), {})
            job.update({"latency_p50_ms": out.get("latency_p50_ms"),
                        "latency_p95_ms": out.get("latency_p95_ms"), "frames": s.get("frames"),
                        "lagged": s.get("lagged"), "dropped": out.get("dropped")})
            if not args.skip_ffmpeg:
                print(f"{size[0]}x{size[1]}: ffmpeg …", flush=True)
                ff = run_ffmpeg(cam, card, size, server.url("ffmpeg"), args.seconds)
                steady_ratio = None
                if st.steady_cpu_s and st.steady_wall_s and ff.steady_cpu_s and ff.steady_wall_s:
                    steady_ratio = round((st.steady_cpu_s / st.steady_wall_s)
                                         / (ff.steady_cpu_s / ff.steady_wall_s), 3)
                job.update({"ffmpeg_cpu_s": round(ff.cpu_s, 2),
                            "ffmpeg_steady_cpu_s": round(ff.steady_cpu_s or 0, 2),
                            "ffmpeg_rc": ff.returncode,
                            "ratio": round(st.cpu_s / ff.cpu_s, 3) if ff.cpu_s else None,
                            "steady_ratio": steady_ratio})
            results["jobs"].append(job)
    results["compose"] = measure_compose((1920, 1080))
    from studio.app.bench.catalog import measure_catalog_import

    results["catalog"] = measure_catalog_import(media)
    print()
    print("| canvas | studio CPU s | ffmpeg CPU s | ratio (whole run) | ratio (steady state) "
          "| capture→socket p50 / p95 ms | frames | lagged |")
    print("|---|---|---|---|---|---|---|---|")
    for j in results["jobs"]:
        print(f"| {j['size']} | {j['studio_cpu_s']} | {j.get('ffmpeg_cpu_s', '-')} | {j.get('ratio', '-')} | "
              f"{j.get('steady_ratio', '-')} | {j['latency_p50_ms']} / {j['latency_p95_ms']} | "
              f"{j['frames']} | {j['lagged']} |")
    c = results["compose"]
    print(f"\ncompositing at {c['size']} with {c['overlays']} overlays: {c['compose_ms_mean']} ms mean, "
          f"{c['compose_ms_p95']} ms p95 (overlay blending alone {c['blend_ms_mean']} ms)")
    k = results["catalog"]
    print(f"catalog import: {k['rows']} Shopify rows → {k['products']} products in {k['seconds_median']} s")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0
