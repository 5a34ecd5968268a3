"""The learned reader: shipped weights, scored by arbot itself, and how its vote combines with
the phrase tables. Plain values; the vote is replaced by a fake where a test needs one."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.core import learned
from bot.core.classify import DISAGREE_CAP, LEARNED_CAP, Label, classify

ROOT = Path(__file__).resolve().parent.parent
SUBJECT = "Re: Invoice INV-7"


def test_the_shipped_weights_were_trained_on_the_tuning_corpus_as_it_is():
    # the check needs no scikit-learn; a corpus edited without re-training fails here
    r = subprocess.run([sys.executable, str(ROOT / "bench" / "train_reader.py"), "--check"],
                       capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "matches tune.jsonl" in r.stdout


def test_the_trainer_refuses_the_held_out_corpus():
    r = subprocess.run([sys.executable, str(ROOT / "bench" / "train_reader.py"), "--corpus",
                        str(ROOT / "tests" / "data" / "replies" / "heldout.jsonl")],
                       capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 2 and "for measuring only" in r.stderr


def test_a_vote_is_a_label_a_probability_and_words_of_the_text():
    v = learned.vote("ACH went to your account on 6/12.")
    assert v is not None and v.label == "paid" and 0.5 < v.probability <= 1
    assert v.evidence and all(w.replace("0", "") in "ach went to your account on" for w in v.evidence)
    assert learned.vote("ACH went to your account on 6/12.") == v     # the same every time


def test_digits_weigh_alike_and_unknown_words_give_no_vote():
    assert learned.vote("paid 4/28") == learned.vote("paid 5/13")
    assert learned.vote("Lavat puuttuvat kokonaan lähetyksestä.") is None


def test_where_the_phrase_tables_find_nothing_a_confident_vote_suggests_a_label_for_a_person():
    r = classify(SUBJECT, "Delivery note shows 18 pallets, invoice shows 24 pallets.")
    assert r.label is Label.DISPUTE and r.confidence == LEARNED_CAP < 0.8
    assert r.evidence[-1].startswith("learned reader: dispute")


PAID_TEXT = "We paid EUR 1,250.00 yesterday by bank transfer, reference PAY-88231."


def fake_vote(monkeypatch, top: str, **probabilities: float) -> None:
    vote = learned.Vote(top, ("x",), known=20, probabilities=tuple(probabilities.items()))
    monkeypatch.setattr(learned, "vote", lambda text: vote)


def test_every_label_has_a_probability_and_they_add_up():
    v = learned.vote("We will pay the invoice next Friday.")
    assert v is not None and v.of("promise") == v.probability == max(p for _, p in v.probabilities)
    assert {label for label, _ in v.probabilities} == {label.value for label in Label}
    assert sum(p for _, p in v.probabilities) == pytest.approx(1, abs=0.01)


def test_a_sure_reading_acts_when_the_vote_agrees(monkeypatch):
    fake_vote(monkeypatch, "paid", paid=0.6, promise=0.2)
    r = classify(SUBJECT, PAID_TEXT)
    assert r.label is Label.PAID and r.confidence >= 0.8
    assert not any("learned" in e for e in r.evidence)


def test_a_sure_phrase_stays_against_a_vote_that_only_leans_the_other_way(monkeypatch):
    # 0.45 for a question against 0.35 for the payment plus the weight of the tables' phrases
    fake_vote(monkeypatch, "question", question=0.45, paid=0.35)
    r = classify(SUBJECT, PAID_TEXT)
    assert r.label is Label.PAID and r.confidence >= 0.8


def test_a_vote_far_ahead_of_the_tables_gives_the_label_as_a_suggestion(monkeypatch):
    fake_vote(monkeypatch, "dispute", dispute=0.95, paid=0.02)
    r = classify(SUBJECT, PAID_TEXT)
    assert r.label is Label.DISPUTE and r.confidence == LEARNED_CAP
    assert r.evidence[-1].startswith("learned reader: dispute 0.95")


def test_a_reply_that_would_act_waits_for_a_person_when_the_vote_reads_otherwise(monkeypatch):
    assert classify(SUBJECT, PAID_TEXT).confidence >= 0.8
    fake_vote(monkeypatch, "dispute", dispute=0.5, paid=0.3)
    r = classify(SUBJECT, PAID_TEXT)
    assert r.label is Label.PAID and r.confidence == DISAGREE_CAP
    assert "learned reader reads dispute 0.50" in r.evidence[-1]


def test_a_reply_that_would_act_waits_for_a_person_when_the_vote_gives_its_label_little(monkeypatch):
    fake_vote(monkeypatch, "question", question=0.4, promise=0.35, paid=0.2)
    r = classify(SUBJECT, PAID_TEXT)
    assert r.label is Label.PAID and r.confidence == DISAGREE_CAP
    assert r.evidence[-1] == "learned reader gives paid only 0.20: a person decides"


@pytest.mark.parametrize("subject, text", [
    ("Undeliverable: Invoice INV-7",
     "Delivery has failed to these recipients:\n\nap@client.test\n\n550 5.1.1 user unknown"),
    ("Automatic reply: Invoice INV-7", "I am out of the office until 30 November with no access to email."),
])
def test_bounces_and_absences_are_the_phrase_tables_alone(monkeypatch, subject, text):
    fake_vote(monkeypatch, "paid", paid=0.99)
    assert classify(subject, text).label in (Label.BOUNCE, Label.OUT_OF_OFFICE)


def test_a_vote_on_a_single_known_word_is_no_vote():
    assert learned.vote("ok") is not None and learned.vote("ok").known == 1
    r = classify(SUBJECT, "ok")
    assert r.label is Label.OTHER and not any("learned" in e for e in r.evidence)


def test_a_vote_never_makes_a_bounce_or_an_absence(monkeypatch):
    # a bounce marks a client's address failing on its own: only headers and fixed wordings may
    text = "Please write to our new payables address ap@client.test from now on."
    for label in ("bounce", "out_of_office"):
        fake_vote(monkeypatch, label, **{label: 0.99})
        assert classify(SUBJECT, text).label.value not in ("bounce", "out_of_office")
