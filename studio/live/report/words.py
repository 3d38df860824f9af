"""The report's words in the languages the studio speaks ("en", "zh_CN"). The report is written in
the live layer, without Qt, so it cannot use the window's Qt translations: its few words live here."""

from __future__ import annotations

ZH_CN = {
    "Show report": "直播报告",
    "Show report (demo)": "直播报告（演示）",
    "Demo data:": "演示数据：",
    "this show ran the simulated demo feed; its orders, chat and viewers are not real.":
        "本场运行的是模拟演示数据源，订单、弹幕和观众均非真实数据。",
    "on air": "在播",
    "off air while connecting or reconnecting": "连接或重连中未在播",
    "show(s)": "场",
    "destination reconnect(s)": "次推流重连",
    "feed reconnect(s)": "次数据源重连",
    "log": "日志",
    "Orders": "订单",
    "Units": "件数",
    "GMV": "成交额",
    "Chat messages": "弹幕",
    "Peak viewers": "观众峰值",
    "Not counted in the show": "未计入本场",
    "before going live": "开播前",
    "between shows (off air)": "两场之间（未在播）",
    "order(s)": "笔订单",
    "chat message(s)": "条弹幕",
    "Timeline: pins, orders and chat": "时间线：讲解商品、订单与弹幕",
    "Products": "商品",
    "SKU": "SKU",
    "Title": "名称",
    "Pinned": "讲解时长",
    "Its orders while pinned": "讲解期间本品订单",
    "Its GMV while pinned": "讲解期间本品成交额",
    "Its orders / min pinned": "讲解期间本品每分钟订单",
    "All orders while pinned": "讲解期间全部订单",
    "Conversion per minute pinned": "讲解期间每分钟转化",
    "No product was pinned during this show.": "本场没有讲解商品。",
    "(no SKU)": "（无 SKU）",
    "Only the time on air counts: orders placed before Go live or between shows are listed apart. "
    "Orders are counted once per order id. A product's orders while pinned are its own orders placed "
    "while it was pinned; \u201call orders while pinned\u201d counts every order placed meanwhile, "
    "whatever it bought. GMV is summed per currency, exactly.":
        "只统计在播时间：开播前和两场之间的订单单独列出。每个订单号只计一次。商品的讲解期间订单是"
        "讲解该商品时下单且包含该商品的订单；“讲解期间全部订单”统计讲解期间的所有订单。成交额按币种精确求和。",
    "minutes since start": "开播后分钟",
    "bars: orders/min (left)": "柱：每分钟订单（左）",
    "red line: chat/min (right)": "红线：每分钟弹幕（右）",
    "bands: pinned product": "色带：讲解商品",
    "grey: off air": "灰色：未在播",
    "orders per minute while pinned": "讲解期间每分钟订单",
    "Destinations": "推流目标",
    "up": "在播",
    "reconnect(s)": "次重连",
    "bitrate": "码率",
    "bitrate change(s) on a slow link": "次因网速慢调整码率",
    "recording": "录像",
    "Refused": "已拒收",
    "other event(s)": "条其他事件",
    "Refunds": "退款",
    "Cancellations": "取消订单",
    "times clamped to arrival": "时间校正为到达时间",
    "not in the totals: GMV counts what was placed": "不计入合计：成交额按下单金额统计",
    # the validator's reasons (studio.live.validate.REASONS)
    "unknown currency": "未知币种",
    "amount not a number": "金额不是数字",
    "negative amount": "金额为负",
    "amount too large": "金额过大",
    "too many decimals": "小数位过多",
    "quantity not a positive whole number": "数量不是正整数",
    "quantity too large": "数量过大",
    "too many lines": "订单行过多",
    "bad line item": "订单行无效",
    "time out of range": "时间超出范围",
    "dated in the future": "时间在未来",
    "bad order id": "订单号无效",
    "viewer count out of range": "观众数超出范围",
}

TABLES = {"zh_CN": ZH_CN}


def words(lang: str) -> dict[str, str]:
    """English text → the language's text; English (the key itself) for a word not translated."""
    return TABLES.get(lang, {})


def say(table: dict[str, str], text: str) -> str:
    return table.get(text, text)
