"""How fast arbot takes in a mailbox, next to what the network and the server allow.

    python bench/ingest.py [--messages 10000] [--replies 100]

Starts a Dovecot on loopback (the Debian package dovecot-imapd; the same harness the tests
use), fills a folder with client replies, and prints, from the same run:

- arbot's first intake of the folder: fetched, parsed, recognised, matched and stored;
- a bare bulk ``BODY.PEEK[]`` fetch of the same folder with imapclient (the floor);
- mbsync (Debian package isync) copying the folder to a Maildir, when it is installed;
- an incremental pass with nothing new (median of 20);
- the time from a reply's APPEND to its row in the ledger, with IDLE, p50 and p95.
"""

from __future__ import annotations

import argparse
import shutil
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from imapclient import IMAPClient  # noqa: E402

from bot.config import parse  # noqa: E402
from bot.imap import Mailbox  # noqa: E402
from bot.ledger import Ledger  # noqa: E402
from bot.simclock import SimulatedClock  # noqa: E402
from bot.wiring import build  # noqa: E402
from tests.support.certs import make_cert  # noqa: E402
from tests.support.dovecot import PASSWORD, Dovecot  # noqa: E402

CLIENTS = 200


def reply(n: int, when: datetime) -> bytes:
    c = n % CLIENTS
    m = EmailMessage()
    m["From"] = f"Accounts {c} <ap@client{c}.test>"
    m["To"] = "accounts@example.com"
    m["Subject"] = f"Re: Invoice INV-{c:04d}-{n % 3}"
    m["Date"] = format_datetime(when)
    m["Message-ID"] = f"<reply-{n}-{time.time_ns()}@client{c}.test>"
    m.set_content(f"Hello,\n\nwe will pay invoice INV-{c:04d}-{n % 3} by Friday.\n\nRegards\n"
                  f"Accounts {c}\n\n> On Monday you wrote:\n> Please pay.\n")
    return m.as_bytes()


def fill(server: Dovecot, user: str, count: int) -> None:
    with server.client(user) as c:
        now = datetime.now(UTC)
        batch: list[bytes] = []
        for n in range(count):
            batch.append(reply(n, now))
            if len(batch) == 500 or n == count - 1:
                c.multiappend("INBOX", batch)
                batch = []
                print(f"  filling the folder: {n + 1:,}/{count:,}", end="\r", file=sys.stderr,
                      flush=True)
    print(" " * 60, end="\r", file=sys.stderr)


def config(tmp: Path, server: Dovecot, user: str) -> dict[str, object]:
    return {"database": {"path": str(tmp / "bench.db")},
            "mail": {"from_address": "accounts@example.com"},
            "smtp": {"host": "127.0.0.1", "port": 9, "security": "none"},
            "imap": {"host": "127.0.0.1", "port": server.tls_port, "security": "tls",
                     "username": user, "password_env": "P", "save_sent_copies": False},
            "discovery": {"enabled": False}}


def seed(bot_ledger: object, when: datetime) -> None:
    from decimal import Decimal

    from bot.importer import InvoiceRow
    rows = [InvoiceRow(line=0, number=f"INV-{c:04d}-{k}", client=f"Client {c}",
                       email=f"ap@client{c}.test", cc=(), amount=Decimal("100"), currency="EUR",
                       issue_date=when.date(), due_date=when.date() + timedelta(days=60),
                       balance=None, pdf=None,
                       timezone=None, locale=None, country=None, message_id=None)
            for c in range(CLIENTS) for k in range(3)]
    bot_ledger.import_invoices(rows, when)  # type: ignore[attr-defined]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--messages", type=int, default=10_000)
    ap.add_argument("--replies", type=int, default=100, help="replies for the latency figure")
    args = ap.parse_args()
    if not shutil.which("dovecot"):
        print("dovecot is not installed (Debian: apt-get install dovecot-imapd)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as t:
        tmp = Path(t)
        tmp.chmod(0o755)  # Dovecot reads mail as an unprivileged user
        cert, key = make_cert(tmp)
        server = Dovecot(tmp / "dovecot", str(cert), str(key)).start()
        ctx = ssl.create_default_context(cafile=str(cert))
        try:
            user = server.new_user("bench")
            fill(server, user, args.messages)
            rows = []

            # the floor: one bulk fetch of every message with imapclient
            t0 = time.perf_counter()
            with IMAPClient("127.0.0.1", port=server.tls_port, ssl=True, ssl_context=ctx) as c:
                c.login(user, PASSWORD)
                c.select_folder("INBOX", readonly=True)
                data = c.fetch(c.search(["ALL"]), ["BODY.PEEK[]"])
            bare = time.perf_counter() - t0
            assert len(data) == args.messages

            # arbot's first intake
            cfg = parse(config(tmp, server, user), environ={"P": PASSWORD})
            clock = SimulatedClock(datetime.now(UTC))
            bot = build(cfg, clock=clock, mailbox=Mailbox(cfg.imap, ssl_context=ctx))
            seed(bot.ledger, clock())
            assert bot.intake is not None
            bot.intake.batch = 1000
            t0 = time.perf_counter()
            while bot.intake.take_in_inbox():
                pass
            first = time.perf_counter() - t0
            taken = len(bot.ledger.messages(role="inbox"))
            assert taken == args.messages, taken
            matched = sum(1 for m in bot.ledger.messages(role="inbox") if m["invoices"])

            # a pass with nothing new
            times = []
            for _ in range(20):
                t0 = time.perf_counter()
                bot.intake.take_in_inbox()
                times.append(time.perf_counter() - t0)
            noop = statistics.median(times)

            # mbsync to a Maildir, when installed
            mb = None
            if shutil.which("mbsync"):
                (tmp / "maildir").mkdir()
                (tmp / "mbsyncrc").write_text(
                    f"IMAPAccount bench\nHost localhost\nPort {server.tls_port}\nUser {user}\n"
                    f"Pass {PASSWORD}\nSSLType IMAPS\nCertificateFile {cert}\n\n"
                    f"IMAPStore remote\nAccount bench\n\nMaildirStore local\nPath {tmp}/maildir/\n"
                    f"Inbox {tmp}/maildir/INBOX\n\nChannel bench\nFar :remote:\nNear :local:\n"
                    f"Patterns INBOX\nCreate Near\nSync Pull\nSyncState *\n")
                t0 = time.perf_counter()
                subprocess.run(["mbsync", "-q", "-c", str(tmp / "mbsyncrc"), "-a"], check=True)
                mb = time.perf_counter() - t0
                t0 = time.perf_counter()
                subprocess.run(["mbsync", "-q", "-c", str(tmp / "mbsyncrc"), "-a"], check=True)
                mb_noop = time.perf_counter() - t0

            # APPEND -> recorded, with the loop waiting on IDLE
            stop = threading.Event()
            runner = threading.Thread(target=bot.loop.run_forever, args=(30.0,), daemon=True)
            bot.loop.stop = stop
            runner.start()
            time.sleep(1.0)
            lat = []
            watcher = Ledger(cfg.database_path)  # its own connection: the loop has the other
            with server.client(user) as c:
                for n in range(args.replies):
                    raw = reply(args.messages + n, datetime.now(UTC))
                    mid = raw.split(b"Message-ID: ")[1].split(b"\n")[0].strip().decode()
                    t0 = time.perf_counter()
                    c.append("INBOX", raw)
                    while not list(watcher.db.query(
                            "SELECT 1 FROM messages WHERE message_id = ?", [mid])):
                        time.sleep(0.002)
                        if time.perf_counter() - t0 > 30:
                            raise SystemExit("a reply was not recorded within 30 s")
                    lat.append(time.perf_counter() - t0)
            stop.set()
            runner.join(10)
            watcher.close()
            lat.sort()
            p50, p95 = lat[len(lat) // 2], lat[int(len(lat) * 0.95) - 1]
            bot.close()
        finally:
            server.stop()
    size = sum(len(v[b"BODY[]"]) for v in data.values()) / args.messages
    rows.append(("bare imapclient BODY.PEEK[] fetch", f"{bare:.2f} s", "the floor"))
    rows.append(("arbot first intake", f"{first:.2f} s",
                 f"{first / bare:.1f}x the floor; {matched:,} of {taken:,} matched"))
    if mb is not None:
        rows.append(("mbsync to a Maildir", f"{mb:.2f} s", f"no-op resync {mb_noop:.2f} s"))
    rows.append(("arbot pass with nothing new", f"{noop * 1000:.0f} ms", "median of 20"))
    rows.append((f"APPEND -> recorded, IDLE ({args.replies} replies)",
                 f"p50 {p50:.2f} s", f"p95 {p95:.2f} s"))
    print(f"{args.messages:,} messages of {size / 1024:.1f} KB on average, Dovecot on loopback")
    for name, figure, note in rows:
        print(f"  {name:<42} {figure:>10}   {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
