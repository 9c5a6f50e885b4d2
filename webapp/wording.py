"""The words of the pages, in English and Bulgarian (other languages fall back to English), and how
predicates are named and ordered on a resource's page."""

from __future__ import annotations

#: Words of the interface, in English and Bulgarian; other languages fall back to English.
UI: dict[str, dict[str, str]] = {
    "en": {
        "outgoing": "What the graph says",
        "incoming": "Linked from",
        "members": "Coordinators and members",
        "memberships": "Partnerships and roles",
        "events": "Events",
        "panels": "Panels",
        "actions": "Actions",
        "from_here": "Who takes part from here",
        "sparql": "Show the SPARQL for this",
        "data": "This page as data",
        "language": "Language",
        "role": "Role",
        "evidence": "Evidence",
        "period": "Period",
        "organisation": "Organisation",
        "partnership": "Partnership",
        "date": "Date",
        "name": "Name",
        "type": "Type",
        "pillar": "Pillar",
        "leaders": "Leaders",
        "number": "No.",
        "search": "Search",
        "not_found": "Nothing with this identifier",
        "iri": "Identifier",
        "kind_other": "Other",
    },
    "bg": {
        "outgoing": "Какво казва графът",
        "incoming": "Препратки към този ресурс",
        "members": "Координатори и членове",
        "memberships": "Партньорства и роли",
        "events": "Събития",
        "panels": "Панели",
        "actions": "Действия",
        "from_here": "Кой участва оттук",
        "sparql": "Покажи SPARQL заявката",
        "data": "Тази страница като данни",
        "language": "Език",
        "role": "Роля",
        "evidence": "Доказателство",
        "period": "Период",
        "organisation": "Организация",
        "partnership": "Партньорство",
        "date": "Дата",
        "name": "Име",
        "type": "Вид",
        "pillar": "Стълб",
        "leaders": "Водещи",
        "number": "№",
        "search": "Търсене",
        "not_found": "Няма ресурс с този идентификатор",
        "iri": "Идентификатор",
        "kind_other": "Други",
    },
}

#: What each list page lists, counted (one, many), in the home page's words.
LIST_WORDS: dict[str, tuple[str, str]] = {
    "partnerships": ("partnership", "partnerships"),
    "organisations": ("organisation", "organisations"),
    "places": ("country, city or region", "countries, cities and regions"),
    "events": ("event or milestone", "events and milestones"),
}

#: The kinds of rows a list page mixes (an IRI's kind, as `webapp.links.kind_of` names it).
KIND_WORDS: dict[str, tuple[str, str]] = {
    "country": ("country", "countries"),
    "place": ("city", "cities"),
    "event": ("event or panel", "events and panels"),
    "milestone": ("milestone", "milestones"),
}

#: The build report's other counts, in words (the raw keys stay in the JSON twin's `counts`).
REPORT_WORDS: dict[str, tuple[str, str]] = {
    "memberships": ("membership of an organisation in a partnership", "memberships of organisations in partnerships"),
    "people": ("person", "people"),
    "actions": ("action of an action plan", "actions of action plans"),
    "sources": ("source document", "source documents"),
    "triples": ("fact (RDF triple)", "facts (RDF triples)"),
}


def counted(n: int, one: str, many: str) -> str:
    """'1 partnership', '20 partnerships', '14,237 facts'."""
    return f"{n:,} {one if n == 1 else many}"


#: Readable names of predicates (English, Bulgarian), forwards and backwards; others show as a CURIE.
PREDICATES: dict[str, tuple[str, str, str, str]] = {
    # curie: (en, bg, en inverse, bg inverse)
    "rdf:type": ("is a", "е", "instances", "екземпляри"),
    "skos:prefLabel": ("name", "име", "", ""),
    "skos:altLabel": ("also called", "наричано още", "", ""),
    "rdfs:label": ("label", "етикет", "", ""),
    "schema:name": ("name", "име", "", ""),
    "dct:title": ("title", "заглавие", "", ""),
    "foaf:name": ("name", "име", "", ""),
    "skos:note": ("note", "бележка", "", ""),
    "skos:historyNote": ("history", "история", "", ""),
    "skos:definition": ("definition", "определение", "", ""),
    "dct:subject": ("theme", "тема", "subject of", "тема на"),
    "dct:temporal": ("lifetime", "период", "lifetime of", "период на"),
    "dct:source": ("source", "източник", "source of", "източник за"),
    "dct:spatial": ("place", "място", "organisations there", "организации оттук"),
    "dct:publisher": ("publisher", "издател", "", ""),
    "dct:issued": ("issued", "издаден", "", ""),
    "dct:hasPart": ("has part", "съдържа", "part of", "част от"),
    "dct:isPartOf": ("part of", "част от", "has part", "съдържа"),
    "org:hasMember": ("members", "членове", "member of", "член на"),
    "org:memberOf": ("member of", "член на", "members", "членове"),
    "org:member": ("member", "член", "memberships", "членства"),
    "org:organization": ("partnership", "партньорство", "memberships", "членства"),
    "org:role": ("role", "роля", "memberships in this role", "членства с тази роля"),
    "org:memberDuring": ("period", "период", "period of", "период на"),
    "org:classification": ("kind", "вид", "organisations of this kind", "организации от този вид"),
    "uaeu:coordinates": ("coordinates", "координира", "coordinators", "координатори"),
    "uaeu:evidence": ("evidence", "доказателство", "memberships with this evidence", "членства с това доказателство"),
    "uaeu:partnership": ("partnership", "партньорство", "events and plans", "събития и планове"),
    "uaeu:pillar": ("pillar", "стълб", "actions", "действия"),
    "uaeu:leader": ("leader", "водещ", "actions led", "водени действия"),
    "uaeu:actionNumber": ("number", "номер", "", ""),
    "uaeu:dateCertainty": ("date certainty", "сигурност на датата", "", ""),
    "uaeu:conflict": ("sources disagree", "източниците се разминават", "", ""),
    "uaeu:openedBy": ("opened by", "открито от", "opened", "открил"),
    "schema:startDate": ("starts", "начало", "", ""),
    "schema:endDate": ("ends", "край", "", ""),
    "schema:location": ("venue", "място", "events here", "събития тук"),
    "schema:organizer": ("hosts", "домакини", "events hosted", "домакин на събития"),
    "schema:attendee": ("participants", "участници", "events attended", "участие в събития"),
    "schema:about": ("about", "относно", "events about this", "събития по темата"),
    "schema:subEvent": ("panels", "панели", "part of", "част от"),
    "schema:superEvent": ("part of", "част от", "panels", "панели"),
    "schema:additionalType": ("event type", "вид събитие", "events of this type", "събития от този вид"),
    "schema:containedInPlace": ("in", "в", "places in it", "места в него"),
    "schema:addressCountry": ("country", "държава", "places in this country", "места в тази държава"),
    "schema:url": ("web address", "уеб адрес", "", ""),
    "schema:jobTitle": ("office", "длъжност", "", ""),
    "schema:affiliation": ("affiliation", "към", "people", "хора"),
    "schema:position": ("position", "позиция", "", ""),
    "skos:inScheme": ("in scheme", "в схема", "concepts", "понятия"),
    "skos:topConceptOf": ("top concept of", "основно понятие на", "top concepts", "основни понятия"),
    "skos:hasTopConcept": ("top concepts", "основни понятия", "top concept of", "основно понятие на"),
    "skos:notation": ("code", "код", "", ""),
    "owl:sameAs": ("same as", "същото като", "same as", "същото като"),
    "time:hasBeginning": ("begins", "начало", "beginning of", "начало на"),
    "time:hasEnd": ("ends", "край", "end of", "край на"),
    "time:inXSDDate": ("date", "дата", "", ""),
    "time:inXSDgYearMonth": ("month", "месец", "", ""),
    "time:inXSDgYear": ("year", "година", "", ""),
    "rdfs:isDefinedBy": ("defined by", "дефинирано в", "defines", "дефинира"),
    "rdfs:subClassOf": ("subclass of", "подклас на", "subclasses", "подкласове"),
    "rdfs:seeAlso": ("see also", "виж също", "see also", "виж също"),
}
#: Order of predicates on a page: names and kinds first, notes and sources last.
ORDER = [
    "skos:prefLabel",
    "schema:name",
    "dct:title",
    "foaf:name",
    "skos:altLabel",
    "rdf:type",
    "org:classification",
    "dct:subject",
    "dct:temporal",
    "schema:startDate",
    "schema:endDate",
    "schema:location",
]
LAST = ["skos:note", "skos:historyNote", "uaeu:conflict", "dct:source", "rdfs:label"]


#: The languages the interface is written in (labels in other languages still show).
UI_LANGUAGES = list(UI)


def ui(lang: str) -> dict[str, str]:
    return {**UI["en"], **UI.get(lang, {})}


def predicate_name(cur: str, lang: str, inverse: bool) -> str:
    """A predicate's readable name (forwards, or backwards for incoming links); its CURIE when it has none."""
    names = PREDICATES.get(cur)
    if not names:
        return cur
    name = names[(2 if inverse else 0) + (1 if lang == "bg" else 0)]
    return name or cur


def order(cur: str) -> tuple[int, str]:
    """Sort key of a predicate on a page: names and kinds first, notes and sources last."""
    if cur in ORDER:
        return (0, f"{ORDER.index(cur):03d}")
    if cur in LAST:
        return (2, f"{LAST.index(cur):03d}")
    return (1, cur)
