"""The real server (a `regional-llm serve` subprocess on the tiny model) driven over HTTP with the
official `openai` client and with raw httpx requests."""

from __future__ import annotations

import asyncio
import json
import re
import threading
from typing import Any

import httpx
import openai
import pytest

from inference.catalog import load_catalog
from tests.conftest import TEST_MAX_REQUEST_BYTES, ConfigRoot
from tests.servers import Server, metric

# A name, an e-mail and an IBAN: pseudonymized by the test region's policy, so the request goes through.
CANARY = "Zebulon Quackenbush-Canary, zebulon@quackenbush.example, DE89 3704 0044 0532 0130 00"


@pytest.fixture(scope="module")
def build_reference(config_root: ConfigRoot) -> str:
    return load_catalog(config_root.regions_dir, config_root.models_dir).builds["eu-tiny"].build.reference


def _chat(server: Server, origin: list[str] | None, body: Any = None, **extra: Any) -> httpx.Response:
    headers = [("X-Data-Origin", value) for value in origin or []]
    payload = (
        body
        if body is not None
        else {"model": "eu-tiny", "messages": [{"role": "user", "content": "Hi"}], "max_tokens": 1}
    )
    content = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return httpx.post(
        f"{server.url}/v1/chat/completions",
        content=content,
        headers=[("Content-Type", "application/json"), *headers, *extra.get("headers", [])],
        timeout=60,
    )


# --- the OpenAI client --------------------------------------------------------------------------------


def test_chat_completion(client: openai.OpenAI, build_reference: str, tokenizer: Any) -> None:
    messages = [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Where is my parcel?"},
    ]
    raw = client.chat.completions.with_raw_response.create(model="eu-tiny", messages=messages, max_tokens=12)
    response = raw.parse()
    assert raw.headers["x-served-region"] == "eu-test"
    assert raw.headers["x-model-build"] == build_reference == response.system_fingerprint
    assert response.id.startswith("chatcmpl-")
    assert response.object == "chat.completion"
    assert response.model == "eu-tiny"
    choice = response.choices[0]
    assert choice.message.role == "assistant"
    assert isinstance(choice.message.content, str)
    assert choice.finish_reason in ("stop", "length")
    rendered = "".join(f"<|im_start|>{m['role']}\n{m['content']}<|im_end|>\n" for m in messages)
    prompt_tokens = len(tokenizer.encode(rendered + "<|im_start|>assistant\n", add_special_tokens=False))
    assert response.usage is not None
    assert response.usage.prompt_tokens == prompt_tokens
    assert 1 <= response.usage.completion_tokens <= 12
    assert response.usage.total_tokens == prompt_tokens + response.usage.completion_tokens


def test_streamed_chat_equals_the_non_streamed_one(client: openai.OpenAI) -> None:
    request: dict[str, Any] = {
        "model": "eu-tiny",
        "messages": [{"role": "user", "content": "Wo ist meine Bestellung?"}],
        "max_tokens": 30,
        "temperature": 0,
    }
    whole = client.chat.completions.create(**request)
    chunks = list(
        client.chat.completions.create(**request, stream=True, stream_options={"include_usage": True})
    )
    assert chunks[0].choices[0].delta.role == "assistant"
    assert all(c.id == chunks[0].id and c.object == "chat.completion.chunk" for c in chunks)
    content = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert content == whole.choices[0].message.content
    finishes = [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason]
    assert finishes == [whole.choices[0].finish_reason]
    assert chunks[-1].choices == []
    assert chunks[-1].usage == whole.usage
    assert all(c.usage is None for c in chunks[:-1])


def test_stream_without_include_usage_has_no_usage_chunk(client: openai.OpenAI) -> None:
    chunks = list(
        client.chat.completions.create(
            model="eu-tiny", messages=[{"role": "user", "content": "Hi"}], max_tokens=3, stream=True
        )
    )
    assert all(c.choices for c in chunks)
    assert chunks[-1].choices[0].finish_reason is not None


def test_text_completions_with_a_list_of_prompts(client: openai.OpenAI) -> None:
    prompts = ["The customer asked", "Der Kunde fragt", "Le client"]
    whole = client.completions.create(model="eu-tiny", prompt=prompts, max_tokens=10, temperature=0)
    assert whole.object == "text_completion"
    assert [c.index for c in whole.choices] == [0, 1, 2]
    streamed = ["", "", ""]
    for chunk in client.completions.create(
        model="eu-tiny", prompt=prompts, max_tokens=10, temperature=0, stream=True
    ):
        for choice in chunk.choices:
            streamed[choice.index] += choice.text
    assert streamed == [c.text for c in whole.choices]
    singles = [
        client.completions.create(model="eu-tiny", prompt=prompt, max_tokens=10, temperature=0)
        for prompt in prompts
    ]
    assert [s.choices[0].text for s in singles] == [c.text for c in whole.choices]
    assert whole.usage is not None
    assert whole.usage.prompt_tokens == sum(s.usage.prompt_tokens for s in singles if s.usage)
    assert whole.usage.completion_tokens == sum(s.usage.completion_tokens for s in singles if s.usage)


def test_completion_defaults_to_16_tokens_and_echo(client: openai.OpenAI) -> None:
    response = client.completions.create(model="eu-tiny", prompt="Hello", temperature=0, echo=True)
    assert response.choices[0].text.startswith("Hello")
    assert response.usage is not None
    assert response.usage.completion_tokens <= 16


def test_seed_and_stop(client: openai.OpenAI) -> None:
    def ask(**kwargs: Any) -> openai.types.chat.ChatCompletion:
        return client.chat.completions.create(
            model="eu-tiny", messages=[{"role": "user", "content": "Hello"}], max_tokens=25, **kwargs
        )

    first, again = ask(seed=42, temperature=1.0), ask(seed=42, temperature=1.0)
    assert first.choices[0].message.content == again.choices[0].message.content
    greedy = ask(temperature=0).choices[0].message.content or ""
    stop = greedy[5:8]
    stopped = ask(temperature=0, stop=[stop, "never-seen"])
    assert stopped.choices[0].message.content == greedy[: greedy.find(stop)]
    assert stopped.choices[0].finish_reason == "stop"


def test_models_list_and_alias(client: openai.OpenAI, build_reference: str) -> None:
    models = client.models.list().data
    assert [m.id for m in models] == ["eu-tiny", "assistant"]
    card = models[0].model_dump()
    assert card["jurisdiction"] == "EU"
    assert card["max_model_len"] == 1024
    assert "eu-tiny@" + card["digest"] == build_reference
    by_alias = client.chat.completions.create(
        model="assistant", messages=[{"role": "user", "content": "Hi"}], max_tokens=2
    )
    assert by_alias.model == "eu-tiny"


@pytest.mark.parametrize("model", ["us-tiny", "gpt-4o", ""])
def test_a_model_not_served_here_is_404(client: openai.OpenAI, model: str) -> None:
    with pytest.raises(openai.NotFoundError) as raised:
        client.chat.completions.create(model=model, messages=[{"role": "user", "content": "Hi"}])
    assert raised.value.code == "model_not_found"


def test_a_mismatched_origin_raises_permission_denied(client: openai.OpenAI) -> None:
    with pytest.raises(openai.PermissionDeniedError) as raised:
        client.chat.completions.create(
            model="eu-tiny",
            messages=[{"role": "user", "content": "Hi"}],
            extra_headers={"X-Data-Origin": "US"},
        )
    assert raised.value.code == "data_origin_mismatch"
    assert raised.value.body == {
        "message": "Region eu-test may not process data of origin US; "
        "send this request to the region that serves that jurisdiction.",
        "type": "permission_error",
        "param": "X-Data-Origin",
        "code": "data_origin_mismatch",
    }


def test_concurrent_streams(server: Server) -> None:
    async def go() -> list[str]:
        async with openai.AsyncOpenAI(
            base_url=f"{server.url}/v1", api_key="x", default_headers={"X-Data-Origin": "FR"}
        ) as aclient:

            async def one(i: int) -> str:
                stream = await aclient.chat.completions.create(
                    model="eu-tiny",
                    messages=[{"role": "user", "content": f"Question {i}"}],
                    max_tokens=40,
                    temperature=0,
                    stream=True,
                )
                return "".join([c.choices[0].delta.content or "" async for c in stream])

            return await asyncio.gather(*(one(i) for i in range(6)))

    results = asyncio.run(go())
    assert len(results) == 6
    assert all(isinstance(r, str) for r in results)


# --- the origin contract over HTTP ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("origin", "status", "code"),
    [
        (["DE"], 200, None),
        (["de"], 200, None),
        (["DE, FR,IE"], 200, None),
        (["EU"], 200, None),
        (["NO"], 200, None),
        (["DE", "FR"], 200, None),
        (None, 400, "data_origin_missing"),
        ([""], 400, "data_origin_missing"),
        (["DE;US"], 400, "data_origin_invalid"),
        (["DE US"], 400, "data_origin_invalid"),
        (["DE,"], 400, "data_origin_invalid"),
        (["ZZ"], 400, "data_origin_invalid"),
        (["DEU"], 400, "data_origin_invalid"),
        (["US"], 403, "data_origin_mismatch"),
        (["us"], 403, "data_origin_mismatch"),
        (["DE,US"], 403, "data_origin_mismatch"),
        (["DE", "US"], 403, "data_origin_mismatch"),  # a second header line cannot sneak a code in
        (["GB"], 403, "data_origin_mismatch"),
        (["EEA,CH"], 403, "data_origin_mismatch"),
    ],
)
def test_origin_cases(server: Server, origin: list[str] | None, status: int, code: str | None) -> None:
    response = _chat(server, origin)
    assert response.status_code == status, response.text
    if code is None:
        assert response.json()["object"] == "chat.completion"
    else:
        error = response.json()["error"]
        assert error["code"] == code
        assert error["param"] == "X-Data-Origin"
        assert error["type"] == ("permission_error" if status == 403 else "invalid_request_error")


def test_origin_is_checked_before_the_body_is_read(server: Server) -> None:
    # A refused origin wins over a broken or oversized body: the body is never parsed.
    assert _chat(server, ["US"], b"{not json").json()["error"]["code"] == "data_origin_mismatch"
    assert _chat(server, None, b"{not json").json()["error"]["code"] == "data_origin_missing"
    huge = b"x" * (TEST_MAX_REQUEST_BYTES + 10)
    assert _chat(server, ["US"], huge).status_code == 403
    assert _chat(server, ["DE"], huge).status_code == 413


def test_models_health_and_metrics_need_no_origin(server: Server) -> None:
    for path in ("/v1/models", "/health", "/ready", "/metrics", "/openapi.json"):
        assert httpx.get(server.url + path, timeout=10).status_code == 200, path


# --- bad input: precise OpenAI-shaped errors -------------------------------------------------------


def _body(**extra: Any) -> dict[str, Any]:
    return {"model": "eu-tiny", "messages": [{"role": "user", "content": "x"}], **extra}


@pytest.mark.parametrize(
    ("body", "status", "code", "param", "message"),
    [
        (b"{not json", 400, "invalid_json", None, "The request body is not valid JSON"),
        (b"[1, 2]", 400, "invalid_json", None, "must be a JSON object"),
        ({"model": "eu-tiny"}, 400, "invalid_request", "messages", "Missing required parameter: 'messages'."),
        (
            _body(foo=1),
            400,
            "invalid_request",
            "foo",
            "Unrecognized request argument supplied: foo",
        ),
        (
            {"model": "eu-tiny", "messages": [{"role": "robot", "content": "x"}]},
            400,
            "invalid_request",
            "messages[0].role",
            "Invalid value for 'messages[0].role'",
        ),
        ({"model": "eu-tiny", "messages": []}, 400, "invalid_request", "messages", "at least 1 item"),
        (
            {"model": "eu-tiny", "messages": [{"role": "user", "content": 7}]},
            400,
            "invalid_request",
            "messages[0].content",
            "Input should be a valid",
        ),
        (
            {"model": "eu-tiny", "messages": [{"role": "user", "content": [{"type": "image_url"}]}]},
            400,
            "invalid_request",
            "messages[0].content[0]",
            "expected tags: 'text'",
        ),
        (
            _body(temperature=5),
            400,
            "invalid_request",
            "temperature",
            "less than or equal to 2",
        ),
        (
            _body(n=2),
            400,
            "invalid_request",
            "n",
            "n other than 1 is not supported",
        ),
        (
            _body(tools=[{"type": "function"}]),
            400,
            "invalid_request",
            "tools",
            "tools is not supported",
        ),
        (
            _body(store=True),
            400,
            "invalid_request",
            "store",
            "keeps no conversations",
        ),
        (
            _body(logprobs=True),
            400,
            "invalid_request",
            "logprobs",
            "logprobs is not supported",
        ),
        (
            _body(max_tokens=0),
            400,
            "invalid_request",
            "max_tokens",
            "greater than or equal to 1",
        ),
        (
            _body(max_tokens=5000),
            400,
            "context_length_exceeded",
            "max_tokens",
            "maximum context length is 1024 tokens",
        ),
        (
            {"model": "eu-tiny", "messages": [{"role": "user", "content": "order " * 1500}]},
            400,
            "context_length_exceeded",
            "messages",
            "maximum context length is 1024 tokens",
        ),
    ],
)
def test_bad_requests(
    server: Server, body: Any, status: int, code: str, param: str | None, message: str
) -> None:
    response = _chat(server, ["DE"], body)
    assert response.status_code == status
    error = response.json()["error"]
    assert error["code"] == code
    assert error["param"] == param
    assert message in error["message"]
    assert error["type"] == "invalid_request_error"


def test_errors_never_echo_request_content(server: Server) -> None:
    bodies: list[Any] = [
        {"model": "eu-tiny", "messages": [{"role": "user", "content": {"note": CANARY}}]},
        {"model": "eu-tiny", "messages": [{"role": CANARY, "content": "x"}]},
        _body(stop=[CANARY] * 20),
        {"model": CANARY, "messages": [{"role": "user", "content": "x"}]},
        {
            "model": "eu-tiny",
            "messages": [{"role": "user", "content": [{"type": "image_url", "text": CANARY}]}],
        },
        f'{{"model": "eu-tiny", "messages": [{{"role": "user", "content": "{CANARY}"'.encode(),
    ]
    for body in bodies:
        response = _chat(server, ["DE"], body)
        assert response.status_code in (400, 404)
        assert "Quackenbush" not in response.text
        assert "0532 0130" not in response.text


def test_token_id_prompts_are_refused(server: Server) -> None:
    response = httpx.post(
        f"{server.url}/v1/completions",
        json={"model": "eu-tiny", "prompt": [1, 2, 3]},
        headers={"X-Data-Origin": "DE"},
        timeout=10,
    )
    assert response.status_code == 400
    assert response.json()["error"]["param"] == "prompt[0]"


def test_an_oversized_body_is_413(server: Server) -> None:
    content = "x" * TEST_MAX_REQUEST_BYTES
    response = _chat(server, ["DE"], {"model": "eu-tiny", "messages": [{"role": "user", "content": content}]})
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "request_too_large"


def test_unknown_route_and_method_are_openai_shaped(server: Server) -> None:
    missing = httpx.post(f"{server.url}/v1/users/jane.doe@example.com?card=4111", json={}, timeout=10)
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"
    assert "jane" not in missing.text
    request_id = missing.headers["x-request-id"]
    server.wait_for_output(rf"inference\.access: {request_id} POST \(other path\) 404")
    assert "jane" not in server.output()
    assert "card=4111" not in server.output()  # (a bare "4111" may turn up in a random request id)
    wrong = httpx.get(f"{server.url}/v1/chat/completions", timeout=10)
    assert wrong.status_code == 405
    assert wrong.json()["error"]["code"] == "method_not_allowed"


# --- headers, readiness, metrics ----------------------------------------------------------------------


def test_every_response_carries_the_contract_headers(server: Server, build_reference: str) -> None:
    responses = [
        _chat(server, ["DE"]),
        _chat(server, ["US"]),
        _chat(server, None),
        _chat(server, ["DE"], b"{"),
        httpx.get(f"{server.url}/nope", timeout=10),
        httpx.get(f"{server.url}/health", timeout=10),
        httpx.get(f"{server.url}/metrics", timeout=10),
        httpx.get(f"{server.url}/v1/models", timeout=10),
    ]
    ids = set()
    for response in responses:
        assert response.headers["x-served-region"] == "eu-test"
        assert response.headers["x-model-build"] == build_reference
        assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"])
        ids.add(response.headers["x-request-id"])
    assert len(ids) == len(responses)


def test_the_request_id_header_is_the_servers_own_whatever_the_caller_sent(server: Server) -> None:
    # The caller's own id, once screened, is in the record beside it (test_caller_supplied.py).
    ids = set()
    for sent in ("crm-case-00012:attempt-2", "crm-case-00012:attempt-2", "bad id with spaces"):
        response = _chat(server, ["DE"], headers=[("X-Request-Id", sent)])
        assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"])
        ids.add(response.headers["x-request-id"])
    assert len(ids) == 3


def test_ready(server: Server) -> None:
    body = httpx.get(f"{server.url}/ready", timeout=10).json()
    assert body["status"] == "ready"
    assert body["region"] == "eu-test"
    assert body["model"] == "eu-tiny"


def test_metrics_count_refusals_and_tokens(server: Server) -> None:
    labels = {"model_name": "eu-tiny", "region": "eu-test"}
    refused = metric(server, "regional_llm:request_refused_total", code="data_origin_mismatch", **labels)
    finished = metric(server, "regional_llm:request_success_total", **labels)
    generated = metric(server, "regional_llm:generation_tokens_total", **labels)
    _chat(server, ["US"])
    ok = _chat(server, ["DE"])
    assert (
        metric(server, "regional_llm:request_refused_total", code="data_origin_mismatch", **labels)
        == refused + 1
    )
    assert metric(server, "regional_llm:request_success_total", **labels) == finished + 1
    assert (
        metric(server, "regional_llm:generation_tokens_total", **labels)
        == generated + ok.json()["usage"]["completion_tokens"]
    )
    text = httpx.get(f"{server.url}/metrics", timeout=10).text
    assert "regional_llm:time_to_first_token_seconds_bucket" in text
    assert 'regional_llm:build_info{digest="' in text


@pytest.fixture(scope="module")
def long_body(server: Server) -> dict[str, Any]:
    """A completion request that runs to its 1000-token limit (the tiny model often ends early)."""
    for seed in range(200):
        body = {"model": "eu-tiny", "prompt": "Hi", "max_tokens": 1000, "seed": seed}
        response = httpx.post(
            f"{server.url}/v1/completions", json=body, headers={"X-Data-Origin": "DE"}, timeout=60
        )
        if response.json()["choices"][0]["finish_reason"] == "length":
            return body
    raise AssertionError("no seed found that generates 1000 tokens")


def _aborts_after(server: Server, before: float | None) -> float:
    """The count of aborted generations; with `before`, once it has grown past it (or after 10 s)."""
    labels = {"model_name": "eu-tiny", "region": "eu-test", "finished_reason": "abort"}
    for _ in range(200):
        count = metric(server, "regional_llm:request_success_total", **labels)
        if before is None or count > before:
            return count
        threading.Event().wait(0.05)
    return count


def test_a_client_that_goes_away_aborts_its_generation(server: Server, long_body: dict[str, Any]) -> None:
    aborted = _aborts_after(server, None)
    body = {**long_body, "stream": True}
    with httpx.stream(
        "POST", f"{server.url}/v1/completions", json=body, headers={"X-Data-Origin": "DE"}, timeout=60
    ) as response:
        lines = response.iter_lines()
        for _ in range(6):
            next(lines)
    assert _aborts_after(server, aborted) == aborted + 1
    assert metric(server, "regional_llm:num_requests_running", model_name="eu-tiny", region="eu-test") == 0


def test_a_client_that_gives_up_on_a_non_streamed_request_aborts_it(
    server: Server, long_body: dict[str, Any]
) -> None:
    aborted = _aborts_after(server, None)
    with pytest.raises(httpx.ReadTimeout):
        httpx.post(
            f"{server.url}/v1/completions", json=long_body, headers={"X-Data-Origin": "DE"}, timeout=0.05
        )
    assert _aborts_after(server, aborted) == aborted + 1


def test_openapi_documents_the_bodies_and_the_origin_header(server: Server) -> None:
    spec = httpx.get(f"{server.url}/openapi.json", timeout=10).json()
    schemas = spec["components"]["schemas"]
    assert {"ChatCompletionRequest", "CompletionRequest", "ChatMessage", "ErrorResponse"} <= set(schemas)
    chat = spec["paths"]["/v1/chat/completions"]["post"]
    assert chat["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ChatCompletionRequest"
    }
    assert any(p["name"] == "X-Data-Origin" and p["required"] for p in chat["parameters"])
    assert set(chat["responses"]) >= {"200", "400", "403", "404", "413"}

    def refs(node: Any) -> list[str]:
        if isinstance(node, dict):
            return [v for k, v in node.items() if k == "$ref"] + [r for v in node.values() for r in refs(v)]
        if isinstance(node, list):
            return [r for v in node for r in refs(v)]
        return []

    for ref in refs(spec):
        assert ref.removeprefix("#/components/schemas/") in schemas, ref


def test_the_log_carries_no_request_content(server: Server, client: openai.OpenAI) -> None:
    client.chat.completions.create(
        model="eu-tiny", messages=[{"role": "user", "content": CANARY}], max_tokens=2
    )
    for body in (
        {"model": "eu-tiny", "messages": [{"role": "user", "content": CANARY}], "max_tokens": 9999},
        {"model": "eu-tiny", "messages": [{"role": "user", "content": CANARY}], "bogus": CANARY},
    ):
        assert _chat(server, ["DE"], body).status_code == 400
    assert _chat(server, ["US"], {"messages": [{"role": "user", "content": CANARY}]}).status_code == 403
    # The access line is written once the response is out: wait for the refusal's.
    server.wait_for_output(r"inference\.access: [0-9a-f]{32} POST /v1/chat/completions 403 [0-9.]+s")
    log = server.output()
    assert "Quackenbush" not in log
    assert "0532 0130" not in log
    assert "Traceback" not in log
