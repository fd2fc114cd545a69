"""`regional-llm audit export` and `audit incident`: the trail as JSON lines or CSV, and the facts a
breach notification needs (GDPR Art. 33: categories of data and of data subjects, approximate numbers,
systems involved) for a time window."""

from __future__ import annotations

import csv
import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict
from typing import IO, Any

from inference.audit.record import COLUMNS, AuditRecord


def export(records: Iterable[AuditRecord], sink: IO[str], fmt: str) -> int:
    """Write records as `jsonl` or `csv` (the `pii` column as JSON); returns how many."""
    count = 0
    if fmt == "csv":
        writer = csv.writer(sink, lineterminator="\n")
        writer.writerow(COLUMNS)
        for record in records:
            row = record.to_row()
            writer.writerow([row[c] for c in COLUMNS])
            count += 1
        return count
    for record in records:
        sink.write(json.dumps(asdict(record), ensure_ascii=False, sort_keys=False) + "\n")
        count += 1
    return count


def incident(records: Iterable[AuditRecord], since: str | None, until: str | None) -> dict[str, Any]:
    """Counts over a window: requests by decision, origins, identities, builds, PII categories."""
    decisions: Counter[str] = Counter()
    origins: Counter[str] = Counter()
    identities: Counter[str] = Counter()
    builds: Counter[str] = Counter()
    regions: Counter[str] = Counter()
    entities: Counter[str] = Counter()
    actions: Counter[str] = Counter()
    contradictions: Counter[str] = Counter()
    requests_with_pii = contradicted = 0
    first = last = None
    total = 0
    for record in records:
        if record.decision == "purge":
            continue
        total += 1
        first = first or record.time
        last = record.time
        decisions[record.decision] += 1
        regions[record.region] += 1
        identities[record.identity] += 1
        builds[f"{record.build}@sha256:{record.build_digest}"] += 1
        for code in filter(None, record.origins.split(",")):
            origins[code] += 1
        if record.pii:
            requests_with_pii += 1
        for entity_type, by_action in record.pii.items():
            for action, count in by_action.items():
                entities[entity_type] += count
                actions[f"{entity_type}:{action}"] += count
        if record.contradictions:
            contradicted += 1
            for entity_type, by_country in record.contradictions.items():
                for country, count in by_country.items():
                    contradictions[f"{country}:{entity_type}"] += count
    return {
        "window": {"since": since, "until": until, "first_record": first, "last_record": last},
        "requests": total,
        "requests_with_personal_data": requests_with_pii,
        "decisions": dict(decisions.most_common()),
        "regions": dict(regions.most_common()),
        "data_origins": dict(origins.most_common()),
        "identities": dict(identities.most_common()),
        "model_builds": dict(builds.most_common()),
        "personal_data_categories": dict(entities.most_common()),
        "actions_taken": dict(actions.most_common()),
        "requests_with_origin_contradictions": contradicted,
        "origin_contradictions": dict(contradictions.most_common()),
    }


def incident_markdown(facts: dict[str, Any]) -> str:
    """The incident facts as a Markdown report."""
    window = facts["window"]

    def table(title: str, counts: dict[str, int], column: str, unit: str = "requests") -> list[str]:
        lines = [f"## {title}", ""]
        if not counts:
            return [*lines, "None.", ""]
        lines += [f"| {column} | {unit} |", "|---|---:|"]
        lines += [f"| {name} | {count} |" for name, count in counts.items()]
        return [*lines, ""]

    lines = [
        "# Incident report: regional-llm audit trail",
        "",
        f"Window: {window['since'] or 'start of the trail'} to {window['until'] or 'now'} "
        f"(records from {window['first_record'] or '-'} to {window['last_record'] or '-'}).",
        "",
        f"- Requests: {facts['requests']}",
        f"- Requests carrying personal data: {facts['requests_with_personal_data']}",
        "- Requests whose data points to a country the region does not accept: "
        f"{facts['requests_with_origin_contradictions']}",
        "",
        *table("Decisions", facts["decisions"], "decision"),
        *table("Data origins", facts["data_origins"], "origin"),
        *table("Identities (callers)", facts["identities"], "identity"),
        *table("Regions", facts["regions"], "region"),
        *table("Model builds", facts["model_builds"], "build"),
        *table("Categories of personal data", facts["personal_data_categories"], "entity type", "entities"),
        *table("Actions taken", facts["actions_taken"], "entity type:action", "entities"),
        *table(
            "Data pointing outside the accepted origins (refused or flagged)",
            facts["origin_contradictions"],
            "country:entity type",
            "entities",
        ),
    ]
    return "\n".join(lines).rstrip() + "\n"
