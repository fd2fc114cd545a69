"""What every request handler is given: the region, the verified build, the engine, the metrics."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from inference.api.admission import Admission
from inference.api.auth import Authenticator
from inference.audit.trail import Auditor
from inference.builds.manifest import AdapterBuild, ModelBuild
from inference.engines.base import Engine
from inference.errors import ModelNotFound
from inference.metrics import ServiceMetrics
from inference.policy.identity import Caller
from inference.policy.region import RegionPolicy
from inference.privacy.identifiers import plain_identifier
from inference.privacy.screen import PrivacyScreen


@dataclass(frozen=True)
class ServedModel:
    """What a request's `model` resolved to: the served build, or one of its LoRA adapter builds on it."""

    build: ModelBuild
    adapter: AdapterBuild | None = None

    @property
    def pinned(self) -> ModelBuild | AdapterBuild:
        """The build the answer comes from: the adapter if there is one."""
        return self.adapter or self.build

    @property
    def id(self) -> str:
        return self.pinned.id

    @property
    def adapter_id(self) -> str | None:
        """The adapter build the engine applies, if any."""
        return self.adapter.id if self.adapter is not None else None

    @property
    def digest(self) -> str:
        return self.pinned.digest

    @property
    def reference(self) -> str:
        return self.pinned.reference


@dataclass
class ServingContext:
    """The state of one serving process, built by `inference.assembly` once the engine has started."""

    region: RegionPolicy
    build: ModelBuild
    engine: Engine
    metrics: ServiceMetrics
    privacy: PrivacyScreen
    auditor: Auditor
    adapters: tuple[AdapterBuild, ...] = ()
    authenticator: Authenticator = field(default_factory=Authenticator)
    started: int = field(default_factory=lambda: int(time.time()))
    admission: Admission = field(init=False)
    """The replica's places for sequences in flight (see `inference.api.admission`)."""

    def __post_init__(self) -> None:
        # The engine has started, so its bound is known (under vLLM, from vLLM's own max_num_seqs).
        self.admission = Admission(self.engine.stats().max_num_queued_reqs)
        self.metrics.observe_admission(self.admission.state)
        # The authenticator is built before the privacy stage (a bad grants file stops the start sooner);
        # the labels callers give themselves are screened by the region's detector like every other name.
        if self.authenticator.detector is None:
            self.authenticator.detector = self.privacy.detector

    def served(self, caller: Caller | None = None) -> list[ServedModel]:
        """Every model this server answers for (to `caller`, if given): its build, then the adapter
        builds on it."""
        every = [ServedModel(self.build), *(ServedModel(self.build, a) for a in self.adapters)]
        return every if caller is None else [s for s in every if caller.may_use(s.id)]

    def resolve_model(self, name: str, caller: Caller | None = None) -> ServedModel:
        """The build a request's `model` names, or 404 `model_not_found`: never a silent fallback. A build
        outside the caller's grant is not found either, with the same message: a caller learns nothing
        of the builds it may not use."""
        for served in self.served(caller):
            if served.pinned.answers_to(name):
                return served
        # Echo the name only when it is a plain identifier the detector finds clean: a request field may
        # carry anything, an IBAN shaped like an id included.
        shown = (
            f"The model {name!r}"
            if plain_identifier(name, self.privacy.detector) is not None
            else "The requested model"
        )
        raise ModelNotFound(
            f"{shown} does not exist or is not served in region {self.region.id}. "
            "GET /v1/models lists what is.",
            param="model",
        )
