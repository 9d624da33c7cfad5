"""Fictional people: Members of Parliament, the critic persona, and account names.

Every person here is invented. The simulated comments accuse the MPs of crimes, so no
name may belong to a real politician or commentator: the MPs carry rare, mostly
double-barrelled surnames, and the critic persona is a made-up name. Parties,
provinces and cities are real (they are not people).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import numpy as np

#: The fictional Chinese-speaking critic whom the campaign's comments cite.
CRITIC_NAME_EN = "Bai Jingtao"
CRITIC_NAME_ZH = "白敬涛"
CRITIC_CHANNEL = "Jingtao Talks"


@dataclass(frozen=True)
class MP:
    """One fictional Member of Parliament.

    Attributes:
        first, last: names (fictional).
        gender: ``"f"`` or ``"m"`` (used for French agreement only).
        party: one of :data:`PARTIES`.
        province: two-letter code, a key of :data:`PROVINCES`.
        prominence: relative weight with which people reply to this MP (leaders ≫ backbenchers).
        title: ``"Prime Minister"``, ``"Leader of the Opposition"``, ``"party leader"``, ``"minister"`` or ``""``.
    """

    first: str
    last: str
    gender: str
    party: str
    province: str
    prominence: float
    title: str = ""

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"


PARTIES = ["Liberal", "Conservative", "NDP", "Bloc Québécois", "Green"]

#: code -> (English name, French name, summer UTC offset in hours, population weight, cities)
PROVINCES: dict[str, tuple[str, str, float, float, list[str]]] = {
    "ON": ("Ontario", "l'Ontario", -4.0, 38.5, ["Toronto", "Ottawa", "Hamilton", "London", "Kitchener", "Sudbury", "Kingston", "Thunder Bay", "Windsor", "Barrie"]),
    "QC": ("Quebec", "le Québec", -4.0, 24.0, ["Montréal", "Québec", "Laval", "Gatineau", "Sherbrooke", "Trois-Rivières", "Saguenay", "Rimouski", "Longueuil"]),
    "BC": ("British Columbia", "la Colombie-Britannique", -7.0, 13.5, ["Vancouver", "Victoria", "Surrey", "Burnaby", "Kelowna", "Richmond", "Nanaimo", "Kamloops"]),
    "AB": ("Alberta", "l'Alberta", -6.0, 11.5, ["Calgary", "Edmonton", "Red Deer", "Lethbridge", "Medicine Hat", "Grande Prairie"]),
    "MB": ("Manitoba", "le Manitoba", -5.0, 3.6, ["Winnipeg", "Brandon", "Steinbach", "Thompson"]),
    "SK": ("Saskatchewan", "la Saskatchewan", -6.0, 3.0, ["Saskatoon", "Regina", "Prince Albert", "Moose Jaw"]),
    "NS": ("Nova Scotia", "la Nouvelle-Écosse", -3.0, 2.6, ["Halifax", "Dartmouth", "Sydney", "Truro"]),
    "NB": ("New Brunswick", "le Nouveau-Brunswick", -3.0, 2.1, ["Moncton", "Saint John", "Fredericton", "Bathurst", "Edmundston"]),
    "NL": ("Newfoundland and Labrador", "Terre-Neuve-et-Labrador", -2.5, 1.3, ["St. John's", "Corner Brook", "Gander", "Mount Pearl"]),
    "PE": ("Prince Edward Island", "l'Île-du-Prince-Édouard", -3.0, 0.45, ["Charlottetown", "Summerside", "Montague"]),
    "YT": ("Yukon", "le Yukon", -7.0, 0.12, ["Whitehorse", "Dawson City", "Watson Lake"]),
    "NT": ("Northwest Territories", "les Territoires du Nord-Ouest", -6.0, 0.12, ["Yellowknife", "Inuvik", "Hay River"]),
    "NU": ("Nunavut", "le Nunavut", -4.0, 0.1, ["Iqaluit", "Rankin Inlet", "Cambridge Bay"]),
}

#: Share of French speakers among people posting from each province.
FRENCH_SHARE = {"QC": 0.86, "NB": 0.33, "ON": 0.05, "MB": 0.03, "NS": 0.03, "PE": 0.03, "NT": 0.02, "YT": 0.03, "NU": 0.02,
                "AB": 0.02, "BC": 0.02, "SK": 0.015, "NL": 0.01}

# Fictional MPs: 20 Liberal, 15 Conservative, 7 NDP, 6 Bloc Québécois, 2 Green; all 13 provinces/territories.
MPS: list[MP] = [
    MP("Adrian", "Halloway", "m", "Liberal", "ON", 14.0, "Prime Minister"),
    MP("Naomi", "Castellane", "f", "Liberal", "ON", 4.0, "minister"),
    MP("Ravi", "Oberlin", "m", "Liberal", "ON", 1.5),
    MP("Teresa", "Balmoral", "f", "Conservative", "ON", 1.5),
    MP("Gideon", "Ashcroft-Mills", "m", "Conservative", "ON", 2.5),
    MP("Miriam", "Osei-Landry", "f", "NDP", "ON", 1.5),
    MP("Colin", "Pemberton-Hale", "m", "Liberal", "ON", 1.0),
    MP("Farah", "Delacourt", "f", "Liberal", "ON", 3.5, "minister"),
    MP("Owen", "Strathmore", "m", "Conservative", "ON", 1.0),
    MP("Julia", "Kowalczyk-Brandt", "f", "Conservative", "ON", 1.0),
    MP("Samir", "Haddadin-Ross", "m", "Liberal", "ON", 1.0),
    MP("Elaine", "Whitlock-Amari", "f", "NDP", "ON", 1.0),
    MP("Victor", "Nakamura-Bell", "m", "Conservative", "ON", 1.0),
    MP("Grace", "Abernathy-Lowe", "f", "Liberal", "ON", 1.0),
    MP("Tobias", "Renwick-Shaw", "m", "Green", "ON", 1.5),
    MP("Mathieu", "Lavallière-Dion", "m", "Bloc Québécois", "QC", 4.5, "party leader"),
    MP("Élise", "Beauchesne-Roy", "f", "Liberal", "QC", 3.5, "minister"),
    MP("Sylvain", "Thériault-Morin", "m", "Bloc Québécois", "QC", 1.0),
    MP("Annick", "Desrosiers-Lapointe", "f", "Bloc Québécois", "QC", 1.0),
    MP("Jean-Philippe", "Morency-Vachon", "m", "Liberal", "QC", 1.5),
    MP("Isabelle", "Caron-Dufresne", "f", "Bloc Québécois", "QC", 1.0),
    MP("Karim", "Benali-Gagnon", "m", "Liberal", "QC", 1.0),
    MP("Véronique", "Pellerin-Ouimet", "f", "Conservative", "QC", 1.0),
    MP("Luc", "Brassard-Hébert", "m", "Bloc Québécois", "QC", 1.0),
    MP("Nathalie", "Girouard-Simard", "f", "NDP", "QC", 1.0),
    MP("François", "Lemieux-Tanguay", "m", "Bloc Québécois", "QC", 1.0),
    MP("Harriet", "Langford-Yee", "f", "Green", "BC", 2.5, "party leader"),
    MP("Declan", "Ferris-Oduya", "m", "NDP", "BC", 5.0, "party leader"),
    MP("Meera", "Sandhu-Wells", "f", "NDP", "BC", 1.0),
    MP("Graham", "Tolliver", "m", "Conservative", "BC", 1.5),
    MP("Wendy", "Achterberg", "f", "Liberal", "BC", 1.0),
    MP("Patrick", "Yeung-Farrell", "m", "Conservative", "BC", 1.0),
    MP("Lorna", "Tseng-McAllister", "f", "Liberal", "BC", 3.0, "minister"),
    MP("Russell", "Kincaid-Moore", "m", "Conservative", "AB", 10.0, "Leader of the Opposition"),
    MP("Danielle", "Voss-Harrington", "f", "Conservative", "AB", 2.0),
    MP("Brent", "Ostrowski-Lamb", "m", "Conservative", "AB", 1.0),
    MP("Amira", "Lakhani-Stone", "f", "Liberal", "AB", 1.0),
    MP("Wade", "Henshaw-Cole", "m", "NDP", "AB", 1.0),
    MP("Celeste", "Dubroy-Malik", "f", "Liberal", "MB", 1.0),
    MP("Garrett", "Fenwick-Orr", "m", "Conservative", "MB", 1.0),
    MP("Ingrid", "Solberg-Hart", "f", "Conservative", "SK", 1.0),
    MP("Marcus", "Bellweather", "m", "Conservative", "SK", 1.0),
    MP("Fiona", "MacCrimmon-Lee", "f", "Liberal", "NS", 1.0),
    MP("Neil", "Aucoin-Fraser", "m", "Conservative", "NS", 1.0),
    MP("Chantal", "Arsenault-Doiron", "f", "Liberal", "NB", 1.0),
    MP("Brendan", "Cadigan-Walsh", "m", "Liberal", "NL", 1.0),
    MP("Heather", "Gallant-MacIsaac", "f", "Liberal", "PE", 1.0),
    MP("Tessa", "Dawlish-Grant", "f", "Liberal", "YT", 1.0),
    MP("Raymond", "Sable-Drury", "m", "Liberal", "NT", 1.0),
    MP("Leah", "Qavvik-Morrow", "f", "NDP", "NU", 1.0),
]


def ascii_fold(text: str) -> str:
    """``"Élise Lavallière"`` -> ``"Elise Lavalliere"`` (strip accents)."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def alnum(text: str) -> str:
    """Letters and digits only, accents stripped."""
    return re.sub(r"[^A-Za-z0-9]", "", ascii_fold(text))


def mp_x_handle(mp: MP) -> str:
    """The MP's X username: initial + first part of the surname + ``MP`` (≤ 15 characters)."""
    last = alnum(mp.last.split("-")[0])[:11]
    return f"{alnum(mp.first)[0]}{last}MP"


def mp_facebook_handle(mp: MP) -> str:
    """The MP's Facebook page vanity name, e.g. ``AdrianHallowayMP``."""
    return f"{alnum(mp.first)}{alnum(mp.last)}MP"


# -- name banks for ordinary accounts --------------------------------------------------------
FIRST_EN = """James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara Richard Susan
Joseph Jessica Thomas Sarah Charles Karen Christopher Lisa Daniel Nancy Matthew Betty Anthony Sandra Mark Ashley
Donald Kimberly Steven Emily Paul Donna Andrew Michelle Joshua Carol Kenneth Amanda Kevin Melissa Brian Deborah
George Stephanie Timothy Rebecca Ryan Sharon Jason Laura Jeff Cynthia Gary Kathleen Nicholas Amy Eric Angela
Jonathan Shirley Stephen Brenda Larry Emma Justin Anna Scott Pamela Brandon Nicole Benjamin Samantha Sam Katherine
Gregory Christine Alexander Debra Frank Rachel Patrick Carolyn Raymond Janet Jack Maria Dennis Olivia Jerry Heather
Tyler Helen Aaron Catherine Liam Chloe Noah Ava Ethan Mia Logan Zoe Owen Hannah Lucas Grace Caleb Abigail Connor Megan""".split()

LAST_EN = """Smith Brown Tremblay Martin Roy Wilson MacDonald Taylor Campbell Anderson Jones Leblanc Johnson Williams
White Thompson Young Scott Moore Stewart Miller Murphy Clark Walker Robinson Wright Ross Reid Mitchell King Harris
Baker Hall Allen Green Lewis Evans Hill Ward Wood Graham Cooper Kelly Bennett Morgan Turner Parker Collins Hughes
Edwards Watson Fraser Cameron Henderson Morrison Hamilton Grant Murray Ferguson Sutherland Burns Kennedy Gibson
Patel Singh Sharma Chen Wong Li Nguyen Kim Lee Santos Reyes Garcia Rodriguez Khan Ali Hussain Ahmed Gill Dhillon
Ivanov Kowalski Novak Schmidt Muller Rossi Romano Bianchi Costa Silva Pereira Haddad Nasser Okafor Mensah Boateng
Yamamoto Sato Park Choi Zhang Wang Liu Huang Lin Tran Pham Cruz Flores Ramos Morales Ortiz Jensen Larsen Olsen""".split()

FIRST_FR = """Jean Marie Luc Sophie Pierre Julie Marc Isabelle Michel Nathalie Sylvain Chantal Daniel Caroline Éric
Mélanie Stéphane Geneviève Mathieu Valérie Louis Catherine François Annie Martin Josée Simon Émilie Philippe
Karine Guillaume Marie-Ève Alexandre Audrey Nicolas Véronique Benoît Mylène Olivier Sandrine Jacques Lucie Yves
Manon Denis Hélène Gabriel Léa Samuel Camille Félix Chloé Antoine Rosalie Maxime Justine Vincent Noémie Raphaël""".split()

LAST_FR = """Tremblay Gagnon Roy Côté Bouchard Gauthier Morin Lavoie Fortin Gagné Ouellet Pelletier Bélanger Lévesque
Bergeron Leblanc Paquette Girard Simard Boucher Caron Beaulieu Cloutier Dubé Poirier Fournier Lapointe Leclerc
Lefebvre Poulin Thibault St-Pierre Nadeau Martel Gilbert Hébert Lemieux Vachon Bérubé Proulx Desjardins Savard
Grenier Champagne Lacroix Ménard Dufour Roussel Boivin Mercier Dionne Charron Arsenault Cormier Landry Thériault""".split()

WESTERN_FIRST = """Zoe Heidi Angelica Karen Will John Carol Camila Connie Mavis Etta Alix Belle Jasmyn Linda Emily
Grace Amber Holly Nina Ruby Stella Ivy Daisy Hazel Lucy Ella Leah Sadie Jenny Megan Anna Rose Tina Fiona Joan
Kevin Peter Henry Frank Oscar Victor Felix Leon Hugo Mason Ethan Aaron Dylan Eric Gavin Ivan Lewis Miles Noel""".split()

WESTERN_LAST = """Rich Davis Ma Rea Creel Salazar Mouton Russell Jackson Garcia Toney Harper Turner Coleman Brooks Price
Bennett Wood Barnes Ross Hayes Myers Ford Hamilton Graham Sullivan Wallace West Cole Jordan Reynolds Fisher Ellis
Harrison Gibson Mcdonald Cruz Marshall Owens Gomez Murray Freeman Wells Webb Simpson Stevens Tucker Porter Hunter""".split()

INDONESIAN_FIRST = """Putri Ayu Rizky Dimas Fajar Sari Wulan Indah Bayu Agus Rina Nur Siti Dwi Eka Tri Bagus Yoga Citra
Fitri Hendra Intan Joko Kurnia Lestari Maya Nanda Oki Purnama Rahma""".split()
INDONESIAN_LAST = """Wulandari Saputra Pratama Hidayat Nugroho Kusuma Permata Santoso Wijaya Setiawan Utami Rahayu Handayani
Susanti Firmansyah Gunawan Lubis Siregar Harahap Nasution Simanjuntak Hakim""".split()

KPOP_WORDS = """starlyn nova9 moonveil lumi aurora bias haneul sora bora yuri dalbit byul bubble stan army blink
onceuponu velvet honey peach mochi cloud dream""".split()
SPAM_WORDS = """crypto airdrop giveaway promo deals follow4follow free bonus luckydraw winner cashback trend viral""".split()

HANDLE_WORDS = """hockey prairie maple lake north coast river canuck habs leafs oilers jets flames nucks sens dad mom
gardener teacher nurse farmer runner cyclist reader birder paddler coffee poutine moose loon""".split()


def western_handle(rng: np.random.Generator, names: list[str]) -> list[str]:
    """X's default auto-generated usernames: the name squeezed to 7 characters + 8 digits.

    Args:
        rng: the simulation's random generator.
        names: display names, e.g. ``["Zoe Rich"]``.

    Returns:
        Usernames like ``ZoeRich28859010`` (15 characters at most).
    """
    digits = rng.integers(10_000_000, 100_000_000, size=len(names))
    return [f"{alnum(n)[:7]}{d}" for n, d in zip(names, digits)]


def dedupe(handles: list[str], taken: set[str] | None = None) -> list[str]:
    """Make usernames unique (case-insensitively) by appending 1, 2, ... where needed, ≤ 15 chars."""
    seen = set() if taken is None else {h.lower() for h in taken}
    out = []
    for handle in handles:
        candidate, k = handle, 1
        while candidate.lower() in seen:
            suffix = str(k)
            candidate = handle[: 15 - len(suffix)] + suffix
            k += 1
        seen.add(candidate.lower())
        out.append(candidate)
    return out
