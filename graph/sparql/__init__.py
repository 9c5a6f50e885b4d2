"""User SPARQL, served safely: what a public endpoint needs between a request and the engine.

- `guard`: the read-only rules, decided from rdflib's parse of the canonical text (no updates, no
  SERVICE, no dataset clause naming anything but our own graphs) and shape limits before any parse;
- `sandbox`: the seccomp filter that keeps a query process off the network, and its tie to its parent;
- `executor`: killable worker processes (each with its own copy of the release) shared fairly;
- `remote`: the same guard, fairness and serialisers in front of a `GraphStore` elsewhere (a remote server);
- `results`: result writers that stop at the row cap and say so in every format.

It never imports `graph.builder`: a worker loads the release's dumps, not the curated data.
"""
