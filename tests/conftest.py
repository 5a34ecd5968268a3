from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.certs import make_cert
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
