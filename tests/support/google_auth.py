"""A local stand-in for Google's OAuth2 token endpoint (HTTPS on 127.0.0.1): it takes a
service account's signed JWT assertion (domain-wide delegation: the ``sub`` claim names the
mailbox) and checks its RS256 signature with the account's public key, or a refresh token of a
user; it hands out tokens that the test mail servers accept."""

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
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

SERVICE_ACCOUNT = "arbot-mail@example-project.iam.gserviceaccount.com"
CLIENT_ID = "123456789012-abcdefghijklmnop.apps.googleusercontent.com"
CLIENT_SECRET = "GOCSPX-fake-client-secret"
REFRESH_TOKEN = "1//0fake-refresh-token"
MAILBOX = "accounts@example.com"


def _unb64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


class FakeGoogle:
    def __init__(self, cert: str, key: str) -> None:
        self.cert = cert
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.delegated = {MAILBOX}         # mailboxes the service account may act as
        self.tokens: dict[str, tuple[str, float]] = {}
        self.requests = 0
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length", 0))
                form = {k: v[0] for k, v in urllib.parse.parse_qs(self.rfile.read(length).decode()).items()}
                code, body = fake._answer(form)
                data = json.dumps(body).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert, key)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        self.token_uri = f"https://127.0.0.1:{self._server.server_port}/token"

    def service_account_info(self) -> dict[str, str]:
        """The JSON key file an admin downloads for the service account."""
        pem = self.key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                     serialization.NoEncryption()).decode()
        return {"type": "service_account", "project_id": "example-project", "private_key_id": "k1",
                "private_key": pem, "client_email": SERVICE_ACCOUNT, "client_id": "1098765",
                "token_uri": self.token_uri}

    def _answer(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        with self._lock:
            self.requests += 1
        grant = form.get("grant_type")
        if grant == "urn:ietf:params:oauth:grant-type:jwt-bearer":
            head, body, signature = form.get("assertion", "..").split(".")
            try:
                self.key.public_key().verify(_unb64(signature), f"{head}.{body}".encode(),
                                             padding.PKCS1v15(), hashes.SHA256())
            except Exception:  # noqa: BLE001 - any bad signature
                return 400, {"error": "invalid_grant", "error_description": "Invalid JWT Signature."}
            claims = json.loads(_unb64(body))
            # the audience is always Google's own token endpoint, wherever the request goes
            if claims.get("iss") != SERVICE_ACCOUNT or claims.get("aud") != "https://oauth2.googleapis.com/token":
                return 400, {"error": "invalid_grant", "error_description": "Invalid JWT."}
            if claims.get("sub") not in self.delegated:
                return 401, {"error": "unauthorized_client",
                             "error_description": "Client is unauthorized to retrieve access tokens using "
                                                  "this method, or client not authorized for any of the "
                                                  "scopes requested."}
            return 200, self._issue(claims["sub"])
        if grant == "refresh_token":
            if (form.get("client_id"), form.get("client_secret"), form.get("refresh_token")) != \
                    (CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN):
                return 400, {"error": "invalid_grant", "error_description": "Bad Request"}
            return 200, self._issue(MAILBOX)
        return 400, {"error": "unsupported_grant_type"}

    def _issue(self, mailbox: str) -> dict[str, Any]:
        token = "ya29.fake-" + secrets.token_urlsafe(24)
        with self._lock:
            self.tokens[token] = (mailbox, time.time() + 3599)
        return {"access_token": token, "expires_in": 3599, "token_type": "Bearer",
                "scope": "https://mail.google.com/"}

    def valid(self, token: str) -> str | None:
        with self._lock:
            found = self.tokens.get(token)
        return found[0] if found and found[1] > time.time() else None

    def session(self) -> requests.Session:
        s = requests.Session()
        s.trust_env = False
        s.verify = self.cert
        return s

    def start(self) -> FakeGoogle:
        threading.Thread(target=self._server.serve_forever, name="fake-google", daemon=True).start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
