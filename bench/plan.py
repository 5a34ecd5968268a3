"""Time and peak memory of one planning pass over 10k, 50k and 100k open invoices.

    python bench/plan.py [--sizes 10000,50000,100000] [--repeat 3]

Each size is measured in a fresh process (so peak memory is that pass's own): the ledger is
filled directly in SQLite, then one pass reads the planning state from the file and runs
the planner over it, exactly what `arbot run` does each minute, without sending.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

NOW = datetime(2026, 3, 11, 10, 0, tzinfo=UTC)  # a Wednesday
ZONES = [("Europe/London", "GB", "en"), ("Europe/Berlin", "DE", "de"),
         ("America/New_York", "US", "en"), ("Australia/Sydney", "AU", "en"),
         ("Asia/Tokyo", "JP", "en"), ("Europe/Paris", "FR", "en")]


def fill(path: Path, invoices: int, clients: int) -> None:
    from bot.ledger import Ledger, iso
    rnd = random.Random(invoices)
    ledger = Ledger(path)
    now = iso(NOW)
    crow = []
    for c in range(clients):
        tz, country, locale = ZONES[c % len(ZONES)]
        crow.append((f"client {c}", f"Client {c}", f"ap@client{c}.test", "[]", tz, locale,
                     country, int(c % 97 == 0), now, now))
    irow, rrow = [], []
    tiers = ["courtesy", "reminder", "firm"]
    for i in range(invoices):
        due = NOW.date() + timedelta(days=rnd.randint(-90, 40))
        amount = f"{rnd.randint(50, 20000)}.00"
        irow.append((f"INV-{i:07d}", f"client {i % clients}", amount, amount, "EUR",
                     (due - timedelta(days=30)).isoformat(), due.isoformat(), "open",
                     int(i % 211 == 0), now, now))
        late = (NOW.date() - due).days
        for t, off in zip(tiers, (-3, 3, 14), strict=True):
            if late > off + 2 and rnd.random() < 0.8:
                rrow.append((f"INV-{i:07d}", t, "sent", now))
    with ledger.transaction() as db:
        db.conn.executemany("INSERT INTO clients (id, name, email, cc, timezone, locale, "
                            "country, paused, created_at, updated_at) VALUES "
                            "(?,?,?,?,?,?,?,?,?,?)", crow)
        db.conn.executemany("INSERT INTO invoices (number, client_id, amount, balance, currency, "
                            "issue_date, due_date, state, paused, created_at, updated_at) VALUES "
                            "(?,?,?,?,?,?,?,?,?,?,?)", irow)
        db.conn.executemany("INSERT INTO reminders (invoice, tier, status, at) "
                            "VALUES (?,?,?,?)", rrow)
    ledger.close()


def measure(path: Path) -> dict[str, float | int]:
    from bot.config import parse
    from bot.core.policy import plan
    from bot.ledger import Ledger
    from bot.reminders import rules_from
    rules = rules_from(parse({}).policy)
    ledger = Ledger(path)
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    state = ledger.planning_state(NOW, rules.ladder)
    t1 = time.perf_counter()
    result = plan(NOW, rules, state.clients, state.invoices, state.progress, state.recent_sends,
                  state.approved)
    t2 = time.perf_counter()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"load_s": t1 - t0, "plan_s": t2 - t1, "total_s": t2 - t0, "peak_mb": peak / 1024,
            "before_mb": base / 1024, "sends": len(result.sends),
            "approvals": len(result.approvals), "holds": len(result.holds)}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="10000,50000,100000")
    p.add_argument("--repeat", type=int, default=3, help="passes per size; the best is shown")
    p.add_argument("--measure", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.measure:
        print(json.dumps(measure(Path(args.measure))))
        return
    print(f"{'invoices':>9} {'clients':>8} {'load s':>7} {'plan s':>7} {'total s':>8} "
          f"{'peak MB':>8} {'sends':>6} {'approvals':>9} {'holds':>6}")
    with tempfile.TemporaryDirectory() as tmp:
        for n in (int(s) for s in args.sizes.split(",")):
            clients = max(1, n // 5)
            db = Path(tmp) / f"bench-{n}.db"
            if sys.stderr.isatty():
                print(f"  filling a ledger with {n:,} invoices...", end="\r", file=sys.stderr,
                      flush=True)
            fill(db, n, clients)
            if sys.stderr.isatty():
                print(" " * 50, end="\r", file=sys.stderr, flush=True)
            runs = []
            for _ in range(args.repeat):
                out = subprocess.run([sys.executable, __file__, "--measure", str(db)],
                                     capture_output=True, text=True, check=True)
                runs.append(json.loads(out.stdout))
            best = min(runs, key=lambda r: r["total_s"])
            peak = max(r["peak_mb"] for r in runs)
            print(f"{n:>9,} {clients:>8,} {best['load_s']:>7.2f} {best['plan_s']:>7.2f} "
                  f"{best['total_s']:>8.2f} {peak:>8.0f} {best['sends']:>6} "
                  f"{best['approvals']:>9} {best['holds']:>6}")
    print(f"\npeak MB is the whole measuring process (Python and arbot's imports included); "
          f"date {date.today().isoformat()}, python {sys.version.split()[0]}")


if __name__ == "__main__":
    main()
