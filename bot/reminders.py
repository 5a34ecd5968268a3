"""The planning step: read the ledger, ask the core what to do, record the answer.

Also the dry run behind ``arbot plan --days N``: the same planner, stepped hour by hour over
simulated days against an in-memory copy of the ledger's state, sending nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from bot.config import Policy
from bot.core import calendar
from bot.core.policy import InvoiceProgress, Plan, Rules, plan
from bot.ledger import Ledger, PlanningState

log = logging.getLogger(__name__)


def rules_from(policy: Policy) -> Rules:
    return Rules(ladder=policy.ladder, business_days=policy.business_days,
                 window_start=policy.send_window_start, window_end=policy.send_window_end,
                 min_interval=timedelta(days=policy.min_interval_days),
                 max_per_week=policy.max_per_week)


class Reminders:
    def __init__(self, ledger: Ledger, policy: Policy, *, clock: Callable[[], datetime]) -> None:
        self.ledger = ledger
        self.rules = rules_from(policy)
        self.clock = clock

    def plan_reminders(self) -> bool:
        """One unit of work: plan every client at this moment. Never more to do in this pass."""
        now = self.clock()
        state = self.ledger.planning_state(now, self.rules.ladder)
        result = plan(now, self.rules, state.clients, state.invoices, state.progress,
                      state.recent_sends, state.approved)
        if result.sends or result.approvals or result.skips:
            created = self.ledger.apply_plan(result, now)
            log.info("plan: %d email(s) queued, %d approval request(s), %d tier(s) skipped",
                     len(created), len(result.approvals), sum(len(s.tiers) for s in result.skips))
        return False


@dataclass
class DayPlan:
    day: date
    sends: list[tuple[datetime, str, str, tuple[tuple[str, str], ...]]] = field(default_factory=list)
    approvals: list[tuple[str, str, tuple[str, ...]]] = field(default_factory=list)
    held: dict[tuple[str, str], str] = field(default_factory=dict)  # (client, invoice) -> why


def simulate(state: PlanningState, rules: Rules, start: datetime, days: int, *,
             report_timezone: str, step: timedelta = timedelta(hours=1)) -> list[DayPlan]:
    """What would happen over the next ``days`` days if nobody did anything."""
    progress = dict(state.progress)
    recent = {k: list(v) for k, v in state.recent_sends.items()}
    approved = list(state.approved)
    first = calendar.local(start, report_timezone).date()
    out = [DayPlan(first + timedelta(days=i)) for i in range(days)]
    t = start
    end = datetime.combine(first + timedelta(days=days), datetime.min.time(),
                           calendar.zone(report_timezone))
    while t < end:
        day = out[(calendar.local(t, report_timezone).date() - first).days]
        result: Plan = plan(t, rules, state.clients, state.invoices, progress, recent, approved)
        index = {tier.name: i for i, tier in enumerate(rules.ladder.tiers)}
        for s in result.skips:
            p = progress.get(s.invoice, InvoiceProgress())
            progress[s.invoice] = replace(p, done=max(p.done, max(index[n] for n in s.tiers)))
        for a in result.approvals:
            day.approvals.append((a.client_id, a.tier.name, a.invoices))
            for n in a.invoices:
                progress[n] = replace(progress.get(n, InvoiceProgress()), awaiting=index[a.tier.name])
        for send in result.sends:
            day.sends.append((t, send.client_id, send.tier.name, send.items))
            recent.setdefault(send.client_id, []).append(t)
            for n, tier in send.items:
                p = progress.get(n, InvoiceProgress())
                progress[n] = replace(p, done=max(p.done, index[tier]))
                day.held.pop((send.client_id, n), None)
            approved = [a for a in approved if a.approval_id not in send.approval_ids]
        for h in result.holds:
            if h.reason.startswith("outside the send window"):
                continue  # every evening says so; the day's other reasons are the news
            for n in h.invoices:
                day.held.setdefault((h.client_id, n), h.reason)
        t += step
    return out
