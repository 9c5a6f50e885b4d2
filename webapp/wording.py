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
        "result": "result",
        "results": "results",
        "results_for": "for",
        "search_help": "Several words find things by name (any language), place, date (“june 2017”) and partnership.",
        "summary": "In short",
        "dates": "Dates",
        "status": "Status",
        "ongoing": "ongoing",
        "ended": "ended",
        "since": "since",
        "until": "until",
        "unknown": "unknown",
        "coordinators": "Coordinators",
        "member_count": "Members",
        "known_of_stated": "{known} known of {stated} stated",
        "known_only": "{known} known; the sources state no number",
        "about": "about",
        "themes": "Themes",
        "group_coordinator": "Coordinators",
        "group_member": "Members",
        "group_observer": "Observers",
        "other_roles": "Hosts, secretariat and other roles",
        "inverse_of": "{label} (pointing here)",
        "release_not_latest": "Release {release} (not the latest)",
        "release_latest": "See the latest release",
        "releases_title": "Releases",
        "releases_intro": "Every release of the graph, kept unchanged: its dumps with checksums, its build report, its description, and a SPARQL endpoint that answers from it.",
        "releases_feed": "Atom feed of releases",
        "release_title": "Release {release}",
        "published": "Published",
        "triples": "Triples",
        "ontology_version": "Ontology version",
        "checksums": "Checksums",
        "current_mark": "current",
        "files": "Files",
        "file": "File",
        "format": "Format",
        "bytes": "Bytes",
        "build_report": "Build report",
        "description": "Description (VoID, DCAT)",
        "query_release": "Query this release (SPARQL)",
        "browse_release": "Browse this release",
        "changes": "What changed since the release before",
        "previous_release": "Previous release",
        "next_release": "Next release",
        "pruned_title": "Pruned releases",
        "replaced_by": "replaced by",
        "release_gone": "This release was removed from the archive",
        "release_refused": "No such release",
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
        "result": "резултат",
        "results": "резултата",
        "results_for": "за",
        "search_help": "Няколко думи намират по име (на всеки език), място, дата („юни 2017“) и партньорство.",
        "summary": "Накратко",
        "dates": "Дати",
        "status": "Състояние",
        "ongoing": "продължава",
        "ended": "приключило",
        "since": "от",
        "until": "до",
        "unknown": "неизвестен",
        "coordinators": "Координатори",
        "member_count": "Членове",
        "known_of_stated": "{known} известни от {stated} посочени",
        "known_only": "{known} известни; източниците не посочват брой",
        "about": "около",
        "themes": "Теми",
        "group_coordinator": "Координатори",
        "group_member": "Членове",
        "group_observer": "Наблюдатели",
        "other_roles": "Домакини, секретариат и други роли",
        "inverse_of": "{label} (сочещо насам)",
        "release_not_latest": "Издание {release} (не е последното)",
        "release_latest": "Вижте последното издание",
        "releases_title": "Издания",
        "releases_intro": "Всяко издание на графа, запазено непроменено: файловете му с контролни суми, отчетът от изграждането, описанието му и SPARQL достъп, който отговаря от него.",
        "releases_feed": "Atom емисия на изданията",
        "release_title": "Издание {release}",
        "published": "Публикувано",
        "triples": "Тройки",
        "ontology_version": "Версия на онтологията",
        "checksums": "Контролни суми",
        "current_mark": "текущо",
        "files": "Файлове",
        "file": "Файл",
        "format": "Формат",
        "bytes": "Байта",
        "build_report": "Отчет от изграждането",
        "description": "Описание (VoID, DCAT)",
        "query_release": "Заявки към това издание (SPARQL)",
        "browse_release": "Разгледайте това издание",
        "changes": "Какво се промени спрямо предишното издание",
        "previous_release": "Предишно издание",
        "next_release": "Следващо издание",
        "pruned_title": "Премахнати издания",
        "replaced_by": "заменено от",
        "release_gone": "Това издание е премахнато от архива",
        "release_refused": "Няма такова издание",
    },
}

#: What each list page lists, counted (one, many), in the home page's words, by language.
LIST_WORDS: dict[str, dict[str, tuple[str, str]]] = {
    "partnerships": {"en": ("partnership", "partnerships"), "bg": ("партньорство", "партньорства")},
    "organisations": {"en": ("organisation", "organisations"), "bg": ("организация", "организации")},
    "places": {"en": ("country, city or region", "countries, cities and regions"), "bg": ("държава, град или регион", "държави, градове и региони")},
    "events": {"en": ("event or milestone", "events and milestones"), "bg": ("събитие или етап", "събития и етапи")},
}

#: The kinds of rows a list page mixes (an IRI's kind, as `webapp.links.kind_of` names it).
KIND_WORDS: dict[str, dict[str, tuple[str, str]]] = {
    "country": {"en": ("country", "countries"), "bg": ("държава", "държави")},
    "place": {"en": ("city", "cities"), "bg": ("град", "града")},
    "event": {"en": ("event or panel", "events and panels"), "bg": ("събитие или панел", "събития и панели")},
    "milestone": {"en": ("milestone", "milestones"), "bg": ("етап", "етапа")},
}

#: A resource's kind as a heading word, for resources without a label (heading: kind + slug).
KIND_TITLES: dict[str, dict[str, str]] = {
    "partnership": {"en": "Partnership", "bg": "Партньорство"},
    "organisation": {"en": "Organisation", "bg": "Организация"},
    "place": {"en": "Place", "bg": "Място"},
    "person": {"en": "Person", "bg": "Лице"},
    "event": {"en": "Event", "bg": "Събитие"},
    "membership": {"en": "Membership", "bg": "Членство"},
    "action": {"en": "Action", "bg": "Действие"},
    "action-plan": {"en": "Action plan", "bg": "План за действие"},
    "source": {"en": "Source", "bg": "Източник"},
    "period": {"en": "Period", "bg": "Период"},
    "instant": {"en": "Date", "bg": "Дата"},
    "milestone": {"en": "Milestone", "bg": "Етап"},
    "country": {"en": "Country", "bg": "Държава"},
    "concept": {"en": "Concept", "bg": "Понятие"},
    "scheme": {"en": "Vocabulary", "bg": "Речник"},
}

#: The build report's other counts, in words (the raw keys stay in the JSON twin's `counts`).
REPORT_WORDS: dict[str, dict[str, tuple[str, str]]] = {
    "memberships": {
        "en": ("membership of an organisation in a partnership", "memberships of organisations in partnerships"),
        "bg": ("членство на организация в партньорство", "членства на организации в партньорства"),
    },
    "people": {"en": ("person", "people"), "bg": ("лице", "лица")},
    "actions": {"en": ("action of an action plan", "actions of action plans"), "bg": ("действие от план за действие", "действия от планове за действие")},
    "sources": {"en": ("source document", "source documents"), "bg": ("източник", "източника")},
    "triples": {"en": ("fact (RDF triple)", "facts (RDF triples)"), "bg": ("факт (RDF тройка)", "факта (RDF тройки)")},
}

#: The home page's sentences, by language.
HOME: dict[str, dict[str, str]] = {
    "en": {
        "title": "The Urban Agenda for the EU, as linked data",
        "intro": "The thematic partnerships of the Urban Agenda for the EU since the Pact of Amsterdam (2016): who coordinates "
        "and who takes part, their themes, meetings and action plans. Every fact carries its source; weaker evidence is marked.",
        "holds": "What the graph holds",
        "and": "And",
        "release": "Release",
        "start": "Start here",
        "search_hint": "by name, place or date (“sofia 2017”, “юни 2017”).",
        "sparql": "Ask a question in SPARQL",
        "sparql_hint": ", or pick one from the gallery of researchers' questions.",
        "json": "This page as JSON",
    },
    "bg": {
        "title": "Градският дневен ред за ЕС като свързани данни",
        "intro": "Тематичните партньорства на Градския дневен ред за ЕС от Амстердамския пакт (2016 г.) насам: кой координира "
        "и кой участва, темите, срещите и плановете за действие. Всеки факт има източник; по-слабите доказателства са отбелязани.",
        "holds": "Какво съдържа графът",
        "and": "Както и",
        "release": "Издание",
        "start": "Откъде да започнете",
        "search_hint": "по име, място или дата („София 2017“, „june 2017“).",
        "sparql": "Задайте въпрос чрез SPARQL",
        "sparql_hint": " или изберете от галерията с въпроси на изследователи.",
        "json": "Тази страница като JSON",
    },
}


def counted(n: int, one: str, many: str, lang: str = "en") -> str:
    """'1 partnership', '20 partnerships', '14,237 facts' (Bulgarian: '14 237 факта')."""
    number = f"{n:,}".replace(",", " " if lang == "bg" else ",")
    return f"{number} {one if n == 1 else many}"


def words_for(table: dict[str, dict[str, tuple[str, str]]], key: str, lang: str) -> tuple[str, str]:
    """(one, many) for a key in the visitor's language, English when there is none."""
    entry = table.get(key, {})
    return entry.get(lang) or entry.get("en") or (key, key)


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
    "skos:scopeNote": ("scope note", "обхват", "", ""),
    "dct:description": ("description", "описание", "", ""),
    "schema:latitude": ("latitude", "географска ширина", "", ""),
    "schema:longitude": ("longitude", "географска дължина", "", ""),
    "schema:sameAs": ("same as", "същото като", "same as", "същото като"),
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
