"""The web pages' own words in Japanese (first) and English. Report content is never looked up here."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

LANGS = ("ja", "en")
JST = timezone(timedelta(hours=9), "JST")

WORDS: dict[str, tuple[str, str]] = {
    "app": ("環境チェック 受付", "envcheck intake"),
    "login": ("ログイン", "Log in"),
    "logout": ("ログアウト", "Log out"),
    "username": ("ユーザー名", "User name"),
    "password": ("パスワード", "Password"),
    "login_failed": ("ユーザー名またはパスワードが違います。", "Wrong user name or password."),
    "throttled": ("失敗が続いたため、しばらくログインできません。15 分後にもう一度お試しください。",
                  "Too many failed attempts. Try again in 15 minutes."),
    "csrf": ("フォームの有効期限が切れました。ページを読み込み直してください。",
             "The form has expired. Reload the page and try again."),
    "reports": ("レポート一覧", "Reports"),
    "audit": ("監査ログ", "Audit log"),
    "filter": ("絞り込み", "Filter"),
    "verdict": ("判定", "Verdict"),
    "any": ("すべて", "Any"),
    "from": ("受信日（から）", "Received from"),
    "to": ("受信日（まで）", "Received to"),
    "seeker_no": ("求職番号", "Job-seeker no."),
    "received_at": ("受信日時", "Received"),
    "created_at": ("チェック日時", "Checked"),
    "platform": ("OS", "OS"),
    "claimed": ("申告された判定", "Claimed verdict"),
    "judged": ("受付での判定", "Verdict (re-judged)"),
    "mismatch": ("不一致", "Mismatch"),
    "mismatch_long": ("注意: チェッカーが申告した判定と、受付が現在のルールで判定し直した結果が一致しません"
                      "（古いチェッカー、古いルール、または改ざんの可能性）。",
                      "Warning: the verdict the checker claimed differs from the service's own re-judged verdict "
                      "(an old checker, stale rules, or an edited report)."),
    "new_key": ("新しい端末鍵", "New device key"),
    "next": ("次へ", "Next"),
    "first": ("最初へ", "First page"),
    "none": ("該当するレポートはありません。", "No reports match."),
    "bad_seeker": ("求職番号の形式が正しくありません", "The job-seeker number is not valid"),
    "bad_date": ("日付は YYYY-MM-DD で入力してください。", "Enter dates as YYYY-MM-DD."),
    "report": ("レポート", "Report"),
    "requirement": ("要件", "Requirement"),
    "article": ("条項", "Article"),
    "status": ("状態", "Status"),
    "summary": ("内容（レポート記載）", "Finding (as reported)"),
    "remedy": ("対処（レポート記載）", "Remedy (as reported)"),
    "signature": ("署名", "Signature"),
    "sig_ok": ("有効（改ざんなし）", "Valid (not altered)"),
    "sig_bad": ("無効", "Invalid"),
    "key_id": ("鍵 ID", "Key id"),
    "continuity": ("端末の継続性", "Device continuity"),
    "pinned_same": ("前回と同じ端末鍵です（最初に登録された鍵）。", "Same device key as registered first (pinned)."),
    "key_new": ("最初に登録された端末鍵と異なる鍵です（新しい PC、または改ざんの可能性）。",
                "A different key from the first registered one (a new PC, or tampering)."),
    "no_seeker": ("求職番号がないため追跡していません。", "No job-seeker number: not tracked."),
    "pinned": ("登録鍵", "Pinned"),
    "first_seen": ("初回", "First seen"),
    "last_seen": ("最終", "Last seen"),
    "receipt": ("受付票", "Receipt"),
    "evidence": ("根拠データ", "Evidence"),
    "diagnostics": ("ネットワーク診断", "Diagnostics"),
    "checker": ("チェッカー", "Checker"),
    "rules_version": ("ルール版", "Rules version"),
    "history": ("履歴", "History"),
    "eligible": ("予約可否", "Eligibility"),
    "yes": ("可", "Yes"),
    "no": ("不可", "No"),
    "device_keys": ("端末鍵", "Device keys"),
    "at": ("日時", "When"),
    "actor": ("利用者", "Who"),
    "role": ("権限", "Role"),
    "action": ("操作", "Action"),
    "target": ("対象", "Target"),
    "not_found": ("見つかりません。", "Not found."),
    "bad_request": ("入力された値を扱えません。", "The request has a value that cannot be used."),
    "forbidden": ("この操作の権限がありません。", "You are not allowed to do this."),
    "unavailable": ("データベースが一時的に使えません。しばらくしてからもう一度お試しください。",
                    "The database is temporarily unavailable. Try again shortly."),
    "truncated": ("（長いため省略）", "(truncated)"),
    "pass": ("合格", "pass"), "fail": ("不合格", "fail"), "incomplete": ("判定不能", "incomplete"),
    "warn": ("注意", "warn"), "unknown": ("不明", "unknown"), "skipped": ("対象外", "skipped"),
    "lang_switch": ("English", "日本語"),
}


def translator(lang: str):
    idx = 0 if lang == "ja" else 1

    def t(key: str) -> str:
        pair = WORDS.get(key)
        return pair[idx] if pair else key

    return t


def local_time(when: datetime | None) -> str:
    """Office time (JST, no daylight saving) for display."""
    return "" if when is None else when.astimezone(JST).strftime("%Y-%m-%d %H:%M:%S JST")
