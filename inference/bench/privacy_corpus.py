"""A labelled, multilingual PII test corpus: shop chat messages and CRM notes.

Each record is written as marked-up text, so that offsets are computed and never typed by hand:

- ``[[TYPE|value]]`` marks an entity, personal data an anonymizer must find (``[[PERSON|Anna Schmidt]]``);
- ``{{KIND|value}}`` marks a decoy, a value that looks like personal data but is not, and which an
  anonymizer must leave untouched (``{{SKU|SKU-4711-BLK-42}}``).

The characters ``[[``, ``]]``, ``{{``, ``}}`` and ``|`` appear nowhere else in the texts. All names,
numbers and addresses are invented; every entity value is valid for its type (check digits included), so
that a validating detector has no excuse to miss it. Street addresses, cities, company names and dates of
birth are deliberately left unmarked. Names keep their own letters (accents, umlauts, a Turkish dotless i,
which ruff's RUF001 would flag as ambiguous, so its line carries a noqa).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

ENTITY_TYPES: tuple[str, ...] = (
    "PERSON",
    "EMAIL_ADDRESS",
    "PHONE_NUMBER",
    "CREDIT_CARD",
    "IBAN_CODE",
    "IP_ADDRESS",
    "US_SSN",
    "EU_VAT_ID",
    "SALESFORCE_ID",
    "DE_TAX_ID",
    "FR_NIR",
    "ES_NIF",
    "ES_NIE",
    "IT_FISCAL_CODE",
    "NL_BSN",
    "PL_PESEL",
)

DECOY_KINDS: tuple[str, ...] = (
    "SKU",
    "EAN",
    "ORDER_NUMBER",
    "PRICE",
    "TRACKING_NUMBER",
    "DATE",
    "TIME",
    "QUANTITY",
    "POSTAL_CODE",
    "INVOICE_NUMBER",
    "PRODUCT",
    "VERSION",
)

LANGUAGES: tuple[str, ...] = ("en", "de", "fr", "es", "it", "nl")
TEXT_KINDS: tuple[str, ...] = ("chat", "crm_note")


@dataclass(frozen=True)
class LabelledSpan:
    """One marked value: an entity type or a decoy kind, with offsets into the clean text."""

    label: str
    start: int
    end: int  # exclusive
    value: str  # == text[start:end]


@dataclass(frozen=True)
class LabelledText:
    """One record of the corpus, with the markup removed."""

    id: str
    language: str
    kind: str
    text: str
    entities: tuple[LabelledSpan, ...]
    decoys: tuple[LabelledSpan, ...]


# One marked span: an entity in double brackets or a decoy in double braces; neither label nor value may
# contain a bracket, a brace or a bar, so anything left over is malformed markup.
_SPAN = re.compile(
    r"\[\[(?P<etype>[^\[\]{}|]*)\|(?P<evalue>[^\[\]{}|]*)\]\]"
    r"|\{\{(?P<dkind>[^\[\]{}|]*)\|(?P<dvalue>[^\[\]{}|]*)\}\}"
)
_STRAY = re.compile(r"\[\[|\]\]|\{\{|\}\}|\|")


def _check_plain(record_id: str, marked: str, start: int, end: int) -> None:
    stray = _STRAY.search(marked, start, end)
    if stray is not None:
        raise ValueError(
            f"{record_id}: malformed markup: stray {stray.group()!r} at offset {stray.start()}"
            f" (near {marked[max(0, stray.start() - 20) : stray.start() + 20]!r})"
        )


def parse(record_id: str, language: str, kind: str, marked: str) -> LabelledText:
    """Turn one marked-up record into clean text and spans; raise ValueError on malformed markup."""
    if language not in LANGUAGES:
        raise ValueError(f"{record_id}: unknown language {language!r}, expected one of {LANGUAGES}")
    if kind not in TEXT_KINDS:
        raise ValueError(f"{record_id}: unknown kind {kind!r}, expected one of {TEXT_KINDS}")
    pieces: list[str] = []
    length = 0
    entities: list[LabelledSpan] = []
    decoys: list[LabelledSpan] = []
    position = 0
    for match in _SPAN.finditer(marked):
        _check_plain(record_id, marked, position, match.start())
        plain = marked[position : match.start()]
        pieces.append(plain)
        length += len(plain)
        is_entity = match.group("etype") is not None
        label = match.group("etype") if is_entity else match.group("dkind")
        value = match.group("evalue") if is_entity else match.group("dvalue")
        known = ENTITY_TYPES if is_entity else DECOY_KINDS
        if label not in known:
            what = "entity type" if is_entity else "decoy kind"
            raise ValueError(f"{record_id}: unknown {what} {label!r} in {match.group()!r}")
        if not value or value != value.strip():
            raise ValueError(f"{record_id}: empty value or surrounding blanks in {match.group()!r}")
        span = LabelledSpan(label=label, start=length, end=length + len(value), value=value)
        (entities if is_entity else decoys).append(span)
        pieces.append(value)
        length += len(value)
        position = match.end()
    _check_plain(record_id, marked, position, len(marked))
    pieces.append(marked[position:])
    return LabelledText(
        id=record_id,
        language=language,
        kind=kind,
        text="".join(pieces),
        entities=tuple(entities),
        decoys=tuple(decoys),
    )


# (id, marked-up text); the id gives the language and the kind: "de-chat-03", "fr-crm-05".
_RECORDS: tuple[tuple[str, str], ...] = (
    (
        "en-chat-01",
        "Hi, my name is [[PERSON|Will Harrington]] and I ordered a pair of trail running shoes last "
        "Tuesday, order {{ORDER_NUMBER|#100234567}}. The tracking page has said 'label created' for six "
        "days now and nobody at the depot picks up the phone. Could you chase the courier for me? You can"
        " also reach me at [[EMAIL_ADDRESS|will.harrington@fastmail.com]] if that is easier.",
    ),
    (
        "en-chat-02",
        "Hello, I'd like to return the {{PRODUCT|AirPods Pro 2}} I bought on {{DATE|03/12/2024}}, the "
        "left one crackles at any volume. I paid {{PRICE|$249.00}} with my Visa "
        "[[CREDIT_CARD|4111 1111 1111 1111]], so please refund it to that card. The return form also "
        "asked for my social security number, which seems odd, but here it is: [[US_SSN|145-92-0378]]. "
        "Thanks, [[PERSON|Rosa Delgado-Whitfield]]",
    ),
    (
        "en-chat-03",
        "The financing form keeps rejecting my details and I don't see why. My SSN is "
        "[[US_SSN|412-57-9031]], I've lived at the same address for nine years and my credit is fine. I'm"
        " trying to buy the {{PRODUCT|Galaxy S24 Ultra 256 GB}} on twelve monthly payments. Please call "
        "me on [[PHONE_NUMBER|(646) 842-3391]] after 5pm. Regards, [[PERSON|Darnell Okonkwo]]",
    ),
    (
        "en-chat-04",
        "I can't log in since you made me reset my password. The error says the login from "
        "[[IP_ADDRESS|203.0.113.42]] was blocked for security reasons, but that's just my home broadband."
        " Please also change the e-mail on my account from [[EMAIL_ADDRESS|siobhan.nibhriain@eircom.net]]"
        " to [[EMAIL_ADDRESS|s.nibhriain@protonmail.com]]. My name is [[PERSON|Siobhán Ní Bhriain]] and "
        "my number is [[PHONE_NUMBER|0044 161 496 0123]]. I have an open order, "
        "{{ORDER_NUMBER|#100455120}}, and can't even see its status.",
    ),
    (
        "en-chat-05",
        "Where is my parcel? UPS tracking {{TRACKING_NUMBER|1Z999AA10123456784}} shows it arrived at the "
        "local depot at {{TIME|14:30}} yesterday and nothing has happened since. It's order "
        "{{ORDER_NUMBER|4000987321}}, just {{QUANTITY|2 x 500 g}} of coffee beans, and I need them before"
        " the weekend. Can you tell me whether it is actually going out today?",
    ),
    (
        "en-chat-06",
        "Your app crashes every time I open the basket. I'm on version {{VERSION|4.12.3}}, build "
        "{{VERSION|20240312}}, on an older iPhone. In the basket are a "
        "{{PRODUCT|Kindle Paperwhite 16 GB}} and a cover with SKU {{SKU|SKU-4711-BLK-42}}. The website "
        "works fine, but the app shows a different total ({{PRICE|$189.98}}). Which one is right, and "
        "when will the crash be fixed?",
    ),
    (
        "en-chat-07",
        "Hi, I sell handmade candles on your marketplace and the payout settings now require tax details."
        " My name is [[PERSON|Said Haddad]] and the business is just me. My last payout of "
        "{{PRICE|$1,318.40}} is still pending. The form asks for my social security number for the "
        "1099-K, so here it is: [[US_SSN|224-81-3057]]. Payouts should still go to my debit card "
        "[[CREDIT_CARD|5555 5555 5555 4444]]. Questions to [[EMAIL_ADDRESS|said@haddadcandles.com]] or "
        "[[PHONE_NUMBER|+1 415-555-0132]].",
    ),
    (
        "en-crm-01",
        "Call summary: [[PERSON|Priya Raghunathan]] (Contact [[SALESFORCE_ID|0035g000003rEMUAA2]]) called"
        " about a missing refund. Her card has expired, so the refund of {{PRICE|£89.90}} goes out by "
        "bank transfer to [[IBAN_CODE|GB15 NWBK 6016 1341 4040 68]]. Confirmed e-mail "
        "[[EMAIL_ADDRESS|priya.r@outlook.com]] and phone [[PHONE_NUMBER|07911 123456]]. Case "
        "[[SALESFORCE_ID|5001t000037HyVa]] escalated to finance. Agent: [[PERSON|Frank Doyle]]",
    ),
    (
        "en-crm-02",
        "Customer [[PERSON|Grace Abernathy-Lowe]] applied for a store credit line of {{PRICE|$2,500.00}} "
        "over the phone and read out her SSN, [[US_SSN|531-20-7764]], before I could stop her. Flagged "
        "this note for redaction: we must not keep social security numbers in case notes. Callback "
        "requested on [[PHONE_NUMBER|917-268-4530]] tomorrow morning. Lead "
        "[[SALESFORCE_ID|00Q5g0000iFnq9R]] converted to Contact [[SALESFORCE_ID|0034W0000XO2tAGQQZ]].",
    ),
    (
        "en-crm-03",
        "B2B account [[SALESFORCE_ID|0014W0000KwILALQQ4]]: the buyer, Dr [[PERSON|Oluwaseun Adeyemi]], "
        "asked for reverse-charge invoices for the Dublin office. VAT ID [[EU_VAT_ID|IE8457824S]] checked"
        " in VIES on {{DATE|2024-03-12}}, valid. Re-issued invoice {{INVOICE_NUMBER|RE-2024-00012}} "
        "without VAT and sent it to [[EMAIL_ADDRESS|o.adeyemi@brightwater-trading.ie]]. Direct line "
        "[[PHONE_NUMBER|+353 1 677 4120]].",
    ),
    (
        "en-crm-04",
        "Case note: [[PERSON|Zbigniew Wróblewski]] disputes a chargeback on his Visa "
        "[[CREDIT_CARD|4012888888881881]]. To verify his identity he e-mailed a scan of his Polish ID "
        "card showing PESEL [[PL_PESEL|92062370797]]; I checked it against the account and deleted the "
        "attachment as per policy. Opportunity [[SALESFORCE_ID|0064W0000TY6BzU]] for his bulk order (300 "
        "units of EAN {{EAN|5901234123457}}) is not affected. Next step: wait for the bank's reply.",
    ),
    (
        "en-crm-05",
        "Fraud review for order {{ORDER_NUMBER|#100781245}}: billing name [[PERSON|Dwayne Castellanos]], "
        "delivery to a freight forwarder. The customer wrote from "
        "[[EMAIL_ADDRESS|dcastellanos84@gmail.com]] and quoted social security number "
        "[[US_SSN|287-65-4321]] to prove his identity, which does not match the SSN on the financing "
        "file, [[US_SSN|731-08-4469]]. Login came from [[IP_ADDRESS|2001:db8:85a3::8a2e:370:7334]]. "
        "Discover card [[CREDIT_CARD|6011-1111-1111-1117]] put on hold.",
    ),
    (
        "en-crm-06",
        "Inbound call, 12 minutes. Ms [[PERSON|Hope Zielinski]] says her Amex "
        "[[CREDIT_CARD|3782 822463 10005]] was charged twice for invoice "
        "{{INVOICE_NUMBER|INV/2024/0457}}, {{PRICE|$1,249.50}} each time. She confirmed her SSN as "
        "[[US_SSN|372 41 5590]] for the financing account; I reminded her that we never ask for the full "
        "social security number by chat. New number [[PHONE_NUMBER|(212) 555-0147]]. Transferred to "
        "[[PERSON|Marcus Lindqvist]] in billing.",
    ),
    (
        "en-crm-07",
        "Joint financing application from [[PERSON|Daniel Whitcombe]] (SSN [[US_SSN|609-33-1842]]) and "
        "his wife [[PERSON|Sunny Whitcombe]] (SSN [[US_SSN|508 16 2247]]) for the kitchen appliance "
        "bundle. Both passed the identity check. Mr [[PERSON|Whitcombe]] prefers text messages to "
        "[[PHONE_NUMBER|512.903.7721]]. Opportunity [[SALESFORCE_ID|0060b0000zO3joOAAR]], delivery slot "
        "booked for {{DATE|04/02/2024}}.",
    ),
    (
        "de-chat-01",
        "Hallo, mein Name ist [[PERSON|Jürgen Weißmüller]]. Meine Bestellung mit der Bestellnummer "
        "{{ORDER_NUMBER|4000123456}} sollte laut Bestätigungsmail am {{DATE|12.03.2024}} ankommen, aber "
        "bei DHL steht seit Tagen nur, dass die Sendung angekündigt ist (Sendungsnummer "
        "{{TRACKING_NUMBER|00340434161094042557}}). Können Sie bitte nachhaken? Tagsüber erreichen Sie "
        "mich unter [[PHONE_NUMBER|0151 23456789]].",
    ),
    (
        "de-chat-02",
        "Guten Tag, ich habe die Winterjacke (Artikelnummer {{SKU|ART-2024-00731}}) vor zwei Wochen "
        "zurückgeschickt und noch keine Erstattung bekommen. Bezahlt hatte ich per Vorkasse, bitte "
        "überweisen Sie die {{PRICE|129,95 €}} deshalb auf mein Konto "
        "[[IBAN_CODE|DE89 3704 0044 0532 0130 00]], Kontoinhaberin ist [[PERSON|Anna Schmidt]]. Vielen "
        "Dank!",
    ),
    (
        "de-chat-03",
        "Bitte ändern Sie die E-Mail-Adresse in meinem Kundenkonto auf "
        "[[EMAIL_ADDRESS|k.oezdemir@web.de]]. Die alte Adresse "
        "[[EMAIL_ADDRESS|kemal.oezdemir@t-online.de]] gibt es nicht mehr, deshalb kommen auch keine "
        "Versandbestätigungen an. Und löschen Sie bitte meine Steuer-ID [[DE_TAX_ID|62940788151]], die "
        "ich letztes Jahr versehentlich ins Adressfeld geschrieben habe. Telefonisch bin ich unter "
        "[[PHONE_NUMBER|+49 (0)89 1234567]] erreichbar. Viele Grüße, [[PERSON|Kemal Özdemir]]",
    ),
    (
        "de-chat-04",
        "Meine Mastercard [[CREDIT_CARD|2221 0012 3412 3450]] wird beim Bezahlen ständig abgelehnt, "
        "obwohl das Limit locker reicht. Es geht um den Warenkorb mit dem "
        "{{PRODUCT|Galaxy S24 Ultra 256 GB}} für {{PRICE|€1.299,00}}. Ich habe es gestern um "
        "{{TIME|14:30}} und heute früh nochmal probiert, immer derselbe Fehler. Gruß, "
        "[[PERSON|Frank Wiegand]]",
    ),
    (
        "de-chat-05",
        "Ich habe {{QUANTITY|6 x 1,5 l}} Mineralwasser bestellt, geliefert wurden aber nur vier Flaschen."
        " Auf dem Lieferschein steht die Auftragsnummer {{ORDER_NUMBER|70034518829}}, die Rechnung hat "
        "die Nummer {{INVOICE_NUMBER|RE-2024-01187}}. Die Lieferadresse ist unverändert in "
        "{{POSTAL_CODE|10115}} Berlin. Bitte schicken Sie die fehlenden Flaschen nach oder schreiben Sie "
        "mir den Betrag gut.",
    ),
    (
        "de-chat-06",
        "Seit dem Update auf Version {{VERSION|4.12.3}} funktioniert der Barcode-Scanner in der App nicht"
        " mehr. Wenn ich die EAN {{EAN|4006381333931}} von der Verpackung scanne, kommt nur „Artikel "
        "nicht gefunden“. Im Kontaktformular musste ich eine Vorgangsnummer angeben, ich habe "
        "{{ORDER_NUMBER|4000 1234 5678 9010}} eingetragen. Ist das Problem bekannt?",
    ),
    (
        "de-chat-07",
        "Hallo, für den Ratenkauf wollte Ihr Formular meine Steuer-ID wissen. Ich habe "
        "[[DE_TAX_ID|50 541 527 693]] eingetragen, aber es kommt immer „ungültige Eingabe“. Geht das auch"
        " telefonisch? Ich bin ab {{TIME|17:00}} Uhr unter [[PHONE_NUMBER|030 12345678]] zu erreichen. "
        "Mit freundlichen Grüßen, [[PERSON|Heike Brandstätter]]",
    ),
    (
        "de-crm-01",
        "Anrufnotiz: [[PERSON|Hans-Peter Müller-Lüdenscheid]] (Kontakt "
        "[[SALESFORCE_ID|0030b0000OLeMa6AQF]]) ruft wegen einer doppelten Abbuchung an. Erstattung von "
        "{{PRICE|49,99 EUR}} per Überweisung auf [[IBAN_CODE|DE44 1007 0000 8301 6613 18]] veranlasst. "
        "Rückruf unter [[PHONE_NUMBER|0221/4711234]] zugesagt. Fall [[SALESFORCE_ID|5000b000097i4xg]] an "
        "die Buchhaltung, Frau [[PERSON|Rosa Kühn]], übergeben.",
    ),
    (
        "de-crm-02",
        "B2B-Kunde, Account [[SALESFORCE_ID|0018d0000kW9LctAAF]]: Einkäufer Herr "
        "[[PERSON|Mark Tiedemann]] bittet um Rechnungen ohne Umsatzsteuer, weil an den Standort in Linz "
        "geliefert wird. USt-IdNr. des Kunden [[EU_VAT_ID|ATU24226237]] beim BZSt geprüft, gültig. Unsere"
        " eigene USt-IdNr. [[EU_VAT_ID|DE763923322]] steht korrekt auf der Rechnung "
        "{{INVOICE_NUMBER|RE-2024-00988}}. Rückfragen an "
        "[[EMAIL_ADDRESS|m.tiedemann@stahlbau-tiedemann.at]] oder [[PHONE_NUMBER|+43 1 5134 221]].",
    ),
    (
        "de-crm-03",
        "Kundin [[PERSON|Dagmar Oberhäuser]] hat per Mail von [[EMAIL_ADDRESS|dagmar.oberhaeuser@gmx.de]]"
        " ihre Steuer-IdNr. [[DE_TAX_ID|21987443402]] geschickt, weil sie dachte, wir bräuchten sie für "
        "die Ratenzahlung. Habe ihr erklärt, dass das nicht nötig ist, und die Mail gelöscht. Lead "
        "[[SALESFORCE_ID|00Q0b0000qJomTEEAZ]] bleibt offen, Wiedervorlage am {{DATE|2024-03-12}}.",
    ),
    (
        "de-crm-04",
        "Kunde [[PERSON|Przemysław Szczęsny]] lässt die Küchenmaschine an seine Adresse in Polen liefern."
        " Für die Zollanmeldung hat er seine PESEL [[PL_PESEL|73082481911]] angegeben, obwohl innerhalb "
        "der EU keine Zollanmeldung nötig ist; Hinweis gegeben. Erreichbar unter "
        "[[PHONE_NUMBER|+48 601 234 567]] oder [[EMAIL_ADDRESS|p.szczesny@wp.pl]]. Sendung "
        "{{TRACKING_NUMBER|JJD0001234567890}} ist unterwegs.",
    ),
    (
        "de-crm-05",
        "Gewerbekundin [[PERSON|Friederike von Ahlefeldt]] hat zwei Kundenkonten zusammenlegen lassen. "
        "Für die Ratenfinanzierung über {{PRICE|2.450,00 €}} liegen ihre Steueridentifikationsnummer "
        "[[DE_TAX_ID|14 389 222 065]] und die ihres Ehemanns [[PERSON|Till Ahlefeldt]], Steuer-ID "
        "[[DE_TAX_ID|54980878137]], vor. Auffällig: mehrere Login-Versuche von "
        "[[IP_ADDRESS|2a02:8108:1140:3a00:d9c1:5e2f:7a1b:44c0]] mit falschem Passwort. Passwort "
        "zurückgesetzt, Kundin per Mail informiert.",
    ),
    (
        "de-crm-06",
        "Telefonat mit Frau [[PERSON|Özlem Yıldırım-Schulte]]: Ihre Visa [[CREDIT_CARD|4539148803436467]]"  # noqa: RUF001
        " wurde von der Bank gesperrt, die Zahlung für Auftrag {{ORDER_NUMBER|#100552019}} ist deshalb "
        "fehlgeschlagen. Sie zahlt jetzt per Lastschrift von [[IBAN_CODE|DE63 5001 0517 6091 3909 96]]. "
        "Für die Rechnungen an ihr Kosmetikstudio soll die Steuer-ID [[DE_TAX_ID|42 935 189 967]] "
        "hinterlegt werden (Hinweis gegeben, dass eigentlich die Steuernummer gebraucht wird).",
    ),
    (
        "de-crm-07",
        "Fall [[SALESFORCE_ID|500Hs0000XRrvftIQB]]: Herr [[PERSON|Wolfgang Ziegenhagen]] meldet eine "
        "Phishing-Mail im Namen unseres Shops. Laut Protokoll gab es am {{DATE|11.03.2024}} um "
        "{{TIME|22:47}} einen Login aus [[IP_ADDRESS|81.169.145.94]]. Konto vorübergehend gesperrt, neue "
        "Zugangsdaten gehen an [[EMAIL_ADDRESS|w.ziegenhagen@posteo.de]]. Am Telefon nannte er zur "
        "Verifizierung seine Steuer-ID [[DE_TAX_ID|69 372 618 406]]. Bearbeitet von "
        "[[PERSON|Lena Vogelsang]].",
    ),
    (
        "fr-chat-01",
        "Bonjour, je m'appelle [[PERSON|Margaux Lefèvre-Duclos]] et j'attends toujours ma commande n° "
        "{{ORDER_NUMBER|302119876}} passée le {{DATE|12/03/2024}}. Le suivi Colissimo "
        "{{TRACKING_NUMBER|6A18234567890}} n'a pas bougé depuis cinq jours. Pouvez-vous vérifier auprès "
        "du transporteur ? Vous pouvez me joindre au [[PHONE_NUMBER|06 12 34 56 78]].",
    ),
    (
        "fr-chat-02",
        "Bonjour, suite au retour de l'aspirateur {{PRODUCT|Dyson V15 Detect}}, merci de me rembourser "
        "les {{PRICE|649,00 €}} par virement, car la carte utilisée a été résiliée entre-temps. Mon IBAN "
        ": [[IBAN_CODE|FR14 2004 1010 0505 0001 3M02 606]]. Le titulaire du compte est mon mari, "
        "[[PERSON|Pierre-Antoine Rousseau]]. Cordialement, [[PERSON|Céline Rousseau]]",
    ),
    (
        "fr-chat-03",
        "Bonjour, j'ai commandé des lunettes de vue sur votre site et pour le tiers payant il faut "
        "apparemment mon numéro de sécurité sociale. Le voici : [[FR_NIR|2 54 11 44 177 300 41]]. Ma "
        "mutuelle a aussi besoin de la facture {{INVOICE_NUMBER|FA-2024-03318}}, pouvez-vous me l'envoyer"
        " ? Merci d'avance, Mme [[PERSON|Solange Marchetti]]",
    ),
    (
        "fr-chat-04",
        "Ma carte [[CREDIT_CARD|5105 1051 0510 5100]] est refusée à chaque fois que je valide le panier, "
        "alors qu'elle fonctionne partout ailleurs. J'ai essayé trois fois hier soir vers {{TIME|21:15}}."
        " Je m'appelle [[PERSON|Constant Bénichou]], vous pouvez me rappeler au "
        "[[PHONE_NUMBER|07-81-22-43-19]] ou m'écrire à [[EMAIL_ADDRESS|constant.benichou@orange.fr]].",
    ),
    (
        "fr-chat-05",
        "Mon colis devait être livré au point relais de la rue de Ponthieu, {{POSTAL_CODE|75008}} Paris, "
        "mais le suivi {{TRACKING_NUMBER|1Z12345E0205271688}} indique une livraison à domicile. Dedans il"
        " y a {{QUANTITY|2 x 500 ml}} de shampoing et un sèche-cheveux. Pouvez-vous me dire où il se "
        "trouve réellement ?",
    ),
    (
        "fr-chat-06",
        "L'application (version {{VERSION|4.12.3}}) me facture {{PRICE|49,99 EUR}} de frais de port pour "
        "la commande n° {{ORDER_NUMBER|302 119 8765}}, alors que la livraison devait être gratuite dès "
        "{{PRICE|39,00 €}} d'achat. Sur le site, le même panier n'a pas de frais. C'est un bug ou une "
        "nouvelle règle ?",
    ),
    (
        "fr-chat-07",
        "Bonjour, ici [[PERSON|Saïd Benali]]. Je n'arrive plus à me connecter : votre site dit que la "
        "connexion depuis [[IP_ADDRESS|2a01:e0a:3c4:5f10::1]] est suspecte. C'est pourtant ma box à la "
        "maison. Pouvez-vous débloquer le compte lié à [[EMAIL_ADDRESS|said.benali@free.fr]] ? J'ai une "
        "commande en cours, n° {{ORDER_NUMBER|302447105}}.",
    ),
    (
        "fr-crm-01",
        "Appel de M. [[PERSON|Lucien Dubois]] (contact [[SALESFORCE_ID|0032E0000YlgCtj]]) concernant le "
        "remboursement d'un lave-linge retourné. Remboursement de {{PRICE|1 299,00 €}} par virement sur "
        "[[IBAN_CODE|FR91 2004 1819 0937 8657 9754 323]], validé par [[PERSON|Rose Carpentier]] (service "
        "comptable). Client joignable au [[PHONE_NUMBER|01.42.68.53.00]]. Dossier "
        "[[SALESFORCE_ID|5001t0000Na1HedAQE]] clôturé.",
    ),
    (
        "fr-crm-02",
        "Compte B2B [[SALESFORCE_ID|0012E0000mlZGEO]] : la société cliente a fourni son numéro de TVA "
        "intracommunautaire [[EU_VAT_ID|FR12505432468]], vérifié sur VIES. Leur filiale belge facture "
        "sous [[EU_VAT_ID|BE0845807336]]. Interlocutrice : Mme [[PERSON|Anne-Sophie Vandenbroucke]], "
        "[[EMAIL_ADDRESS|as.vandenbroucke@maison-lumen.be]], [[PHONE_NUMBER|+32 2 511 47 83]]. Facture "
        "{{INVOICE_NUMBER|FA-2024-02871}} rééditée sans TVA.",
    ),
    (
        "fr-crm-03",
        "Dossier tiers payant optique : M. [[PERSON|Jean-Baptiste Ferrand]], NIR "
        "[[FR_NIR|1 66 02 31 355 003 02]], et sa fille majeure [[PERSON|Léa Ferrand]], n° de sécu "
        "[[FR_NIR|2 97 06 35 232 887 31]]. Les deux numéros ont été saisis dans le portail de la mutuelle"
        " puis effacés du ticket. Commande {{ORDER_NUMBER|302554981}} expédiée le {{DATE|15/03/2024}}.",
    ),
    (
        "fr-crm-04",
        "Cliente polonaise, Mme [[PERSON|Agnieszka Kowalczyk]], installée à Lille. Elle a envoyé par "
        "erreur une copie de sa carte d'identité avec son PESEL [[PL_PESEL|70120557005]] ; pièce jointe "
        "supprimée. Référence de commande {{ORDER_NUMBER|6033 1234 1234 1234}}. Elle souhaite être "
        "remboursée sur son compte polonais [[IBAN_CODE|PL43 1090 1014 5177 4705 0609 5854]]. Contact : "
        "[[EMAIL_ADDRESS|agnieszka.kowalczyk@onet.pl]], code article concerné {{SKU|SKU-2231-WHT-38}}.",
    ),
    (
        "fr-crm-05",
        "Appel entrant de Mme [[PERSON|Yvonne Le Goff]] : prélèvement en double sur sa carte "
        "[[CREDIT_CARD|3056 9309 0259 04]]. Pour le remboursement de ses lunettes par la Sécurité "
        "sociale, elle a donné son NIR [[FR_NIR|2 58 09 29 287 878 26]]. Rappel prévu au "
        "[[PHONE_NUMBER|+33 (0)5 56 44 21 90]] le {{DATE|18/03/2024}} vers {{TIME|10:00}}.",
    ),
    (
        "fr-crm-06",
        "Incident [[SALESFORCE_ID|5008d0000TquWoG]] : connexion inhabituelle au compte de M. "
        "[[PERSON|Thibault de Rocquigny]] depuis [[IP_ADDRESS|91.121.87.200]], adresse e-mail modifiée en"
        " [[EMAIL_ADDRESS|t.derocquigny@laposte.net]] sans son accord. Identité vérifiée par téléphone "
        "avec son numéro de sécurité sociale [[FR_NIR|1 80 08 59 201 608 52]]. Mot de passe réinitialisé,"
        " commande {{ORDER_NUMBER|302661204}} bloquée.",
    ),
    (
        "fr-crm-07",
        "Note de [[PERSON|Mathilde Garnier]] : Mme [[PERSON|Fleur Ndiaye]] demande la clôture de son "
        "compte et la suppression de ses données, y compris le NIR [[FR_NIR|2 90 04 93 400 477 63]] "
        "enregistré lors d'une commande d'optique. Dernier contact au [[PHONE_NUMBER|04 72 10 33 58]]. "
        "Son mari, M. [[PERSON|Vincent Ndiaye]], NIR [[FR_NIR|1 78 03 31 317 017 71]], garde son compte "
        "et n'est pas concerné.",
    ),
    (
        "es-chat-01",
        "Hola, soy [[PERSON|Paloma Ibáñez Corral]]. Mi pedido {{ORDER_NUMBER|#100398812}} tenía que "
        "llegar el martes y todavía no sé nada. El repartidor de SEUR me pide el DNI para dejarlo en "
        "conserjería; es el [[ES_NIF|33346177-H]]. ¿Podéis avisarles? Mi móvil es el "
        "[[PHONE_NUMBER|612-34-56-78]].",
    ),
    (
        "es-chat-02",
        "Buenas tardes. Quiero devolver las zapatillas (referencia {{SKU|ART-2024-01452}}) porque me "
        "quedan pequeñas. Pagué {{PRICE|89,95 €}} con la tarjeta [[CREDIT_CARD|4000 0000 0000 0000 006]],"
        " ¿me lo devolvéis a la misma? Si necesitáis algo más, escribidme a "
        "[[EMAIL_ADDRESS|dolores.quintanilla@gmail.com]]. Gracias, [[PERSON|Dolores Quintanilla]]",
    ),
    (
        "es-chat-03",
        "Hola, soy extranjero y vivo en Valencia. Al hacer el pedido con factura la web me pide el NIF, "
        "pero yo tengo NIE: el [[ES_NIE|X-5495083-S]]. ¿Sirve igual? Me llamo "
        "[[PERSON|Oleksandr Hnatyuk]] y mi correo es [[EMAIL_ADDRESS|oleksandr.hnatyuk@gmail.com]]. El "
        "pedido es el {{ORDER_NUMBER|4000562318}}.",
    ),
    (
        "es-chat-04",
        "He cambiado de banco y quiero que los cargos de la suscripción vayan a mi nueva cuenta: "
        "[[IBAN_CODE|ES91 2100 0418 4502 0005 1332]]. Titular: [[PERSON|Blanca Etxeberria Goñi]], DNI "
        "[[ES_NIF|16385803M]]. Por cierto, la app (versión {{VERSION|4.12.3}}) no me deja guardar el "
        "cambio, siempre da error.",
    ),
    (
        "es-chat-05",
        "¿Dónde está mi paquete? El número de seguimiento es {{TRACKING_NUMBER|PQ7BMA0712345670128013X}} "
        "y el pedido, el {{ORDER_NUMBER|4000 562 319}}. Vivo en el {{POSTAL_CODE|28013}} de Madrid y el "
        "transportista dice que la dirección no existe. Solo compré {{QUANTITY|3 x 250 g}} de café "
        "molido, no entiendo tanto lío.",
    ),
    (
        "es-chat-06",
        "Quería saber si el {{PRODUCT|iPhone 15 Pro 128 GB}} vuelve a estar disponible. En la web aparece"
        " a {{PRICE|1.219,00 €}}, pero en la factura proforma {{INVOICE_NUMBER|INV/2024/0912}} pone otro "
        "precio. El código de barras de la caja que vi en tienda es {{EAN|8421001234560}}. ¿Cuál es el "
        "precio correcto?",
    ),
    (
        "es-chat-07",
        "Hola, me llamo [[PERSON|Xoán Outeiriño]] y quiero cambiar el teléfono de mi cuenta al "
        "[[PHONE_NUMBER|+34 954 22 81 37]] y el correo a [[EMAIL_ADDRESS|xoan.outeirino@yahoo.es]]. Para "
        "las facturas de empresa, el NIF-IVA de mi sociedad es [[EU_VAT_ID|ESB64692460]] y mi DNI, el "
        "[[ES_NIF|09887390 N]].",
    ),
    (
        "es-crm-01",
        "Llamada de la Sra. [[PERSON|María José García-Pelayo]] (contacto "
        "[[SALESFORCE_ID|0030b0000uCL1mHAAT]]). Reclama el reembolso de {{PRICE|349,00 €}} por una "
        "cafetera defectuosa. Se hará transferencia a [[IBAN_CODE|ES07 2100 1702 2640 7959 3718]]. "
        "Identidad verificada con DNI [[ES_NIF|88983339L]]. Teléfono de contacto "
        "[[PHONE_NUMBER|91 123 45 67]]. Caso [[SALESFORCE_ID|5008d0000zAnar3AAB]] asignado a "
        "[[PERSON|Iker Zubizarreta]].",
    ),
    (
        "es-crm-02",
        "Cliente empresa, cuenta [[SALESFORCE_ID|0015g0000m4pMbX]]: el responsable de compras, Sr. "
        "[[PERSON|Rogelio Santamaría]], pide que las facturas lleven el NIF-IVA "
        "[[EU_VAT_ID|ESA99736530]]. Su DNI, [[ES_NIF|00301652F]], consta como administrador. También "
        "compran para una filial portuguesa con NIF [[EU_VAT_ID|PT366658123]]. Pedido marco "
        "{{ORDER_NUMBER|5012-3400-5678-1234}} para el artículo con código EAN {{EAN|8410282802001}}. "
        "Enviar facturas a [[EMAIL_ADDRESS|compras@santamaria-hnos.es]].",
    ),
    (
        "es-crm-03",
        "Envío a Canarias: el cliente [[PERSON|Abdelkader Ouazzani]] necesita el DUA para el envío "
        "{{TRACKING_NUMBER|JJD0009876543210}}. Aporta NIE [[ES_NIE|Y0988307B]]; su pareja, "
        "[[PERSON|Noelia Cabrera Déniz]], recogerá el paquete con su DNI [[ES_NIF|63293608T]]. Móvil de "
        "contacto [[PHONE_NUMBER|678 90 12 34]].",
    ),
    (
        "es-crm-04",
        "Clienta polaca [[PERSON|Małgorzata Żurawska]], residente en Alicante con NIE "
        "[[ES_NIE|Z0343438F]]. Para el alta en la financiación envió también su PESEL "
        "[[PL_PESEL|66100250640]], que no necesitamos; se ha eliminado del adjunto. Importe financiado: "
        "{{PRICE|1.480,00 €}}. Tarjeta registrada [[CREDIT_CARD|3714 496353 98431]]. Correo: "
        "[[EMAIL_ADDRESS|m.zurawska@interia.pl]].",
    ),
    (
        "es-crm-05",
        "Incidencia de seguridad: acceso a la cuenta de [[PERSON|Said El Amrani]] desde "
        "[[IP_ADDRESS|37.120.161.8]] y cambio de la dirección de entrega. El cliente confirma que no fue "
        "él; verificado con su NIE [[ES_NIE|X2102950Z]]. Su hermano, [[PERSON|Youssef El Amrani]], NIE "
        "[[ES_NIE|Z7229423E]], tiene otra cuenta con el mismo domicilio. Pedido "
        "{{ORDER_NUMBER|#100667430}} cancelado. Nuevo contacto: [[PHONE_NUMBER|0034 933 123 456]].",
    ),
    (
        "es-crm-06",
        "Nota de [[PERSON|Lucía de la Fuente]]: la Sra. [[PERSON|Pilar Arrizabalaga]] pide que la factura"
        " salga a nombre de su madre, [[PERSON|Remedios Arrizabalaga Ortiz]], DNI [[ES_NIF|26777782D]]. "
        "El destinatario del envío será su yerno, [[PERSON|Dragoș Popescu]], NIE [[ES_NIE|Y4511141G]]. "
        "Pago con tarjeta [[CREDIT_CARD|6011000990139424]], factura {{INVOICE_NUMBER|INV/2024/1033}}.",
    ),
    (
        "es-crm-07",
        "Caso [[SALESFORCE_ID|5002E0000kLmN4q]] abierto por el Sr. [[PERSON|Hamza Benjelloun]] por un "
        "cargo duplicado del {{DATE|2024-03-12}}. NIE [[ES_NIE|Z4429819R]]. Abono a la cuenta "
        "[[IBAN_CODE|ES13 0049 1766 9472 5831 5679]]; correo de contacto "
        "[[EMAIL_ADDRESS|hbenjelloun@hotmail.es]]. Revisar también el acceso desde "
        "[[IP_ADDRESS|2a0c:5a80:1204:7e00::3b]].",
    ),
    (
        "it-chat-01",
        "Buongiorno, sono [[PERSON|Giulia Esposito]]. Ho ordinato un materasso il {{DATE|12/03/2024}} "
        "(ordine {{ORDER_NUMBER|#100412276}}) ma il corriere non è mai passato. Per la fattura vi avevo "
        "dato il codice fiscale [[IT_FISCAL_CODE|SPSGLI88D55F839B]], ma nella mail di conferma non "
        "compare. Potete ricontattarmi al [[PHONE_NUMBER|333 123 4567]]?",
    ),
    (
        "it-chat-02",
        "Salve, vorrei restituire la macchina del caffè ({{PRODUCT|De'Longhi Magnifica S}}) perché perde "
        "acqua dal fondo. L'avevo pagata {{PRICE|379,90 €}} con la carta "
        "[[CREDIT_CARD|5200 8282 8282 8210]]. Il rimborso torna sulla stessa carta o devo indicarvi un "
        "IBAN? Grazie, [[PERSON|Felice Bonaccorso]]",
    ),
    (
        "it-chat-03",
        "Buonasera, ho cambiato numero di telefono: il nuovo è [[PHONE_NUMBER|+39 347 765 4321]]. "
        "Aggiornate anche l'indirizzo email, da [[EMAIL_ADDRESS|marco.bellandi@libero.it]] a "
        "[[EMAIL_ADDRESS|m.bellandi@gmail.com]]. Per la fatturazione il mio codice fiscale resta "
        "[[IT_FISCAL_CODE|BLLMRC79S02D612A]]. Cordiali saluti, [[PERSON|Marco Bellandi]]",
    ),
    (
        "it-chat-04",
        "Il mio bonifico non risulta? L'ho fatto il {{DATE|05/03/2024}} dal conto "
        "[[IBAN_CODE|IT60 X054 2811 1010 0000 0123 456]], intestato a [[PERSON|Bianca Ferraresi]], con "
        "causale il numero d'ordine {{ORDER_NUMBER|4000778812}}. Nella fattura inserite per favore il "
        "codice fiscale [[IT_FISCAL_CODE|FRRBNC00T41F205Z]]. Grazie.",
    ),
    (
        "it-chat-05",
        "Il pacco con tracking FedEx {{TRACKING_NUMBER|794698123456}} risulta consegnato, ma non ho "
        "ricevuto nulla. Dentro c'erano {{QUANTITY|2 x 750 ml}} di olio extravergine, codice articolo "
        "{{SKU|SKU-3390-OLV-75}}. Il CAP è {{POSTAL_CODE|20121}}, il portiere dice che non è passato "
        "nessuno. Cosa posso fare?",
    ),
    (
        "it-chat-06",
        "Nell'app (versione {{VERSION|5.0.7}}) la {{PRODUCT|Bialetti Moka Express 6 tazze}} costa "
        "{{PRICE|34,90 €}}, ma alla cassa il prezzo cambia. Ho scansionato anche il codice a barre "
        "{{EAN|8006363011518}}. Il numero dell'ordine bloccato è {{ORDER_NUMBER|30241187653}}. Potete "
        "controllare?",
    ),
    (
        "it-chat-07",
        "Buongiorno, mi chiamo [[PERSON|Rosa Pellegrino]]. Non riesco ad accedere: il sito dice che "
        "l'accesso da [[IP_ADDRESS|151.38.114.9]] è bloccato. Il mio account è "
        "[[EMAIL_ADDRESS|rosa.pellegrino@tiscali.it]] e ho un ordine aperto, il "
        "{{ORDER_NUMBER|#100489003}}. Ricordo che la fattura elettronica va intestata con il mio codice "
        "fiscale [[IT_FISCAL_CODE|PLLRSO70B49A944H]].",
    ),
    (
        "it-crm-01",
        "Chiamata della Sig.ra [[PERSON|Francesca Di Stefano]] (contatto "
        "[[SALESFORCE_ID|0031t0000pTgadDAAR]]): rimborso di {{PRICE|219,00 €}} per un frigorifero "
        "arrivato ammaccato, da bonificare su [[IBAN_CODE|IT04 X054 2811 1014 5773 5801 837]]. Codice "
        "fiscale [[IT_FISCAL_CODE|DSTFNC92L63G273B]] verificato. Caso [[SALESFORCE_ID|5004W0000QrStU7]] "
        "passato all'amministrazione.",
    ),
    (
        "it-crm-02",
        "Cliente business, account [[SALESFORCE_ID|001Dn0000beKXgzIAG]]: il Sig. "
        "[[PERSON|Edoardo Zanin]], titolare della ditta individuale, per l'ordine ricorrente di "
        "{{QUANTITY|10 x 15 kg}} di pellet (EAN {{EAN|8001746526474}}) chiede la fattura con partita IVA "
        "[[EU_VAT_ID|IT79282010275]] e codice fiscale [[IT_FISCAL_CODE|ZNNDRD83H27L736S]]. PEC: "
        "[[EMAIL_ADDRESS|zanin.edoardo@pec.it]]. Telefono [[PHONE_NUMBER|0039 055 284 1937]].",
    ),
    (
        "it-crm-03",
        "Il Sig. [[PERSON|Salvatore Mancuso]] segnala un addebito doppio sulla carta "
        "[[CREDIT_CARD|3530111333300000]]. CF [[IT_FISCAL_CODE|MNCSVT65P18H501Q]]. Ultimo accesso da "
        "[[IP_ADDRESS|2001:0db8:0000:0000:0000:ff00:0042:8329]], nessuna anomalia. Richiamare al "
        "[[PHONE_NUMBER|(06) 4782 1195]] dopo le {{TIME|15:00}}.",
    ),
    (
        "it-crm-04",
        "Cliente polacco [[PERSON|Wojciech Chmielewski]], residente a Bologna, ha inviato per errore il "
        "suo PESEL [[PL_PESEL|76121986132]] insieme alla richiesta di reso. Rimborso di {{PRICE|89,00 €}}"
        " sul conto polacco [[IBAN_CODE|PL20 1140 2004 4898 9894 2176 4903]]. Email "
        "[[EMAIL_ADDRESS|w.chmielewski@o2.pl]], cellulare [[PHONE_NUMBER|+48 22 123 45 67]].",
    ),
    (
        "it-crm-05",
        "Opportunità [[SALESFORCE_ID|0062E0000z9CPVNQA4]]: la società del Sig. "
        "[[PERSON|Lorenzo Quagliarella]] (CF [[IT_FISCAL_CODE|QGLLNZ85A30L219J]]) ordina 40 sedie da "
        "ufficio. Partita IVA [[EU_VAT_ID|IT61612490658]]; una parte va alla consociata danese con "
        "partita IVA [[EU_VAT_ID|DK15673435]]. Preventivo {{INVOICE_NUMBER|PRV-2024-0088}} inviato.",
    ),
    (
        "it-crm-06",
        "Nota di [[PERSON|Chiara Lo Bianco]]: il Sig. [[PERSON|Domenico Sciacchitano]] ha chiesto di "
        "cambiare l'email in [[EMAIL_ADDRESS|d.sciacchitano@alice.it]] e il telefono in "
        "[[PHONE_NUMBER|+39 081 764 29 11]]. La richiesta è arrivata da [[IP_ADDRESS|93.41.207.18]], "
        "coerente con gli accessi precedenti dall'app versione {{VERSION|5.0.7}}. Carta salvata "
        "[[CREDIT_CARD|6759 6498 2643 8453]] confermata.",
    ),
    (
        "it-crm-07",
        "Reclamo della Sig.ra [[PERSON|Assunta D'Alessandro]]: il divano consegnato il "
        "{{DATE|2024-03-12}} ha un bracciolo rotto. Concordato un rimborso parziale di {{PRICE|150,00 €}}"
        " sul conto [[IBAN_CODE|IT77 A020 0802 4358 5311 7477 217]]. Lead "
        "[[SALESFORCE_ID|00Q8d0000IZ4SOcEQN]] collegato, referente interno "
        "[[PERSON|Gianluca Ferrandino]].",
    ),
    (
        "nl-chat-01",
        "Hoi, mijn naam is [[PERSON|Sanne van der Linden]]. Mijn bestelling {{ORDER_NUMBER|#100345672}} "
        "zou gisteren komen, maar volgens PostNL ({{TRACKING_NUMBER|3SKABA123456789}}) ligt het pakket "
        "nog in het sorteercentrum. Kunnen jullie dat navragen? Ik ben bereikbaar op "
        "[[PHONE_NUMBER|06-12345678]].",
    ),
    (
        "nl-chat-02",
        "Goedemiddag, ik wil de robotstofzuiger ({{PRODUCT|Roborock S8 Pro Ultra}}) retourneren, hij "
        "blijft steeds hangen bij de drempel. Ik heb {{PRICE|€ 1.199,00}} via iDEAL betaald, dus graag "
        "terugstorten op [[IBAN_CODE|NL91 ABNA 0417 1643 00]] t.n.v. [[PERSON|Joost Wiegersma]]. Bedankt!",
    ),
    (
        "nl-chat-03",
        "Voor achteraf betalen vraagt jullie formulier om mijn BSN. Is dat echt nodig voor een bestelling"
        " van {{PRICE|€ 312,40}}? Ik heb [[NL_BSN|4722.52.720]] ingevuld, maar ik krijg steeds een "
        "foutmelding. Mijn e-mailadres is [[EMAIL_ADDRESS|roos.hoekstra@ziggo.nl]]. Groeten, "
        "[[PERSON|Roos Hoekstra]]",
    ),
    (
        "nl-chat-04",
        "Mijn oude Visa [[CREDIT_CARD|4222222222222]] staat nog als betaalmethode in mijn account en ik "
        "krijg hem er niet uit. Kunnen jullie hem verwijderen en mijn nieuwe nummer "
        "[[PHONE_NUMBER|+31 6 2845 1173]] opslaan? Het gaat om ordernummer {{ORDER_NUMBER|4000 219 873}}."
        " Met vriendelijke groet, [[PERSON|Sterre Dijkhuizen]]",
    ),
    (
        "nl-chat-05",
        "Mijn pakket met zendingnummer {{TRACKING_NUMBER|00340434299187650022}} staat al drie dagen op "
        "'onderweg'. De postcode is {{POSTAL_CODE|1012 AB}} en er is elke dag iemand thuis. Het gaat om "
        "{{QUANTITY|4 x 330 ml}} kombucha, dus het moet eigenlijk gekoeld blijven. Kunnen jullie kijken "
        "waar het is?",
    ),
    (
        "nl-chat-06",
        "De app (versie {{VERSION|4.13.0}}) herkent de barcode {{EAN|8712937980714}} niet meer. Ook kan "
        "ik factuur {{INVOICE_NUMBER|INV/2024/0733}} niet downloaden voor bestelling "
        "{{ORDER_NUMBER|100298431}}. Op de website werkt alles wel. Is er een update onderweg?",
    ),
    (
        "nl-chat-07",
        "Hallo, met [[PERSON|Noor El Khatib]]. Ik kan niet inloggen, er staat dat mijn IP-adres "
        "[[IP_ADDRESS|145.53.212.77]] geblokkeerd is. Mijn account staat op "
        "[[EMAIL_ADDRESS|noor.elkhatib@kpnmail.nl]]. Kunnen jullie ook meteen mijn telefoonnummer "
        "wijzigen naar [[PHONE_NUMBER|010 - 123 45 67]]?",
    ),
    (
        "nl-crm-01",
        "Telefoonnotitie: Dhr. [[PERSON|Jeroen de Vries]] (contact [[SALESFORCE_ID|0038d00002sye9bAAA]]) "
        "belt over de terugbetaling van {{PRICE|89,95 EUR}} voor een teruggestuurde koffiemolen. "
        "Terugstorten op [[IBAN_CODE|NL90 ABNA 5134 5117 74]]. Hij noemde ongevraagd zijn BSN, "
        "[[NL_BSN|368320431]]; niet opgeslagen in het klantdossier. Zaak "
        "[[SALESFORCE_ID|500Dn0000Wq8TzR]] gesloten.",
    ),
    (
        "nl-crm-02",
        "Zakelijke klant, account [[SALESFORCE_ID|0013X0000a9AW7hQAG]]: inkoper Mevr. "
        "[[PERSON|Wilhelmina Oosterhuis-Brink]] vraagt facturen met btw verlegd. Btw-id klant "
        "[[EU_VAT_ID|NL286303747B01]] gecontroleerd in VIES; hun Duitse vestiging gebruikt "
        "[[EU_VAT_ID|DE246881972]]. Factuur {{INVOICE_NUMBER|INV/2024/0612}} opnieuw verstuurd naar "
        "[[EMAIL_ADDRESS|inkoop@oosterhuis-brink.nl]].",
    ),
    (
        "nl-crm-03",
        "Mevr. [[PERSON|Fenna Bakker]] heeft voor zichzelf en haar zoon [[PERSON|Daan Bakker]] achteraf "
        "betalen aangevraagd en daarbij beide BSN's doorgegeven: [[NL_BSN|110953162]] en "
        "[[NL_BSN|4195.03.961]]. Volgens beleid niet nodig; gegevens verwijderd, bestelling "
        "{{ORDER_NUMBER|100387210}} gewoon verwerkt en klant teruggebeld op [[PHONE_NUMBER|030-2345678]]."
        " Lead [[SALESFORCE_ID|00Q0b0000lRJmCGEA1]].",
    ),
    (
        "nl-crm-04",
        "Poolse klant [[PERSON|Ewelina Sołtysik]], woont in Venlo. Bij het aanmaken van haar account "
        "stuurde zij een kopie van haar Poolse ID met PESEL [[PL_PESEL|62060957825]]; bijlage verwijderd."
        " Haar burgerservicenummer [[NL_BSN|191310153]] staat al in het systeem. Haar collega "
        "[[PERSON|Tomasz Kaczmarczyk]] (PESEL [[PL_PESEL|94012530392]]) bestelt op hetzelfde adres, ook "
        "artikel {{SKU|ART-2024-02218}}. Contact via [[PHONE_NUMBER|+48 512 345 678]].",
    ),
    (
        "nl-crm-05",
        "Beveiligingsmelding: inlog op het account van Dhr. [[PERSON|Bart-Jan Kuipers]] vanaf "
        "[[IP_ADDRESS|2001:1c00:2a0b:ee00:4d3f:9a21:6b8e:15c2]], bestelling {{ORDER_NUMBER|#100512734}} "
        "naar een afwijkend adres. Klant geverifieerd met burgerservicenummer [[NL_BSN|3487.50.419]] "
        "(niet opgeslagen). Creditcard [[CREDIT_CARD|5105105105105100]] geblokkeerd. Terugbellen op "
        "[[PHONE_NUMBER|+31 20 123 4567]].",
    ),
    (
        "nl-crm-06",
        "Notitie van [[PERSON|Anouk Verhoeven]]: Mevr. [[PERSON|Van den Berg]] wil het tegoed van "
        "{{PRICE|€ 64,50}} laten terugstorten op haar Belgische rekening "
        "[[IBAN_CODE|BE75 0685 9761 9451]]. Haar BSN [[NL_BSN|179114566]] stond per ongeluk in een "
        "eerdere notitie en moet daar nog worden verwijderd. Opportunity "
        "[[SALESFORCE_ID|006Hs0000UXiAPy]], e-mail [[EMAIL_ADDRESS|c.vandenberg@telenet.be]].",
    ),
    (
        "nl-crm-07",
        "Klacht van [[PERSON|Bram Tjon-A-Fong]] over een dubbele afschrijving op zijn Mastercard "
        "[[CREDIT_CARD|5555-5555-5555-4444]]. Zijn bedrijf in Luxemburg bestelt op btw-nummer "
        "[[EU_VAT_ID|LU71764134]]; terugbetaling naar [[IBAN_CODE|LU40 0015 5389 8578 4391]]. Bereikbaar "
        "op [[PHONE_NUMBER|+31 (0)6 1234 5678]] na {{TIME|16:00}}.",
    ),
)


def _language_and_kind(record_id: str) -> tuple[str, str]:
    language, kind, _ = record_id.split("-")
    return language, "crm_note" if kind == "crm" else kind


@functools.lru_cache(maxsize=1)
def _corpus() -> tuple[LabelledText, ...]:
    return tuple(parse(record_id, *_language_and_kind(record_id), marked) for record_id, marked in _RECORDS)


def load_corpus() -> list[LabelledText]:
    """Every record of the corpus, parsed (once per process)."""
    return list(_corpus())
