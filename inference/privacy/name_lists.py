"""The word lists behind name detection, all from Faker (MIT licence), read once per process.

- Names: the first names and surnames of every Faker person provider written in the Latin alphabet
  (about 80 locales). Faker compiles them from published statistics and reference works (national
  statistics offices' frequency tables, Wikipedia and Wiktionary name categories, onomastic
  dictionaries), not from leaked or scraped personal records.
- Common words, which are never evidence of a name on their own: Faker's basic vocabularies (its lorem
  word lists) for the languages the detector covers, and the months, weekdays and shop words below.
- Places, which are never a name on their own: the cities, countries and regions of Faker's address
  providers for those languages.

Every word is stored with and without its accents, case folded: "MÜLLER", "müller" and "Muller" are one.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

FIRST_NAME = 1
SURNAME = 2

# Locales whose first names are looked for in text in any length (the detector's main languages); other
# locales' names are looked for from four letters on: short ones match inside too many other words.
_MAIN_LOCALES = frozenset({"en_US", "en_GB", "de_DE", "fr_FR", "es_ES", "it_IT", "nl_NL"})
_LOREM_LOCALES = ("en_US", "de_DE", "de_AT", "fr_FR", "es_ES", "it_IT", "nl_NL", "nl_BE")
_ADDRESS_LOCALES = (
    "en_US", "en_GB", "de_DE", "de_AT", "de_CH", "fr_FR", "fr_CH", "es_ES", "it_IT", "nl_NL", "nl_BE",
)  # fmt: skip
_LATIN_NAME = re.compile(r"[A-Za-z\u00c0-\u024f\u1e00-\u1eff]+")
_SPLIT = re.compile(r"[\s'\u2019-]+")

# Words that are names somewhere but mostly mean something else in shop and CRM messages, and the
# calendar, which Faker's vocabularies leave out.
_EXTRA_COMMON = (
    "April May June July August Mark Will Summer Autumn Winter Hope Joy Faith Paris Florence Sofia Victoria "
    "Max Iris Jade Ruby Pearl Amber Crystal Dawn Star Sky Lane Chase Hunter Miles Bill Art Guy Roman "
    "Christian Nation Alpha Mercedes Porsche Kia Dior Chanel Prime Express Premium Plus Pro Ultra Lite "
    "Mini Angel Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March September "
    "October November December Januar Februar März Mai Juni Juli Oktober Dezember Montag Dienstag Mittwoch "
    "Donnerstag Freitag Samstag Sonntag janvier février mars avril juin juillet août septembre octobre "
    "novembre décembre lundi mardi mercredi jeudi vendredi samedi dimanche enero febrero marzo abril mayo "
    "junio julio agosto septiembre octubre noviembre diciembre lunes martes miércoles jueves viernes sábado "
    "domingo gennaio febbraio aprile maggio giugno luglio settembre ottobre dicembre lunedì martedì "
    "mercoledì giovedì venerdì sabato domenica januari februari maart mei juni juli augustus oktober "
    "maandag dinsdag woensdag donderdag vrijdag zaterdag zondag Euro Cent Dollar Pfund Franc Black White "
    "Green Brown Gray Grey Gold Silver Rose Berry Cherry Olive Apple Orange Forest Ocean River Brook Stone "
    "Glass Bell Hall House Street Road Park Field Hill Wood Young Long Short Strong Little Small Rich Cash "
    "Price Page Post Box Case Order Fax Mobile Online Shop Store Team Support Service Prime Smart Home "
    "Office Cloud Mail Kasse Filiale Lager Paket Retoure Rechnung Konto Karte Bank Sparkasse Volksbank"
).split()

# Function words (pronouns, articles, prepositions, conjunctions, auxiliaries, frequent adverbs and
# greetings) of the covered languages: capitalized at a sentence's start, and names in some lists.
_FUNCTION_WORDS = (
    # English
    "i me my we us our you your he him his she her they them their it its this that these those a an the "
    "and or but if so as at by for from in into of on to up with about after again also already always "
    "am are is was were be been being have has had do does did will would shall should can could may "
    "might must not no yes here there then than when where why how what which who whom please thanks "
    "hello hi dear ok okay today tomorrow yesterday still just very too only even now soon later "
    # German
    "ich mich mir du dich dir er ihn ihm sie ihr ihre ihnen wir uns euch es der die das den dem des ein "
    "eine einen einem einer und oder aber wenn weil dass als wie bei mit nach von vor zu zum zur aus "
    "auf für gegen ohne um über unter seit bis noch schon auch nur sehr mal bitte danke hallo heute "
    "morgen gestern bin bist ist sind war waren hat habe haben hatte kann können muss müssen soll will "
    "wird werden wurde nicht kein keine ja nein hier dort da dann jetzt leider gerne gern doch wieder "
    "immer nie viel viele alle alles etwas nichts man wer was wo wann warum welche welcher dieser diese "
    # French
    "je me moi tu te toi il elle nous vous ils elles on le la les un une des du de au aux et ou mais "
    "donc car si que qui quoi dont où avec sans pour par dans sur sous chez entre vers depuis pendant "
    "est sont suis es était été avoir ai as avons avez ont fait peut pouvez veux voulez ne pas plus "
    "très bien aussi encore déjà toujours jamais ici là oui non merci bonjour bonsoir salut aujourd "
    "demain hier ce cet cette ces mon ma mes ton ta tes son sa ses notre votre nos vos leur leurs "
    # Spanish
    "yo mí tú ti él ella nosotros vosotros ellos ellas usted ustedes lo la los las le les un una unos "
    "unas el y o pero si que quien quién como cómo donde dónde cuando cuándo con sin para por en entre "
    "desde hasta sobre hacia es son soy eres era fue ser estar está están estoy he ha han hemos tengo "
    "tiene tienen no sí muy bien también ya todavía aquí allí hoy mañana ayer hola gracias favor del al "
    "mi mis tu tus su sus nuestro nuestra este esta estos estas ese esa eso todo todos nada algo "
    # Italian
    "io mi me tu ti lui lei noi ci voi vi loro lo la gli le il i un uno una e ed o ma se che chi come "
    "dove quando con senza per tra fra in su da di del della dei delle al alla nel nella è sono sei "
    "era stato ho hai ha abbiamo hanno non sì molto bene anche già ancora qui lì oggi domani ieri ciao "
    "grazie buongiorno mio mia miei tuo tua suo sua nostro questo questa quello quella tutto niente "
    # Dutch
    "ik mij me mijn jij je jou jouw hij hem zij ze haar wij we ons onze jullie u uw het een en of maar "
    "als dan dat die dit deze wie wat waar wanneer waarom hoe met zonder voor door naar van bij aan "
    "op in uit om tot over onder ben bent is zijn was waren heb hebt heeft hebben had kan kunnen moet "
    "moeten wil willen wordt worden werd niet geen ja nee hier daar nu toen ook al nog even graag "
    "heel veel alle alles iets niets vandaag morgen gisteren hallo dank bedankt dag zelf toch want"
).split()


@dataclass(frozen=True)
class NameLists:
    """Names (key -> FIRST_NAME | SURNAME), the forms looked for in text (as written and without
    accents, capitalized) with their kind, common words and places (keys)."""

    names: dict[str, int]
    scan_forms: dict[str, int]
    common: frozenset[str]
    places: frozenset[str]
    function_words: frozenset[str]
    # A capitalized word of the letters the scan forms are written in: every scan form that stands in a
    # text as a whole word is one such match (a match is letters only, so none runs into the next word).
    capitalized: re.Pattern[str]

    def occurrences(self, text: str) -> list[tuple[int, int, int]]:
        """(start, end, kind) of every scan form that stands in `text` as a whole word (no letter or
        digit on either side: "Anna" in "Annabel", "Susanna" or "Anna2" is none): a dictionary lookup
        per capitalized word, cheaper than matching tens of thousands of names."""
        found: list[tuple[int, int, int]] = []
        forms_get = self.scan_forms.get
        size = len(text)
        for match in self.capitalized.finditer(text):
            kind = forms_get(match.group())
            if kind is not None:
                start, end = match.span()
                if not ((start and text[start - 1].isalnum()) or (end < size and text[end].isalnum())):
                    found.append((start, end, kind))
        return found

    def kind(self, word: str) -> int:
        """FIRST_NAME and/or SURNAME for a name, 0 for anything else (common words included)."""
        return self.names.get(key(word), 0)

    def is_common(self, word: str) -> bool:
        return key(word) in self.common

    def is_place(self, word: str) -> bool:
        return key(word) in self.places

    def is_function_word(self, word: str) -> bool:
        return key(word) in self.function_words


# Letters that have no decomposition into a base letter and an accent.
_UNDECOMPOSABLE = str.maketrans(
    {"Ł": "L", "ł": "l", "Ø": "O", "ø": "o", "Đ": "D", "đ": "d", "Ð": "D", "ð": "d", "Ħ": "H", "ħ": "h",
     "\u0131": "i", "Þ": "Th", "þ": "th", "Æ": "Ae", "æ": "ae", "Œ": "Oe", "œ": "oe", "ß": "ss"}
)  # fmt: skip


def fold(word: str) -> str:
    """`word` without accents: Léa, Lea; Saïd, Said; Łukasz, Lukasz."""
    if word.isascii():
        return word
    plain = unicodedata.normalize("NFKD", word.translate(_UNDECOMPOSABLE))
    return plain.encode("ascii", "ignore").decode()


def key(word: str) -> str:
    """The form a lookup uses: case folded (the lists hold every word with and without its accents)."""
    return word.casefold()


def forms(word: str) -> set[str]:
    """The keys a listed word is stored under: as written and without accents, case folded."""
    return {word.casefold(), fold(word).casefold()}


# Cyrillic and Greek names in a plain Latin transliteration (Дмитрий Иванов: Dmitriy Ivanov), as they
# are written in Latin-script messages.
_TRANSLITERATION = str.maketrans(
    {
        **dict(zip("абвгдезийклмнопрстуфыэіґ", "abvgdeziyklmnoprstufyeig", strict=True)),
        **{
            "ё": "yo",
            "ж": "zh",
            "х": "kh",  # noqa: RUF001 (Cyrillic, on purpose)
            "ц": "ts",
            "ч": "ch",
            "ш": "sh",
            "щ": "shch",
            "ю": "yu",
            "я": "ya",
        },
        **{"ї": "yi", "є": "ye", "ъ": "", "ь": ""},
        **dict(zip("αβγδεζηικλμνξοπρστυφω", "avgdeziiklmnxoprstyfo", strict=True)),
        **{"θ": "th", "χ": "ch", "ψ": "ps", "ς": "s"},
    }
)
_NON_LATIN = re.compile(r"[\u0370-\u03ff\u0400-\u04ff]")


def _latin(word: str) -> str:
    if not _NON_LATIN.search(word):
        return word
    # Cyrillic letters first (й is no и with an accent), then Greek ones without their accents.
    lowered = (
        word.lower().replace("\u03bf\u03c5", "ou").replace("\u03bf\u03cd", "ou").translate(_TRANSLITERATION)
    )
    plain = "".join(ch for ch in unicodedata.normalize("NFD", lowered) if not unicodedata.combining(ch))
    return plain.translate(_TRANSLITERATION).capitalize()


def _words(values: object) -> list[str]:
    if not isinstance(values, (list, tuple, dict, set, frozenset)):
        return []
    parts = (_latin(part) for value in values for part in _SPLIT.split(str(value)))
    return [part for part in parts if _LATIN_NAME.fullmatch(part)]


def _kind_of(attribute: str) -> int:
    """Which list a provider attribute is: first_names*, *_romanized_names, middle_names, last_names*."""
    if "name" not in attribute or "pairs" in attribute or "kana" in attribute or "language" in attribute:
        return 0
    if attribute.startswith(("first", "middle")):
        return FIRST_NAME
    return SURNAME if "last_name" in attribute or attribute.startswith("last") else 0


def _feminine(word: str, locale: str) -> list[str]:
    """Polish surnames have a feminine form that Faker does not list (Kowalski, Kowalska)."""
    if locale == "pl_PL" and word.endswith(("ski", "cki", "dzki")):
        return [word, word[:-1] + "a"]
    return [word]


def _person_providers() -> list[tuple[str, type]]:
    package = importlib.import_module("faker.providers.person")
    return [
        (module.name, importlib.import_module(f"faker.providers.person.{module.name}").Provider)
        for module in pkgutil.iter_modules(package.__path__)
    ]


def _common_words() -> set[str]:
    words = {form for word in (*_EXTRA_COMMON, *_FUNCTION_WORDS) for form in forms(word)}
    for locale in _LOREM_LOCALES:
        provider = importlib.import_module(f"faker.providers.lorem.{locale}").Provider
        words.update(form for word in provider.word_list if len(word) > 1 for form in forms(word))
    return words


def _places() -> set[str]:
    places: set[str] = set()
    for locale in _ADDRESS_LOCALES:
        provider = importlib.import_module(f"faker.providers.address.{locale}").Provider
        for attribute in ("cities", "city_names", "countries", "states", "regions", "provinces"):
            values = getattr(provider, attribute, ())
            # Single-word places only: the words of "Massa Lubrense" or "Saint Lucia" are no places.
            single = (
                [value for value in values if not _SPLIT.search(str(value))]
                if isinstance(values, (list, tuple))
                else []
            )
            places.update(form for word in _words(single) for form in forms(word))
    return places


@lru_cache(maxsize=1)
def name_lists(not_names: frozenset[str] = frozenset()) -> NameLists:
    """The lists, built once (about a second: Faker's providers are imported and folded). A word of the
    basic vocabularies is no name unless it is a first name of a main locale (Maria, Rosa, Grace); the
    hand-picked common words and `not_names` never are. Names and common words do not overlap."""
    vocabulary = _common_words()
    never = {form for word in (*_EXTRA_COMMON, *_FUNCTION_WORDS) for form in forms(word)} | not_names
    found: list[tuple[str, int, str]] = []
    main_first_names: set[str] = set()
    for locale, provider in _person_providers():
        for attribute in dir(provider):
            kind = _kind_of(attribute)
            if not kind or not attribute.endswith("s") or attribute.startswith("_"):
                continue
            for listed in _words(getattr(provider, attribute, ())):
                for word in _feminine(listed, locale) if kind == SURNAME else [listed]:
                    if len(word) > 1 and word[0].isupper() and word[1:].islower():
                        found.append((word, kind, locale))
                        if kind == FIRST_NAME and locale in _MAIN_LOCALES:
                            main_first_names.update(forms(word))
    names: dict[str, int] = {}
    scanned: set[str] = set()
    for word, kind, locale in found:
        keys = forms(word)
        if keys & never or (keys & vocabulary and not keys & main_first_names):
            continue
        for folded in keys:
            names[folded] = names.get(folded, 0) | kind
        if len(word) >= 4 or (kind == FIRST_NAME and locale in _MAIN_LOCALES):
            scanned.update(form for form in (word, fold(word)) if form[:1].isupper() and len(form) > 1)
    common = (vocabulary | never) - names.keys()
    function_words = frozenset(form for word in _FUNCTION_WORDS for form in forms(word))
    scan_forms = {form: names[form.casefold()] for form in scanned}
    return NameLists(
        names, scan_forms, frozenset(common), frozenset(_places()), function_words, _capitalized(scan_forms)
    )


def _capitalized(scan_forms: dict[str, int]) -> re.Pattern[str]:
    """A capitalized word: one of the scan forms' first letters, then letters of the rest of them."""
    first = "".join(sorted({form[0] for form in scan_forms}))
    rest = "".join(sorted({char for form in scan_forms for char in form[1:]}))
    return re.compile(f"[{re.escape(first)}][{re.escape(rest)}]+")
