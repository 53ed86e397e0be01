from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.messaging.smtp import SmtpServer


@pytest.fixture
def smtp(settings) -> Iterator[SmtpServer]:
    """A real SMTP server; the messaging mailer points at it; retries wait no time."""
    server = SmtpServer().start()
    settings.MAILERS = {"default": server.mailer()}
    settings.MESSAGING_MAILER = "default"
    settings.MESSAGING_RETRY_BASE_SECONDS = 0
    settings.SITE_URL = "http://testserver"
    yield server
    server.stop()
