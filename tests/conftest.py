from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.certs import make_cert
from tests.support.dovecot import Dovecot
from tests.support.dovecot import available as dovecot_available
from tests.support.entra import FakeEntra
from tests.support.smtpd import SmtpServer


@pytest.fixture(scope="session")
def tls(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    cert, key = make_cert(tmp_path_factory.mktemp("tls"))
    return str(cert), str(key)


@pytest.fixture
def smtp_server(tls: tuple[str, str]) -> Iterator[SmtpServer]:
    server = SmtpServer(*tls).start()
    yield server
    server.stop()


@pytest.fixture
def smtps_server(tls: tuple[str, str]) -> Iterator[SmtpServer]:
    server = SmtpServer(*tls, implicit_tls=True).start()
    yield server
    server.stop()


@pytest.fixture
def root() -> Path:
    return Path(__file__).resolve().parents[1]


@pytest.fixture
def make_bot():
    """Builds bots for a test (tests.support.world.bot) and closes them afterwards."""
    from tests.support import world
    made = []

    def make(*args, **kwargs):
        b = world.bot(*args, **kwargs)
        made.append(b)
        return b
    yield make
    for b in made:
        b.close()


@pytest.fixture(scope="session")
def entra_session(tls: tuple[str, str]) -> Iterator[FakeEntra]:
    """The stand-in for Microsoft's sign-in service; the test Dovecot checks XOAUTH2 tokens
    with it."""
    server = FakeEntra(*tls).start()
    yield server
    server.stop()


@pytest.fixture
def entra(entra_session: FakeEntra) -> Iterator[FakeEntra]:
    entra_session.reset()
    yield entra_session
    entra_session.reset()


@pytest.fixture(scope="session")
def dovecot(tmp_path_factory: pytest.TempPathFactory, tls: tuple[str, str],
            entra_session: FakeEntra) -> Iterator[Dovecot]:
    """One real Dovecot for the session; each test takes its own user (and Maildir)."""
    if not dovecot_available():
        pytest.fail("dovecot is not installed: .ci/run installs the Debian package dovecot-imapd")
    # not under pytest's own temporary folder: that one is private to root, and Dovecot
    # reads mail as an unprivileged user who must be able to walk down to it
    folder = Path(tempfile.mkdtemp(prefix="arbot-dovecot-"))
    folder.chmod(0o755)
    server = Dovecot(folder, *tls, introspection_url=entra_session.introspection_url).start()
    yield server
    server.stop()
    shutil.rmtree(folder, ignore_errors=True)
