"""uvicorn's HTTP/1.1 protocol with the limits a public server needs.

uvicorn closes a keep-alive connection that stays idle after a response; it does not close
a connection that never finishes sending a request (nor one that trickles a byte now and
then after its first request), and every open socket holds a file descriptor. Here a
connection has the header timeout to send each whole request, and past the connection limit
(`ConnectionLimits`, from the settings) the oldest one that is not being answered is closed
to make room (before the process runs out of descriptors, when accepting would fail and log
a traceback each time). Requests being answered at once are limited by the app
(`search_app.app.ConcurrencyLimit`), not here: idle sockets cost no work and must not turn
real visitors away.
"""

from __future__ import annotations

import asyncio
import logging
import resource
import time
from dataclasses import dataclass
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

HEADER_TIMEOUT_S = 10.0
DESCRIPTORS_KEPT = 64  # for the index's files, logs and the listening socket
REPEATED_LOG_EVERY_S = 10.0


class OncePerInterval(logging.Filter):
    """Lets one copy of a repeated log message through per interval: under a flood of
    connections, "Exceeded concurrency limit." must not fill the disk."""

    def __init__(self, interval: float = REPEATED_LOG_EVERY_S) -> None:
        super().__init__()
        self._interval = interval
        self._last: dict[str, float] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        now = time.monotonic()
        key = str(record.msg)
        if now - self._last.get(key, -self._interval) < self._interval:
            return False
        self._last[key] = now
        return True


logging.getLogger("uvicorn.error").addFilter(OncePerInterval())


def default_max_connections() -> int:
    """Most of the descriptors this process may open (raised to the hard limit first)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and soft < hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
            soft = hard
        except (ValueError, OSError):
            pass
    limit = soft if soft != resource.RLIM_INFINITY else 65536
    return max(16, min(limit - DESCRIPTORS_KEPT, 10_000))


@dataclass(frozen=True)
class ConnectionLimits:
    header_timeout: float = HEADER_TIMEOUT_S  # seconds to send each whole request
    max_connections: int = 1000  # open at once, per process


class GuardedH11Protocol(H11Protocol):
    """A connection must send each whole request (headers and body) within the header
    timeout of starting to wait for it - when it opens, and again after each response (a
    kept-alive connection that trickles a byte now and then cancels uvicorn's keep-alive
    timer, not this deadline). Past the connection limit, the oldest connection that is not
    being answered (waiting for a request, or receiving one) is closed to make room.

    uvicorn makes one per connection; it is given as `partial(GuardedH11Protocol,
    limits=...)`."""

    def __init__(self, *args: Any, limits: ConnectionLimits = ConnectionLimits(),
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limits = limits

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._opened = self.loop.time()
        self._request_deadline: asyncio.TimerHandle | None = None
        if len(self.connections) > self.limits.max_connections:
            waiting = [c for c in self.connections
                       if c is not self and isinstance(c, GuardedH11Protocol) and c.waiting]
            oldest = min(waiting, key=lambda c: c._opened, default=None)
            (oldest.transport if oldest is not None else transport).close()
        self._await_request()

    @property
    def waiting(self) -> bool:
        """Not being answered: waiting for a request, or for the rest of one."""
        return self.conn.their_state in (h11.IDLE, h11.SEND_BODY)

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._await_request()

    def _await_request(self) -> None:
        if self._request_deadline is not None:
            self._request_deadline.cancel()
        self._request_deadline = self.loop.call_later(self.limits.header_timeout,
                                                      self._close_if_waiting)

    def _close_if_waiting(self) -> None:
        if self.waiting and not self.transport.is_closing():
            self.transport.close()  # nothing whole arrived in time: a slow or idle client

    def connection_lost(self, exc: Exception | None) -> None:
        if getattr(self, "_request_deadline", None) is not None:
            self._request_deadline.cancel()
        super().connection_lost(exc)
