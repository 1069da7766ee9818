"""「結果を保存」's readable copy: one printable HTML page (the signed .json is saved beside it).

What the seeker can print or show at the desk: verdict, receipt number, each item with its fix,
whom to call. Every value is escaped (report texts come from the rules and the machine).
"""

from __future__ import annotations

from html import escape

from envcheck.glossary import ja_date, verdict_word
from envcheck.gui import model
from envcheck.office import Office

_HEAD = {
    "ja": {"title": "利用環境チェックの結果", "made": "チェックした日時", "receipt": "受付番号", "seeker": "求職番号",
           "none": "（なし）", "item": "項目", "result": "結果", "contact": "お問い合わせ",
           "unsent": "（まだ送信していません）"},
    "en": {"title": "Device check result", "made": "Checked at", "receipt": "Receipt number",
           "seeker": "Job-seeker number", "none": "(none)", "item": "Item", "result": "Result", "contact": "Contact",
           "unsent": "(not sent yet)"},
}


def summary_html(report: dict, rules, lang: str, office: Office | None = None, receipt: str | None = None) -> str:
    lang = lang if lang in _HEAD else "en"
    h, office = _HEAD[lang], office or Office()
    made = report.get("created_at", "")
    made = ja_date(made) if lang == "ja" else made
    verdict = report["verdict"]
    out = [f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>{escape(h["title"])}</title>',
           "<style>body{font-family:sans-serif;max-width:48em;margin:2em auto;line-height:1.6}"
           "table{border-collapse:collapse;width:100%}td,th{border:1px solid #888;padding:.4em;vertical-align:top;"
           "text-align:left}.fail{background:#fde0df}.warn{background:#fff3d1}.unknown{background:#e9e7f5}"
           "@media print{body{margin:0}}</style></head><body>",
           f"<h1>{escape(h['title'])}</h1>",
           f"<p><strong>{escape(model.VERDICT_MARKS[verdict])} {escape(verdict_word(verdict, lang))}</strong></p>",
           "<dl>",
           f"<dt>{escape(h['receipt'])}</dt><dd>{escape(receipt) if receipt else escape(h['unsent'])}</dd>",
           f"<dt>{escape(h['seeker'])}</dt><dd>{escape(report.get('seeker_no') or h['none'])}</dd>",
           f"<dt>{escape(h['made'])}</dt><dd>{escape(made)}</dd>",
           f"<dt>{escape(h['contact'])}</dt><dd>{escape(office.contact(lang))}</dd>",
           "</dl>",
           f"<table><tr><th>{escape(h['result'])}</th><th>{escape(h['item'])}</th></tr>"]
    for row in model.rows(report, rules, lang):
        d = model.detail(report, rules, row.id, lang, office)
        fix = "" if row.status not in model.PROBLEMS else (
            f"<p><strong>{escape(model.text(lang, 'fix'))}</strong><br>{escape(d.fix).replace(chr(10), '<br>')}</p>")
        out.append(f'<tr class="{escape(row.status)}"><td>{escape(row.result)}</td><td><strong>{escape(row.title)}'
                   f"</strong><br>{escape(row.summary)}{fix}</td></tr>")
    out.append("</table></body></html>")
    return "\n".join(out) + "\n"
