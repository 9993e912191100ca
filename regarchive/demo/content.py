"""French content for the sample SPIP site: rubrics, word pools and text generators.

Everything here is deterministic given the ``random.Random`` it is handed. Texts are assembled
from sentence templates so that thousands of articles can be produced quickly while every
paragraph and every title stays distinct (the generators remember what they already produced).
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from string import Formatter

from regarchive.pipelines.extraction.dates import french_long_date

SITE_NAME = "Veille des territoires"
SLOGAN = "Actualités et circulaires des collectivités territoriales"
SPIP_VERSION = "4.2.8"
COMPOSED_BY = f"SPIP {SPIP_VERSION} @ www.spip.net"


@dataclass(frozen=True)
class RubricInfo:
    """A top-level rubric and how its pages are rendered."""

    id: int
    name: str
    path: str  # first listing page, e.g. "/-Regions-" or "/spip.php?rubrique2"
    labelled: bool  # listing links read "Actu - <title>" rather than the bare title
    rel_next: bool  # pagination announced by <link rel="next"> (else by a "Suivant »" link)
    description: str
    actors: tuple[str, ...]


RUBRICS: tuple[RubricInfo, ...] = (
    RubricInfo(
        1,
        "Régions",
        "/-Regions-",
        True,
        True,
        "L’actualité des conseils régionaux : développement économique, formation, "
        "fonds européens et aménagement du territoire.",
        tuple(
            f"la Région {name}"
            for name in (
                "Hauts-de-France",
                "Bretagne",
                "Occitanie",
                "Nouvelle-Aquitaine",
                "Grand Est",
                "Normandie",
                "Auvergne-Rhône-Alpes",
                "Bourgogne-Franche-Comté",
                "Centre-Val de Loire",
                "Pays de la Loire",
                "Provence-Alpes-Côte d’Azur",
                "Île-de-France",
                "Guadeloupe",
                "Réunion",
            )
        ),
    ),
    RubricInfo(
        2,
        "Départements",
        "/spip.php?rubrique2",
        False,
        False,
        "Solidarités, collèges, routes et ingénierie territoriale : le suivi des conseils "
        "départementaux.",
        (
            "le Département du Finistère",
            "le Département de la Gironde",
            "le Département du Nord",
            "le Département de la Haute-Garonne",
            "le Département de l’Isère",
            "le Département de la Loire-Atlantique",
            "le Département de l’Hérault",
            "le Département de la Seine-Saint-Denis",
            "le Département du Puy-de-Dôme",
            "le Département du Calvados",
            "le Département de Vaucluse",
            "le Département du Morbihan",
            "le Département de la Dordogne",
            "le Département de l’Aveyron",
            "le Département du Cantal",
            "le Département de la Creuse",
            "le Département de l’Ardèche",
            "le Département de la Savoie",
            "le Département des Landes",
            "le Département de la Marne",
            "le Département de la Somme",
            "le Département du Gers",
            "le Département de la Lozère",
            "le Département de la Vendée",
        ),
    ),
    RubricInfo(
        3,
        "Communes",
        "/-Communes-",
        True,
        True,
        "Finances locales, urbanisme et services publics de proximité dans les communes.",
        (
            "la ville de Lille",
            "la ville de Rennes",
            "la commune de Vitré",
            "la ville de Brest",
            "la ville de Limoges",
            "la ville de Saint-Étienne",
            "la ville de Besançon",
            "la commune de Figeac",
            "la ville de Poitiers",
            "la commune de Guéret",
            "la ville d’Amiens",
            "la ville d’Angers",
            "la commune de Millau",
            "la ville d’Albi",
            "la commune de Lannion",
            "la ville d’Épinal",
            "la commune de Mende",
            "la ville de Périgueux",
            "la ville de Quimper",
            "la commune de Saumur",
            "la commune de Tulle",
            "la commune de Vierzon",
            "la ville de Dieppe",
            "la commune de Cahors",
        ),
    ),
    RubricInfo(
        4,
        "Intercommunalités",
        "/-Intercommunalites-",
        False,
        False,
        "Métropoles, communautés urbaines, d’agglomération et de communes : compétences, "
        "mutualisation et coopération intercommunale.",
        (
            "Brest métropole",
            "Rennes Métropole",
            "Toulouse Métropole",
            "Grand Poitiers",
            "la métropole Aix-Marseille-Provence",
            "Saint-Étienne Métropole",
            "la communauté urbaine d’Arras",
            "la communauté d’agglomération du Grand Guéret",
            "la communauté d’agglomération du Pays Basque",
            "la communauté d’agglomération de La Rochelle",
            "la communauté de communes Cœur de Savoie",
            "la communauté de communes du Val d’Ille-Aubigné",
            "la communauté de communes du Haut-Jura",
            "Le Mans Métropole",
            "Montpellier Méditerranée Métropole",
            "la communauté de communes du Pays de Landerneau-Daoulas",
        ),
    ),
)

THEMES: tuple[str, ...] = (
    "la revitalisation des centres-bourgs",
    "le financement de l’apprentissage",
    "les aides d’État aux entreprises",
    "la réforme de l’apprentissage",
    "les fonds européens de développement régional",
    "le plan de relance",
    "la rénovation énergétique des bâtiments publics",
    "la compétence mobilité",
    "le déploiement du très haut débit",
    "les contrats de plan État-Région",
    "la dotation globale de fonctionnement",
    "la péréquation horizontale",
    "l’économie sociale et solidaire",
    "la lutte contre les déserts médicaux",
    "la gestion des milieux aquatiques",
    "le schéma régional d’aménagement",
    "la formation des demandeurs d’emploi",
    "l’accueil des gens du voyage",
    "l’objectif de zéro artificialisation nette",
    "la réindustrialisation",
    "les transports scolaires",
    "la sobriété foncière",
    "l’attractivité des territoires ruraux",
    "la rénovation des lycées",
    "la construction de collèges",
    "le revenu de solidarité active",
    "la protection de l’enfance",
    "l’autonomie des personnes âgées",
    "le tourisme durable",
    "la gestion de l’eau potable",
    "la collecte des déchets ménagers",
    "la rénovation énergétique de l’habitat",
    "l’agriculture biologique",
    "l’innovation et la recherche",
    "la cybersécurité des collectivités",
    "l’inclusion numérique",
    "la coopération transfrontalière",
    "la prévention des inondations",
    "le logement social",
    "les maisons France Services",
    "la transition écologique",
    "la santé de proximité",
)

GENERIC_ACTORS: tuple[str, ...] = (
    "l’État",
    "la préfecture de région",
    "l’Agence nationale de la cohésion des territoires",
    "la Banque des Territoires",
    "la Commission européenne",
    "France Compétences",
    "la Caisse des dépôts",
    "le Gouvernement",
    "la Cour des comptes",
    "le Cerema",
    "l’Ademe",
    "la direction générale des collectivités locales",
    "l’Insee",
)

PUBLICS: tuple[str, ...] = (
    "communes rurales",
    "petites entreprises",
    "apprentis",
    "demandeurs d’emploi",
    "associations",
    "centres de formation d’apprentis",
    "bailleurs sociaux",
    "exploitants agricoles",
    "jeunes de moins de 26 ans",
    "PME industrielles",
    "collégiens",
    "familles monoparentales",
    "syndicats de communes",
    "artisans",
)

PROGRAMS: tuple[str, ...] = (
    "Territoires d’industrie",
    "Petites villes de demain",
    "Action cœur de ville",
    "Villages d’avenir",
    "France Ruralités",
    "Avenir montagnes",
    "spécialisation intelligente",
    "Fonds vert",
    "Territoires zéro chômeur de longue durée",
    "Plan France Très Haut Débit",
    "Quartiers d’été",
    "Cités éducatives",
)

SOURCES_BYLINE: tuple[str, ...] = (
    "Commission Européenne",
    "Régions de France",
    "Cour des comptes",
    "Banque des Territoires",
    "Assemblée des communautés de France",
    "Départements de France",
    "Préfecture de la région Occitanie",
    "Agence nationale de la cohésion des territoires",
    "Ministère de l’Économie et des Finances",
    "France urbaine",
)
SOURCES_LINE: tuple[str, ...] = (
    "Ministère de la Cohésion des territoires",
    "Direction générale des collectivités locales",
    "Ministère de l’Intérieur",
    "France Compétences",
    "Ministère du Travail et de l’Emploi",
    "Ministère de la Transition écologique",
)
SOURCES_PLAIN: tuple[str, ...] = (
    "Cerema",
    "Ademe",
    "Insee",
    "Observatoire des finances et de la gestion publique locales",
    "Caisse des dépôts",
)
AUTHORS: tuple[tuple[str, str], ...] = (
    ("Régions de France", "_Regions-de-France_"),
    ("Départements de France", "_Departements-de-France_"),
    ("Intercommunalités de France", "_Intercommunalites-de-France_"),
    ("Association des maires de France", "_Association-des-maires-de-France_"),
)
KEYWORDS: tuple[tuple[str, str], ...] = (
    ("Apprentissage", "+Apprentissage+"),
    ("Fonds européens", "+Fonds-europeens+"),
    ("Finances locales", "+Finances-locales+"),
    ("Aides d’État", "+Aides-d-Etat+"),
    ("Coopération intercommunale", "+Cooperation-intercommunale+"),
    ("Aménagement du territoire", "+Amenagement-du-territoire+"),
    ("Transition écologique", "+Transition-ecologique+"),
    ("Cohésion territoriale", "+Cohesion-territoriale+"),
)

ACTU_TITLES: tuple[str, ...] = (
    "{Actor} lance un appel à projets pour {theme}",
    "{Actor} adopte un plan d’action pour {theme}",
    "{Theme} : {actor} présente sa feuille de route",
    "{Theme} : {actor} signe une convention avec l’État",
    "Budget {year} : {actor} renforce son soutien {a_theme}",
    "{Actor} et l’État s’engagent pour {theme}",
    "Conférence territoriale : {actor} fait le point sur {theme}",
    "{Actor} vote une enveloppe de {amount} pour {theme}",
    "{Theme} : un nouveau dispositif expérimenté par {actor}",
    "Comité d’alerte : {actor} s’inquiète du financement {de_theme}",
    "{Actor} mobilise {amount} en faveur {de_theme}",
    "Assises des territoires : {actor} plaide pour {theme}",
)
CIRC_TITLES: tuple[str, ...] = (
    "Circulaire relative {a_theme}",
    "Circulaire n° {year}-{num} relative {a_theme}",
    "Soutien financier au titre {de_theme}",
    "Rapport annuel sur {theme} en {year}",
    "Instruction du Gouvernement relative {a_theme}",
    "Note d’information sur {theme} dans les collectivités territoriales",
    "Modalités de versement des crédits consacrés {a_theme}",
    "Répartition des crédits consacrés {a_theme} pour {year}",
    "Appel à candidatures pour {theme} : précisions aux préfets",
    "Instruction relative {a_theme} : calendrier {year}",
)
PLAIN_TITLES: tuple[str, ...] = (
    "Dossier : {theme} dans les territoires",
    "Regards croisés sur {theme}",
    "Entretien : {actor} revient sur {theme}",
    "Portrait de territoire : {actor} face {a_theme}",
)

CHAPO_TEMPLATES: tuple[str, ...] = (
    "{Actor} a présenté un plan consacré {a_theme}, doté de {amount} sur {n2} ans.",
    "Réunis en séance plénière, les élus {de_actor} ont adopté une nouvelle feuille de route "
    "pour {theme}.",
    "{Gactor} et {actor} ont signé une convention qui engage {amount} en faveur {de_theme}.",
    "Face aux difficultés rencontrées par les {public}, {actor} revoit ses priorités pour "
    "{theme} et annonce {n} actions nouvelles.",
    "Après plusieurs mois de concertation, {actor} a arrêté les grandes orientations de sa "
    "politique pour {theme}, avec un objectif de {pct} % de projets engagés.",
)
QUOTED_CHAPO_TEMPLATES: tuple[str, ...] = (
    "Dans le cadre du programme « {program} », {actor} engage {amount} pour {theme} et mise "
    "sur l’ingénierie locale.",
    "Baptisé « {program} », le dispositif porté par {actor} doit accélérer {theme} d’ici {n2} ans.",
)
CIRC_CHAPO_TEMPLATES: tuple[str, ...] = (
    "Une circulaire adressée aux préfets précise les conditions d’attribution des crédits "
    "consacrés {a_theme}, pour un montant de {amount}.",
    "Le Gouvernement a publié une instruction relative {a_theme}, applicable aux {public} "
    "comme aux collectivités.",
    "Les services de l’État rappellent aux collectivités les règles applicables {a_theme} et "
    "détaillent {n} cas pratiques.",
)

SENTENCES: tuple[str, ...] = (
    "{Actor} consacrera {amount} {a_theme} sur la période {year}-{y2}.",
    "Cette enveloppe doit permettre d’accompagner {n} projets portés par des communes de moins "
    "de {pop} habitants.",
    "Selon {gactor}, près de {pct} % des {public} sont directement concernés par cette mesure.",
    "Le dispositif s’adresse en priorité aux {public} ainsi qu’aux {public2}.",
    "Un comité de pilotage associant {actor} et {gactor} se réunira chaque trimestre pour "
    "suivre l’avancement des opérations.",
    "Les élus ont salué une avancée attendue pour les {public}, tout en réclamant davantage "
    "de visibilité sur les financements pluriannuels.",
    "{Actor} rappelle que {theme} demeure l’une de ses priorités, aux côtés {de_theme2}.",
    "La mesure prolonge le programme « {program} », dont le bilan à mi-parcours a été présenté "
    "à {n} partenaires.",
    "Les crédits seront notifiés aux {public} avant la fin du {ord} trimestre.",
    "{Gactor} prévoit un cofinancement plafonné à {pct} % du coût total des opérations éligibles.",
    "Les porteurs de projet devront justifier d’un plan de financement équilibré et d’un "
    "calendrier de réalisation sur {n2} ans.",
    "Plusieurs associations d’élus demandent que la simplification des démarches des {public} "
    "soit au cœur de la démarche.",
    "En {year}, {n} {public} avaient déjà bénéficié d’un accompagnement comparable.",
    "Le montant moyen de l’aide atteint {k} euros par dossier, un niveau jugé insuffisant par "
    "{pct} % des maires interrogés.",
    "Les services instructeurs {de_gactor} ont été renforcés de {n2} agents afin de réduire les "
    "délais de traitement.",
    "La convention signée avec {gactor} fixe des objectifs chiffrés d’ici {y2}.",
    "Une évaluation indépendante portant sur {n} opérations sera conduite à l’issue de la "
    "première année de mise en œuvre.",
    "{Actor} entend ainsi réduire de {pct} % les écarts constatés entre territoires urbains et "
    "ruraux.",
    "Les collectivités volontaires pourront mutualiser leurs moyens d’ingénierie pour {theme2}.",
    "Le rapport {de_gactor} souligne toutefois la complexité des circuits de financement et la "
    "multiplication des appels à projets.",
    "Une plateforme en ligne permettra aux {public} de suivre l’instruction de leur demande "
    "sous {n2} semaines.",
    "À terme, {n} emplois pourraient être créés ou maintenus grâce à ces investissements.",
    "Les financements européens viendront compléter l’effort de {amount} consenti par {actor}.",
    "Le calendrier prévoit une phase d’expérimentation dans {n} territoires pilotes avant une "
    "généralisation en {y2}.",
    "La chambre régionale des comptes avait relevé des marges de progrès dans le pilotage "
    "{de_theme2}.",
    "Pour les {public}, le reste à charge ne pourra pas dépasser {pct} % de la dépense "
    "subventionnable.",
    "Les modalités de répartition tiennent compte de la population, du potentiel financier et "
    "de l’effort fiscal de {n} territoires.",
    "{Actor} a également annoncé la création d’un guichet unique dédié {a_theme2}.",
    "Les organisations syndicales seront consultées sur les conséquences de la réforme pour "
    "{n} agents territoriaux.",
    "Un bilan d’étape sera présenté aux {public} lors de la prochaine conférence des financeurs.",
)
CIRC_SENTENCES: tuple[str, ...] = (
    "La présente circulaire précise les modalités de mise en œuvre {de_theme} pour l’exercice "
    "{year}.",
    "Les préfets de région sont invités à transmettre leurs propositions de répartition avant "
    "la fin du {ord} trimestre.",
    "Le versement interviendra en deux fractions, la seconde représentant {pct} % du montant "
    "total.",
    "Les montants notifiés figurent en annexe {n2} et tiennent compte des ajustements opérés au "
    "titre de l’exercice précédent.",
    "Toute difficulté d’application concernant les {public} devra être signalée à {gactor}.",
    "Les collectivités concernées disposent d’un délai de {n} jours pour faire valoir leurs "
    "observations.",
    "Le présent texte abroge les instructions antérieures portant sur {theme2}.",
)
INTERTITRES: tuple[str, ...] = (
    "Un calendrier resserré",
    "Des financements croisés",
    "Les prochaines étapes",
    "Ce que prévoit le texte",
    "Un accompagnement renforcé",
    "Les territoires ruraux en première ligne",
    "Une gouvernance partagée",
    "Les points de vigilance",
)

MONTHS_SHORT = (
    "janv.",
    "févr.",
    "mars",
    "avr.",
    "mai",
    "juin",
    "juil.",
    "août",
    "sept.",
    "oct.",
    "nov.",
    "déc.",
)
WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")

# The one paragraph of the windows-1252 article: it must hold é è ’ « » œ €.
CP1252_PARAGRAPH = (
    "Le programme « Action cœur de ville » prévoit une enveloppe complémentaire de 5 M€ ; la "
    "première tranche, qu’il faudra engager avant l’été, bénéficiera en priorité aux communes "
    "dont le centre-ville est fragilisé."
)


# --- French helpers -------------------------------------------------------------------------


def cap(text: str) -> str:
    """Upper-case the first letter only (``la Région Bretagne`` → ``La Région Bretagne``)."""
    return text[:1].upper() + text[1:]


def de(phrase: str) -> str:
    """``de`` + noun phrase with the French contractions (du, des, de la, de l’, d’)."""
    for article, contracted in (("le ", "du "), ("les ", "des "), ("Le ", "du ")):
        if phrase.startswith(article):
            return contracted + phrase[len(article) :]
    if phrase.startswith(("la ", "l’")):
        return "de " + phrase
    if phrase[:1].lower() in "aeiouyéèêîôâ":
        return "d’" + phrase
    return "de " + phrase


def a(phrase: str) -> str:
    """``à`` + noun phrase with the French contractions (au, aux, à la, à l’)."""
    for article, contracted in (("le ", "au "), ("les ", "aux "), ("Le ", "au ")):
        if phrase.startswith(article):
            return contracted + phrase[len(article) :]
    return "à " + phrase


def affdate(day: date) -> str:
    """SPIP's ``affdate``: ``12 décembre 2017``, ``1er août 2023``."""
    return french_long_date(day)


def affdate_jourcourt(day: date) -> str:
    """SPIP's ``affdate_jourcourt`` (with the year): ``12 déc. 2017``."""
    number = "1er" if day.day == 1 else str(day.day)
    return f"{number} {MONTHS_SHORT[day.month - 1]} {day.year}"


def nom_jour(day: date) -> str:
    return WEEKDAYS[day.weekday()]


def slugify(title: str, max_len: int = 35) -> str:
    """SPIP "propres" URL: transliterated title, case kept, hyphens, cut at a word boundary."""
    text = title.replace("œ", "oe").replace("Œ", "Oe").replace("æ", "ae").replace("Æ", "Ae")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")
    if len(text) > max_len:
        cut = text[:max_len]
        if text[max_len] != "-" and "-" in cut:
            cut = cut[: cut.rfind("-")]
        text = cut.strip("-")
    return text


# --- generators -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Topic:
    """What one article is about; every sentence of the article draws on it."""

    actor: str
    theme: str
    year: int
    category: str | None
    years_allowed: bool = True  # False for the article that must carry no date at all


_FIELDS: dict[str, tuple[str, ...]] = {}


def _fields(template: str) -> tuple[str, ...]:
    """Names of the ``{slots}`` of a template (cached: templates are formatted very often)."""
    names = _FIELDS.get(template)
    if names is None:
        names = tuple(name for _, name, _, _ in Formatter().parse(template) if name)
        _FIELDS[template] = names
    return names


class TextFactory:
    """Titles and paragraphs for the articles of one site, all distinct."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self._titles: set[str] = set()
        self._paragraphs: set[str] = {CP1252_PARAGRAPH}
        self._slot_cache: tuple[Topic, dict[str, Callable[[], object]]] | None = None

    # slot values -----------------------------------------------------------------------------

    def _amount(self) -> str:
        r = self.rng
        if r.random() < 0.5:
            return f"{r.randint(2, 95)} millions d’euros"
        units = r.randint(1, 9)
        return f"{units},{r.randint(1, 9)} million{'s' if units > 1 else ''} d’euros"

    def _slots(self, topic: Topic) -> dict[str, Callable[[], object]]:
        r = self.rng
        second = lambda: r.choice([t for t in THEMES if t != topic.theme])  # noqa: E731
        gactor = lambda: r.choice(GENERIC_ACTORS)  # noqa: E731
        return {
            "Actor": lambda: cap(topic.actor),
            "actor": lambda: topic.actor,
            "de_actor": lambda: de(topic.actor),
            "theme": lambda: topic.theme,
            "Theme": lambda: cap(topic.theme),
            "a_theme": lambda: a(topic.theme),
            "de_theme": lambda: de(topic.theme),
            "theme2": second,
            "a_theme2": lambda: a(second()),
            "de_theme2": lambda: de(second()),
            "gactor": gactor,
            "Gactor": lambda: cap(gactor()),
            "de_gactor": lambda: de(gactor()),
            "amount": self._amount,
            "n": lambda: r.randint(3, 480),
            "n2": lambda: r.randint(2, 9),
            "num": lambda: r.randint(10, 299),
            "pct": lambda: r.randint(5, 85),
            "pop": lambda: r.choice(("2 000", "3 500", "5 000", "10 000", "20 000")),
            "k": lambda: f"{r.randint(4, 95)} {r.choice(('000', '500'))}",
            "public": lambda: r.choice(PUBLICS),
            "public2": lambda: r.choice(PUBLICS),
            "program": lambda: r.choice(PROGRAMS),
            "year": lambda: topic.year,
            "y2": lambda: topic.year + r.randint(2, 5),
            "ord": lambda: r.choice(("premier", "deuxième", "troisième", "quatrième")),
        }

    def _fill(self, template: str, topic: Topic) -> str:
        if self._slot_cache is None or self._slot_cache[0] is not topic:
            self._slot_cache = (topic, self._slots(topic))
        slots = self._slot_cache[1]
        return template.format(**{name: slots[name]() for name in _fields(template)})

    def _usable(self, templates: tuple[str, ...], topic: Topic) -> list[str]:
        if topic.years_allowed:
            return list(templates)
        return [t for t in templates if "year" not in _fields(t) and "y2" not in _fields(t)]

    # public generators -------------------------------------------------------------------------

    def title(self, topic: Topic) -> str | None:
        """A new distinct title of at most 110 characters with no " - " (labels use that
        separator), or None when this topic yields none (too long): pick another topic."""
        pool = {"Actu": ACTU_TITLES, "Circ.": CIRC_TITLES, None: PLAIN_TITLES}[topic.category]
        templates = self._usable(pool, topic)
        for _ in range(20):
            title = cap(self._fill(self.rng.choice(templates), topic))
            if len(title) <= 110 and title.casefold() not in self._titles:
                self._titles.add(title.casefold())
                return title
        return None

    def fallback_title(self, topic: Topic, number: int) -> str:
        title = f"{cap(topic.theme)} : note n° {number}"
        self._titles.add(title.casefold())
        return title

    def chapo(self, topic: Topic, *, quoted: bool = False) -> str:
        """The chapô; ``quoted`` forces a sentence with « » and ’ (for the retyped repeat)."""
        if quoted:
            pool = QUOTED_CHAPO_TEMPLATES
        elif topic.category == "Circ.":
            pool = CIRC_CHAPO_TEMPLATES
        else:
            pool = CHAPO_TEMPLATES + QUOTED_CHAPO_TEMPLATES
        templates = self._usable(pool, topic)
        return self._distinct(lambda: self._fill(self.rng.choice(templates), topic))

    def paragraphs(self, topic: Topic, count: int) -> list[str]:
        """``count`` body paragraphs of 2–3 sentences, no sentence template used twice."""
        pool = SENTENCES + (CIRC_SENTENCES if topic.category == "Circ." else ())
        templates = self._usable(pool, topic)
        self.rng.shuffle(templates)
        result: list[str] = []
        for _ in range(count):
            size = self.rng.randint(2, 3)
            chosen, templates = templates[:size], templates[size:]
            if len(templates) < 3:
                templates = self._usable(pool, topic)
                self.rng.shuffle(templates)
            result.append(
                self._distinct(lambda chosen=chosen: " ".join(self._fill(t, topic) for t in chosen))
            )
        return result

    def intertitre(self, topic: Topic) -> str | None:
        """An ``h2.spip`` heading, distinct from every other line of the site, or None."""
        for _ in range(10):
            text = f"{self.rng.choice(INTERTITRES)} pour {topic.actor}"
            if text not in self._paragraphs:
                self._paragraphs.add(text)
                return text
        return None

    def _distinct(self, make: Callable[[], str]) -> str:
        for _ in range(50):
            text = make()
            if text not in self._paragraphs:
                self._paragraphs.add(text)
                return text
        raise RuntimeError("sentence pools exhausted")  # pragma: no cover
