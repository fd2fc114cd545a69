"""Requests per minute per grant: a token bucket each, in this process.

A bucket holds up to a minute's worth of requests (`rate`) and refills continuously, so a caller may
burst up to its rate and then goes on at rate/60 requests per second. A grant has one bucket whatever
the connection: a request that presents two grants (an API key over a client-certificate connection)
takes from both, or from neither when either is empty. Each server process keeps its own buckets: a
region with N replicas lets a caller through up to N times its rate (docs/callers.md says so).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass
class TokenBucket:
    """`capacity` tokens at most, refilled at `capacity` per minute."""

    capacity: int
    tokens: float
    updated: float

    def refill(self, now: float) -> None:
        """Add what has dripped in since the last look."""
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.capacity / 60.0)
        self.updated = now

    def wait(self) -> float:
        """0.0 if a token is there, else the seconds until there is one."""
        return 0.0 if self.tokens >= 1.0 else (1.0 - self.tokens) * 60.0 / self.capacity


@dataclass(frozen=True)
class Rate:
    """One grant's limit: its bucket's name (`key:<id>`, `cert:<name>`) and requests per minute."""

    bucket: str
    per_minute: int


class RateLimiter:
    """One bucket per grant, created full on the grant's first request."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._buckets: dict[str, TokenBucket] = {}

    def wait(self, identity: str, rate: int) -> int:
        """Take a request from `identity`'s bucket: 0 if it may go now, else whole seconds to wait (at
        least 1), as `Retry-After` says them. A changed rate starts a new, full bucket."""
        return self.wait_all([Rate(identity, rate)])

    def wait_all(self, rates: Sequence[Rate]) -> int:
        """Take a request from every one of `rates`' buckets if each has one (0), else from none: whole
        seconds until all of them have one (at least 1)."""
        now = self._clock()
        buckets = []
        for rate in rates:
            bucket = self._buckets.get(rate.bucket)
            if bucket is None or bucket.capacity != rate.per_minute:
                bucket = self._buckets[rate.bucket] = TokenBucket(
                    rate.per_minute, float(rate.per_minute), now
                )
            bucket.refill(now)
            buckets.append(bucket)
        seconds = max((bucket.wait() for bucket in buckets), default=0.0)
        if seconds == 0.0:
            for bucket in buckets:
                bucket.tokens -= 1.0
            return 0
        return max(1, math.ceil(seconds))
