"""`studio faults`: the fault-injection figures of the README, through a loopback proxy in front of a
local nginx-rtmp: cuts, a restarted server, a stall, throttling (dynamic bitrate, constant bitrate, two
destinations), a refused key, a killed sender."""

from __future__ import annotations

import json
from pathlib import Path


def register(sub) -> None:
    p = sub.add_parser("faults", help="measure recovery from network faults (loopback proxy + nginx-rtmp)")
    p.add_argument("--long", action="store_true", help="add the 60 s cut")
    p.add_argument("--json", type=Path, default=None, help="also write the results to this file")
    p.set_defaults(func=run)


def run(args) -> int:
    from studio.app.bench.faults import run_fault_figures

    rows = run_fault_figures(long=args.long)
    keys = list(dict.fromkeys(k for r in rows for k in r))  # the dynamic-bitrate columns only some rows have
    print("| " + " | ".join(keys) + " |")
    print("|" + "---|" * len(keys))
    for r in rows:
        print("| " + " | ".join(str(r.get(k, "—")) for k in keys) + " |")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))
    return 0
