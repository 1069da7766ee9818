"""The /check page's own words, Japanese first. The report's words live in rules/mobile.toml."""

from __future__ import annotations

WORDS: dict[str, tuple[str, str]] = {
    "title": ("スマートフォンで環境チェック", "Device check on your phone"),
    "office": ("ハローワーク苫小牧 マザーズコーナー", "Hello Work Tomakomai, Mothers' Corner"),
    "intro": ("オンライン相談に使うスマートフォン（またはパソコン）が利用規約の条件を満たすか、2 分ほどで確認します。"
              "アプリのインストールやログインは不要です。",
              "Checks in about two minutes whether the phone (or PC) you will use for online counselling meets "
              "the terms of use. Nothing to install, no login."),
    "pc_note": ("パソコンをお使いの場合は、「環境チェック」プログラムの方が詳しく確認できます（ファイアウォール、"
                "ウイルス対策など）。このページでは確認できない項目があります。",
                "On a PC, the envcheck desktop program checks much more (firewall, antivirus …). This page "
                "cannot see everything on a PC."),
    "nojs": ("JavaScript がオフのため、カメラ・マイク・接続は確認できません（質問への回答だけ送れます）。",
             "JavaScript is off: the camera, microphone and connection cannot be checked (you can still send "
             "your answers)."),
    "step": ("ステップ", "Step"),
    "s1": ("求職番号", "Job-seeker number"),
    "s1_help": ("ハローワーク受付票に書かれた番号です（例: 01234-56789012）。",
                "The number on your Hello Work registration card (e.g. 01234-56789012)."),
    "enrol": ("登録コード（はじめての方）", "Enrolment code (first time)"),
    "enrol_help": ("窓口またはマイページのメッセージでお知らせした 12 文字のコードです。"
                   "この端末ではじめて確認するときに"
                   "入力してください。2 回目からは不要です。コードがないと、結果は届きますが予約の条件にはなりません"
                   "（窓口で端末を確認します）。",
                   "The 12-character code the office gave you (at the counter or in your My Page messages). Enter "
                   "it the first time you check on this phone; not needed afterwards. Without it the result still "
                   "reaches the office, but it does not count for booking until the office confirms this device."),
    "bad_enrol": ("登録コードを使えませんでした。窓口にお問い合わせください。",
                  "The enrolment code could not be used. Please contact the office."),
    "s2": ("カメラとマイク", "Camera and microphone"),
    "s2_help": ("ボタンを押すと、カメラとマイクの使用の確認が出ます。「許可」を押してください。映像と音声は"
                "この画面に表示するだけで、録画も送信もしません。",
                "Press the button; your phone will ask to use the camera and microphone. Press Allow. The "
                "picture and sound are only shown here: nothing is recorded or sent."),
    "s2_button": ("カメラとマイクを確認する", "Check camera and microphone"),
    "s2_speak": ("何か話してください。声に合わせて下のバーが動けばマイクは使えます。",
                 "Say something: if the bar below moves with your voice, the microphone works."),
    "level": ("マイクの音量", "Microphone level"),
    "preview": ("カメラの映像（録画しません）", "Camera preview (not recorded)"),
    "denied_help": ("カメラやマイクが「許可しない」になっています。iPhone:「設定」→「アプリ」→「Safari」→"
                    "「カメラ」と「マイク」を「確認」または「許可」に。Android（Chrome）: アドレスバーの左のアイコン →"
                    "「権限」→「カメラ」「マイク」をオン。その後、このページを開き直してください。"
                    "LINE などのアプリの中で開いている場合は、Safari か Chrome で開き直してください。",
                    "Camera or microphone access is blocked. iPhone: Settings → Apps → Safari → Camera and "
                    "Microphone → Ask or Allow. Android (Chrome): the icon left of the address → Permissions → "
                    "Camera and Microphone on. Then open this page again. If it opened inside an app such as LINE, "
                    "open it in Safari or Chrome instead."),
    "s3": ("通信", "Connection"),
    "s3_help": ("受付サービスと Zoom への接続を確認します（数秒）。", "Checks the connection to the service and "
                                                                     "to Zoom (a few seconds)."),
    "s3_button": ("接続を確認する", "Check the connection"),
    "s3_limits": ("ブラウザーから確かめられるのは Zoom のウェブサーバーへの接続までです。Zoom アプリの音声・映像用の"
                  "通信（UDP 8801 など）はブラウザーからは確かめられません。",
                  "A browser can only confirm that Zoom's web servers answer. The Zoom app's audio and video "
                  "traffic (UDP 8801 …) cannot be tested from a browser."),
    "s4": ("質問（自己申告）", "Questions (your own answers)"),
    "s4_help": ("ブラウザーでは確認できないことをお聞きします。画面の案内のとおりに確かめてから答えてください。",
                "A browser cannot see these. Please look as described, then answer."),
    "yes": ("はい", "Yes"), "no": ("いいえ", "No"), "dontknow": ("わからない", "Don't know"),
    "q_os_updated": ("OS は最新ですか？", "Is the OS up to date?"),
    "h_os_updated_ios": ("iPhone・iPad:「設定」→「一般」→「ソフトウェアアップデート」で"
                         "「iOS（iPadOS）は最新です」と表示されれば「はい」。",
                         "iPhone, iPad: Settings → General → Software Update shows \"iOS (iPadOS) is up to date\""
                         " → Yes."),
    "q_android_patch": ("「Android セキュリティ アップデート」の日付は？",
                        "The date of the \"Android security update\"?"),
    "h_android_patch": ("「設定」→「デバイス情報」→「Android バージョン」→「Android セキュリティ アップデート」"
                        "（Galaxy:「設定」→「端末情報」→「ソフトウェア情報」→「Android セキュリティパッチレベル」）。",
                        "Settings → About phone → Android version → Android security update (Galaxy: Settings → "
                        "About phone → Software information → Android security patch level)."),
    "q_av_android": ("Google Play プロテクトはオンですか？", "Is Google Play Protect on?"),
    "h_av_android": ("「Play ストア」→ 右上のアイコン →「Play プロテクト」→ 歯車 →「Play プロテクトでアプリをスキャン"
                     "する」がオンなら「はい」。",
                     "Play Store → your icon (top right) → Play Protect → gear → \"Scan apps with Play Protect\" "
                     "is on → Yes."),
    "q_av_app": ("セキュリティ対策アプリ（有償版相当）が入っていますか？", "Is a security app (paid-grade) installed?"),
    "h_av_app": ("ハローワークが案内するセキュリティアプリ"
                 "（例: ウイルスバスター モバイル、ノートン モバイル セキュリティ）がホーム画面にあれば「はい」。",
                 "A security app named by the office (e.g. Trend Micro Mobile Security, "
                 "Norton Mobile Security) is on your home screen → Yes."),
    "q_av_updated": ("そのアプリは最新ですか？", "Is that app up to date?"),
    "h_av_updated": ("App Store / Play ストアで「アップデート」が表示されなければ「はい」。",
                     "No \"Update\" button for it in the App Store / Play Store → Yes."),
    "q_p2p": ("ファイル共有アプリ（トレント、Winny、Share など）が入っていますか？",
              "Is a file-sharing app (torrent, Winny, Share …) installed?"),
    "h_p2p": ("iPhone: ホーム画面を左へスワイプして「App ライブラリ」を確認。"
              "Android:「設定」→「アプリ」→「すべてのアプリを表示」。",
              "iPhone: swipe left to the App Library. Android: Settings → Apps → See all apps."),
    "h_p2p_ios": ("ホーム画面を左へスワイプした先の「App ライブラリ」で、入っているアプリを確認できます。",
                  "Swipe left past your home screens to the App Library to see your apps."),
    "h_p2p_android": ("「設定」→「アプリ」→「すべてのアプリを表示」で、入っているアプリを確認できます。",
                      "Settings → Apps → See all apps lists your apps."),
    "h_wifi_ios": ("「設定」→「Wi-Fi」で、つながっているネットワークの名前を確認できます。",
                   "Settings → Wi-Fi shows the network you are connected to."),
    "h_wifi_android": ("「設定」→「ネットワークとインターネット」→「インターネット」で、"
                       "つながっている名前を確認できます。",
                       "Settings → Network & internet → Internet shows what you are connected to."),
    "h_zoom_updated_ios": ("「App Store」→ 右上のアイコンで、Zoom に「アップデート」が出ていなければ「はい」。",
                           "App Store → your icon (top right): no Update next to Zoom → Yes."),
    "h_zoom_updated_android": ("「Play ストア」→ 右上のアイコン →「アプリとデバイスの管理」で、"
                               "Zoom に更新がなければ「はい」。",
                               "Play Store → your icon → Manage apps & device: no update for Zoom → Yes."),
    "q_wifi": ("相談のときはどの回線を使いますか？", "Which connection will you use for the session?"),
    "wifi_home": ("自宅などパスワード付きの Wi-Fi", "Home (password-protected) Wi-Fi"),
    "wifi_mobile": ("モバイルデータ通信（4G/5G）", "Mobile data (4G/5G)"),
    "wifi_free": ("駅・店などの無料 Wi-Fi", "Free Wi-Fi in a station, shop …"),
    "h_wifi": ("iPhone:「設定」→「Wi-Fi」、"
               "Android:「設定」→「ネットワークとインターネット」→「インターネット」で"
               "つながっている名前を確認できます。",
               "iPhone: Settings → Wi-Fi; Android: Settings → Network & internet → "
               "Internet shows what you are connected to."),
    "q_zoom_installed": ("Zoom アプリ（Zoom Workplace）が入っていますか？",
                         "Is the Zoom app (Zoom Workplace) installed?"),
    "q_zoom_updated": ("Zoom アプリは最新ですか？", "Is the Zoom app up to date?"),
    "h_zoom_updated": ("iPhone:「App Store」→ 右上のアイコン、"
                       "Android:「Play ストア」→ 右上のアイコン →「アプリとデバイスの管理」"
                       "で Zoom に「アップデート」が出ていなければ「はい」。",
                       "iPhone: App Store → your icon; Android: Play Store → your icon → Manage apps & device: "
                       "no Update for Zoom → Yes."),
    "consent": ("結果をハローワークに送信します。送るのは各項目の結果と、その判定に使った OS とブラウザーの種類・"
                "バージョン、測定値、回答だけです（映像・音声・ブラウザーの詳細情報は送りません）。",
                "Your results go to the office: each item's result and only what it was decided from (OS and "
                "browser name and version, measurements, your answers). No picture, sound or browser details."),
    "send": ("結果を送信する", "Send the results"),
    "next": ("次へ", "Next"),
    "done_title": ("チェック結果", "Your result"),
    "verdict_pass": ("条件を満たしています。予約に進めます。", "You meet the conditions and can book."),
    "verdict_pass_unenrolled": ("条件を満たしています。", "You meet the conditions."),
    "not_enrolled": ("この端末はまだ登録されていないため、この結果だけではまだ予約できません。窓口で端末を確認するか、"
                     "お知らせした登録コードを入れてもう一度送信してください。",
                     "This phone is not enrolled yet, so this result alone does not let you book: the office confirms "
                     "the device, or send again with the enrolment code you were given."),
    "verdict_fail": ("満たしていない項目があります。下の「直し方」のとおりに直してから、もう一度チェックしてください。",
                     "Some items are not met. Fix them as described below, then check again."),
    "verdict_incomplete": ("確認できなかった項目があります。下の案内のとおりにして、もう一度チェックしてください。",
                           "Some items could not be checked. Follow the notes below and check again."),
    "receipt_no": ("受付番号", "Receipt number"),
    "receipt_help": ("お問い合わせの際にこの番号をお伝えください。", "Quote this number if you call the office."),
    "declared_badge": ("自己申告", "declared"),
    "again": ("もう一度チェックする", "Check again"),
    "error": ("入力に問題があります", "Something is wrong with the form"),
    "bad_seeker": ("求職番号の形式が正しくありません。"
                   "数字 5 桁・ハイフン・数字 8 桁（例: 01234-56789012）で入力してください。",
                   "The job-seeker number is not valid. Enter 5 digits, a hyphen and 8 digits (e.g. 01234-56789012)."),
    "bad_form": ("送信された内容を読み取れませんでした。ページを開き直して、もう一度お試しください。",
                 "The form could not be read. Open the page again and try once more."),
    "not_eligible_office": ("この事務所では、ブラウザーでの確認結果だけでは予約できません。窓口にご相談ください。",
                            "This office does not accept a browser check alone for booking; please contact it."),
    "pass": ("合格", "pass"), "fail": ("要対応", "needs fixing"), "warn": ("注意", "warning"),
    "unknown": ("未確認", "not checked"), "skipped": ("対象外", "not applicable"), "declared": ("自己申告", "declared"),
    "lang_switch": ("English", "日本語"),
}


def words(lang: str):
    i = 0 if lang == "ja" else 1

    def w(key: str) -> str:
        pair = WORDS.get(key)
        return pair[i] if pair else key
    return w
