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


# ---- The SPARQL editor page (/sparql): its own words, in one block (helper ux-editor) --------------
#: The query editor's labels, buttons, view tabs and messages; the page's script gets them as JSON.
#: `param_<variable>` names a gallery question's field; a variable without one shows its own name.
EDITOR: dict[str, dict[str, str]] = {
    "en": {
        "title": "Ask the graph in SPARQL",
        "intro": "Read-only SPARQL 1.1 endpoint at {endpoint}. Every query stops after {timeout} s; answers longer than {row_cap} rows are cut and marked as truncated.",
        "intro_gallery": "Pick a question from the gallery and change what it asks about, or write your own query.",
        "gallery_link": "Gallery of questions",
        "query": "Query",
        "results_as": "Results as",
        "run": "Run",
        "permalink": "Permalink to this query",
        "csv": "Results as CSV (from the endpoint)",
        "network_open": "Open as network",
        "network_why": "(the answer has ?source and ?target)",
        "gallery": "Gallery of questions",
        "gallery_intro": "Researchers' questions, each answered by one query; choose one to load it into the editor and run it.",
        "form_legend": "Ask this question about",
        "form_hint": "Type a name in any language and pick it from the list (arrow keys, Enter), or paste an IRI.",
        "form_run": "Run with these values",
        "form_in_sync": "The VALUES line at the top of the query holds these values.",
        "form_mismatch": "The query text no longer has this form's VALUES line: running runs the text as you wrote it.",
        "form_restore": "Put the form's values back into the query",
        "form_from_text": "Taken from the query text",
        "no_match": "Nothing found for this",
        "searching": "Searching…",
        "suggestions": "{n} suggestions; up and down arrows to choose, Enter to pick",
        "not_iri": "Not an IRI: pick a suggestion, or paste a full address beginning with https://",
        "param_city": "City",
        "param_partnership": "Partnership",
        "param_event": "Event",
        "param_organisation": "Organisation",
        "param_g": "Source (named graph)",
        "views": "Result views",
        "view_table": "Table",
        "view_chart": "Chart",
        "view_map": "Map",
        "view_graph": "Graph",
        "view_response": "Raw answer",
        "typed": "Typed values (RDF)",
        "typed_hint": 'Show each value as an RDF term, e.g. "5"^^xsd:integer',
        "chart_title": "{y} by {x}",
        "chart_dates": "{y} over time",
        "map_title": "{n} places of the answer on the map",
        "map_title_one": "1 place of the answer on the map",
        "map_unplaced": "{n} rows have no place the map knows",
        "map_unplaced_one": "1 row has no place the map knows",
        "graph_title": "{nodes} nodes and {edges} links (?source → ?target)",
        "graph_capped": "Only the first {n} links are drawn.",
        "error_syntax": "The query is not valid SPARQL: line {line}, column {column}.",
        "error_expected": "Expected there: {what}.",
        "error_prefix": "The prefix {prefix} is not declared: add a line “PREFIX {prefix} <…>” at the top of the query.",
        "ellipsis": "Shorten long values",
        "filter": "Filter the results",
        "page_size": "Rows per page: ",
        "rows_time": "{n} rows in {s} s",
        "one_row_time": "1 row in {s} s",
        "answer_time": "Answer in {s} s",
        "try_query": "Open the query in a new window",
        "error_other": "The server did not run the query:",
        "show_line": "Show in the editor",
    },
    "bg": {
        "title": "Питайте графа на SPARQL",
        "intro": "SPARQL 1.1 крайна точка само за четене: {endpoint}. Всяка заявка спира след {timeout} s; отговори с повече от {row_cap} реда се съкращават и се отбелязват.",
        "intro_gallery": "Изберете въпрос от галерията и променете за какво пита, или напишете своя заявка.",
        "gallery_link": "Галерия с въпроси",
        "query": "Заявка",
        "results_as": "Резултати като",
        "run": "Изпълни",
        "permalink": "Постоянна връзка към заявката",
        "csv": "Резултати като CSV (от крайната точка)",
        "network_open": "Отвори като мрежа",
        "network_why": "(отговорът има ?source и ?target)",
        "gallery": "Галерия с въпроси",
        "gallery_intro": "Въпроси на изследователи, на всеки отговаря една заявка; изберете въпрос, за да го заредите в редактора и изпълните.",
        "form_legend": "Задайте въпроса за",
        "form_hint": "Напишете име на какъвто и да е език и го изберете от списъка (стрелки, Enter), или поставете IRI.",
        "form_run": "Изпълни с тези стойности",
        "form_in_sync": "Редът VALUES в началото на заявката съдържа тези стойности.",
        "form_mismatch": "Текстът на заявката вече няма реда VALUES на формуляра: изпълнява се текстът, както сте го написали.",
        "form_restore": "Върни стойностите от формуляра в заявката",
        "form_from_text": "Взето от текста на заявката",
        "no_match": "Нищо не е намерено",
        "searching": "Търсене…",
        "suggestions": "{n} предложения; стрелки нагоре и надолу за избор, Enter за потвърждение",
        "not_iri": "Това не е IRI: изберете предложение или поставете пълен адрес, започващ с https://",
        "param_city": "Град",
        "param_partnership": "Партньорство",
        "param_event": "Събитие",
        "param_organisation": "Организация",
        "param_g": "Източник (именуван граф)",
        "views": "Изгледи на резултата",
        "view_table": "Таблица",
        "view_chart": "Диаграма",
        "view_map": "Карта",
        "view_graph": "Граф",
        "view_response": "Суров отговор",
        "typed": "Типизирани стойности (RDF)",
        "typed_hint": 'Показва всяка стойност като RDF термин, напр. "5"^^xsd:integer',
        "chart_title": "{y} по {x}",
        "chart_dates": "{y} във времето",
        "map_title": "{n} места от отговора на картата",
        "map_title_one": "1 място от отговора на картата",
        "map_unplaced": "{n} реда нямат място, познато на картата",
        "map_unplaced_one": "1 ред няма място, познато на картата",
        "graph_title": "{nodes} възела и {edges} връзки (?source → ?target)",
        "graph_capped": "Показани са само първите {n} връзки.",
        "error_syntax": "Заявката не е валиден SPARQL: ред {line}, колона {column}.",
        "error_expected": "Очаква се там: {what}.",
        "error_prefix": "Префиксът {prefix} не е деклариран: добавете ред „PREFIX {prefix} <…>“ в началото на заявката.",
        "ellipsis": "Съкращавай дългите стойности",
        "filter": "Филтрирай резултатите",
        "page_size": "Редове на страница: ",
        "rows_time": "{n} реда за {s} s",
        "one_row_time": "1 ред за {s} s",
        "answer_time": "Отговор за {s} s",
        "try_query": "Отвори заявката в нов прозорец",
        "error_other": "Сървърът не изпълни заявката:",
        "show_line": "Покажи в редактора",
    },
}
# ---- end of the SPARQL editor page's words ----------------------------------------------------------


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


#: The words of a release's changes page, of an entity's history and of citations (`webapp.views.changes`, `webapp.views.cite`).
CHANGES: dict[str, dict[str, str]] = {
    "en": {
        "title": "What changed in release {release}",
        "against": "Compared with the release before it, {previous}:",
        "counts": "{added} quads added, {removed} removed.",
        "first": "This is the first release: there is nothing earlier to compare it with.",
        "none": "No facts changed.",
        "other": "Other changes",
        "other_hint": "{n} added or removed quads that no sentence above describes (all of them are in the patch).",
        "blank": "{n} changed quads hold blank nodes; they are compared by their labels as written.",
        "downloads": "The changes as data",
        "patch": "RDF Patch",
        "added_nq": "added quads (N-Quads)",
        "removed_nq": "removed quads (N-Quads)",
        "per_graph": "Per named graph",
        "graph": "Named graph",
        "added": "Added",
        "removed": "Removed",
        "json": "This page as JSON",
        "history": "History",
        "history_hint": "Releases in which facts about this changed, with what changed.",
        "history_other": "{n} other fact(s) about it changed",
        "release": "Release",
    },
    "bg": {
        "title": "Какво се промени в издание {release}",
        "against": "Сравнено с предходното издание, {previous}:",
        "counts": "Добавени квадрупли: {added}; премахнати: {removed}.",
        "first": "Това е първото издание: няма по-ранно, с което да се сравни.",
        "none": "Няма променени факти.",
        "other": "Други промени",
        "other_hint": "{n} добавени или премахнати квадрупла, които изреченията по-горе не описват (всички са в пача).",
        "blank": "{n} променени квадрупла съдържат празни възли; те са сравнени по етикетите си, както са записани.",
        "downloads": "Промените като данни",
        "patch": "RDF Patch",
        "added_nq": "добавени квадрупли (N-Quads)",
        "removed_nq": "премахнати квадрупли (N-Quads)",
        "per_graph": "По именувани графи",
        "graph": "Именуван граф",
        "added": "Добавени",
        "removed": "Премахнати",
        "json": "Тази страница като JSON",
        "history": "История",
        "history_hint": "Изданията, в които са се променили факти за това, и какво се е променило.",
        "history_other": "още {n} факт(а) за него са променени",
        "release": "Издание",
    },
}

CITE: dict[str, dict[str, str]] = {
    "en": {
        "cite": "Cite",
        "cite_hint": "A permanent link to this answer, pinned to this release, with a reference to copy.",
        "citing": "Making a permanent link…",
        "title": "Citation {id}",
        "pinned": "The answer as it was pinned on release {release} ({created}).",
        "query": "Query",
        "view": "View",
        "parameters": "Parameters",
        "open_view": "Open the view with these parameters",
        "rows": "{n} row(s)",
        "reference": "Reference",
        "formats": "Cite as",
        "compare": "Run on the latest release",
        "compare_hint": "Runs the same query on the release served now ({release}) and shows the rows that differ.",
        "same_release": "This citation is pinned to the release served now ({release}); nothing to compare yet.",
        "difference": "On the latest release {release}: +{added} row(s) added, −{removed} row(s) removed, {kept} unchanged.",
        "added_rows": "Rows only in the latest release",
        "removed_rows": "Rows only in the pinned answer",
        "no_difference": "The answer is the same.",
        "json": "This page as JSON",
        "changes": "What changed in the latest release",
    },
    "bg": {
        "cite": "Цитиране",
        "cite_hint": "Постоянна връзка към този отговор, закрепена за това издание, с готово цитиране.",
        "citing": "Създава се постоянна връзка…",
        "title": "Цитат {id}",
        "pinned": "Отговорът, както е закрепен за издание {release} ({created}).",
        "query": "Заявка",
        "view": "Изглед",
        "parameters": "Параметри",
        "open_view": "Отвори изгледа с тези параметри",
        "rows": "{n} реда",
        "reference": "Библиографско описание",
        "formats": "Цитирай като",
        "compare": "Изпълни върху последното издание",
        "compare_hint": "Изпълнява същата заявка върху текущото издание ({release}) и показва редовете, които се различават.",
        "same_release": "Цитатът е закрепен за текущото издание ({release}); още няма с какво да се сравни.",
        "difference": "В последното издание {release}: +{added} добавени реда, −{removed} премахнати, {kept} без промяна.",
        "added_rows": "Редове само в последното издание",
        "removed_rows": "Редове само в закрепения отговор",
        "no_difference": "Отговорът е същият.",
        "json": "Тази страница като JSON",
        "changes": "Какво се промени в последното издание",
    },
}


def words(table: dict[str, dict[str, str]], lang: str) -> dict[str, str]:
    """A table's words in `lang`, English for any it lacks."""
    return {**table["en"], **table.get(lang, {})}
