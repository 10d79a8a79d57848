"""Failed sign-ins per client address: after `limit` failures within a minute an address gets
429 (Retry-After) for its further failures, on the API (a wrong Bearer token) and on the sign-in
form alike.

Valid credentials from a throttled address still work: a flood from one address (or a shared
NAT) cannot lock a colleague out, and checking a token is cheap (one HMAC, auth.py), so refusing
the flood costs the server next to nothing. The address is the TCP peer (request.client.host);
behind a reverse proxy that is the proxy, so put the limit on the proxy too.

State is per process (in memory, bounded to MAX_ADDRESSES addresses, oldest forgotten first).
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict, deque

WINDOW_SECONDS = 60.0
MAX_ADDRESSES = 50_000


class FailureThrottle:
    """A sliding one-minute window of failure times per address."""

    def __init__(self, limit: int, window: float = WINDOW_SECONDS, clock=time.monotonic):
        self.limit = max(1, int(limit))
        self.window = float(window)
        self.clock = clock
        self._failures: "OrderedDict[str, deque[float]]" = OrderedDict()
        self._lock = threading.Lock()

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
    """The app's throttle (made on first use from settings.auth_failures_per_minute)."""
    throttle = getattr(app.state, "auth_throttle", None)
    if throttle is None:
        throttle = FailureThrottle(app.state.settings.auth_failures_per_minute)
        app.state.auth_throttle = throttle
    return throttle


TOO_MANY_FAILURES = (
    "För många misslyckade inloggningar från din adress; vänta {seconds} sekunder och försök igen. / "
    "Too many failed sign-ins from your address: wait {seconds} seconds and try again."
)
