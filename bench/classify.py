"""How well arbot reads replies, on labelled sets it was not tuned on.

    python bench/classify.py [FILE.jsonl ...] [--threshold 0.8]

Without files it reads the corpus's held-out part (tests/data/replies/heldout.jsonl). Each
line: ``subject``, ``body``, ``label``, optional ``date``, ``from``, and for promises
``promise_date`` (one exact day) or ``promise_gold`` ([earliest, latest] accepted). Prints per
file: precision, recall and F1 per label, macro-F1, the confusion matrix, precision and
coverage of paid, promise and dispute at the threshold that lets a reply act on its own (and
of the promises that move an invoice: those that also name a day arbot can wait for, as every
other promise goes to a person), promise-date accuracy, and throughput (one core, everything
from raw body to label).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.config import ReplyConfig  # noqa: E402
from bot.core.classify import LABELS, Label  # noqa: E402
from bot.replies import can_wait_for, read_fields, sent_at  # noqa: E402

ACTING = (Label.PAID, Label.PROMISE, Label.DISPUTE)


def load(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def date_right(row: dict[str, Any], predicted: date | None) -> bool | None:
    """True/False for a promise with a gold date, None when there is nothing to check."""
    if row.get("label") != "promise":
        return None
    gold = row.get("promise_gold")
    if gold:
        first, last = date.fromisoformat(gold[0]), date.fromisoformat(gold[1])
        return predicted is not None and first <= predicted <= last
    if row.get("promise_date"):
        return predicted is not None and predicted.isoformat() == row["promise_date"]
    return None


def _day_of(row: dict[str, Any], fallback: date) -> date:
    """The reply's own calendar day, as arbot would read it on arrival."""
    sent = sent_at(row.get("date"))
    return sent.date() if sent else fallback


def report(path: Path, threshold: float) -> dict[str, float]:
    rows = load(path)
    t0 = time.process_time()
    readings = [read_fields(r) for r in rows]
    cpu = time.process_time() - t0
    gold = [Label(r["label"]) for r in rows]
    pred = [x.label for x in readings]
    names = [label.value for label in LABELS]
    print(f"\n{path.name}: {len(rows)} replies")
    print(f"  {'label':<14}{'precision':>10}{'recall':>8}{'F1':>7}{'support':>9}")
    f1s = []
    for label in LABELS:
        tp = sum(1 for g, p in zip(gold, pred, strict=True) if g == p == label)
        fp = sum(1 for g, p in zip(gold, pred, strict=True) if p == label and g != label)
        fn = sum(1 for g, p in zip(gold, pred, strict=True) if g == label and p != label)
        support = tp + fn
        if not support and not fp:
            continue
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        f1s.append(f1)
        print(f"  {label.value:<14}{precision:>10.3f}{recall:>8.3f}{f1:>7.3f}{support:>9}")
    macro = sum(f1s) / len(f1s)
    print(f"  {'macro-F1':<14}{macro:>25.3f}")

    print("\n  confusion (rows: true label, columns: predicted)")
    short = [n[:7] for n in names]
    print("  " + " " * 14 + "".join(f"{s:>8}" for s in short))
    counts = Counter(zip(gold, pred, strict=True))
    for g in LABELS:
        print(f"  {g.value:<14}" + "".join(f"{counts[(g, p)] or '.':>8}" for p in LABELS))

    print(f"\n  acting on its own (confidence >= {threshold}):")
    for label in ACTING:
        acted = [(g, x) for g, x in zip(gold, readings, strict=True)
                 if x.label == label and x.confidence >= threshold]
        right = sum(1 for g, _ in acted if g == label)
        total = sum(1 for g in gold if g == label)
        precision = f"{right / len(acted):.3f}" if acted else "  -  "
        print(f"    {label.value:<9} precision {precision} ({right}/{len(acted)}), "
              f"coverage {right}/{total} of the true {label.value} replies")
    # arbot moves an invoice on a promise only when the promise names a day it can wait for
    # (not past, not further than max_promise_days): every other promise goes to a person
    days = ReplyConfig().max_promise_days
    moved = [(g, x) for g, x, r in zip(gold, readings, rows, strict=True)
             if x.label == Label.PROMISE and x.confidence >= threshold and x.promise_date
             and can_wait_for(x.promise_date, _day_of(r, x.promise_date), days)]
    right = sum(1 for g, _ in moved if g == Label.PROMISE)
    precision = f"{right / len(moved):.3f}" if moved else "  -  "
    print(f"    promise with a day it can wait for (what moves an invoice; the rest goes to a person): "
          f"precision {precision} ({right}/{len(moved)})")

    checks = [c for c in (date_right(r, x.promise_date if x.label == Label.PROMISE else None)
                          for r, x in zip(rows, readings, strict=True)) if c is not None]
    if checks:
        print(f"\n  promise dates exactly right: {sum(checks)}/{len(checks)} = "
              f"{sum(checks) / len(checks):.1%} (a promise read as another label counts as wrong)")
    print(f"  throughput: {len(rows) / cpu:,.0f} replies/s on one core "
          f"({cpu / len(rows) * 1000:.2f} ms each)")
    return {"macro_f1": macro}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("files", nargs="*", type=Path)
    ap.add_argument("--threshold", type=float, default=ReplyConfig().act_threshold,
                    help="the confidence at which a reply acts on its own (default: the config's)")
    args = ap.parse_args()
    files = args.files or [ROOT / "tests" / "data" / "replies" / "heldout.jsonl"]
    for f in files:
        if not f.exists():
            print(f"{f}: no such file", file=sys.stderr)
            return 2
        report(f, args.threshold)
    return 0


if __name__ == "__main__":
    sys.exit(main())
