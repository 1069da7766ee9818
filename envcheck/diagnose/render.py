"""Human output of the diagnostics: one line per step, Japanese or English, the figure that proves it."""

from __future__ import annotations

_MARK = {"ok": "OK  ", "degraded": "注意" , "failed": "NG  ", "skipped": "--  "}
_MARK_EN = {"ok": "ok  ", "degraded": "warn", "failed": "FAIL", "skipped": "skip"}
_STATUS = {"ja": {"ok": "問題なし", "degraded": "注意あり", "failed": "問題あり", "skipped": "未実施"},
           "en": {"ok": "no problem", "degraded": "needs attention", "failed": "problem found", "skipped": "not run"}}
_NAMES = {"ja": {"proxy": "プロキシ設定", "dns": "名前解決", "tcp": "接続", "udp": "UDP", "tls": "暗号化(TLS)",
                 "http": "HTTP 往復", "captive_portal": "ログイン画面(キャプティブポータル)",
                 "throughput_down": "速度(下り)", "throughput_up": "速度(上り)", "wifi": "Wi-Fi"},
          "en": {"proxy": "proxy settings", "dns": "DNS", "tcp": "TCP connect", "udp": "UDP", "tls": "TLS",
                 "http": "HTTP round trip", "captive_portal": "captive portal", "throughput_down": "download",
                 "throughput_up": "upload", "wifi": "Wi-Fi"}}


def _figure(s: dict) -> str:
    bits = []
    if "kbps" in s:
        bits.append(f"{s['kbps']} kbps" + ("" if s.get("complete", True) else "*"))
    elif "ms" in s:
        bits.append(f"{s['ms']} ms")
    if "http_status" in s:
        bits.append(f"HTTP {s['http_status']}")
    if s.get("issuer"):
        bits.append("issuer " + (s["issuer"].get("O") or s["issuer"].get("CN", "?")))
    if s.get("signal_percent") is not None:
        bits.append(f"{s['signal_percent']}%")
    if s.get("signal_dbm") is not None:
        bits.append(f"{s['signal_dbm']} dBm")
    if s.get("security"):
        bits.append(str(s["security"]))
    if s.get("error") and not s.get("cause"):
        bits.append(str(s["error"]))
    return ", ".join(bits)


def render(doc: dict, lang: str = "ja") -> str:
    lang = "ja" if lang == "ja" else "en"
    marks = _MARK if lang == "ja" else _MARK_EN
    names = _NAMES[lang]
    head = "ネットワーク診断" if lang == "ja" else "Network diagnostics"
    lines = [f"{head}: {_STATUS[lang].get(doc.get('status', 'skipped'), doc.get('status'))} "
             f"({doc.get('elapsed_ms', 0)} ms / {doc.get('bound_ms', 0)} ms)"]
    for s in doc.get("steps", []):
        where = s.get("target") or ""
        if s.get("port") and s.get("step") in ("tcp", "tls", "http"):
            where = f"{where} {s.get('host')}:{s['port']}"
        label = names.get(s.get("step", ""), s.get("step", ""))
        fig = _figure(s)
        lines.append(f"  [{marks.get(s.get('status'), '?')}] {label} {where}".rstrip() + (f" — {fig}" if fig else ""))
        if s.get("cause") and s.get("status") != "ok":
            lines.append(f"         → {s['cause'][lang]}")
    if any(s.get("complete") is False for s in doc.get("steps", [])):
        lines.append("  * " + ("時間内に全量を送受信できなかったため推定値です。" if lang == "ja"
                               else "estimate: not every byte moved within the time limit."))
    return "\n".join(lines) + "\n"
