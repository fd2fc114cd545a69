"""A held-out labelled PII test corpus: shop chat messages and CRM notes, never used for development.

Same markup, same entity types and decoy kinds, same rules as :mod:`inference.bench.privacy_corpus` (which
parses it): ``[[TYPE|value]]`` marks personal data an anonymizer must find, ``{{KIND|value}}`` a decoy it
must leave alone. The situations, people and numbers here are new, not paraphrases of the development
records, so that a detector tuned on the development corpus can be measured honestly on this one.

All names, numbers and addresses are invented; every entity value is valid for its type (check digits
included). Street addresses, cities, company names, dates of birth, short card endings and gift card
codes are left unmarked. Ids have the form ``ho-<language>-<chat|crm>-<nn>``, so they never collide with
the development corpus.
"""

from __future__ import annotations

import functools

from inference.bench.privacy_corpus import LabelledText, parse

# (id, marked-up text); the id gives the language and the kind: "ho-de-chat-03", "ho-fr-crm-02".
_RECORDS: tuple[tuple[str, str], ...] = (
    (
        "ho-en-chat-01",
        "Hi, my aunt [[PERSON|Ngozi Adebayo-Clarke]] sent me an e-gift card worth {{PRICE|£50.00}} for my "
        "birthday, but every time I enter the code at checkout it says it has already been redeemed. I "
        "have never used it. The order I'm trying to pay for is still waiting in my account as "
        "{{ORDER_NUMBER|20415563018}}. Auntie [[PERSON|Ngozi]] paid for the card with her own Visa and "
        "still has the confirmation e-mail if you need proof. This is a bit embarrassing for both of us, "
        "can you sort it out? [[PERSON|Tobi Adebayo]], [[EMAIL_ADDRESS|tobi.adebayo94@gmail.com]]",
    ),
    (
        "ho-en-chat-02",
        "Hello, the driver's photo shows my parcel on a doorstep that isn't mine, and the app says "
        "'delivered to neighbour' at {{TIME|13:52}}. Tracking is {{TRACKING_NUMBER|H01HYA0047219385}}. "
        "I've knocked on both sides: Mrs [[PERSON|Papadopoulos]] at number 12 hasn't got it, and the "
        "[[PERSON|Hussains]] across the road are away until Sunday. It's a "
        "{{PRODUCT|Nespresso Vertuo Pop}}, so I'd rather it wasn't sitting outside all week. Could you ask "
        "the driver which house it was? Ring me on [[PHONE_NUMBER|07823 416590]] if easier. Thanks, "
        "[[PERSON|Kerry-Ann Joseph]]",
    ),
    (
        "ho-en-chat-03",
        "Hi [[PERSON|Jasmine]], thanks for picking this up. Someone got into my account last night. I got "
        "an email saying my password was changed after a sign-in from [[IP_ADDRESS|172.58.44.210]], and I "
        "was asleep at the time. They added a shipping address in Orlando and placed order "
        "{{ORDER_NUMBER|#118204937}} for {{PRICE|$1,149.99}}. What scares me most is that my store card "
        "application was saved in the account with my SSN, [[US_SSN|447-18-2093]], filled in. Please "
        "cancel that order and lock everything. My cell is [[PHONE_NUMBER|(773) 555-0186]]. "
        "[[PERSON|Ramón Villaseñor]]",
    ),
    (
        "ho-en-chat-04",
        "My {{PRODUCT|Ninja Foodi MAX 9-in-1}} stopped heating after fourteen months, so it should still "
        "be inside the two-year warranty. The order reference on my receipt is "
        "{{ORDER_NUMBER|4417 2093 8861 5520}} and the model code on the base is {{SKU|OP500UK}}, barcode "
        "{{EAN|5023431222006}}. I still have the box. Do I send it back to you or straight to the "
        "manufacturer, and who pays for the courier? I'd much prefer a replacement to a repair, as the "
        "last repair took six weeks.",
    ),
    (
        "ho-en-crm-01",
        "B2B account [[SALESFORCE_ID|0015g0000uhfJXqAAM]], dental supplies wholesaler in Cork. Authorised "
        "buyers: [[PERSON|Thu Ha Nguyen]], [[PERSON|Siddharth Rao]] and [[PERSON|Aoife Brennan]]. "
        "[[PERSON|Thu Ha]] placed a framework order for {{QUANTITY|40 x 2 kg}} of alginate and asked for "
        "reverse-charge invoices under VAT number [[EU_VAT_ID|IE9396272C]]. They pay by transfer from "
        "[[IBAN_CODE|IE97 AIBK 1003 7326 4240 32]]; 30-day terms approved by [[PERSON|Declan Moriarty]]. "
        "Goods go to the Mallow depot, where [[PERSON|Rajesh Venkataraman]] signs for deliveries, mobile "
        "[[PHONE_NUMBER|+353 87 412 6630]]. First invoice {{INVOICE_NUMBER|INV-IE-2024-0311}}.",
    ),
    (
        "ho-en-crm-02",
        "Chargeback received for order {{ORDER_NUMBER|#118377420}} ({{PRICE|$486.20}}), reason "
        "'merchandise not received'. Cardholder [[PERSON|Bartosz Wiśniewski]], Mastercard "
        "[[CREDIT_CARD|5341 4631 6112 2376]]. The carrier's proof of delivery was signed by "
        "[[PERSON|Kwabena Osei]] at the building's front desk; customer says he never asked the concierge "
        "to accept parcels. To verify identity he gave his SSN [[US_SSN|341 36 9639]] and, unprompted, the "
        "PESEL [[PL_PESEL|88041731376]] from his Polish passport. Representment filed with the POD. "
        "Handled by [[PERSON|Marisol Ochoa]].",
    ),
    (
        "ho-en-crm-03",
        "Bereavement call. [[PERSON|Anjali Mehta-Rao]] asked us to close the account of her late father, "
        "[[PERSON|Vikram Mehta]] (Contact [[SALESFORCE_ID|0034W0000IEnome]]). Caller verified with her own "
        "SSN [[US_SSN|517-84-1114]]. The store credit of {{PRICE|$212.75}} goes to the estate; her brother "
        "[[PERSON|Sanjay]] is executor and will send the letters of administration to "
        "[[EMAIL_ADDRESS|anjali.mehtarao@icloud.com]]. Mr [[PERSON|Mehta]]'s financing file still holds "
        "his SSN, [[US_SSN|222-10-0270]], so the closure letter must go out first. Case "
        "[[SALESFORCE_ID|500Hs00001ZTVnVIAX]], agent [[PERSON|Olu Bankole]].",
    ),
    (
        "ho-de-chat-01",
        "Hallo zusammen, wir sind am Wochenende umgezogen und ich habe vergessen, die Lieferadresse zu "
        "ändern. Die Bestellung {{ORDER_NUMBER|40018827365}} geht jetzt noch an die alte Wohnung in "
        "{{POSTAL_CODE|50667}} Köln. Der Nachmieter heißt [[PERSON|Zhou]], glaube ich, und würde das Paket "
        "bestimmt annehmen, aber lieber wäre mir die neue Adresse: Venloer Str. 212, {{POSTAL_CODE|50823}} "
        "Köln. Geht das noch? Handy: [[PHONE_NUMBER|0176 48291735]]. Liebe Grüße, "
        "[[PERSON|Magdalena Nowak-Hoffmann]]",
    ),
    (
        "ho-de-chat-02",
        "Guten Tag, für zwei Einkäufe im September wurden mir keine Bonuspunkte gutgeschrieben: Bestellung "
        "{{ORDER_NUMBER|#100934512}} und Rechnung {{INVOICE_NUMBER|RE-2024-04412}}, zusammen "
        "{{PRICE|214,80 €}}. Meine Frau [[PERSON|Sevgi]] und ich nutzen dasselbe Kundenkonto, vielleicht "
        "sind die Punkte auf ihrer Karte gelandet? Angemeldet sind wir mit "
        "[[EMAIL_ADDRESS|familie.arslan@gmx.net]]. Und noch eine Frage: Verfallen die Punkte wirklich "
        "schon nach zwölf Monaten? Danke und Gruß, [[PERSON|Cem Arslan]]",
    ),
    (
        "ho-de-chat-03",
        "Jemand war in meinem Kundenkonto! Heute Nacht um {{TIME|03:12}} kam eine Mail über eine neue "
        "Anmeldung von [[IP_ADDRESS|2a02:810d:4b3f:e200:1c7a:88ff:fe21:9b04]], da habe ich geschlafen. "
        "Jetzt ist meine Visa [[CREDIT_CARD|4389 4005 2802 0063]] aus dem Konto gelöscht, eine fremde "
        "Karte ist hinterlegt, und es gibt eine offene Bestellung über zwei {{PRODUCT|iPad Air 13}}, die "
        "nicht von mir ist. Bitte sofort stornieren und das Konto sperren. [[PERSON|Ilse Freudenreich]], "
        "Tel. [[PHONE_NUMBER|0711 2486331]]",
    ),
    (
        "ho-de-chat-04",
        "Guten Tag, mein Kaffeevollautomat {{PRODUCT|Siemens EQ.6 plus s300}} zeigt seit gestern nur noch "
        "„Brüheinheit blockiert“, obwohl ich ihn regelmäßig entkalke. Gekauft habe ich ihn vor knapp zwei "
        "Jahren bei Ihnen, Bestellnummer {{ORDER_NUMBER|4001 772 905}}. Auf der Verpackung steht die EAN "
        "{{EAN|4019908091245}}. Läuft das noch über die Gewährleistung, oder muss ich mich an den "
        "Hersteller wenden? Einen passenden Versandkarton habe ich leider nicht mehr.",
    ),
    (
        "ho-de-crm-01",
        "B2B-Account [[SALESFORCE_ID|0011t0000v2fgKDAAY]], Tischlerei in Graz: Einkäuferin Frau "
        "[[PERSON|Zsófia Kertész]] bestellt {{QUANTITY|120 x 50 m}} Kantenband, Artikel "
        "{{SKU|KB-2205-EIC-22}}. USt-IdNr. [[EU_VAT_ID|ATU88532794]] über VIES bestätigt, Lieferung "
        "steuerfrei. Zahlung per SEPA-Firmenlastschrift von [[IBAN_CODE|AT68 8394 7372 7724 9240]]. "
        "Rückfragen zur Rechnung an ihren Kollegen [[PERSON|Gábor Szilágyi]], "
        "[[EMAIL_ADDRESS|g.szilagyi@tischlerei-lechner.at]], [[PHONE_NUMBER|+43 664 3182290]]. Notiz: "
        "[[PERSON|Tanja Reisinger]]",
    ),
    (
        "ho-de-crm-02",
        "Rücklastschrift zu Auftrag {{ORDER_NUMBER|70045519234}}, Bankgebühr {{PRICE|3,50 €}}. Kunde "
        "[[PERSON|Łukasz Jabłoński]] erklärt am Telefon, sein altes Konto sei aufgelöst; neue Lastschrift "
        "von [[IBAN_CODE|DE62 0513 9728 9569 6222 74]] ist eingerichtet. Beim Ratenkauf im Frühjahr hatte "
        "er seine Steuer-ID [[DE_TAX_ID|20097340152]] ins Freitextfeld geschrieben, außerdem lag noch ein "
        "Ausweisscan mit PESEL [[PL_PESEL|83020948213]] im Anhang. Beides gelöscht. Nächster Einzug am "
        "{{DATE|01.11.2024}}.",
    ),
    (
        "ho-de-crm-03",
        "Opportunity [[SALESFORCE_ID|0068d0000CMTIeg]], Einbauküche für {{PRICE|8.940,00 €}} auf Raten. "
        "Antragsteller [[PERSON|Dimitrios Karagiannis]], Mitantragstellerin seine Frau "
        "[[PERSON|Eleni Karagiannis]]. Beide haben ihre Steuer-ID mitgeschickt "
        "([[DE_TAX_ID|93 472 183 354]] bzw. [[DE_TAX_ID|57138392631]]), obwohl die Bank sie nicht braucht; "
        "aus der Akte entfernt. Montage ist für den {{DATE|18.11.2024}} geplant. Rückruf wegen der "
        "Schlussrate bitte an Herrn [[PERSON|Karagiannis]] unter [[PHONE_NUMBER|+49 40 38612274]].",
    ),
    (
        "ho-fr-chat-01",
        "Bonjour, d'après le suivi {{TRACKING_NUMBER|6A24519837402}}, mon colis a été « remis au voisin » "
        "hier à {{TIME|11:40}}. Sur l'avis de passage il est écrit M. [[PERSON|Lahlou]], 2e étage. Sauf "
        "qu'il n'y a aucun [[PERSON|Lahlou]] dans mon immeuble, j'ai demandé à la gardienne, Mme "
        "[[PERSON|Ferreira]], qui connaît tout le monde. Commande n° {{ORDER_NUMBER|302 884 1170}}. "
        "Pouvez-vous ouvrir une enquête auprès du transporteur ? [[PERSON|Nadège Fontaine]], "
        "[[PHONE_NUMBER|06 71 28 44 93]]",
    ),
    (
        "ho-fr-chat-02",
        "Bonsoir, j'ai acheté une carte cadeau de {{PRICE|100,00 €}} pour l'anniversaire de ma belle-sœur, "
        "[[PERSON|Thuy Linh Pham]], et ma carte bancaire [[CREDIT_CARD|4044 3487 4399 1757]] a été débitée "
        "deux fois le {{DATE|12/10/2024}}. En plus, le code n'est jamais arrivé sur son adresse "
        "[[EMAIL_ADDRESS|thuylinh.pham@hotmail.fr]], elle a même vérifié les spams. Pouvez-vous renvoyer "
        "le code et annuler le second débit ? Merci d'avance, [[PERSON|Gwenaëlle Le Bihan]]",
    ),
    (
        "ho-fr-chat-03",
        "Ma trottinette {{PRODUCT|Xiaomi Electric Scooter 4 Pro}} ne démarre plus depuis la mise à jour du "
        "firmware {{VERSION|1.6.9}}. L'écran s'allume une seconde puis tout s'éteint. Elle a été achetée "
        "chez vous il y a huit mois, la référence de commande sur la facture est "
        "{{ORDER_NUMBER|5133 0842 7719 6604}}. Est-ce couvert par la garantie ? Je préfère un échange, je "
        "l'utilise tous les jours pour aller travailler.",
    ),
    (
        "ho-fr-crm-01",
        "Incident [[SALESFORCE_ID|5002E0000grCOX6QAO]] : Mme [[PERSON|Aïssatou Diallo]] signale deux "
        "commandes qu'elle n'a pas passées, {{ORDER_NUMBER|302990415}} et {{ORDER_NUMBER|302990482}}, "
        "livrées en point relais à Nanterre. Connexions depuis [[IP_ADDRESS|80.215.36.119]] alors qu'elle "
        "était en déplacement. Identité vérifiée par téléphone avec son numéro de sécurité sociale "
        "[[FR_NIR|2 87 05 99 427 819 76]]. Commandes annulées, mot de passe réinitialisé, carte retirée du "
        "compte. Traité par [[PERSON|Kévin Marchal]].",
    ),
    (
        "ho-fr-crm-02",
        "Compte B2B [[SALESFORCE_ID|001Qz0000EzViXZ]] : atelier de menuiserie à Mons, commande de "
        "{{QUANTITY|25 x 10 l}} de vernis marin. Numéro de TVA [[EU_VAT_ID|BE0401947115]] vérifié sur "
        "VIES, autoliquidation. Paiement par virement depuis [[IBAN_CODE|BE68 8408 6250 6634]], à 30 "
        "jours. Interlocuteur : M. [[PERSON|Ioannis Georgiou]], "
        "[[EMAIL_ADDRESS|i.georgiou@menuiserie-dufour.be]], [[PHONE_NUMBER|+32 470 18 22 64]] ; en son "
        "absence, son associé [[PERSON|Arnaud Lemaire-Wouters]]. Facture {{INVOICE_NUMBER|FA-2024-05127}}.",
    ),
    (
        "ho-fr-crm-03",
        "Dossier optique : Mme [[PERSON|Halina Dąbrowska]], née en Pologne, installée à Lyon depuis 1998. "
        "Pour le tiers payant elle a donné son NIR [[FR_NIR|2 69 12 99 122 259 13]], puis, par erreur, une "
        "copie de sa carte d'identité polonaise avec le PESEL [[PL_PESEL|69122238346]] ; copie supprimée. "
        "Son fils [[PERSON|Mateusz]] commande aussi des lentilles, n° de sécu "
        "[[FR_NIR|1 95 03 69 383 334 86]]. Envoi groupé, suivi {{TRACKING_NUMBER|6A24519900517}}.",
    ),
    (
        "ho-fr-crm-04",
        "Contestation bancaire reçue pour la commande {{ORDER_NUMBER|302771093}}, {{PRICE|689,00 €}}, "
        "motif « marchandise non reçue ». Titulaire : M. [[PERSON|Yannick Rakotomalala]], Mastercard "
        "[[CREDIT_CARD|2720 8604 1282 0989]]. Le transporteur a une signature au nom de "
        "[[PERSON|Fatoumata Keïta]], que le client dit ne pas connaître. Rappelé au "
        "[[PHONE_NUMBER|01 84 60 21 75]] : il retire la contestation si nous remboursons sur "
        "[[IBAN_CODE|FR38 2355 8694 9823 5950 2923 757]]. Validé par [[PERSON|Sandrine Okou]] "
        "(comptabilité).",
    ),
    (
        "ho-es-chat-01",
        "Hola, el repartidor dice que dejó mi paquete con la vecina del 3º B, doña "
        "[[PERSON|Encarnación Robles]], pero ella se fue al pueblo el viernes y no vuelve hasta final de "
        "mes. El seguimiento es {{TRACKING_NUMBER|PQ4F6P0723318490128004X}} y dentro va un regalo de "
        "cumpleaños. ¿Podéis pedir que lo devuelvan a la oficina de Correos? Para recogerlo allí me piden "
        "el DNI, que es el [[ES_NIF|75224547B]]. Mi móvil: [[PHONE_NUMBER|655 21 87 43]]. Gracias, "
        "[[PERSON|Rocío Benítez]]",
    ),
    (
        "ho-es-chat-02",
        "Buenas, compré dos tarjetas regalo de {{PRICE|25,00 €}} para mis sobrinos [[PERSON|Chidi]] y "
        "[[PERSON|Amarachi]], y solo ha llegado una al correo. Las pagué con mi American Express "
        "[[CREDIT_CARD|3706 198658 20962]], así que el cargo de las dos ya está hecho. Soy "
        "[[PERSON|Emeka Nwachukwu Ruiz]] y, como para la factura me pedíais documento, os dejo mi NIE: "
        "[[ES_NIE|Z7997287P]]. El pedido es el {{ORDER_NUMBER|ES-24-118730}}.",
    ),
    (
        "ho-es-chat-03",
        "¿Por qué no me han sumado los puntos del Club por la compra del {{DATE|3 de octubre}}? Fueron "
        "{{PRICE|156,40 €}}, pedido {{ORDER_NUMBER|71003894562}}. La app, versión {{VERSION|6.2.1}}, sigue "
        "mostrando el saldo antiguo y el ticket de la tienda dice que se acumularon. Tampoco entiendo si "
        "los puntos caducan al año o a los dos años, porque en la web pone una cosa y en las condiciones "
        "otra.",
    ),
    (
        "ho-es-chat-04",
        "Me han robado la cuenta. Anoche me llegó un aviso de inicio de sesión desde "
        "[[IP_ADDRESS|88.27.141.203]] y a los cinco minutos otro diciendo que el correo se había cambiado. "
        "Mi correo de siempre es [[EMAIL_ADDRESS|begona.urrutia@euskaltel.net]]. Ya no puedo entrar y "
        "tengo la tarjeta guardada en la cuenta. Soy la titular, [[PERSON|Begoña Urrutia Lasa]], DNI "
        "[[ES_NIF|48822611-M]]. Por favor, bloqueadla antes de que compren algo.",
    ),
    (
        "ho-es-crm-01",
        "Lead [[SALESFORCE_ID|00QDn0000f2mSJ5MAM]]: distribuidora de hostelería de Oporto que quiere "
        "comprar {{QUANTITY|300 x 1 l}} de desengrasante cada trimestre. NIF-IVA portugués "
        "[[EU_VAT_ID|PT598455043]], validado en VIES. Pagarán por transferencia desde "
        "[[IBAN_CODE|PT17 3409 0980 0231 7354 5372 2]]. Contacto: [[PERSON|João Pedro Gonçalves]], "
        "[[EMAIL_ADDRESS|jp.goncalves@hotelaria-norte.pt]]; la decisión final la toma su jefa, "
        "[[PERSON|Conceição Magalhães]]. Gestiona [[PERSON|Nerea Aldekoa]].",
    ),
    (
        "ho-es-crm-02",
        "Caso [[SALESFORCE_ID|5007Q000011XzWL]]: contracargo de {{PRICE|212,99 €}} por el pedido "
        "{{ORDER_NUMBER|#120556781}}. La titular, [[PERSON|Katarzyna Wójcik]], vive en Málaga con NIE "
        "[[ES_NIE|X4220120B]] y dice que no reconoce el cargo, aunque la entrega la firmó su pareja, "
        "[[PERSON|Iñaki Sarasola]]. Al enviar la documentación adjuntó también su PESEL "
        "[[PL_PESEL|91050657243]], que se ha eliminado. Llamarla al [[PHONE_NUMBER|+34 622 418 907]] antes "
        "de responder al banco.",
    ),
    (
        "ho-es-crm-03",
        "El Sr. [[PERSON|Thiago Nascimento]] (NIE [[ES_NIE|Y3314789C]]) pide cambiar la entrega del pedido "
        "{{ORDER_NUMBER|#120601263}}: en vez de su piso en {{POSTAL_CODE|41010}} Sevilla, lo recogerá su "
        "suegra, [[PERSON|Rosario Giménez Alba]], en Dos Hermanas. Para entregárselo a ella, la agencia "
        "pide su DNI: [[ES_NIF|97725817J]]. Confirmado por teléfono al [[PHONE_NUMBER|954 21 63 08]]; la "
        "factura sigue a nombre de él.",
    ),
    (
        "ho-it-chat-01",
        "Buongiorno, la lavatrice {{PRODUCT|Candy Smart Pro CO4 1072D3}} comprata da voi a marzo si blocca "
        "a metà ciclo con l'errore E21 e resta piena d'acqua. Dovrebbe essere ancora in garanzia. Il "
        "tecnico può venire di pomeriggio, dopo le {{TIME|15:30}}? Se l'intervento fosse a pagamento, la "
        "fattura va intestata a me, codice fiscale [[IT_FISCAL_CODE|RSSCML81H54F839M]]. Sono "
        "[[PERSON|Carmela Russo]], cellulare [[PHONE_NUMBER|348 221 7765]]. Grazie",
    ),
    (
        "ho-it-chat-02",
        "Salve, qualcuno è entrato nel mio account e ha usato tutti i miei punti fedeltà per comprare una "
        "gift card da {{PRICE|50 €}}, spedita a un indirizzo che non conosco. Nelle notifiche vedo un "
        "accesso da [[IP_ADDRESS|2001:b07:6470:9a2c::1f]] alle {{TIME|02:47}}. Ieri ho scritto in chat e "
        "[[PERSON|Martina]] mi ha detto di aspettare, ma intanto la gift card è stata usata. Il mio "
        "indirizzo è [[EMAIL_ADDRESS|nguyen.vanlong@libero.it]]. Anche mia moglie [[PERSON|Mai]] ha un "
        "account da voi, controllate anche il suo. [[PERSON|Nguyễn Văn Long]]",
    ),
    (
        "ho-it-chat-03",
        "Buonasera, ho due ordini aperti, il {{ORDER_NUMBER|#204117853}} e il "
        "{{ORDER_NUMBER|8300 214 766}}, e nessuno dei due risulta spedito dopo una settimana. Il primo "
        "contiene {{QUANTITY|6 x 750 ml}} di passata, il secondo solo una teglia. Potete unirli in "
        "un'unica spedizione? Abito in una zona di montagna, CAP {{POSTAL_CODE|38086}}, e il corriere "
        "passa solo il martedì e il venerdì.",
    ),
    (
        "ho-it-crm-01",
        "Opportunità [[SALESFORCE_ID|0063X0000Jhw7HdQQI]]: trattoria a Bari, fornitura mensile di "
        "{{QUANTITY|20 x 5 kg}} di semola rimacinata. Partita IVA [[EU_VAT_ID|IT98899200269]], CF del "
        "titolare [[IT_FISCAL_CODE|DPLNCL72P03A662G]] ([[PERSON|Nicola De Palma]]). Pagamento con bonifico "
        "da [[IBAN_CODE|IT20 L995 4730 9162 9527 4679 903]] a 60 giorni. Referente per le consegne il "
        "cuoco, [[PERSON|Oluwadamilare Ogunleye]], al [[PHONE_NUMBER|+39 080 523 1198]].",
    ),
    (
        "ho-it-crm-02",
        "Contestazione dell'addebito di {{PRICE|319,00 €}} sulla carta [[CREDIT_CARD|3566201727795399]] da "
        "parte della Sig.ra [[PERSON|Agata Kamińska]], ordine {{ORDER_NUMBER|#204093371}}. Dice che il "
        "pacco era vuoto; il magazzino conferma il peso in uscita. Per dimostrare l'identità ha mandato "
        "una foto del documento polacco con il PESEL [[PL_PESEL|79110337847]] in chiaro: foto cancellata. "
        "Chiesto il verbale al corriere. Gestito da [[PERSON|Giorgos Stavridis]].",
    ),
    (
        "ho-it-crm-03",
        "Nota di [[PERSON|Federica Colombo]]: la Sig.ra [[PERSON|Viorica Marinescu]] (contatto "
        "[[SALESFORCE_ID|003Ak00008MHpoK]]) chiede di intestare il contratto di assistenza della caldaia "
        "al figlio [[PERSON|Andrei]], che vive con lei a Padova. Codice fiscale del figlio "
        "[[IT_FISCAL_CODE|MRNNDR98A27Z129H]]; le comunicazioni vanno a "
        "[[EMAIL_ADDRESS|andrei.marinescu98@gmail.com]]. La prossima manutenzione resta fissata per il "
        "{{DATE|21/11/2024}}.",
    ),
    (
        "ho-it-crm-04",
        "Consegna del {{DATE|08/10/2024}} al punto vendita di Verona: il bancale con "
        "{{QUANTITY|48 x 6 pz}} di bicchieri (EAN {{EAN|8054355437822}}) è arrivato con tre cartoni "
        "schiacciati. Foto allegate al DDT {{INVOICE_NUMBER|DDT-2024-11873}}. Il corriere ha accettato la "
        "riserva scritta. Da riordinare solo i pezzi rotti; nessun addebito al cliente, il danno va "
        "contestato al vettore entro otto giorni.",
    ),
    (
        "ho-nl-chat-01",
        "Hoi, volgens de bezorger is mijn pakket ({{TRACKING_NUMBER|3SDEVC4471820}}) gisteren om "
        "{{TIME|16:05}} afgegeven bij de buren op nummer 17. Daar woont de familie [[PERSON|Çelik]], maar "
        "meneer [[PERSON|Çelik]] zegt dat er niks is aangekomen en zijn dochter [[PERSON|Elif]] was de "
        "hele middag thuis. Kunnen jullie bij PostNL navragen wie er getekend heeft? Ik ben te bereiken op "
        "[[PHONE_NUMBER|06 41 87 29 53]]. Groetjes, [[PERSON|Femke Terpstra]]",
    ),
    (
        "ho-nl-chat-02",
        "Hoi [[PERSON|Lotte]], ik heb een digitale cadeaukaart van {{PRICE|€ 75,00}} gekocht voor mijn "
        "collega [[PERSON|Ayodele Bakare]], die met pensioen gaat, maar de code wordt bij het afrekenen "
        "geweigerd. Bestelnummer {{ORDER_NUMBER|NL-2024-338172}}. Als het niet vóór vrijdag opgelost is, "
        "wil ik het geld graag terug op [[IBAN_CODE|NL32 ABNA 0405 6015 07]] t.n.v. "
        "[[PERSON|Wouter Hendriks]]. Reageren kan via [[EMAIL_ADDRESS|w.hendriks@kpnplanet.nl]].",
    ),
    (
        "ho-nl-chat-03",
        "Mijn {{PRODUCT|Sony WH-1000XM5}} koptelefoon laadt niet meer op, het lampje knippert alleen rood. "
        "Gekocht in februari, dus nog ruim binnen de garantie. Het ordernummer op de pakbon is "
        "{{ORDER_NUMBER|6250 1183 9047 2261}}, de barcode op de doos {{EAN|8719836666039}}. Moet ik hem "
        "zelf opsturen of kan ik hem afgeven in de winkel in Utrecht? En krijg ik een vervangend exemplaar "
        "zolang hij in reparatie is?",
    ),
    (
        "ho-nl-crm-01",
        "Zaak [[SALESFORCE_ID|500Wp0000OcVwWBIQ0]]: account van Mevr. [[PERSON|Priscilla Amponsah]] "
        "overgenomen. Inlog vanaf [[IP_ADDRESS|94.214.36.188]], daarna e-mailadres gewijzigd en "
        "spaarpunten ({{QUANTITY|4.250 punten}}) omgezet in een cadeaukaart. Klant geverifieerd via haar "
        "burgerservicenummer [[NL_BSN|199677505]] (niet opgeslagen). Punten teruggezet, cadeaukaart "
        "geblokkeerd, oud adres [[EMAIL_ADDRESS|p.amponsah@hotmail.nl]] hersteld. Behandeld door "
        "[[PERSON|Sem de Groot]].",
    ),
    (
        "ho-nl-crm-02",
        "Lead [[SALESFORCE_ID|00Q6F0000ya8cdF]]: bloemist met drie winkels in Aalst en Gent wil zakelijk "
        "bestellen, eerste order {{QUANTITY|60 x 12 st}} glazen vazen. Btw-nummer "
        "[[EU_VAT_ID|BE0520531989]] gecontroleerd in VIES. Contactpersoon is de eigenaar, "
        "[[PERSON|Lieve Vandamme]], [[EMAIL_ADDRESS|lieve@bloemen-vandamme.be]], "
        "[[PHONE_NUMBER|+32 9 224 18 30]]. Haar zoon [[PERSON|Jens]] doet de boekhouding. Offerte "
        "{{INVOICE_NUMBER|OFF-2024-0417}} verstuurd.",
    ),
    (
        "ho-nl-crm-03",
        "Aanvraag achteraf betalen van Dhr. [[PERSON|Kacper Grabowski]], woont sinds 2019 in Tilburg. Hij "
        "stuurde ongevraagd een scan van zijn Poolse paspoort mee met PESEL [[PL_PESEL|01291495216]] en "
        "vulde in het formulier zijn BSN [[NL_BSN|595494055]] in; zijn vriendin [[PERSON|Esmée Koster]] "
        "deed hetzelfde met BSN [[NL_BSN|4595.93.468]]. Alle scans verwijderd, aanvraag goedgekeurd voor "
        "{{PRICE|€ 640,00}}. Bevestiging per sms naar [[PHONE_NUMBER|+31 6 22197740]].",
    ),
    (
        "ho-nl-crm-04",
        "Chargeback ontvangen op de American Express [[CREDIT_CARD|3459 808137 70960]] van Dhr. "
        "[[PERSON|Rahul Bhattacharya]] (contact [[SALESFORCE_ID|0030b00000f6YYIAA2]]) voor bestelling "
        "{{ORDER_NUMBER|118640219}}. Volgens hem heeft zijn zoon [[PERSON|Arjun]] de gameconsole zonder "
        "toestemming besteld. Terugbetalen kan pas als het pakket retour is; klant teruggebeld op "
        "[[PHONE_NUMBER|020 412 7733]] en retourlabel gemaild. Notitie: [[PERSON|Marloes Wijnberg]]",
    ),
)


def _language_and_kind(record_id: str) -> tuple[str, str]:
    _, language, kind, _ = record_id.split("-")
    return language, "crm_note" if kind == "crm" else kind


@functools.lru_cache(maxsize=1)
def _holdout() -> tuple[LabelledText, ...]:
    return tuple(parse(record_id, *_language_and_kind(record_id), marked) for record_id, marked in _RECORDS)


def load_holdout() -> list[LabelledText]:
    """Every record of the held-out corpus, parsed (once per process)."""
    return list(_holdout())
