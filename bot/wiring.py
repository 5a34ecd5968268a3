"""The one place where real collaborators are built and connected.

Everything else receives its clock, sleep, ledger and transport as arguments, so tests and
the demo can pass a simulated clock and a local SMTP server instead.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.config import Config
from bot.endpoint import Endpoint, SecondOpinion
from bot.imap import Mailbox
from bot.intake import Intake
from bot.ledger import Ledger, iso
from bot.loop import Loop
from bot.mailer import Mailer
from bot.oauth import GoogleTokens, Tokens, TokenSource
from bot.outbox import Outbox
from bot.reminders import Reminders
from bot.replies import Replies
from bot.slack.poster import SlackPoster
from bot.smtp import SmtpTransport, Transport
from bot.templates import MessageTemplates, default_directory

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


def open_ledger(config: Config) -> Ledger:
    c = config.clients
    return Ledger(config.database_path,
                  client_defaults={"timezone": c.timezone, "locale": c.locale,
                                   "country": c.country})


def token_source(config: Config) -> Tokens | None:
    """The OAuth2 token source when IMAP or SMTP signs in with tokens."""
    if config.smtp.auth == "oauth2" or config.mail.transport == "graph" or (
            config.imap.enabled and config.imap.auth == "oauth2"):
        if config.oauth.provider == "google":
            return GoogleTokens(config.oauth)
        return TokenSource(config.oauth)
    return None


def second_opinion(config: Config) -> SecondOpinion | None:
    """The endpoint that checks the rules' reading of each reply, when ``[classifier]`` is on."""
    if not config.classifier.enabled:
        return None
    return SecondOpinion(Endpoint(config.classifier), act_threshold=config.replies.act_threshold)


def message_templates(config: Config) -> MessageTemplates:
    return MessageTemplates(config.templates_dir or default_directory())


@dataclass
class Bot:
    config: Config
    ledger: Ledger
    mailer: Mailer
    reminders: Reminders
    outbox: Outbox
    loop: Loop
    transport: Transport
    clock: Clock
    replies: Replies

    intake: Intake | None = None
    slack: SlackPoster | None = None

    def close(self) -> None:
        self.transport.close()
        if self.intake is not None:
            self.intake.mailbox.close()
        self.ledger.close()


def build(config: Config, *, clock: Clock = system_clock,
          sleep: Callable[[float], None] = time.sleep, transport: Transport | None = None,
          stop: threading.Event | None = None, ledger: Ledger | None = None,
          mailbox: Mailbox | None = None) -> Bot:
    ledger = ledger or open_ledger(config)
    mailer = Mailer(config, message_templates(config))
    tokens = token_source(config)
    if transport is None and config.mail.transport == "graph":
        from bot.graph import GraphTransport
        assert tokens is not None
        transport = GraphTransport(config.mail.from_address, tokens, base_url=config.mail.graph_base_url,
                                   sleep=sleep)
    transport = transport or SmtpTransport(config.smtp, sleep=sleep, tokens=tokens)
    reminders = Reminders(ledger, config.policy, clock=clock)
    if mailbox is None and config.imap.enabled:
        mailbox = Mailbox(config.imap, sleep=sleep, tokens=tokens)
    intake = Intake(ledger, mailbox, config, clock=clock) if mailbox is not None else None
    replies = Replies(ledger, config, clock=clock, opinion=second_opinion(config))
    outbox = Outbox(ledger, mailer, transport, config.sending, clock=clock, sleep=sleep,
                    in_sent_folder=intake.in_sent_folder if intake else None)

    def heartbeat() -> None:
        ledger.set_meta("last_pass", iso(clock()))

    steps: list[tuple[str, Callable[[], bool]]] = []
    if intake is not None:
        # what came in first: a reply or a payment claim can make a reminder unnecessary
        steps += [("take_in_inbox", intake.take_in_inbox),
                  ("take_in_sent", intake.take_in_sent),
                  ("understand_one_reply", replies.understand_one_reply)]
    steps += [("check_promises", replies.check_promises),
              ("settle_interrupted", outbox.settle_interrupted),
              ("plan_reminders", reminders.plan_reminders),
              ("send_one_message", outbox.send_one_message)]
    if intake is not None:
        steps.append(("save_one_sent_copy", intake.save_one_sent_copy))
    poster = None
    if config.slack.enabled:
        from bot.slack.app import web_client
        poster = SlackPoster(ledger, config, mailer, web_client(config), clock=clock, sleep=sleep)
        steps += [("settle_interrupted_posts", poster.settle_interrupted_posts),
                  ("queue_for_slack", poster.queue_for_slack),
                  ("post_one_to_slack", poster.post_one_to_slack)]
    loop = Loop(steps, stop=stop, on_pass=heartbeat, wait=intake.wait if intake else None)
    return Bot(config, ledger, mailer, reminders, outbox, loop, transport, clock, replies, intake, poster)
