"""The cues people write around names, in EN, DE, FR, ES, IT and NL, and the shapes of names themselves:
titles, greetings, phrases that introduce a name, CRM and e-mail field headers, sign-offs; the scanner
finds every cue in the same pass as the candidate patterns (see `cue_expressions`)."""

from __future__ import annotations

import re

from inference.privacy.name_lists import forms
from inference.privacy.scanner import ScanExpression

# Latin letters, with the accented ones of European and many other names (ș, ł, ő, đ, ...).
_LATIN = [chr(code) for code in (*range(0x41, 0x250), *range(0x1E00, 0x1F00))]
UPPER = "".join(ch for ch in _LATIN if ch.isupper())
LOWER = "".join(ch for ch in _LATIN if ch.islower())
APOSTROPHES = "'\u2019"
# A capitalized word, possibly hyphenated or with an apostrophe (O'Brien, Jean-Luc, Ní); hyphenated
# parts may be a single capital (Tjon-A-Fong) or lower case (Delgado-de-la-Rosa); or a word in capitals.
WORD = (
    rf"[{UPPER}][{LOWER}]+(?:[{APOSTROPHES}-](?:[{UPPER}][{LOWER}]*|[{LOWER}]+))*"
    rf"|[{UPPER}][{APOSTROPHES}][{UPPER}][{LOWER}]+"
    rf"|[{UPPER}]{{2,}}(?:[{APOSTROPHES}-][{UPPER}]{{2,}})*(?![{LOWER}])"
)
# Particles of European names, and of Arabic ones (Omar Al Rashid, Nour El Amrani, Karim Ben Salah).
PARTICLES = (
    "von van der den de del della di da du le la ten ter zu y dos das Ní Mac Mc al el ben bin ibn abu ould"
).split()
PARTICLE = rf"(?:{'|'.join(PARTICLES)})"
# Particles that open a surname in capitals (De Wilde, Di Stefano, Van Damme); not Der, Den, Das, Le, La,
# which open sentences as articles.
CAPITAL_PARTICLES = frozenset(
    "De Di Da Du Del Della Van Von Dos Ten Ter Mac Mc Al El Ben Bin Ibn Abu".split()
)
NAME = rf"(?:{WORD})(?:[ \t]+(?:{PARTICLE}[ \t]+)*(?:{WORD})){{0,3}}"
LOWER_NAME = rf"[{LOWER}]{{2,}}(?:[ \t]+[{LOWER}]{{2,}}){{0,2}}"

# Titles; the abbreviated ones also without their dot (Sra Martínez, Dhr Jansen, Sig Bianchi).
_TITLES = (
    r"Mr\.?|Mrs\.?|Ms\.?|Miss|Mx\.?|Dr\.?|Prof\.?|Sir|Madam|Herr|Herrn|Frau|Hr\.|Fr\.|M\.|Mme\.?|Mlle\.?"
    r"|Monsieur|Madame|Mademoiselle|Sr\.?|Sra\.?|Srta\.?|Señor|Señora|Señorita|Don|Doña|Dña\.?|Dª|D\."
    r"|Sig\.?|Sig\.ra|Sig\.na|Sigra|Signor|Signora|Signorina|Dott\.?|Dott\.ssa|Dottssa|Avv\.?|Ing\.?"
    r"|Dhr\.?|Mevr\.?|Mw\.?|meneer|mevrouw|de heer"
)
_SALUTATIONS = (
    r"Dear|Hi|Hello|Hey|Liebe|Lieber|Hallo|Guten Tag|Sehr geehrte|Sehr geehrter|Cher|Chère|Bonjour|Salut"
    r"|Estimado|Estimada|Querido|Querida|Hola|Buenos días|Caro|Cara|Gentile|Ciao|Buongiorno|Beste|Geachte"
    r"|Hoi|Goedemiddag|Goedemorgen|Goedenavond|Good morning|Good afternoon|Good evening|Guten Morgen"
    r"|Guten Abend|Moin|Servus|Grüß Gott|Grüezi|Bonsoir|Buenas tardes|Buenas noches|Buenas|Buonasera"
    r"|Salve|Gentilissima|Gentilissimo|Egregio|Egregia|Distinguido|Distinguida|Madame|Monsieur"
)
# The introducers after which a name may also be written in lower case.
_STRONG_INTRODUCERS = (
    r"my name is|my name's|mein Name ist|ich heiße|je m'appelle|mon nom est|me llamo|mi nombre es"
    r"|mi chiamo|il mio nome è|mijn naam is|ik heet"
)
_INTRODUCERS = (
    r"I am|I'm|this is|name is|ich bin|hier ist|je suis|ici|soy|aquí|sono|qui è|ik ben|hier is"
    r"|spoke with|spoke to|talked to|called|sprach mit|Gespräch mit|telefoniert mit|parlé avec|appelé"
    r"|hablé con|llamó|ho parlato con|ha chiamato|gesproken met|belde"
    r"|customer|client|clienta|caller|contact|agent|\w*kunde|\w*kundin|\w*kunden|Ansprechpartner"
    r"|Ansprechpartnerin|cliente|klant|contactpersoon|interlocuteur|interlocutrice|referente"
    r"|call summary|note by|note from|notes by|handled by|approved by|Notiz von|Notiz|bearbeitet von"
    r"|erstellt von|geprüft von|Beschwerde von|note de|validé par|traité par|plainte de|nota de"
    r"|gestionado por|queja de|reclamación de|nota di|gestito da|reclamo di|notitie van|behandeld door"
    r"|klacht van|account of|compte de|Konto von|cuenta de|conto di|account van"
    r"|according to|selon|d'après|según|secondo|volgens|on behalf of|im Auftrag von|au nom de"
    r"|de la part de|en nombre de|de parte de|per conto di|da parte di|namens|message from|Nachricht von"
    r"|message de|mensaje de|messaggio di|bericht van|forwarded by|weitergeleitet von|transféré par"
    r"|reenviado por|inoltrato da|doorgestuurd door|escalated to|eskaliert an|transmis à|escalado a"
    r"|inoltrato a|doorgezet naar|assigned to|zugewiesen an|assigné à|asignado a|assegnato a"
    r"|toegewezen aan|intestato a|intestata a|a nombre de|au nom de|op naam van"
    r"|call with|call from|meeting with|chat with|Anruf von|Anruf mit|Telefonat mit|Rückruf von|appel de"
    r"|appel avec|entretien avec|llamada de|llamada con|conversación con|reunión con|visita de|cita con"
    r"|atendido por|atendida por|chiamata di|chiamata con|conversazione con|telefonata con"
    r"|gesprek met|telefoongesprek met|afspraak met"
    # Relatives and colleagues named in CRM notes.
    r"|wife|husband|son|daughter|mother|father|brother|sister|partner|colleague|son-in-law"
    r"|daughter-in-law|Ehefrau|Ehemann|Ehemanns|Mann|Sohn|Tochter|Mutter|Vater|Bruder|Schwester"
    r"|Kollege|Kollegin|Schwiegersohn|mari|femme|fils|fille|mère|père|frère|sœur|collègue|gendre"
    r"|esposo|esposa|marido|mujer|hijo|hija|madre|padre|hermano|hermana|yerno|nuera|marito|moglie"
    r"|figlio|figlia|fratello|sorella|genero|collega|man|vrouw|zoon|dochter|moeder|vader|broer|zus"
    r"|schoonzoon|echtgenoot|echtgenote|collega"
    # Roles a note names people by.
    r"|manager|supervisor|driver|courier|technician|neighbour|neighbor|friend|boyfriend|girlfriend"
    r"|fiancé|fiancée|landlord|tenant|assistant|advisor|adviser|representative|rep|employee|engineer"
    r"|Mitarbeiter|Mitarbeiterin|Sachbearbeiter|Sachbearbeiterin|Berater|Beraterin|Techniker"
    r"|Technikerin|Fahrer|Fahrerin|Nachbar|Nachbarin|Freund|Freundin|Verlobte|Verlobter|Vermieter"
    r"|Vermieterin|Filialleiter|Filialleiterin|Chef|Chefin|Vorgesetzte|Vorgesetzter|Zusteller"
    r"|Zustellerin|conseiller|conseillère|technicien|technicienne|livreur|livreuse|voisin|voisine|ami"
    r"|amie|responsable|gérant|gérante|directeur|directrice|asesor|asesora|técnico|técnica|repartidor"
    r"|repartidora|vecino|vecina|amigo|amiga|compañero|compañera|gerente|encargado|encargada|agente"
    r"|consulente|tecnico|tecnica|corriere|amico|amica|responsabile|direttore|direttrice"
    r"|operatore|operatrice|adviseur|monteur|bezorger|bezorgster|buurman|buurvrouw|vriend|vriendin"
    r"|medewerker|medewerkster|chauffeur|leidinggevende"
)
# CRM and form field headers, followed by a colon.
_HEADERS = (
    r"Name|Full name|First name|Last name|Surname|Vorname|Nachname|Nom|Prénom|Nombre|Apellidos?|Nome"
    r"|Cognome|Naam|Voornaam|Achternaam|Contact name|Contact person|Kontakt|Kontaktperson|Owner|Case owner"
    r"|Account owner|Assigned to|Zugewiesen an|Assigné à|Asignado a|Assegnato a|Toegewezen aan"
    r"|Account holder|Kontoinhaber|Kontoinhaberin|Titulaire|Titular|Intestatario|Intestataria"
    r"|Rekeninghouder|Recipient|Empfänger|Empfängerin|Destinataire|Destinatario|Destinataria|Ontvanger"
    r"|Requester|Requested by|Anrufer|Anruferin|Appelant|Solicitante|Richiedente|Aanvrager|Attn\.?"
    r"|z\. ?Hd\.?|Signed|Unterschrift|Firmado|Firmato|Getekend|Auftraggeber|Besteller|Bestellerin"
    r"|Commanditaire|Ordinante|Opdrachtgever|Patient|Patientin|Patiente|Paciente|Paziente"
    r"|Contacto|Persona de contacto|Contatto|Persona di contatto|Interlocutor|Nombre y apellidos"
    r"|Nome e cognome|Nom et prénom|Sender|From|To|Cc|Von|An|De|Para|Da|Van|Aan|Expéditeur|Remitente"
    r"|Mittente|Afzender|Absender|Agente|Agent|Gestor|Gestora|Comercial|Sales rep|Vertriebsmitarbeiter"
)
_SIGN_OFFS = (
    r"Best regards|Kind regards|Regards|Best|Thanks|Thank you|Cheers|Sincerely|Yours"
    r"|Mit freundlichen Grüßen|Freundliche Grüße|Viele Grüße|Beste Grüße|Liebe Grüße|Gruß|Grüße|LG|VG"
    r"|Danke|Cordialement|Bien cordialement|Bien à vous|Merci|Amicalement|Salutations"
    r"|Saludos|Un saludo|Atentamente|Gracias|Cordiali saluti|Distinti saluti|Saluti|Grazie"
    r"|Met vriendelijke groet|Vriendelijke groet|Groeten|Groet|Bedankt|Dank je|Dank u"
    r"|Best wishes|Warm regards|Warmest regards|All the best|Many thanks|Thanks again|Herzliche Grüße"
    r"|Schöne Grüße|Sonnige Grüße|MfG|Bis bald|À bientôt|Bonne journée|Un abrazo|Abrazos|Muchas gracias"
    r"|Cordialmente|Un saluto|Buona giornata|Grazie mille|Hartelijke groet|Groetjes|Mvg|Fijne dag"
    r"|Alvast bedankt|i\.A\.|i\.V\.|p\.o\.|Atte\.?|Le saluda|Te saluda|Le atiende|Le escribe"
)

# Each cue kind: the cue expression and whether a name in lower case counts after it. The scanner finds
# a cue only with the first letter of a name after it (titles in capitals: "Dear Team" is found,
# "thanks for" is not), so that a cue word in the middle of a sentence costs nothing; between cue and
# name may stand titles, after an introducer one lower-case word, after a sign-off a line break. Cue
# words match in any letter case, titles and names as written.
_LETTER = f"[{UPPER}{LOWER}]"
# Short classes for the scanner (a pattern has a length limit): Latin-1 by range, Latin Extended-A in
# either case.
_SCAN_UPPER = "A-ZÀ-ÖØ-ÞĀ-ž"
_SCAN_LOWER = "a-zß-öø-ÿĀ-ž"
_CAPITALIZED_WORD = rf"[{_SCAN_UPPER}][{_SCAN_LOWER}]+(?:-[{_SCAN_UPPER}][{_SCAN_LOWER}]+)?"
_CAPITAL = f"[{UPPER}]"
CUES: dict[str, tuple[str, bool]] = {
    "title": (rf"\b(?:{_TITLES})[ \t]+{_CAPITAL}", False),
    "salutation": (rf"\b(?i:{_SALUTATIONS})[ \t,]+{_LETTER}", True),
    "strong": (rf"\b(?i:{_STRONG_INTRODUCERS})[ \t]*[:,]?[ \t]+{_LETTER}", True),
    # One lower-case word may stand between (sa fille majeure Léa, Clienta polaca Małgorzata).
    "introducer": (rf"\b(?i:{_INTRODUCERS})[ \t]*[:,]?[ \t]+(?:[{LOWER}]+[ \t]*,?[ \t]+)?{_CAPITAL}", False),
    "header": (rf"\b(?i:{_HEADERS})[ \t]*:[ \t]*{_LETTER}", True),
    # Two capitalized words inside a sentence, neither a known name: taken (see `_pair`) when nothing
    # marks them as a place, a product, a company or common words.
    "pair": (
        rf"[{_SCAN_LOWER},;:)] {_CAPITALIZED_WORD} {_CAPITALIZED_WORD}[^{_SCAN_LOWER}A-ZÀ-ÖØ-Þ0-9'"
        "\u2019-]",
        False,
    ),
    # A name that closes a message after a sign-off, on the same line or the next; in lower case only
    # after a comma or a line break ("thanks, anna").
    "sign_off": (
        rf"\b(?i:{_SIGN_OFFS})(?:[ \t]*[,!.:]?[ \t]*\r?\n[ \t]*{_LETTER}|[ \t]*[,!.:][ \t]*{_LETTER}"
        rf"|[ \t]+{_CAPITAL})",
        True,
    ),
}
LINE_END = re.compile(r"[ \t]*[.!]?[ \t]*(?:\r?\n|\Z)")
NAME_AT = re.compile(rf"{NAME}(?!\w)")
LOWER_RUN = re.compile(LOWER_NAME)
TITLE_TOKENS = frozenset(
    token
    for title in _TITLES.replace("\\.?", "|").replace("\\.", ".").split("|")
    if title and " " not in title
    for token in (title, title.rstrip(".") + ".", title.rstrip("."))
)

# Capitalized words that follow the cues above but are not names: pronouns, articles, shop and CRM words.
NOT_NAMES = frozenset(
    form
    for word in (
        "Account Accounts Mail E-Mail Email Kunde Kundin Kunden Bestellung Order Case Contact Lead "
        "Opportunity Ticket Team Support Service Kundenservice Kundendienst Hotline Sie Ihr Ihre Ich Wir "
        "Er Es Der Die Das Den Dem The This That We You Your Our He She They It Il Elle Nous Vous Le La "
        "Les Un Une Je El Ella Los Las Lo Una Uno Gli Io Lei De Het Een Wij Zij Hij Ze Ik Amazon PayPal "
        "Visa Mastercard Klarna DHL UPS FedEx PostNL GLS Hermes Chronopost Correos Bartolini Finance "
        "Billing Sales Refund Refunds IBAN BIC VAT SKU EAN PDF USt MwSt TVA IVA BTW SSN BSN NIR DNI NIE "
        "PESEL CEO CFO CTO IT HR "
        "OK FAQ CRM ERP API USA EU UK GmbH AG Ltd Inc Customer Customers Client Clients Clientes Klant "
        "Klanten Klantenservice Servicio Servizio Assistenza Atención Kundenbetreuung Sir Madam Madame "
        "Monsieur Mademoiselle Señor Señora Señorita Signor Signora Signorina Signore Meneer Mevrouw Heer "
        "Dame Damen Herren "
        # Titles, when a dotted one ("Dr.") was cut off at its dot.
        "Dr Prof Mr Mrs Ms Mx Herr Herrn Frau Hr Fr Mme Mlle Sr Sra Srta Sig Dott Avv Ing Dhr Mevr Mw Dña"
    ).split()
    for form in forms(word)
)

CUE_KINDS: tuple[str, ...] = tuple(CUES)


def cue_expressions() -> list[ScanExpression]:
    """The cue expressions, in the order of CUE_KINDS, for the detector's scanner."""
    return [ScanExpression(expression, needs_start=False) for expression, _ in CUES.values()]
