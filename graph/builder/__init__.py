"""The builder: curated data -> checks -> RDF -> SHACL -> an immutable release (dumps, report).

(Named `builder`, not `build`: tools take a folder called build/ for generated output and skip it,
and the project's own build/ folder is where releases are written.)

`pipeline.build(settings)` runs it all; the modules follow the data: `readers` (files, with line
numbers and hostile-input limits) -> `curated` (records checked against the vocabularies) ->
`rdf` (quads, one graph per source) -> `shacl` (validation against ontology/shapes.ttl) ->
`dumps` (byte-stable serialisations) and `report`/`coverage` -> `graph.release.publish`.
`model` reads the ontology; `gazetteer` matches cities against GeoNames at curation time.

Nothing under `graph.store`, `graph.sparql` or the web app imports this package: serving a
release needs none of it (no PyYAML, no pySHACL in a query worker).
"""
