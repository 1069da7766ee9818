"""What a report sends, field by field, and why (shown before consent: `check --explain-data`)."""

from __future__ import annotations

FIELDS = [
    ("format, report_id, created_at",
     "報告書の形式、報告書ごとの番号、作成日時。同じ報告書の二重送信や古い報告書の使い回しを防ぎます。",
     "Format, a number unique to this report, and when it was made: stops double sending and reuse of old reports."),
    ("checker.version, rules_version, rules_as_of, platform",
     "チェックしたプログラムと判定表の版、OSの種類（Windows/Mac/Linux）。判定の根拠を示します。",
     "Versions of the checker and its rules, and the kind of OS (Windows/Mac/Linux): what the result is based on."),
    ("seeker_no",
     "入力された場合のみ、求職番号。どなたの報告書かをハローワークが確認するためです。",
     "Your job-seeker number, only if you entered it: so the office knows whose report it is."),
    ("verdict, checks[].status, summary, remedy",
     "全体の結果と項目ごとの結果（合格・不合格など）、その説明と直し方。",
     "The overall result and each item's result (pass, fail …) with its explanation and fix."),
    ("checks[].evidence",
     "判定に使った事実だけ：OSの名前・バージョン・更新番号、ファイアウォールとウイルス対策の状態と日付、"
     "Zoomとブラウザのバージョン、規約に関係するソフト（ファイル共有・録画）が見つかった場合のその名前、"
     "Wi-Fiの暗号化方式（ネットワーク名は送りません）、カメラとマイクの台数と機種名、接続確認の結果。",
     "Only the facts each result was decided from: OS name, version and update level; firewall and antivirus "
     "state and dates; Zoom and browser versions; the names of file-sharing or recording programs if any were "
     "found; how the Wi-Fi is encrypted (never its name); how many cameras and microphones and their models; "
     "whether the services answered."),
    ("diagnostics",
     "接続の診断結果（接続にかかった時間、ポートが通るか、プロキシやTLSの検査の有無）。接続の問題を調べるためです。",
     "Connection diagnostics (timings, which ports pass, whether a proxy or TLS inspection is in the way): to "
     "find out why a session cannot connect."),
    ("enrolment_code, replayed",
     "ハローワークから受け取った登録コード（入力した場合のみ）と、保存した記録から作った報告書かどうか。"
     "この端末をご本人のものとして登録し、他の端末の記録の使い回しを防ぐためです。",
     "The enrolment code the office gave you (only if you entered it), and whether the report was made from a "
     "saved snapshot: so the office can register this device as yours, and a record from another machine "
     "cannot stand in for this one."),
    ("signature",
     "この端末だけが持つ鍵による電子署名と、その公開鍵。途中で書き換えられていないこと、前回と同じ端末であることを示します。",
     "An electronic signature by a key only this device holds, and its public key: shows the report was not "
     "changed on the way and comes from the same device as before."),
]

NOT_SENT = (
    "送らないもの：お名前、ユーザー名、コンピューター名、フォルダーの場所、IPアドレス、MACアドレス、Wi-Fiのネットワーク名、"
    "インストールされているソフトの一覧（規約に関係するもの以外）、ファイルの中身。",
    "Never sent: your name, user name, computer name, folder locations, IP or MAC addresses, Wi-Fi network "
    "names, the list of your software (except programs the rules are about), or any file's contents.",
)


def explain(lang: str) -> str:
    ja = lang == "ja"
    head = ("送信される報告書の内容（項目と理由）:" if ja else "What the report contains, and why:")
    lines = [head, ""]
    for field, text_ja, text_en in FIELDS:
        lines.append(f"- {field}")
        lines.append(f"    {text_ja if ja else text_en}")
    lines += ["", NOT_SENT[0] if ja else NOT_SENT[1]]
    return "\n".join(lines) + "\n"


# What a person agrees to, in plain words (ux-review §2 #37): what goes and what does not, why
# (terms article 7), for how long, who sees it (every view is logged) and the law that protects it
# (article 8). The field names above stay behind 「詳しく」.
PLAIN = {
    "ja": [
        ("送る内容", ["この結果（全体の結果と、項目ごとの結果・説明・直し方）",
                   "OS・ウイルス対策ソフト・ファイアウォール・Zoom・ブラウザのバージョンと状態",
                   "求職番号",
                   "接続確認の結果（Zoom などにつながるか、かかった時間）",
                   "改ざん防止の電子署名（このパソコンで作られた結果であることを示します）"]),
        ("送らない内容", ["お名前、ユーザー名、パソコンの名前、ファイルの中身、Wi-Fi のネットワーク名、IP アドレス、"
                     "インストールされているソフトの一覧（利用規約に関係するもの以外）"]),
        ("利用目的", ["オンライン職業相談を利用できるかの確認と、接続トラブルの解決のためだけに使います"
                  "（利用規約 第7条）。"]),
        ("保存期間", ["{days}日間保存し、その後は消去します。"]),
        ("見る人", ["ハローワークの相談員とサポート担当だけが見ます。だれがいつ見たかは、すべて記録されます。"]),
        ("個人情報の保護", ["窓口での職業相談と同じく、職業安定法第5条の4に基づき保護されます（利用規約 第8条）。"]),
    ],
    "en": [
        ("What is sent", ["this result (overall and per item, with explanations and fixes)",
                          "versions and state of the OS, antivirus, firewall, Zoom and browsers",
                          "your job-seeker number",
                          "the connection test (whether Zoom and the service answer, and how fast)",
                          "an electronic signature that shows the result was made on this computer"]),
        ("What is not sent", ["your name, user name, computer name, file contents, Wi-Fi network names, IP "
                              "addresses, the list of your software (except programs the terms are about)"]),
        ("Purpose", ["only to confirm that you can use online job counselling and to solve connection problems "
                     "(terms, article 7)."]),
        ("Retention", ["kept for {days} days, then deleted."]),
        ("Who sees it", ["only the office's counselors and support staff. Every view is logged."]),
        ("Protection", ["as at the counter, under article 5-4 of the Employment Security Act (terms, article 8)."]),
    ],
}


def plain(lang: str, retention_days: int = 180) -> str:
    lines: list[str] = []
    for head, items in PLAIN["ja" if lang == "ja" else "en"]:
        lines.append(f"■ {head}" if lang == "ja" else f"■ {head}")
        lines += [f"・{i.format(days=retention_days)}" if lang == "ja" else f"- {i.format(days=retention_days)}"
                  for i in items]
    return "\n".join(lines) + "\n"
