"""A real Dovecot IMAP server on loopback for the tests, with its own configuration, started
and stopped by the test session (no system service is touched).

Any user name logs in with PASSWORD, and each user has its own Maildir, so every test takes
a fresh mailbox by choosing a fresh name. Sent and Drafts carry SPECIAL-USE flags (RFC 6154)
under names arbot must find by flag, not by name.
"""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import ssl
import subprocess
import time
from pathlib import Path

from imapclient import IMAPClient

PASSWORD = "imap-s3cret"
SENT = "Gesendet"  # not "Sent": arbot must find it through its \Sent flag
_users = itertools.count(1)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def available() -> bool:
    return shutil.which("dovecot") is not None


class Dovecot:
    def __init__(self, folder: Path, cert: str, key: str, *, introspection_url: str = "") -> None:
        self.folder = folder
        self.introspection_url = introspection_url   # XOAUTH2 tokens are checked there
        self.cert, self.key = cert, key
        self.port = _free_port()       # plain, STARTTLS offered
        self.tls_port = _free_port()   # implicit TLS
        self.proc: subprocess.Popen[bytes] | None = None

    def _write_config(self) -> Path:
        d = self.folder
        for sub in ("run", "state", "mail"):
            (d / sub).mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            # Dovecot will not access mail as root; mail belongs to an unprivileged user
            shutil.chown(d / "mail", "nobody", "nogroup")
            owner = "uid=nobody gid=nogroup"
        else:
            owner = f"uid={os.getuid()} gid={os.getgid()}"
        oauth = ""
        if self.introspection_url:
            (d / "oauth2.conf.ext").write_text(
                f"introspection_mode = post\nintrospection_url = {self.introspection_url}\n"
                "force_introspection = yes\nusername_attribute = username\n"
                "active_attribute = active\nactive_value = true\n")
            oauth = f"passdb {{\n  driver = oauth2\n  mechanisms = xoauth2 oauthbearer\n" \
                    f"  args = {d}/oauth2.conf.ext\n}}\n"
        conf = d / "dovecot.conf"
        conf.write_text(f"""\
base_dir = {d}/run
state_dir = {d}/state
instance_name = arbot-test-{self.port}
log_path = {d}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = yes
ssl_cert = <{self.cert}
ssl_key = <{self.key}
disable_plaintext_auth = no
auth_mechanisms = plain login{" xoauth2 oauthbearer" if oauth else ""}
auth_failure_delay = 0
mail_location = maildir:~/Maildir
mail_privileged_group =
first_valid_uid = 1
passdb {{
  driver = static
  mechanisms = plain login
  args = password={PASSWORD}
}}
{oauth}userdb {{
  driver = static
  args = {owner} home={d}/mail/%d/%n
}}
namespace inbox {{
  inbox = yes
  separator = /
  mailbox {SENT} {{
    special_use = \\Sent
    auto = subscribe
  }}
  mailbox Drafts {{
    special_use = \\Drafts
    auto = subscribe
  }}
  mailbox Trash {{
    special_use = \\Trash
    auto = subscribe
  }}
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {self.tls_port}
    ssl = yes
  }}
}}
service anvil {{
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
protocol imap {{
  mail_max_userip_connections = 100
  imap_idle_notify_interval = 1 secs
}}
""")
        return conf

    def start(self) -> Dovecot:
        conf = self._write_config()
        out = open(self.folder / "stdout.log", "wb")  # noqa: SIM115 - kept open while it runs
        self.proc = subprocess.Popen(["dovecot", "-F", "-c", str(conf)], stdout=out,
                                     stderr=subprocess.STDOUT)
        out.close()
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("dovecot exited:\n" + self.log())
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                    if s.recv(100).startswith(b"* OK"):
                        return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("dovecot did not answer:\n" + self.log())

    def log(self) -> str:
        parts = []
        for name in ("stdout.log", "dovecot.log"):
            p = self.folder / name
            if p.exists():
                parts.append(p.read_text(errors="replace"))
        return "\n".join(parts)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def new_user(self, hint: str = "ar") -> str:
        return f"{hint}{next(_users)}-{os.getpid()}@example.com"

    def client(self, user: str) -> IMAPClient:
        """A second, independent IMAP session: what other mail programs do to the mailbox."""
        c = IMAPClient("127.0.0.1", port=self.tls_port, ssl=True,
                       ssl_context=ssl.create_default_context(cafile=self.cert), timeout=10)
        c.login(user, PASSWORD)
        return c

    def append(self, user: str, folder: str, raw: bytes, flags: tuple[bytes, ...] = ()) -> int:
        with self.client(user) as c:
            if folder != "INBOX" and not c.folder_exists(folder):
                c.create_folder(folder)
            res = c.append(folder, raw, flags=flags)
        # APPENDUID (RFC 4315): b"[APPENDUID <uidvalidity> <uid>] ..."
        return int(res.split(b"]")[0].split()[-1]) if b"APPENDUID" in res else 0
