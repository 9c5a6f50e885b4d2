"""Where things go in a SPARQL text: a small tokenizer (comments, strings and IRIs skipped) that finds
the query's outermost WHERE group, so bound values can be placed at its start.

Shared by the gallery's shown text (`NamedQuery.standalone`) and the remote store's VALUES block
(`graph.store.sparql_text`), so a person reads the values exactly where the server applies them:
first inside the WHERE group, in view at the top of the query, and joined before any GROUP BY
(a trailing VALUES joins after it, and measured 30.6 ms against 0.41 ms on the gallery, issue 15).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

TOKENS = re.compile(
    r"""
    (?P<comment>\#[^\n]*)
  | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
  | (?P<iri><[^<>"{}|^`\\\s]*>)
  | (?P<var>[?$][A-Za-z0-9_]+)
  | (?P<pname>(?:[A-Za-z][A-Za-z0-9_.-]*)?:[A-Za-z0-9_:%.-]*)
  | (?P<open>\{)
  | (?P<close>\})
  | (?P<word>[A-Za-z_][A-Za-z0-9_-]*)
  | (?P<space>\s+)
  | (?P<other>.)
    """,
    re.X | re.S,
)


class QueryTextError(ValueError):
    """A text with no query form, no WHERE group or unbalanced braces."""


def significant(text: str) -> Iterator[re.Match[str]]:
    """The query's tokens without comments and white space."""
    for match in TOKENS.finditer(text):
        if match.lastgroup not in ("comment", "space"):
            yield match


def keywords(text: str) -> set[str]:
    """The upper-cased bare words of a query, outside strings, IRIs, prefixed names and comments."""
    return {m.group().upper() for m in significant(text) if m.lastgroup == "word"}


def matching_close(tokens: list[re.Match[str]], at: int) -> int:
    """Index of the `}` that closes the `{` at `at`."""
    depth = 0
    for j in range(at, len(tokens)):
        kind = tokens[j].lastgroup
        depth += 1 if kind == "open" else -1 if kind == "close" else 0
        if depth == 0:
            return j
    raise QueryTextError("unbalanced braces in the query")


def where_group(tokens: list[re.Match[str]]) -> int:
    """Index of the `{` that opens the query's outermost WHERE group (after any CONSTRUCT template)."""
    form_at = next((i for i, m in enumerate(tokens) if m.lastgroup == "word" and m.group().upper() in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")), None)
    if form_at is None:
        raise QueryTextError("not a query: no SELECT, ASK, CONSTRUCT or DESCRIBE found")
    i = form_at + 1
    if tokens[form_at].group().upper() == "CONSTRUCT" and i < len(tokens) and tokens[i].lastgroup == "open":
        i = matching_close(tokens, i) + 1  # skip the template
    while i < len(tokens) and tokens[i].lastgroup != "open":
        i += 1
    if i >= len(tokens):
        raise QueryTextError("the query has no WHERE group")
    return i


def values_first(text: str, block: str, indent: str | None = None) -> str:
    """`text` with `block` (a VALUES clause) first inside its outermost WHERE group.

    `indent=None` puts it on the same line (for a machine); a string puts it on a line of its own
    with that indent (for a person). `WHERE { SELECT ... }` is nested, as a sub-select cannot share
    its group with VALUES.
    """
    tokens = list(significant(text))
    i = where_group(tokens)
    opening = tokens[i]
    following = tokens[i + 1] if i + 1 < len(tokens) else None
    before, after = (f"\n{indent}", "") if indent is not None else (" ", " ")
    if following is not None and following.lastgroup == "word" and following.group().upper() == "SELECT":
        closing = tokens[matching_close(tokens, i)]
        return text[: opening.end()] + f"{before}{block} {{ " + text[opening.end() : closing.start()] + " } " + text[closing.start() :]
    return text[: opening.end()] + f"{before}{block}{after}" + text[opening.end() :]
