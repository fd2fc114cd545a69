"""`regional-llm anonymize` (text, JSONL, CSV) and `regional-llm bench privacy`, run as a user would."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

from tests.servers import cli_env

REPO = Path(__file__).resolve().parents[2]


def _anonymize(stdin: str, *args: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "inference.cli", "anonymize", *args],
        input=stdin,
        env=cli_env(None, None, tmp_path),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )


def test_text(tmp_path: Path) -> None:
    result = _anonymize(
        "Hallo, ich bin Anna Schmidt (anna@example.de). Karte 4111 1111 1111 1111.\nFrau Schmidt\n",
        tmp_path=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        "Hallo, ich bin <PERSON_1> (<EMAIL_ADDRESS_1>). Karte <CREDIT_CARD>.\nFrau <PERSON_2>\n"
    )


def test_jsonl_offsets_point_into_the_original(tmp_path: Path) -> None:
    lines = [
        {"id": 1, "text": "Mail an anna@example.de, Tel. +49 30 12345678"},
        {"id": "b", "text": "Größe 🙂, Kontakt: anna@example.de"},
        {"id": None, "text": "nothing to see, order 400012345"},
    ]
    stdin = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)
    result = _anonymize(stdin, "--format", "jsonl", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["id"] for o in out] == [1, "b", None]
    assert out[0]["text"] == "Mail an <EMAIL_ADDRESS_1>, Tel. <PHONE_NUMBER_1>"
    assert out[1]["text"] == "Größe 🙂, Kontakt: <EMAIL_ADDRESS_1>"  # the same value, the same pseudonym
    assert out[2] == {"id": None, "text": "nothing to see, order 400012345", "entities": []}
    for source, result_line in zip(lines, out, strict=True):
        for entity in result_line["entities"]:
            value = source["text"][entity["start"] : entity["end"]]
            assert value in ("anna@example.de", "+49 30 12345678")
            assert set(entity) == {"type", "start", "end"}


def test_jsonl_bad_lines_are_reported_and_skipped(tmp_path: Path) -> None:
    stdin = "\n".join(
        [
            '{"id": 1, "text": "anna@example.de"}',
            "not json Anna Schmidt",
            '{"id": 2}',
            '{"id": 3, "text": "ok", "x": 1}',
        ]
    )
    result = _anonymize(stdin, "--format", "jsonl", tmp_path=tmp_path)
    assert result.returncode == 1
    assert len(result.stdout.splitlines()) == 1
    errors = result.stderr.strip().splitlines()
    assert errors == [
        "regional-llm: error: line 2: not valid JSON (Expecting value at column 1)",
        'regional-llm: error: line 3: expected an object with a string "text" field',
        "regional-llm: error: line 4: unknown field 'x' (expected id and text)",
    ]
    assert "Anna" not in result.stderr


def test_csv_keeps_its_structure_and_types_columns_by_header(tmp_path: Path) -> None:
    rows = [
        ["Contact Name", "Email", "Mobile", "Mailing Street", "Case Notes", "Amount"],
        [
            "Schmidt, Anna",
            "anna@example.de",
            "+49 151 23456789",
            "Hauptstraße 5",
            'Rief an; sagt "Frau Schmidt"',
            "49,99",
        ],
        [
            "Bob Müller",
            "bob@example.com",
            "",
            "Rue de Rivoli 10",
            "IBAN DE89 3704 0044 0532 0130 00\nzweite Zeile",
            "1.299,00",
        ],
    ]
    source = io.StringIO()
    csv.writer(source, delimiter=";").writerows(rows)
    result = _anonymize("\ufeff" + source.getvalue(), "--format", "csv", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("\ufeff")
    out = list(csv.reader(io.StringIO(result.stdout.removeprefix("\ufeff")), delimiter=";"))
    assert [len(row) for row in out] == [6, 6, 6]
    assert out[0] == rows[0]
    assert out[1] == [
        "<PERSON_1>",
        "<EMAIL_ADDRESS_1>",
        "<PHONE_NUMBER_1>",
        "<LOCATION_1>",
        'Rief an; sagt "Frau <PERSON_2>"',
        "49,99",
    ]
    assert out[2] == [
        "<PERSON_3>",
        "<EMAIL_ADDRESS_2>",
        "",
        "<LOCATION_2>",
        "IBAN <IBAN_CODE_1>\nzweite Zeile",
        "1.299,00",
    ]


def test_bench_privacy_prints_and_writes_numbers(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "inference.cli",
            "bench",
            "privacy",
            "--rounds",
            "1",
            "--json",
            str(tmp_path / "b.json"),
        ],
        env=cli_env(None, None, tmp_path),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    data = json.loads((tmp_path / "b.json").read_text())
    names = [t["name"] for t in data["timings"]]
    assert names == [
        "regional-llm detect + anonymize",
        "regional-llm detect only",
        "presidio-analyzer (offline)",
    ]
    assert data["messages"] >= 15
    assert 1800 <= data["mean_message_chars"] <= 2600
    assert all(0 < t["median_ms"] <= t["p99_ms"] for t in data["timings"])
    assert "presidio-analyzer / regional-llm detect + anonymize:" in result.stdout
    assert "WARNING" not in result.stderr
