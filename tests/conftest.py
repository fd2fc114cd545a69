"""Shared fixtures: a generated tiny model, a configuration folder around it, and real servers."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import openai
import pytest

from inference.assembly import plan_serving, start_serving
from inference.catalog import load_catalog
from inference.config import ServeSettings
from tests.servers import Server, cli_env
from tests.tiny_model import adapter_manifest_yaml, build_tiny_adapter, build_tiny_model, manifest_yaml

if TYPE_CHECKING:
    from inference.api.auth import Authenticator
    from inference.api.context import ServingContext

# Kept small so that the oversized-body test needs only a small body.
TEST_MAX_REQUEST_BYTES = 65536


@dataclass(frozen=True)
class ConfigRoot:
    """A folder with regions/ and models/ for the tiny model: region eu-test (EU) and us-test (US)."""

    root: Path
    model_dir: Path
    cache_dir: Path

    @property
    def regions_dir(self) -> Path:
        return self.root / "regions"

    @property
    def models_dir(self) -> Path:
        return self.root / "models"

    def env(self) -> dict[str, str]:
        return cli_env(self.regions_dir, self.models_dir, self.cache_dir)


def write_config(root: Path, model_dir: Path, cache_dir: Path) -> ConfigRoot:
    """Write region policies and build manifests for the tiny model under `root`."""
    (root / "regions").mkdir(parents=True)
    for jurisdiction in ("eu", "us"):
        (root / "models" / jurisdiction).mkdir(parents=True)
        manifest = manifest_yaml(model_dir, f"{jurisdiction}-tiny", jurisdiction.upper())
        (root / "models" / jurisdiction / "tiny.yaml").write_text(manifest + "aliases: [assistant]\n")
    (root / "regions" / "eu-test.yaml").write_text(
        textwrap.dedent(
            f"""\
            id: eu-test
            jurisdiction: EU
            accepted_origins: [EU, EEA, AT, DE, FR, IE, IT, NL, ES, NO]
            builds: [eu-tiny]
            limits:
              max_request_bytes: {TEST_MAX_REQUEST_BYTES}
            # The tests read what an anonymized trail keeps; the shipped regions keep hashes.
            audit:
              text: anonymized
            """
        )
    )
    (root / "regions" / "us-test.yaml").write_text(
        "id: us-test\njurisdiction: US\naccepted_origins: [US]\nbuilds: [us-tiny]\n"
    )
    return ConfigRoot(root, model_dir, cache_dir)


OpenAIFactory = Callable[[str, str], openai.OpenAI]


async def start_context(
    config: ConfigRoot, engine: Any, data_dir: Path, authenticator: Authenticator | None = None
) -> ServingContext:
    """The serving context of an in-process app of region eu-test with `engine` (started here), made by
    the same assembly as `regional-llm serve`: the eu-tiny build verified, the audit trail on a real
    SQLite store in `data_dir`."""
    settings = ServeSettings(
        region="eu-test",
        regions_dir=config.regions_dir,
        models_dir=config.models_dir,
        cache_dir=config.cache_dir,
        data_dir=data_dir,
    )
    plan = plan_serving(settings, load_catalog(settings.regions_dir, settings.models_dir))
    return await start_serving(settings, plan, engine=engine, authenticator=authenticator)


@pytest.fixture
def make_client() -> Iterator[OpenAIFactory]:
    """`make_client(server_url, origin)`: an official client sending X-Data-Origin, closed after the test."""
    clients: list[openai.OpenAI] = []

    def make(url: str, origin: str) -> openai.OpenAI:
        client = openai.OpenAI(
            base_url=f"{url}/v1", api_key="unused", default_headers={"X-Data-Origin": origin}, max_retries=0
        )
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_model(tmp_path_factory.mktemp("tiny") / "model")


@pytest.fixture(scope="session")
def config_root(tmp_path_factory: pytest.TempPathFactory, tiny_model_dir: Path) -> ConfigRoot:
    base = tmp_path_factory.mktemp("config")
    return write_config(base / "conf", tiny_model_dir, base / "cache")


@pytest.fixture(scope="session")
def lora_config(tmp_path_factory: pytest.TempPathFactory, tiny_model_dir: Path) -> ConfigRoot:
    """eu-test serving eu-tiny and its adapter build eu-tiny-lora; us-test with us-tiny and us-tiny-lora."""
    base = tmp_path_factory.mktemp("lora")
    config = write_config(base / "conf", tiny_model_dir, base / "cache")
    for jurisdiction, seed in (("eu", 99), ("us", 7)):
        adapter = build_tiny_adapter(base / f"{jurisdiction}-adapter", tiny_model_dir, seed=seed)
        manifest = adapter_manifest_yaml(
            adapter, f"{jurisdiction}-tiny-lora", jurisdiction.upper(), f"{jurisdiction}-tiny"
        )
        (config.models_dir / jurisdiction / "tiny-lora.yaml").write_text(
            manifest + "aliases: [support-tone]\n"
        )
    for region in ("eu-test", "us-test"):
        path = config.regions_dir / f"{region}.yaml"
        prefix = region[:2]
        text = path.read_text().replace(
            f"builds: [{prefix}-tiny]", f"builds: [{prefix}-tiny, {prefix}-tiny-lora]"
        )
        path.write_text(text)
    return config


@pytest.fixture
def fresh_config(tmp_path: Path, tiny_model_dir: Path) -> ConfigRoot:
    """A configuration a test may break, with its own copy of the tiny model."""
    import shutil

    model = tmp_path / "model"
    shutil.copytree(tiny_model_dir, model)
    return write_config(tmp_path / "conf", model, tmp_path / "cache")


@pytest.fixture(scope="session")
def server(config_root: ConfigRoot, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One real server of region eu-test on the tiny model, shared by the API tests."""
    log = tmp_path_factory.mktemp("logs") / "server.log"
    running = Server(["--region", "eu-test", "--max-num-seqs", "4"], config_root.env(), log)
    running.wait_ready()
    yield running
    running.stop()


@pytest.fixture(scope="session")
def client(server: Server) -> Iterator[openai.OpenAI]:
    """The official client on the shared server, sending X-Data-Origin: DE."""
    with openai.OpenAI(
        base_url=f"{server.url}/v1", api_key="unused", default_headers={"X-Data-Origin": "DE"}, max_retries=0
    ) as opened:
        yield opened


@pytest.fixture(scope="session")
def tokenizer(tiny_model_dir: Path) -> Any:
    """The tiny model's tokenizer, loaded by transformers directly."""
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(tiny_model_dir)
