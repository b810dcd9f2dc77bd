"""Country and region codes: ISO 3166-1 alpha-2 from the spellings orders really carry.

A leaf (standard library only). The table is ISO 3166-1 as published (alpha-2, alpha-3, short
English name; 249 entries), plus Kosovo's user-assigned ``XK`` (which carriers use), common
names that marketplaces and buyers type ("United States", "UK", "UAE", "Russia", "Holland" ...),
and the US state and Canadian province names with their postal abbreviations. A code is never
cut: a value that cannot be read is reported as such by the caller, never shortened into
another country.
"""

import re
import unicodedata
from collections.abc import Mapping
from typing import Final

__all__ = ["ALPHA2", "country_alpha2", "region_code"]

# alpha-2, alpha-3, ISO 3166-1 English short name (lukes/ISO-3166-Countries-with-Regional-Codes).
_ISO: Final = """\
AD AND Andorra
AE ARE United Arab Emirates
AF AFG Afghanistan
AG ATG Antigua and Barbuda
AI AIA Anguilla
AL ALB Albania
AM ARM Armenia
AO AGO Angola
AQ ATA Antarctica
AR ARG Argentina
AS ASM American Samoa
AT AUT Austria
AU AUS Australia
AW ABW Aruba
AX ALA Åland Islands
AZ AZE Azerbaijan
BA BIH Bosnia and Herzegovina
BB BRB Barbados
BD BGD Bangladesh
BE BEL Belgium
BF BFA Burkina Faso
BG BGR Bulgaria
BH BHR Bahrain
BI BDI Burundi
BJ BEN Benin
BL BLM Saint Barthélemy
BM BMU Bermuda
BN BRN Brunei Darussalam
BO BOL Bolivia (Plurinational State of)
BQ BES Bonaire, Sint Eustatius and Saba
BR BRA Brazil
BS BHS Bahamas
BT BTN Bhutan
BV BVT Bouvet Island
BW BWA Botswana
BY BLR Belarus
BZ BLZ Belize
CA CAN Canada
CC CCK Cocos (Keeling) Islands
CD COD Congo, Democratic Republic of the
CF CAF Central African Republic
CG COG Congo
CH CHE Switzerland
CI CIV Côte d'Ivoire
CK COK Cook Islands
CL CHL Chile
CM CMR Cameroon
CN CHN China
CO COL Colombia
CR CRI Costa Rica
CU CUB Cuba
CV CPV Cabo Verde
CW CUW Curaçao
CX CXR Christmas Island
CY CYP Cyprus
CZ CZE Czechia
DE DEU Germany
DJ DJI Djibouti
DK DNK Denmark
DM DMA Dominica
DO DOM Dominican Republic
DZ DZA Algeria
EC ECU Ecuador
EE EST Estonia
EG EGY Egypt
EH ESH Western Sahara
ER ERI Eritrea
ES ESP Spain
ET ETH Ethiopia
FI FIN Finland
FJ FJI Fiji
FK FLK Falkland Islands (Malvinas)
FM FSM Micronesia (Federated States of)
FO FRO Faroe Islands
FR FRA France
GA GAB Gabon
GB GBR United Kingdom of Great Britain and Northern Ireland
GD GRD Grenada
GE GEO Georgia
GF GUF French Guiana
GG GGY Guernsey
GH GHA Ghana
GI GIB Gibraltar
GL GRL Greenland
GM GMB Gambia
GN GIN Guinea
GP GLP Guadeloupe
GQ GNQ Equatorial Guinea
GR GRC Greece
GS SGS South Georgia and the South Sandwich Islands
GT GTM Guatemala
GU GUM Guam
GW GNB Guinea-Bissau
GY GUY Guyana
HK HKG Hong Kong
HM HMD Heard Island and McDonald Islands
HN HND Honduras
HR HRV Croatia
HT HTI Haiti
HU HUN Hungary
ID IDN Indonesia
IE IRL Ireland
IL ISR Israel
IM IMN Isle of Man
IN IND India
IO IOT British Indian Ocean Territory
IQ IRQ Iraq
IR IRN Iran (Islamic Republic of)
IS ISL Iceland
IT ITA Italy
JE JEY Jersey
JM JAM Jamaica
JO JOR Jordan
JP JPN Japan
KE KEN Kenya
KG KGZ Kyrgyzstan
KH KHM Cambodia
KI KIR Kiribati
KM COM Comoros
KN KNA Saint Kitts and Nevis
KP PRK Korea (Democratic People's Republic of)
KR KOR Korea, Republic of
KW KWT Kuwait
KY CYM Cayman Islands
KZ KAZ Kazakhstan
LA LAO Lao People's Democratic Republic
LB LBN Lebanon
LC LCA Saint Lucia
LI LIE Liechtenstein
LK LKA Sri Lanka
LR LBR Liberia
LS LSO Lesotho
LT LTU Lithuania
LU LUX Luxembourg
LV LVA Latvia
LY LBY Libya
MA MAR Morocco
MC MCO Monaco
MD MDA Moldova, Republic of
ME MNE Montenegro
MF MAF Saint Martin (French part)
MG MDG Madagascar
MH MHL Marshall Islands
MK MKD North Macedonia
ML MLI Mali
MM MMR Myanmar
MN MNG Mongolia
MO MAC Macao
MP MNP Northern Mariana Islands
MQ MTQ Martinique
MR MRT Mauritania
MS MSR Montserrat
MT MLT Malta
MU MUS Mauritius
MV MDV Maldives
MW MWI Malawi
MX MEX Mexico
MY MYS Malaysia
MZ MOZ Mozambique
NA NAM Namibia
NC NCL New Caledonia
NE NER Niger
NF NFK Norfolk Island
NG NGA Nigeria
NI NIC Nicaragua
NL NLD Netherlands
NO NOR Norway
NP NPL Nepal
NR NRU Nauru
NU NIU Niue
NZ NZL New Zealand
OM OMN Oman
PA PAN Panama
PE PER Peru
PF PYF French Polynesia
PG PNG Papua New Guinea
PH PHL Philippines
PK PAK Pakistan
PL POL Poland
PM SPM Saint Pierre and Miquelon
PN PCN Pitcairn
PR PRI Puerto Rico
PS PSE Palestine, State of
PT PRT Portugal
PW PLW Palau
PY PRY Paraguay
QA QAT Qatar
RE REU Réunion
RO ROU Romania
RS SRB Serbia
RU RUS Russian Federation
RW RWA Rwanda
SA SAU Saudi Arabia
SB SLB Solomon Islands
SC SYC Seychelles
SD SDN Sudan
SE SWE Sweden
SG SGP Singapore
SH SHN Saint Helena, Ascension and Tristan da Cunha
SI SVN Slovenia
SJ SJM Svalbard and Jan Mayen
SK SVK Slovakia
SL SLE Sierra Leone
SM SMR San Marino
SN SEN Senegal
SO SOM Somalia
SR SUR Suriname
SS SSD South Sudan
ST STP Sao Tome and Principe
SV SLV El Salvador
SX SXM Sint Maarten (Dutch part)
SY SYR Syrian Arab Republic
SZ SWZ Eswatini
TC TCA Turks and Caicos Islands
TD TCD Chad
TF ATF French Southern Territories
TG TGO Togo
TH THA Thailand
TJ TJK Tajikistan
TK TKL Tokelau
TL TLS Timor-Leste
TM TKM Turkmenistan
TN TUN Tunisia
TO TON Tonga
TR TUR Turkey
TT TTO Trinidad and Tobago
TV TUV Tuvalu
TW TWN Taiwan, Province of China
TZ TZA Tanzania, United Republic of
UA UKR Ukraine
UG UGA Uganda
UM UMI United States Minor Outlying Islands
US USA United States of America
UY URY Uruguay
UZ UZB Uzbekistan
VA VAT Holy See
VC VCT Saint Vincent and the Grenadines
VE VEN Venezuela (Bolivarian Republic of)
VG VGB Virgin Islands (British)
VI VIR Virgin Islands (U.S.)
VN VNM Viet Nam
VU VUT Vanuatu
WF WLF Wallis and Futuna
WS WSM Samoa
YE YEM Yemen
YT MYT Mayotte
ZA ZAF South Africa
ZM ZMB Zambia
ZW ZWE Zimbabwe
"""

#: Names buyers and marketplaces use that are not the ISO short name.
#: Codes outside ISO 3166-1 that carriers and marketplaces use: Kosovo's user-assigned XK
#: (UPS, FedEx, DHL, USPS and the EU use it).
_USER_ASSIGNED: Final = "XK XKX Kosovo"

_COMMON: Final[Mapping[str, str]] = {
    "uae": "AE",
    "u a e": "AE",
    "emirates": "AE",
    "united states": "US",
    "usa": "US",
    "us": "US",
    "u s a": "US",
    "u s": "US",
    "america": "US",
    "united states america": "US",
    "estados unidos": "US",
    "uk": "GB",
    "united kingdom": "GB",
    "great britain": "GB",
    "britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
    "russia": "RU",
    "south korea": "KR",
    "korea": "KR",
    "republic of korea": "KR",
    "north korea": "KP",
    "iran": "IR",
    "syria": "SY",
    "vietnam": "VN",
    "laos": "LA",
    "bolivia": "BO",
    "venezuela": "VE",
    "tanzania": "TZ",
    "taiwan": "TW",
    "moldova": "MD",
    "macedonia": "MK",
    "czech republic": "CZ",
    "swaziland": "SZ",
    "ivory coast": "CI",
    "holland": "NL",
    "brunei": "BN",
    "cape verde": "CV",
    "micronesia": "FM",
    "palestine": "PS",
    "vatican": "VA",
    "vatican city": "VA",
    "falkland islands": "FK",
    "macau": "MO",
    "turkiye": "TR",
    "burma": "MM",
    "east timor": "TL",
    "democratic republic of the congo": "CD",
    "dr congo": "CD",
    "republic of the congo": "CG",
    "deutschland": "DE",
    "espana": "ES",
    "osterreich": "AT",
    "schweiz": "CH",
    "suisse": "CH",
    "nederland": "NL",
    "italia": "IT",
    "mexique": "MX",
    "us virgin islands": "VI",
    "british virgin islands": "VG",
    "saint martin": "MF",
    "sint maarten": "SX",
    "reunion": "RE",
    "curacao": "CW",
}

_US: Final = """\
AL Alabama;AK Alaska;AZ Arizona;AR Arkansas;CA California;CO Colorado;CT Connecticut;DE Delaware
DC District of Columbia;FL Florida;GA Georgia;HI Hawaii;ID Idaho;IL Illinois;IN Indiana;IA Iowa
KS Kansas;KY Kentucky;LA Louisiana;ME Maine;MD Maryland;MA Massachusetts;MI Michigan
MN Minnesota;MS Mississippi;MO Missouri;MT Montana;NE Nebraska;NV Nevada;NH New Hampshire
NJ New Jersey;NM New Mexico;NY New York;NC North Carolina;ND North Dakota;OH Ohio;OK Oklahoma
OR Oregon;PA Pennsylvania;RI Rhode Island;SC South Carolina;SD South Dakota;TN Tennessee
TX Texas;UT Utah;VT Vermont;VA Virginia;WA Washington;WV West Virginia;WI Wisconsin;WY Wyoming
AS American Samoa;GU Guam;MP Northern Mariana Islands;PR Puerto Rico;VI Virgin Islands
UM United States Minor Outlying Islands;AA Armed Forces Americas;AE Armed Forces Europe
AP Armed Forces Pacific"""

_CA: Final = """\
AB Alberta;BC British Columbia;MB Manitoba;NB New Brunswick;NL Newfoundland and Labrador
NS Nova Scotia;NT Northwest Territories;NU Nunavut;ON Ontario;PE Prince Edward Island
QC Quebec;SK Saskatchewan;YT Yukon"""

_PUNCTUATION: Final = re.compile(r"[^a-z0-9]+")


def _key(text: str) -> str:
    """Compare names without case, accents, punctuation or a leading "the"."""
    decomposed = unicodedata.normalize("NFKD", text.lower().replace("&", " and "))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    words = _PUNCTUATION.sub(" ", plain).split()
    if words[:1] == ["the"]:
        words = words[1:]
    if words[:1] == ["st"]:  # "St. Lucia"
        words = ["saint", *words[1:]]
    return " ".join(words)


def _build() -> tuple[frozenset[str], dict[str, str], dict[str, str]]:
    alpha2: set[str] = set()
    alpha3: dict[str, str] = {}
    names: dict[str, str] = {}
    for line in [*_ISO.splitlines(), _USER_ASSIGNED]:
        two, three, name = line.split(" ", 2)
        alpha2.add(two)
        alpha3[three] = two
        names[_key(name)] = two
        short = re.sub(r"\s*\(.*?\)", "", name)  # "Iran (Islamic Republic of)" -> "Iran"
        names.setdefault(_key(short), two)
    for name, two in _COMMON.items():
        names[_key(name)] = two
    return frozenset(alpha2), alpha3, names


def _regions(table: str) -> dict[str, str]:
    regions: dict[str, str] = {}
    for entry in table.replace("\n", ";").split(";"):
        code, name = entry.split(" ", 1)
        regions[code] = code
        regions[_key(name)] = code
    return regions


_BUILT: Final = _build()
#: Every ISO 3166-1 alpha-2 code, and Kosovo's user-assigned ``XK``.
ALPHA2: Final[frozenset[str]] = _BUILT[0]
_ALPHA3: Final = _BUILT[1]
_NAMES: Final = _BUILT[2]
_REGIONS: Final[Mapping[str, Mapping[str, str]]] = {"US": _regions(_US), "CA": _regions(_CA)}


def country_alpha2(text: str | None) -> str | None:
    """Return the ISO alpha-2 code that *text* means, or ``None`` when it cannot be read.

    Reads alpha-2 (any case, surrounding space), alpha-3, the ISO short name and common names.
    ``"UK"`` is ISO's exceptionally reserved code for ``"GB"``.

    >>> country_alpha2(" us"), country_alpha2("AUT"), country_alpha2("United States of America")
    ('US', 'AT', 'US')
    >>> country_alpha2("Atlantis") is None
    True
    """
    if text is None:
        return None
    stripped = text.strip()
    upper = stripped.upper()
    if len(upper) == 2 and upper in ALPHA2:
        return upper
    if len(upper) == 3 and upper in _ALPHA3:
        return _ALPHA3[upper]
    key = _key(stripped)
    return _NAMES.get(key) if key else None


def region_code(country: str | None, text: str | None) -> str | None:
    """Return the postal abbreviation of a US state or Canadian province, else *text* stripped.

    Only names and codes of *country* (alpha-2) are converted; anything else is kept as given
    (never cut, never guessed).

    >>> region_code("US", "california"), region_code("CA", "Québec"), region_code("DE", "Bayern")
    ('CA', 'QC', 'Bayern')
    """
    if text is None:
        return None
    stripped = text.strip()
    regions = _REGIONS.get(country or "")
    if regions is None or not stripped:
        return stripped or None
    return regions.get(stripped.upper()) or regions.get(_key(stripped)) or stripped
