"""`regional-llm serve`: verify the build, start the engine, serve the API until SIGINT or SIGTERM."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import ssl
from pathlib import Path
from typing import TYPE_CHECKING, Any

from inference.assembly import build_authenticator, build_privacy_screen, plan_serving, start_serving
from inference.cli.common import (
    EXIT_FAILURE,
    Commands,
    add_cache_flag,
    add_location_flags,
    checked_catalog,
    serve_settings_from,
)
from inference.logs import STARTUP_LOGGER, configure_logging
from inference.privacy.logfilter import install_log_filter

if TYPE_CHECKING:
    from inference.api.auth import Authenticator
    from inference.assembly import ServingPlan
    from inference.config import ServeSettings

# Start-up lines keep the command's logger name, whichever module writes them; the PII filter leaves them be.
log = logging.getLogger(STARTUP_LOGGER)

_SERVE_EPILOG = """\
Start-up order: load and cross-check every region policy and build manifest, verify the SHA-256 of
every file of the chosen build, load the engine, then listen. Any failure stops the start with one
line naming the file, field and value (exit 2) or the build and file (exit 1).

Generation endpoints require the X-Data-Origin header, e.g.:
  curl http://127.0.0.1:8000/v1/chat/completions -H 'X-Data-Origin: DE' \\
    -H 'Content-Type: application/json' \\
    -d '{"model": "assistant", "messages": [{"role": "user", "content": "Hello"}]}'
"""


def cmd_serve(args: argparse.Namespace) -> int:
    """Verify the build, start the engine, serve the API until SIGINT or SIGTERM."""
    settings = serve_settings_from(args)
    configure_logging(settings.log_level)
    authenticator = build_authenticator(settings)
    plan = plan_serving(settings, checked_catalog(settings))
    return asyncio.run(_serve(settings, plan, authenticator))


async def _serve(settings: ServeSettings, plan: ServingPlan, authenticator: Authenticator) -> int:
    import uvicorn

    from inference.api.app import create_app
    from inference.api.protocol import http_protocol

    privacy = build_privacy_screen(settings, plan.region)
    install_log_filter(privacy.detector)
    context = await start_serving(settings, plan, privacy=privacy, authenticator=authenticator)
    tls: dict[str, Any] = {}
    if settings.ssl_certfile is not None:
        # Client certificates are requested, not required, by the TLS layer (probes have none); the app
        # requires an identity on every endpoint that is not public.
        tls = {
            "ssl_certfile": settings.ssl_certfile,
            "ssl_keyfile": settings.ssl_keyfile,
            "ssl_ca_certs": settings.ssl_ca_certs,
            "ssl_cert_reqs": ssl.CERT_OPTIONAL if settings.ssl_ca_certs is not None else ssl.CERT_NONE,
        }
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(context),
            host=settings.host,
            port=settings.port,
            log_config=None,
            access_log=False,
            # Always our own protocol classes: head limits, read deadlines, trailers kept out of the head.
            http=http_protocol(settings, context.metrics.refused),
            timeout_keep_alive=settings.timeout_keep_alive,
            ws="none",  # no WebSocket endpoints: an upgrade is not handed to another parser
            timeout_graceful_shutdown=int(settings.graceful_shutdown_seconds),
            **tls,
        )
    )
    log.info(
        "serving region %s (%s) with build %s on %s://%s:%d",
        plan.region.id,
        plan.region.jurisdiction,
        plan.build.id,
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
        await context.engine.shutdown()
        # Every request has finished and awaited its record; this flushes nothing left behind.
        await asyncio.to_thread(context.auditor.writer.close)
        signal.signal(signal.SIGTERM, previous)
    return 0 if server.started else EXIT_FAILURE


def _add_http_flags(serve: argparse.ArgumentParser) -> None:
    """The HTTP layer's implementation, limits and timeouts (named like uvicorn's and gunicorn's flags)."""
    serve.add_argument(
        "--http", choices=["auto", "httptools", "h11"], help="HTTP/1.1 implementation (default: auto)"
    )
    serve.add_argument(
        "--limit-request-head-bytes",
        type=int,
        help="most bytes of a request line and its header fields; 431 beyond (default: 16384)",
    )
    serve.add_argument(
        "--limit-request-fields", type=int, help="most header fields of a request; 431 beyond (default: 100)"
    )
    serve.add_argument(
        "--timeout-keep-alive",
        type=int,
        help="seconds a connection may wait with no request in progress (default: 5)",
    )
    serve.add_argument(
        "--timeout-request-head",
        type=float,
        help="seconds from a request's first byte to the end of its head; 408 beyond (default: 10)",
    )
    serve.add_argument(
        "--timeout-request-body",
        type=float,
        help="longest pause in seconds between two reads of a request body; 408 beyond (default: 10)",
    )
    serve.add_argument(
        "--timeout-request",
        type=float,
        help="seconds from a request's first byte to the end of its body; 408 beyond (default: 60)",
    )


def register(commands: Commands) -> None:
    """Add `serve`."""
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
    serve.add_argument(
        "--max-num-queued-reqs",
        type=int,
        help="requests held at once, running plus waiting, like vLLM's flag; beyond it 503 server_overloaded "
        "(default: 3 x max-num-seqs)",
    )
    serve.add_argument("--log-level", choices=["debug", "info", "warning", "error"])
    _add_http_flags(serve)
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
    add_location_flags(serve)
    add_cache_flag(serve)
    serve.set_defaults(handler=cmd_serve)
