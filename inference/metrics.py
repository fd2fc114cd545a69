"""Prometheus metrics, named like vLLM's (`vllm:time_to_first_token_seconds` becomes
`regional_llm:time_to_first_token_seconds`) so that existing dashboards port with a prefix change.

Labels carry ids and codes only: never request content.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    ProcessCollector,
    disable_created_metrics,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from inference.engines.base import EngineStats
from inference.policy.codes import ISO_3166_ALPHA2

# `*_created` series double the exposition and no dashboard reads them (vLLM turns them off too).
disable_created_metrics()  # type: ignore[no-untyped-call]

_LATENCY_BUCKETS = (
    0.005,
    0.01,
    0.02,
    0.04,
    0.06,
    0.08,
    0.1,
    0.25,
    0.5,
    0.75,
    1.0,
    2.5,
    5.0,
    7.5,
    10.0,
    20.0,
    40.0,
)
_E2E_BUCKETS = (0.1, 0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0, 40.0, 50.0, 60.0, 120.0)
# Stages run from microseconds (origin check) to seconds (queueing, a long prefill).
_STAGE_BUCKETS = (
    0.00005,
    0.0001,
    0.00025,
    0.0005,
    0.001,
    0.0025,
    0.005,
    0.01,
    0.025,
    0.05,
    0.1,
    0.25,
    0.5,
    1.0,
    2.5,
    5.0,
    10.0,
)
_ITL_BUCKETS = (0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5)


class _EngineCollector(Collector):
    """Reads the engine's queue state at scrape time."""

    def __init__(self, stats: Callable[[], EngineStats], labels: dict[str, str]) -> None:
        self._stats = stats
        self._labels = labels

    def collect(self) -> list[GaugeMetricFamily]:
        stats = self._stats()
        names, values = list(self._labels), list(self._labels.values())
        running = GaugeMetricFamily(
            "regional_llm:num_requests_running", "Requests generating right now.", labels=names
        )
        running.add_metric(values, stats.running)
        waiting = GaugeMetricFamily(
            "regional_llm:num_requests_waiting", "Requests queued for the engine.", labels=names
        )
        waiting.add_metric(values, stats.waiting)
        return [running, waiting]


class _AdmissionCollector(Collector):
    """Reads the replica's places at scrape time: in flight, the bound, and whether it is reached."""

    def __init__(self, state: Callable[[], tuple[int, int | None]], labels: dict[str, str]) -> None:
        self._state = state
        self._labels = labels

    def collect(self) -> list[GaugeMetricFamily]:
        in_flight, limit = self._state()
        names, values = list(self._labels), list(self._labels.values())
        held = GaugeMetricFamily(
            "regional_llm:num_requests_in_flight",
            "Sequences admitted and not yet finished (running plus waiting, as the server counts them).",
            labels=names,
        )
        held.add_metric(values, in_flight)
        families = [held]
        if limit is not None:
            bound = GaugeMetricFamily(
                "regional_llm:max_num_queued_reqs",
                "The most sequences held at once; beyond it requests get 503 server_overloaded.",
                labels=names,
            )
            bound.add_metric(values, limit)
            saturated = GaugeMetricFamily(
                "regional_llm:saturated",
                "1 while the replica holds max_num_queued_reqs sequences: new requests are refused.",
                labels=names,
            )
            saturated.add_metric(values, 1 if in_flight >= limit else 0)
            families += [bound, saturated]
        return families


class ServiceMetrics:
    """The service's metrics, in a registry of their own (one per app, so tests may build several)."""

    def __init__(
        self, region: str, build_id: str, build_digest: str, stats: Callable[[], EngineStats]
    ) -> None:
        self.registry = CollectorRegistry()
        labels = {"model_name": build_id, "region": region}
        names = list(labels)
        self._labels = labels
        info = Gauge(
            "regional_llm:build_info",
            "The build this process serves (value is always 1).",
            ["region", "model_name", "digest"],
            registry=self.registry,
        )
        info.labels(region=region, model_name=build_id, digest=build_digest).set(1)
        self.registry.register(_EngineCollector(stats, labels))
        # process_resident_memory_bytes and the like, as vLLM's server exposes them: RSS under load.
        ProcessCollector(registry=self.registry)
        self.request_success = Counter(
            "regional_llm:request_success",
            "Finished requests, by finish reason (stop, length, abort).",
            [*names, "finished_reason"],
            registry=self.registry,
        )
        self.request_refused = Counter(
            "regional_llm:request_refused",
            "Requests refused before generation, by error code (e.g. data_origin_mismatch).",
            [*names, "code"],
            registry=self.registry,
        )
        self.pii_entities = Counter(
            "regional_llm:pii_entities",
            "PII entities found in requests, by type and the action the region's policy took.",
            [*names, "entity_type", "action"],
            registry=self.registry,
        )
        self.origin_contradictions = Counter(
            "regional_llm:origin_contradictions",
            "Detected values pointing to a country the region does not accept (refused or flagged), by "
            "that country.",
            [*names, "country"],
            registry=self.registry,
        )
        self.prompt_tokens = Counter(
            "regional_llm:prompt_tokens", "Prompt tokens processed.", names, registry=self.registry
        )
        self.generation_tokens = Counter(
            "regional_llm:generation_tokens", "Tokens generated.", names, registry=self.registry
        )
        self.time_to_first_token = Histogram(
            "regional_llm:time_to_first_token_seconds",
            "From the request's arrival to its first generated token.",
            names,
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.inter_token_latency = Histogram(
            "regional_llm:inter_token_latency_seconds",
            "Between consecutive generated tokens of one request.",
            names,
            buckets=_ITL_BUCKETS,
            registry=self.registry,
        )
        self.e2e_request_latency = Histogram(
            "regional_llm:e2e_request_latency_seconds",
            "From the request's arrival to its last generated token.",
            names,
            buckets=_E2E_BUCKETS,
            registry=self.registry,
        )

        self.request_stage = Histogram(
            "regional_llm:request_stage_seconds",
            "Time of each stage of a generation request (origin, pii_detect, pii_anonymize, tokenize, "
            "queue, first_token, restore, audit); the same values as its Server-Timing header.",
            [*names, "stage"],
            buckets=_STAGE_BUCKETS,
            registry=self.registry,
        )

    def observe_admission(self, state: Callable[[], tuple[int, int | None]]) -> None:
        """Report the replica's places, `(in flight, bound)` as `state` reads them, on every scrape."""
        self.registry.register(_AdmissionCollector(state, self._labels))

    def stages(self, seconds: Mapping[str, float]) -> None:
        """Record the stage times of one request."""
        for stage, value in seconds.items():
            self.request_stage.labels(**self._labels, stage=stage).observe(value)

    def pii_seen(self, counts: Mapping[tuple[str, str], int]) -> None:
        """Count detected entities by type and the action taken (never their values)."""
        for (entity_type, action), count in counts.items():
            self.pii_entities.labels(**self._labels, entity_type=entity_type, action=action).inc(count)

    def origin_contradicted(self, contradictions: Mapping[tuple[str, str], int]) -> None:
        """Count detected values that contradict the origin tag, by country (an ISO code: the label set
        stays bounded; anything else counts as `ZZ`)."""
        for (_, country), count in contradictions.items():
            shown = country if country in ISO_3166_ALPHA2 else "ZZ"
            self.origin_contradictions.labels(**self._labels, country=shown).inc(count)

    def refused(self, code: str) -> None:
        """Count a refusal by its error code."""
        self.request_refused.labels(**self._labels, code=code).inc()

    def finished(
        self, reason: str, prompt_tokens: int, generated: int, ttft: float | None, e2e: float
    ) -> None:
        """Record one finished (or aborted) generation."""
        self.request_success.labels(**self._labels, finished_reason=reason).inc()
        self.prompt_tokens.labels(**self._labels).inc(prompt_tokens)
        self.generation_tokens.labels(**self._labels).inc(generated)
        if ttft is not None:
            self.time_to_first_token.labels(**self._labels).observe(ttft)
        self.e2e_request_latency.labels(**self._labels).observe(e2e)

    def token_gap(self, seconds: float) -> None:
        """Record the time between two generated tokens."""
        self.inter_token_latency.labels(**self._labels).observe(seconds)
