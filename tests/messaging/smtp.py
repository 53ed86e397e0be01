"""A real SMTP server for the tests (aiosmtpd, 127.0.0.1, a free port, in a thread).

It keeps what arrived and can misbehave on purpose: refuse some recipients
(5xx or 4xx at RCPT) and drop the connection in the middle of DATA.
"""

from __future__ import annotations

import email
import email.policy
import socket
import threading
import time
from dataclasses import dataclass, field
from email.message import EmailMessage

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Arrived:
    to: list[str]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    def part(self, content_type: str) -> str:
        body = self.message.get_body(preferencelist=(content_type.split("/")[1],))
        assert body is not None and body.get_content_type() == content_type, f"no {content_type} part"
        return body.get_content()


@dataclass
class Handler:
    arrived: list[Arrived] = field(default_factory=list)
    refuse: dict[str, str] = field(default_factory=dict)  # address → "550 5.1.1 No such user"
    drop_on_data: set[int] = field(default_factory=set)  # DATA commands (1-based) that drop the connection
    delay: float = 0.0
    data_count: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.data_count += 1
            drop = self.data_count in self.drop_on_data
        if drop:
            server.transport.close()  # the client sees the connection vanish before any reply
            return "421 4.3.0 going away"
        if self.delay:
            time.sleep(self.delay)
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.arrived.append(Arrived(to=list(envelope.rcpt_tos), message=parsed))
        return "250 2.0.0 Queued"

    def to(self, address: str) -> list[Arrived]:
        with self.lock:
            return [a for a in self.arrived if address in a.to]


class SmtpServer:
    def __init__(self) -> None:
        self.handler = Handler()
        self.port = free_port()
        # server_hostname: no reverse DNS look-up at start.
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port, server_hostname="smtp.test")

    def start(self) -> SmtpServer:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    def mailer(self) -> dict:
        return {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": self.port, "timeout": 5},
        }
