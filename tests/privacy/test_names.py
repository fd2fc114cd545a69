"""Person names without a list from the caller: each class the detector once missed, and the look-alikes
(brands, products, streets, places, nouns) that must stay."""

from __future__ import annotations

import pytest

from inference.privacy.detector import PiiDetector
from inference.privacy.name_lists import FIRST_NAME, SURNAME, fold
from inference.privacy.names import known_names


def _people(detector: PiiDetector, text: str) -> list[str]:
    return [text[s.start : s.end] for s in detector.detect(text) if s.type == "PERSON"]


@pytest.mark.parametrize(
    ("text", "people"),
    [
        # Names from locales beyond the main seven, also transliterated ones, next to a surname.
        ("Escalated to Wei Zhang today.", ["Wei Zhang"]),
        ("Dmitriy Ivanov will take over the case.", ["Dmitriy Ivanov"]),
        ("Priya Raghunathan confirmed the address.", ["Priya Raghunathan"]),
        # A surname alone, with a verb of speaking or a possessive after it, or "with" before it.
        ("Okonkwo said the parcel was empty.", ["Okonkwo"]),
        ("Yesterday Nowak rief an und fragte nach der Rechnung.", ["Nowak"]),
        ("The refund goes to Okonkwo's account.", ["Okonkwo"]),
        # A first name after a small word, and a first name that signs the message.
        ("llamé ayer a Lucía del servicio técnico", ["Lucía"]),
        ("Thanks a lot!\nPriya", ["Priya"]),
        ("Gracias Lucía por la ayuda.", ["Lucía"]),
        # Lower case after a strong cue, particles included.
        ("hi, my name is tomasz kowalczyk and my order is late", ["tomasz kowalczyk"]),
        ("mijn naam is sanne de vries, ik wacht op mijn pakket", ["sanne de vries"]),
        # CRM field headers and e-mail headers.
        ("Owner: Dmitriy Ivanov", ["Dmitriy Ivanov"]),
        ("Titular: Aderonke Fashola\nImporte: 20 €", ["Aderonke Fashola"]),
        ("From: Folasade Oyelaran", ["Folasade Oyelaran"]),
        # Surnames in capitals, titles without their dot, capitalized and Arabic particles.
        ("Ansprechpartner: Herr Jens MÜLLER", ["Jens MÜLLER"]),
        ("Llamada de la Sra Martínez sobre el pedido", ["Martínez"]),
        ("Gesprek met Dhr Jansen over de levering", ["Jansen"]),
        ("Entretien avec Lieve De Wilde. De Wilde a confirmé.", ["Lieve De Wilde", "De Wilde"]),
        ("Please ask Folasade El Amrani about it.", ["Folasade El Amrani"]),
        # Names joined to a found one, and a found name's parts where they recur.
        (
            "Anna Schmidt und Tomasz Wiśniewski kamen. Später ging Wiśniewski.",
            ["Anna Schmidt", "Tomasz Wiśniewski", "Wiśniewski"],
        ),
        # Two capitalized words inside a sentence that no list knows.
        ("the parcel was taken in by Zorvath Quillane from next door", ["Zorvath Quillane"]),
    ],
)
def test_names_without_a_list_from_the_caller(detector: PiiDetector, text: str, people: list[str]) -> None:
    assert _people(detector, text) == people


@pytest.mark.parametrize(
    "text",
    [
        "My Calvin Klein jeans and the Tommy Hilfiger jacket arrived, the Louis Vuitton bag did not.",
        "The Adidas Stan Smith trainers and the Stanley Quencher bottle were the wrong colour.",
        "Ray-Ban Aviator RB3025 and Hugo Boss Bottled are out of stock.",
        "Ich habe den Bosch Akkuschrauber und eine Braun Series 9 bestellt.",
        "Le colis est parti vers la rue Victor Hugo, près de la Place Charles de Gaulle.",
        "Il pacco è in Via Giuseppe Garibaldi 5, vicino a Piazza Cavour.",
        "Het pakket ligt aan de Johan de Wittlaan in Den Haag, bij Albert Heijn.",
        "Der Koch hat gesagt, dass der Bauer die Kartoffeln bringt. Der Fischer verkauft Forellen.",
        "Ansprechpartner beim Händler ist die Zentrale.",
        "The parcel was shipped to Chelsea and then to Berlin.",
        "Santa Maria Novella station, then Saint-Lazare, then Sankt Pauli.",
        "Lego Harry Potter Hogwarts set and Barbie Dreamhouse.",
        "Best regards, Customer Support",
        "Dear Sir or Madam, the Dyson V15 Detect is broken.",
        "Ella dijo que el paquete llegó roto. Lei ha detto che il pacco è arrivato rotto.",
    ],
)
def test_brands_products_streets_and_places_stay(detector: PiiDetector, text: str) -> None:
    assert _people(detector, text) == []


def test_name_lists_hold_both_spellings_and_no_common_words() -> None:
    lists = known_names()
    assert lists.kind("Müller") & SURNAME
    assert lists.kind("MULLER") & SURNAME
    assert lists.kind("Lucía") & FIRST_NAME
    assert lists.kind("lucia") & FIRST_NAME
    assert lists.kind("Kowalska") & SURNAME  # the feminine form of a listed Polish surname
    assert lists.kind("Ivanov") & SURNAME  # transliterated from a Cyrillic list
    for word in ("Will", "May", "Bitte", "Rechnung", "Paket", "the", "und", "Kunde"):
        assert not lists.kind(word), word
    assert fold("Łukasz Ørsted Þór") == "Lukasz Orsted Thor"


def test_known_names_are_found_as_whole_words_only() -> None:
    lists = known_names()
    # Inside a word, or with a digit next to it, a name is no hit; next to punctuation or "_" it is.
    text = "Anna, Annahme, Kassandra2, Anna2, _Anna (Łukasz) Schmidt"
    found = [(text[start:end], kind) for start, end, kind in lists.occurrences(text)]
    assert [word for word, _ in found] == ["Anna", "Anna", "Łukasz", "Schmidt"]
    assert all(kind == lists.kind(word) for word, kind in found)
