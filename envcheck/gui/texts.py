"""Every sentence of the window, Japanese first. Words for states come from envcheck/glossary.py;
what is said after a send (sent, kept, refused) from envcheck/delivery/texts.py, shared with the CLI.

{contact} is the office from envcheck-config.json (envcheck/office.py): every text that sends the
seeker to someone says whom, with the phone number and hours.
"""

from __future__ import annotations

TEXTS = {
    "ja": {
        "title": "オンライン職業相談 利用環境チェック",
        "intro": "{office}のオンライン職業相談をご利用いただくために、このパソコンが利用規約（第4条・第5条）の"
                 "条件を満たしているかを確認します。",
        "office_default": "ハローワーク",
        "seeker_label": "求職番号",
        "seeker_hint": "例: 01234-12345678（ハローワーク受付票に記載されています）。チェックだけなら入力は不要ですが、"
                       "ハローワークへ送信するときは必ず入力してください。",
        "seeker_ok": "✔ {value} として送信します。",
        "seeker_bad": "✖ {reason}",
        "seeker_required": "送信するには求職番号が必要です。ハローワークは求職番号で、どなたの結果かを確かめて"
                           "予約を受け付けます。下の欄に入力してから、もう一度「ハローワークへ送信」を押してください。",
        "seeker_fix_first": "求職番号を直してから送信してください: {reason}",
        "enrol_label": "登録コード",
        "enrol_hint": "はじめて送信するときだけ、ハローワークからお知らせした 12 文字のコードを入力してください。",
        "enrol_bad": "登録コードを読み取れませんでした。お知らせした 12 文字をもう一度ご確認ください。",
        "send_heading": "ハローワークへ送信",
        "lang_button": "English",
        "recheck": "もう一度チェック(R)",
        "save": "結果を保存(S)",
        "send": "ハローワークへ送信(U)",
        "diagnose": "接続を診断(D)",
        "col_result": "結果",
        "col_item": "項目",
        "running": "チェックしています…（{done}/{total}）",
        "starting": "チェックを始めています…",
        "check_error": "チェックできませんでした。もう一度チェックしてください。続く場合は{contact}にご連絡ください。"
                       "（詳細: {reason}）",
        "why": "なぜ必要か",
        "fix": "直し方",
        "no_fix": "直す必要はありません。",
        "contact_line": "わからないときのお問い合わせ: {contact}",
        "open": "設定を開く(O)",
        "open_page": "ページを開く(O)",
        "verdict": "結果: {mark} {word}",
        "next_pass": "次に、下の欄に求職番号を入力して「ハローワークへ送信」を押してください。",
        "next_fail": "まず「{first}」を直してください（直す項目は{n}件）。右の「直し方」に沿って直したら、"
                     "「もう一度チェック」を押します。",
        "next_incomplete": "確認できない項目があります。もう一度チェックしても変わらない場合は、このまま"
                           "「ハローワークへ送信」してください。担当者が確認します。",
        "passed_group": "問題のない項目（{n}件）",
        "passed_detail": "次の項目は問題ありませんでした。",
        "saved": "保存しました: {path}",
        "saved_summary": "読みやすい結果（印刷できます）も保存しました: {path}",
        "save_error": "保存できませんでした。別の場所を選んでください。（詳細: {reason}）",
        "save_title": "結果を保存",
        "save_types_html": "読みやすい結果（印刷用）",
        "save_types_json": "送信用の報告書ファイル",
        "consent_title": "送信の確認",
        "consent_head": "次の内容を{office}の受付サービスに送ります。よろしければ「同意して送信」を押してください。",
        "consent_summary": "今回の結果:",
        "consent_seeker": "求職番号: {value}",
        "consent_no_seeker": "求職番号: （入力なし）",
        "consent_verdict": "結果: {mark} {word}",
        "consent_yes": "同意して送信(A)",
        "consent_no": "送信しない(C)",
        "consent_more": "詳しく（送信する項目名）(M)",
        "consent_less": "詳しい内容を閉じる(M)",
        "sending": "送信しています…",
        "send_not_kept": "この結果をこのパソコンに保存できなかったため、送信しませんでした（{reason}）。"
                         "{contact}にご連絡ください。",
        "not_sent": "送信しませんでした。送信するときは、もう一度「ハローワークへ送信」を押してください。",
        "no_server": "このアプリには送信先が設定されていません。ハローワークから案内されたダウンロードページから、"
                     "もう一度ダウンロードしてください。わからないときは{contact}にご連絡ください。",
        "bad_config": "このアプリの設定ファイルを読めません。ハローワークから案内されたページから、もう一度"
                      "ダウンロードしてください。（{contact}）",
        "diag_running": "接続を診断しています…（1分ほどかかります）",
        "diag_ok": "接続の診断が終わりました。問題は見つかりませんでした。診断の結果は報告書に添付しました。",
        "diag_problem": "接続の診断が終わりました。問題が見つかりました: {cause}　診断の結果は報告書に添付しました。"
                        "「ハローワークへ送信」すると、サポート担当に届きます。",
        "diag_error": "接続を診断できませんでした。{contact} にご連絡ください。",
        "needs_check": "先にチェックを終えてください。",
    },
    "en": {
        "title": "Online job counselling: device check",
        "intro": "Checks whether this computer meets the conditions of the terms of use (articles 4 and 5) for "
                 "{office}'s online job counselling.",
        "office_default": "the employment office",
        "seeker_label": "Job-seeker number",
        "seeker_hint": "e.g. 01234-12345678 (on your Hello Work registration card). Not needed just to check, "
                       "but required to send the result to the office.",
        "seeker_ok": "✔ Will be sent as {value}.",
        "seeker_bad": "✖ {reason}",
        "seeker_required": "Sending needs your job-seeker number: the office uses it to know whose result this is "
                           "and to accept your booking. Enter it below and press \"Send to the office\" again.",
        "seeker_fix_first": "Correct the job-seeker number before sending: {reason}",
        "enrol_label": "Enrolment code",
        "enrol_hint": "Only the first time you send: the 12-character code the office gave you.",
        "enrol_bad": "The enrolment code could not be read ({reason}). Please check the 12 characters again.",
        "send_heading": "Send to the office",
        "lang_button": "日本語",
        "recheck": "Check again (R)",
        "save": "Save result (S)",
        "send": "Send to the office (U)",
        "diagnose": "Diagnose connection (D)",
        "col_result": "Result",
        "col_item": "Item",
        "running": "Checking… ({done}/{total})",
        "starting": "Starting the check…",
        "check_error": "The check could not run. Please check again; if it keeps happening, call {contact}. "
                       "(Details: {reason})",
        "why": "Why it matters",
        "fix": "How to fix it",
        "no_fix": "Nothing to fix.",
        "contact_line": "If you are unsure, contact: {contact}",
        "open": "Open settings (O)",
        "open_page": "Open page (O)",
        "verdict": "Result: {mark} {word}",
        "next_pass": "Next, enter your job-seeker number below and press \"Send to the office\".",
        "next_fail": "First fix \"{first}\" ({n} item(s) to fix), following \"How to fix it\" on the right, then "
                     "press \"Check again\".",
        "next_incomplete": "Some items could not be checked. If checking again does not change that, send the "
                           "result as it is: the staff will look at it.",
        "passed_group": "Items without problems ({n})",
        "passed_detail": "These items have no problems.",
        "saved": "Saved: {path}",
        "saved_summary": "Also saved a readable, printable result: {path}",
        "save_error": "Could not save. Please choose another place. (Details: {reason})",
        "save_title": "Save result",
        "save_types_html": "Readable result (for printing)",
        "save_types_json": "Report file for sending",
        "consent_title": "Confirm sending",
        "consent_head": "The following will be sent to {office}'s intake service. Press \"Agree and send\" if "
                        "you agree.",
        "consent_summary": "This result:",
        "consent_seeker": "Job-seeker number: {value}",
        "consent_no_seeker": "Job-seeker number: (not entered)",
        "consent_verdict": "Result: {mark} {word}",
        "consent_yes": "Agree and send (A)",
        "consent_no": "Do not send (C)",
        "consent_more": "Details (field names) (M)",
        "consent_less": "Hide details (M)",
        "sending": "Sending…",
        "send_not_kept": "Not sent: the result could not be stored on this computer ({reason}). Please call "
                         "{contact}.",
        "not_sent": "Not sent. To send, press \"Send to the office\" again.",
        "no_server": "This app has no address to send to. Please download it again from the page the office gave "
                     "you. If unsure, call {contact}.",
        "bad_config": "This app's configuration file cannot be read. Please download it again from the page the "
                      "office gave you. ({contact})",
        "diag_running": "Diagnosing the connection… (about a minute)",
        "diag_ok": "Connection diagnosis finished: no problem found. The diagnosis is attached to the report.",
        "diag_problem": "Connection diagnosis finished: {cause} The diagnosis is attached to the report; send it "
                        "and support staff will see it.",
        "diag_error": "The connection could not be diagnosed. Please call {contact}.",
        "needs_check": "Please let the check finish first.",
    },
}
