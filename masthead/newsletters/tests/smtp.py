"""A real SMTP server on loopback for tests and benchmarks (aiosmtpd), recording what arrives."""

from __future__ import annotations

import email
import email.policy
import socket
import threading
from dataclasses import dataclass, field

from aiosmtpd.controller import Controller


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Received:
    """One accepted message: envelope recipients and the raw bytes."""

    rcpt_tos: list[str]
    raw: bytes

    def parsed(self) -> email.message.EmailMessage:
        """Parse with the modern policy (decodes RFC 2047 headers)."""
        return email.message_from_bytes(self.raw, policy=email.policy.default)


@dataclass
class RecordingHandler:
    """aiosmtpd handler: rejects addresses in ``reject`` with the given reply, records the rest."""

    reject: dict[str, str] = field(default_factory=dict)
    messages: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.reject:
            return self.reject[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        with self.lock:
            self.messages.append(Received(list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted for delivery"

    def count(self) -> int:
        """Messages accepted so far."""
        with self.lock:
            return len(self.messages)


class SMTPServer:
    """Start/stop an aiosmtpd server on 127.0.0.1 at a free port."""

    def __init__(self) -> None:
        self.handler = RecordingHandler()
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> SMTPServer:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()
