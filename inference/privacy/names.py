"""Person names without a model and without the caller's help: cues people write around names, name
lists, and the shape of names.

A name is a run of one to four capitalized words (with particles such as von, van, de, di, Al, Ben; a
surname may be in capitals, as French and Italian forms write it: Jean DUPONT). It is taken as a PERSON:
- after a cue (`name_cues`): a title, a greeting, a phrase that introduces a name (my name is, spoke
  with, wife, according to, ...), a CRM or e-mail field header (Contact:, Titular:, From:), or a
  sign-off at the end of a message; after the strong ones a name may be in lower case
  ("my name is anna kowalska") when its words are known names;
- around a known name (`name_lists`): a first name with capitalized words after it, a surname with
  capitalized words before it; one known name alone with a verb of speaking or a possessive after it
  (Okafor said, Nowak rief an, Okafor's wife), "with" before it, a small word before a first name
  (llamé a Lucía), or a first name that signs the message;
- next to a found name (Anna Schmidt and Tomasz Wiśniewski), and wherever a found name's parts recur;
- two capitalized words inside a sentence that no list knows, when nothing marks them as a thing.
What stands around a run decides against it (`name_runs`): street, place, company, brand and model
words, articles and possessives (Rue Victor Hugo, Schmidt GmbH, Calvin Klein, the Stanley Quencher).
Recall per language on the labelled corpora is in docs/privacy.md.
"""

from __future__ import annotations

import re

from inference.privacy.entities import PERSON, EntitySpan
from inference.privacy.name_context import (
    THING_BEFORE,
)
from inference.privacy.name_cues import (
    APOSTROPHES,
    CUES,
    LINE_END,
    LOWER,
    LOWER_RUN,
    NAME_AT,
    NOT_NAMES,
    PARTICLE,
    PARTICLES,
    TITLE_TOKENS,
    UPPER,
    WORD,
)
from inference.privacy.name_lists import FIRST_NAME, SURNAME, NameLists, key, name_lists
from inference.privacy.name_runs import CAPITALIZED, NEXT_TOKEN, PUNCTUATION, FoundNames

# After a known name: the rest of a hyphenated one (Pierre-Antoine), then one to three more words.
_NAME_TAIL = re.compile(
    rf"(?:[{APOSTROPHES}-](?:[{UPPER}][{LOWER}]*|[{LOWER}]+))*"
    rf"(?:[ \t]+(?:{PARTICLE}[ \t]+)*(?:{WORD})){{1,3}}"
)
# Titles before a name (Frau Dr. Weber, de heer Jansen), each a whole token followed by spaces or tabs.
_TITLES_AT = re.compile(
    "(?:(?:"
    + "|".join(
        re.escape(title)
        for title in sorted({*TITLE_TOKENS, "de heer"}, key=lambda title: (-len(title), title))
    )
    + ")[ \t]+)*"
)
_ARTICLES_BETWEEN = THING_BEFORE | frozenset("beim vom zum zur im am ins ans aufs la le i".split())
# Names joined to a found one: "Anna Schmidt and Tomasz Wiśniewski", "Anna Schmidt, Ben Okafor".
_JOINERS = frozenset("and und et y e en & or oder ou o of".split())
_JOINED_AFTER = re.compile(
    rf"(?:[ \t]*,[ \t]*|[ \t]+(?:{'|'.join(_JOINERS)})[ \t]+)"
    rf"(?P<name>(?:{WORD})(?:[ \t]+(?:{PARTICLE}[ \t]+)*(?:{WORD})){{1,2}})"
)


def known_names() -> NameLists:
    """The name lists as the detector uses them: the words that follow cues but are no names left out."""
    return name_lists(NOT_NAMES)


def _after_cue(found: FoundNames, kind: str, end: int) -> None:
    """The name after a cue whose match ends at `end`, one letter into the name (or its title)."""
    text = found.text
    titles = _TITLES_AT.match(text, end - 1)
    position = titles.end() if titles is not None else end - 1
    if position >= len(text):
        return
    # "Ansprechpartner beim Händler": an article or a preposition between makes it a thing.
    if kind == "introducer" and found.before(position)[1].casefold() in _ARTICLES_BETWEEN:
        return
    first = text[position]
    if first.isupper():
        match = NAME_AT.match(text, position)
        if match is None:
            return
        run = match.group()
        first_word = run.split(None, 1)[0]
        # A sign-off is followed by the writer's name at the end of the message, or thanks someone
        # by first name ("Gracias Lucía por la ayuda").
        if (
            kind == "sign_off"
            and LINE_END.match(text, match.end()) is None
            and not found.lists.kind(first_word) & FIRST_NAME
        ):
            return
        if first_word.strip(PUNCTUATION).casefold() in NOT_NAMES:
            return
        if run.isupper() and not any(found.lists.kind(w) for w in run.split()):
            return
        found.add(position, match.end())
    elif first.islower() and CUES[kind][1]:
        _lower_case_name(found, kind, position)


def _lower_case_name(found: FoundNames, kind: str, position: int) -> None:
    """ "my name is anna kowalska and ...": known names only; after a greeting or a sign-off, which
    address people by their first name, the first word must be one."""
    match = LOWER_RUN.match(found.text, position)
    if match is None:
        return
    end = position
    needed = FIRST_NAME if kind in ("salutation", "sign_off") else FIRST_NAME | SURNAME
    for word in match.group().split():
        if end > position and word in PARTICLES:
            continue  # "sanne de vries": a particle counts when a known name follows it
        if not found.lists.kind(word) & needed:
            break
        needed = FIRST_NAME | SURNAME
        end = found.text.index(word, end) + len(word)
    if kind == "sign_off" and not LINE_END.match(found.text, end):
        return
    found.add(position, end)


def find_people(text: str, cue_ends: list[tuple[str, int]]) -> list[EntitySpan]:
    """PERSON spans after the cues the scanner found (kind, end offset), around the known names in
    the text, and where those repeat or have neighbours; in no particular order, and they may overlap."""
    found = FoundNames(text, known_names())
    for kind, position in cue_ends:
        if kind != "pair":
            _after_cue(found, kind, position)
    # In text order, so that a name inside one found already ("Schmidt" of "Frau Anna Schmidt") is
    # passed over.
    covered = found.covered()
    for start, end, flags in found.lists.occurrences(text):
        if covered[start]:
            continue
        if flags & FIRST_NAME:
            tail = _NAME_TAIL.match(text, end)
            if tail is not None and found.plausible(start, tail.end()):
                found.add(start, tail.end())
                continue
        if flags & SURNAME:
            run_start = found.surname_run(start, end)
            if run_start is not None:
                found.add(run_start, end)
                continue
        if found.single(start, end):
            found.add(start, end)
    if found.ends:
        _neighbours(found)
    pairs = [end for kind, end in cue_ends if kind == "pair"]
    if pairs:
        _pairs(found, pairs)
    return [EntitySpan(start, end, PERSON, "names") for start, end in found.ends.items()]


def _pairs(found: FoundNames, ends: list[int]) -> None:
    """Two capitalized words inside a sentence that no other rule took, whose match ends at `ends` (one
    character after the second word): a person when no word is a common word, a place or a brand,
    no article stands before them and no capitalized word or model after them."""
    text, lists = found.text, found.lists
    covered = found.covered()
    for match_end in ends:
        end = match_end - 1
        second_start = text.rfind(" ", 0, end) + 1
        start = text.rfind(" ", 0, second_start - 1) + 1
        if covered.find(1, start, end) >= 0:
            continue
        first, second = text[start : second_start - 1].casefold(), text[second_start:end].casefold()
        if any(w in lists.common or w in lists.places or w in NOT_NAMES for w in (first, second)):
            continue
        previous = found.before(start)[1]
        # Part of a longer capitalized run (Harry Potter Hogwarts), or after an article: no person.
        if previous[:1].isupper() or previous.casefold() in _ARTICLES_BETWEEN:
            continue
        following = NEXT_TOKEN.match(text, end)
        if following is not None and (following.group(1)[0].isupper() or following.group(1)[0].isdigit()):
            continue
        if found.plausible(start, end):
            found.add(start, end)


def _neighbours(found: FoundNames) -> None:
    """Add the names joined to a found one, and every other occurrence of a found name's parts."""
    text = found.text
    for start, end in list(found.ends.items()):
        after = _JOINED_AFTER.match(text, end)
        # A known name among its words, so that "Viele Grüße, Anna Schmidt" stays a greeting.
        if after is not None and found.known(after.start("name"), after.end("name")):
            found.add(after.start("name"), after.end("name"))
        before = _joined_before(found, start)
        if before is not None:
            found.add(*before)
    covered = found.covered()
    parts: set[str] = set()
    run_words: set[str] = set()
    common = found.lists.common
    for start, end in found.ends.items():
        for word in text[start:end].split():
            word = word.strip(PUNCTUATION)
            run_words.add(word)
            folded = word.casefold()
            if len(word) > 2 and word[0].isupper() and folded not in common and folded not in NOT_NAMES:
                parts.add(word)
    size = len(text)
    for part in parts:
        # Most parts stand only in the name they come from, which is covered.
        if text.count(part) == 1:
            continue
        position = text.find(part)
        while position >= 0:
            end = position + len(part)
            if (
                covered[position]
                or (position and text[position - 1].isalnum())
                or (end < size and text[end].isalnum())
            ):
                position = text.find(part, end)
                continue
            # With the words of the name around it here too ("Minh Le" of "Minh Le Tran", "De Wilde").
            word_start, word = found.before(position)
            while word and word in run_words and word not in parts and word_start < position:
                position, (word_start, word) = word_start, found.before(word_start)
            following = NEXT_TOKEN.match(text, end)
            while following is not None and following.group(1).strip(PUNCTUATION) in run_words:
                end = following.start(1) + len(following.group(1).rstrip(PUNCTUATION))
                following = NEXT_TOKEN.match(text, end)
            found.add(position, end)
            position = text.find(part, end)


def _joined_before(found: FoundNames, start: int) -> tuple[int, int] | None:
    """A run of two or three words joined to the name at `start` from before ("Ben Okafor and Anna
    Schmidt"), if it holds a known name."""
    position, token = found.before(start)
    if token.endswith(","):
        end = position + len(token) - 1
    elif key(token) in _JOINERS:
        end = found.before(position)[0] + len(found.before(position)[1])
    else:
        return None
    run_start, word = found.before(end + 1 if token.endswith(",") else position)
    words = 0
    while word and CAPITALIZED.fullmatch(word.rstrip(",")) and words < 3:
        words += 1
        position = run_start
        run_start, word = found.before(run_start)
    if words < 2 or not found.known(position, end):
        return None
    return position, end
