"""Failed sign-ins per client address: after `limit` failures within a minute an address gets
429 (Retry-After) for its further failures, on the API (a wrong Bearer token) and on the sign-in
form alike.

While an address is over the limit, a Bearer request from it is answered 429 by the outermost
middleware before any routing, thread hop or database read (`refuse_early`), unless its token
was accepted in the last GOOD_TTL seconds (a colleague behind the same NAT keeps working; a key
never used before waits out the minute). That keeps a flood from queueing in front of the
signed-in users: the refusal is sent after a pause of TARPIT_SECONDS (an asyncio sleep, no
CPU), so each flooding connection gets about one answer a second. benchmarks/flood_bench.py
measures it. The address is the TCP peer
(request.client.host); behind a reverse proxy that is the proxy, so put the limit on the proxy too.

State is per process (in memory, bounded to MAX_ADDRESSES addresses, oldest forgotten first).
"""

from __future__ import annotations

import hashlib
import math
import threading
import time
from collections import OrderedDict, deque

WINDOW_SECONDS = 60.0
MAX_ADDRESSES = 50_000
TARPIT_SECONDS = 1.0  # an early refusal is sent after this pause: a flooding connection gets ~1 answer/s
GOOD_TTL = 600.0  # seconds a token that was accepted passes the early refusal
MAX_GOOD = 10_000


class FailureThrottle:
    """A sliding one-minute window of failure times per address."""

    def __init__(self, limit: int, window: float = WINDOW_SECONDS, clock=time.monotonic):
        self.limit = max(1, int(limit))
        self.window = float(window)
        self.clock = clock
        self._failures: "OrderedDict[str, deque[float]]" = OrderedDict()
        self._good: "OrderedDict[str, float]" = OrderedDict()  # SHA-256 of accepted tokens -> when
        self._lock = threading.Lock()

    @staticmethod
    def _digest(token: str) -> str:
        return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()

    def accepted(self, token: str) -> None:
        """A token that authenticated: it passes the early refusal for GOOD_TTL seconds."""
        d = self._digest(token)
        with self._lock:
            self._good[d] = self.clock()
            self._good.move_to_end(d)
            while len(self._good) > MAX_GOOD:
                self._good.popitem(last=False)

    def refuse_early(self, address: str, token: str) -> int | None:
        """Retry-After seconds when a request with `token` from `address` is to be refused
        without looking further (the address is over the limit and the token is not one
        accepted lately); None to let the request through."""
        retry = self.retry_after(address)
        if retry is None:
            return None
        d = self._digest(token)
        with self._lock:
            at = self._good.get(d)
            if at is not None and self.clock() - at <= GOOD_TTL:
                return None
        return retry

    def _recent(self, address: str, now: float) -> deque:
        q = self._failures.get(address)
        if q is None:
            q = self._failures[address] = deque(maxlen=self.limit + 1)
            while len(self._failures) > MAX_ADDRESSES:
                self._failures.popitem(last=False)
        else:
            self._failures.move_to_end(address)
        while q and now - q[0] > self.window:
            q.popleft()
        return q

    def retry_after(self, address: str) -> int | None:
        """Seconds until `address` may fail again, or None when it is under the limit."""
        now = self.clock()
        with self._lock:
            q = self._recent(address, now)
            if len(q) < self.limit:
                return None
            return max(1, math.ceil(self.window - (now - q[-self.limit])))

    def failed(self, address: str) -> int | None:
        """Record one failure; the Retry-After seconds when the address is now over the limit."""
        now = self.clock()
        with self._lock:
            q = self._recent(address, now)
            q.append(now)
            if len(q) <= self.limit:
                return None
            return max(1, math.ceil(self.window - (now - q[-self.limit])))


def client_address(request) -> str:
    client = getattr(request, "client", None)
    return client.host if client is not None and client.host else "unknown"


def throttle_of(app) -> FailureThrottle:
    """The app's throttle (made by install_middleware from settings.auth_failures_per_minute)."""
    throttle = getattr(app.state, "auth_throttle", None)
    if throttle is None:
        throttle = FailureThrottle(app.state.settings.auth_failures_per_minute)
        app.state.auth_throttle = throttle
    return throttle


TOO_MANY_FAILURES = (
    "För många misslyckade inloggningar från din adress; vänta {seconds} sekunder och försök igen. / "
    "Too many failed sign-ins from your address: wait {seconds} seconds and try again."
)
