"""Tokens for mail servers that take no passwords, and the SASL strings that IMAP and SMTP
logins carry them in (XOAUTH2, or OAUTHBEARER where only that is offered).

Microsoft 365 (msal): the app registration signs in by itself with a client secret or a
certificate (client credentials), or a person signs in once with a device code
(``arbot login``) and msal renews that sign-in. msal keeps the tokens and asks for new ones
before they expire; its cache is written to a file only the bot's user can read, so a restart
needs no new sign-in. Google Workspace (google-auth): a service account with domain-wide
delegation, or a user's refresh token.

Sign-in errors come back with what an admin should change, never with the secret.
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

import msal

from bot.config import OAuth

log = logging.getLogger(__name__)

#: App-only access to Exchange Online over IMAP and SMTP.
OUTLOOK_SCOPE = "https://outlook.office365.com/.default"
#: What a person's sign-in (device code) grants instead of an app-only scope.
DELEGATED = {
    OUTLOOK_SCOPE: ["https://outlook.office365.com/IMAP.AccessAsUser.All",
                    "https://outlook.office365.com/SMTP.Send"],
    "https://graph.microsoft.com/.default": ["https://graph.microsoft.com/Mail.Send"],
}

#: The Microsoft sign-in errors admins meet most, and what to change (AADSTS codes).
_ADVICE = {
    7000215: "the client secret is wrong: copy the secret's Value (not its ID) into the variable "
             "named by oauth.client_secret_env",
    7000222: "the client secret has expired: create a new one in the app registration",
    700016: "no app with this client ID in this tenant: check oauth.client_id and oauth.tenant",
    90002: "no such tenant: check oauth.tenant (the directory ID or a verified domain)",
    1002012: "the scope is not valid for an app (it must end with /.default)",
    65001: "the app lacks consent: an admin must grant the IMAP.AccessAsApp / SMTP.SendAsApp "
           "permissions",
    700024: "the client assertion is not valid: check the certificate",
    50126: "user name or password is wrong",
}


_PEM = re.compile(r"-----BEGIN ([A-Z ]+)-----.+?-----END \1-----", re.S)


class Tokens(Protocol):
    """Anything that hands out a valid access token for a scope."""

    def token(self, scope: str = ...) -> str: ...


class OAuthError(Exception):
    """A token could not be obtained. The message says what to change."""


class TokenSource:
    """Access tokens for one app registration, cached and refreshed by msal."""

    def __init__(self, settings: OAuth, *, http_client: Any = None) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._cache = msal.SerializableTokenCache()
        path = settings.token_cache
        if path is not None and path.exists():
            try:
                self._cache.deserialize(path.read_text())
            except (OSError, ValueError) as e:
                log.warning("oauth: token cache %s unreadable (%s); starting a new one", path, e)
        self._http_client = http_client
        self._app: Any = None

    def _application(self) -> Any:
        if self._app is None:
            s = self.settings
            # a custom authority (a sovereign cloud's, or a test's) is not one msal knows
            custom = bool(s.authority_url)
            try:
                if s.flow == "device_code":
                    self._app = msal.PublicClientApplication(
                        s.client_id, authority=s.authority, token_cache=self._cache,
                        http_client=self._http_client, instance_discovery=False if custom else None)
                else:
                    self._app = msal.ConfidentialClientApplication(
                        s.client_id, client_credential=self._credential(), authority=s.authority,
                        token_cache=self._cache, http_client=self._http_client,
                        instance_discovery=False if custom else None)
            except ValueError as e:
                raise OAuthError(f"the sign-in service at {s.authority} is not usable: {e}") from None
            except OSError as e:
                raise OAuthError(f"cannot reach the sign-in service at {s.authority}: {e}") from None
        return self._app

    def _credential(self) -> str | dict[str, str]:
        """The client secret, or the certificate msal signs its assertion with."""
        path = self.settings.client_certificate_file
        if path is None:
            return self.settings.client_secret
        try:
            pem = path.read_text()
        except OSError as e:
            raise OAuthError(f"cannot read the certificate {path}: {e.strerror}") from None
        blocks = {m.group(1): m.group(0) for m in _PEM.finditer(pem)}
        key = next((b for label, b in blocks.items() if label.endswith("PRIVATE KEY")), None)
        cert = blocks.get("CERTIFICATE")
        if key is None or cert is None:
            raise OAuthError(f"{path} must hold the private key and the certificate (PEM)")
        from cryptography.hazmat.primitives.asymmetric import rsa
        from cryptography.hazmat.primitives.serialization import load_pem_private_key
        try:
            loaded = load_pem_private_key(key.encode(), password=None)
        except (ValueError, TypeError) as e:
            raise OAuthError(f"{path}: the private key cannot be read ({e})") from None
        if not isinstance(loaded, rsa.RSAPrivateKey):
            raise OAuthError(f"{path}: Microsoft signs apps in with RSA keys; this one is not")
        return {"private_key": key, "public_certificate": cert}

    def token(self, scope: str = OUTLOOK_SCOPE) -> str:
        """A valid access token: msal's cached one, or a new one when it is about to expire."""
        with self._lock:
            try:
                app = self._application()
                if self.settings.flow == "device_code":
                    accounts = app.get_accounts()
                    if not accounts:
                        raise OAuthError("nobody has signed in yet: run `arbot login` once")
                    answer = app.acquire_token_silent(DELEGATED.get(scope, [scope]), account=accounts[0]) \
                        or {"error": "interaction_required",
                            "error_description": "the sign-in has lapsed: run `arbot login` again"}
                else:
                    answer = app.acquire_token_for_client(scopes=[scope])
            except OSError as e:
                raise OAuthError(f"cannot reach the sign-in service at {self.settings.authority}: {e}") \
                    from None
            self._save()
        if "access_token" in answer:
            return str(answer["access_token"])
        raise OAuthError(explain(answer))

    def login(self, show: Callable[[str], None]) -> str:
        """The device code sign-in of a person (``arbot login``): shows where to go and which
        code to enter, waits until they have, and keeps the result. Returns who signed in."""
        if self.settings.flow != "device_code":
            raise OAuthError("oauth.flow is \"client_credentials\": the app signs in by itself, "
                             "no login is needed")
        scopes = [*DELEGATED[OUTLOOK_SCOPE]]
        with self._lock:
            try:
                app = self._application()
                flow = app.initiate_device_flow(scopes=scopes)
                if "user_code" not in flow:
                    raise OAuthError(explain(flow))
                show(str(flow["message"]))
                answer = app.acquire_token_by_device_flow(flow)
            except OSError as e:
                raise OAuthError(f"cannot reach the sign-in service at {self.settings.authority}: {e}") \
                    from None
            self._save()
        if "access_token" not in answer:
            raise OAuthError(explain(answer))
        claims = answer.get("id_token_claims") or {}
        return str(claims.get("preferred_username") or claims.get("upn") or "the account")

    def _save(self) -> None:
        path = self.settings.token_cache
        if path is None or not self._cache.has_state_changed:
            return
        try:
            write_private(path, self._cache.serialize())
        except OSError as e:
            # the tokens still work from memory; only a restart will need a new sign-in
            log.warning("oauth: cannot keep tokens in %s (%s); set [oauth] token_cache to a file "
                        "arbot's user may write", path, e.strerror)
        self._cache.has_state_changed = False


def explain(answer: dict[str, Any]) -> str:
    """msal's error answer in words an admin can act on."""
    codes = answer.get("error_codes") or []
    advice = next((_ADVICE[c] for c in codes if c in _ADVICE), None)
    first_line = str(answer.get("error_description") or "").splitlines()[0:1]
    said = first_line[0] if first_line else str(answer.get("error") or "unknown error")
    return f"{answer.get('error', 'error')}: {advice or said}" + (f" ({said})" if advice else "")


def write_private(path: Path, text: str) -> None:
    """Write a file only its owner can read (0600), replacing it in one step."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def oauthbearer(user: str, token: str) -> str:
    """The SASL OAUTHBEARER initial response (RFC 7628), for servers that offer only that."""
    if any(c in user for c in "\x01\r\n,="):
        raise OAuthError("a user name with control characters cannot sign in")
    return f"n,a={user},\x01auth=Bearer {token}\x01\x01"


def xoauth2(user: str, token: str) -> str:
    """The SASL XOAUTH2 initial response (before base64), as Microsoft and Google expect it."""
    if any(c in user for c in "\x01\r\n"):
        raise OAuthError("a user name with control characters cannot sign in")
    return f"user={user}\x01auth=Bearer {token}\x01\x01"



#: Gmail's IMAP and SMTP take tokens for this scope.
GMAIL_SCOPE = "https://mail.google.com/"
GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token"


class GoogleTokens:
    """Tokens for Google Workspace mail (google-auth): a service account with domain-wide
    delegation acting as one mailbox, or a refresh token of the mailbox's user. Same
    interface as ``TokenSource``; the scope asked for is always Gmail's."""

    def __init__(self, settings: OAuth, *, session: Any = None, token_uri: str | None = None) -> None:
        import google.auth.transport.requests
        self.settings = settings
        self._request = google.auth.transport.requests.Request(session=session)
        self._token_uri = token_uri
        self._lock = threading.Lock()
        self._credentials: Any = None

    def _make(self) -> Any:
        s = self.settings
        if s.service_account_file is not None:
            from google.oauth2 import service_account
            try:
                info = json.loads(s.service_account_file.read_text())
            except (OSError, ValueError) as e:
                raise OAuthError(f"cannot read the service account key {s.service_account_file}: "
                                 f"{e}") from None
            if self._token_uri:
                info["token_uri"] = self._token_uri
            try:
                made = service_account.Credentials.from_service_account_info(  # type: ignore[no-untyped-call]
                    info, scopes=[GMAIL_SCOPE])
            except ValueError as e:
                raise OAuthError(f"the service account key is not usable: {e}") from None
            return made.with_subject(s.subject)
        from google.oauth2 import credentials
        return credentials.Credentials(None, refresh_token=s.refresh_token,  # type: ignore[no-untyped-call]
                                       client_id=s.client_id,
                                       client_secret=s.client_secret, scopes=[GMAIL_SCOPE],
                                       token_uri=self._token_uri or GOOGLE_TOKEN_URI)

    def token(self, scope: str = GMAIL_SCOPE) -> str:
        import google.auth.exceptions
        with self._lock:
            if self._credentials is None:
                self._credentials = self._make()
            c = self._credentials
            # google-auth counts a token as expired a few minutes early, so it is renewed in time
            if not c.valid:
                try:
                    c.refresh(self._request)
                except google.auth.exceptions.RefreshError as e:
                    raise OAuthError(_google_advice(e)) from None
                except google.auth.exceptions.TransportError as e:
                    raise OAuthError(f"cannot reach Google's sign-in service: {e}") from None
            return str(c.token)


def _google_advice(e: Exception) -> str:
    text = str(e.args[0] if e.args else e)
    if "unauthorized_client" in text:
        return ("unauthorized_client: the service account is not allowed to act for the mailbox: add its "
                "client ID with the scope https://mail.google.com/ under domain-wide delegation")
    if "invalid_grant" in text:
        return f"invalid_grant: the key, the subject or the refresh token is not accepted ({text[:120]})"
    return text[:300]

