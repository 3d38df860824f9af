"""Full-rate burst soak (not part of the test run): 200 chat messages per second for 60 s through the
real pipeline and session log, with an order every second; prints memory and exact counts.

    .venv/bin/python tests/integration/live/soak_chat_burst.py [SECONDS] [RATE]
"""

from __future__ import annotations

import sys
import tempfile
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path

from studio.live.events import ChatMessage, LineItem, Order
from studio.live.session import LiveSession


def main() -> int:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 60.0
    rate = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    with tempfile.TemporaryDirectory() as d:
        s = LiveSession(Path(d) / "soak.sqlite")
        tracemalloc.start()
        t0 = time.monotonic()
        sent = orders = 0
        samples = []
        while (elapsed := time.monotonic() - t0) < seconds:
            due = int(elapsed * rate)
            while sent < due:
                s.handle(ChatMessage("soak", f"m{sent}", f"u{sent % 500}", "多少钱? how much?", time.time()),
                         republish=False)
                sent += 1
                if sent % rate == 0:
                    o = Order("soak", f"o{orders}", time.time(), "USD", (LineItem("S", 1, Decimal("0.01")),),
                              Decimal("0.01"))
                    s.handle(o, republish=False)
                    s.handle(o, republish=False)  # a replay
                    orders += 1
            if sent % (rate * 5) == 0:
                samples.append(tracemalloc.get_traced_memory()[0])
            time.sleep(0.002)
        cur, peak = tracemalloc.get_traced_memory()
        s.close()
        ok = s.counters.chat_messages == sent and s.counters.orders == orders
        print(f"sent {sent} chat, {orders} orders in {seconds:.0f} s; counted {s.counters.chat_messages} / "
              f"{s.counters.orders}; gmv {s.counters.gmv}; traced memory now {cur / 1e6:.1f} MB, peak "
              f"{peak / 1e6:.1f} MB; {'OK' if ok else 'MISMATCH'}")
        return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
