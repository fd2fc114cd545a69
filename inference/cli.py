"""The `regional-llm` command."""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import json
import logging
import re
import signal
import ssl
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from inference import __version__
from inference.audit.store import AuditStore, StoreUnavailable, open_store
from inference.audit.trail import Auditor
from inference.audit.writer import AuditWriter
from inference.builds.manifest import AdapterBuild, ModelBuild
from inference.builds.verify import folder_files, sha256_file, verify_build
from inference.catalog import AnyLoaded, Catalog, LoadedBuild, display_path, load_catalog
from inference.config import Settings
from inference.configfile import first_error
from inference.engines.base import BuildRejected, EngineConfig, VerifiedAdapter
from inference.errors import BuildVerificationError, ConfigError
from inference.logs import configure_logging, exception_summary
from inference.policy.region import RegionPolicy
from inference.privacy.detector import PiiDetector
from inference.privacy.logfilter import install_log_filter
from inference.privacy.screen import MissingPiiKey, PrivacyScreen

if TYPE_CHECKING:
    from inference.api.auth import Authenticator

log = logging.getLogger("inference.cli")

EXIT_FAILURE = 1
EXIT_CONFIG = 2

_MAIN_EPILOG = """\
examples:
  regional-llm serve                          # demo region eu-central-1, demo model, 127.0.0.1:8000
  regional-llm serve --region us-east-1 --port 8001
  regional-llm policy check                   # validate every region policy and build manifest
  regional-llm models list
  regional-llm models verify eu-smollm2-135m-demo
  regional-llm models hash ./weights/my-build # digests for a new build manifest
  regional-llm keys create --label eu-storefront --origins EU   # prints the secret once

Every `serve` option is also an environment variable REGIONAL_LLM_<OPTION> (e.g. REGIONAL_LLM_REGION).
Exit status: 0 ok, 1 a build failed verification or the engine failed, 2 bad usage or configuration.
"""

_SERVE_EPILOG = """\
Start-up order: load and cross-check every region policy and build manifest, verify the SHA-256 of
every file of the chosen build, load the engine, then listen. Any failure stops the start with one
line naming the file, field and value (exit 2) or the build and file (exit 1).

Generation endpoints require the X-Data-Origin header, e.g.:
  curl http://127.0.0.1:8000/v1/chat/completions -H 'X-Data-Origin: DE' \\
    -H 'Content-Type: application/json' \\
    -d '{"model": "assistant", "messages": [{"role": "user", "content": "Hello"}]}'
"""


_ANONYMIZE_EPILOG = """\
examples:
  echo 'Hi, I am Anna Schmidt, anna@example.de' | regional-llm anonymize
  regional-llm anonymize --format jsonl < messages.jsonl > messages.anonymized.jsonl
  regional-llm anonymize --format csv < salesforce-report.csv > report.anonymized.csv

jsonl lines in: {"id": ..., "text": ...}; out: {"id", "text", "entities": [{"type", "start", "end"}]},
offsets into the original text. A malformed line is reported on standard error with its number and
skipped; the exit status is then 1.
"""


class CliError(Exception):
    """A failure to report on one line, with its exit status."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


def _fail(message: str, status: int) -> int:
    print(f"regional-llm: error: {message}", file=sys.stderr)
    return status


def _settings(args: argparse.Namespace) -> Settings:
    """Settings from the environment, overridden by the flags that were given."""
    names = set(Settings.model_fields)
    overrides: dict[str, Any] = {k: v for k, v in vars(args).items() if k in names and v is not None}
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        field, message = first_error(exc)
        raise CliError(
            f"setting {field} (flag --{field.replace('_', '-')} or REGIONAL_LLM_{field.upper()}): {message}",
            EXIT_CONFIG,
        ) from None


def _catalog(settings: Settings) -> Catalog:
    catalog = load_catalog(settings.regions_dir, settings.models_dir)
    if catalog.errors:
        for error in catalog.errors[:-1]:
            print(f"regional-llm: error: {error}", file=sys.stderr)
        raise CliError(str(catalog.errors[-1]), EXIT_CONFIG)
    return catalog


def _add_location_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--regions-dir", type=Path, help="folder of region policy files (default: regions/)")
    parser.add_argument("--models-dir", type=Path, help="folder of build manifests (default: models/)")


def _add_cache_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--cache-dir",
        type=Path,
        help="where converted model folders are cached (default: ~/.cache/regional-llm)",
    )


# --- serve -------------------------------------------------------------------------------------------


def cmd_serve(args: argparse.Namespace) -> int:
    """Verify the build, start the engine, serve the API until SIGINT or SIGTERM."""
    settings = _settings(args)
    configure_logging(settings.log_level)
    authenticator = build_authenticator(settings)
    catalog = _catalog(settings)
    try:
        region = catalog.region(settings.region)
        loaded = catalog.build_for(region, settings.build)
    except ConfigError as exc:
        raise CliError(str(exc), EXIT_CONFIG) from None
    adapters = []
    pinned_builds: list[AnyLoaded] = [loaded, *catalog.adapters_for(region, loaded.build)]
    for pinned in pinned_builds:
        try:
            folder = verify_build(pinned, settings.cache_dir)
        except BuildVerificationError as exc:
            raise CliError(f"{pinned.shown}: {exc}", EXIT_FAILURE) from None
        log.info("build %s verified (%d files)", pinned.build.reference, len(pinned.build.files))
        if isinstance(pinned.build, AdapterBuild):
            adapters.append(VerifiedAdapter(pinned.build, folder))
        else:
            base_folder = folder
    config = EngineConfig(
        build=loaded.build,
        folder=base_folder,
        threads=settings.threads,
        max_num_seqs=settings.max_num_seqs,
        adapters=tuple(adapters),
    )
    return asyncio.run(_serve(settings, region.policy, loaded, config, authenticator))


async def _serve(
    settings: Settings,
    region: RegionPolicy,
    loaded: LoadedBuild[ModelBuild],
    config: EngineConfig,
    authenticator: Authenticator,
) -> int:
    import uvicorn

    from inference.api.app import create_app
    from inference.api.context import ServingContext
    from inference.api.tls import tls_protocol
    from inference.engines.registry import EngineNotInstalled, create_engine
    from inference.metrics import ServiceMetrics

    privacy = build_privacy_screen(settings, region)
    install_log_filter(privacy.detector)
    auditor = build_auditor(settings, region, loaded, privacy)
    try:
        engine = create_engine(settings.engine, config)
    except EngineNotInstalled as exc:
        raise CliError(str(exc), EXIT_CONFIG) from None
    if config.adapters and not engine.serves_adapters:
        raise CliError(
            f"region {region.id} lists LoRA adapter builds on {loaded.build.id} "
            f"({', '.join(a.build.id for a in config.adapters)}); the {settings.engine} engine serves "
            "no adapters: use --engine vllm",
            EXIT_CONFIG,
        )
    try:
        await engine.start()
    except BuildRejected as exc:
        raise CliError(str(exc), EXIT_CONFIG) from None
    except Exception as exc:
        raise CliError(
            f"engine {settings.engine} could not load build {loaded.build.id}: {exception_summary(exc)}",
            EXIT_FAILURE,
        ) from None
    metrics = ServiceMetrics(region.id, loaded.build.id, loaded.build.digest, engine.stats)
    context = ServingContext(
        region=region,
        build=loaded.build,
        engine=engine,
        metrics=metrics,
        privacy=privacy,
        auditor=auditor,
        adapters=tuple(a.build for a in config.adapters),
        authenticator=authenticator,
    )
    tls: dict[str, Any] = {}
    if settings.ssl_certfile is not None:
        # Client certificates are requested, not required, by the TLS layer (probes have none); the app
        # requires an identity on every endpoint that is not public.
        tls = {
            "ssl_certfile": settings.ssl_certfile,
            "ssl_keyfile": settings.ssl_keyfile,
            "ssl_ca_certs": settings.ssl_ca_certs,
            "ssl_cert_reqs": ssl.CERT_OPTIONAL if settings.ssl_ca_certs is not None else ssl.CERT_NONE,
            "http": tls_protocol(),
        }
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(context),
            host=settings.host,
            port=settings.port,
            log_config=None,
            access_log=False,
            timeout_graceful_shutdown=int(settings.graceful_shutdown_seconds),
            **tls,
        )
    )
    log.info(
        "serving region %s (%s) with build %s on %s://%s:%d",
        region.id,
        region.jurisdiction,
        loaded.build.id,
        "https" if tls else "http",
        settings.host,
        settings.port,
    )
    # uvicorn re-raises a captured SIGTERM once its graceful shutdown is done, to the handler that was
    # installed before it; this one lets the process finish its own shutdown and exit 0.
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: None)
    try:
        await server.serve()
    finally:
        await engine.shutdown()
        # Every request has finished and awaited its record; this flushes nothing left behind.
        await asyncio.to_thread(auditor.writer.close)
        signal.signal(signal.SIGTERM, previous)
    return 0 if server.started else EXIT_FAILURE


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def build_authenticator(settings: Settings) -> Authenticator:
    """Who may call, from the grants file and the TLS settings; refuses settings that would serve an
    address beyond loopback to anyone, unless told `--insecure-no-auth`."""
    from inference.api.auth import PUBLIC_HEALTH_PATHS, PUBLIC_METRICS_PATHS, Authenticator
    from inference.api.tls import server_context
    from inference.policy.grants import GrantsSource

    for name in ("ssl_keyfile", "ssl_ca_certs"):
        if getattr(settings, name) is not None and settings.ssl_certfile is None:
            raise CliError(f"setting {name} needs ssl_certfile (REGIONAL_LLM_SSL_CERTFILE)", EXIT_CONFIG)
    if settings.ssl_ca_certs is not None and settings.api_keys_file is None:
        raise CliError(
            "setting ssl_ca_certs needs api_keys_file (REGIONAL_LLM_API_KEYS_FILE): its client_certificates "
            "map certificates to grants",
            EXIT_CONFIG,
        )
    identified = settings.api_keys_file is not None or settings.ssl_ca_certs is not None
    if identified and settings.insecure_no_auth:
        raise CliError(
            "setting insecure_no_auth contradicts api_keys_file and ssl_ca_certs: callers are identified",
            EXIT_CONFIG,
        )
    if settings.ssl_certfile is not None:
        try:
            server_context(settings.ssl_certfile, settings.ssl_keyfile, settings.ssl_ca_certs)
        except OSError as exc:
            # An SSLError names the OpenSSL reason (PEM_LIB, KEY_VALUES_MISMATCH, ...), never file contents.
            reason = exc.reason if isinstance(exc, ssl.SSLError) else exc.strerror
            files = [
                str(f) for f in (settings.ssl_certfile, settings.ssl_keyfile, settings.ssl_ca_certs) if f
            ]
            raise CliError(
                f"setting ssl_certfile, ssl_keyfile or ssl_ca_certs: cannot load {', '.join(files)}: "
                f"{reason or 'not a PEM certificate or key'}",
                EXIT_CONFIG,
            ) from None
    if not identified and not _is_loopback(settings.host) and not settings.insecure_no_auth:
        raise CliError(
            f"setting host: {settings.host} is not a loopback address and no caller identity is configured; "
            "set api_keys_file (REGIONAL_LLM_API_KEYS_FILE, see `regional-llm keys create`), or pass "
            "--insecure-no-auth to serve anyone who can connect",
            EXIT_CONFIG,
        )
    grants = None
    if settings.api_keys_file is not None:
        try:
            grants = GrantsSource(settings.api_keys_file)
        except ConfigError as exc:
            raise CliError(str(exc), EXIT_CONFIG) from None
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
    """The region's privacy stage, or a `CliError` (bad key, missing key, unloadable NER model)."""
    try:
        key = settings.read_pii_key()
    except ValueError as exc:
        raise CliError(f"setting {exc}", EXIT_CONFIG) from None
    recognizer = None
    if settings.ner_model is not None:
        from inference.privacy.ner import TransformersNer

        try:
            recognizer = TransformersNer(settings.ner_model)
        except Exception as exc:
            raise CliError(
                f"setting ner_model: cannot load {settings.ner_model}: {exception_summary(exc)}", EXIT_CONFIG
            ) from None
    detector = PiiDetector(settings.pii_scanner, recognizer)
    try:
        return PrivacyScreen(detector, region.privacy, key)
    except MissingPiiKey as exc:
        raise CliError(
            f"region {region.id}: {exc} (set REGIONAL_LLM_PII_KEY_FILE or REGIONAL_LLM_PII_KEY)", EXIT_CONFIG
        ) from None


def _audit_key(settings: Settings) -> bytes:
    try:
        return settings.read_audit_key()
    except ValueError as exc:
        raise CliError(f"setting {exc}", EXIT_CONFIG) from None


def _audit_store(settings: Settings) -> AuditStore:
    try:
        return open_store(settings.audit_store_url)
    except ValueError as exc:
        raise CliError(f"setting audit_url: {exc}", EXIT_CONFIG) from None


@contextmanager
def _opened_store(settings: Settings) -> Iterator[AuditStore]:
    """The configured store, closed afterwards; an unreachable one becomes a one-line error."""
    store = _audit_store(settings)
    try:
        yield store
    except StoreUnavailable as exc:
        raise CliError(str(exc), EXIT_FAILURE) from None
    finally:
        store.close()


def build_auditor(
    settings: Settings, region: RegionPolicy, loaded: LoadedBuild[ModelBuild], privacy: PrivacyScreen
) -> Auditor:
    """The audit writer, connected: a store that cannot be reached stops the start."""
    key = _audit_key(settings)
    writer = AuditWriter(_audit_store(settings), key)
    try:
        writer.start()
    except StoreUnavailable as exc:
        raise CliError(str(exc), EXIT_FAILURE) from None
    log.info("audit trail in %s", writer.store.shown)
    return Auditor(writer, key, region.id, loaded.build.id, loaded.build.digest, region.audit.text, privacy)


# --- policy ------------------------------------------------------------------------------------------


def cmd_policy_check(args: argparse.Namespace) -> int:
    """Load and cross-check every region policy and build manifest."""
    settings = _settings(args)
    catalog = _catalog(settings)
    for loaded in catalog.regions.values():
        policy = loaded.policy
        print(
            f"ok  {loaded.shown}: region {policy.id} ({policy.jurisdiction}), "
            f"{len(policy.accepted_origins)} accepted origins, builds: {', '.join(policy.builds)}"
        )
    adapters = f" ({len(catalog.adapters)} of them LoRA adapters)" if catalog.adapters else ""
    print(f"{len(catalog.regions)} regions and {len(catalog.pinned())} builds{adapters} are consistent")
    return 0


# --- models ------------------------------------------------------------------------------------------


def cmd_models_list(args: argparse.Namespace) -> int:
    """List build manifests and which regions may serve each."""
    settings = _settings(args)
    catalog = _catalog(settings)
    rows = [("BUILD", "KIND", "JURISDICTION", "ALIASES", "REGIONS", "DIGEST", "MANIFEST")]
    for build_id, loaded in sorted(catalog.pinned().items()):
        build = loaded.build
        regions = [r.policy.id for r in catalog.regions.values() if build_id in r.policy.builds]
        if args.region and args.region not in regions:
            continue
        kind = f"lora:{build.base}" if isinstance(build, AdapterBuild) else "model"
        rows.append(
            (
                build_id,
                kind,
                build.jurisdiction,
                ",".join(build.aliases) or "-",
                ",".join(regions) or "-",
                f"sha256:{build.digest[:16]}",
                loaded.shown,
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
    return 0


def cmd_models_verify(args: argparse.Namespace) -> int:
    """Verify the digests of the named builds (all builds if none is named)."""
    settings = _settings(args)
    catalog = _catalog(settings)
    pinned = catalog.pinned()
    names = args.builds or sorted(pinned)
    unknown = [n for n in names if n not in pinned]
    if unknown:
        raise CliError(
            f"no build manifest has id {unknown[0]!r} (see: regional-llm models list)", EXIT_CONFIG
        )
    failed = 0
    for name in names:
        loaded = pinned[name]
        try:
            folder = verify_build(loaded, settings.cache_dir)
        except BuildVerificationError as exc:
            failed += 1
            print(f"FAILED  {loaded.shown}: {exc}")
            continue
        print(f"ok      {loaded.build.reference} ({len(loaded.build.files)} files in {display_path(folder)})")
    return EXIT_FAILURE if failed else 0


def cmd_models_hash(args: argparse.Namespace) -> int:
    """Print the `files:` section of a manifest for every file in a folder."""
    folder: Path = args.folder
    if not folder.is_dir():
        raise CliError(f"{folder} is not a folder", EXIT_CONFIG)
    print("files:")
    for path in folder_files(folder):
        print(f"  - path: {path}\n    sha256: {sha256_file(folder / path)}")
    return 0


def _region_screen(args: argparse.Namespace) -> tuple[RegionPolicy, PrivacyScreen]:
    """The region named by the flags (or the environment) and its privacy stage."""
    settings = _settings(args)
    catalog = _catalog(settings)
    try:
        region = catalog.region(settings.region).policy
    except ConfigError as exc:
        raise CliError(str(exc), EXIT_CONFIG) from None
    return region, build_privacy_screen(settings, region)


# --- audit -------------------------------------------------------------------------------------------


def parse_time(value: str) -> str:
    """A point in time as records store it (ISO 8601 UTC, milliseconds): `2026-11-27`,
    `2026-11-27T14:00`, `2026-11-27T14:00:00+01:00`, or a span back from now, `72h` or `30d`."""
    relative = re.fullmatch(r"(\d+)([hd])", value.strip())
    if relative:
        amount = int(relative.group(1))
        delta = timedelta(hours=amount) if relative.group(2) == "h" else timedelta(days=amount)
        moment = datetime.now(UTC) - delta
    else:
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{value!r} is not a time: use 2026-11-27, 2026-11-27T14:00, 2026-11-27T14:00:00Z, 72h or 30d"
            ) from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def cmd_audit_verify(args: argparse.Namespace) -> int:
    """Verify the hash chain and print its head."""
    from tqdm import tqdm

    from inference.audit.verify import verify_chain

    settings = _settings(args)
    key = _audit_key(settings)
    bar = tqdm(
        desc="verifying", unit=" records", file=sys.stderr, disable=not sys.stderr.isatty(), leave=False
    )
    with _opened_store(settings) as store, bar:
        result = verify_chain(store, key, bar.update)
    if not result.ok:
        print(f"FAILED  {store.shown}: {result.problem} ({result.records} records verified before it)")
        return EXIT_FAILURE
    span = f"seq {result.first_seq}..{result.head_seq}" if result.records else "empty"
    print(
        f"ok  {store.shown}: {result.records} records ({span}); "
        f"head seq={result.head_seq} hash={result.head_hash}"
    )
    return 0


def cmd_audit_export(args: argparse.Namespace) -> int:
    """Write records as JSON lines or CSV to standard output."""
    from inference.audit.report import export
    from inference.audit.store import Filters

    filters = Filters(
        since=args.since, until=args.until, origin=args.origin, decision=args.decision, build=args.build_id
    )
    with _opened_store(_settings(args)) as store:
        count = export(store.records(filters), sys.stdout, args.format)
    print(f"{count} records exported", file=sys.stderr)
    return 0


def cmd_audit_purge(args: argparse.Namespace) -> int:
    """Delete records older than the region's retention; the chain goes on from an anchor."""
    import uuid

    from inference.audit.record import AuditRecord, writer_label
    from inference.audit.writer import utc_now

    settings = _settings(args)
    try:
        region = _catalog(settings).region(settings.region).policy
    except ConfigError as exc:
        raise CliError(str(exc), EXIT_CONFIG) from None
    key = _audit_key(settings)
    days = region.audit.retention_days
    cutoff = parse_time(f"{days}d")
    notice = AuditRecord(
        record_id=uuid.uuid4().hex,
        time=utc_now(),
        request_id="-",
        region=region.id,
        endpoint="audit.purge",
        identity="regional-llm audit purge",
        origins="",
        build="-",
        build_digest="-",
        decision="purge",
        reason=f"retention {days} days: records before {cutoff}",
        status=0,
        writer=writer_label(),
    )
    with _opened_store(settings) as store:
        deleted = store.purge(cutoff, key, notice)
    print(
        f"{deleted} records older than {days} days deleted from {store.shown}; "
        f"the purge is recorded as seq {notice.seq}"
    )
    return 0


def cmd_audit_incident(args: argparse.Namespace) -> int:
    """Print the facts of a time window for a breach notification, as Markdown or JSON."""
    from inference.audit.report import incident, incident_markdown
    from inference.audit.store import Filters

    with _opened_store(_settings(args)) as store:
        facts = incident(store.records(Filters(since=args.since, until=args.until)), args.since, args.until)
    print(json.dumps(facts, indent=2) if args.format == "json" else incident_markdown(facts), end="\n")
    return 0


# --- anonymize ---------------------------------------------------------------------------------------


def cmd_anonymize(args: argparse.Namespace) -> int:
    """Anonymize standard input to standard output by a region's privacy policy."""
    from inference.privacy.cli_anonymize import FORMATS

    region, screen = _region_screen(args)
    # Read and write UTF-8 whatever the locale says, and keep CSV line endings as they are.
    source = open(sys.stdin.fileno(), encoding="utf-8", newline="", closefd=False)  # noqa: SIM115
    sink = open(sys.stdout.fileno(), "w", encoding="utf-8", newline="", closefd=False)  # noqa: SIM115
    try:
        return FORMATS[args.format](screen, region.id, source, sink)
    except UnicodeDecodeError:
        raise CliError("standard input is not UTF-8 text", EXIT_FAILURE) from None
    finally:
        sink.flush()


# --- bench -------------------------------------------------------------------------------------------


def cmd_bench_serve(args: argparse.Namespace) -> int:
    """Measure an OpenAI-compatible endpoint (or two, side by side) under load."""
    from inference.bench import serve

    try:
        return serve.main(args)
    except (ValueError, ConfigError) as exc:
        raise CliError(str(exc), EXIT_CONFIG) from None


def cmd_bench_privacy(args: argparse.Namespace) -> int:
    """Time the privacy stage against presidio-analyzer on the same messages."""
    from inference.bench.privacy import render, run_privacy_bench, write_json

    region, screen = _region_screen(args)
    if not args.no_presidio:
        try:
            import presidio_analyzer  # noqa: F401
        except ImportError:
            raise CliError(
                "presidio-analyzer is not installed: pip install 'regional-llm[bench]', or --no-presidio",
                EXIT_CONFIG,
            ) from None
    result = run_privacy_bench(
        screen,
        region.id,
        size=args.size,
        rounds=args.rounds,
        compare_presidio=not args.no_presidio,
        progress=sys.stderr.isatty(),
    )
    print(render(result))
    if args.json is not None:
        write_json(result, args.json)
    return 0


# --- keys --------------------------------------------------------------------------------------------

_KEYS_EPILOG = """\
examples:
  regional-llm keys create --label eu-storefront --origins EU --builds eu-smollm2-135m-demo --rate 600
  regional-llm keys create --label crm-de --origins DE,AT --expires 2027-06-30
  regional-llm keys list
  regional-llm keys revoke 3f9a2b1c4d5e

The grants file is --keys-file, else REGIONAL_LLM_API_KEYS_FILE. It holds salted hashes, never a
secret; it is created mode 600 and replaced atomically, and a running server re-reads it when it
changes. `create` prints the secret once, on standard output (the rest goes to standard error): put it
in the caller's secret store right away. Client-certificate grants are written by hand (see README).
Exit status: 0 ok, 1 the file could not be written, 2 bad usage or a broken grants file.
"""


def _codes(value: str) -> list[str]:
    """`--origins DE,FR` as validated, upper-case codes."""
    from inference.policy.region import normalize_code

    try:
        return [normalize_code(code) for code in value.split(",")]
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _expiry(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a date: use 2027-06-30 or 2027-06-30T12:00:00Z"
        ) from None
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    if moment <= datetime.now(UTC):
        raise argparse.ArgumentTypeError(f"{value!r} is not in the future")
    return moment


def _keys_file(args: argparse.Namespace) -> Path:
    path: Path | None = args.keys_file or _settings(args).api_keys_file
    if path is None:
        raise CliError("no grants file: pass --keys-file or set REGIONAL_LLM_API_KEYS_FILE", EXIT_CONFIG)
    return path


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment is not None else "-"


def cmd_keys_create(args: argparse.Namespace) -> int:
    """Add an API key to the grants file and print its secret, once."""
    from inference.policy.grants import GrantsFile, new_api_key, update_grants

    path = _keys_file(args)
    builds = [b for b in (args.builds or "").split(",") if b]
    if builds:
        known = _catalog(_settings(args)).pinned()
        unknown = [b for b in builds if b not in known]
        if unknown:
            raise CliError(
                f"--builds: no build manifest has id {unknown[0]!r} (see: regional-llm models list)",
                EXIT_CONFIG,
            )
    created: list[tuple[str, str]] = []

    def add(grants: GrantsFile) -> GrantsFile:
        taken = [k.id for k in grants.api_keys]
        grant, secret = new_api_key(args.label, args.origins, builds, args.expires, args.rate, taken)
        created.append((grant.id, secret))
        return grants.model_copy(update={"api_keys": (*grants.api_keys, grant)})

    try:
        update_grants(path, add)
    except ValidationError as exc:
        field, message = first_error(exc)
        raise CliError(f"--{field.replace('_', '-')}: {message}", EXIT_CONFIG) from None
    except ConfigError as exc:
        raise CliError(str(exc), EXIT_CONFIG) from None
    except OSError as exc:
        raise CliError(f"{path}: cannot write: {exc.strerror}", EXIT_FAILURE) from None
    key_id, secret = created[0]
    print(secret)
    print(
        f"created API key {key_id} ({args.label}) in {path}; origins {','.join(args.origins)}, "
        f"builds {','.join(builds) or 'all'}, rate {args.rate or 'unlimited'}, "
        f"expires {_when(args.expires) if args.expires else 'never'}. The secret above is shown only now.",
        file=sys.stderr,
    )
    return 0


def cmd_keys_list(args: argparse.Namespace) -> int:
    """List the grants: API keys (never their secrets or hashes) and client-certificate grants."""
    from inference.policy.grants import load_grants

    path = _keys_file(args)
    try:
        grants = load_grants(path)
    except ConfigError as exc:
        raise CliError(str(exc), EXIT_CONFIG) from None
    now = datetime.now(UTC)
    rows: list[dict[str, Any]] = []
    for key in grants.api_keys:
        if key.revoked is not None and key.revoked <= now:
            status = f"revoked {_when(key.revoked)}"
        elif key.expires is not None and key.expires <= now:
            status = "expired"
        else:
            status = "active"
        rows.append(
            {
                "kind": "key",
                "id": key.id,
                "label": key.label,
                "origins": list(key.origins),
                "builds": list(key.builds),
                "rate": key.rate,
                "expires": _when(key.expires),
                "created": _when(key.created),
                "status": status,
            }
        )
    for cert in grants.client_certificates:
        expired = cert.expires is not None and cert.expires <= now
        rows.append(
            {
                "kind": "cert",
                "id": cert.name,
                "label": cert.label or "-",
                "origins": list(cert.origins),
                "builds": list(cert.builds),
                "rate": cert.rate,
                "expires": _when(cert.expires),
                "created": "-",
                "status": "expired" if expired else "active",
            }
        )
    if args.format == "json":
        for row in rows:
            print(json.dumps(row))
        return 0
    table = [("KIND", "ID", "LABEL", "ORIGINS", "BUILDS", "RATE/MIN", "EXPIRES", "STATUS")]
    for row in rows:
        table.append(
            (
                row["kind"],
                row["id"],
                row["label"],
                ",".join(row["origins"]),
                ",".join(row["builds"]) or "all",
                str(row["rate"] or "-"),
                row["expires"],
                row["status"],
            )
        )
    widths = [max(len(line[i]) for line in table) for i in range(len(table[0]))]
    for line in table:
        print("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip())
    return 0


def cmd_keys_revoke(args: argparse.Namespace) -> int:
    """Mark an API key revoked; a running server refuses it as soon as it sees the changed file."""
    from inference.policy.grants import GrantsFile, update_grants

    path = _keys_file(args)
    now = datetime.now(UTC).replace(microsecond=0)
    found: list[datetime | None] = []

    def revoke(grants: GrantsFile) -> GrantsFile:
        key = grants.key(args.key_id)
        if key is None:
            raise CliError(
                f"{path}: no API key has id {args.key_id!r} (see: regional-llm keys list)", EXIT_CONFIG
            )
        found.append(key.revoked)
        if key.revoked is not None:
            return grants
        revoked = key.model_copy(update={"revoked": now})
        keys = tuple(revoked if k.id == key.id else k for k in grants.api_keys)
        return grants.model_copy(update={"api_keys": keys})

    try:
        update_grants(path, revoke)
    except ConfigError as exc:
        raise CliError(str(exc), EXIT_CONFIG) from None
    except OSError as exc:
        raise CliError(f"{path}: cannot write: {exc.strerror}", EXIT_FAILURE) from None
    if found[0] is not None:
        print(f"API key {args.key_id} was already revoked on {_when(found[0])}")
    else:
        print(f"API key {args.key_id} revoked in {path} at {_when(now)}")
    return 0


# --- parser ------------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    """The full command-line interface."""
    parser = argparse.ArgumentParser(
        prog="regional-llm",
        description="Region-bound LLM inference: an OpenAI-compatible server that serves only its "
        "jurisdiction's model builds and refuses data from origins its region may not process.",
        epilog=_MAIN_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"regional-llm {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    serve = commands.add_parser(
        "serve",
        help="serve the OpenAI-compatible API for one region",
        description="Serve the OpenAI-compatible API for one region with one verified model build.",
        epilog=_SERVE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    serve.add_argument("--region", help="region policy id, a file in regions/ (default: eu-central-1)")
    serve.add_argument("--build", help="build id to serve (default: the region's default_build)")
    serve.add_argument(
        "--engine",
        choices=["transformers", "vllm"],
        help="inference engine: transformers (CPU reference; default) or vllm (GPU nodes; the vllm extra)",
    )
    serve.add_argument("--host", help="address to listen on (default: 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to listen on (default: 8000)")
    serve.add_argument("--threads", type=int, help="CPU threads per forward pass (default: 1)")
    serve.add_argument(
        "--max-num-seqs",
        type=int,
        help="requests generated at once, like vLLM's flag (default: transformers 4, vllm vLLM's own)",
    )
    serve.add_argument("--log-level", choices=["debug", "info", "warning", "error"])
    serve.add_argument(
        "--api-keys-file",
        type=Path,
        help="grants file (API keys, client-certificate grants): every request then needs an identity",
    )
    serve.add_argument("--ssl-certfile", type=Path, help="the server's TLS certificate (PEM): serve HTTPS")
    serve.add_argument("--ssl-keyfile", type=Path, help="its private key (PEM)")
    serve.add_argument(
        "--ssl-ca-certs", type=Path, help="CA certificates of client certificates (mutual TLS; PEM)"
    )
    serve.add_argument(
        "--insecure-no-auth",
        action="store_true",
        default=None,
        help="serve a non-loopback address with no caller identity configured",
    )
    serve.add_argument(
        "--public-health",
        action=argparse.BooleanOptionalAction,
        help="/health and /ready without an identity (default: yes)",
    )
    serve.add_argument(
        "--public-metrics",
        action=argparse.BooleanOptionalAction,
        help="/metrics without an identity (default: no)",
    )
    _add_location_flags(serve)
    _add_cache_flag(serve)
    serve.set_defaults(handler=cmd_serve)

    keys = commands.add_parser(
        "keys",
        help="create, list and revoke API keys",
        description="API keys in the grants file: each with a label, the data origins and builds it may "
        "use, an optional expiry and a rate limit.",
        epilog=_KEYS_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    key_commands = keys.add_subparsers(dest="keys_command", metavar="COMMAND", required=True)

    def key_command(name: str, help_text: str, description: str) -> argparse.ArgumentParser:
        parser = key_commands.add_parser(
            name,
            help=help_text,
            description=description,
            epilog=_KEYS_EPILOG,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        parser.add_argument(
            "--keys-file", type=Path, help="the grants file (default: REGIONAL_LLM_API_KEYS_FILE)"
        )
        return parser

    create_key = key_command(
        "create",
        "create a key and print its secret once",
        "Create an API key, store its salted hash in the grants file and print the secret (once).",
    )
    create_key.add_argument("--label", required=True, help="who holds the key, e.g. eu-storefront")
    create_key.add_argument(
        "--origins",
        required=True,
        type=_codes,
        metavar="CODES",
        help="data-origin codes it may send, comma-separated (DE,FR or EU); EU and EEA cover their states",
    )
    create_key.add_argument(
        "--builds", metavar="IDS", help="build ids it may use, comma-separated (default: every build served)"
    )
    create_key.add_argument(
        "--expires", type=_expiry, metavar="DATE", help="refused from then on (2027-06-30 is midnight UTC)"
    )
    create_key.add_argument("--rate", type=int, metavar="N", help="requests per minute, per server process")
    _add_location_flags(create_key)
    create_key.set_defaults(handler=cmd_keys_create)
    list_keys = key_command(
        "list", "list keys and certificate grants", "List the grants; never a secret or a hash."
    )
    list_keys.add_argument("--format", choices=["table", "json"], default="table")
    list_keys.set_defaults(handler=cmd_keys_list)
    revoke_key = key_command(
        "revoke",
        "revoke a key",
        "Mark a key revoked; running servers refuse it as soon as they see the changed file.",
    )
    revoke_key.add_argument("key_id", metavar="ID", help="the key's id (see: keys list)")
    revoke_key.set_defaults(handler=cmd_keys_revoke)

    anonymize = commands.add_parser(
        "anonymize",
        help="anonymize standard input by a region's privacy policy",
        description="Read text, JSON lines or CSV on standard input and write it anonymized by the region's "
        "privacy policy: pseudonyms consistent over the run, blocked types redacted as <TYPE>.",
        epilog=_ANONYMIZE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    anonymize.add_argument("--region", help="region whose privacy policy applies (default: eu-central-1)")
    anonymize.add_argument("--format", choices=["text", "jsonl", "csv"], default="text", help="input format")
    _add_location_flags(anonymize)
    anonymize.set_defaults(handler=cmd_anonymize)

    audit = commands.add_parser(
        "audit",
        help="verify, export, purge the audit trail; incident reports",
        description="The audit trail. With no options, every command acts on the store `serve` uses "
        "(REGIONAL_LLM_AUDIT_URL, else the SQLite file in the data folder).",
    )
    audit_commands = audit.add_subparsers(dest="audit_command", metavar="COMMAND", required=True)

    def audit_command(name: str, help_text: str, description: str) -> argparse.ArgumentParser:
        parser = audit_commands.add_parser(name, help=help_text, description=description)
        parser.add_argument("--audit-url", help="sqlite:///PATH or postgresql://... (default: as serve)")
        parser.add_argument("--data-dir", type=Path, help="folder of the embedded store and its key")
        return parser

    verify_audit = audit_command(
        "verify",
        "verify the hash chain",
        "Check every record: sequence, link to the one before, keyed hash. Names the first bad record and "
        "exits 1; prints the head (seq and hash) otherwise. Keep the head somewhere else to detect a "
        "truncated tail later (the server also logs it every 1,000 records).",
    )
    verify_audit.set_defaults(handler=cmd_audit_verify)
    export_audit = audit_command("export", "export records as JSON lines or CSV", "Write records to stdout.")
    export_audit.add_argument("--format", choices=["jsonl", "csv"], default="jsonl")
    export_audit.add_argument("--since", type=parse_time, help="from this time (2026-11-27, ...T14:00, 72h)")
    export_audit.add_argument("--until", type=parse_time, help="before this time")
    export_audit.add_argument("--origin", help="only records whose origins include this code")
    export_audit.add_argument("--decision", choices=["served", "refused", "failed", "aborted", "purge"])
    export_audit.add_argument("--build", dest="build_id", help="only records of this build id")
    export_audit.set_defaults(handler=cmd_audit_export)
    purge_audit = audit_command(
        "purge",
        "delete records older than the region's retention",
        "Delete records older than the region policy's audit.retention_days. The last deleted record "
        "becomes the anchor from which the chain still verifies, and the purge is itself recorded.",
    )
    purge_audit.add_argument("--region", help="region whose retention applies (default: eu-central-1)")
    _add_location_flags(purge_audit)
    purge_audit.set_defaults(handler=cmd_audit_purge)
    incident_audit = audit_command(
        "incident",
        "facts for a breach notification",
        "Requests, decisions, data origins, caller identities, model builds and categories of personal "
        "data of a time window: what a 72-hour notification (GDPR Art. 33) needs, from the audit trail.",
    )
    incident_audit.add_argument(
        "--since", type=parse_time, required=True, help="start (2026-11-27, 72h, ...)"
    )
    incident_audit.add_argument("--until", type=parse_time, help="end (default: now)")
    incident_audit.add_argument("--format", choices=["markdown", "json"], default="markdown")
    incident_audit.set_defaults(handler=cmd_audit_incident)

    bench = commands.add_parser("bench", help="benchmarks", description="Benchmarks that print numbers.")
    bench_commands = bench.add_subparsers(dest="bench_command", metavar="COMMAND", required=True)
    bench_privacy = bench_commands.add_parser(
        "privacy",
        help="time the privacy stage per ~2 KB message, next to presidio-analyzer",
        description="Time PII detection and anonymization per message of about --size characters, built "
        "from the labelled multilingual corpora, and presidio-analyzer (offline: no-op NLP engine, "
        "pattern recognizers) on the same messages in the same run; print median, p90, p99 and the ratio.",
    )
    bench_privacy.add_argument("--region", help="region whose privacy policy applies (default: eu-central-1)")
    bench_privacy.add_argument(
        "--size", type=int, default=2048, help="message size in characters (default 2048)"
    )
    bench_privacy.add_argument("--rounds", type=int, default=20, help="passes over the messages (default 20)")
    bench_privacy.add_argument("--no-presidio", action="store_true", help="time regional-llm only")
    bench_privacy.add_argument("--json", type=Path, help="also write the result as JSON to this file")
    _add_location_flags(bench_privacy)
    bench_privacy.set_defaults(handler=cmd_bench_privacy)

    from inference.bench.serve import EPILOG as BENCH_SERVE_EPILOG
    from inference.bench.serve import add_arguments as add_bench_serve_arguments

    bench_serve = bench_commands.add_parser(
        "serve",
        help="latency benchmark of any OpenAI-compatible endpoint, side by side with another",
        description="Send a workload to an OpenAI-compatible endpoint at one or more load levels and print "
        "TTFT, TPOT, ITL, end-to-end latency, throughput, goodput and failures like `vllm bench serve`, "
        "plus the server's own stage times (Server-Timing); with --compare, the same for a second endpoint, "
        "interleaved, with the ratio of each metric.",
        epilog=BENCH_SERVE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_bench_serve_arguments(bench_serve)
    bench_serve.set_defaults(handler=cmd_bench_serve)

    policy = commands.add_parser("policy", help="check region policies", description="Region policy tools.")
    policy_commands = policy.add_subparsers(dest="policy_command", metavar="COMMAND", required=True)
    check = policy_commands.add_parser(
        "check",
        help="validate and cross-check every region policy and build manifest",
        description="Load every region policy and build manifest and cross-check them; print one line "
        "per problem (file, field, value) and exit 2 if there is any.",
    )
    _add_location_flags(check)
    check.set_defaults(handler=cmd_policy_check)

    models = commands.add_parser(
        "models", help="list, verify and hash model builds", description="Model build tools."
    )
    model_commands = models.add_subparsers(dest="models_command", metavar="COMMAND", required=True)
    listing = model_commands.add_parser("list", help="list build manifests and the regions that serve them")
    listing.add_argument("--region", help="only builds this region may serve")
    _add_location_flags(listing)
    listing.set_defaults(handler=cmd_models_list)
    verify = model_commands.add_parser(
        "verify",
        help="verify the SHA-256 of every file of builds",
        description="Verify every file of the named builds (default: all) against their manifests. "
        "The demo build is converted on first use. Exit 1 if any build fails.",
    )
    verify.add_argument("builds", nargs="*", metavar="BUILD", help="build ids (default: all builds)")
    _add_location_flags(verify)
    _add_cache_flag(verify)
    verify.set_defaults(handler=cmd_models_verify)
    digest = model_commands.add_parser(
        "hash",
        help="print the files: section of a manifest for a folder",
        description="Print every file of FOLDER with its SHA-256, as the `files:` section of a manifest.",
    )
    digest.add_argument("folder", type=Path, metavar="FOLDER")
    digest.set_defaults(handler=cmd_models_hash)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `regional-llm` command."""
    args = build_parser().parse_args(argv)
    configure_logging("warning")  # `serve` raises it to its log level
    try:
        status: int = args.handler(args)
    except CliError as exc:
        return _fail(str(exc), exc.status)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        # No traceback: its message could quote the input being processed.
        return _fail(f"unexpected failure: {exception_summary(exc)}", EXIT_FAILURE)
    return status


if __name__ == "__main__":
    sys.exit(main())
