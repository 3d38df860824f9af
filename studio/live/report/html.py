"""The post-show report as one self-contained HTML file (charts embedded as data: URIs).

Every name and title that came from a platform or a catalog is HTML-escaped; nothing in the page
loads from the network.
"""

from __future__ import annotations

import base64
import html
import time
from pathlib import Path

from studio.live.report.data import ReportData


def _uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _money(d: dict[str, str]) -> str:
    return ", ".join(f"{html.escape(v)} {html.escape(k)}" for k, v in d.items()) or "—"


def _dur(secs: float) -> str:
    m, s = divmod(int(round(secs)), 60)
    h, m = divmod(m, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def render_html(rep: ReportData) -> str:
    from studio.live.report.charts import conversion_png, timeline_png  # QtGui only when HTML is asked for

    t = rep.totals()
    conv = [(p["sku"], p["orders_per_minute_pinned"] or 0.0) for p in t["products"]
            if p["pinned_seconds"] > 0]
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(rep.start)) if rep.start else "—"
    rows = []
    for p in t["products"]:
        rows.append(
            "<tr>" + "".join(f"<td>{c}</td>" for c in (
                html.escape(p["sku"] or "(no SKU)"), html.escape(p["title"]), p["orders"], p["units"],
                _money(p["gmv"]),
                _dur(p["pinned_seconds"]), p["orders_while_pinned"], _money(p["gmv_while_pinned"]),
                "—" if p["orders_per_minute_pinned"] is None else f"{p['orders_per_minute_pinned']:.2f}",
            )) + "</tr>")
    conv_img = f'<img alt="orders per minute pinned" src="{_uri(conversion_png(conv))}">' if conv else \
        "<p>No product was pinned during this show.</p>"
    title = "Show report (demo)" if rep.demo else "Show report"
    demo_note = ('<p style="background:#ffd666;padding:6px 10px;border-radius:6px"><b>Demo data:</b> '
                 "this show ran the simulated demo feed; its orders, chat and viewers are not real.</p>"
                 ) if rep.demo else ""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title} — {html.escape(when)}</title>
<style>
body{{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;max-width:1040px}}
.kpis{{display:flex;gap:16px;flex-wrap:wrap}}
.kpi{{border:1px solid #ddd;border-radius:8px;padding:10px 16px}}
.kpi b{{display:block;font-size:22px}} table{{border-collapse:collapse;width:100%}}
td,th{{border-bottom:1px solid #eee;padding:6px 8px;text-align:left}} th{{background:#f6f6f6}}
img{{max-width:100%;border:1px solid #eee}}
</style></head><body>
<h1>{title}</h1>{demo_note}
<p>{html.escape(when)} · {_dur(rep.end - rep.start)} · {rep.sessions} session(s)
 · {rep.reconnects} reconnect(s) · log: {html.escape(rep.path.name)}</p>
<div class="kpis">
<div class="kpi">Orders<b>{t["orders"]}</b></div><div class="kpi">Units<b>{t["units"]}</b></div>
<div class="kpi">GMV<b>{_money(t["gmv"])}</b></div>
<div class="kpi">Chat messages<b>{t["chat_messages"]}</b></div>
<div class="kpi">Peak viewers<b>{t["peak_viewers"]}</b></div></div>
<h2>Timeline: pins, orders and chat</h2>
<img alt="timeline of pinned products, orders per minute and chat per minute" src="{_uri(timeline_png(rep))}">
<h2>Products</h2>
<table><tr><th>SKU</th><th>Title</th><th>Orders</th><th>Units</th><th>GMV</th><th>Pinned</th>
<th>Orders while pinned</th><th>GMV while pinned</th><th>Orders / min pinned</th></tr>
{''.join(rows)}
</table>
<h2>Conversion per minute pinned</h2>
{conv_img}
<p style="color:#777">Orders are counted once per order id and attributed to the product pinned when the order
was created. GMV is summed per currency, exactly.</p>
</body></html>
"""


def write_html(rep: ReportData, out: str | Path) -> Path:
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(out.suffix + ".tmp")
    tmp.write_text(render_html(rep), encoding="utf-8")
    tmp.replace(out)
    return out
