"""The error contract exists once, in the error classes: the docs' table and the OpenAPI description of
every generation endpoint are held against them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi import FastAPI

import inference.api.app as app_module
from inference.api.openapi import error_responses, summary
from inference.api.pipeline import GENERATION_ERRORS
from inference.errors import AuditUnavailable, PolicyViolation, RequestTooLarge, ServiceError

CONTRACTS = Path(__file__).resolve().parents[2] / "docs" / "contracts.md"


def concrete_errors() -> set[type[ServiceError]]:
    """Every error class a client can meet: the subclasses of ServiceError that own a code (the app
    module imports every module on the request path, so all of them are defined by now)."""
    assert app_module.create_app  # the whole request path is imported
    found: set[type[ServiceError]] = set()
    pending = [ServiceError]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if "code" in vars(cls) and cls.code:
            found.add(cls)
    return found


def documented_errors() -> set[tuple[int, str]]:
    """(status, code) of every row of the `## Errors` table of docs/contracts.md."""
    section = CONTRACTS.read_text().split("\n## Errors\n", 1)[1].split("\n## ", 1)[0]
    pairs: set[tuple[int, str]] = set()
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0].isdigit():
            codes = re.findall(r"`([a-z_]+)`", cells[1])
            assert codes, f"a row of the errors table names no code: {line}"
            pairs |= {(int(cells[0]), code) for code in codes}
    assert len(pairs) > 10, "the errors table of docs/contracts.md was not found"
    return pairs


def test_the_docs_table_lists_every_error_class_and_nothing_else() -> None:
    classes = {(cls.status_code, cls.code) for cls in concrete_errors()}
    documented = documented_errors()
    assert sorted(classes - documented) == [], "error classes missing from docs/contracts.md"
    assert sorted(documented - classes) == [], "docs/contracts.md lists errors no class raises"


def test_each_code_belongs_to_one_class() -> None:
    classes = concrete_errors()
    codes = [cls.code for cls in classes]
    assert len(codes) == len(set(codes))
    assert {"pii_blocked", "privacy_check_failed", "audit_unavailable", "internal_error"} <= set(codes)


def test_abstract_errors_cannot_be_raised() -> None:
    with pytest.raises(TypeError, match="abstract"):
        PolicyViolation("no code of its own")
    with pytest.raises(TypeError, match="abstract"):
        ServiceError("no code of its own")
    assert RequestTooLarge("too big").to_body()["error"]["code"] == "request_too_large"


def test_every_generation_endpoint_documents_every_error_it_can_end_in() -> None:
    app = FastAPI()
    for router in app_module.ROUTERS:
        app.include_router(router)
    paths = app.openapi()["paths"]
    generation = [path for path, operations in paths.items() if "post" in operations]
    assert sorted(generation) == ["/v1/chat/completions", "/v1/completions"]
    for path in generation:
        responses = paths[path]["post"]["responses"]
        for error in GENERATION_ERRORS:
            described = responses[str(error.status_code)]["description"]
            assert f"`{error.code}`" in described, f"{path}: {error.status_code} {error.code} undocumented"
            assert summary(error) in described
        assert responses["503"]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorResponse")


def test_error_responses_group_codes_by_status() -> None:
    responses = error_responses([AuditUnavailable, RequestTooLarge])
    assert sorted(responses) == [413, 503]
    assert responses[503]["description"].startswith(
        "`audit_unavailable`: The audit store cannot take records"
    )
    assert "(503)" not in responses[503]["description"]
