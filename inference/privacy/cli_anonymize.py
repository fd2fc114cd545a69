"""`regional-llm anonymize`: standard input to standard output, by a region's privacy policy.

Formats:
- text: all of standard input is one text;
- jsonl: one `{"id": ..., "text": ...}` per line in; `{"id", "text", "entities": [{"type", "start",
  "end"}]}` out, offsets into the original text;
- csv: every cell of a CSV file (a CRM report export, say), keeping rows, columns and quoting style.

Pseudonyms are consistent over the whole run (the same customer is `<PERSON_3>` in every row); the
mapping stays in memory and is never written. Blocked types cannot refuse anything here, so they are
redacted as `<TYPE>`.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from typing import IO, Any

from inference.privacy.screen import PrivacyScreen
from inference.privacy.vault import PseudonymVault

_CSV_SAMPLE = 64 * 1024


class LineError(Exception):
    """One input line could not be processed; the message never quotes it."""


def anonymize_text(screen: PrivacyScreen, region_id: str, source: IO[str], sink: IO[str]) -> int:
    text = source.read()
    result = screen.screen([text], region_id=region_id, redact_blocked=True)
    sink.write(result.texts[0].text)
    return 0


def _jsonl_record(line: str, number: int) -> tuple[Any, str]:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise LineError(f"line {number}: not valid JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(record, dict) or not isinstance(record.get("text"), str):
        raise LineError(f'line {number}: expected an object with a string "text" field')
    unknown = sorted(set(record) - {"id", "text"})
    if unknown:
        raise LineError(f"line {number}: unknown field {unknown[0]!r} (expected id and text)")
    return record.get("id"), record["text"]


def anonymize_jsonl(screen: PrivacyScreen, region_id: str, source: IO[str], sink: IO[str]) -> int:
    """Anonymize each line; a bad line is reported on standard error by number and the run goes on,
    ending with status 1."""
    vault = PseudonymVault()
    failed = 0
    for number, line in enumerate(source, start=1):
        if not line.strip():
            continue
        try:
            record_id, text = _jsonl_record(line, number)
        except LineError as exc:
            print(f"regional-llm: error: {exc}", file=sys.stderr)
            failed += 1
            continue
        result = screen.screen([text], region_id=region_id, redact_blocked=True, vault=vault)
        screened = result.texts[0]
        entities = [{"type": s.type, "start": s.start, "end": s.end} for s in screened.spans]
        sink.write(
            json.dumps({"id": record_id, "text": screened.text, "entities": entities}, ensure_ascii=False)
        )
        sink.write("\n")
    return 1 if failed else 0


# Column headers of CRM exports (Salesforce reports among them) whose every cell is one entity, in
# the languages of the corpus. Matched after lower-casing and dropping spaces, dots, dashes and underscores.
_COLUMN_TYPES: dict[str, str] = {
    **dict.fromkeys(
        "name fullname firstname lastname givenname surname contact contactname accountowner owner "
        "casecontact leadname customer customername vorname nachname kunde kundenname ansprechpartner "
        "nom prénom prenom nomcomplet client contactprincipal nombre apellido apellidos nombrecompleto "
        "cliente nome cognome nomecompleto naam voornaam achternaam klant klantnaam contactpersoon".split(),
        "PERSON",
    ),
    **dict.fromkeys(
        "email emailaddress mail emailadresse courriel correo correoelectronico".split(), "EMAIL_ADDRESS"
    ),
    **dict.fromkeys(
        "phone mobile mobilephone homephone fax telephone telefon telefonnummer handy mobil téléphone "
        "telephone portable teléfono telefono móvil movil cellulare telefoonnummer mobiel".split(),
        "PHONE_NUMBER",
    ),
    **dict.fromkeys(
        "street address mailingstreet billingstreet shippingstreet mailingaddress billingaddress "
        "shippingaddress straße strasse adresse anschrift rue dirección direccion calle indirizzo via "
        "adres straat".split(),
        "LOCATION",
    ),
    **dict.fromkeys("iban bankaccount konto kontonummer".split(), "IBAN_CODE"),
}


def _has_header(sample: str, style: dict[str, Any]) -> bool:
    """Whether the first row names the columns: a known column name in it, or the sniffer's guess."""
    first = next(csv.reader(io.StringIO(sample), **style), [])
    if any(column_types(first)):
        return True
    try:
        return csv.Sniffer().has_header(sample)
    except csv.Error:
        return False


def column_types(header: list[str]) -> list[str | None]:
    """The entity type of each column whose header names one, else None."""
    return [_COLUMN_TYPES.get("".join(ch for ch in h.lower() if ch not in " ._-")) for h in header]


def anonymize_csv(screen: PrivacyScreen, region_id: str, source: IO[str], sink: IO[str]) -> int:
    """Every cell anonymized; the dialect (delimiter, quoting) is detected and kept. Cells of columns
    whose header names an entity (Name, E-Mail, Telefon, Mailing Street, ...) are that entity whole,
    wherever else they appear in the row."""
    sample = source.read(_CSV_SAMPLE)
    rest = io.StringIO(sample + source.read()) if len(sample) == _CSV_SAMPLE else io.StringIO(sample)
    try:
        sniffed: Any = csv.Sniffer().sniff(sample, delimiters=",;\t|")
        delimiter, quotechar = sniffed.delimiter, sniffed.quotechar or '"'
    except csv.Error:
        delimiter, quotechar = ",", '"'
    if sample.startswith("\ufeff"):
        rest.seek(1)
        sink.write("\ufeff")
    # Only the delimiter and quote character are taken from the sample: quotes inside cells are
    # doubled, as every spreadsheet writes them, even where the sample had none to show it.
    style: dict[str, Any] = {"delimiter": delimiter, "quotechar": quotechar, "doublequote": True}
    reader = csv.reader(rest, **style)
    line_end = "\r\n" if "\r\n" in sample else "\n"
    writer = csv.writer(sink, quoting=csv.QUOTE_MINIMAL, lineterminator=line_end, **style)
    vault = PseudonymVault()
    types: list[str | None] = []
    has_header = _has_header(sample.removeprefix("\ufeff"), style)
    for number, row in enumerate(reader):
        if number == 0 and has_header:
            # Column names are kept as they are, and name the columns whose cells are one entity.
            writer.writerow(row)
            types = column_types(row)
            continue
        known: dict[str, list[str]] = {}
        for entity_type, cell in zip(types, row, strict=False):
            if entity_type is not None and cell.strip():
                known.setdefault(entity_type, []).append(cell.strip())
        result = screen.screen(row, known, region_id=region_id, redact_blocked=True, vault=vault)
        writer.writerow([cell.text for cell in result.texts])
    return 0


FORMATS = {"text": anonymize_text, "jsonl": anonymize_jsonl, "csv": anonymize_csv}
