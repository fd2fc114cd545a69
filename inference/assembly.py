"""What a server is made of, built from its `Settings`: who may call, the privacy screen, the audit
trail, the verified builds and the engine's configuration, and at last the `ServingContext`.

`regional-llm serve` calls these in start-up order, and tests build in-process apps with them (with an
engine of their own). A refusal is a `StartupError` whose one line names the setting, file or build.
"""

from __future__ import annotations

import logging
import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from inference.audit.store import AuditStore, StoreUnavailable, open_store
from inference.audit.trail import Auditor
from inference.audit.writer import AuditWriter
from inference.builds.manifest import ModelBuild
from inference.builds.verify import verify_build
from inference.catalog import AnyLoaded, Catalog
from inference.config import ServeSettings, Settings
from inference.engines.base import BuildRejected, Engine, EngineConfig, VerifiedAdapter
from inference.errors import BuildVerificationError, ConfigError
from inference.logs import STARTUP_LOGGER, exception_summary
from inference.policy.region import RegionPolicy
from inference.privacy.detector import PiiDetector
from inference.privacy.screen import MissingPiiKey, PrivacyScreen

if TYPE_CHECKING:
    from inference.api.auth import Authenticator
    from inference.api.context import ServingContext

# Start-up lines keep the command's logger name, whichever module writes them.
log = logging.getLogger(STARTUP_LOGGER)  # start-up lines keep the files and addresses they name


class StartupError(Exception):
    """Why a server, or a command that reads the same settings, cannot start. `str()` is one line."""


class SettingRefused(StartupError):
    """A setting, or a file a setting names, is wrong or unsafe: the configuration must change."""


class StartFailed(StartupError):
    """A build, the engine or the audit store failed although the settings are valid."""


def build_authenticator(settings: ServeSettings) -> Authenticator:
    """Who may call, from the grants file and the TLS settings (whose cross-field rules `ServeSettings`
    checked already); refuses files that cannot be loaded."""
    from inference.api.auth import PUBLIC_HEALTH_PATHS, PUBLIC_METRICS_PATHS, Authenticator
    from inference.api.tls import server_context
    from inference.policy.grants import GrantsSource

    if settings.ssl_certfile is not None:
        try:
            server_context(settings.ssl_certfile, settings.ssl_keyfile, settings.ssl_ca_certs)
        except OSError as exc:
            # An SSLError names the OpenSSL reason (PEM_LIB, KEY_VALUES_MISMATCH, ...), never file contents.
            reason = exc.reason if isinstance(exc, ssl.SSLError) else exc.strerror
            files = [
                str(f) for f in (settings.ssl_certfile, settings.ssl_keyfile, settings.ssl_ca_certs) if f
            ]
            raise SettingRefused(
                f"setting ssl_certfile, ssl_keyfile or ssl_ca_certs: cannot load {', '.join(files)}: "
                f"{reason or 'not a PEM certificate or key'}"
            ) from None
    grants = None
    if settings.api_keys_file is not None:
        try:
            grants = GrantsSource(settings.api_keys_file)
        except ConfigError as exc:
            raise SettingRefused(str(exc)) from None
    public = (PUBLIC_HEALTH_PATHS if settings.public_health else frozenset()) | (
        PUBLIC_METRICS_PATHS if settings.public_metrics else frozenset()
    )
    authenticator = Authenticator(grants, settings.ssl_ca_certs is not None, public)
    if grants is not None:
        log.info(
            "callers: %d API keys and %d certificate grants from %s%s",
            len(grants.index.grants.api_keys),
            len(grants.index.grants.client_certificates),
            settings.api_keys_file,
            f"; client certificates checked against {settings.ssl_ca_certs}" if settings.ssl_ca_certs else "",
        )
    elif settings.insecure_no_auth:
        log.warning("callers: not identified (--insecure-no-auth): anyone who can connect is served")
    return authenticator


def build_privacy_screen(settings: Settings, region: RegionPolicy) -> PrivacyScreen:
    """The region's privacy stage; refuses a bad or missing PII key and an NER model that cannot load."""
    try:
        key = settings.read_pii_key()
    except ValueError as exc:
        raise SettingRefused(f"setting {exc}") from None
    recognizer = None
    if settings.ner_model is not None:
        from inference.privacy.ner import TransformersNer

        try:
            recognizer = TransformersNer(settings.ner_model)
        except Exception as exc:
            raise SettingRefused(
                f"setting ner_model: cannot load {settings.ner_model}: {exception_summary(exc)}"
            ) from None
    detector = PiiDetector(settings.pii_scanner, recognizer)
    try:
        return PrivacyScreen(detector, region.privacy, key)
    except MissingPiiKey as exc:
        raise SettingRefused(
            f"region {region.id}: {exc} (set REGIONAL_LLM_PII_KEY_FILE or REGIONAL_LLM_PII_KEY)"
        ) from None


def read_audit_key(settings: Settings) -> bytes:
    """The audit chain's key (generated beside an embedded store on first use); refuses a bad one."""
    try:
        return settings.read_audit_key()
    except ValueError as exc:
        raise SettingRefused(f"setting {exc}") from None


def open_audit_store(settings: Settings) -> AuditStore:
    """The configured audit store, not yet connected; refuses a URL it cannot use."""
    try:
        return open_store(settings.audit_store_url)
    except ValueError as exc:
        raise SettingRefused(f"setting audit_url: {exc}") from None


def build_auditor(
    settings: Settings, region: RegionPolicy, build: ModelBuild, privacy: PrivacyScreen
) -> Auditor:
    """The audit writer, connected: a store that cannot be reached stops the start."""
    key = read_audit_key(settings)
    writer = AuditWriter(open_audit_store(settings), key)
    try:
        writer.start()
    except StoreUnavailable as exc:
        raise StartFailed(str(exc)) from None
    log.info("audit trail in %s", writer.store.shown)
    return Auditor(writer, key, region.id, build.id, build.digest, region.audit.text, privacy)


@dataclass(frozen=True)
class ServingPlan:
    """What a server serves: its region's policy and its builds, verified, as the engine is given them."""

    region: RegionPolicy
    engine_config: EngineConfig

    @property
    def build(self) -> ModelBuild:
        return self.engine_config.build


def plan_serving(settings: Settings, catalog: Catalog) -> ServingPlan:
    """Choose the region and build the settings name, and verify the SHA-256 of every file of the build
    and of the adapter builds the region serves on it."""
    try:
        region = catalog.region(settings.region)
        loaded = catalog.build_for(region, settings.build)
    except ConfigError as exc:
        raise SettingRefused(str(exc)) from None
    folder = _verified(loaded, settings)
    adapters = tuple(
        VerifiedAdapter(adapter.build, _verified(adapter, settings))
        for adapter in catalog.adapters_for(region, loaded.build)
    )
    config = EngineConfig(
        build=loaded.build,
        folder=folder,
        threads=settings.threads,
        max_num_seqs=settings.max_num_seqs,
        max_num_queued_reqs=settings.max_num_queued_reqs,
        adapters=adapters,
    )
    return ServingPlan(region.policy, config)


def _verified(pinned: AnyLoaded, settings: Settings) -> Path:
    try:
        folder = verify_build(pinned, settings.cache_dir)
    except BuildVerificationError as exc:
        raise StartFailed(f"{pinned.shown}: {exc}") from None
    log.info("build %s verified (%d files)", pinned.build.reference, len(pinned.build.files))
    return folder


def create_engine(settings: Settings, plan: ServingPlan) -> Engine:
    """The engine the settings name, not started; refuses one that is not installed or that cannot
    serve the plan's adapter builds."""
    from inference.engines.registry import EngineNotInstalled
    from inference.engines.registry import create_engine as create_named

    config = plan.engine_config
    try:
        engine = create_named(settings.engine, config)
    except EngineNotInstalled as exc:
        raise SettingRefused(str(exc)) from None
    if config.adapters and not engine.serves_adapters:
        raise SettingRefused(
            f"region {plan.region.id} lists LoRA adapter builds on {config.build.id} "
            f"({', '.join(a.build.id for a in config.adapters)}); the {settings.engine} engine serves "
            "no adapters: use --engine vllm"
        )
    return engine


async def start_serving(
    settings: ServeSettings,
    plan: ServingPlan,
    *,
    privacy: PrivacyScreen | None = None,
    engine: Engine | None = None,
    authenticator: Authenticator | None = None,
) -> ServingContext:
    """Connect the audit trail, start the engine and return the serving context. What is not given is
    built from the settings: the privacy screen, the engine (`create_engine`), the authenticator."""
    from inference.api.context import ServingContext
    from inference.metrics import ServiceMetrics

    region, build = plan.region, plan.build
    privacy = privacy if privacy is not None else build_privacy_screen(settings, region)
    authenticator = authenticator if authenticator is not None else build_authenticator(settings)
    auditor = build_auditor(settings, region, build, privacy)
    engine = engine if engine is not None else create_engine(settings, plan)
    try:
        await engine.start()
    except BuildRejected as exc:
        raise SettingRefused(str(exc)) from None
    except Exception as exc:
        raise StartFailed(
            f"engine {settings.engine} could not load build {build.id}: {exception_summary(exc)}"
        ) from None
    return ServingContext(
        region=region,
        build=build,
        engine=engine,
        metrics=ServiceMetrics(region.id, build.id, build.digest, engine.stats),
        privacy=privacy,
        auditor=auditor,
        adapters=tuple(a.build for a in plan.engine_config.adapters),
        authenticator=authenticator,
    )
