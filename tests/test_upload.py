"""The checker uploads to a real intake service on 127.0.0.1: consent, outbox, retries, exactly once."""

import json
import os
import re
from datetime import datetime, timezone

import pytest

pytest.importorskip("envcheck.server", reason="the intake service (server extra) is not installed")

from conftest import current_rules_dir
from server_fixtures import Server, free_port, passing_snapshot


@pytest.fixture
def seeker_env(tmp_path):
    return {"ENVCHECK_HOME": str(tmp_path / "seeker"), "ENVCHECK_SERVER": ""}


@pytest.fixture
def snapshot(tmp_path, rules):
    path = tmp_path / "passing.json"
    path.write_text(json.dumps(passing_snapshot(rules, datetime.now(timezone.utc))))
    return path


def _posts(server) -> int:
    """Uploads that reached the service (its upload log: accepted, duplicate or refused), read from its database."""
    from sqlalchemy import text

    eng = server.engine()
    try:
        with eng.connect() as conn:
            return conn.execute(text("SELECT count(*) FROM upload_attempts")).scalar_one()
    finally:
        eng.dispose()


def outbox(env):
    d = os.path.join(env["ENVCHECK_HOME"], "outbox")
    return sorted(os.listdir(d)) if os.path.isdir(d) else []


def test_upload_with_consent_and_enrolment_code_pins_the_device_but_a_replay_is_never_eligible(
        tmp_path, cli, seeker_env, snapshot):
    server = Server(str(tmp_path / "srv"))
    try:
        code = server.enrol("01234-00005678")
        res = cli("check", "--replay", str(snapshot), "--rules", current_rules_dir(), "--seeker-no", "01234-5678",
                  "--upload", "--yes", "--enrol", code.lower().replace("-", " "),
                  "--server", server.url, "--lang", "en", env=seeker_env)
        assert res.returncode == 0, res.stderr
        assert re.search(r"Sent\. Receipt number: [0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}$", res.stdout, re.M), res.stdout
        # what happens next, not only the number: the service judged the replay incomplete
        assert "the staff will look at the result" in res.stdout
        assert outbox(seeker_env) == []
        receipts = [n for n in os.listdir(os.path.join(seeker_env["ENVCHECK_HOME"], "receipts"))
                    if not n.endswith(".consent.json")]
        assert len(receipts) == 1
        answer = server.eligibility("01234-00005678").json()
        # the device is enrolled (its report counts), but a replayed snapshot proves nothing about it
        assert answer["eligible"] is False and answer["report_id"] == receipts[0][:-5]
        assert "replayed snapshot" in answer["reason"]
        from sqlalchemy import text

        eng = server.engine()
        with eng.connect() as conn:
            row = conn.execute(text("SELECT replayed, verdict, new_device_key FROM reports")).one()
            pinned = conn.execute(text("SELECT pinned, pinned_via FROM device_keys")).one()
        eng.dispose()
        assert (bool(row.replayed), row.verdict, bool(row.new_device_key)) == (True, "incomplete", False)
        assert (bool(pinned.pinned), pinned.pinned_via) == (True, "enrolment")
    finally:
        server.stop()


def test_nothing_is_sent_without_consent(tmp_path, cli, seeker_env, snapshot):
    res = cli("check", "--replay", str(snapshot), "--rules", current_rules_dir(), "--upload", "--server",
              "http://127.0.0.1:9", env=seeker_env)
    assert res.returncode == 2
    assert "consent" in res.stderr and len(res.stderr.strip().splitlines()) == 1
    assert outbox(seeker_env) == []


def test_server_down_keeps_the_report_then_send_delivers_it_exactly_once(tmp_path, cli, seeker_env, snapshot):
    port = free_port()  # nothing listens here yet
    res = cli("check", "--replay", str(snapshot), "--rules", current_rules_dir(), "--seeker-no", "01234-5678",
              "--upload", "--yes",
              "--server", f"http://127.0.0.1:{port}", "--lang", "en", env=seeker_env)
    assert res.returncode == 0, res.stderr  # the verdict's exit status; the upload failure is said on stderr
    assert "kept" in res.stderr and "envcheck send" in res.stderr
    [consent, waiting] = outbox(seeker_env)  # sorted: "<id>.consent.json" < "<id>.json"
    assert consent == waiting[:-5] + ".consent.json"
    kept = open(os.path.join(seeker_env["ENVCHECK_HOME"], "outbox", waiting), "rb").read()

    server = Server(str(tmp_path / "srv"))
    try:
        sent = cli("send", "--server", server.url, "--lang", "en", env=seeker_env)
        assert sent.returncode == 0, sent.stdout + sent.stderr
        assert f"{waiting[:-5]}: Sent. Receipt number: " in sent.stdout
        assert outbox(seeker_env) == []
        again = cli("send", "--server", server.url, "--lang", "en", env=seeker_env)
        assert again.returncode == 0 and "Nothing is waiting" in again.stdout
        # A crash after delivery but before the outbox was emptied would re-send: same receipt, one row.
        first = server.post(kept)
        assert first.status_code == 200
        assert server.counts()["reports"] == 1
        receipt = json.load(open(os.path.join(seeker_env["ENVCHECK_HOME"], "receipts", waiting)))
        assert first.json() == receipt
    finally:
        server.stop()


def test_a_refused_report_is_moved_aside_with_its_reason(tmp_path, cli, seeker_env, snapshot):
    server = Server(str(tmp_path / "srv"))
    try:
        out = tmp_path / "r.json"
        res = cli("check", "--replay", str(snapshot), "--rules", current_rules_dir(), "--out", str(out), env=seeker_env)
        assert res.returncode == 0, res.stderr
        doc = json.loads(out.read_text())
        doc["verdict"] = "fail"  # edited after signing: the service refuses it
        box = os.path.join(seeker_env["ENVCHECK_HOME"], "outbox")
        os.makedirs(box)
        with open(os.path.join(box, f"{doc['report_id']}.json"), "w") as fh:
            json.dump(doc, fh)
        sent = cli("send", "--server", server.url, "--lang", "en", env=seeker_env)
        assert sent.returncode == 1 and "refused" in sent.stderr and "could not be verified" in sent.stderr
        rejected = os.path.join(seeker_env["ENVCHECK_HOME"], "rejected")
        reason = json.load(open(os.path.join(rejected, f"{doc['report_id']}.reason.json")))
        assert "signature" in reason["reason"] and (reason["status"], reason["code"]) == (422, "bad_signature")
        assert os.path.isfile(os.path.join(rejected, f"{doc['report_id']}.json"))  # kept, not lost
        assert outbox(seeker_env) == [] and server.counts()["reports"] == 0
    finally:
        server.stop()


def test_two_sends_at_once_deliver_each_report_once_without_an_internal_error(tmp_path, cli, seeker_env, rules):
    from concurrent.futures import ThreadPoolExecutor

    from server_fixtures import Maker

    maker = Maker(rules)
    box = os.path.join(seeker_env["ENVCHECK_HOME"], "outbox")
    os.makedirs(box)
    docs = [maker.passing(f"01234-{700 + i:08d}") for i in range(12)]
    for doc in docs:
        with open(os.path.join(box, f"{doc['report_id']}.json"), "w") as fh:
            json.dump(doc, fh)
    server = Server(str(tmp_path / "srv"))
    try:
        with ThreadPoolExecutor(2) as pool:
            runs = list(pool.map(lambda _: cli("send", "--server", server.url, env=seeker_env), range(2)))
        for r in runs:
            assert r.returncode == 0 and "internal error" not in r.stdout + r.stderr, r.stdout + r.stderr
        assert outbox(seeker_env) == [] and server.counts()["reports"] == len(docs)
        receipts = os.listdir(os.path.join(seeker_env["ENVCHECK_HOME"], "receipts"))
        assert sorted(receipts) == sorted(f"{d['report_id']}.json" for d in docs)
        # each report was posted once: the second sender waited for the first and found its receipt
        assert _posts(server) == len(docs)
    finally:
        server.stop()


@pytest.mark.parametrize("status, permanent", [(408, False), (429, False), (507, False), (503, False),
                                               (422, True), (409, True)])
def test_quota_slow_body_and_full_store_answers_keep_the_report_for_later(status, permanent):
    from envcheck.errors import UploadError
    from envcheck.office import ServerConfig
    from envcheck.delivery.upload import HttpUploader

    class Answer:
        status_code = status
        text = '{"error": "x"}'

        def json(self):
            return {"error": "x"}

    uploader = HttpUploader(ServerConfig("http://127.0.0.1:9"), sleep=lambda s: None)
    uploader.session.post = lambda *a, **kw: Answer()
    with pytest.raises(UploadError) as caught:
        uploader.post_report(b"{}")
    assert caught.value.permanent is permanent


def test_a_mistyped_enrolment_code_is_one_line_and_exit_2(cli, seeker_env, snapshot):
    res = cli("check", "--replay", str(snapshot), "--rules", current_rules_dir(), "--seeker-no", "01234-5678",
              "--upload", "--yes", "--enrol", "ABC", "--server", "http://127.0.0.1:9", "--lang", "en", env=seeker_env)
    assert res.returncode == 2 and "enrolment code" in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1 and outbox(seeker_env) == []


def test_send_says_what_happens_next_in_japanese_for_a_pass_from_a_device_not_enrolled(tmp_path, cli, seeker_env,
                                                                                      rules):
    from server_fixtures import Maker

    doc = Maker(rules).passing("01234-00000777")  # a live (not replayed) passing report, a new device key
    box = os.path.join(seeker_env["ENVCHECK_HOME"], "outbox")
    os.makedirs(box)
    with open(os.path.join(box, f"{doc['report_id']}.json"), "w") as fh:
        json.dump(doc, fh)
    server = Server(str(tmp_path / "srv"))
    try:
        sent = cli("send", "--server", server.url, "--lang", "ja", env=seeker_env)
        assert sent.returncode == 0, sent.stdout + sent.stderr
        head, then = sent.stdout.strip().splitlines()[-2:]
        assert head.startswith(f"{doc['report_id']}: 送信しました。受付番号: ")
        assert "まだ予約できません" in then and "envcheck check --upload --enrol" in then
        assert server.eligibility("01234-00000777").json()["eligible"] is False
    finally:
        server.stop()


def test_an_outbox_that_cannot_be_written_is_one_line_and_exit_2(cli, seeker_env, snapshot):
    os.makedirs(seeker_env["ENVCHECK_HOME"])
    with open(os.path.join(seeker_env["ENVCHECK_HOME"], "outbox"), "w") as fh:
        fh.write("a file where the outbox folder belongs")
    res = cli("check", "--replay", str(snapshot), "--rules", current_rules_dir(), "--upload", "--yes",
              "--server", "http://127.0.0.1:9", "--lang", "en", env=seeker_env)
    assert res.returncode == 2 and "cannot create" in res.stderr and "outbox" in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1, res.stderr
