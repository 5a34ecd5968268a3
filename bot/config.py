"""Settings from TOML, secrets from the environment, loaded once into frozen dataclasses.

A bad value fails loudly with a ``ConfigError`` naming the key and the value. Unknown keys
are errors too: a typo such as ``mesages_per_minute`` would otherwise be silently ignored.
``config.example.toml`` documents every key; ``tests/test_config.py`` proves it loads.
"""

from __future__ import annotations

import os
import re
import tomllib
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import babel
import holidays

from bot.core.model import ACTIONS, Ladder, Tier

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_ADDRESS = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")


class ConfigError(Exception):
    """A configuration file or value is unusable. The message names the key and the value."""


@dataclass(frozen=True)
class Company:
    name: str = "Example Ltd"
    phone: str = ""
    website: str = ""
    signature: str = "The accounts team"
    payment_details: str = ""


@dataclass(frozen=True)
class Mail:
    from_address: str = "accounts@example.com"
    from_name: str = ""
    reply_to: str = ""
    bcc: str = ""
    reply_tokens: bool = False  # Reply-To ar+<client token>@..., for servers with plus-addressing
    transport: str = "smtp"     # smtp | graph (Microsoft Graph sendMail, with [oauth])
    graph_base_url: str = "https://graph.microsoft.com/v1.0/"

    @property
    def domain(self) -> str:
        return self.from_address.rpartition("@")[2]


@dataclass(frozen=True)
class Smtp:
    host: str = "localhost"
    port: int = 587
    security: str = "starttls"  # starttls | tls | none
    username: str = ""
    password_env: str = ""
    timeout_seconds: float = 30.0
    auth: str = "password"  # password | oauth2 (XOAUTH2 with a token from [oauth])
    password: str = field(default="", repr=False)  # resolved from the environment, never printed


@dataclass(frozen=True)
class Imap:
    """The company mailbox arbot watches. Off while ``host`` is empty."""

    host: str = ""
    port: int = 993
    security: str = "tls"  # tls | starttls | none
    username: str = ""
    password_env: str = ""
    auth: str = "password"  # password | oauth2 (XOAUTH2 with a token from [oauth])
    sent_folder: str = ""   # "" = the folder flagged \Sent (RFC 6154)
    inbox_folder: str = "INBOX"
    idle: bool = True
    timeout_seconds: float = 60.0
    save_sent_copies: bool = True  # APPEND what SMTP sent to the Sent folder, once
    password: str = field(default="", repr=False)

    @property
    def enabled(self) -> bool:
        return bool(self.host)


@dataclass(frozen=True)
class OAuth:
    """Where mail tokens come from when ``[imap] auth`` or ``[smtp] auth`` is "oauth2"."""

    provider: str = "microsoft"     # microsoft (Microsoft 365, through msal) | google
    flow: str = "client_credentials"  # the app signs in itself | "device_code": a person, once
    tenant: str = ""                # the directory (tenant) ID or a verified domain
    client_id: str = ""             # the app registration's application (client) ID
    client_secret_env: str = ""
    authority_url: str = ""         # "" = https://login.microsoftonline.com/<tenant>
    token_cache: Path | None = None  # msal's cache, readable by the bot's user only
    client_certificate_file: Path | None = None  # PEM: private key and certificate, instead of a secret
    # Google: a service account with domain-wide delegation acting as ``subject``, or a
    # refresh token of the mailbox's user (with client_id and client_secret_env)
    service_account_file: Path | None = None
    subject: str = ""
    refresh_token_env: str = ""
    client_secret: str = field(default="", repr=False)
    refresh_token: str = field(default="", repr=False)

    @property
    def authority(self) -> str:
        return self.authority_url or f"https://login.microsoftonline.com/{self.tenant}"


@dataclass(frozen=True)
class SenderPattern:
    """Regular expressions for one sender's invoice layout (see config.example.toml)."""

    sender: str
    number: str | None = None
    amount: str | None = None
    due_date: str | None = None
    issue_date: str | None = None
    date_order: str = "DMY"


@dataclass(frozen=True)
class Discovery:
    """How invoices are learnt from the Sent folder, and how hand-written mail is respected."""

    enabled: bool = True
    terms_days: int | None = None  # due = issue + this when an invoice states no due date
    quiet_days: int = 3            # hold reminders after a person writes to the client
    patterns: tuple[SenderPattern, ...] = ()


@dataclass(frozen=True)
class ReplyConfig:
    """How far a client's reply may act on its own."""

    act_threshold: float = 0.8     # below this confidence, a person decides
    promise_grace_days: int = 3    # after a promised date, before "promise missed"
    max_promise_days: int = 60     # a promise further out than this goes to a person
    answer_copy_requests: bool = True  # send the invoice copy a client asks for


@dataclass(frozen=True)
class ClassifierConfig:
    """A second opinion on replies from an OpenAI-compatible HTTP endpoint (docs/classifier.md).
    Off while ``endpoint`` is empty: the rules in ``bot/core/classify.py`` then decide alone,
    and no reply text leaves the machine."""

    endpoint: str = ""              # base URL, like http://127.0.0.1:8080/v1
    model: str = ""
    api_key_env: str = ""
    timeout_seconds: float = 20.0
    max_chars: int = 4000           # the reply's text is cut to this many characters
    api_key: str = field(default="", repr=False)  # resolved from the environment, never printed

    @property
    def enabled(self) -> bool:
        return bool(self.endpoint)


@dataclass(frozen=True)
class SlackConfig:
    """The finance team's Slack workspace. Off while ``approvals_channel`` is empty."""

    mode: str = "socket"            # socket (no public URL) | http (signed requests)
    bot_token_env: str = ""
    app_token_env: str = ""         # Socket Mode's app-level token (xapp-...)
    signing_secret_env: str = ""    # HTTP mode: verifies that requests come from Slack
    approvals_channel: str = ""     # channel ID (C...) where approvals and alerts go
    approvers: tuple[str, ...] = ()  # user IDs (U..., W...) and user groups (S...)
    api_base_url: str = "https://slack.com/api/"
    http_host: str = "127.0.0.1"
    http_port: int = 3000
    digest_time: time | None = time(9, 0)   # None: no daily digest
    timezone: str = "UTC"           # of digest_time and of the dates shown in Slack
    snooze_days: tuple[int, ...] = (1, 3, 7)
    bot_token: str = field(default="", repr=False)
    app_token: str = field(default="", repr=False)
    signing_secret: str = field(default="", repr=False)

    @property
    def enabled(self) -> bool:
        return bool(self.approvals_channel)


@dataclass(frozen=True)
class Sending:
    messages_per_minute: int = 30
    recipients_per_day: int = 10000
    max_attempts: int = 3
    retry_after_minutes: int = 15


@dataclass(frozen=True)
class ClientDefaults:
    timezone: str = "UTC"
    country: str = ""
    locale: str = "en"
    currency: str = "EUR"


DEFAULT_LADDER = Ladder((
    Tier("courtesy", -3, "courtesy"),
    Tier("reminder", 3, "reminder"),
    Tier("firm", 14, "firm"),
    Tier("final_notice", 30, "final_notice", approval=True),
    Tier("stop_service", 45, "stop_service", approval=True, action="stop_service"),
    Tier("collections", 60, "collections", approval=True, action="collections"),
))


@dataclass(frozen=True)
class Policy:
    send_window_start: time = time(9, 0)
    send_window_end: time = time(17, 0)
    business_days: tuple[int, ...] = (0, 1, 2, 3, 4)
    min_interval_days: int = 3
    max_per_week: int = 2
    stop_service_days: int = 7
    collections_days: int = 14
    ladder: Ladder = field(default_factory=lambda: DEFAULT_LADDER)




@dataclass(frozen=True)
class Config:
    path: Path | None
    database_path: Path
    company: Company = field(default_factory=Company)
    mail: Mail = field(default_factory=Mail)
    smtp: Smtp = field(default_factory=Smtp)
    imap: Imap = field(default_factory=Imap)
    oauth: OAuth = field(default_factory=OAuth)
    discovery: Discovery = field(default_factory=Discovery)
    replies: ReplyConfig = field(default_factory=ReplyConfig)
    classifier: ClassifierConfig = field(default_factory=ClassifierConfig)
    slack: SlackConfig = field(default_factory=SlackConfig)
    sending: Sending = field(default_factory=Sending)
    clients: ClientDefaults = field(default_factory=ClientDefaults)
    policy: Policy = field(default_factory=Policy)
    templates_dir: Path | None = None
    poll_seconds: float = 60.0
    date_order: str | None = None


# --------------------------------------------------------------------------------------------
# reading


class _Section:
    """One TOML table being read: tracks which keys were used so leftovers can be reported."""

    def __init__(self, name: str, data: Any) -> None:
        if not isinstance(data, Mapping):
            raise ConfigError(f"[{name}] must be a table, got {data!r}")
        self.name = name
        self.data = data
        self.used: set[str] = set()

    def key(self, k: str) -> str:
        return f"{self.name}.{k}"

    def get(self, k: str, default: Any, kind: type | tuple[type, ...]) -> Any:
        self.used.add(k)
        if k not in self.data:
            return default
        v = self.data[k]
        if kind is float and isinstance(v, int) and not isinstance(v, bool):
            v = float(v)
        if not isinstance(v, kind) or (isinstance(v, bool) and kind in (int, float)):
            want = kind.__name__ if isinstance(kind, type) else " or ".join(t.__name__ for t in kind)
            raise ConfigError(f"{self.key(k)} = {v!r}: expected a {want}")
        return v

    def integer(self, k: str, default: int, *, minimum: int | None = None) -> int:
        v: int = self.get(k, default, int)
        if minimum is not None and v < minimum:
            raise ConfigError(f"{self.key(k)} = {v!r}: must be at least {minimum}")
        return v

    def string(self, k: str, default: str) -> str:
        v: str = self.get(k, default, str)
        if any(c in v for c in "\r\n\0"):
            raise ConfigError(f"{self.key(k)} = {v!r}: line breaks are not allowed here")
        return v

    def text(self, k: str, default: str) -> str:
        """A multi-line value (a signature, payment details)."""
        v: str = self.get(k, default, str)
        return v

    def finish(self) -> None:
        unknown = sorted(set(self.data) - self.used)
        if unknown:
            raise ConfigError(f"unknown key {self.key(unknown[0])} (check the spelling against "
                              f"config.example.toml)")


def _address(sec: _Section, k: str, default: str, *, optional: bool = False) -> str:
    v = sec.string(k, default).strip()
    if optional and not v:
        return ""
    if not _ADDRESS.match(v):
        raise ConfigError(f"{sec.key(k)} = {v!r}: not an email address")
    return v


def _clock(sec: _Section, k: str, default: time) -> time:
    raw = sec.string(k, default.strftime("%H:%M"))
    m = re.fullmatch(r"(\d{1,2}):(\d{2})", raw)
    if not m or int(m[1]) > 23 or int(m[2]) > 59:
        raise ConfigError(f"{sec.key(k)} = {raw!r}: expected a time of day like \"09:00\"")
    return time(int(m[1]), int(m[2]))


def check_timezone(name: str, key: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{key} = {name!r}: not a time zone name (like \"Europe/Berlin\")")
    return name


def check_locale(name: str, key: str) -> str:
    try:
        babel.Locale.parse(name.replace("-", "_"))
    except (ValueError, babel.UnknownLocaleError):
        raise ConfigError(f"{key} = {name!r}: not a locale (like \"en\" or \"de_DE\")")
    return name.replace("-", "_")


def check_country(code: str, key: str) -> str:
    if code and code.upper() not in holidays.list_supported_countries():
        raise ConfigError(f"{key} = {code!r}: not a country code with a holiday calendar "
                          f"(ISO 3166 alpha-2, like \"DE\")")
    return code.upper()


def _tiers(raw: Any) -> Ladder:
    if not isinstance(raw, list) or not raw:
        raise ConfigError(f"policy.tiers = {raw!r}: expected at least one [[policy.tiers]] table")
    tiers = []
    for i, item in enumerate(raw):
        sec = _Section(f"policy.tiers[{i}]", item)
        name = sec.string("name", "")
        if not re.fullmatch(r"[a-z0-9_]+", name):
            raise ConfigError(f"{sec.key('name')} = {name!r}: use lower-case letters, digits and _")
        offset = sec.integer("offset_days", 0)
        template = sec.string("template", name)
        approval = sec.get("approval", False, bool)
        action = sec.string("action", "email")
        if action not in ACTIONS:
            raise ConfigError(f"{sec.key('action')} = {action!r}: expected one of "
                              f"{', '.join(ACTIONS)}")
        sec.finish()
        tiers.append(Tier(name, offset, template, approval, action))
    names = [t.name for t in tiers]
    if len(set(names)) != len(names):
        raise ConfigError(f"policy.tiers: tier names must be unique, got {names}")
    offsets = [t.offset_days for t in tiers]
    if offsets != sorted(offsets) or len(set(offsets)) != len(offsets):
        raise ConfigError(f"policy.tiers: offset_days must rise strictly from one tier to the "
                          f"next, got {offsets}")
    return Ladder(tuple(tiers))


def _secret(env_name: str, key: str, environ: Mapping[str, str]) -> str:
    """Read a secret from the variable ``env_name``, or from the file named by ``env_name_FILE``."""
    if not env_name:
        return ""
    if env_name in environ:
        return environ[env_name]
    file_var = env_name + "_FILE"
    if file_var in environ:
        try:
            return Path(environ[file_var]).read_text().strip()
        except OSError as e:
            raise ConfigError(f"{key} = {env_name!r}: cannot read {file_var}: {e.strerror}")
    raise ConfigError(f"{key} = {env_name!r}: the environment variable {env_name} is not set")


def _env_name(sec: _Section, k: str) -> str:
    v = sec.string(k, "")
    if v and not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", v):
        raise ConfigError(f"{sec.key(k)} = {v!r}: expected the NAME of an environment variable, "
                          f"not the secret itself")
    return v


def _imap(i: _Section, environ: Mapping[str, str], need_secrets: bool) -> Imap:
    host = i.string("host", "")
    security = i.string("security", "tls")
    if security not in ("tls", "starttls", "none"):
        raise ConfigError(f"imap.security = {security!r}: expected \"tls\", \"starttls\" or \"none\"")
    port = i.integer("port", 993 if security == "tls" else 143, minimum=1)
    if port > 65535:
        raise ConfigError(f"imap.port = {port!r}: must be at most 65535")
    auth = i.string("auth", "password")
    if auth not in ("password", "oauth2"):
        raise ConfigError(f"imap.auth = {auth!r}: expected \"password\" or \"oauth2\"")
    username = i.string("username", "")
    password_env = _env_name(i, "password_env")
    if host and not username:
        raise ConfigError(f"imap.host = {host!r} is set: imap.username is needed too")
    if host and auth == "password" and not password_env:
        raise ConfigError(f"imap.host = {host!r} is set with auth = \"password\": imap.password_env "
                          f"is needed too")
    return Imap(host=host, port=port, security=security, username=username,
                password_env=password_env, auth=auth,
                sent_folder=i.string("sent_folder", ""),
                inbox_folder=i.string("inbox_folder", "INBOX") or "INBOX",
                idle=i.get("idle", True, bool),
                timeout_seconds=i.get("timeout_seconds", 60.0, float),
                save_sent_copies=i.get("save_sent_copies", True, bool),
                password=_secret(password_env, "imap.password_env", environ)
                if host and need_secrets and auth == "password" else "")


def _oauth(o: _Section, base: Path, environ: Mapping[str, str], *, needed: bool,
           need_secrets: bool) -> OAuth:
    provider = o.string("provider", "microsoft")
    if provider not in ("microsoft", "google"):
        raise ConfigError(f"oauth.provider = {provider!r}: expected \"microsoft\" or \"google\"")
    if provider == "google":
        return _google(o, base, environ, needed=needed, need_secrets=need_secrets)
    secret_env = _env_name(o, "client_secret_env")
    authority = o.string("authority_url", "").rstrip("/")
    if authority and not authority.startswith("https://"):
        raise ConfigError(f"oauth.authority_url = {authority!r}: must be an https:// address")
    cache = o.string("token_cache", "oauth-tokens.json")
    certificate = o.string("client_certificate_file", "")
    flow = o.string("flow", "client_credentials")
    if flow not in ("client_credentials", "device_code"):
        raise ConfigError(f"oauth.flow = {flow!r}: expected \"client_credentials\" or \"device_code\"")
    config = OAuth(provider=provider, flow=flow, tenant=o.string("tenant", ""),
                   client_id=o.string("client_id", ""),
                   client_secret_env=secret_env, authority_url=authority,
                   token_cache=(base / cache).resolve() if cache else None,
                   client_certificate_file=(base / certificate).resolve() if certificate else None)
    if not needed:
        return config
    with_secret = flow == "client_credentials" and not certificate
    for key in ("tenant", "client_id", *(("client_secret_env",) if with_secret else ())):
        if not getattr(config, key):
            raise ConfigError(f"oauth.{key} is not set: imap.auth or smtp.auth is \"oauth2\", which "
                              f"needs it (docs/microsoft-365.md)")
    if certificate and need_secrets and not config.client_certificate_file.is_file():  # type: ignore[union-attr]
        raise ConfigError(f"oauth.client_certificate_file = {certificate!r}: no such file")
    if not need_secrets or not with_secret:
        return config
    from dataclasses import replace
    return replace(config, client_secret=_secret(secret_env, "oauth.client_secret_env", environ))


def _google(o: _Section, base: Path, environ: Mapping[str, str], *, needed: bool,
            need_secrets: bool) -> OAuth:
    account = o.string("service_account_file", "")
    refresh_env = _env_name(o, "refresh_token_env")
    secret_env = _env_name(o, "client_secret_env")
    config = OAuth(provider="google", service_account_file=(base / account).resolve() if account else None,
                   subject=o.string("subject", ""), client_id=o.string("client_id", ""),
                   refresh_token_env=refresh_env, client_secret_env=secret_env)
    if not needed:
        return config
    if bool(account) == bool(refresh_env):
        raise ConfigError("oauth.provider = \"google\": set either oauth.service_account_file (a service "
                          "account with domain-wide delegation) or oauth.refresh_token_env (docs/google.md)")
    if account:
        if not config.subject:
            raise ConfigError("oauth.subject is not set: the mailbox the service account acts as")
        if need_secrets and not config.service_account_file.is_file():  # type: ignore[union-attr]
            raise ConfigError(f"oauth.service_account_file = {account!r}: no such file")
        return config
    for key in ("client_id", "client_secret_env"):
        if not getattr(config, key):
            raise ConfigError(f"oauth.{key} is not set: a Google refresh token needs it")
    if not need_secrets:
        return config
    from dataclasses import replace
    return replace(config, client_secret=_secret(secret_env, "oauth.client_secret_env", environ),
                   refresh_token=_secret(refresh_env, "oauth.refresh_token_env", environ))


def _slack(k: _Section, environ: Mapping[str, str], need_secrets: bool) -> SlackConfig:
    channel = k.string("approvals_channel", "")
    mode = k.string("mode", "socket")
    if mode not in ("socket", "http"):
        raise ConfigError(f"slack.mode = {mode!r}: expected \"socket\" or \"http\"")
    names = {key: _env_name(k, key) for key in ("bot_token_env", "app_token_env", "signing_secret_env")}
    approvers = k.get("approvers", [], list)
    for a in approvers:
        if not isinstance(a, str) or not re.fullmatch(r"[UWS][A-Z0-9]{2,}", a):
            raise ConfigError(f"slack.approvers: {a!r} is not a Slack user ID (U..., W...) or user "
                              f"group ID (S...); find them in a member's or group's profile")
    base = k.string("api_base_url", SlackConfig.api_base_url)
    if not re.match(r"https?://", base):
        raise ConfigError(f"slack.api_base_url = {base!r}: expected an http(s) URL")
    if not base.endswith("/"):
        base += "/"
    port = k.integer("http_port", 3000, minimum=1)
    if port > 65535:
        raise ConfigError(f"slack.http_port = {port!r}: must be at most 65535")
    raw_digest = k.string("digest_time", "09:00")
    digest = _clock(k, "digest_time", time(9, 0)) if raw_digest else None
    snooze = k.get("snooze_days", [1, 3, 7], list)
    if not snooze or any(not isinstance(d, int) or isinstance(d, bool) or not 1 <= d <= 90 for d in snooze):
        raise ConfigError(f"slack.snooze_days = {snooze!r}: expected whole days from 1 to 90, "
                          f"like [1, 3, 7]")
    config = SlackConfig(
        mode=mode, approvals_channel=channel, approvers=tuple(approvers), api_base_url=base,
        http_host=k.string("http_host", "127.0.0.1"), http_port=port, digest_time=digest,
        timezone=check_timezone(k.string("timezone", "UTC"), "slack.timezone"),
        snooze_days=tuple(sorted(set(snooze))), **names)
    if not channel:
        return config
    if not re.fullmatch(r"[CG][A-Z0-9]{2,}", channel):
        raise ConfigError(f"slack.approvals_channel = {channel!r}: expected a channel ID like "
                          f"\"C0123456789\" (channel details, at the bottom), not its name")
    if not approvers:
        raise ConfigError("slack.approvers is empty: name at least one person (U...) or user "
                          "group (S...) who may approve escalations")
    need = ["bot_token_env", "app_token_env" if mode == "socket" else "signing_secret_env"]
    for key in need:
        if not names[key]:
            raise ConfigError(f"slack.{key} is not set: Slack in {mode} mode needs it")
    if not need_secrets:
        return config
    from dataclasses import replace
    return replace(config,
                   bot_token=_secret(names["bot_token_env"], "slack.bot_token_env", environ),
                   app_token=_secret(names["app_token_env"], "slack.app_token_env", environ)
                   if names["app_token_env"] else "",
                   signing_secret=_secret(names["signing_secret_env"], "slack.signing_secret_env",
                                          environ) if names["signing_secret_env"] else "")


def _classifier(k: _Section, environ: Mapping[str, str], need_secrets: bool) -> ClassifierConfig:
    endpoint = k.string("endpoint", "").strip().rstrip("/")
    model = k.string("model", "").strip()
    key_env = _env_name(k, "api_key_env")
    timeout = k.get("timeout_seconds", ClassifierConfig.timeout_seconds, float)
    if not 0 < timeout <= 300:
        raise ConfigError(f"classifier.timeout_seconds = {timeout!r}: must be more than 0 and at "
                          f"most 300")
    max_chars = k.integer("max_chars", ClassifierConfig.max_chars, minimum=100)
    config = ClassifierConfig(endpoint=endpoint, model=model, api_key_env=key_env,
                              timeout_seconds=timeout, max_chars=max_chars)
    if not endpoint:
        return config
    url = urllib.parse.urlsplit(endpoint)
    if url.username is not None or url.password is not None:
        # the value is not repeated: it may hold a password
        raise ConfigError("classifier.endpoint: no user or password in the URL; the key goes in the "
                          "environment variable named by classifier.api_key_env")
    try:
        port_ok = url.port is None or url.port > 0
    except ValueError:
        port_ok = False
    if url.scheme not in ("http", "https") or not url.hostname or not port_ok:
        raise ConfigError(f"classifier.endpoint = {endpoint!r}: expected an http(s) URL like "
                          f"\"http://127.0.0.1:8080/v1\"")
    if url.query or url.fragment:
        raise ConfigError(f"classifier.endpoint = {endpoint!r}: the base URL only, without a query "
                          f"or fragment (arbot adds /chat/completions)")
    if not model:
        raise ConfigError(f"classifier.endpoint = {endpoint!r} is set: classifier.model is needed "
                          f"too (the model name the endpoint serves)")
    if not need_secrets or not key_env:
        return config
    from dataclasses import replace
    return replace(config, api_key=_secret(key_env, "classifier.api_key_env", environ))


def classifier_key(config: Config, *, environ: Mapping[str, str] | None = None) -> Config:
    """``config`` with ``[classifier]``'s key read from the environment, for a command that loads
    the file without secrets (``arbot classify``) but asks the endpoint."""
    c = config.classifier
    if not c.enabled or not c.api_key_env or c.api_key:
        return config
    from dataclasses import replace
    key = _secret(c.api_key_env, "classifier.api_key_env", os.environ if environ is None else environ)
    return replace(config, classifier=replace(c, api_key=key))


def _discovery(d: _Section) -> Discovery:
    terms = d.get("terms_days", None, int) if "terms_days" in d.data else None
    if terms is not None and terms < 0:
        raise ConfigError(f"discovery.terms_days = {terms!r}: must be 0 or more")
    patterns = []
    d.used.add("patterns")
    raw = d.data.get("patterns", [])
    if not isinstance(raw, list):
        raise ConfigError(f"discovery.patterns = {raw!r}: expected [[discovery.patterns]] tables")
    for n, item in enumerate(raw):
        sec = _Section(f"discovery.patterns[{n}]", item)
        sender = sec.string("sender", "").strip().lower()
        if not sender or "@" not in sender:
            raise ConfigError(f"{sec.key('sender')} = {sender!r}: expected an address or "
                              f"\"@domain\"")
        fields: dict[str, str | None] = {}
        for k in ("number", "amount", "due_date", "issue_date"):
            v = sec.string(k, "") or None
            if v is not None:
                try:
                    rx = re.compile(v)
                except re.error as e:
                    raise ConfigError(f"{sec.key(k)} = {v!r}: not a regular expression ({e})")
                if rx.groups != 1:
                    raise ConfigError(f"{sec.key(k)} = {v!r}: needs exactly one (group) around "
                                      f"the value")
            fields[k] = v
        order = sec.string("date_order", "DMY").upper()
        if order not in ("DMY", "MDY"):
            raise ConfigError(f"{sec.key('date_order')} = {order!r}: expected \"DMY\" or \"MDY\"")
        sec.finish()
        patterns.append(SenderPattern(sender=sender, date_order=order, **fields))
    return Discovery(enabled=d.get("enabled", True, bool), terms_days=terms,
                     quiet_days=d.integer("quiet_days", 3, minimum=0), patterns=tuple(patterns))


def parse(data: Mapping[str, Any], *, path: Path | None = None,
          environ: Mapping[str, str] | None = None, need_secrets: bool = True) -> Config:
    environ = os.environ if environ is None else environ
    base = path.parent if path else Path.cwd()
    top = _Section("", data)
    sections = {name: _Section(name, top.get(name, {}, dict)) for name in (
        "database", "company", "mail", "smtp", "imap", "oauth", "discovery", "replies", "classifier",
        "slack", "sending", "clients", "policy", "templates", "run", "import")}

    db = sections["database"]
    db_path = Path(db.string("path", "arbot.db"))

    c = sections["company"]
    company = Company(name=c.string("name", Company.name), phone=c.string("phone", ""),
                      website=c.string("website", ""), signature=c.text("signature", Company.signature),
                      payment_details=c.text("payment_details", ""))

    m = sections["mail"]
    mail = Mail(from_address=_address(m, "from_address", Mail.from_address),
                from_name=m.string("from_name", company.name),
                reply_to=_address(m, "reply_to", "", optional=True),
                bcc=_address(m, "bcc", "", optional=True),
                reply_tokens=m.get("reply_tokens", False, bool),
                transport=m.string("transport", "smtp"),
                graph_base_url=m.string("graph_base_url", Mail.graph_base_url))
    if mail.transport not in ("smtp", "graph"):
        raise ConfigError(f"mail.transport = {mail.transport!r}: expected \"smtp\" or \"graph\"")
    if not re.match(r"https://|http://(127\.0\.0\.1|localhost)[:/]", mail.graph_base_url):
        raise ConfigError(f"mail.graph_base_url = {mail.graph_base_url!r}: must be an https:// address")

    s = sections["smtp"]
    security = s.string("security", "starttls")
    if security not in ("starttls", "tls", "none"):
        raise ConfigError(f"smtp.security = {security!r}: expected \"starttls\", \"tls\" or \"none\"")
    port = s.integer("port", {"starttls": 587, "tls": 465, "none": 25}[security], minimum=1)
    if port > 65535:
        raise ConfigError(f"smtp.port = {port!r}: must be at most 65535")
    username = s.string("username", "")
    password_env = s.string("password_env", "")
    smtp_auth = s.string("auth", "password")
    if smtp_auth not in ("password", "oauth2"):
        raise ConfigError(f"smtp.auth = {smtp_auth!r}: expected \"password\" or \"oauth2\"")
    if password_env and not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", password_env):
        raise ConfigError(f"smtp.password_env = {password_env!r}: expected the NAME of an "
                          f"environment variable, not the password itself")
    if username and smtp_auth == "password" and not password_env:
        raise ConfigError(f"smtp.username = {username!r} is set but smtp.password_env is not")
    if smtp_auth == "oauth2" and not username:
        raise ConfigError("smtp.auth = \"oauth2\" needs smtp.username (the mailbox that sends)")
    smtp = Smtp(host=s.string("host", "localhost"), port=port, security=security, username=username,
                password_env=password_env, auth=smtp_auth,
                timeout_seconds=s.get("timeout_seconds", 30.0, float),
                password=_secret(password_env, "smtp.password_env", environ)
                if need_secrets and smtp_auth == "password" else "")

    imap = _imap(sections["imap"], environ, need_secrets)
    oauth = _oauth(sections["oauth"], base, environ, need_secrets=need_secrets,
                   needed=smtp.auth == "oauth2" or mail.transport == "graph"
                   or (imap.enabled and imap.auth == "oauth2"))
    if mail.transport == "graph" and oauth.provider != "microsoft":
        raise ConfigError("mail.transport = \"graph\" sends through Microsoft Graph: it needs "
                          "oauth.provider = \"microsoft\"")
    discovery = _discovery(sections["discovery"])

    rp = sections["replies"]
    threshold = rp.get("act_threshold", ReplyConfig.act_threshold, float)
    if not 0.5 <= threshold <= 1.0:
        raise ConfigError(f"replies.act_threshold = {threshold!r}: must be between 0.5 and 1.0 "
                          f"(1.0: no reply ever acts on its own)")
    replies = ReplyConfig(act_threshold=threshold,
                          promise_grace_days=rp.integer("promise_grace_days", 3, minimum=0),
                          max_promise_days=rp.integer("max_promise_days", 60, minimum=1),
                          answer_copy_requests=rp.get("answer_copy_requests", True, bool))
    classifier = _classifier(sections["classifier"], environ, need_secrets)

    slack = _slack(sections["slack"], environ, need_secrets)

    se = sections["sending"]
    sending = Sending(messages_per_minute=se.integer("messages_per_minute", 30, minimum=1),
                      recipients_per_day=se.integer("recipients_per_day", 10000, minimum=1),
                      max_attempts=se.integer("max_attempts", 3, minimum=1),
                      retry_after_minutes=se.integer("retry_after_minutes", 15, minimum=1))

    cl = sections["clients"]
    currency = cl.string("currency", "EUR").upper()
    if not re.fullmatch(r"[A-Z]{3}", currency):
        raise ConfigError(f"clients.currency = {currency!r}: expected an ISO 4217 code like \"EUR\"")
    clients = ClientDefaults(
        timezone=check_timezone(cl.string("timezone", "UTC"), "clients.timezone"),
        country=check_country(cl.string("country", ""), "clients.country"),
        locale=check_locale(cl.string("locale", "en"), "clients.locale"),
        currency=currency)

    p = sections["policy"]
    days = p.get("business_days", list(WEEKDAYS[:5]), list)
    bad = [d for d in days if not isinstance(d, str) or d.lower()[:3] not in WEEKDAYS]
    if bad or not days:
        raise ConfigError(f"policy.business_days = {days!r}: expected names like "
                          f"[\"mon\", \"tue\", ...]")
    start = _clock(p, "send_window_start", time(9, 0))
    end = _clock(p, "send_window_end", time(17, 0))
    if end <= start:
        raise ConfigError(f"policy.send_window_end = {end.strftime('%H:%M')!r}: must be after "
                          f"policy.send_window_start ({start.strftime('%H:%M')})")
    p.used.add("tiers")
    ladder = _tiers(p.data["tiers"]) if "tiers" in p.data else DEFAULT_LADDER
    policy = Policy(send_window_start=start, send_window_end=end,
                    business_days=tuple(sorted({WEEKDAYS.index(d.lower()[:3]) for d in days})),
                    min_interval_days=p.integer("min_interval_days", 3, minimum=0),
                    max_per_week=p.integer("max_per_week", 2, minimum=1),
                    stop_service_days=p.integer("stop_service_days", 7, minimum=0),
                    collections_days=p.integer("collections_days", 14, minimum=0),
                    ladder=ladder)

    t = sections["templates"]
    tdir = t.string("directory", "")
    r = sections["run"]
    poll = r.get("poll_seconds", 60.0, float)
    if poll <= 0:
        raise ConfigError(f"run.poll_seconds = {poll!r}: must be positive")
    im = sections["import"]
    order = im.string("date_order", "").upper() or None
    if order not in (None, "DMY", "MDY"):
        raise ConfigError(f"import.date_order = {order!r}: expected \"DMY\" or \"MDY\"")

    for sec in sections.values():
        sec.finish()
    top.finish()
    return Config(path=path, database_path=(base / db_path).resolve(), company=company, mail=mail,
                  smtp=smtp, imap=imap, oauth=oauth, discovery=discovery, replies=replies,
                  classifier=classifier, slack=slack,
                  sending=sending,
                  clients=clients, policy=policy,
                  templates_dir=(base / tdir).resolve() if tdir else None, poll_seconds=poll,
                  date_order=order)


def load(path: Path, *, environ: Mapping[str, str] | None = None,
         need_secrets: bool = True) -> Config:
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise ConfigError(f"cannot read the config file {path}: {e.strerror}")
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text")
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: not valid TOML: {e}")
    return parse(data, path=path, environ=environ, need_secrets=need_secrets)
