"""Country and jurisdiction codes that may appear in a data-origin tag or a region policy."""

from __future__ import annotations

# ISO 3166-1 alpha-2, officially assigned codes (249). A test cross-checks this list against pycountry.
ISO_3166_ALPHA2: frozenset[str] = frozenset(
    """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ
    BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ
    CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ
    DE DJ DK DM DO DZ
    EC EE EG EH ER ES ET
    FI FJ FK FM FO FR
    GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY
    HK HM HN HR HT HU
    ID IE IL IM IN IO IQ IR IS IT
    JE JM JO JP
    KE KG KH KI KM KN KP KR KW KY KZ
    LA LB LC LI LK LR LS LT LU LV LY
    MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ
    NA NC NE NF NG NI NL NO NP NR NU NZ
    OM
    PA PE PF PG PH PK PL PM PN PR PS PT PW PY
    QA
    RE RO RS RU RW
    SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ
    TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ
    UA UG UM US UY UZ
    VA VC VE VG VI VN VU
    WF WS
    YE YT
    ZA ZM ZW
    """.split()
)

# Codes that name a jurisdiction rather than one country: data known to come from "somewhere in the EU".
JURISDICTION_CODES: frozenset[str] = frozenset({"EU", "EEA"})

EU_MEMBER_STATES: frozenset[str] = frozenset(
    "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE".split()
)
EEA_MEMBER_STATES: frozenset[str] = EU_MEMBER_STATES | {"IS", "LI", "NO"}

# Look-alikes people type by habit; the error message suggests the ISO code instead.
COMMON_MISTAKES: dict[str, str] = {"UK": "GB", "EL": "GR"}

KNOWN_CODES: frozenset[str] = ISO_3166_ALPHA2 | JURISDICTION_CODES


def describe_unknown(code: str) -> str:
    """Why `code` (already upper-cased) is not a known code, with a hint where there is one."""
    hint = COMMON_MISTAKES.get(code)
    suffix = f" (did you mean {hint!r}?)" if hint else ""
    return f"{code!r} is not an ISO 3166-1 alpha-2 country code or a jurisdiction code (EU, EEA){suffix}"
