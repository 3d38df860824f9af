"""The post-show report as one self-contained HTML file (charts embedded as data: URIs), in the
window's language.

Every name and title that came from a platform or a catalog is HTML-escaped; nothing in the page
loads from the network.
"""

from __future__ import annotations

import base64
import contextlib
import html
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from studio.core.text import inert
from studio.live.report.data import Apart, ReportData
from studio.live.report.words import say, words


def _uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _money(d: dict[str, str]) -> str:
    return ", ".join(f"{html.escape(v)} {html.escape(k)}" for k, v in d.items()) or "—"


def _dur(secs: float) -> str:
    m, s = divmod(int(round(secs)), 60)
    h, m = divmod(m, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def _apart(w: dict[str, str], label: str, a: Apart) -> str:
    if not (a.orders or a.chat_messages):
        return ""
    gmv = {k: str(v) for k, v in a.gmv.items()}
    return (f"<li>{html.escape(say(w, label))}: {a.orders} {html.escape(say(w, 'order(s)'))} "
            f"({_money(gmv)}), {a.chat_messages} {html.escape(say(w, 'chat message(s)'))}</li>")


def _checks(w: dict[str, str], t: dict[str, Any]) -> str:
    """One line: what the validator refused (by reason), refunds and cancellations, times clamped."""

    def e(text: str) -> str:
        return html.escape(say(w, text))

    rej, refunds = t["rejected"], t["refunds"]
    orders = rej.get("orders", 0)
    others = sum(v for k, v in rej.items() if k not in ("orders", "reasons") and isinstance(v, int))
    parts = []
    if orders or others:
        why = ", ".join(f"{e(r)}: {n}" for r, n in rej["reasons"].items())
        counts = f"{orders} {e('order(s)')}, {others} {e('other event(s)')}"
        parts.append(f"<b>{e('Refused')}</b>: {counts} ({why})")
    if refunds["count"]:
        parts.append(f"<b>{e('Refunds')}</b>: {refunds['count']} ({_money(refunds['amount'])})")
    if t["cancellations"]:
        parts.append(f"<b>{e('Cancellations')}</b>: {t['cancellations']}")
    if t["clamped"]:
        parts.append(f"{e('times clamped to arrival')}: {t['clamped']}")
    if not parts:
        return ""
    note = e("not in the totals: GMV counts what was placed")
    return f'<p class="checks">{" · ".join(parts)} — {note}</p>'


def render_html(rep: ReportData, lang: str = "en") -> str:
    from studio.live.report.charts import conversion_png, timeline_png  # QtGui only when HTML is asked for

    w = words(lang)

    def e(text: str) -> str:
        return html.escape(say(w, text))

    t = rep.totals()
    conv = [(p["sku"], p["orders_per_minute_pinned"] or 0.0) for p in t["products"]
            if p["pinned_seconds"] > 0]
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(rep.start)) if rep.start else "—"
    rows = []
    for p in t["products"]:
        rows.append(
            "<tr>" + "".join(f"<td>{c}</td>" for c in (
                html.escape(p["sku"]) if p["sku"] else e("(no SKU)"), html.escape(p["title"]), p["orders"],
                p["units"], _money(p["gmv"]),
                _dur(p["pinned_seconds"]), p["orders_while_pinned"], _money(p["gmv_while_pinned"]),
                "—" if p["orders_per_minute_pinned"] is None else f"{p['orders_per_minute_pinned']:.2f}",
                p["all_orders_while_pinned"],
            )) + "</tr>")
    conv_img = (f'<img alt="{e("orders per minute while pinned")}" '
                f'src="{_uri(conversion_png(conv, say(w, "orders per minute while pinned")))}">'
                if conv else f"<p>{e('No product was pinned during this show.')}</p>")
    title = say(w, "Show report (demo)" if rep.demo else "Show report")
    not_real = e("this show ran the simulated demo feed; its orders, chat and viewers are not real.")
    demo_note = f'<p class="demo"><b>{e("Demo data:")}</b> {not_real}</p>' if rep.demo else ""
    apart = _apart(w, "before going live", rep.pre_live) + _apart(w, "between shows (off air)", rep.between)
    apart_html = f"<h3>{e('Not counted in the show')}</h3><ul>{apart}</ul>" if apart else ""
    off = (f" ({_dur(rep.off_air_seconds)} {e('off air while connecting or reconnecting')})"
           if rep.off_air_seconds >= 1 else "")
    dests = "".join(
        f"<li>{html.escape(say(w, name))}: {e('up')} {_dur(o['seconds_up'])} · {o['reconnects']} "
        f"{e('reconnect(s)')}{_bitrate(w, o)}</li>" for name, o in sorted(rep.outputs.items()))
    dests_html = f"<h3>{e('Destinations')}</h3><ul>{dests}</ul>" if dests else ""
    return f"""<!doctype html>
<html lang="{'zh-CN' if lang == 'zh_CN' else 'en'}"><head><meta charset="utf-8">
<title>{html.escape(title)} — {html.escape(when)}</title>
<style>
body{{font:14px/1.4 system-ui,"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:24px;color:#222;
max-width:1040px}}
.kpis{{display:flex;gap:16px;flex-wrap:wrap}}
.kpi{{border:1px solid #ddd;border-radius:8px;padding:10px 16px}}
.kpi b{{display:block;font-size:22px}} table{{border-collapse:collapse;width:100%}}
td,th{{border-bottom:1px solid #eee;padding:6px 8px;text-align:left}} th{{background:#f6f6f6}}
img{{max-width:100%;border:1px solid #eee}} .demo{{background:#ffd666;padding:6px 10px;border-radius:6px}}
</style></head><body>
<h1>{html.escape(title)}</h1>{demo_note}
<p>{html.escape(when)} · {e('on air')} {_dur(rep.on_air_seconds)}{off} · {rep.sessions} {e('show(s)')}
 · {rep.reconnects} {e('destination reconnect(s)')} · {rep.feed_reconnects} {e('feed reconnect(s)')}
 · {e('log')}: {html.escape(rep.path.name)}</p>
<div class="kpis">
<div class="kpi">{e('Orders')}<b>{t["orders"]}</b></div><div class="kpi">{e('Units')}<b>{t["units"]}</b></div>
<div class="kpi">{e('GMV')}<b>{_money(t["gmv"])}</b></div>
<div class="kpi">{e('Chat messages')}<b>{t["chat_messages"]}</b></div>
<div class="kpi">{e('Peak viewers')}<b>{t["peak_viewers"]}</b></div></div>
{_checks(w, t)}{apart_html}{dests_html}
<h2>{e('Timeline: pins, orders and chat')}</h2>
<img alt="{e('Timeline: pins, orders and chat')}" src="{_uri(timeline_png(rep, w))}">
<h2>{e('Products')}</h2>
<table><tr><th>{e('SKU')}</th><th>{e('Title')}</th><th>{e('Orders')}</th><th>{e('Units')}</th>
<th>{e('GMV')}</th><th>{e('Pinned')}</th><th>{e('Its orders while pinned')}</th>
<th>{e('Its GMV while pinned')}</th><th>{e('Its orders / min pinned')}</th>
<th>{e('All orders while pinned')}</th></tr>
{''.join(rows)}
</table>
<h2>{e('Conversion per minute pinned')}</h2>
{conv_img}
<p style="color:#777">{e(NOTE)}</p>
</body></html>
"""


NOTE = ("Only the time on air counts: orders placed before Go live or between shows are listed apart. "
        "Orders are counted once per order id. A product's orders while pinned are its own orders placed "
        "while it was pinned; \u201call orders while pinned\u201d counts every order placed meanwhile, "
        "whatever it bought. GMV is summed per currency, exactly.")


def _bitrate(w: dict[str, str], o: dict[str, Any]) -> str:
    """" · bitrate 470–1500 kbps (6 changes)" for a destination dynamic bitrate lowered, else ""."""
    if not o.get("bitrate_changes"):
        return ""
    rate = f"{int(o['bitrate_min_kbps'])}–{int(o['bitrate_max_kbps'])} kbps"
    return (f" · {html.escape(say(w, 'bitrate'))} {rate} ({int(o['bitrate_changes'])} "
            f"{html.escape(say(w, 'bitrate change(s) on a slow link'))})")


def write_html(rep: ReportData, out: str | Path, lang: str = "en") -> Path:
    """The report page at `out`, with every control character, escape sequence and lone surrogate from a
    platform (an order id, a SKU, a destination's error) shown escaped: html.escape leaves them as they
    are, and a lone surrogate cannot even be written as UTF-8. Written beside, then moved (atomic),
    created 0600 (mkstemp)."""
    target = Path(out)
    page = inert(render_html(rep, lang), multiline=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(page)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return target
