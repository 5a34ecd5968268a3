"""The optional second opinion from an OpenAI-compatible endpoint (``[classifier]``), against a
local fake of the endpoint: off by default, a confirmation can raise the rules' confidence, a
disagreement goes to a person, and a failing endpoint leaves the rules' reading as it was."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.cli import main
from bot.config import parse
from bot.core import opinion
from bot.core.classify import Label, Reading
from bot.core.model import InvoiceState
from bot.endpoint import Endpoint, SecondOpinion
from bot.replies import read_fields, read_message
from bot.simclock import SimulatedClock
from bot.wiring import build, second_opinion
from tests.support import world
from tests.support.fake_llm import FakeLLM

KEY = "sk-test-7f3a9c0e1b2d4f6a8c0e"
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
SUBJECT = "Re: Invoice INV-2001"
NOTHING = "Portloggen viser ingen av pallene."


@pytest.fixture
def fake():
    server = FakeLLM().start()
    yield server
    server.stop()


class Ticks:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def config(fake: FakeLLM, **more):
    return parse({"classifier": {"endpoint": fake.url, "model": "test-model", "api_key_env": "TEST_LLM_KEY",
                                 "timeout_seconds": 1, **more}}, environ={"TEST_LLM_KEY": KEY})


def checker(fake: FakeLLM, ticks: Ticks | None = None, **more) -> SecondOpinion:
    cfg = config(fake, **more)
    return SecondOpinion(Endpoint(cfg.classifier), act_threshold=cfg.replies.act_threshold,
                         monotonic=ticks or Ticks())


def fields(body: str) -> dict[str, str]:
    return {"subject": SUBJECT, "body": body, "date": NOW.isoformat()}


def rules_only(body: str) -> Reading:
    return read_fields(fields(body))


# -- off by default --------------------------------------------------------------------------

def test_the_endpoint_is_off_by_default_and_nothing_leaves_the_machine(fake, tmp_path):
    cfg = parse({"database": {"path": str(tmp_path / "arbot.db")}}, environ={})
    assert not cfg.classifier.enabled
    assert second_opinion(cfg) is None
    bot = build(cfg, clock=SimulatedClock(NOW))
    try:
        assert bot.replies.opinion is None
    finally:
        bot.close()
    assert read_fields(fields(NOTHING), opinion=second_opinion(cfg)) == rules_only(NOTHING)
    assert fake.asked() == []


# -- how the two readings combine ------------------------------------------------------------

def test_agreement_raises_the_confidence_and_keeps_the_rules_promised_date(fake):
    body = "We will transfer the full amount by 4 December 2026."
    rules = rules_only(body)
    assert rules.label is Label.PROMISE and rules.promise_date == date(2026, 12, 4)
    fake.says("promise", 0.97, ["transfer the full amount by 4 December 2026"], promise_date="2026-12-05")
    r = read_fields(fields(body), opinion=checker(fake))
    assert r.label is Label.PROMISE
    assert r.confidence == 0.97 > rules.confidence
    assert r.promise_date == date(2026, 12, 4)       # when.py's date, never the endpoint's
    assert r.evidence[:len(rules.evidence)] == rules.evidence
    assert any(e.startswith("rules and endpoint: promise 0.97") for e in r.evidence)


def test_agreement_never_lowers_the_rules_confidence(fake):
    body = "We dispute this invoice: the hourly rate is wrong."
    rules = rules_only(body)
    fake.says(rules.label.value, 0.3, ["hourly rate is wrong"])
    assert read_fields(fields(body), opinion=checker(fake)).confidence == rules.confidence


def test_a_disagreement_keeps_the_protective_label_below_the_threshold(fake):
    body = "We dispute this invoice: the hourly rate is wrong."
    rules = rules_only(body)
    assert rules.label is Label.DISPUTE and rules.confidence >= 0.8
    fake.says("paid", 0.99, ["this invoice"])
    r = read_fields(fields(body), opinion=checker(fake))
    assert r.label is Label.DISPUTE
    assert r.confidence == 0.79                      # just below [replies] act_threshold = 0.8
    assert any("rules: dispute; endpoint: paid 0.99" in e for e in r.evidence)


def test_a_disagreement_on_a_payment_claim_goes_to_a_person_with_both_labels(fake):
    body = "Hello, we paid invoice INV-2001 yesterday by bank transfer, reference 2026-4471."
    rules = rules_only(body)
    fake.says("dispute", 0.95, ["we paid invoice INV-2001"])
    r = read_fields(fields(body), opinion=checker(fake))
    assert (r.label, r.amounts, r.references) == (Label.PAID, rules.amounts, rules.references)
    assert r.confidence < 0.8
    assert any("rules: paid" in e and "endpoint: dispute" in e for e in r.evidence)


def test_when_the_rules_find_nothing_the_endpoint_suggests_a_label_for_a_person(fake):
    rules = rules_only(NOTHING)
    assert rules.label is Label.OTHER and rules.confidence <= 0.5
    fake.says("dispute", 0.92, ["ingen av pallene"])
    r = read_fields(fields(NOTHING), opinion=checker(fake))
    assert r.label is Label.DISPUTE and r.confidence == 0.79
    assert r.evidence[0] == "ingen av pallene"
    assert "rules: nothing found" in r.evidence[-1]


def test_a_threshold_of_one_keeps_every_suggestion_below_it(fake):
    fake.says("dispute", 1.0, ["ingen av pallene"])
    cfg = parse({"replies": {"act_threshold": 1.0},
                 "classifier": {"endpoint": fake.url, "model": "test-model"}}, environ={})
    opinion_ = second_opinion(cfg)
    assert opinion_ is not None
    assert read_fields(fields(NOTHING), opinion=opinion_).confidence == 0.99


def _reading(label: Label, confidence: float, *evidence: str, **more) -> Reading:
    return Reading(label=label, confidence=confidence, evidence=evidence, text=more.pop("text", "x"), **more)


def test_combining_suggests_only_what_a_client_writes_and_holds_copy_requests_below_one_half():
    nothing = _reading(Label.OTHER, 0.5)
    away = opinion.Opinion(Label.OUT_OF_OFFICE, 0.9, ("back on Monday",))
    r = opinion.combine(nothing, away, act_threshold=0.8)
    assert r.label is Label.OTHER and "endpoint: out_of_office 0.90" in r.evidence[-1]
    copy = _reading(Label.QUESTION, 0.93, "send us a copy", copy_request=True)
    r = opinion.combine(copy, opinion.Opinion(Label.DISPUTE, 0.9, ("copy",)), act_threshold=0.8)
    assert (r.label, r.copy_request, r.confidence) == (Label.QUESTION, True, 0.49)


def test_a_suggested_promise_takes_its_date_from_the_rules_date_reader():
    text = "Jenny from finance says Monday 30 November."
    nothing = _reading(Label.OTHER, 0.5, text=text)
    said = opinion.Opinion(Label.PROMISE, 0.9, ("Monday 30 November",), date(2026, 12, 24))
    r = opinion.combine(nothing, said, act_threshold=0.8, sent=NOW)
    assert r.label is Label.PROMISE and r.confidence == 0.79
    assert r.promise_date == date(2026, 11, 30)
    assert "date 2026-12-24" in r.evidence[-1]       # shown to the person, never acted on


def test_a_bounce_or_absence_the_headers_prove_is_never_sent(fake):
    from tests.test_replies import bounce, reply
    fake.says("paid", 0.99, ["delivered"])
    check = checker(fake)
    r = read_message(bounce("ap@acme.test", "<x@example.com>"), opinion=check)
    assert r.label is Label.BOUNCE and r.confidence == 0.99
    away = reply("I am out of the office until 1 December 2026.", subject="Automatic reply: Invoice INV-2001",
                 headers={"Auto-Submitted": "auto-replied"})
    assert read_message(away, opinion=check).label is Label.OUT_OF_OFFICE
    assert fake.asked() == []


# -- what is sent ----------------------------------------------------------------------------

def test_the_request_names_the_model_at_temperature_zero_with_the_key_as_bearer(fake):
    fake.says("other", 0.6)
    read_fields(fields(NOTHING), opinion=checker(fake))
    (asked,) = fake.asked()
    assert asked["path"] == "/v1/chat/completions"
    assert asked["headers"]["authorization"] == f"Bearer {KEY}"
    body = asked["body"]
    assert body["model"] == "test-model" and body["temperature"] == 0
    assert body["response_format"] == {"type": "json_object"}
    system, user = body["messages"]
    assert system["role"] == "system" and user["role"] == "user"
    for label in Label:
        assert f'"{label.value}"' in system["content"]
    assert SUBJECT in user["content"] and NOTHING in user["content"] and "2026-11-20" in user["content"]


def test_only_the_new_text_is_sent_cut_to_max_chars(fake):
    from tests.test_replies import reply
    fake.says("other", 0.6)
    long = NOTHING + " " + "We are still looking into it. " * 20
    read_message(reply(long), opinion=checker(fake, max_chars=120))
    (asked,) = fake.asked()
    sent = asked["body"]["messages"][1]["content"]
    text = sent.split("<<<\n", 1)[1].rsplit("\n>>>", 1)[0]
    assert text.startswith(NOTHING) and len(text) <= 120 and sent.count("still looking") < 20
    assert "Please pay EUR 1,250.00" not in sent     # the quoted reminder stays here


def test_without_a_key_no_authorization_header_is_sent(fake):
    fake.says("other", 0.6)
    cfg = parse({"classifier": {"endpoint": fake.url, "model": "m"}}, environ={})
    opinion_ = second_opinion(cfg)
    assert opinion_ is not None
    read_fields(fields(NOTHING), opinion=opinion_)
    assert "authorization" not in fake.asked()[0]["headers"]


def test_the_key_never_appears_in_logs_or_reprs(fake, caplog, tmp_path, monkeypatch, capsys):
    caplog.set_level(logging.DEBUG)
    cfg = config(fake)
    check = checker(fake)
    fake.says("dispute", 0.9, ["ingen av pallene"])
    read_fields(fields(NOTHING), opinion=check)
    fake.fails(401)
    read_fields(fields(NOTHING), opinion=check)
    assert fake.asked()[1]["headers"]["authorization"] == f"Bearer {KEY}"
    assert "HTTP 401" in caplog.text
    assert KEY not in caplog.text
    assert KEY not in repr(cfg) and KEY not in repr(cfg.classifier) and KEY not in repr(check.endpoint)
    path = tmp_path / "arbot.toml"
    path.write_text(f'[database]\npath = "{tmp_path / "arbot.db"}"\n[classifier]\nendpoint = "{fake.url}"\n'
                    f'model = "test-model"\napi_key_env = "TEST_LLM_KEY"\n', encoding="utf-8")
    monkeypatch.setenv("TEST_LLM_KEY", KEY)
    assert main(["--config", str(path), "check-config"]) == 0
    out = capsys.readouterr()
    assert "checked by test-model" in out.out and KEY not in out.out + out.err


# -- failures --------------------------------------------------------------------------------

@pytest.mark.parametrize("steer, said", [
    (lambda f: f.fails(500), "HTTP 500"),
    (lambda f: f.fails(404), "HTTP 404"),
    (lambda f: f.stalls(3), "timed out"),
    (lambda f: f.says_raw("Sure! The label is dispute."), "not JSON"),
    (lambda f: f.says_raw('["dispute", 0.9]'), "not a JSON object"),
    (lambda f: f.says_raw('{"label": "angry", "confidence": 0.9, "evidence": ["pallets"]}'), "unknown label"),
    (lambda f: f.says_raw('{"label": "dispute", "confidence": 1.5, "evidence": ["pallets"]}'), "confidence"),
    (lambda f: f.says_raw('{"label": "dispute", "confidence": true, "evidence": ["pallets"]}'), "confidence"),
    (lambda f: f.says_raw('{"label": "dispute", "confidence": 0.9, "evidence": "pallets"}'), "evidence"),
    (lambda f: f.says_raw('{"label": "promise", "confidence": 0.9, "evidence": ["pallets"],'
                          ' "promise_date": "next week"}'), "promise_date"),
    (lambda f: f.says("dispute", 0.95, ["the goods arrived broken"]), "none of its evidence"),
    (lambda f: f.says("dispute", 0.95), "no evidence"),
    (lambda f: f.answers_body(b"<html>busy</html>"), "not JSON"),
    (lambda f: f.answers_body(b'{"choices": []}'), "choices[0].message.content"),
])
def test_a_failing_endpoint_leaves_the_rules_reading_with_a_warning(fake, caplog, steer, said):
    steer(fake)
    r = read_fields(fields(NOTHING), opinion=checker(fake, timeout_seconds=0.3))
    assert r == rules_only(NOTHING)
    (warning,) = [w for w in caplog.records if w.levelno == logging.WARNING]
    assert warning.name == "bot.endpoint" and said in warning.getMessage()
    assert NOTHING not in caplog.text                # no message bodies in the logs


def test_an_unreachable_endpoint_falls_back_to_the_rules(caplog):
    cfg = parse({"classifier": {"endpoint": "http://127.0.0.1:9/v1", "model": "m"}}, environ={})
    opinion_ = second_opinion(cfg)
    assert opinion_ is not None
    assert read_fields(fields(NOTHING), opinion=opinion_) == rules_only(NOTHING)
    assert "cannot be reached" in caplog.text


def test_after_the_endpoint_fails_to_answer_it_is_left_alone_for_a_minute(fake, caplog):
    ticks = Ticks()
    check = checker(fake, ticks, timeout_seconds=0.3)
    fake.stalls(3)
    read_fields(fields(NOTHING), opinion=check)
    fake.stalls(0)
    fake.says("dispute", 0.92, ["ingen av pallene"])
    ticks.now += 59
    assert read_fields(fields(NOTHING), opinion=check) == rules_only(NOTHING)
    assert len(fake.asked()) == 1                    # the next reply did not wait out the timeout
    ticks.now += 2
    assert read_fields(fields(NOTHING), opinion=check).label is Label.DISPUTE
    assert len(fake.asked()) == 2
    assert len([w for w in caplog.records if w.levelno == logging.WARNING]) == 1


def test_a_bad_answer_does_not_pause_the_endpoint(fake):
    check = checker(fake)
    fake.says_raw("no idea")
    read_fields(fields(NOTHING), opinion=check)
    fake.says("dispute", 0.92, ["ingen av pallene"])
    assert read_fields(fields(NOTHING), opinion=check).label is Label.DISPUTE


# -- in the loop -----------------------------------------------------------------------------

@pytest.fixture
def office(dovecot, smtp_server, tls, tmp_path, make_bot, fake):
    """Like tests/test_replies.py's office, with [classifier] pointing at the fake endpoint.
    Returns make(**replies) -> (bot, deliver)."""
    def make(**replies):
        user = dovecot.new_user()
        cfg = world.config(tmp_path, port=smtp_server.port, security="starttls", login=True,
                           imap=world.imap(dovecot.tls_port, user, save_sent_copies=False),
                           classifier={"endpoint": fake.url, "model": "test-model", "timeout_seconds": 2},
                           replies=replies)
        bot = make_bot(cfg, SimulatedClock(NOW), cafile=tls[0])
        due = NOW.date() - timedelta(days=10)
        bot.ledger.import_invoices([
            world.row("INV-2001", "Acme GmbH", "ap@acme.test", due, amount="1250.00",
                      message_id="<inv-2001@billing.example.com>")], NOW)
        return bot, lambda raw: dovecot.append(user, "INBOX", raw)
    return make


def test_in_the_loop_a_suggestion_goes_to_a_person_and_changes_nothing(office, fake):
    from tests.test_replies import reply
    bot, deliver = office()
    fake.says("dispute", 0.95, ["ingen av pallene"])
    deliver(reply(NOTHING))
    bot.loop.run_pass()
    assert bot.ledger.invoice("INV-2001").state == InvoiceState.OPEN
    (item,) = [i for i in bot.ledger.review() if i["kind"] == "label_reply"]
    assert item["summary"].startswith("dispute (0.79)") and "below 0.8" in item["summary"]
    assert any("endpoint: dispute" in e for e in item["detail"]["evidence"])
    (msg,) = bot.ledger.messages(role="inbox")
    assert (msg["status"], msg["label"]) == ("review", "dispute")
    (asked,) = fake.asked()
    assert "Please pay EUR 1,250.00" not in asked["body"]["messages"][1]["content"]


def test_in_the_loop_an_agreement_lets_a_promise_act_above_a_stricter_threshold(office, fake):
    from tests.test_replies import reply
    bot, deliver = office(act_threshold=0.9)
    fake.says("promise", 0.95, ["We will transfer the full amount"], promise_date="2026-12-11")
    deliver(reply("We will transfer the full amount by 4 December 2026."))
    bot.loop.run_pass()
    inv = bot.ledger.invoice("INV-2001")
    assert inv.state == InvoiceState.PROMISED and inv.promised_date == date(2026, 12, 4)


def test_in_the_loop_a_failing_endpoint_leaves_the_rules_to_act_and_is_asked_once(office, fake, caplog):
    from tests.test_replies import reply
    bot, deliver = office()
    fake.fails(503)
    deliver(reply("Hello, we paid invoice INV-2001 yesterday by bank transfer, reference 2026-4471."))
    deliver(reply("Could you please send us a copy of the invoice? We cannot find it."))
    bot.loop.run_pass()
    assert bot.ledger.invoice("INV-2001").state == InvoiceState.PAYMENT_CLAIMED
    assert [m["label"] for m in bot.ledger.messages(role="inbox")] == ["paid", "question"]
    assert len(fake.asked()) == 1                    # the second reply found the endpoint paused
    assert "HTTP 503" in caplog.text

