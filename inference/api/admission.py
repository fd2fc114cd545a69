"""Load shedding: how many sequences one replica holds at once, running plus waiting, whatever its engine.

vLLM would queue without a bound and the transformers engine's own queue has none, so the bound is kept
here, in front of both: the engine's `max_num_queued_reqs` (by default three times its `max_num_seqs`).
A request takes one place per sequence (a text completion's prompts count one each), all of them or
none; beyond the bound it is refused at once with 503 `server_overloaded` and `Retry-After`, so that its
client retries here or on another replica instead of waiting behind a queue of unknown length. A
request is never refused for good: one that needs more places than the bound is admitted when the
replica holds nothing else.

Places are taken and given back on the event loop only, so no lock is needed.
"""

from __future__ import annotations

from collections.abc import Mapping

from inference.errors import ServiceError

# A place frees as soon as any running request finishes, and a retry may land on another replica.
RETRY_AFTER_SECONDS = 1


class ServerOverloaded(ServiceError):
    """The replica holds as many requests as it may, running plus waiting: retry shortly, here or on
    another replica (503, with `Retry-After`)."""

    status_code = 503
    error_type = "server_error"
    code = "server_overloaded"
    refusal = True  # shed by decision: the trail records a refusal, not a failure

    @property
    def headers(self) -> Mapping[str, str]:
        return {"Retry-After": str(RETRY_AFTER_SECONDS)}


def _overloaded() -> ServerOverloaded:
    return ServerOverloaded(
        "The server holds as many requests as it can; retry after the Retry-After seconds, "
        "on this server or another replica."
    )


class Place:
    """One admitted sequence's place; given back once, however its generation ends."""

    def __init__(self, admission: Admission) -> None:
        self._admission: Admission | None = admission

    def release(self) -> None:
        """Give the place back (later calls do nothing)."""
        admission, self._admission = self._admission, None
        if admission is not None:
            admission.give_back(1)


class Admission:
    """The places of one replica: `limit` sequences in flight at most (None: no bound)."""

    def __init__(self, limit: int | None) -> None:
        self.limit = limit
        self._in_flight = 0

    @property
    def in_flight(self) -> int:
        """Sequences admitted whose generations have not ended yet."""
        return self._in_flight

    @property
    def saturated(self) -> bool:
        """Whether a new request would be refused now."""
        return self.limit is not None and self._in_flight >= self.limit

    def state(self) -> tuple[int, int | None]:
        """(in flight, limit), for the metrics."""
        return self._in_flight, self.limit

    def refuse_if_saturated(self) -> None:
        """Refuse a request before its body is read when no place is free: shedding load must cost little."""
        if self.saturated:
            raise _overloaded()

    def admit(self, sequences: int) -> list[Place]:
        """A place for each of a request's sequences, or 503 `server_overloaded` and none."""
        fits = self.limit is None or self._in_flight + sequences <= self.limit
        if not fits and self._in_flight > 0:
            raise _overloaded()
        self._in_flight += sequences
        return [Place(self) for _ in range(sequences)]

    def give_back(self, places: int) -> None:
        """Places whose generations have ended."""
        self._in_flight -= places
