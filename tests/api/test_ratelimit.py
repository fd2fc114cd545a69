"""The token buckets behind a grant's rate: a minute's worth of burst, then rate/60 a second, one bucket
per grant. A clock the test moves stands in for time; the real server's 429 is in test_auth.py (and, for
a key used with and without a client certificate, in test_mtls.py)."""

from __future__ import annotations

from inference.api.ratelimit import Rate, RateLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_up_to_the_rate_then_the_wait_for_the_next_token() -> None:
    clock = Clock()
    limiter = RateLimiter(clock)
    assert [limiter.wait("key:a", 6) for _ in range(6)] == [0] * 6
    assert limiter.wait("key:a", 6) == 10  # 6 a minute: one every 10 s
    clock.now += 4.2
    assert limiter.wait("key:a", 6) == 6  # ceil(5.8)
    clock.now += 5.8
    assert limiter.wait("key:a", 6) == 0
    assert limiter.wait("key:a", 6) == 10


def test_refused_requests_do_not_use_up_tokens() -> None:
    clock = Clock()
    limiter = RateLimiter(clock)
    limiter.wait("key:a", 1)
    for _ in range(100):
        assert limiter.wait("key:a", 1) == 60
    clock.now += 60
    assert limiter.wait("key:a", 1) == 0


def test_the_bucket_never_holds_more_than_a_minute() -> None:
    clock = Clock()
    limiter = RateLimiter(clock)
    limiter.wait("key:a", 3)
    clock.now += 3600
    assert [limiter.wait("key:a", 3) for _ in range(4)] == [0, 0, 0, 20]


def test_callers_have_their_own_buckets() -> None:
    limiter = RateLimiter(Clock())
    assert [limiter.wait("key:a", 2) for _ in range(3)] == [0, 0, 30]
    assert [limiter.wait("key:b", 2) for _ in range(2)] == [0, 0]
    assert limiter.wait("cert:c", 1000) == 0


def test_a_changed_rate_starts_a_full_bucket() -> None:
    limiter = RateLimiter(Clock())
    assert [limiter.wait("key:a", 1) for _ in range(2)] == [0, 60]
    assert limiter.wait("key:a", 120) == 0


def test_a_request_with_two_grants_takes_from_both_or_from_neither() -> None:
    limiter = RateLimiter(Clock())
    key, certificate = Rate("key:a", 2), Rate("cert:c", 3)
    assert limiter.wait("key:a", 2) == 0  # the key alone, on another connection
    assert limiter.wait_all([key, certificate]) == 0
    # The key's bucket is empty: the request is refused, and the certificate's keeps its tokens.
    assert limiter.wait_all([key, certificate]) == 30
    assert [limiter.wait("cert:c", 3) for _ in range(3)] == [0, 0, 20]
