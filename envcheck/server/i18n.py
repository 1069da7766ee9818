"""The web pages' own words in Japanese (first) and English. Report content is never looked up here."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

LANGS = ("ja", "en")
JST = timezone(timedelta(hours=9), "JST")

WORDS: dict[str, tuple[str, str]] = {
    "app": ("利用環境チェック 受付（職員用）", "envcheck intake (staff)"),
    "login": ("ログイン", "Log in"),
    "logout": ("ログアウト", "Log out"),
    "username": ("ユーザー名", "User name"),
    "password": ("パスワード", "Password"),
    "login_failed": ("ユーザー名またはパスワードが違います。", "Wrong user name or password."),
    "throttled": ("失敗が続いたため、しばらくログインできません。15 分後にもう一度お試しください。",
                  "Too many failed attempts. Try again in 15 minutes."),
    "csrf": ("フォームの有効期限が切れました。ページを読み込み直してください。",
             "The form has expired. Reload the page and try again."),
    "reports": ("報告書一覧", "Reports"),
    "audit": ("監査ログ", "Audit log"),
    "rules_status": ("ルールの自動更新", "Rules refresh"),
    "filter": ("絞り込み", "Filter"),
    "verdict": ("判定", "Verdict"),
    "any": ("すべて", "Any"),
    "from": ("受信日（から）", "Received from"),
    "to": ("受信日（まで）", "Received to"),
    "seeker_no": ("求職番号", "Job-seeker no."),
    "received_at": ("受信日時", "Received"),
    "created_at": ("チェック日時", "Checked"),
    "platform": ("OS", "OS"),
    "claimed": ("本人のパソコンでの判定", "Verdict on the seeker's device"),
    "judged": ("ハローワークでの判定（正式）", "Verdict (re-judged, official)"),
    "mismatch": ("不一致", "Mismatch"),
    "mismatch_long": ("注意: チェッカーが申告した判定と、受付が現在のルールで判定し直した結果が一致しません"
                      "（古いチェッカー、古いルール、または改ざんの可能性）。",
                      "Warning: the verdict the checker claimed differs from the service's own re-judged verdict "
                      "(an old checker, stale rules, or an edited report)."),
    "new_key": ("別の端末", "Other device"),
    "next": ("次へ", "Next"),
    "first": ("最初へ", "First page"),
    "none": ("該当する報告書はありません。", "No reports match."),
    "bad_seeker": ("求職番号の形式が正しくありません", "The job-seeker number is not valid"),
    "bad_date": ("日付は YYYY-MM-DD で入力してください。", "Enter dates as YYYY-MM-DD."),
    "report": ("報告書", "Report"),
    "requirement": ("要件", "Requirement"),
    "article": ("条項", "Article"),
    "status": ("状態", "Status"),
    "summary": ("内容（報告書の記載）", "Finding (as reported)"),
    "remedy": ("対処（報告書の記載）", "Remedy (as reported)"),
    "signature": ("署名", "Signature"),
    "sig_ok": ("有効（送信後の書き換えなし）", "Valid (not altered after sending)"),
    "sig_bad": ("無効", "Invalid"),
    "key_id": ("鍵 ID", "Key id"),
    "continuity": ("端末の継続性", "Device continuity"),
    "pinned_same": ("この求職番号で登録済みの端末です。", "A device already registered for this job-seeker number."),
    "key_new": ("最初の報告書とは別のパソコン（またはアプリの再インストール）から送信されています。"
                "本人に確認してください。",
                "Sent from another computer than the first report (or the app was reinstalled). Ask the job-seeker."),
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
    "pass": ("合格", "pass"), "fail": ("不合格", "fail"), "incomplete": ("確認できない項目あり", "incomplete"),
    "warn": ("注意", "warn"), "unknown": ("不明", "unknown"), "skipped": ("対象外", "skipped"),
    "declared": ("自己申告", "declared"),
    "lang_switch": ("English", "日本語"),
    # --- issue 17: per-seeker view, decisions, support view ------------------------------------
    "seekers": ("求職者一覧", "Job-seekers"),
    "uploads": ("送信の記録", "Upload log"),
    "search": ("検索", "Search"),
    "search_label": ("求職番号または受付番号", "Job-seeker no. or receipt no."),
    "search_hint": ("例: 01234-00000001 / AB54-36CB-99BC", "e.g. 01234-00000001 / AB54-36CB-99BC"),
    "no_receipt": ("この受付番号の報告書はありません。送信の記録も確認してください。",
                   "No report has this receipt number. Check the upload log too."),
    "bad_query": ("求職番号（5桁-8桁）または受付番号（4桁-4桁-4桁）を入力してください。",
                  "Enter a job-seeker number (5-8 digits) or a receipt number (4-4-4)."),
    "latest_verdict": ("最新の報告書", "Latest report"),
    "flags": ("注意", "Flags"),
    "expired_opt": ("期限切れ", "Expired"),
    "decided_opt": ("相談員の決定あり（報告書なしを含む）", "Counselor decisions (incl. no report)"),
    "only_new": ("別の端末のみ", "Other device only"),
    "only_mismatch": ("判定の違いのみ", "Verdict differences only"),
    "can_book": ("予約", "Can book"),
    "until": ("有効期限", "Valid until"),
    "until_suffix": ("まで", ""),
    "to_fix": ("直す必要がある項目", "What must be fixed"),
    "nothing_to_fix": ("ありません", "Nothing"),
    "assurance": ("確認方法", "Checked by"),
    "as_desktop": ("パソコン用アプリ", "Desktop app"),
    "as_browser+declared": ("ブラウザ＋本人の申告", "Browser + self-declared"),
    "receipt_no": ("受付番号", "Receipt no."),
    "why": ("理由", "Why"),
    "why_passed": ("最新の報告書が合格です。", "The latest report passes."),
    "why_granted": ("相談員が確認して予約を許可しました。", "A counselor checked and granted eligibility."),
    "why_no_report": ("報告書がまだ届いていません。", "No report has been received yet."),
    "why_failed": ("最新の報告書に合格していない項目があります。", "The latest report has failing items."),
    "why_incomplete": ("最新の報告書に確認できない項目があります。",
                       "The latest report has items that could not be checked."),
    "why_expired": ("最新の報告書の有効期限が切れています。もう一度チェックして送信してもらってください。",
                    "The latest report has expired; the job-seeker must check and send again."),
    "why_revoked": ("相談員が予約の許可を取り消しました。もう一度チェックして送信すると判定し直します。",
                    "A counselor revoked eligibility; a new report will be judged again."),
    "why_device_rejected": ("最新の報告書は、相談員が本人の端末と認めなかった端末から送信されています。",
                            "The latest report comes from a device a counselor did not accept as the seeker's."),
    "why_not_enrolled": ("報告書は届いていますが、登録されていない端末からです。窓口の登録コードで送信してもらうか、"
                         "相談員が端末を確認してください。",
                         "Reports were received, but from a device that is not enrolled: the seeker sends with the "
                         "office's enrolment code, or a counselor confirms the device."),
    "why_replayed": ("最新の報告書は、端末そのものではなく記録の再生から作られています。",
                     "The latest report was made from a replayed snapshot, not on the device itself."),
    "why_browser_not_accepted": ("最新の報告書はブラウザ確認＋自己申告のもので、この窓口では予約の条件にしていません。"
                                 "パソコン用アプリでの確認をお願いしてください。",
                                 "The latest report is a browser check (measured and self-declared), which this office "
                                 "does not accept for booking; ask for a check with the desktop program."),
    "details": ("詳しい情報（端末・履歴・決定）", "Details (devices, history, decisions)"),
    "report_details": ("詳しい情報（報告書 ID・署名・端末・受付票）",
                       "Details (report id, signature, device, receipt)"),
    "decisions": ("相談員の決定", "Counselor decisions"),
    "decide": ("相談員の決定を記録する", "Record a counselor decision"),
    "grant": ("予約を許可する", "Grant eligibility"),
    "grant_until": ("許可する期限", "Until"),
    "revoke": ("予約の許可を取り消す", "Revoke eligibility"),
    "reason": ("理由（必須）", "Reason (required)"),
    "reason_hint": ("例: 電話面談で端末を確認した", "e.g. checked the device in a phone interview"),
    "confirm_key": ("本人の端末と確認した", "Confirm: the seeker's device"),
    "reject_key": ("本人の端末ではない", "Reject: not the seeker's device"),
    "kind_grant": ("予約を許可", "Granted"), "kind_revoke": ("許可を取り消し", "Revoked"),
    "kind_confirm_key": ("端末を確認", "Device confirmed"), "kind_reject_key": ("端末を拒否", "Device rejected"),
    "recorded": ("決定を記録しました。", "The decision was recorded."),
    "bad_decision": ("決定を記録できませんでした", "The decision was not recorded"),
    "de_no_reason": ("理由を入力してください。", "Enter a reason."),
    "de_past": ("期限には今日以降の日付を選んでください。", "Pick a date from today on."),
    "de_too_long": ("許可できる期間は最長180日です。", "A grant may last at most 180 days."),
    "de_no_key": ("この求職番号にその端末はありません。", "No such device for this job-seeker."),
    "de_bad_date": ("日付を YYYY-MM-DD で入力してください。", "Enter the date as YYYY-MM-DD."),
    "de_unknown": ("不明な操作です。", "Unknown decision."),
    "no_decisions": ("決定はまだありません。", "No decisions yet."),
    "new_device_long": ("別の端末から送信されています。本人に確認してから、下のボタンで記録してください。",
                        "Sent from another device. Ask the job-seeker, then record it below."),
    "confirmed": ("確認済み", "Confirmed"), "unconfirmed": ("未確認", "Not confirmed"),
    "mm_suspicious": ("改ざんの疑い", "Possible tampering"),
    "mm_suspicious_long": ("本人のパソコンでは合格と表示された項目が、ハローワークでの判定では不合格です"
                           "（同じ判定データで）。アプリが書き換えられた可能性があります。正式な判定はハローワークでの判定です。",
                           "Items the seeker's device showed as passing fail when judged by the service with the same "
                           "rules: the app may have been modified. The service's verdict is the official one."),
    "mm_rules": ("判定データの違い", "Older rules on the device"),
    "mm_rules_long": ("本人のパソコンの判定データ（{a}）がハローワークの判定データ（{b}）と違うため、結果が異なります。"
                      "本人の操作は不要です。正式な判定はハローワークでの判定です。",
                      "The seeker's device judged with rules {a}, the service with {b}: results differ. "
                      "Nothing for the seeker to do; the service's verdict is the official one."),
    "mm_differs": ("判定の違い", "Verdicts differ"),
    "mm_differs_long": ("本人のパソコンでの判定とハローワークでの判定が異なります。"
                        "正式な判定はハローワークでの判定です。",
                        "The device's verdict differs from the service's; the service's verdict is the official one."),
    "diag_summary": ("接続診断", "Connection diagnostics"),
    "diag_none": ("この報告書には接続診断がありません。", "This report has no connection diagnostics."),
    "diag_step": ("手順", "Step"), "diag_target": ("接続先", "Target"), "diag_result": ("結果", "Result"),
    "diag_cause": ("原因と対処", "Cause"), "diag_figure": ("測定値", "Measured"),
    "dst_ok": ("問題なし", "ok"), "dst_failed": ("問題あり", "failed"), "dst_degraded": ("注意", "warning"),
    "dst_skipped": ("未実施", "not run"),
    "outcome": ("結果", "Outcome"),
    "out_accepted": ("受付", "Accepted"), "out_duplicate": ("受付済み（再送）", "Duplicate"),
    "out_refused": ("受付できず", "Refused"),
    "reason_code": ("理由", "Reason"),
    "no_uploads": ("該当する送信はありません。", "No uploads match."),
    "role_counselor": ("相談員", "counselor"), "role_support": ("サポート担当", "support"),
    "role_admin": ("管理者", "admin"), "role_booking": ("予約システム", "booking service"),
    "role_-": ("—", "—"),
}

# Why an upload was refused, for support staff (attempts.py reason codes).
UPLOAD_REASONS: dict[str, tuple[str, str]] = {
    "ok": ("受付しました", "stored"),
    "duplicate": ("同じ報告書の再送（受付済み）", "the same report again (already stored)"),
    "too_large": ("大きすぎる（上限超過）", "too large"),
    "not_utf8": ("読めないデータ（文字コード）", "unreadable (not UTF-8)"),
    "not_json": ("読めないデータ（JSON でない）", "unreadable (not JSON)"),
    "invalid_report": ("報告書の形式が正しくない", "not a valid report"),
    "bad_signature": ("電子署名が合わない（送信前に書き換えられた可能性）", "bad signature"),
    "future": ("パソコンの時計が進んでいる", "created in the future (device clock)"),
    "stale": ("古い報告書（もう一度チェックが必要）", "stale report (check again)"),
    "conflict": ("同じ報告書 ID で内容が違う", "same report id, other content"),
    "enrolment": ("登録コードを使えない（入力違い・使用済み・期限切れ）", "enrolment code cannot be used"),
    "refused": ("受付できず", "refused"),
}

# Audit actions in words (audit.html); unknown codes are shown as they are.
ACTIONS: dict[str, tuple[str, str]] = {
    "list_reports": ("報告書一覧を表示", "listed reports"), "list_seekers": ("求職者一覧を表示", "listed seekers"),
    "view_report": ("報告書を閲覧", "viewed a report"),
    "view_report_missing": ("存在しない報告書を要求", "asked for a missing report"),
    "view_seeker": ("求職者を閲覧", "viewed a seeker"), "search": ("検索", "searched"),
    "list_uploads": ("送信の記録を表示", "listed uploads"),
    "login": ("ログイン", "logged in"), "logout": ("ログアウト", "logged out"),
    "login_failed": ("ログイン失敗", "login failed"), "login_throttled": ("ログインを一時停止", "login throttled"),
    "audit_denied": ("監査ログの閲覧を拒否", "denied the audit log"),
    "eligibility": ("予約可否の問い合わせ", "eligibility query"),
    "purge": ("古いデータを削除", "purged old data"),
    "decision_grant": ("予約を許可", "granted eligibility"),
    "decision_revoke": ("予約の許可を取り消し", "revoked eligibility"),
    "decision_confirm_key": ("端末を本人のものと確認", "confirmed a device"),
    "decision_reject_key": ("端末を本人のものではないと記録", "rejected a device"),
    "decision_denied": ("決定の権限なし", "decision denied"),
}


def translator(lang: str):
    idx = 0 if lang == "ja" else 1

    def t(key: str) -> str:
        pair = WORDS.get(key)
        return pair[idx] if pair else key

    return t


def in_words(table: dict[str, tuple[str, str]], lang: str, code: str) -> str:
    pair = table.get(code)
    return pair[0 if lang == "ja" else 1] if pair else code


def long_date(when: datetime | None, lang: str) -> str:
    """A date a counselor reads out: 2027年1月5日 (JST) / 2027-01-05."""
    if when is None:
        return ""
    d = when.astimezone(JST)
    return f"{d.year}年{d.month}月{d.day}日" if lang == "ja" else d.strftime("%Y-%m-%d")


def local_time(when: datetime | None) -> str:
    """Office time (JST, no daylight saving) for display."""
    return "" if when is None else when.astimezone(JST).strftime("%Y-%m-%d %H:%M:%S JST")
