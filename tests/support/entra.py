"""A local stand-in for Microsoft's sign-in service (Entra ID), for msal: an HTTPS authority
on 127.0.0.1 with OpenID discovery and the token endpoint of the client credentials flow,
answering errors the way Entra does (AADSTS codes). Mail servers in the tests ask it whether a
token is one it issued (RFC 7662 introspection).

    entra = FakeEntra(cert, key).start()
    settings: [oauth] authority_url = entra.authority, tenant = entra.tenant, ...
    session = entra.session()      # a requests session that trusts the test certificate
"""

from __future__ import annotations

import base64
import json
import secrets
import ssl
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import requests

TENANT = "0c0ffee0-0000-4000-8000-00000000a7b0"
CLIENT_ID = "5a1e5a1e-1111-4222-8333-444455556666"
CLIENT_SECRET = "k3~fake.client-secret_value"
MAILBOX = "accounts@example.com"
PUBLIC_CLIENT_ID = "0b11c0de-7777-4888-9999-aaaabbbbcccc"   # for a person's sign-in (device code)
USER_OID = "9f8e7d6c-5b4a-4321-8fed-cba987654321"


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


class FakeEntra:
    def __init__(self, cert: str, key: str, *, lifetime: int = 3599) -> None:
        self.cert = cert
        self.tenant = TENANT
        self.clients = {CLIENT_ID: (CLIENT_SECRET, MAILBOX)}
        self.certificates: dict[str, tuple[Any, str]] = {}   # client id -> (public key, mailbox)
        self.lifetime = lifetime        # seconds a new token lives
        self.tokens: dict[str, dict[str, Any]] = {}
        self.token_requests = 0
        self.device_codes: dict[str, dict[str, Any]] = {}   # device code -> {approved, polls}
        self.refresh_tokens: dict[str, str] = {}             # refresh token -> mailbox
        self.approve_after_polls = 1    # the person enters the code after this many polls
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

            def _json(self, code: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:  # noqa: N802 - the http.server name
                if self.path.startswith(f"/{fake.tenant}/v2.0/.well-known/openid-configuration"):
                    base = fake.authority
                    self._json(200, {
                        "issuer": f"{base}/v2.0", "token_endpoint": f"{base}/oauth2/v2.0/token",
                        "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
                        "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode",
                        "jwks_uri": f"{base}/discovery/v2.0/keys",
                        "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt"],
                        "response_types_supported": ["code", "id_token", "code id_token"],
                        "scopes_supported": ["openid", "profile", "email", "offline_access"]})
                    return
                self._json(404, {"error": "not_found"})

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length", 0))
                form = {k: v[0] for k, v in urllib.parse.parse_qs(self.rfile.read(length).decode()).items()}
                if self.path == "/introspect":
                    # RFC 7662, as Dovecot's oauth2 passdb asks: is this token live, and whose?
                    owner = fake.valid(form.get("token", ""))
                    self._json(200, {"active": True, "username": owner} if owner else {"active": False})
                    return
                if self.path == f"/{fake.tenant}/oauth2/v2.0/token":
                    code, body = fake._token(form)
                    self._json(code, body)
                    return
                if self.path == f"/{fake.tenant}/oauth2/v2.0/devicecode":
                    self._json(200, fake._device_code(form))
                    return
                self._json(404, {"error": "not_found"})

        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert, key)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        self.authority = f"https://127.0.0.1:{self._server.server_port}/{self.tenant}"
        # plain HTTP on loopback for the mail servers' questions, as the test Dovecot asks
        self._introspection = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.introspection_url = f"http://127.0.0.1:{self._introspection.server_port}/introspect"

    def _token(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        with self._lock:
            self.token_requests += 1

        def error(code: int, name: str, number: int, text: str) -> tuple[int, dict[str, Any]]:
            return code, {"error": name, "error_codes": [number],
                          "error_description": f"AADSTS{number}: {text}\r\nTrace ID: {secrets.token_hex(8)}",
                          "timestamp": time.strftime("%Y-%m-%d %H:%M:%SZ", time.gmtime())}
        grant = form.get("grant_type", "")
        if grant == "urn:ietf:params:oauth:grant-type:device_code":
            return self._device_token(form, error)
        if grant == "refresh_token":
            mailbox = self.refresh_tokens.get(form.get("refresh_token", ""))
            if mailbox is None:
                return error(400, "invalid_grant", 70008, "The refresh token has expired or is invalid.")
            return 200, self._user_tokens(mailbox, form.get("scope", ""))
        if grant != "client_credentials":
            return error(400, "unsupported_grant_type", 70003, "The app requested an unsupported grant type.")
        if form.get("client_assertion_type") == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer":
            return self._by_certificate(form, error)
        client = self.clients.get(form.get("client_id", ""))
        if client is None:
            return error(400, "unauthorized_client", 700016,
                         f"Application with identifier '{form.get('client_id')}' was not found "
                         f"in the directory.")
        if client[0] != form.get("client_secret"):
            return error(401, "invalid_client", 7000215, "Invalid client secret provided.")
        if not form.get("scope", "").endswith("/.default"):
            return error(400, "invalid_scope", 1002012, "The provided value for scope is not valid.")
        token = "eyJ0eXAiOiJKV1QifQ." + secrets.token_urlsafe(24) + ".test"
        with self._lock:
            self.tokens[token] = {"mailbox": client[1], "scope": form["scope"],
                                  "expires": time.time() + self.lifetime}
        return 200, {"token_type": "Bearer", "expires_in": self.lifetime, "ext_expires_in": self.lifetime,
                     "access_token": token}

    def _by_certificate(self, form: dict[str, str], error: Any) -> tuple[int, dict[str, Any]]:
        """Client credentials proven by a JWT signed with the app's certificate key."""
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding
        known = self.certificates.get(form.get("client_id", ""))
        if known is None:
            return error(400, "unauthorized_client", 700016, "Application was not found in the directory.")
        head, body, signature = (form.get("client_assertion") or "..").split(".")
        header = json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))
        scheme = padding.PKCS1v15() if header.get("alg") == "RS256" else \
            padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.AUTO)
        try:
            known[0].verify(base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4)),
                            f"{head}.{body}".encode(), scheme, hashes.SHA256())
        except Exception:  # noqa: BLE001 - any bad signature
            return error(401, "invalid_client", 700027, "Client assertion failed signature validation.")
        claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        audience = str(claims.get("aud", ""))
        if claims.get("iss") != form.get("client_id") or not audience.startswith(self.authority):
            return error(401, "invalid_client", 700024, "Client assertion audience or issuer is wrong.")
        token = "eyJ0eXAiOiJKV1QifQ." + secrets.token_urlsafe(24) + ".cert"
        with self._lock:
            self.tokens[token] = {"mailbox": known[1], "scope": form.get("scope", ""),
                                  "expires": time.time() + self.lifetime}
        return 200, {"token_type": "Bearer", "expires_in": self.lifetime, "ext_expires_in": self.lifetime,
                     "access_token": token}

    def _device_code(self, form: dict[str, str]) -> dict[str, Any]:
        code = secrets.token_urlsafe(16)
        with self._lock:
            self.device_codes[code] = {"polls": 0, "client": form.get("client_id")}
        return {"device_code": code, "user_code": "F4KE-C0DE", "expires_in": 900, "interval": 1,
                "verification_uri": "https://microsoft.com/devicelogin",
                "message": "To sign in, use a web browser to open the page https://microsoft.com/devicelogin "
                           "and enter the code F4KE-C0DE to authenticate."}

    def _device_token(self, form: dict[str, str], error: Any) -> tuple[int, dict[str, Any]]:
        with self._lock:
            state = self.device_codes.get(form.get("device_code", ""))
            if state is None:
                return error(400, "expired_token", 70020, "The device code has expired.")
            state["polls"] += 1
            ready = state["polls"] > self.approve_after_polls
        if not ready:
            return error(400, "authorization_pending", 70016, "Pending end-user authorization.")
        return 200, self._user_tokens(MAILBOX, form.get("scope", ""))

    def _user_tokens(self, mailbox: str, scope: str) -> dict[str, Any]:
        token = "eyJ0eXAiOiJKV1QifQ." + secrets.token_urlsafe(24) + ".user"
        refresh = "0.AR" + secrets.token_urlsafe(32)
        now = int(time.time())
        claims = {"aud": PUBLIC_CLIENT_ID, "iss": f"{self.authority}/v2.0", "iat": now, "nbf": now,
                  "exp": now + 3600, "oid": USER_OID, "tid": self.tenant, "preferred_username": mailbox,
                  "name": "Accounts", "ver": "2.0"}
        with self._lock:
            self.tokens[token] = {"mailbox": mailbox, "scope": scope, "expires": time.time() + self.lifetime}
            self.refresh_tokens[refresh] = mailbox
        id_token = f"{_b64({'typ': 'JWT', 'alg': 'none'})}.{_b64(claims)}."
        return {"token_type": "Bearer", "scope": " ".join(s for s in scope.split() if "://" in s) or scope,
                "expires_in": self.lifetime, "ext_expires_in": self.lifetime, "access_token": token,
                "refresh_token": refresh, "id_token": id_token,
                "client_info": _b64({"uid": USER_OID, "utid": self.tenant})}

    def expire(self, token: str) -> None:
        """End a token's life now, as time would."""
        with self._lock:
            if token in self.tokens:
                self.tokens[token]["expires"] = 0.0

    def reset(self) -> None:
        with self._lock:
            self.lifetime, self.token_requests = 3599, 0
            self.tokens.clear()
            self.device_codes.clear()
            self.refresh_tokens.clear()

    def valid(self, token: str) -> str | None:
        """The mailbox a live token of ours grants, or None."""
        with self._lock:
            info = self.tokens.get(token)
        if info is None or info["expires"] < time.time():
            return None
        return str(info["mailbox"])

    def session(self) -> requests.Session:
        """What msal should talk through: trusts the test certificate and nothing from the
        environment (REQUESTS_CA_BUNDLE would override the certificate otherwise)."""
        s = requests.Session()
        s.trust_env = False
        s.verify = self.cert
        return s

    def start(self) -> FakeEntra:
        for server in (self._server, self._introspection):
            threading.Thread(target=server.serve_forever, name="fake-entra", daemon=True).start()
        return self

    def stop(self) -> None:
        for server in (self._server, self._introspection):
            server.shutdown()
            server.server_close()
