"""Signing in with OAuth2: msal against a local stand-in for Microsoft's sign-in service
(HTTPS, discovery, client credentials), and SMTP XOAUTH2 against a real SMTP server on
loopback that accepts only the tokens that service issued. No internet, no mocks of msal."""

from __future__ import annotations

import base64
import email
import email.policy
import json
import ssl
import stat
import threading
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from bot.config import ConfigError, parse
from bot.oauth import OAuthError, TokenSource, xoauth2
from bot.smtp import SendError, SmtpTransport
from tests.support.entra import CLIENT_ID, CLIENT_SECRET, MAILBOX, PUBLIC_CLIENT_ID, FakeEntra
from tests.support.smtpd import SmtpServer


def settings(tmp_path: Path, entra: FakeEntra, *, port: int = 25, secret: str = CLIENT_SECRET,
             **smtp: object):
    return parse({
        "database": {"path": str(tmp_path / "arbot.db")},
        "smtp": {"host": "127.0.0.1", "port": port, "security": "starttls", "auth": "oauth2",
                 "username": MAILBOX, **smtp},
        "oauth": {"tenant": entra.tenant, "client_id": CLIENT_ID, "client_secret_env": "TEST_OAUTH_SECRET",
                  "authority_url": entra.authority, "token_cache": str(tmp_path / "tokens.json")},
    }, path=tmp_path / "arbot.toml", environ={"TEST_OAUTH_SECRET": secret})


def test_a_token_comes_from_the_authority_once_and_then_from_the_cache(tmp_path, entra):
    cfg = settings(tmp_path, entra)
    source = TokenSource(cfg.oauth, http_client=entra.session())
    first = source.token()
    assert entra.valid(first) == MAILBOX
    assert source.token() == first
    assert entra.token_requests == 1
    cache = tmp_path / "tokens.json"
    assert stat.S_IMODE(cache.stat().st_mode) == 0o600
    assert CLIENT_SECRET not in cache.read_text()
    # after a restart, the cached token serves until shortly before it expires
    again = TokenSource(cfg.oauth, http_client=entra.session())
    assert again.token() == first
    assert entra.token_requests == 1


def test_a_token_about_to_expire_is_replaced_before_it_does(tmp_path, entra):
    entra.lifetime = 120          # inside msal's five-minute margin: never served from the cache
    source = TokenSource(settings(tmp_path, entra).oauth, http_client=entra.session())
    one, two = source.token(), source.token()
    assert one != two and entra.valid(two) == MAILBOX
    assert entra.token_requests == 2


def test_a_wrong_secret_is_explained_without_showing_it(tmp_path, entra):
    cfg = settings(tmp_path, entra, secret="not-the-secret")
    with pytest.raises(OAuthError) as e:
        TokenSource(cfg.oauth, http_client=entra.session()).token()
    assert "invalid_client" in str(e.value) and "client secret is wrong" in str(e.value)
    assert "not-the-secret" not in str(e.value)


def test_an_unknown_app_is_explained(tmp_path, entra):
    cfg = settings(tmp_path, entra)
    from dataclasses import replace
    source = TokenSource(replace(cfg.oauth, client_id="00000000-0000-0000-0000-000000000000"),
                         http_client=entra.session())
    with pytest.raises(OAuthError, match="check oauth.client_id and oauth.tenant"):
        source.token()


def test_an_unreachable_authority_is_said_plainly(tmp_path, entra):
    cfg = settings(tmp_path, entra)
    from dataclasses import replace
    gone = replace(cfg.oauth, authority_url="https://127.0.0.1:9/" + entra.tenant)
    with pytest.raises(OAuthError, match="sign-in service"):
        TokenSource(gone, http_client=entra.session()).token()


@pytest.fixture
def oauth_smtp(tls, entra):
    server = SmtpServer(*tls)
    server.recorder.token_owner = entra.valid
    server.start()
    yield server
    server.stop()


def _message() -> EmailMessage:
    m = EmailMessage()
    m["From"], m["To"], m["Subject"] = MAILBOX, "ap@client.test", "Invoice INV-1"
    m.set_content("Please pay.")
    return m


def test_smtp_sends_with_an_xoauth2_token(tmp_path, entra, oauth_smtp, tls):
    cfg = settings(tmp_path, entra, port=oauth_smtp.port)
    source = TokenSource(cfg.oauth, http_client=entra.session())
    transport = SmtpTransport(cfg.smtp, ssl_context=ssl.create_default_context(cafile=tls[0]), tokens=source)
    try:
        transport.send(_message(), MAILBOX, ["ap@client.test"])
    finally:
        transport.close()
    assert oauth_smtp.recorder.logins == [MAILBOX]
    assert oauth_smtp.messages[0].recipients == ["ap@client.test"]


def test_smtp_refusing_the_token_is_a_clear_permanent_error(tmp_path, entra, oauth_smtp, tls):
    oauth_smtp.recorder.token_owner = lambda token: None        # the server trusts nothing
    cfg = settings(tmp_path, entra, port=oauth_smtp.port)
    transport = SmtpTransport(cfg.smtp, ssl_context=ssl.create_default_context(cafile=tls[0]),
                              tokens=TokenSource(cfg.oauth, http_client=entra.session()))
    with pytest.raises(SendError) as e:
        transport.send(_message(), MAILBOX, ["ap@client.test"])
    transport.close()
    assert not e.value.transient and "refused the token" in str(e.value)
    assert not oauth_smtp.messages


def test_the_xoauth2_string_is_exactly_what_the_servers_expect():
    assert xoauth2("a@b.test", "tok") == "user=a@b.test\x01auth=Bearer tok\x01\x01"
    with pytest.raises(OAuthError):
        xoauth2("a@b.test\x01auth=Bearer x", "tok")


def test_oauth2_without_the_oauth_section_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match=r"oauth\.tenant"):
        parse({"smtp": {"auth": "oauth2", "username": MAILBOX}}, environ={})
    with pytest.raises(ConfigError, match=r"smtp\.auth"):
        parse({"smtp": {"auth": "kerberos"}}, environ={})
    with pytest.raises(ConfigError, match="https"):
        parse({"smtp": {"auth": "oauth2", "username": MAILBOX},
               "oauth": {"tenant": "t", "client_id": "c", "client_secret_env": "S",
                         "authority_url": "http://login.example"}}, environ={"S": "x"})


# -- IMAP: a real Dovecot that checks each XOAUTH2 token with the sign-in service ------------

def imap_settings(tmp_path: Path, entra: FakeEntra, dovecot, user: str):
    return parse({
        "database": {"path": str(tmp_path / "arbot.db")},
        "imap": {"host": "127.0.0.1", "port": dovecot.tls_port, "security": "tls", "username": user,
                 "auth": "oauth2"},
        "oauth": {"tenant": entra.tenant, "client_id": CLIENT_ID, "client_secret_env": "TEST_OAUTH_SECRET",
                  "authority_url": entra.authority, "token_cache": ""},
    }, path=tmp_path / "arbot.toml", environ={"TEST_OAUTH_SECRET": CLIENT_SECRET})


def test_imap_signs_in_with_a_token_and_a_stale_session_comes_back_with_a_fresh_one(tmp_path, entra,
                                                                                     dovecot, tls):
    from bot.imap import Mailbox
    entra.clients = {CLIENT_ID: (CLIENT_SECRET, MAILBOX)}
    cfg = imap_settings(tmp_path, entra, dovecot, MAILBOX)
    entra.lifetime = 120               # msal renews every time: each login shows a new token
    dovecot.append(MAILBOX, "INBOX", b"Subject: one\r\n\r\nfirst\r\n")
    box = Mailbox(cfg.imap, ssl_context=ssl.create_default_context(cafile=tls[0]), sleep=lambda s: None,
                  tokens=TokenSource(cfg.oauth, http_client=entra.session()))
    try:
        first = box.read_after("INBOX", 0)
        assert [m.raw.split(b"\r\n")[0] for m in first.messages] == [b"Subject: one"]
        assert entra.token_requests == 1
        # the token the session signed in with runs out, and the server drops the session
        for token in list(entra.tokens):
            entra.expire(token)
        assert box._client is not None
        box._client.shutdown()
        dovecot.append(MAILBOX, "INBOX", b"Subject: two\r\n\r\nsecond\r\n")
        later = box.read_after("INBOX", max(m.uid for m in first.messages))
        assert [m.raw.split(b"\r\n")[0] for m in later.messages] == [b"Subject: two"]
        assert entra.token_requests == 2
    finally:
        box.close()


def test_imap_refuses_a_token_for_another_mailbox(tmp_path, entra, dovecot, tls):
    from bot.imap import ImapError, probe
    cfg = imap_settings(tmp_path, entra, dovecot, "someone-else@example.com")
    with pytest.raises(ImapError) as e:
        probe(cfg.imap, ssl_context=ssl.create_default_context(cafile=tls[0]),
              tokens=TokenSource(cfg.oauth, http_client=entra.session()))
    assert not e.value.transient


# -- Microsoft Graph sendMail ---------------------------------------------------------------

class FakeGraph:
    """Microsoft Graph's sendMail on loopback: takes base64 MIME with a token from the sign-in
    service, records what it was given, and can ask callers to slow down (429)."""

    def __init__(self, entra: FakeEntra) -> None:
        self.sent: list[tuple[str, bytes]] = []
        self.answers: list[tuple[int, dict, dict]] = []    # queued (status, headers, body)
        self.requests = 0
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format, *args):  # noqa: A002
                pass

            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                fake.requests += 1
                token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                status, headers, answer = 202, {}, {}
                if fake.answers:
                    status, headers, answer = fake.answers.pop(0)
                elif entra.valid(token) is None:
                    status, answer = 401, {"error": {"code": "InvalidAuthenticationToken", "message": "no"}}
                elif not self.path.endswith("/sendMail") or self.headers.get("Content-Type") != "text/plain":
                    status, answer = 400, {"error": {"code": "BadRequest", "message": "not MIME"}}
                else:
                    mailbox = self.path.split("/users/")[1].split("/")[0]
                    fake.sent.append((mailbox, base64.b64decode(body)))
                data = json.dumps(answer).encode() if answer else b""
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/v1.0/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def graph(entra):
    fake = FakeGraph(entra)
    yield fake
    fake.stop()


def graph_transport(entra, graph, waits: list[float] | None = None):
    from bot.config import OAuth
    from bot.graph import GraphTransport
    settings = OAuth(tenant=entra.tenant, client_id=CLIENT_ID, client_secret=CLIENT_SECRET,
                     authority_url=entra.authority)
    return GraphTransport(MAILBOX, TokenSource(settings, http_client=entra.session()), base_url=graph.url,
                          sleep=(waits.append if waits is not None else lambda s: None))


def test_graph_sends_the_mime_as_built_and_waits_out_a_429(entra, graph):
    waits: list[float] = []
    transport = graph_transport(entra, graph, waits)
    graph.answers.append((429, {"Retry-After": "3"},
                          {"error": {"code": "ApplicationThrottled", "message": "slow down"}}))
    m = _message()
    m["Message-ID"] = "<r-1@example.com>"
    m["In-Reply-To"] = m["References"] = "<invoice-1@example.com>"
    m.add_attachment(b"%PDF-1.4 test", maintype="application", subtype="pdf", filename="INV-1-copy.pdf")
    transport.send(m, MAILBOX, ["ap@client.test"])
    transport.close()
    assert waits == [3.0] and graph.requests == 2
    (mailbox, raw), = graph.sent
    assert mailbox == MAILBOX
    got = email.message_from_bytes(raw, policy=email.policy.default)
    assert got["Message-ID"] == "<r-1@example.com>" and got["In-Reply-To"] == "<invoice-1@example.com>"
    assert [p.get_filename() for p in got.iter_attachments()] == ["INV-1-copy.pdf"]


def test_graph_errors_say_what_to_change(entra, graph):
    transport = graph_transport(entra, graph)
    graph.answers.append((403, {}, {"error": {"code": "ErrorAccessDenied", "message": "Access is denied."}}))
    with pytest.raises(SendError) as e:
        transport.send(_message(), MAILBOX, ["ap@client.test"])
    assert not e.value.transient and "Mail.Send" in str(e.value)
    graph.answers.append((429, {"Retry-After": "600"}, {"error": {"code": "ApplicationThrottled"}}))
    with pytest.raises(SendError) as e:
        transport.send(_message(), MAILBOX, ["ap@client.test"])
    assert e.value.transient                  # a long wait goes back to the outbox
    transport.close()


def test_the_bot_sends_its_reminders_through_graph(tmp_path, entra, graph, monkeypatch):
    from bot import wiring
    from bot.simclock import SimulatedClock
    from tests.support import world
    cfg = parse({
        "database": {"path": str(tmp_path / "arbot.db")},
        "mail": {"from_address": MAILBOX, "transport": "graph", "graph_base_url": graph.url},
        "oauth": {"tenant": entra.tenant, "client_id": CLIENT_ID, "client_secret_env": "TEST_OAUTH_SECRET",
                  "authority_url": entra.authority, "token_cache": ""},
        "clients": {"timezone": "Europe/London", "country": "GB"},
    }, path=tmp_path / "arbot.toml", environ={"TEST_OAUTH_SECRET": CLIENT_SECRET})
    now = datetime(2026, 11, 10, 10, 0, tzinfo=UTC)
    clock = SimulatedClock(now)
    # msal talks to the local sign-in service through a session that trusts its certificate
    real = wiring.TokenSource
    monkeypatch.setattr(wiring, "TokenSource", lambda settings: real(settings, http_client=entra.session()))
    bot = wiring.build(cfg, clock=clock, sleep=clock.sleep)
    try:
        bot.ledger.import_invoices([world.row("INV-9", "Acme GmbH", "ap@acme.test",
                                              now.date() - timedelta(days=4), amount="99.00")], now)
        bot.loop.run_pass()
        assert len(graph.sent) == 1
        assert bot.ledger.outbox("sent")
    finally:
        bot.close()


def test_check_config_connect_signs_in_and_explains_a_failure_without_the_secret(tmp_path, entra, tls):
    import os
    import subprocess
    import sys
    config = tmp_path / "arbot.toml"
    config.write_text(f"""
[mail]
from_address = "{MAILBOX}"
transport = "graph"
[oauth]
tenant = "{entra.tenant}"
client_id = "{CLIENT_ID}"
client_secret_env = "TEST_OAUTH_SECRET"
authority_url = "{entra.authority}"
token_cache = ""
""")

    def check(secret: str) -> subprocess.CompletedProcess[str]:
        env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), "TEST_OAUTH_SECRET": secret,
               "REQUESTS_CA_BUNDLE": tls[0]}    # how an admin trusts a private authority
        return subprocess.run([sys.executable, "-m", "bot", "--config", str(config), "check-config",
                               "--connect"], capture_output=True, text=True, env=env, timeout=60)

    ok = check(CLIENT_SECRET)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "graph sign-in OK (sends as accounts@example.com)" in ok.stdout
    bad = check("wrong-secret-value")
    assert bad.returncode == 1
    assert "graph sign-in FAILED: invalid_client: the client secret is wrong" in bad.stdout
    assert "wrong-secret-value" not in bad.stdout + bad.stderr


def test_an_idle_that_outlives_its_token_reconnects_with_a_fresh_one(tmp_path, entra, dovecot, tls):
    """Exchange Online ends a session when its token expires, even in the middle of IDLE. The
    next read signs in again with a new token and finds the mail that came meanwhile."""
    from dataclasses import replace

    from bot.imap import Mailbox
    from tests.support.proxy import CuttingProxy
    proxy = CuttingProxy(dovecot.port)
    cfg = imap_settings(tmp_path, entra, dovecot, MAILBOX)
    imap = replace(cfg.imap, port=proxy.port, security="starttls")
    entra.lifetime = 120                 # every sign-in takes a new token, as near expiry
    first_uid = dovecot.append(MAILBOX, "INBOX", b"Subject: before\r\n\r\nbefore\r\n")
    box = Mailbox(imap, ssl_context=ssl.create_default_context(cafile=tls[0]), sleep=lambda s: None,
                  tokens=TokenSource(cfg.oauth, http_client=entra.session()))
    try:
        start = box.read_after("INBOX", first_uid - 1)
        assert len(start.messages) == 1 and entra.token_requests == 1
        result: list[bool] = []
        idler = threading.Thread(target=lambda: result.append(box.wait("INBOX", 20, after_uid=first_uid)))
        idler.start()
        deadline = datetime.now() + timedelta(seconds=5)
        while not box._client or not getattr(box._client, "_idle_tag", None):
            assert datetime.now() < deadline, "IDLE did not start"
            threading.Event().wait(0.02)
        for token in list(entra.tokens):
            entra.expire(token)          # the session's token runs out ...
        proxy.cut_once_after(0)          # ... and the server ends the session at its next word
        dovecot.append(MAILBOX, "INBOX", b"Subject: during\r\n\r\nduring idle\r\n")
        idler.join(30)
        assert result == [False] and proxy.cuts == 1
        later = box.read_after("INBOX", first_uid)
        assert [m.raw.split(b"\r\n")[0] for m in later.messages] == [b"Subject: during"]
        assert entra.token_requests == 2
    finally:
        box.close()
        proxy.close()


# -- a person's sign-in: the device code flow (arbot login) -----------------------------------

def device_settings(tmp_path: Path, entra: FakeEntra):
    return parse({
        "database": {"path": str(tmp_path / "arbot.db")},
        "smtp": {"auth": "oauth2", "username": MAILBOX},
        "oauth": {"flow": "device_code", "tenant": entra.tenant, "client_id": PUBLIC_CLIENT_ID,
                  "authority_url": entra.authority, "token_cache": str(tmp_path / "tokens.json")},
    }, path=tmp_path / "arbot.toml", environ={})


def test_device_code_sign_in_once_then_tokens_by_themselves(tmp_path, entra):
    cfg = device_settings(tmp_path, entra)
    with pytest.raises(OAuthError, match="arbot login"):
        TokenSource(cfg.oauth, http_client=entra.session()).token()
    shown: list[str] = []
    who = TokenSource(cfg.oauth, http_client=entra.session()).login(shown.append)
    assert who == MAILBOX
    assert "F4KE-C0DE" in shown[0] and "microsoft.com/devicelogin" in shown[0]
    assert stat.S_IMODE((tmp_path / "tokens.json").stat().st_mode) == 0o600
    # later, in arbot run: the kept sign-in gives tokens, renewed before they expire
    entra.lifetime = 120
    later = TokenSource(cfg.oauth, http_client=entra.session())
    one, two = later.token(), later.token()
    assert one != two and entra.valid(two) == MAILBOX


def test_arbot_login_shows_the_code_and_keeps_the_sign_in(tmp_path, entra, tls):
    import os
    import subprocess
    import sys
    config = tmp_path / "arbot.toml"
    config.write_text(f"""
[smtp]
auth = "oauth2"
username = "{MAILBOX}"
[oauth]
flow = "device_code"
tenant = "{entra.tenant}"
client_id = "{PUBLIC_CLIENT_ID}"
authority_url = "{entra.authority}"
""")
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), "REQUESTS_CA_BUNDLE": tls[0]}
    r = subprocess.run([sys.executable, "-m", "bot", "--config", str(config), "login"], capture_output=True,
                       text=True, env=env, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "enter the code F4KE-C0DE" in r.stdout
    assert f"signed in as {MAILBOX}" in r.stdout
    assert (tmp_path / "oauth-tokens.json").exists()


# -- Google Workspace ---------------------------------------------------------------------------

@pytest.fixture
def google(tls):
    from tests.support.google_auth import FakeGoogle
    fake = FakeGoogle(*tls).start()
    yield fake
    fake.stop()


def google_settings(tmp_path: Path, google, **oauth: object):
    key = tmp_path / "service-account.json"
    key.write_text(json.dumps(google.service_account_info()))
    key.chmod(0o600)
    section = {"provider": "google", "service_account_file": str(key), "subject": MAILBOX, **oauth}
    return parse({"database": {"path": str(tmp_path / "arbot.db")},
                  "smtp": {"host": "127.0.0.1", "port": 25, "auth": "oauth2", "username": MAILBOX},
                  "oauth": section}, path=tmp_path / "arbot.toml", environ={
        "G_SECRET": "GOCSPX-fake-client-secret", "G_REFRESH": "1//0fake-refresh-token"})


def test_google_service_account_acts_as_the_mailbox_and_sends_over_smtp(tmp_path, google, tls):
    from bot.oauth import GoogleTokens
    cfg = google_settings(tmp_path, google)
    server = SmtpServer(*tls)
    server.recorder.token_owner = google.valid
    server.start()
    try:
        from dataclasses import replace
        smtp = replace(cfg.smtp, port=server.port)
        tokens = GoogleTokens(cfg.oauth, session=google.session())
        transport = SmtpTransport(smtp, ssl_context=ssl.create_default_context(cafile=tls[0]), tokens=tokens)
        transport.send(_message(), MAILBOX, ["ap@client.test"])
        transport.close()
        assert server.recorder.logins == [MAILBOX]
        first = tokens.token()
        assert tokens.token() == first and google.requests == 1       # kept until near expiry
    finally:
        server.stop()


def test_google_without_delegation_is_explained(tmp_path, google):
    from bot.oauth import GoogleTokens
    google.delegated = set()
    cfg = google_settings(tmp_path, google)
    with pytest.raises(OAuthError, match="domain-wide delegation"):
        GoogleTokens(cfg.oauth, session=google.session()).token()


def test_google_refresh_token_of_a_user(tmp_path, google):
    from bot.oauth import GoogleTokens
    cfg = parse({"database": {"path": str(tmp_path / "arbot.db")},
                 "smtp": {"auth": "oauth2", "username": MAILBOX},
                 "oauth": {"provider": "google", "client_id": "123456789012-abcdefghijklmnop.apps."
                                                               "googleusercontent.com",
                           "client_secret_env": "G_SECRET", "refresh_token_env": "G_REFRESH"}},
                environ={"G_SECRET": "GOCSPX-fake-client-secret", "G_REFRESH": "1//0fake-refresh-token"})
    token = GoogleTokens(cfg.oauth, session=google.session(), token_uri=google.token_uri).token()
    assert google.valid(token) == MAILBOX


def test_google_settings_must_choose_one_way(tmp_path):
    with pytest.raises(ConfigError, match="either oauth.service_account_file"):
        parse({"smtp": {"auth": "oauth2", "username": MAILBOX}, "oauth": {"provider": "google"}}, environ={})
    with pytest.raises(ConfigError, match="Microsoft Graph"):
        parse({"mail": {"transport": "graph"},
               "oauth": {"provider": "google", "refresh_token_env": "R", "client_id": "c",
                         "client_secret_env": "S"}}, environ={"R": "r", "S": "s"})


def test_smtp_uses_oauthbearer_where_xoauth2_is_not_offered(tmp_path, entra, tls):
    server = SmtpServer(*tls, exclude=("XOAUTH2",))
    server.recorder.token_owner = entra.valid
    server.start()
    try:
        cfg = settings(tmp_path, entra, port=server.port)
        transport = SmtpTransport(cfg.smtp, ssl_context=ssl.create_default_context(cafile=tls[0]),
                                  tokens=TokenSource(cfg.oauth, http_client=entra.session()))
        transport.send(_message(), MAILBOX, ["ap@client.test"])
        transport.close()
        assert server.recorder.logins == [f"OAUTHBEARER:{MAILBOX}"]
    finally:
        server.stop()


def _rsa_certificate(folder: Path) -> tuple[Path, object]:
    """An app certificate as an admin makes one: RSA, self-signed; PEM with key and certificate."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "arbot")])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=365)).sign(key, hashes.SHA256()))
    path = folder / "arbot-app.pem"
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption())
                     + cert.public_bytes(serialization.Encoding.PEM))
    return path, key.public_key()


def test_client_credentials_with_a_certificate_instead_of_a_secret(tmp_path, entra):
    bundle, public = _rsa_certificate(tmp_path)
    app = "c3c3c3c3-1111-4222-8333-444455556666"
    entra.certificates = {app: (public, MAILBOX)}
    cfg = parse({"database": {"path": str(tmp_path / "arbot.db")},
                 "smtp": {"auth": "oauth2", "username": MAILBOX},
                 "oauth": {"tenant": entra.tenant, "client_id": app, "client_secret_env": "",
                           "client_certificate_file": str(bundle), "authority_url": entra.authority,
                           "token_cache": ""}}, environ={})
    token = TokenSource(cfg.oauth, http_client=entra.session()).token()
    assert entra.valid(token) == MAILBOX
    # a certificate the directory does not know is refused, and said so
    (tmp_path / "other").mkdir()
    _rsa_certificate(tmp_path / "other")[0].replace(bundle)
    with pytest.raises(OAuthError, match="invalid_client"):
        TokenSource(cfg.oauth, http_client=entra.session()).token()


def test_a_token_cache_that_cannot_be_written_only_costs_a_warning(tmp_path, entra, caplog):
    from dataclasses import replace
    cfg = settings(tmp_path, entra)
    locked = tmp_path / "locked"
    locked.write_text("a file, so nothing can be created under it")
    source = TokenSource(replace(cfg.oauth, token_cache=locked / "tokens.json"), http_client=entra.session())
    assert entra.valid(source.token()) == MAILBOX
    assert any("cannot keep tokens" in r.getMessage() for r in caplog.records)
