"""Person names without a model: cues people write around names, and first-name lists.

A name is a run of one to four capitalized words (with particles such as von, van, de, di). It is
taken as a PERSON when:
- a title or salutation precedes it (Herr, Mme, Sra., Dear, Hallo, ...), or a phrase that introduces a
  name (my name is, je m'appelle, mijn naam is, Kunde:, ...);
- it closes a message after a sign-off (Best regards, Mit freundlichen Grüßen, Cordialement, ...);
- its first word is a known first name and another capitalized word follows it.

First names come from Faker's person providers for the seven main locales (maintained lists, no
download). Precision and recall on the labelled corpus are in docs/privacy.md.
"""

from __future__ import annotations

import importlib
import re
import unicodedata
from functools import lru_cache

from inference.privacy.entities import PERSON, EntitySpan
from inference.privacy.scanner import ScanExpression

_LOCALES = ("en_US", "en_GB", "de_DE", "fr_FR", "es_ES", "it_IT", "nl_NL")

# Latin letters, with the accented ones of European and many other names (ș, ł, ő, đ, ...).
_LATIN = [chr(code) for code in (*range(0x41, 0x250), *range(0x1E00, 0x1F00))]
_UPPER = "".join(ch for ch in _LATIN if ch.isupper())
_LOWER = "".join(ch for ch in _LATIN if ch.islower())
# A capitalized word, possibly hyphenated or with an apostrophe (O'Brien, Jean-Luc, Ní).
_APOSTROPHES = "'\u2019"
# Hyphenated parts may be a single capital (Tjon-A-Fong) or lower case (Delgado-de-la-Rosa).
_WORD = (
    rf"[{_UPPER}][{_LOWER}]+(?:[{_APOSTROPHES}-](?:[{_UPPER}][{_LOWER}]*|[{_LOWER}]+))*"
    rf"|[{_UPPER}][{_APOSTROPHES}][{_UPPER}][{_LOWER}]+"
)
_PARTICLE = r"(?:von|van|der|den|de|del|della|di|da|du|le|la|ten|ter|zu|y|dos|das|Ní|Mac|Mc)"
_NAME = rf"(?:{_WORD})(?:[ \t]+(?:{_PARTICLE}[ \t]+)*(?:{_WORD})){{0,3}}"

_TITLES = (
    r"Mr\.?|Mrs\.?|Ms\.?|Miss|Mx\.?|Dr\.?|Prof\.?|Sir|Madam|Herr|Herrn|Frau|Hr\.|Fr\.|M\.|Mme\.?|Mlle\.?"
    r"|Monsieur|Madame|Mademoiselle|Sr\.|Sra\.|Srta\.|Señor|Señora|Señorita|Don|Doña|Sig\.|Sig\.ra|Sig\.na"
    r"|Signor|Signora|Signorina|Dott\.|Dott\.ssa|Avv\.|Ing\.|Dhr\.|Mevr\.|Mw\.|meneer|mevrouw|de heer"
)
_SALUTATIONS = (
    r"Dear|Hi|Hello|Hey|Liebe|Lieber|Hallo|Guten Tag|Sehr geehrte|Sehr geehrter|Cher|Chère|Bonjour|Salut"
    r"|Estimado|Estimada|Querido|Querida|Hola|Buenos días|Caro|Cara|Gentile|Ciao|Buongiorno|Beste|Geachte"
    r"|Hoi|Goedemiddag|Goedemorgen"
)
_INTRODUCERS = (
    r"my name is|my name's|I am|I'm|this is|name is|mein Name ist|ich heiße|ich bin|hier ist|je m'appelle"
    r"|je suis|mon nom est|ici|me llamo|mi nombre es|soy|aquí|mi chiamo|il mio nome è|sono|qui è"
    r"|mijn naam is|ik heet|ik ben|hier is"
    r"|spoke with|spoke to|talked to|called|sprach mit|Gespräch mit|telefoniert mit|parlé avec|appelé"
    r"|hablé con|llamó|ho parlato con|ha chiamato|gesproken met|belde"
    r"|customer|client|clienta|caller|contact|agent|\w*kunde|\w*kundin|\w*kunden|Ansprechpartner"
    r"|Ansprechpartnerin|cliente|klant|contactpersoon|interlocuteur|interlocutrice|referente"
    r"|call summary|note by|note from|notes by|handled by|approved by|Notiz von|Notiz|bearbeitet von"
    r"|erstellt von|geprüft von|Beschwerde von|note de|validé par|traité par|plainte de|nota de"
    r"|gestionado por|queja de|reclamación de|nota di|gestito da|reclamo di|notitie van|behandeld door"
    r"|klacht van|account of|compte de|Konto von|cuenta de|conto di|account van"
    # Relatives and colleagues named in CRM notes.
    r"|wife|husband|son|daughter|mother|father|brother|sister|partner|colleague|son-in-law"
    r"|daughter-in-law|Ehefrau|Ehemann|Ehemanns|Mann|Sohn|Tochter|Mutter|Vater|Bruder|Schwester"
    r"|Kollege|Kollegin|Schwiegersohn|mari|femme|fils|fille|mère|père|frère|sœur|collègue|gendre"
    r"|esposo|esposa|marido|mujer|hijo|hija|madre|padre|hermano|hermana|yerno|nuera|marito|moglie"
    r"|figlio|figlia|fratello|sorella|genero|collega|man|vrouw|zoon|dochter|moeder|vader|broer|zus"
    r"|schoonzoon|echtgenoot|echtgenote|collega"
)
_SIGN_OFFS = (
    r"Best regards|Kind regards|Regards|Best|Thanks|Thank you|Cheers|Sincerely|Yours"
    r"|Mit freundlichen Grüßen|Freundliche Grüße|Viele Grüße|Beste Grüße|Liebe Grüße|Gruß|Grüße|LG|VG"
    r"|Danke|Cordialement|Bien cordialement|Bien à vous|Merci|Amicalement|Salutations"
    r"|Saludos|Un saludo|Atentamente|Gracias|Cordiali saluti|Distinti saluti|Saluti|Grazie"
    r"|Met vriendelijke groet|Vriendelijke groet|Groeten|Groet|Bedankt|Dank je|Dank u"
)

# Each cue kind: the cue expression (found by the scanner, cue words in any letter case except titles)
# and what may stand between the cue and the name (matched from the cue's end, names capitalized).
_OPTIONAL_TITLE = rf"(?:(?:{_TITLES})[ \t]+)*"
_CUES: dict[str, tuple[str, bool, str]] = {
    "title": (rf"\b(?:{_TITLES})[ \t]+", False, ""),
    "salutation": (rf"\b(?:{_SALUTATIONS})[ \t,]+", True, _OPTIONAL_TITLE),
    # One lower-case word may stand between (sa fille majeure Léa, Clienta polaca Małgorzata).
    "introducer": (
        rf"\b(?:{_INTRODUCERS})[ \t]*[:,]?[ \t]+",
        True,
        rf"(?:[{_LOWER}]+[ \t]*,?[ \t]+)?{_OPTIONAL_TITLE}",
    ),
    # A name that closes a message after a sign-off, on the same line or the next.
    "sign_off": (rf"\b(?:{_SIGN_OFFS})", True, r"[ \t]*[,!.:]?[ \t]*(?:\r?\n[ \t]*)?"),
}
_AFTER_NAME = {"sign_off": r"[ \t]*[.!]?[ \t]*(?:\r?\n|$)"}
_AFTER_CUE = {
    kind: re.compile(rf"{between}(?P<name>{_NAME}){_AFTER_NAME.get(kind, '')}")
    for kind, (_, _, between) in _CUES.items()
}
_LEADING_TITLE = re.compile(rf"(?:(?:{_TITLES})[ \t]+)+")


# Capitalized words that follow the cues above but are not names: pronouns, articles, shop and CRM words.
_NOT_NAMES = frozenset(
    "Account Accounts Mail E-Mail Email Kunde Kundin Kunden Bestellung Order Case Contact Lead Opportunity "
    "Ticket Team Support Service Kundenservice Kundendienst Hotline Sie Ihr Ihre Ich Wir Er Es Der Die Das "
    "Den Dem The This That We You Your Our He She They It Il Elle Nous Vous Le La Les Un Une Je El Ella "
    "Los Las Lo Una Uno Gli Io Lei De Het Een Wij Zij Hij Ze Ik Amazon PayPal Visa Mastercard Klarna DHL "
    "UPS FedEx PostNL GLS Hermes Chronopost Correos Bartolini Finance Billing Sales Refund Refunds "
    # Titles, when a dotted one ("Dr.") was cut off at its dot.
    "Dr Prof Mr Mrs Ms Mx Herr Herrn Frau Hr Fr Mme Mlle Sr Sra Srta Sig Dott Avv Ing Dhr Mevr Mw".split()
)


def fold(word: str) -> str:
    """A name without accents, for lookups: Léa, Lea; Saïd, Said."""
    if word.isascii():
        return word
    return unicodedata.normalize("NFKD", word).encode("ascii", "ignore").decode()


@lru_cache(maxsize=1)
def _first_name_forms() -> frozenset[str]:
    """First names of the main locales, from Faker's person providers, as written and accent-folded;
    single words only (the parts of a double name are names of their own)."""
    names: set[str] = set()
    for locale in _LOCALES:
        provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        for attribute in ("first_names", "first_names_female", "first_names_male"):
            for name in getattr(provider, attribute, ()):
                for part in re.split(r"[\s-]+", name):
                    if len(part) > 1:
                        names.update((part, fold(part)))
    # Words that are also first names somewhere but mostly mean something else in shop messages.
    return frozenset(names) - _COMMON_WORDS


_COMMON_WORDS = frozenset(
    (
        "April May June August Mark Will Summer Autumn Winter Hope Joy Faith Paris Florence Sofia Victoria "
        "Max Iris Jade Ruby Pearl Amber Crystal Dawn Star Sky Lane Chase Hunter Miles Bill Art Guy Roman "
        "Christian Nation Alpha Mercedes Porsche Kia Dior Chanel Prime Express Premium Plus Pro Ultra Lite "
        "Mini Angel"
    ).split()
)


CUE_KINDS: tuple[str, ...] = tuple(_CUES)


def cue_expressions() -> list[ScanExpression]:
    """The cue expressions, in the order of CUE_KINDS, for the detector's scanner."""
    return [
        ScanExpression(expression, caseless, needs_start=False) for expression, caseless, _ in _CUES.values()
    ]


def first_name_expressions() -> list[ScanExpression]:
    """Every known first name as a literal, as written and with its accents folded."""
    return [ScanExpression(name, literal=True) for name in sorted(_first_name_forms())]


# After a first name: the rest of a hyphenated one (Pierre-Antoine), then one to three more words.
_FIRST_NAME_TAIL = re.compile(
    rf"(?:[{_APOSTROPHES}-](?:[{_UPPER}][{_LOWER}]*|[{_LOWER}]+))*"
    rf"(?:[ \t]+(?:{_PARTICLE}[ \t]+)*(?:{_WORD})){{1,3}}"
)


def find_people(
    text: str, cue_ends: list[tuple[str, int]], first_name_hits: list[tuple[int, int]]
) -> list[EntitySpan]:
    """PERSON spans after the cues the scanner found (kind, end offset), and from the first names it
    found (start, end) that begin a run of capitalized words."""
    spans: set[EntitySpan] = set()
    for kind, position in cue_ends:
        match = _AFTER_CUE[kind].match(text, position)
        if match is None:
            continue
        start, end = match.start("name"), match.end("name")
        # "Sehr geehrte Frau Weber": a name run may start with a title.
        title = _LEADING_TITLE.match(text, start, end)
        if title is not None:
            start = title.end()
        if start < end and text[start:end].split()[0] not in _NOT_NAMES:
            spans.add(EntitySpan(start, end, PERSON, "names"))
    for start, end in first_name_hits:
        # Whole words only: "Anna" in "Annabel" or "Susanna" is no hit.
        if (start and text[start - 1].isalnum()) or (end < len(text) and text[end].isalnum()):
            continue
        tail = _FIRST_NAME_TAIL.match(text, end)
        if tail is not None:
            spans.add(EntitySpan(start, tail.end(), PERSON, "names"))
    return sorted(spans)
