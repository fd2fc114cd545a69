"""Prompts for `regional-llm bench serve`: synthetic ones of chosen lengths, a JSONL file, or a
realistic e-commerce chat set with PII in it (what a CRM-connected chatbot sends)."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inference.errors import ConfigError

# Short, common English words: about one token each for the usual BPE vocabularies, so that a prompt
# of N words is close to N tokens. The server reports the exact count (usage.prompt_tokens).
_WORDS = (
    "the of and to in is you that it he was for on are as with his they at be this have from or one had "
    "by word but not what all were we when your can said there use an each which she do how their if "
    "will up other about out many then them these so some her would make like him into time has look two "
    "more write go see number no way could people my than first water been call who oil its now find long "
    "down day did get come made may part order ship price size color return item box card help store"
).split()


@dataclass(frozen=True)
class BenchPrompt:
    """One request of the workload: a text prompt (completions) or messages (chat), and its output length."""

    messages: tuple[tuple[str, str], ...]
    output_len: int

    @property
    def text(self) -> str:
        """The prompt as one text, for the completions endpoint."""
        return "\n".join(content for _, content in self.messages)

    def chat(self) -> list[dict[str, str]]:
        return [{"role": role, "content": content} for role, content in self.messages]


def _length(rng: random.Random, mean: int, ratio: float) -> int:
    """A length drawn uniformly from [mean * (1 - ratio), mean * (1 + ratio)], like vLLM's random dataset."""
    low, high = max(1, round(mean * (1 - ratio))), max(1, round(mean * (1 + ratio)))
    return rng.randint(low, high)


def random_prompts(
    count: int, input_len: int, output_len: int, range_ratio: float, seed: int
) -> list[BenchPrompt]:
    """`count` prompts of about `input_len` words and `output_len` tokens asked for."""
    rng = random.Random(seed)
    prompts = []
    for _ in range(count):
        words = " ".join(rng.choice(_WORDS) for _ in range(_length(rng, input_len, range_ratio)))
        prompts.append(BenchPrompt((("user", words),), _length(rng, output_len, range_ratio)))
    return prompts


def jsonl_prompts(path: Path, count: int, output_len: int, seed: int) -> list[BenchPrompt]:
    """Prompts from a JSONL file: `{"prompt": "..."}` or `{"messages": [{"role", "content"}, ...]}`,
    with an optional `"max_tokens"`. Lines are drawn in order, repeating the file if it is short."""
    try:
        lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    except OSError as exc:
        raise ConfigError(str(path), None, f"cannot read the dataset: {exc.strerror}") from None
    if not lines:
        raise ConfigError(str(path), None, "the dataset has no prompts")
    parsed = [_jsonl_prompt(path, number, line, output_len) for number, line in enumerate(lines, start=1)]
    random.Random(seed).shuffle(parsed)
    return [parsed[i % len(parsed)] for i in range(count)]


def _jsonl_prompt(path: Path, number: int, line: str, output_len: int) -> BenchPrompt:
    where = f"{path}:{number}"
    try:
        record: Any = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ConfigError(where, None, f"not valid JSON ({exc.msg})") from None
    if not isinstance(record, dict):
        raise ConfigError(where, None, "expected a JSON object per line")
    max_tokens = record.get("max_tokens", output_len)
    if not isinstance(max_tokens, int) or max_tokens < 1:
        raise ConfigError(where, "max_tokens", "must be a positive integer")
    if isinstance(record.get("prompt"), str):
        return BenchPrompt((("user", record["prompt"]),), max_tokens)
    messages = record.get("messages")
    if (
        isinstance(messages, list)
        and messages
        and all(
            isinstance(m, dict) and isinstance(m.get("role"), str) and isinstance(m.get("content"), str)
            for m in messages
        )
    ):
        return BenchPrompt(tuple((m["role"], m["content"]) for m in messages), max_tokens)
    raise ConfigError(where, None, 'expected "prompt" (a string) or "messages" (a list of {role, content})')


_SYSTEM = (
    "You are the customer service assistant of {shop}, an online store. Answer in the customer's "
    "language, briefly and politely. Use the order data given; never invent prices or dates."
)
_TURNS = (
    "Hi, I'm {name}. My order {order} was supposed to arrive on {date} but nothing came. "
    "Can you check where it is? You can reach me at {email} or {phone}.",
    "Hello, this is {name} ({email}). I want to return the {product} from order {order}, it is the wrong "
    "size. Please refund to my account {iban}.",
    "Guten Tag, mein Name ist {name}. Ich habe die Bestellung {order} am {date} aufgegeben und möchte die "
    "Lieferadresse ändern: {address}. Telefon: {phone}.",
    "Bonjour, je suis {name}, client depuis 2019. Le {product} de la commande {order} est arrivé cassé. "
    "Pouvez-vous m'envoyer une étiquette de retour à {email} ?",
    "Which of your {category} would you recommend for someone who liked the {product}? My budget is about "
    "{price} EUR. Customer number {customer}, e-mail {email}.",
    "Hola, soy {name}. Me cobraron dos veces el pedido {order} ({price} EUR). Mi IBAN es {iban}; "
    "por favor devuelvan el cargo duplicado.",
)
_CRM_NOTE = (
    "CRM case {case}: customer {name}, tier {tier}, {orders} orders in 12 months, last contact {date} via "
    "{channel}. Open issue: {issue}."
)
_PRODUCTS = ("running shoes", "rain jacket", "espresso machine", "wool sweater", "desk lamp", "backpack")
_CATEGORIES = ("headphones", "kitchen appliances", "winter jackets", "office chairs")
_ISSUES = ("late delivery", "refund pending", "damaged item", "address change", "double charge")


def ecommerce_prompts(count: int, output_len: int, seed: int, locale: str = "de_DE") -> list[BenchPrompt]:
    """Customer-service chats as a Salesforce-connected chatbot sends them: a system prompt, a CRM note
    with the customer's record, and the customer's message, with names, e-mail addresses, phone numbers,
    IBANs and postal addresses in them (pseudonymized by a region's default policy). No payment card
    numbers: a region's default policy refuses those, which would measure refusals instead."""
    from faker import Faker

    fake = Faker(locale)
    fake.seed_instance(seed)
    rng = random.Random(seed)
    prompts = []
    for _ in range(count):
        values = {
            "shop": fake.company(),
            "name": fake.name(),
            "email": fake.email(),
            "phone": fake.phone_number(),
            "iban": fake.iban(),
            "address": fake.address().replace("\n", ", "),
            "order": f"{rng.randint(10, 99)}-{rng.randint(1000000, 9999999)}",
            "customer": f"C{rng.randint(100000, 999999)}",
            "case": f"{rng.randint(10000000, 99999999)}",
            "date": fake.date_this_year().isoformat(),
            "product": rng.choice(_PRODUCTS),
            "category": rng.choice(_CATEGORIES),
            "price": f"{rng.randint(15, 400)}.{rng.randint(0, 99):02d}",
            "tier": rng.choice(("standard", "gold", "platinum")),
            "orders": str(rng.randint(1, 30)),
            "channel": rng.choice(("e-mail", "phone", "chat")),
            "issue": rng.choice(_ISSUES),
        }
        messages = (
            ("system", _SYSTEM.format(**values) + "\n\n" + _CRM_NOTE.format(**values)),
            ("user", rng.choice(_TURNS).format(**values)),
        )
        prompts.append(BenchPrompt(messages, output_len))
    return prompts
