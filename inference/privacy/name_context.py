"""Words around a capitalized word that tell a person from a place, a company or a brand, in EN, DE,
FR, ES, IT and NL: written by hand, compared case- and accent-folded (see `name_lists.key`)."""

from __future__ import annotations

from inference.privacy.name_lists import forms


def _keys(words: str) -> frozenset[str]:
    return frozenset(form for word in words.split() for form in forms(word))


# A word right before a name-like run that makes it a street, a place, a building or an institution
# (Rue Victor Hugo, Via Giuseppe Verdi, San Diego, Gare Saint-Lazare, Hôpital Necker).
PLACE_BEFORE = _keys(
    "Rue Avenue Av Boulevard Bd Place Allée Impasse Chemin Quai Cours Via Viale Piazza Piazzale Corso "
    "Largo Vicolo Calle Avenida Avda Plaza Paseo Carrer Camino Ronda Travesía Glorieta Rua Praça San Santa "
    "Santo São Saint Sainte St Ste Sankt Hotel Hôtel Restaurant Café Museum Musée Museo Gare Stazione "
    "Estación Aeropuerto Aeroporto Aéroport Flughafen Hôpital Ospedale Hospital Klinikum Lycée Collège "
    "Liceo Colegio Instituto Istituto Universität Université Università Universidad Universiteit University "
    "Stadion Stade Stadio Estadio Kerk Church Église Chiesa Iglesia Kirche Pont Ponte Puente Fondazione "
    "Fundación Fondation Stiftung Studio Lake Mount Fort Port Cape Lago Monte Bahía Isla Île Isola"
)

# Street words that also come in lower case (rue Victor Hugo, via Giuseppe Verdi, calle Miguel Servet).
STREET_BEFORE = _keys(
    "rue avenue boulevard bd allée impasse chemin quai cours via viale piazza piazzale corso largo vicolo "
    "calle avenida avda plaza paseo carrer camino ronda travesía glorieta rua praça"
)

# A word right after a name-like run that makes it a street, a building, a company or a product line
# (Victoria Street, Karl Marx Allee, Schmidt GmbH, Martin Logistics).
PLACE_AFTER = _keys(
    "Street St Road Rd Avenue Ave Ln Drive Dr Place Square Boulevard Crescent Terrace Straße Strasse Str "
    "Weg Platz Allee Ring Gasse Damm Ufer Chaussee Steig Pfad Markt "
    "Brücke straat laan weg plein gracht kade singel dreef Airport Station Hospital School College "
    "University Stadium Park Bridge Center Centre Mall Hotel Museum Foundation Institute Institut Klinik "
    "Schule Gymnasium Bahnhof Flughafen Zentrum GmbH AG KG OHG SE Ltd LLC LLP PLC Inc SA SAS SARL SL SLU "
    "SpA Srl BV NV VOF Co Corp Group Gruppe Groupe Grupo Gruppo Holding Partners Bank Versicherung Verlag "
    "Solutions Services Consulting Trading Logistics Software Systems Technologies Tech Labs Studios "
    "Records Productions Media Design Fashion Store Shop Outlet Boutique Collection Edition Serie Series "
    "Kollektion Collezione Colección"
)

# Brands named after people, alone (Bosch, Lindt) and as the name they were born as (Calvin Klein).
BRANDS = _keys(
    "Bosch Miele Siemens Philips Dyson Ferrero Barilla Lavazza Porsche Ferrari Lamborghini Maserati "
    "Bugatti Peugeot Renault Citroën Opel Gucci Prada Armani Versace Fendi Benetton Disney Nestlé "
    "Heineken Carlsberg Kellogg Heinz Lindt Haribo Nivea Hilfiger Vuitton Lagerfeld Kors Wolfskin Lauder "
    "Ferragamo Cavalli Louboutin Lacoste Oetker Chevrolet Tesla Honda Toyota Suzuki Yamaha Kawasaki "
    "Michelin Bridgestone Goodyear Pirelli Hermès Cartier Bulgari Tiffany Swarovski Rolex Breitling "
    "Hublot Tissot Casio Seiko Fossil Levi Wrangler Kipling Samsonite Rimowa Birkenstock Salomon "
    "Rossignol Decathlon Lidl Aldi Edeka Rewe Carrefour Leclerc Auchan Mercadona Esselunga Heijn "
    "Kruidvat Hema Tesco Sainsbury Asda Morrisons Waitrose Macy Walmart Costco Ray-Ban Oakley Barbie Boss "
    "Alexa Siri Cortana "
    # Brands whose product lines carry people's names (Adidas Stan Smith, Lego Harry Potter).
    "Adidas Nike Puma Reebok Asics Converse Vans Lego Playmobil Mattel Hasbro Apple Samsung Sony Huawei "
    "Xiaomi Google Microsoft Nintendo Canon Nikon Bose JBL Sonos Marshall Garmin Fitbit Logitech Lenovo "
    "Asus Acer Bosch Tefal Krups Kenwood Moulinex Rowenta Delonghi Nespresso Jura Thermomix Vorwerk"
)
# A word right before a run that makes it a thing: an article or a possessive (the Stanley Quencher,
# ein Marshall Acton, mein Kindle, le Dyson). "a", "an", "de" and "la" stay out: they also mean "to" or
# "of", or are particles of names.
THING_BEFORE = _keys(
    "the ein eine einen einem einer eines das den dem des der die un une le les una uno il lo gli el "
    "los las een het my your his our their mein meine meinen meinem dein deine sein seine unser unsere "
    "euer mon ma mes ton ta tes son sa ses notre votre nos vos mi mis tu tus su sus nuestro nuestra mio "
    "mia tuo tua suo sua mijn jouw zijn ons onze"
)
# Endings of street names written as one word (Johan de Wittlaan, Friedrichstraße, Keizersgracht).
STREET_ENDINGS = (
    "straat",
    "laan",
    "gracht",
    "plein",
    "kade",
    "singel",
    "dreef",
    "dijk",
    "straße",
    "strasse",
    "gasse",
    "allee",
    "platz",
    "weg",
    "steig",
    "ufer",
    "damm",
)
BRAND_NAMES = frozenset(
    form
    for name in (
        "Calvin Klein|Tommy Hilfiger|Ralph Lauren|Hugo Boss|Louis Vuitton|Giorgio Armani|Tom Tailor|"
        "Karl Lagerfeld|Michael Kors|Kate Spade|Ted Baker|Paul Smith|Tom Ford|Vera Wang|Jack Wolfskin|"
        "Estée Lauder|Yves Rocher|Yves Saint Laurent|Jean Paul Gaultier|Carolina Herrera|Victoria Beckham|"
        "Stella McCartney|Alexander McQueen|Vivienne Westwood|Christian Louboutin|Philipp Plein|Marc Cain|"
        "Gerry Weber|Betty Barclay|Anne Klein|Nina Ricci|Jil Sander|Daniel Wellington|Paul Hewitt|"
        "Ben Sherman|Fred Perry|John Lewis|Pierre Cardin|Guy Laroche|Ted Lapidus|Ferrero Rocher|"
        "Jack Daniels|Johnnie Walker|Jim Beam|Albert Heijn|Marks Spencer|Dolce Gabbana|Max Mara|Marc Jacobs|"
        "Tory Burch|Oscar de la Renta|Salvatore Ferragamo|Roberto Cavalli|Emilio Pucci|Jimmy Choo|"
        "Alexander Wang|Isabel Marant|Sonia Rykiel|Franck Provost|Jacques Dessange|Leroy Merlin|"
        "Marc O'Polo|Dr Oetker|Dr Martens|Mr Proper"
    ).split("|")
    for form in forms(name)
)
BRAND_FIRST_WORDS = frozenset(name.split()[0] for name in BRAND_NAMES)

# What follows a person's name (and rarely a thing's): said, called, wrote, asked, confirmed, maybe with
# an object pronoun or an adverb between (Lucía me dijo, Marco mi ha detto, Okafor also said). Modal
# verbs stay out: in German and Dutch the verb comes second, after whatever word opens the sentence.
BETWEEN_NAME_AND_VERB = frozenset(
    "me te le nos les se mi ti ci vi gli lui nous vous mir mich ihm uns mij hem ons also then again already "
    "just auch gestern heute dann nochmal erneut aussi encore déjà también ayer hoy anche ieri oggi ook "
    "gisteren vandaag nog".split()
)
PERSON_VERBS = frozenset(
    (
        "said|says|asked|asks|called|calls|rang|phoned|wrote|writes|emailed|e-mailed|confirmed|confirms"
        "|requested|requests|reported|reports|complained|complains|explained|explains|mentioned|claims"
        "|claimed|states|stated|agreed|approved|declined|promised|replied|answered|wants|wanted|needs"
        "|prefers|insists|expects|has called|has asked|has confirmed|has written|has requested|will call"
        "|called back|would like|did not receive|didn't receive|has not received|hasn't received"
        "|sagt|sagte|meint|meinte|erklärt|erklärte|berichtet|berichtete|fragt|fragte|rief|ruft|schrieb"
        "|schreibt|bestätigt|bestätigte|meldet|meldete|möchte|wünscht|wünschte|bittet|bat|erwartet"
        "|reklamiert|reklamierte|beschwert sich|beschwerte sich|hat angerufen|hat gesagt|hat gefragt"
        "|hat geschrieben|hat bestätigt|hat gemeldet"
        "|dit|a dit|indique|a indiqué|explique|a expliqué|précise|signale|a signalé|affirme|demande"
        "|a demandé|appelle|a appelé|a écrit|écrit|confirme|a confirmé|souhaite|réclame|a réclamé"
        "|rappelle|a rappelé|a répondu|n'a pas reçu"
        "|dice|dijo|comenta|comentó|indica|indicó|explica|explicó|afirma|asegura|aseguró|pregunta"
        "|preguntó|pide|pidió|solicita|solicitó|llama|llamó|ha llamado|escribe|escribió|ha escrito"
        "|confirma|confirmó|ha confirmado|reclama|reclamó|necesita|prefiere|no ha recibido|no recibió"
        "|ha detto|riferisce|ha riferito|spiega|ha spiegato|segnala|ha segnalato|afferma|sostiene|chiede"
        "|ha chiesto|ha chiamato|telefona|ha telefonato|scrive|ha scritto|conferma|ha confermato"
        "|richiede|ha richiesto|lamenta|ha lamentato|non ha ricevuto|richiama|ha richiamato"
        "|zegt|zei|vraagt|vroeg|meldt|meldde|belt|belde|heeft gebeld|schrijft|schreef|heeft geschreven"
        "|bevestigt|bevestigde|heeft bevestigd|klaagt|klaagde|geeft aan|gaf aan|heeft gevraagd"
    ).split("|")
)
# "Okafor's wife", "Nowak's order": a possessive before what people have.
POSSESSIONS = frozenset(
    "wife husband son daughter mother father brother sister partner colleague manager assistant account "
    "order orders card phone number email e-mail address case refund request complaint parcel package "
    "delivery invoice subscription".split()
)

# Prepositions and conjunctions that, right before a known first name, make it a person.
FIRST_NAME_BEFORE = _keys(
    "a al con de del para y e o di per avec pour et ou par chez von mit für und oder bei an van met voor "
    "en of bij aan with for and or by"
)
# Small words before a first name that is also a town (Chelsea, Austin, Valencia): a place.
PLACE_PREPOSITIONS = _keys("in to from at into near via nach aus im ins zum zur au aux dans vers naar uit")
# Words right before a single name that point to a person: with, attention of, on behalf of, cc.
PERSON_BEFORE = _keys("with mit avec con met cc attn attention Hd namens tav vom voor")
