"""What a person reads after a send, the same in the command line and the window, Japanese first.

A Delivery (service.py) carries a message key; `message()` turns it into a headline (what happened)
and a help text (what happens next). The two programs differ only in how the next step is done
("press 「もう一度チェック」" or "run envcheck check --upload"): those phrases are PROGRAM_WORDS, filled
into the same sentences, so neither program can drift from the other.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from envcheck.office import Office

if TYPE_CHECKING:
    from envcheck.delivery.service import Delivery

#: The message keys a Delivery can carry (tests/test_delivery_service.py checks each has both languages).
SENT_KEYS = ("sent_pass", "sent_pass_not_enrolled", "sent_fail", "sent_incomplete")
QUEUED_KEYS = ("queued_offline", "queued_busy", "queued_elsewhere")
REFUSED_KEYS = ("refused_stale", "refused_invalid", "refused_conflict", "refused_too_large", "refused_denied",
                "refused_enrolment", "refused_other")
WHY_KINDS = ("network", "timeout", "dns", "proxy", "tls", "busy")

TEXTS: dict[str, dict[str, str]] = {
    "ja": {
        "sent": "送信しました。受付番号: {receipt}",
        "sent_pass": "受付番号を控えておいてください。この結果で予約できます。{booking}予約の際に受付番号を"
                     "お伝えいただくと、確認がスムーズです。",
        "sent_pass_not_enrolled": "受付番号を控えておいてください。このパソコンはまだ登録されていないため、"
                                  "この結果だけではまだ予約できません。{with_code}、{contact}にご連絡ください。",
        "sent_fail": "この結果では、まだ予約できません。{fix_then}",
        "sent_incomplete": "確認できない項目があるため、担当者が内容を確認します。"
                           "確認が終わるまで予約はお待ちください。"
                           "お急ぎの場合は{contact}にご連絡ください。",
        "booking_at": "予約はこちらから: {url}　",
        "kept": "ハローワークの受付サービスに接続できませんでした（{why}）。",
        "queued_offline": "結果はこのパソコンに保管してあり、{later}。お使いの"
                          "インターネットではなく、受付サービスが止まっていることもあります。{retry}"
                          "続く場合は{contact}にご連絡ください。",
        "queued_busy": "結果はこのパソコンに保管してあり、{later}。{retry}続く場合は{contact}にご連絡ください。",
        "queued_elsewhere": "この結果は、いま別の画面（envcheck）が送信しています。しばらくしてから受付番号を"
                            "ご確認ください。",
        "why_network": "応答がありません",
        "why_timeout": "時間内に応答がありません",
        "why_dns": "受付サービスの名前が見つかりません",
        "why_proxy": "プロキシが接続を拒否しました",
        "why_tls": "安全な接続を確認できません。ウイルス対策ソフトやネットワークの設定が原因のこともあります",
        "why_busy": "受付サービスが混み合っているか、止まっています",
        "why_other": "原因はわかりません",
        "elsewhere": "この結果はまだ送信中です。",
        "refused": "報告書は受け付けられませんでした。",
        "refused_stale": "チェックしてから時間がたちすぎたため、受け付けられませんでした。{check_again}",
        "refused_invalid": "報告書の内容を確かめられなかったため、受け付けられませんでした。{check_again}"
                           "続く場合は{contact}にご連絡ください。",
        "refused_conflict": "同じ番号の報告書が別の内容ですでに届いています。{check_again}",
        "refused_too_large": "報告書が大きすぎるため、受け付けられませんでした。{contact} にご連絡ください。",
        "refused_denied": "このパソコンからの送信は受け付けられませんでした。{contact} にご連絡ください。",
        "refused_enrolment": "登録コードを使えませんでした（入力の違い、使用済み、または期限切れ）。コードを"
                             "確かめてもう一度送信するか、{contact}に新しいコードをお尋ねください。",
        "refused_other": "受け付けられませんでした。{contact} にご連絡ください。",
        "error_number": "（エラー番号: {code}）",
        "outbox_sent": "前回送信できなかった結果を送信しました。受付番号: {receipts}",
        "outbox_empty": "送信を待っている結果はありません。",
    },
    "en": {
        "sent": "Sent. Receipt number: {receipt}",
        "sent_pass": "Keep this receipt number. With this result you can book. {booking}Telling the office the "
                     "receipt number when you book makes checking quicker.",
        "sent_pass_not_enrolled": "Keep this receipt number. This computer is not enrolled yet, so this result "
                                  "alone does not let you book: {with_code}, or call {contact}.",
        "sent_fail": "With this result you cannot book yet. {fix_then}",
        "sent_incomplete": "Some items could not be checked, so the staff will look at the result. Please wait with "
                           "booking until then; if it is urgent, call {contact}.",
        "booking_at": "Book here: {url}  ",
        "kept": "Could not reach the office's intake service ({why}).",
        "queued_offline": "The result is kept on this computer and {later}. The service itself may be down, not "
                          "your Internet. {retry} If it keeps happening, call {contact}.",
        "queued_busy": "The result is kept on this computer and {later}. {retry} If it keeps happening, call "
                       "{contact}.",
        "queued_elsewhere": "Another envcheck (a window or a command) is sending this result right now. Look for "
                            "its receipt number in a moment.",
        "why_network": "cannot connect",
        "why_timeout": "no answer in time",
        "why_dns": "the service's name cannot be found",
        "why_proxy": "the proxy refused the connection",
        "why_tls": "the secure connection cannot be verified; antivirus or network settings can cause this",
        "why_busy": "the service is busy or down",
        "why_other": "unknown cause",
        "elsewhere": "This result is still being sent.",
        "refused": "The report was not accepted.",
        "refused_stale": "Too much time has passed since the check. {check_again}",
        "refused_invalid": "The report could not be verified. {check_again} If it keeps happening, call {contact}.",
        "refused_conflict": "A different report with the same number has already arrived. {check_again}",
        "refused_too_large": "The report is too large. Please call {contact}.",
        "refused_denied": "Reports from this computer are not accepted. Please call {contact}.",
        "refused_enrolment": "The enrolment code could not be used (mistyped, already used or expired). Check the "
                             "code and send again, or ask {contact} for a new one.",
        "refused_other": "Not accepted. Please call {contact}.",
        "error_number": " (error number: {code})",
        "outbox_sent": "Sent the result that could not be sent last time. Receipt number: {receipts}",
        "outbox_empty": "Nothing is waiting in the outbox.",
    },
}

#: How each program's next step is said; the sentences above are shared.
PROGRAM_WORDS: dict[str, dict[str, dict[str, str]]] = {
    "window": {
        "ja": {"later": "次にこのアプリを開いたときに自動で送信します",
               "retry": "しばらくしてからもう一度「ハローワークへ送信」を押してください。",
               "check_again": "「もう一度チェック」を押してから送信してください。",
               "fix_then": "「直し方」に沿って直してから、もう一度チェックして送信してください。",
               "with_code": "お知らせした登録コードを入れてもう一度送信するか"},
        "en": {"later": "is sent automatically the next time you open this app",
               "retry": "Press \"Send to the office\" again later.",
               "check_again": "Press \"Check again\", then send.",
               "fix_then": "Fix the items as described, check again and send again.",
               "with_code": "send again with the enrolment code you were given"},
    },
    "cli": {
        "ja": {"later": "次に envcheck send を実行したとき（またはアプリを開いたとき）に送信します",
               "retry": "しばらくしてから envcheck send を実行してください。",
               "check_again": "もう一度 envcheck check --upload を実行してください。",
               "fix_then": "表示された直し方に沿って直してから、もう一度 envcheck check --upload を実行してください。",
               "with_code": "お知らせした登録コードを付けて envcheck check --upload --enrol コード を"
                            "もう一度実行するか"},
        "en": {"later": "will be sent with: envcheck send (or when the app opens)",
               "retry": "Run envcheck send again later.",
               "check_again": "Run envcheck check --upload again.",
               "fix_then": "Fix the items as described, then run envcheck check --upload again.",
               "with_code": "run envcheck check --upload --enrol CODE again with the enrolment code you were given"},
    },
}


def text(lang: str, key: str, office: Office | None = None, program: str = "window", **values) -> str:
    """One sentence of TEXTS; {contact} and {office} from the office, the program's words for the next step."""
    lang = lang if lang in TEXTS else "en"
    office = office or Office()
    values.setdefault("contact", office.contact(lang))
    for name, phrase in PROGRAM_WORDS[program][lang].items():
        values.setdefault(name, phrase)
    return TEXTS[lang][key].format(**values)


def message(delivery: Delivery, lang: str, office: Office | None = None, program: str = "window") -> tuple[str, str]:
    """(what happened, what happens next) for one Delivery, in `lang`, as `program` says the next step."""
    office = office or Office()
    error = delivery.error
    status = error.status if error is not None else None
    if delivery.outcome == "sent":
        booking = text(lang, "booking_at", url=office.booking_url) if office.booking_url else ""
        return (text(lang, "sent", receipt=delivery.receipt_no),
                text(lang, delivery.key, office, program, booking=booking))
    if delivery.outcome == "refused":
        code = error.code if error is not None else None
        number = text(lang, "error_number", code=f"HTTP {status}" if status else (code or "-"))
        return text(lang, "refused"), text(lang, delivery.key, office, program) + number
    if delivery.key == "queued_elsewhere":
        return text(lang, "elsewhere"), text(lang, delivery.key, office, program)
    extra = text(lang, "error_number", code=f"HTTP {status}") if status else ""
    return (text(lang, "kept", why=text(lang, f"why_{delivery.why}")),
            text(lang, delivery.key, office, program) + extra)
