"""Requests per minute per caller: a token bucket each, in this process.

A bucket holds up to a minute's worth of requests (`rate`) and refills continuously, so a caller may
burst up to its rate and then goes on at rate/60 requests per second. Each server process keeps its own
buckets: a region with N replicas lets a caller through up to N times its rate (docs/callers.md says so).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class TokenBucket:
    """`capacity` tokens at most, refilled at `capacity` per minute."""

    capacity: int
    tokens: float
    updated: float

    def take(self, now: float) -> float:
        """Take one token: 0.0 if there was one, else the seconds until there is."""
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.capacity / 60.0)
        self.updated = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return 0.0
        return (1.0 - self.tokens) * 60.0 / self.capacity


class RateLimiter:
    """One bucket per caller identity, created full on the caller's first request."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._buckets: dict[str, TokenBucket] = {}

    def wait(self, identity: str, rate: int) -> int:
        """Take a request from `identity`'s bucket: 0 if it may go now, else whole seconds to wait (at
        least 1), as `Retry-After` says them. A changed rate starts a new, full bucket."""
        now = self._clock()
        bucket = self._buckets.get(identity)
        if bucket is None or bucket.capacity != rate:
            bucket = self._buckets[identity] = TokenBucket(rate, float(rate), now)
        seconds = bucket.take(now)
        return 0 if seconds == 0.0 else max(1, math.ceil(seconds))
