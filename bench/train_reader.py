"""Train the word-weight reader (bot/core/learned.py) on arbot's tuning corpus.

    pip install -e '.[train]'
    python bench/train_reader.py [--corpus tests/data/replies/tune.jsonl] [--check]

It reads every reply of the tuning corpus the way arbot reads a message (the new text only),
fits a logistic regression over word and word-pair weights (scikit-learn), and writes the
weights to bot/core/reader_weights.json, which arbot scores by itself at run time: no
scikit-learn and no download are needed to run arbot. The held-out corpus is never read.
With --check it only says whether the shipped weights were trained on the corpus as it is
now. Training is deterministic: the same corpus gives the same file.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.core import learned  # noqa: E402
from bot.core.classify import LABELS  # noqa: E402
from bot.replies import read_fields  # noqa: E402

CORPUS = ROOT / "tests" / "data" / "replies" / "tune.jsonl"
#: the inverse of the regularisation strength, chosen on replies the model had not seen
#: (trained on t001-t809, measured on t810-t1009 together with the phrase tables)
C = 20.0


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=CORPUS, help="labelled JSON Lines to learn from")
    ap.add_argument("--out", type=Path, default=learned.WEIGHTS, help="where to write the weights")
    ap.add_argument("--check", action="store_true", help="only check the shipped weights against the corpus")
    args = ap.parse_args(argv)
    if "heldout" in args.corpus.name:
        ap.error("the held-out corpus is for measuring only")
    if args.check:
        shipped = json.loads(args.out.read_text(encoding="utf-8"))["corpus_sha256"]
        if shipped != digest(args.corpus):
            print(f"{args.out.name} was trained on another version of {args.corpus.name}: run "
                  f"python bench/train_reader.py")
            return 1
        print(f"{args.out.name} matches {args.corpus.name}")
        return 0
    try:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
    except ImportError:
        print("training needs scikit-learn: pip install -e '.[train]'", file=sys.stderr)
        return 2

    rows = [json.loads(line) for line in args.corpus.read_text(encoding="utf-8").splitlines() if line.strip()]
    print(f"reading {len(rows)} replies from {args.corpus.name}", file=sys.stderr)
    texts = [learned.normalise(read_fields(r).text) for r in rows]
    labels = [r["label"] for r in rows]
    vectoriser = TfidfVectorizer(analyzer=learned.terms, min_df=2, sublinear_tf=True, lowercase=False)
    x = vectoriser.fit_transform(texts)
    model = LogisticRegression(C=C, max_iter=10_000).fit(x, labels)
    order = [list(model.classes_).index(label.value) for label in LABELS]
    vocabulary = vectoriser.vocabulary_
    weights = {
        term: [round(float(vectoriser.idf_[i]), 5)] + [round(float(model.coef_[k][i]), 5) for k in order]
        for term, i in sorted(vocabulary.items())}
    out = {
        "about": "word and word-pair weights of arbot's learned reader; written by bench/train_reader.py",
        "corpus": args.corpus.name, "corpus_sha256": digest(args.corpus), "replies": len(rows), "C": C,
        "labels": [label.value for label in LABELS],
        "intercept": [round(float(model.intercept_[k]), 5) for k in order],
        "terms": weights,
    }
    args.out.write_text(json.dumps(out, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"{len(weights)} terms written to {args.out}", file=sys.stderr)
    if args.out == learned.WEIGHTS:
        # arbot's own scoring must give what scikit-learn gives (the rounding aside)
        learned._model.cache_clear()
        expected = model.predict_proba(x)
        classes = list(model.classes_)
        votes = ((learned.vote(text), row) for text, row in zip(texts, expected, strict=True))
        worst = max((abs(v.probability - row[classes.index(v.label)]) for v, row in votes if v), default=0.0)
        print(f"largest difference from scikit-learn's probabilities: {worst:.4f}", file=sys.stderr)
        if worst > 0.01:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
