"""`python -m inference.healthcheck`: exit 0 if this container's server answers GET /health, else 1.

For Docker's HEALTHCHECK: it reads the same settings as `serve` (port, TLS), so it follows a server
that listens with TLS. It asks the server on its own loopback address, so it does not verify the
server's certificate name (it asks itself); no client certificate is needed: /health is public.
"""

from __future__ import annotations

import os
import ssl
import sys
import urllib.request


def main() -> int:
    port = os.environ.get("REGIONAL_LLM_PORT", "8000")
    tls = bool(os.environ.get("REGIONAL_LLM_SSL_CERTFILE"))
    context = None
    if tls:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE  # the server asked is this container's own
    url = f"{'https' if tls else 'http'}://127.0.0.1:{port}/health"
    try:
        with urllib.request.urlopen(url, timeout=4, context=context) as response:  # noqa: S310 - fixed URL
            return 0 if response.status == 200 else 1
    except OSError:
        return 1


if __name__ == "__main__":
    sys.exit(main())
