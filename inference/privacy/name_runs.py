"""Runs of words that may be a person's name, and what decides whether they are one: the words in and
around them (see `FoundNames.plausible`), for the rules in `names`."""

from __future__ import annotations

import re

from inference.privacy.name_context import (
    BETWEEN_NAME_AND_VERB,
    BRAND_FIRST_WORDS,
    BRAND_NAMES,
    BRANDS,
    FIRST_NAME_BEFORE,
    PERSON_BEFORE,
    PERSON_VERBS,
    PLACE_AFTER,
    PLACE_BEFORE,
    PLACE_PREPOSITIONS,
    POSSESSIONS,
    STREET_BEFORE,
    STREET_ENDINGS,
    THING_BEFORE,
)
from inference.privacy.name_cues import CAPITAL_PARTICLES, NOT_NAMES, PARTICLES, WORD
from inference.privacy.name_lists import FIRST_NAME, NameLists, key

CAPITALIZED = re.compile(WORD)
NEXT_TOKEN = re.compile(r"[ \t]+(\S+)")
_SIGNATURE_AFTER = re.compile(r"[ \t]*[.!]?\s*\Z")
PUNCTUATION = ".,;:!?()[]\"'\u2019\u201c\u201d\u00ab\u00bb"
# First words and words before a run that make it no person (see `FoundNames.plausible`).
_REJECTED_FIRST = NOT_NAMES | BRANDS | PLACE_BEFORE
_REJECTED_BEFORE = THING_BEFORE | BRANDS
_MODEL = re.compile(r"(?:[A-Za-z]{0,4}\d{1,5}[A-Za-z0-9]{0,4}|Pro|Max|Ultra|Plus|Mini|Lite|Air|XL|XXL|GB|TB)")


def token_before(text: str, position: int) -> tuple[int, str]:
    """The whitespace-separated token that ends right before `position` (spaces or tabs between, not a
    line break), with its start; (position, "") where there is none."""
    end = position
    while end and text[end - 1] in " \t":
        end -= 1
    if not end or text[end - 1] in "\r\n":
        return position, ""
    start = text.rfind(" ", max(0, end - 48), end) + 1
    token = text[start:end]
    if "\n" in token or "\t" in token:
        cut = max(token.rfind("\n"), token.rfind("\t")) + 1
        start, token = start + cut, token[cut:]
    return start, token


def speaks(text: str, end: int) -> bool:
    """Whether a verb of speaking (maybe after a pronoun or an adverb) or a possessive of what people
    have follows `end`: "Okafor said", "Lucía me dijo", "Okafor's wife"."""
    if text.startswith(("'s ", "\u2019s "), end):
        words = text[end + 3 : end + 40].split(maxsplit=1)
        return bool(words) and words[0].lower().rstrip(PUNCTUATION) in POSSESSIONS
    if end >= len(text) or text[end] not in " \t":
        return False
    words = [word.lower().rstrip(PUNCTUATION) for word in text[end : end + 48].split(maxsplit=4)[:4]]
    if words and words[0] in BETWEEN_NAME_AND_VERB:
        words = words[1:]
    return any(" ".join(words[:n]) in PERSON_VERBS for n in (1, 2, 3) if len(words) >= n)


class FoundNames:
    """The PERSON spans of one text, and what decides whether a run of words is one."""

    def __init__(self, text: str, lists: NameLists) -> None:
        self.text = text
        self.lists = lists
        self.ends: dict[int, int] = {}
        # The rules ask for the same tokens and runs again and again: each is worked out once.
        self._before: dict[int, tuple[int, str]] = {}
        self._plausible: dict[tuple[int, int], bool] = {}
        self._covered: bytearray | None = None

    def before(self, position: int) -> tuple[int, str]:
        """`token_before` in this text, remembered."""
        found = self._before.get(position)
        if found is None:
            found = self._before[position] = token_before(self.text, position)
        return found

    def add(self, start: int, end: int) -> None:
        if start < end and self.ends.get(start, -1) < end:
            self.ends[start] = end
            if self._covered is not None:
                self._covered[start:end] = b"\x01" * (end - start)

    def covered(self) -> bytearray:
        """One byte per character of the text, set where a found name stands; kept up to date."""
        if self._covered is None:
            self._covered = bytearray(len(self.text))
            for start, end in self.ends.items():
                self._covered[start:end] = b"\x01" * (end - start)
        return self._covered

    def words(self, start: int, end: int) -> list[str]:
        """The capitalized words of a run, without particles and punctuation."""
        return [w for w in (t.strip(PUNCTUATION) for t in self.text[start:end].split()) if w[:1].isupper()]

    def plausible(self, start: int, end: int) -> bool:
        """Whether a run found through the lists is a person: no common word, place word or brand first,
        no street, company or model word in it or after it, no article or possessive before it, not all
        in capitals unless a part is a known name."""
        verdict = self._plausible.get((start, end))
        if verdict is None:
            verdict = self._plausible[(start, end)] = self._judge(start, end)
        return verdict

    def _judge(self, start: int, end: int) -> bool:
        text = self.text
        run = text[start:end]
        words = run.split()
        # A surname's particle in capitals opens the run (De Wilde): the word after it decides.
        if len(words) > 1 and words[0] in CAPITAL_PARTICLES:
            words = words[1:]
        first = words[0].strip(PUNCTUATION).casefold()
        if first in _REJECTED_FIRST or first in self.lists.common:
            return False
        if len(words) > 1:
            if first in BRAND_FIRST_WORDS and any(key(" ".join(words[:n])) in BRAND_NAMES for n in (2, 3, 4)):
                return False
            for word in words[1:]:
                if word.casefold() in PLACE_AFTER:
                    return False
        if run.isupper() and not any(self.lists.kind(w) for w in words):
            return False
        if words[-1].lower().endswith(STREET_ENDINGS):
            return False
        before = self.before(start)[1]
        if before:
            previous = before.rstrip(".").casefold()
            if previous in _REJECTED_BEFORE or previous in STREET_BEFORE:
                return False
            if previous in PLACE_BEFORE and before[0].isupper():
                return False
        rest = text[end : end + 24]
        if not rest or rest[0] not in " \t":
            return True
        after = rest.lstrip(" \t").split(None, 1)
        if not after or rest.lstrip(" \t")[0] in "\r\n":
            return True
        token = after[0].rstrip(PUNCTUATION)
        # Galaxy S24, Aviator RB3025, Pro 2: a model follows a product, not a person.
        return token.casefold() not in PLACE_AFTER and _MODEL.fullmatch(token) is None

    def known(self, start: int, end: int) -> bool:
        """Whether a plausible run holds a known name."""
        return any(self.lists.kind(w) for w in self.words(start, end)) and self.plausible(start, end)

    def single(self, start: int, end: int) -> bool:
        """Whether one known name on its own is a person: a verb of speaking or a possessive after it,
        "with" before it, a small word before a first name, or a first name that signs the message."""
        text, word = self.text, self.text[start:end]
        if len(word) < 3:
            return False
        following = NEXT_TOKEN.match(text, end)
        if following is not None and following.group(1) in PARTICLES:
            following = NEXT_TOKEN.match(text, following.end())
        # The first word of a run that is no person (Louis Vuitton, Johan de Wittlaan) is none either.
        if following is not None and following.group(1)[0].isupper():
            return False
        return self._alone_as_person(start, end, word) and self.plausible(start, end)

    def _alone_as_person(self, start: int, end: int, word: str) -> bool:
        text = self.text
        if speaks(text, end):
            return True
        first_name = bool(self.lists.kind(word) & FIRST_NAME)
        if first_name and _SIGNATURE_AFTER.match(text, end):
            lead = text[max(0, start - 3) : start].rstrip(" \t")
            if not lead or lead[-1] in "\n.!?-\u2013\u2014":
                return True
        before = self.before(start)[1]
        if not before or self.lists.is_place(word):
            return False
        previous = before.casefold()
        if previous in PERSON_BEFORE:
            return True
        # "llamé a Lucía", "la commande de Julie", "and then Priya": a first name after a small word
        # (de and von also come before places: a surname needs "with" and its kin).
        if previous in PLACE_PREPOSITIONS:
            return False
        return first_name and (previous in FIRST_NAME_BEFORE or self.lists.is_function_word(previous))

    def surname_run(self, start: int, end: int) -> int | None:
        """The start of a run that ends with the known surname at (start, end): up to three capitalized
        words before it, maybe with particles (Sanne de Vries, Ludwig van Beethoven, Ngozi Adaeze
        Okafor); None if there is none."""
        starts: list[int] = []
        position, token = self.before(start)
        for _ in range(5):
            # Particles are written in capitals too (Lieve De Wilde, Marco Di Stefano); one in capitals
            # belongs to the surname even alone ("De Wilde confirmed").
            if token.lower() in PARTICLES:
                if token in CAPITAL_PARTICLES and not starts:
                    starts.append(position)
                position, token = self.before(position)
                continue
            if (
                not token
                or not CAPITALIZED.fullmatch(token)
                or key(token) in self.lists.common
                or len(starts) == 3
            ):
                break
            starts.append(position)
            position, token = self.before(position)
        # The longest run that is plausible: "Customer Ngozi Adaeze Okafor" is "Ngozi Adaeze Okafor".
        return next((run_start for run_start in reversed(starts) if self.plausible(run_start, end)), None)
