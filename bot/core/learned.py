"""A second reader of replies, learned from arbot's labelled corpus.

The phrase tables of ``classify.py`` say why they read a reply the way they do, and only they
let a reply act. They also miss wordings nobody wrote down. This reader weighs every word and
word pair of the new text instead: a logistic regression trained by ``bench/train_reader.py``
on the tuning corpus, shipped as plain weights (``reader_weights.json``) and scored here with
the standard library, the same way every time. ``classify`` weighs its probabilities with
the phrase tables' confidence: where it reads another label more strongly, that label is the
suggestion (never enough to act: a person decides), and where the tables are sure of a
payment, promise or dispute it must not read otherwise before the reply acts.

Scoring repeats what the trainer did: the terms of ``terms``, ``1 + ln(count)`` times the
term's idf, the vector scaled to length one, then one weighted sum per label and a softmax.
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from bot.core.replytext import fold

WEIGHTS = Path(__file__).with_name("reader_weights.json")
_TOKEN = re.compile(r"[a-z0-9']+|[$€£%?]")
_DIGIT = re.compile(r"\d")
#: the longest text read: the opening of a long mail carries what it is about
LIMIT = 3000


def normalise(text: str) -> str:
    """Folded (lower case, no accents), every digit a 0: "paid 4/28" and "paid 5/3" weigh the same."""
    return _DIGIT.sub("0", fold(text)[:LIMIT])


def terms(normalised: str) -> list[str]:
    """Words and word pairs, in order ("we", "paid", "we paid")."""
    words = _TOKEN.findall(normalised)
    return words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]


@dataclass(frozen=True, slots=True)
class Vote:
    label: str                  # one of classify.Label's values, the likeliest
    evidence: tuple[str, ...]   # the terms of the text that pushed most towards it
    known: int                  # how many different terms of the text the reader knows
    probabilities: tuple[tuple[str, float], ...]   # every label's probability

    def of(self, label: str) -> float:
        """The reader's probability for ``label``."""
        return dict(self.probabilities).get(label, 0.0)

    @property
    def probability(self) -> float:
        """The reader's probability for its own label."""
        return self.of(self.label)


@dataclass(frozen=True, slots=True)
class _Model:
    labels: tuple[str, ...]
    intercept: tuple[float, ...]
    terms: dict[str, tuple[float, ...]]   # term -> (idf, weight per label)


@functools.cache
def _model() -> _Model:
    data = json.loads(WEIGHTS.read_text(encoding="utf-8"))
    return _Model(labels=tuple(data["labels"]), intercept=tuple(data["intercept"]),
                  terms={t: tuple(v) for t, v in data["terms"].items()})


def vote(text: str) -> Vote | None:
    """The reader's label for a reply's new text, or None when it knows none of its words."""
    model = _model()
    counts = Counter(t for t in terms(normalise(text)) if t in model.terms)
    if not counts:
        return None
    values = {t: (1.0 + math.log(n)) * model.terms[t][0] for t, n in counts.items()}
    length = math.sqrt(sum(v * v for v in values.values()))
    scores = list(model.intercept)
    for t, v in values.items():
        weights = model.terms[t]
        for k in range(len(scores)):
            scores[k] += v / length * weights[k + 1]
    top = max(scores)
    exp = [math.exp(s - top) for s in scores]
    best = max(range(len(scores)), key=scores.__getitem__)
    pushed = sorted(((v / length * model.terms[t][best + 1], t) for t, v in values.items()), reverse=True)
    total = sum(exp)
    probabilities = tuple((k, round(e / total, 3)) for k, e in zip(model.labels, exp, strict=True))
    return Vote(label=model.labels[best], evidence=tuple(t for w, t in pushed[:3] if w > 0),
                known=len(values), probabilities=probabilities)
