"""Every named SPARQL query of ours, kept in .rq files, and the one loader for them.

The folders here say who runs them: `pages/` (resource pages and indexes), `map/`, `network/`,
`void/` (the dataset description's counts) and `store/` (the stores' own bookkeeping); the
researchers' example questions (the query gallery) live in `ontology/queries/`. Load one with
`named("pages/describe")` or a folder with `folder("map")`.

A query file starts with comment lines:

    # title: Coordinators of a partnership
    # title-bg: Координатори на партньорство
    # question: Who coordinates the {partnership} partnership?
    # question-bg: Кой координира партньорството „{partnership}“?
    # bind: ?partnership <https://w3id.org/uaeu/id/partnership/digital-transition>

`title-LANG` and `question-LANG` give the words in another language (a language without them falls
back to English). `{variable}` in a question stands for a bound variable's value, so the question
follows the value a person picks (`NamedQuery.ask` fills it with labels the caller looked up); any
other text in braces is kept as written, so an older question without placeholders reads as before.

Values are bound through the store (`GraphStore`'s bindings: pyoxigraph's substitutions, or a
VALUES block built from serialised terms for a remote server), never pasted into the text, so a
caller can ask the same question of another partnership by binding another IRI.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from graph.config import PROJECT_ROOT
from graph.queries.text import values_first

QUERIES_DIR = Path(__file__).resolve().parent
EXAMPLES_DIR = PROJECT_ROOT / "ontology" / "queries"
_BIND = re.compile(r"^#\s*bind:\s*\?(\w+)\s+(.+?)\s*$")
_HEADER = re.compile(r"^#\s*(title|question)(?:-([A-Za-z]{2,8}))?:\s*(.+?)\s*$")
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


class BindingError(ValueError):
    """A binding that is not an IRI in <...> or a quoted literal."""


def parse_term(text: str) -> ox.NamedNode | ox.Literal:
    """`<iri>` or `"literal"` (optionally `"text"@lang`) as a term to bind."""
    text = text.strip()
    if text.startswith("<") and text.endswith(">"):
        return ox.NamedNode(text[1:-1])
    match = re.fullmatch(r'"(.*)"(?:@([A-Za-z0-9-]+))?', text, flags=re.S)
    if match:
        return ox.Literal(match.group(1), language=match.group(2)) if match.group(2) else ox.Literal(match.group(1))
    raise BindingError(f"cannot bind {text!r}: write an IRI as <...> or a literal in double quotes")


def values_line(bindings: Mapping[str, ox.NamedNode | ox.Literal]) -> str:
    """`VALUES ?city { <iri> }` for one variable, `VALUES (?a ?b) { (<x> "y") }` for several."""
    if len(bindings) == 1:
        [(name, term)] = bindings.items()
        return f"VALUES ?{name} {{ {term} }}"
    names = " ".join(f"?{name}" for name in bindings)
    values = " ".join(str(term) for term in bindings.values())
    return f"VALUES ({names}) {{ ({values}) }}"


@dataclass(frozen=True)
class NamedQuery:
    name: str
    title: str
    question: str
    text: str
    defaults: dict[str, ox.NamedNode | ox.Literal] = field(default_factory=dict)
    #: The title and question in each language the header gives (`title-bg:`), English under "en".
    titles: dict[str, str] = field(default_factory=dict)
    questions: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> NamedQuery:
        text = path.read_text(encoding="utf-8")
        headers: dict[str, dict[str, str]] = {"title": {}, "question": {}}
        defaults: dict[str, ox.NamedNode | ox.Literal] = {}
        for line in text.splitlines():
            if not line.startswith("#"):
                break
            if bind := _BIND.match(line):
                defaults[bind.group(1)] = parse_term(bind.group(2))
            elif header := _HEADER.match(line):
                headers[header.group(1)][(header.group(2) or "en").lower()] = header.group(3)
        titles, questions = headers["title"], headers["question"]
        titles.setdefault("en", path.stem)
        questions.setdefault("en", "")
        return cls(path.stem, titles["en"], questions["en"], text, defaults, titles, questions)

    def title_in(self, lang: str) -> str:
        """The title in `lang`, else English."""
        return self.titles.get(lang) or self.title

    def question_in(self, lang: str) -> str:
        """The question in `lang` as written, placeholders and all, else the English one."""
        return self.questions.get(lang) or self.question

    def placeholders(self, lang: str = "en") -> list[str]:
        """The bound variables the question in `lang` names (`{city}`), in order."""
        return [name for name in _PLACEHOLDER.findall(self.question_in(lang)) if name in self.defaults]

    def ask(self, lang: str, labels: Mapping[str, str]) -> str:
        """The question in `lang` with each `{variable}` of a bound variable replaced by its label in
        `labels` (the caller gives one for every value, in the page's language). One pass: a label
        that itself holds `{city}` is kept as written; braces around anything else stay too. The
        result is plain text (the caller escapes it)."""

        def fill(match: re.Match[str]) -> str:
            name = match.group(1)
            return labels[name] if name in self.defaults and name in labels else match.group(0)

        return _PLACEHOLDER.sub(fill, self.question_in(lang))

    def bindings(self, overrides: Mapping[str, ox.NamedNode | ox.Literal] | None = None) -> dict[str, ox.NamedNode | ox.Literal]:
        """The header's default values, with `overrides` taking their place."""
        return {**self.defaults, **(overrides or {})}

    def standalone(self, overrides: Mapping[str, ox.NamedNode | ox.Literal] | None = None) -> str:
        """The query text with its bindings (the header's defaults, or `overrides` in their place) as a
        VALUES line first inside the WHERE group: in view at the top, where a person edits it.

        The values are serialised RDF terms (pyoxigraph's), never text pasted as syntax.
        """
        # The header's `# bind:` lines go: once the values are in the text, a stale comment naming
        # the default (Sofia) next to a VALUES line naming Tallinn would only mislead. So do the other
        # languages' titles and questions (the page shows them): the text is the same on every page.
        text = "".join(line for line in self.text.splitlines(keepends=True) if not _BIND.match(line) and not _translated(line))
        bindings = self.bindings(overrides)
        if not bindings:
            return text
        return values_first(text, values_line(bindings), indent="  ")


def _translated(line: str) -> bool:
    """A `# title-bg:` or `# question-bg:` header line."""
    header = _HEADER.match(line)
    return header is not None and (header.group(2) or "en").lower() != "en"


def example_queries(folder: Path = EXAMPLES_DIR) -> list[NamedQuery]:
    return [NamedQuery.load(p) for p in sorted(folder.glob("*.rq"))]


@functools.cache
def examples() -> dict[str, NamedQuery]:
    """The gallery's questions by name (`06-partnerships-of-a-city`), read once."""
    return {q.name: q for q in example_queries()}


@functools.cache
def named(name: str) -> NamedQuery:
    """One of our queries by its path under graph/queries without `.rq`: `named("store/manifest")`."""
    return NamedQuery.load(QUERIES_DIR / f"{name}.rq")


@functools.cache
def folder(name: str) -> dict[str, NamedQuery]:
    """Every query of one folder (`pages`, `map`, `network`, `void`, `store`), by name."""
    return {path.stem: NamedQuery.load(path) for path in sorted((QUERIES_DIR / name).glob("*.rq"))}


@functools.cache
def gallery() -> list[dict[str, object]]:
    """The query gallery: each researchers' example question as name, title, question (in English, its
    `{variable}` placeholders unfilled: the web app fills them with labels in the page's language), a
    self-contained query text, and its parameters (variable and default IRI or literal, for the editor's form)."""
    return [
        {
            "name": q.name,
            "title": q.title,
            "question": q.question,
            "query": q.standalone(),
            "params": [{"name": name, "value": term.value, "iri": isinstance(term, ox.NamedNode)} for name, term in q.defaults.items()],
        }
        for q in example_queries()
    ]
