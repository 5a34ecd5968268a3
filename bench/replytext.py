"""How well the new text of a reply is found: mail-parser-reply alone, and with arbot's cuts.

    python bench/replytext.py [FILE.jsonl ...]

Without files it reads the corpus's held-out part (tests/data/replies/heldout.jsonl); any file
of labelled replies in the same format can be given. For three ways of reading a body (the
whole body; mail-parser-reply alone; mail-parser-reply with arbot's own cuts, which is what
arbot does) it prints: how many texts still carry a quote or forward header or quoted lines,
how many came out empty, the mean length, the time per reply, and the classifier's macro-F1
on the text, which is what the cutting is for.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from inscriptis import get_text  # noqa: E402

from bot.core import replytext  # noqa: E402
from bot.core.classify import LABELS, classify  # noqa: E402
from bot.replies import sent_at  # noqa: E402

# what a quoted or forwarded message leaves behind, in the five languages
_QUOTED = re.compile(
    r"^\s*>|^\s*-{2,}\s*(?:original|urspr|message d|mensaje|oorspronkelijk|forwarded|weitergeleitet"
    r"|doorgestuurd)|^\s*(?:from|von|de|van)\s*:.*@|\b(?:wrote|schrieb|a écrit|escribió|schreef)\s*:\s*$"
    r"|forwarded by .* on \d",
    re.I | re.M)


def _html(body: str) -> bool:
    return replytext.looks_like_html(body)


def whole(body: str) -> str:
    return str(get_text(body)) if _html(body) else body


def library(body: str) -> str:
    text = whole(body).replace("\r\n", "\n")
    try:
        replies = replytext._parser.read(text=text).replies
    except Exception:  # noqa: BLE001 - measured as it would be used: a failure keeps the body
        return text
    return replies[0].body if replies and replies[0].body.strip() else text


def arbot(body: str) -> str:
    return replytext.new_text(body, html=_html(body))


WAYS: dict[str, Callable[[str], str]] = {
    "whole body": whole, "mail-parser-reply": library, "arbot (library + cuts)": arbot}


def macro_f1(gold: list[str], pred: list[str]) -> float:
    scores = []
    for label in (x.value for x in LABELS):
        tp = sum(g == p == label for g, p in zip(gold, pred, strict=True))
        fp = sum(p == label != g for g, p in zip(gold, pred, strict=True))
        fn = sum(g == label != p for g, p in zip(gold, pred, strict=True))
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        scores.append(2 * precision * recall / (precision + recall) if precision + recall else 0.0)
    return sum(scores) / len(scores)


def report(path: Path) -> None:
    rows: list[dict[str, Any]] = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
                                  if line.strip()]
    print(f"\n{path.name}: {len(rows)} replies")
    print(f"  {'reading':<24}{'quote left':>12}{'empty':>7}{'mean chars':>12}{'ms each':>9}{'macro-F1':>10}")
    gold = [str(r["label"]) for r in rows]
    for name, way in WAYS.items():
        t0 = time.process_time()
        texts = [way(str(r.get("body") or "")) for r in rows]
        ms = (time.process_time() - t0) * 1000 / max(1, len(rows))
        pred = [classify(str(r.get("subject") or ""), t, sent=sent_at(r.get("date"))).label.value
                for r, t in zip(rows, texts, strict=True)]
        quoted = sum(bool(_QUOTED.search(t)) for t in texts)
        empty = sum(not t.strip() for t in texts)
        mean = sum(len(t) for t in texts) / max(1, len(texts))
        print(f"  {name:<24}{quoted:>12}{empty:>7}{mean:>12.0f}{ms:>9.2f}{macro_f1(gold, pred):>10.3f}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("files", nargs="*", type=Path,
                    default=[ROOT / "tests" / "data" / "replies" / "heldout.jsonl"])
    args = ap.parse_args(argv)
    for path in args.files:
        report(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
