"""The ``arbot`` command. Each subcommand is a small function: parse, call the wiring or the
ledger, print for a person (or JSON for a script)."""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from bot import __version__
from bot.config import Config, ConfigError, load
from bot.core.model import REMINDABLE, Client, Invoice
from bot.ledger import Ledger, LedgerError, parse_time
from bot.templates import TemplateError

log = logging.getLogger("arbot")


class UsageError(Exception):
    """A mistake on the command line or in the data: printed, exit code 2."""


def _now(args: argparse.Namespace) -> datetime:
    raw = getattr(args, "now", None)
    if not raw:
        return datetime.now(UTC)
    try:
        t = datetime.fromisoformat(raw)
    except ValueError:
        raise UsageError(f"--now {raw!r}: expected an ISO timestamp like 2026-03-02T09:30:00+01:00")
    return t if t.tzinfo else t.replace(tzinfo=UTC)


def _config(args: argparse.Namespace, *, need_secrets: bool = False) -> Config:
    path = args.config or os.environ.get("ARBOT_CONFIG")
    if not path:
        raise UsageError("no configuration: pass --config PATH or set ARBOT_CONFIG "
                         "(config.example.toml explains every key)")
    return load(Path(path), need_secrets=need_secrets)


def _ledger(args: argparse.Namespace) -> Ledger:
    from bot.wiring import open_ledger
    return open_ledger(_config(args))


def _actor(args: argparse.Namespace) -> str:
    return getattr(args, "actor", None) or os.environ.get("USER") or "cli"


def _table(rows: Sequence[Sequence[object]], headers: Sequence[str],
           right: Sequence[int] = ()) -> str:
    cells = [[str(c) for c in headers]] + [[str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = []
    for n, r in enumerate(cells):
        lines.append("  ".join(c.rjust(w) if i in right else c.ljust(w)
                               for i, (c, w) in enumerate(zip(r, widths, strict=True))).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


# -- commands -----------------------------------------------------------------------------------


def cmd_check_config(args: argparse.Namespace) -> int:
    config = _config(args, need_secrets=True)
    from bot.wiring import message_templates
    templates = message_templates(config)
    print(f"{config.path}: OK")
    print(f"  database   {config.database_path}")
    print(f"  mail from  {config.mail.from_address}")
    if config.mail.transport == "graph":
        print(f"  sending    Microsoft Graph ({config.mail.graph_base_url}), as {config.mail.from_address}")
    else:
        print(f"  smtp       {config.smtp.host}:{config.smtp.port} ({config.smtp.security}"
              f"{', as ' + config.smtp.username if config.smtp.username else ''}"
              f"{', OAuth2' if config.smtp.auth == 'oauth2' else ''})")
    if config.smtp.auth == "oauth2" or config.mail.transport == "graph" or (
            config.imap.enabled and config.imap.auth == "oauth2"):
        o = config.oauth
        print(f"  oauth      {o.provider}, tenant {o.tenant}, app {o.client_id} ({o.authority})")
    if config.imap.enabled:
        i = config.imap
        sent = i.sent_folder or "the folder flagged \\Sent"
        print(f"  imap       {i.host}:{i.port} ({i.security}, as {i.username}); sent folder: "
              f"{sent}, inbox: {i.inbox_folder}")
    else:
        print("  imap       not configured (no [imap] host): invoices come from imports only")
    if config.slack.enabled:
        k = config.slack
        print(f"  slack      {k.mode} mode, approvals in {k.approvals_channel}, "
              f"{len(k.approvers)} approver(s) or group(s)"
              + (f", digest at {k.digest_time:%H:%M} {k.timezone}" if k.digest_time else ""))
    else:
        print("  slack      not configured (no [slack] approvals_channel): decisions in the CLI")
    if config.classifier.enabled:
        c = config.classifier
        print(f"  replies    rules, checked by {c.model} at {c.endpoint} (the reply text is sent there)")
    else:
        print("  replies    rules only (no [classifier] endpoint): no reply text leaves this machine")
    print(f"  templates  {templates.directory} ({len(templates.names())} messages)")
    print("  ladder     " + ", ".join(
        f"{t.name} {t.offset_days:+d}d{' (approval)' if t.approval else ''}"
        for t in config.policy.ladder.tiers))
    missing = sorted({t.template for t in config.policy.ladder.tiers} - set(templates.names()))
    if missing:
        raise ConfigError(f"policy.tiers: no template named {', '.join(missing)} in "
                          f"{templates.directory}")
    if args.connect:
        from bot.smtp import SendError, probe
        from bot.wiring import token_source
        tokens = token_source(config)
        if config.mail.transport == "graph":
            from bot.graph import GRAPH_SCOPE
            from bot.oauth import OAuthError
            assert tokens is not None
            try:
                tokens.token(GRAPH_SCOPE)
            except OAuthError as e:
                print(f"  graph sign-in FAILED: {e}")
                return 1
            print(f"  graph sign-in OK (sends as {config.mail.from_address})")
        else:
            try:
                greeting = probe(config.smtp, tokens=tokens)
            except SendError as e:
                print(f"  smtp login FAILED: {e}")
                return 1
            print(f"  smtp login OK ({greeting})")
        if config.imap.enabled:
            from bot.imap import ImapError
            from bot.imap import probe as imap_probe
            try:
                print(f"  imap login OK ({imap_probe(config.imap, tokens=tokens)})")
            except ImapError as e:
                print(f"  imap login FAILED: {e}")
                return 1
        if config.slack.enabled:
            from bot.slack.app import probe as slack_probe
            ok, said = slack_probe(config)
            print(f"  slack {'OK' if ok else 'FAILED'}: {said}")
            if not ok:
                return 1
    return 0


def cmd_login(args: argparse.Namespace) -> int:
    from bot.oauth import OAuthError, TokenSource
    config = _config(args, need_secrets=True)
    if config.oauth.flow != "device_code":
        raise UsageError("arbot login is for a person's sign-in: set [oauth] flow = \"device_code\" "
                         "(with client credentials the app signs in by itself)")
    if not (config.oauth.tenant and config.oauth.client_id):
        raise UsageError("set [oauth] tenant and client_id first (docs/microsoft-365.md)")
    try:
        who = TokenSource(config.oauth).login(lambda text: print(text, flush=True))
    except OAuthError as e:
        print(f"sign-in FAILED: {e}", file=sys.stderr)
        return 1
    where = config.oauth.token_cache or "memory (nothing kept: set [oauth] token_cache)"
    print(f"signed in as {who}; the sign-in is kept in {where} and renewed by arbot")
    return 0


def cmd_classify(args: argparse.Namespace) -> int:
    from bot import replies
    if args.files and args.jsonl:
        raise UsageError("give .eml files or --jsonl FILE, not both")
    opinion = None
    if not args.no_endpoint and (args.config or os.environ.get("ARBOT_CONFIG")):
        # the rules alone need no configuration; a [classifier] endpoint, when set, checks them
        from bot.config import classifier_key
        from bot.wiring import second_opinion
        opinion = second_opinion(classifier_key(_config(args)))
    out = sys.stdout
    for path in args.files:
        try:
            raw = Path(path).read_bytes()
        except OSError as e:
            raise UsageError(f"{path}: {e.strerror}")
        print(json.dumps({"file": path, **replies.as_json(replies.read_message(raw, opinion=opinion))},
                         ensure_ascii=False), file=out, flush=True)
    if args.files:
        return 0
    if args.jsonl in (None, "-"):
        if sys.stdin.isatty():
            raise UsageError("give .eml files, --jsonl FILE, or JSON Lines on stdin")
        lines, name = sys.stdin, "stdin"
    else:
        try:
            lines, name = open(args.jsonl, encoding="utf-8"), args.jsonl  # noqa: SIM115
        except OSError as e:
            raise UsageError(f"{args.jsonl}: {e.strerror}")
    bad = 0
    with lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                fields = json.loads(line)
                if not isinstance(fields, dict) or not isinstance(fields.get("body", ""), str):
                    raise ValueError("expected an object with a text field 'body'")
            except ValueError as e:
                bad += 1
                print(f"{name} line {number}: {e}", file=sys.stderr)
                print(json.dumps({"error": str(e), "line": number}), file=out)
                continue
            result = replies.as_json(replies.read_fields(fields, opinion=opinion))
            if "id" in fields:
                result = {"id": fields["id"], **result}
            print(json.dumps(result, ensure_ascii=False), file=out)
    return 1 if bad else 0


def cmd_review(args: argparse.Namespace) -> int:
    ledger = _ledger(args)
    if args.decide and args.resolve is None:
        raise UsageError("--decide needs --resolve ID")
    if args.resolve is not None:
        from bot.replies import CHOICES, DecisionError, Replies
        item = ledger.review_item(args.resolve)
        if item is None or item["resolved_at"]:
            raise UsageError(f"no open review item #{args.resolve}")
        choices = CHOICES.get(item["kind"], ())
        if choices and not args.decide:
            raise UsageError(f"review item #{args.resolve} ({item['kind']}) needs a decision: "
                             f"--decide {'|'.join(choices)}")
        day = None
        if args.date:
            try:
                day = date.fromisoformat(args.date)
            except ValueError:
                raise UsageError(f"--date {args.date!r}: expected a date like 2026-12-15")
        now = _now(args)
        replies = Replies(ledger, _config(args), clock=lambda: now)
        try:
            done = replies.decide(args.resolve, args.decide or "done", actor=_actor(args),
                                  note=args.note or "", day=day)
        except DecisionError as e:
            raise UsageError(str(e))
        print(f"review item #{args.resolve} resolved: {done}")
        return 0
    items = ledger.review(open_only=not args.all)
    if args.json:
        print(json.dumps(items, indent=2, default=str))
        return 0
    if not items:
        print("nothing to review")
        return 0
    for r in items:
        done = f"  [resolved by {r['resolved_by']}: {r['resolution']}]" if r["resolved_at"] else ""
        print(f"#{r['id']:<4} {r['created_at'][:16].replace('T', ' ')}  {r['kind']:<18} "
              f"{r['summary']}{done}")
        missing = r["detail"].get("missing")
        if missing:
            print(f"      missing: {', '.join(missing)}")
        choices = r["detail"].get("choices")
        if choices and not r["resolved_at"]:
            print(f"      decide: arbot review --resolve {r['id']} --decide {'|'.join(choices)}")
    print(f"\n{sum(1 for r in items if not r['resolved_at'])} open; settle one with "
          f"`arbot review --resolve ID [--decide CHOICE] [--note TEXT]`")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from bot import importer
    config = _config(args)
    ledger = _ledger(args)
    path = Path(args.file)
    order = args.date_order or config.date_order
    try:
        if args.what == "invoices":
            inv_rows, errors = importer.read_invoices(
                path, default_currency=config.clients.currency, date_order=order)
            result = ledger.import_invoices(inv_rows, _now(args), source=f"csv:{path.name}")
        else:
            pay_rows, errors = importer.read_payments(path, date_order=order)
            result = ledger.import_payments(pay_rows, _now(args), source=f"csv:{path.name}")
    except importer.ImportFileError as e:
        raise UsageError(f"{path}: {e}")
    errors = sorted([*errors, *result.errors], key=lambda err: err.line)
    for err in errors:
        print(f"{path}:{err.line}: {err.message}", file=sys.stderr)
    print(f"{args.what}: {result.added} added, {result.updated} updated, "
          f"{result.unchanged} unchanged, {len(errors)} rejected")
    return 1 if errors else 0


def _days_overdue(due: date, today: date) -> int:
    return (today - due).days


def _reply_waiting(i: Invoice) -> int | None:
    """The review item whose reply holds this invoice's reminders, where that is the news (an
    invoice that is not open is not reminded anyway)."""
    return i.reply_waiting if i.state in REMINDABLE and i.balance > 0 else None


def _state_words(i: Invoice, client: Client) -> str:
    n = _reply_waiting(i)
    return (i.state.value + (" (paused)" if i.paused or client.paused else "")
            + (f" (reply waits: review #{n})" if n else ""))


def cmd_invoices(args: argparse.Namespace) -> int:
    ledger = _ledger(args)
    today = _now(args).date()
    clients = {c.id: c for c in ledger.clients()}
    rows = [i for i in ledger.invoices() if args.all or i.state.value not in ("paid", "cancelled")]
    if args.json:
        print(json.dumps([{
            "number": i.number, "client": clients[i.client_id].name,
            "email": clients[i.client_id].email, "amount": str(i.amount),
            "balance": str(i.balance), "currency": i.currency,
            "issue_date": i.issue_date.isoformat(), "due_date": i.due_date.isoformat(),
            "state": i.state.value, "paused": i.paused or clients[i.client_id].paused,
            "reply_waiting": _reply_waiting(i),
        } for i in rows], indent=2))
        return 0
    if not rows:
        print("no open invoices (arbot import invoices FILE.csv adds some)")
        return 0
    print(_table([(i.number, clients[i.client_id].name, f"{i.balance} {i.currency}",
                   i.due_date, _days_overdue(i.due_date, today),
                   _state_words(i, clients[i.client_id])) for i in rows],
                 ["invoice", "client", "balance", "due", "days late", "state"], right=(2, 4)))
    return 0


def aging(ledger: Ledger, today: date) -> list[dict[str, Any]]:
    """Open balances per client and currency in the usual aging buckets."""
    from bot.core.aging import BUCKETS, OWED, bucket
    clients = {c.id: c for c in ledger.clients()}
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for inv in ledger.invoices():
        if inv.state not in OWED or inv.balance <= 0:
            continue
        row = out.setdefault((inv.client_id, inv.currency), {
            "client": clients[inv.client_id].name, "currency": inv.currency,
            "paused": clients[inv.client_id].paused, "invoices": 0, "total": Decimal(0),
            **{b: Decimal(0) for b in BUCKETS}})
        row[bucket(_days_overdue(inv.due_date, today))] += inv.balance
        row["total"] += inv.balance
        row["invoices"] += 1
    return sorted(out.values(), key=lambda r: (-r["total"], r["client"]))


def cmd_status(args: argparse.Namespace) -> int:
    from bot.core.aging import BUCKETS
    ledger = _ledger(args)
    today = _now(args).date()
    rows = aging(ledger, today)
    if args.json:
        print(json.dumps(rows, default=str, indent=2))
        return 0
    if not rows:
        print("nothing outstanding")
    else:
        print(f"Aging as of {today.isoformat()} (days past due)\n")
        print(_table([(r["client"] + (" (paused)" if r["paused"] else ""), r["currency"],
                       r["invoices"], *(f"{r[b]:,.2f}" if r[b] else "-" for b in BUCKETS),
                       f"{r['total']:,.2f}") for r in rows],
                     ["client", "cur", "inv", *BUCKETS, "total"],
                     right=tuple(range(2, 9))))
    pending = ledger.approvals("pending")
    attention = ledger.outbox("unknown") + ledger.outbox("failed")
    print()
    print(f"{len(pending)} approval request(s) waiting (arbot approvals)")
    waiting = ledger.replies_waiting()
    replies = set(waiting.by_invoice.values()) | set(waiting.by_client.values())
    if replies:
        print(f"{len(replies)} client reply(ies) wait for a person; reminders for what they are "
              f"about are held until then (arbot review)")
    if attention:
        print(f"{len(attention)} message(s) need attention (arbot outbox)")
    failed = ledger.slack_posts("failed")
    if failed:
        errors = sorted({str(r["error"]) for r in failed})
        print(f"{len(failed)} Slack message(s) could not be posted ({', '.join(errors)}); "
              f"fix the Slack setup (docs/slack.md)")
    return 0


def _target(ledger: Ledger, args: argparse.Namespace) -> tuple[str | None, str | None]:
    """(client_id, invoice) named on the command line."""
    if args.invoice:
        return None, args.invoice
    if args.client:
        c = ledger.find_client(args.client)
        if c is None:
            raise UsageError(f"no client {args.client!r}")
        return c.id, None
    if args.target is None:
        raise UsageError("name a client or an invoice")
    if ledger.invoice(args.target):
        return None, args.target
    c = ledger.find_client(args.target)
    if c:
        return c.id, None
    raise UsageError(f"{args.target!r} is neither an invoice number nor a client")


def cmd_pause(args: argparse.Namespace, paused: bool = True) -> int:
    ledger = _ledger(args)
    client_id, invoice = _target(ledger, args)
    ledger.set_paused(now=_now(args), actor=_actor(args), paused=paused, client_id=client_id,
                      invoice=invoice)
    what = f"invoice {invoice}" if invoice else f"client {client_id}"
    print(f"{what}: reminders {'paused' if paused else 'resumed'}")
    return 0


def cmd_resume(args: argparse.Namespace) -> int:
    return cmd_pause(args, paused=False)


def cmd_paid(args: argparse.Namespace) -> int:
    ledger = _ledger(args)
    amount = None
    if args.amount is not None:
        try:
            amount = Decimal(args.amount.replace(",", ""))
        except InvalidOperation:
            raise UsageError(f"--amount {args.amount!r}: not a number")
    now = _now(args)
    inv = ledger.invoice(args.invoice)
    if inv is None:
        raise UsageError(f"no invoice {args.invoice!r}")
    balance = ledger.mark_paid(inv.number, now, amount=amount, actor=_actor(args))
    print(f"invoice {inv.number}: balance now {balance} {inv.currency}"
          + (" (paid)" if balance <= 0 else ""))
    if args.thank:
        from bot.templates import format_date, format_money
        client = ledger.client(inv.client_id)
        assert client is not None
        paid = amount if amount is not None else inv.balance
        oid = ledger.queue_message(
            client.id, "payment_thanks", [inv.number], now,
            key=f"thanks:{inv.number}:{balance}",
            extra={"payment": {"amount": format_money(paid, inv.currency, client.locale),
                               "date": format_date(now.date(), client.locale),
                               "remaining": format_money(balance, inv.currency, client.locale)
                               if balance > 0 else ""}})
        print("thank-you message queued" if oid else "a thank-you was already queued")
    return 0


def cmd_approvals(args: argparse.Namespace) -> int:
    ledger = _ledger(args)
    rows = ledger.approvals(None if args.all else "pending")
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    if not rows:
        print("no approval requests waiting" if not args.all else "no approval requests")
        return 0
    clients = {c.id: c.name for c in ledger.clients()}
    print(_table([(r["id"], clients.get(r["client_id"], r["client_id"]), r["tier"], r["action"],
                   ", ".join(r["invoices"]), r["status"]
                   + (f" by {r['decided_by']}" if r["decided_by"] else ""),
                   r["requested_at"][:16].replace("T", " "))
                  for r in rows],
                 ["id", "client", "tier", "action", "invoices", "status", "requested (UTC)"]))
    return 0


def cmd_decide(args: argparse.Namespace) -> int:
    ledger = _ledger(args)
    approve = args.command == "approve"
    row = ledger.decide(args.id, approve=approve, actor=_actor(args), now=_now(args),
                        note=args.note)
    print(f"approval #{row['id']} ({row['tier']} for {', '.join(row['invoices'])}): "
          f"{row['status']} by {row['decided_by']}"
          + ("; it goes out at the client's next send window" if row["status"] == "approved"
             else ""))
    return 0


def cmd_outbox(args: argparse.Namespace) -> int:
    ledger = _ledger(args)
    if args.resolve is not None:
        if args.sent is None:
            raise UsageError("with --resolve ID say --sent (it arrived) or --not-sent (queue it "
                             "again)")
        ledger.resolve_unknown(args.resolve, was_sent=args.sent, now=_now(args),
                               actor=_actor(args))
        print(f"outbox #{args.resolve}: {'recorded as sent' if args.sent else 'queued again'}")
        return 0
    rows = ledger.outbox(args.status)
    if not rows:
        print("the outbox is empty")
        return 0
    print(_table([(r.id, r.status, r.client_id, r.template, ", ".join(r.invoices), r.attempts,
                   (r.error or "")[:60]) for r in rows],
                 ["id", "status", "client", "message", "invoices", "tries", "last error"]))
    return 0


def cmd_history(args: argparse.Namespace) -> int:
    ledger = _ledger(args)
    inv = ledger.invoice(args.invoice)
    if inv is None:
        raise UsageError(f"no invoice {args.invoice!r}")
    for e in ledger.history(invoice=inv.number):
        detail = ", ".join(f"{k}={v}" for k, v in e["detail"].items())
        print(f"{e['at'][:16].replace('T', ' ')}  {e['kind']:<20} {e['actor']:<10} {detail}")
    return 0


def _preview_extras(name: str, client: Client, invoices: Sequence[Invoice],
                    now: datetime) -> tuple[dict[str, Any], Sequence[Invoice]]:
    """Messages sent after an event (a promise, a payment) name it; a preview made without
    one shows a plausible event, and says so."""
    from bot.templates import format_date, format_money
    today = now.date()
    extra: dict[str, Any] = {}
    if name == "promise_missed" and not any(i.promised_date for i in invoices):
        extra["promise_date"] = format_date(today - timedelta(days=1), client.locale)
        print(f"Note: no promise is recorded; the preview shows one for "
              f"{today - timedelta(days=1)}\n")
    if name == "payment_thanks":
        total = sum((i.balance for i in invoices), Decimal(0))
        extra["payment"] = {"amount": format_money(total, invoices[0].currency, client.locale),
                            "date": format_date(today, client.locale), "remaining": None}
        print(f"Note: the preview shows a payment of the whole balance ({total}) received "
              f"today\n")
        invoices = [replace(i, balance=Decimal(0)) for i in invoices]
    return extra, invoices


def cmd_templates(args: argparse.Namespace) -> int:
    from bot.wiring import message_templates
    config = _config(args)
    templates = message_templates(config)
    if args.action == "check":
        problems = templates.check()
        names = templates.names()
        for p in problems:
            print(str(p), file=sys.stderr)
        used = {t.template for t in config.policy.ladder.tiers}
        for name in sorted(used - set(names)):
            print(f"policy.tiers: template {name!r} does not exist in {templates.directory}",
                  file=sys.stderr)
            problems.append(name)  # type: ignore[arg-type]
        print(f"{len(names)} messages x {len(templates.locales())} locales checked in "
              f"{templates.directory}: {len(problems)} problem(s)")
        return 1 if problems else 0
    # preview
    from bot.mailer import Mailer
    ledger = _ledger(args)
    if not args.invoice:
        raise UsageError("templates preview needs --invoice NUMBER (whose client to preview for)")
    numbers = [n.strip() for n in args.invoice.split(",")]
    invoices = ledger.invoices(numbers)
    if len(invoices) != len(numbers):
        raise UsageError(f"no invoice {sorted(set(numbers) - {i.number for i in invoices})[0]!r}")
    client = ledger.client(invoices[0].client_id)
    assert client is not None
    if args.locale:
        client = replace(client, locale=args.locale)
    if args.name not in templates.names():
        raise UsageError(f"no message {args.name!r}; there are: {', '.join(templates.names())}")
    extra, shown = _preview_extras(args.name, client, invoices, _now(args))
    composed = Mailer(config, templates).compose(args.name, client, shown, _now(args),
                                                 extra=extra)
    m = composed.message
    for h in ("From", "To", "Cc", "Reply-To", "Subject", "In-Reply-To", "References"):
        if m[h]:
            print(f"{h}: {m[h]}")
    print(f"Template: {args.name} ({composed.rendered.locale})")
    print("Attachments: " + (", ".join(composed.attachments) or "none"))
    for note in composed.notes:
        print(f"Note: {note}")
    print()
    print(composed.rendered.text)
    if args.html:
        Path(args.html).write_text(composed.rendered.html, encoding="utf-8")
        print(f"(HTML part written to {args.html})")
    if args.eml:
        Path(args.eml).write_bytes(m.as_bytes())
        print(f"(whole message written to {args.eml})")
    return 0


def _install_stop(stop: threading.Event) -> None:
    def handler(signum: int, frame: object) -> None:
        log.info("signal %d: stopping after the current unit of work", signum)
        stop.set()
    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)


def cmd_run(args: argparse.Namespace) -> int:
    from bot.wiring import build
    config = _config(args, need_secrets=True)
    stop = threading.Event()
    _install_stop(stop)
    bot = build(config, stop=stop)
    slack = None
    try:
        if config.slack.enabled:
            from bot.slack.app import SlackApp
            slack = SlackApp(config, bot.mailer, clock=bot.clock)
            slack.start()
        bot.loop.run_forever(config.poll_seconds)
    finally:
        if slack is not None:
            slack.stop()
        bot.close()
    return 0


def cmd_once(args: argparse.Namespace) -> int:
    from bot.wiring import build
    config = _config(args, need_secrets=True)
    now = _now(args)
    fixed = args.now is not None
    bot = build(config, clock=(lambda: now) if fixed else (lambda: datetime.now(UTC)),
                sleep=(lambda s: None) if fixed else __import__("time").sleep)
    try:
        before = {r.id for r in bot.ledger.outbox("sent")}
        bot.loop.run_pass()
        sent = [r for r in bot.ledger.outbox("sent") if r.id not in before]
        waiting = bot.ledger.approvals("pending")
        attention = bot.ledger.outbox("unknown") + bot.ledger.outbox("failed")
    finally:
        bot.close()
    print(f"pass at {now.isoformat(timespec='seconds')}: {len(sent)} email(s) sent, "
          f"{len(waiting)} approval request(s) waiting, {len(attention)} message(s) need "
          f"attention")
    for r in sent:
        print(f"  sent {r.template} to {r.client_id} ({', '.join(r.invoices)})")
    return 0


def cmd_plan(args: argparse.Namespace) -> int:
    from bot.reminders import rules_from, simulate
    config = _config(args)
    ledger = _ledger(args)
    now = _now(args)
    rules = rules_from(config.policy)
    state = ledger.planning_state(now, rules.ladder)
    tz = config.clients.timezone
    days = simulate(state, rules, now, args.days, report_timezone=tz)
    names = {c.id: c.name for c in state.clients.values()}
    print(f"What arbot would do over the next {args.days} day(s), from "
          f"{now.isoformat(timespec='minutes')} (times in {tz}); nothing is sent.")
    quiet = 0
    for d in days:
        if not (d.sends or d.approvals or d.held):
            quiet += 1
            continue
        print(f"\n{d.day.isoformat()} {d.day.strftime('%A')}")
        for t, client, tier, items in d.sends:
            from bot.core import calendar
            print(f"  send     {calendar.local(t, tz):%H:%M}  {names[client]}: {tier} "
                  f"({', '.join(n for n, _ in items)})")
        for client, tier, numbers in d.approvals:
            print(f"  approval {names[client]}: {tier} ({', '.join(numbers)}) needs a person's yes")
        by_reason: dict[tuple[str, str], list[str]] = {}
        for (client, number), why in sorted(d.held.items()):
            by_reason.setdefault((client, why), []).append(number)
        for (client, why), held in by_reason.items():
            print(f"  held     {names.get(client, client)} ({', '.join(held)}): {why}")
    if quiet == len(days):
        print("\nnothing due in that time")
    return 0


def cmd_health(args: argparse.Namespace) -> int:
    config = _config(args)
    try:
        ledger = _ledger(args)
        last = ledger.meta("last_pass")
    except Exception as e:  # the health check reports, it does not crash
        print(f"unhealthy: database {config.database_path}: {e}")
        return 1
    if last is None:
        print("healthy: database ready, no pass yet")
        return 0
    age = datetime.now(UTC) - parse_time(last)
    limit = timedelta(seconds=3 * config.poll_seconds + 120)
    if age > limit:
        print(f"unhealthy: last pass {age.total_seconds():.0f} s ago (limit {limit.seconds} s)")
        return 1
    print(f"healthy: last pass {age.total_seconds():.0f} s ago")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from bot.demo import run_demo
    return run_demo(days=args.days, out=Path(args.out) if args.out else None)


# -- parser -------------------------------------------------------------------------------------


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="arbot",
        description="arbot: payment reminders from your own mailbox, with a person approving "
                    "every escalation.",
        epilog="Start with `arbot demo` to see it work with nothing configured. Configuration: "
               "--config PATH or ARBOT_CONFIG; config.example.toml explains every key.")
    p.add_argument("--config", metavar="PATH", help="the TOML config file (default: $ARBOT_CONFIG)")
    p.add_argument("-v", "--verbose", action="store_true", help="log every step")
    p.add_argument("--version", action="version", version=f"arbot {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def add(name: str, fn: Callable[[argparse.Namespace], int], help: str,
            now: bool = False) -> argparse.ArgumentParser:
        sp = sub.add_parser(name, help=help, description=help)
        sp.set_defaults(fn=fn)
        if now:
            sp.add_argument("--now", metavar="ISO-TIMESTAMP",
                            help="act as of this moment instead of the current time")
        return sp

    add("demo", cmd_demo, "run the whole bot on sample data with a built-in mail server "
        "(needs no configuration)")
    sp = sub._name_parser_map["demo"]
    sp.add_argument("--days", type=int, default=60, help="simulated days (default 60)")
    sp.add_argument("--out", metavar="DIR", help="where to leave the sent .eml files "
                    "(default: a new temporary folder)")

    sp = add("classify", cmd_classify, "label client replies (paid, promise, dispute, question, "
             "out_of_office, bounce, other); one JSON line out per reply in")
    sp.add_argument("files", nargs="*", metavar="FILE.eml", help="messages to read")
    sp.add_argument("--jsonl", metavar="FILE", help="JSON Lines with subject, body and optional "
                    "date and from (default: stdin when no files are given)")
    sp.add_argument("--no-endpoint", action="store_true",
                    help="the rules alone, even when the config sets a [classifier] endpoint")

    sp = add("check-config", cmd_check_config, "validate the config file and templates")
    sp.add_argument("--connect", action="store_true",
                    help="also sign in to every configured service (SMTP or Graph, IMAP, Slack)")

    add("login", cmd_login, "sign in once as the mailbox's user (Microsoft 365, [oauth] flow = "
        "\"device_code\"); arbot then renews the sign-in by itself")

    sp = add("import", cmd_import, "import invoices or payments from a CSV file", now=True)
    sp.add_argument("what", choices=("invoices", "payments"))
    sp.add_argument("file", metavar="FILE.csv")
    sp.add_argument("--date-order", choices=("DMY", "MDY"),
                    help="how to read dates like 03/04/2026 when the file does not tell")

    sp = add("invoices", cmd_invoices, "list the ledger's invoices", now=True)
    sp.add_argument("--json", action="store_true", help="machine-readable output")
    sp.add_argument("--all", action="store_true", help="include paid and cancelled invoices")

    sp = add("status", cmd_status, "aging per client, and what waits for a person", now=True)
    sp.add_argument("--json", action="store_true", help="machine-readable output")

    for name, fn, verb in (("pause", cmd_pause, "stop"), ("resume", cmd_resume, "restart")):
        sp = add(name, fn, f"{verb} reminders for a client or an invoice", now=True)
        sp.add_argument("target", nargs="?", help="an invoice number or a client name/address")
        sp.add_argument("--client", help="the client (name or email)")
        sp.add_argument("--invoice", help="the invoice number")
        sp.add_argument("--as", dest="actor", help="who is doing this (default: $USER)")

    sp = add("paid", cmd_paid, "record a payment (the whole balance unless --amount)", now=True)
    sp.add_argument("invoice")
    sp.add_argument("--amount", help="a partial payment")
    sp.add_argument("--thank", action="store_true", help="also send the thank-you message")
    sp.add_argument("--as", dest="actor", help="who is doing this (default: $USER)")

    sp = add("approvals", cmd_approvals, "list approval requests")
    sp.add_argument("--all", action="store_true", help="include decided ones")
    sp.add_argument("--json", action="store_true", help="machine-readable output")
    for name in ("approve", "reject"):
        sp = add(name, cmd_decide, f"{name} an escalation (see arbot approvals)", now=True)
        sp.add_argument("id", type=int)
        sp.add_argument("--note", help="a note kept with the decision")
        sp.add_argument("--as", dest="actor", help="who decides (default: $USER)")

    sp = add("review", cmd_review, "what needs a person: payment claims to confirm, disputes, "
             "replies to label or answer, bounces, invoice emails that could not be read",
             now=True)
    sp.add_argument("--all", action="store_true", help="include resolved items")
    sp.add_argument("--json", action="store_true", help="machine-readable output")
    sp.add_argument("--resolve", type=int, metavar="ID", help="mark an item as dealt with")
    sp.add_argument("--decide", metavar="CHOICE",
                    help="the decision, for items that need one (the list shows the choices): "
                         "received|not_received for a payment claim, resolved|cancelled for a "
                         "dispute, a label for a reply to label")
    sp.add_argument("--date", metavar="YYYY-MM-DD",
                    help="with --decide promise: the promised date, when the reply's is wrong")
    sp.add_argument("--note", help="what was done (with --resolve)")
    sp.add_argument("--as", dest="actor", help="who resolves (default: $USER)")

    sp = add("outbox", cmd_outbox, "list messages, and settle ones whose delivery is unknown",
             now=True)
    sp.add_argument("--status", choices=("queued", "retry", "sending", "sent", "failed",
                                         "unknown", "cancelled"))
    sp.add_argument("--resolve", type=int, metavar="ID", help="settle an 'unknown' message")
    g = sp.add_mutually_exclusive_group()
    g.add_argument("--sent", dest="sent", action="store_true", default=None,
                   help="it did arrive")
    g.add_argument("--not-sent", dest="sent", action="store_false", help="queue it again")
    sp.add_argument("--as", dest="actor", help="who decides (default: $USER)")

    sp = add("history", cmd_history, "an invoice's history: every event, oldest first")
    sp.add_argument("invoice")

    sp = add("templates", cmd_templates, "check or preview message templates", now=True)
    sp.add_argument("action", choices=("check", "preview"))
    sp.add_argument("name", nargs="?", default="reminder", help="message name (preview)")
    sp.add_argument("--invoice", help="invoice number(s), comma-separated (preview)")
    sp.add_argument("--locale", help="render in this locale instead of the client's")
    sp.add_argument("--html", metavar="FILE", help="also write the HTML part to FILE")
    sp.add_argument("--eml", metavar="FILE", help="also write the whole message to FILE")

    add("run", cmd_run, "run the bot until stopped (SIGTERM or Ctrl-C)")
    add("once", cmd_once, "run one pass: plan and send what is due", now=True)
    sp = add("plan", cmd_plan, "show what would be sent on each of the next days, sending "
             "nothing", now=True)
    sp.add_argument("--days", type=int, default=14, help="how many days ahead (default 14)")
    add("health", cmd_health, "exit 0 if the bot is healthy (for container health checks)")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        code: int = args.fn(args)
        return code
    except (ConfigError, UsageError, LedgerError) as e:
        print(f"arbot: {e}", file=sys.stderr)
        return 2
    except TemplateError as e:
        print(f"arbot: template error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
