"""The query gallery: the researchers' example questions from ontology/queries, ready to run."""

from __future__ import annotations

from functools import cache

from graph.queries import example_queries


@cache
def gallery() -> list[dict[str, str]]:
    """Each example as name, title, question and a self-contained query text."""
    return [{"name": q.name, "title": q.title, "question": q.question, "query": q.standalone()} for q in example_queries()]
