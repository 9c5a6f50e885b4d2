"""The model: OWL ontology, SKOS vocabularies and SHACL shapes from `ontology/`.

The Turtle there uses IRIs relative to the base, so one setting moves every IRI.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import SKOS

from graph.problems import CuratedDataError, Problem, display_path


def _parse(paths: list[Path], base: str, root: Path | None) -> Graph:
    graph = Graph()
    for path in paths:
        try:
            graph.parse(path, format="turtle", publicID=base)
        except Exception as err:  # rdflib raises many types; all mean "this file is broken"
            raise CuratedDataError([Problem(display_path(path, root), None, None, f"Turtle syntax error: {err}")]) from None
    return graph


def model_files(ontology_dir: Path) -> list[Path]:
    """Ontology and vocabularies, in a stable order; the shapes are not part of the data."""
    return [ontology_dir / "uaeu.ttl", *sorted((ontology_dir / "vocab").glob("*.ttl"))]


def load_model(ontology_dir: Path, base: str, root: Path | None = None) -> Graph:
    missing = [p for p in model_files(ontology_dir) if not p.exists()]
    if missing:
        raise CuratedDataError([Problem(display_path(p, root), None, None, "file is missing") for p in missing])
    return _parse(model_files(ontology_dir), base, root)


def load_shapes(ontology_dir: Path, base: str, root: Path | None = None) -> Graph:
    return _parse([ontology_dir / "shapes.ttl"], base, root)


def notations(model: Graph, base: str, schemes: tuple[str, ...]) -> dict[str, set[str]]:
    """The notations of each concept scheme: the values curators may write."""
    result: dict[str, set[str]] = {}
    for scheme in schemes:
        scheme_iri = URIRef(f"{base}vocab/{scheme}")
        result[scheme] = {str(n) for concept in model.subjects(SKOS.inScheme, scheme_iri) for n in model.objects(concept, SKOS.notation)}
    return result
