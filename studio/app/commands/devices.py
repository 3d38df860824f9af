"""`studio devices`: the cameras, microphones and H.264 encoders this machine really has.

Encoders are probed by opening them and encoding a frame (a listed-but-broken NVENC is shown as
such, with the reason). `--json` prints the same as one JSON object for scripts and bug reports.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any


def collect(probe: bool = True) -> dict[str, Any]:
    from studio.media.sources.specs import list_cameras, list_microphones  # noqa: PLC0415

    report: dict[str, Any] = {"cameras": [], "microphones": [], "encoders": []}
    errors: list[str] = []
    try:
        report["cameras"] = [{"spec": f"camera:{c.index}", "index": c.index, "name": c.name, "path": c.path}
                             for c in list_cameras()]
    except Exception as e:  # noqa: BLE001 - a listing failure must not hide the other sections
        errors.append(f"cameras: {e}")
    try:
        report["microphones"] = [{"spec": f"mic:{m.name}", "name": m.name, "hostapi": m.hostapi,
                                  "channels": m.channels, "default_rate": m.default_rate,
                                  "default": m.is_default} for m in list_microphones()]
    except Exception as e:  # noqa: BLE001 - e.g. "PortAudio library not found"
        errors.append(f"microphones: {e}")
    if probe:
        try:
            from studio.media.encoder_options import probe_encoders  # noqa: PLC0415 - lazy: heavy, and optional

            report["encoders"] = [{"name": name, "ok": bool(ok), "reason": reason}
                                  for name, ok, reason in probe_encoders(width=1280, height=720, fps=30)]
        except Exception as e:  # noqa: BLE001
            errors.append(f"encoders: {e}")
    if errors:
        report["errors"] = errors
    return report


def render(report: dict[str, Any]) -> str:
    lines = ["Cameras:"]
    lines += [f"  {c['spec']:<12} {c['name']}" for c in report["cameras"]] or ["  (none found)"]
    lines.append("Microphones:")
    lines += [f"  {'*' if m['default'] else ' '} mic:{m['name']}  [{m['hostapi']}, {m['channels']} ch, "
              f"{m['default_rate']:g} Hz]" for m in report["microphones"]] or ["  (none found)"]
    lines.append("H.264 encoders (720p30, really opened):")
    lines += [f"  {'ok ' if e['ok'] else 'no '} {e['name']:<18} {e['reason']}" for e in report["encoders"]] \
        or ["  (not probed)"]
    for err in report.get("errors", []):
        lines.append(f"! {err}")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    report = collect(probe=not args.no_probe)
    if args.json:
        json.dump(report, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        print(render(report))
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("devices", help="list cameras, microphones and working H.264 encoders",
                              description=__doc__)
    p.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    p.add_argument("--no-probe", action="store_true", help="skip the encoder probe (faster)")
    p.set_defaults(func=run)
