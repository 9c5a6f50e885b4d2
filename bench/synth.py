"""A deterministic generator of synthetic releases in our model, at any size.

Why synthetic: the real graph has ~13k triples; to see how the store, the endpoint and the network
code grow we need 10x and 100x that, shaped like the real data (the same classes, properties,
named graphs per source and vocabularies, partnerships of 15-30 partners with a few popular hubs).
The output goes through the project's own dump writer (`graph.builder.dumps`), so a synthetic build folder
is served by `uaeu serve --build` exactly like a real one. The gallery's default IRIs
(digital-transition, sofia-municipality, dt-2nd-sofia-2017, place sofia, the SDA source) exist, so
every gallery query has rows to find.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib import Literal, URIRef

from graph.builder.dumps import Ordered, release_id, write_release
from graph.builder.model import load_model
from graph.builder.rdf import Quad
from graph.config import DEFAULT_BASE, PROJECT_ROOT
from graph.namespaces import COUNTRY, CV, DCTERMS, FOAF, ORG, RDF, RDFS, SCHEMA, SKOS, TIME, WIKIDATA, XSD, Minter, prefixes

SEED = 20170615

COUNTRIES = [
    ("AT", "AUT", "Austria", "de"), ("BE", "BEL", "Belgium", "nl"), ("BG", "BGR", "Bulgaria", "bg"), ("HR", "HRV", "Croatia", "hr"),
    ("CY", "CYP", "Cyprus", "el"), ("CZ", "CZE", "Czechia", "cs"), ("DK", "DNK", "Denmark", "da"), ("EE", "EST", "Estonia", "et"),
    ("FI", "FIN", "Finland", "fi"), ("FR", "FRA", "France", "fr"), ("DE", "DEU", "Germany", "de"), ("GR", "GRC", "Greece", "el"),
    ("HU", "HUN", "Hungary", "hu"), ("IE", "IRL", "Ireland", "en"), ("IT", "ITA", "Italy", "it"), ("LV", "LVA", "Latvia", "lv"),
    ("LT", "LTU", "Lithuania", "lt"), ("LU", "LUX", "Luxembourg", "fr"), ("MT", "MLT", "Malta", "mt"), ("NL", "NLD", "Netherlands", "nl"),
    ("PL", "POL", "Poland", "pl"), ("PT", "PRT", "Portugal", "pt"), ("RO", "ROU", "Romania", "ro"), ("SK", "SVK", "Slovakia", "sk"),
    ("SI", "SVN", "Slovenia", "sl"), ("ES", "ESP", "Spain", "es"), ("SE", "SWE", "Sweden", "sv"), ("NO", "NOR", "Norway", "no"),
]  # fmt: skip
THEMES = [
    "digital-transition", "housing", "air-quality", "urban-poverty", "inclusion-migrants-refugees", "circular-economy",
    "jobs-skills-local-economy", "climate-adaptation", "energy-transition", "sustainable-land-use-nbs", "urban-mobility",
    "public-procurement", "culture-cultural-heritage", "security-public-spaces", "food", "greening-cities",
]  # fmt: skip
OTHER_KINDS = ["ngo-stakeholder", "university-research", "eu-body", "city-network", "region", "national-agency", "knowledge-organisation", "eu-institution-dg"]
PUBLIC_KINDS = {"member-state", "city", "region", "national-agency", "eu-institution-dg", "eu-body"}
EVIDENCE = ["stated"] * 17 + ["inferred", "general-statement", "unconfirmed"]
MILESTONES = ["orientation-paper", "draft-action-plan", "action-plan", "approval"]
PILLARS = ["better-regulation", "better-funding", "better-knowledge"]
SYLLABLES = ["so", "fi", "bra", "til", "mar", "ven", "lu", "ko", "pra", "sta", "ber", "gen", "ri", "na", "tor", "vel", "ka", "do", "mi", "lan"]
SUFFIXES = ["", "", "", "a", "o", "ia", "burg", "grad", "stad", "ville", "heim", "sk"]
TO_BG = str.maketrans("abdefgiklmnoprstuvz", "абдефгиклмнопрстувз")


@dataclass
class Sink:
    """Collects quads like graph.builder.rdf.QuadSink, and counts distinct triples (the union) as it goes."""

    mint: Minter
    quads: set[Quad] = field(default_factory=set)
    triples: set[tuple[Any, Any, Any]] = field(default_factory=set)

    def add(self, s: URIRef, p: URIRef, o: Any, graphs: list[URIRef]) -> None:
        self.triples.add((s, p, o))
        for g in graphs:
            self.quads.add((s, p, o, g))

    def labels(self, s: URIRef, texts: dict[str, str], graphs: list[URIRef], rdfs_label: bool = True) -> None:
        for lang, text in texts.items():
            self.add(s, SKOS.prefLabel, Literal(text, lang=lang), graphs)
            if rdfs_label:
                self.add(s, RDFS.label, Literal(text, lang=lang), graphs)


class Generator:
    """Adds one partnership at a time (with its partners, people, events, plan and sources) until the target size."""

    def __init__(self, seed: int = SEED, base: str = DEFAULT_BASE) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - reproducible data, not secrets
        self.mint = Minter(base)
        self.sink = Sink(self.mint)
        self.uaeu = self.mint.uaeu
        self.cities: list[tuple[str, str]] = []  # (slug, iso2)
        self.orgs: list[str] = []
        self.weights: list[float] = []
        self.partnerships = 0
        self.country = {iso2: (iso3, name, lang) for iso2, iso3, name, lang in COUNTRIES}
        self._model()
        self._countries()
        self._city("sofia", "BG", "Sofia", sources=["sda-946-sofia-meeting"])

    # -- helpers -------------------------------------------------------------------------------
    def g(self, *sources: str) -> list[URIRef]:
        return [self.mint.graph(f"source/{s}") for s in sources]

    def source(self, ident: str, title: str) -> None:
        s, doc, graph = self.sink, self.mint.instance("source", ident), [self.mint.graph("sources")]
        s.add(doc, RDF.type, FOAF.Document, graph)
        s.add(doc, DCTERMS.title, Literal(title), graph)
        s.add(doc, RDFS.label, Literal(title), graph)
        s.add(doc, DCTERMS.publisher, Literal(self.rng.choice(["European Commission", "Futurium", "City press office", "URBACT"])), graph)
        s.add(doc, DCTERMS.issued, Literal(self.day(2016, 2024), datatype=XSD.date), graph)
        s.add(doc, SCHEMA.url, URIRef(f"https://example.org/sources/{ident}"), graph)
        s.add(self.mint.graph(f"source/{ident}"), DCTERMS.source, doc, graph)

    def day(self, first: int, last: int) -> str:
        return f"{self.rng.randint(first, last)}-{self.rng.randint(1, 12):02d}-{self.rng.randint(1, 28):02d}"

    def name(self) -> str:
        return "".join(self.rng.choice(SYLLABLES) for _ in range(self.rng.randint(2, 3))).capitalize() + self.rng.choice(SUFFIXES)

    def instant(self, iso: str, graphs: list[URIRef]) -> URIRef:
        node = self.mint.instance("instant", iso)
        self.sink.add(node, RDF.type, TIME.Instant, graphs)
        self.sink.add(node, TIME.inXSDDate, Literal(iso, datatype=XSD.date), graphs)
        return node

    def period(self, ident: str, start: str, end: str | None, graphs: list[URIRef]) -> URIRef:
        node = self.mint.instance("period", ident)
        self.sink.add(node, RDF.type, TIME.Interval, graphs)
        self.sink.add(node, TIME.hasBeginning, self.instant(start, graphs), graphs)
        if end:
            self.sink.add(node, TIME.hasEnd, self.instant(end, graphs), graphs)
        if self.rng.random() < 0.1:
            self.sink.add(node, self.uaeu.dateCertainty, Literal("month known, day approximate"), graphs)
            self.sink.add(node, self.uaeu.conflict, Literal(f"another source gives {self.day(2016, 2019)}", lang="en"), graphs)
        return node

    # -- fixed parts -----------------------------------------------------------------------------
    def _model(self) -> None:
        graph = [self.mint.graph("model")]
        cited = []
        for s, p, o in load_model(PROJECT_ROOT / "ontology", self.mint.base):
            self.sink.add(s, p, o, graph)  # type: ignore[arg-type]
            if p == DCTERMS.source:
                cited.append(str(o).rsplit("/", 1)[-1])
        # The vocabularies cite sources that a real build describes from data/sources.csv; describe
        # them here, so that the synthetic data conforms to the shapes as a published release must.
        for ident in sorted(set(cited)):
            self.source(ident, f"Source {ident}")

    def _countries(self) -> None:
        self.source("eu-country-authority", "EU country authority table")
        graphs = self.g("eu-country-authority")
        for iso2, (iso3, name, _lang) in self.country.items():
            node = COUNTRY[iso3]
            self.sink.add(node, RDF.type, SCHEMA.Country, graphs)
            self.sink.add(node, RDF.type, DCTERMS.Location, graphs)
            self.sink.labels(node, {"en": name, "bg": name.lower().translate(TO_BG)}, graphs)
            self.sink.add(node, SKOS.notation, Literal(iso2), graphs)
            self.sink.add(node, SCHEMA.sameAs, WIKIDATA[f"Q{1000 + len(iso3) * ord(iso3[0])}"], graphs)
            ministry = f"ministry-{iso3.lower()}"
            self._org(ministry, "member-state", f"Ministry of Urban Affairs of {name}", iso2, None, graphs, "eu-country-authority")

    def _city(self, slug: str, iso2: str, name: str, sources: list[str]) -> None:
        s, graphs = self.sink, self.g(*sources)
        place, country = self.mint.instance("place", slug), COUNTRY[self.country[iso2][0]]
        s.add(place, RDF.type, SCHEMA.City, graphs)
        s.labels(place, {"en": name, "bg": name.lower().translate(TO_BG), self.country[iso2][2]: name}, graphs)
        s.add(place, SCHEMA.containedInPlace, country, graphs)
        s.add(place, SCHEMA.addressCountry, country, graphs)
        s.add(place, SCHEMA.sameAs, WIKIDATA[f"Q{472 + len(self.cities) * 7}"], graphs)
        s.add(place, SCHEMA.latitude, Literal(f"{self.rng.uniform(35, 65):.4f}", datatype=XSD.decimal), graphs)
        s.add(place, SCHEMA.longitude, Literal(f"{self.rng.uniform(-9, 30):.4f}", datatype=XSD.decimal), graphs)
        s.add(place, DCTERMS.source, self.mint.instance("source", sources[0]), graphs)
        self.cities.append((slug, iso2))
        self._org(f"{slug}-municipality", "city", f"{name} Municipality", iso2, slug, graphs, sources[0])

    def _org(self, slug: str, kind: str, name: str, iso2: str | None, place: str | None, graphs: list[URIRef], source: str) -> None:
        s, org = self.sink, self.mint.instance("organisation", slug)
        s.add(org, RDF.type, ORG.Organization, graphs)
        s.add(org, DCTERMS.source, self.mint.instance("source", source), graphs)
        if kind in PUBLIC_KINDS:
            s.add(org, RDF.type, CV.PublicOrganisation, graphs)
        s.labels(org, {"en": name, "bg": name.lower().translate(TO_BG)}, graphs)
        s.add(org, ORG.classification, self.mint.concept("partner-type", kind), graphs)
        if iso2:
            s.add(org, DCTERMS.spatial, COUNTRY[self.country[iso2][0]], graphs)
        if place:
            s.add(org, DCTERMS.spatial, self.mint.instance("place", place), graphs)
        self.orgs.append(slug)
        # A few hubs take part in many partnerships (like member states and EU bodies do).
        self.weights.append(8.0 if kind == "member-state" else 1.0 / (1 + len(self.orgs)) ** 0.3)

    # -- one partnership -------------------------------------------------------------------------
    def partnership(self) -> None:
        """One partnership with ~20 members, new partners, people, events, milestones, an action plan and sources."""
        rng, s, mint = self.rng, self.sink, self.mint
        i = self.partnerships
        self.partnerships += 1
        first = i == 0
        theme = THEMES[i % len(THEMES)]
        slug = "digital-transition" if first else f"p{i:05d}-{theme}"
        srcs = [f"{slug}-source-{k}" for k in range(4)] + (["sda-946-sofia-meeting"] if first else [])
        for ident in srcs:
            self.source(ident, f"Report {ident.replace('-', ' ')}")
        # New partners: cities with their municipality, and other bodies.
        for _ in range(rng.randint(3, 6)):
            iso2 = rng.choice(COUNTRIES)[0]
            self._city(f"c{len(self.cities):06d}", iso2, self.name(), [rng.choice(srcs)])
        for _ in range(rng.randint(6, 10)):
            kind = rng.choice(OTHER_KINDS)
            iso2 = rng.choice(COUNTRIES)[0]
            src = rng.choice(srcs)
            self._org(f"o{len(self.orgs):06d}-{kind}", kind, f"{self.name()} {kind.replace('-', ' ').title()}", iso2, None, self.g(src), src)
        p, pg = mint.instance("partnership", slug), self.g(*srcs[:2])
        short = "Digital Transition" if first else f"{theme.replace('-', ' ').title()} {i}"
        s.add(p, RDF.type, self.uaeu.Partnership, pg)
        s.labels(p, {"en": f"Partnership on {short}", "bg": f"партньорство {short.lower().translate(TO_BG)}"}, pg)
        s.add(p, SKOS.altLabel, Literal(short, lang="en"), pg)
        s.add(p, DCTERMS.subject, mint.concept("theme", theme), pg)
        if rng.random() < 0.3:
            s.add(p, DCTERMS.subject, mint.concept("theme", rng.choice(THEMES)), pg)
        start = "2016-12-01" if first else self.day(2016, 2023)
        end = None if rng.random() < 0.6 else self.day(2019, 2026)
        s.add(p, DCTERMS.temporal, self.period(f"partnership-{slug}", start, end, pg), pg)
        s.add(p, DCTERMS.source, mint.instance("source", srcs[0]), pg)
        s.add(p, SKOS.note, Literal(f"Synthetic partnership {i}", lang="en"), pg)
        # Members: drawn with popularity weights, so some partners sit in many partnerships.
        wanted = rng.randint(15, 30)
        chosen: list[str] = ["sofia-municipality"] if first else []
        while len(chosen) < wanted:
            for org in rng.choices(self.orgs, weights=self.weights, k=wanted):
                if org not in chosen and len(chosen) < wanted:
                    chosen.append(org)
        for k, org in enumerate(chosen):
            role = "coordinator" if k < 2 else ("member" if rng.random() < 0.85 else rng.choice(["observer", "expert"]))
            evidence = "stated" if k < 2 else rng.choice(EVIDENCE)
            msrc = ["sda-946-sofia-meeting", srcs[0]] if first and k == 0 else [rng.choice(srcs)] + ([srcs[0]] if rng.random() < 0.3 else [])
            mg, m, o = self.g(*msrc), mint.instance("membership", f"{slug}-{org}"), mint.instance("organisation", org)
            s.add(m, RDF.type, ORG.Membership, mg)
            s.add(m, ORG.organization, p, mg)
            s.add(m, ORG.member, o, mg)
            s.add(m, ORG.role, mint.concept("role", role), mg)
            s.add(m, self.uaeu.evidence, mint.concept("evidence", evidence), mg)
            for src in msrc:
                s.add(m, DCTERMS.source, mint.instance("source", src), mg)
            if rng.random() < 0.6:
                s.add(
                    m,
                    ORG.memberDuring,
                    self.period(f"membership-{slug}-{org}", self.day(2016, 2021), self.day(2021, 2025) if rng.random() < 0.3 else None, mg),
                    mg,
                )
            if evidence != "stated":
                s.add(m, SKOS.note, Literal("named in a general statement only", lang="en"), mg)
            if role in ("coordinator", "member") and evidence == "stated":
                s.add(o, ORG.memberOf, p, mg)
                if role == "coordinator":
                    s.add(o, self.uaeu.coordinates, p, mg)
        self._events(i, slug, p, chosen, srcs, theme)
        self._plan(slug, p, chosen, srcs)

    def _events(self, i: int, slug: str, p: URIRef, members: list[str], srcs: list[str], theme: str) -> None:
        rng, s, mint = self.rng, self.sink, self.mint
        for kind in rng.sample(MILESTONES, 3):
            node, mg = mint.instance("milestone", f"{slug}-{kind}"), self.g(srcs[0])
            s.add(node, RDF.type, SCHEMA.Event, mg)
            s.add(node, SCHEMA.name, Literal(f"{kind.replace('-', ' ').capitalize()} of {slug}", lang="en"), mg)
            s.add(node, SCHEMA.additionalType, mint.concept("event-type", kind), mg)
            s.add(node, self.uaeu.partnership, p, mg)
            s.add(node, SCHEMA.startDate, Literal(self.day(2017, 2024), datatype=XSD.date), mg)
            s.add(node, DCTERMS.source, mint.instance("source", srcs[0]), mg)
        for k in range(rng.randint(4, 7)):
            sofia = i == 0 and k == 0
            ident = "dt-2nd-sofia-2017" if sofia else f"{slug}-meeting-{k}"
            src = "sda-946-sofia-meeting" if sofia else rng.choice(srcs)
            eg, ev = self.g(src), mint.instance("event", ident)
            city, _ = self.cities[0] if sofia else rng.choice(self.cities)
            venue = mint.instance("place", f"{ident}-venue")
            s.add(venue, RDF.type, SCHEMA.Place, eg)
            s.labels(venue, {"en": f"Venue of {ident}"}, eg)
            s.add(venue, SCHEMA.containedInPlace, mint.instance("place", city), eg)
            start = "2017-06-14" if sofia else self.day(2016, 2024)
            s.add(ev, RDF.type, SCHEMA.Event, eg)
            s.add(ev, SCHEMA.name, Literal(f"Meeting {k + 1} of {slug}", lang="en"), eg)
            s.add(ev, SCHEMA.name, Literal(f"среща {k + 1}", lang="bg"), eg)
            s.add(ev, SCHEMA.additionalType, mint.concept("event-type", "partnership-meeting"), eg)
            s.add(ev, SCHEMA.startDate, Literal(start, datatype=XSD.date), eg)
            s.add(ev, SCHEMA.endDate, Literal(start[:8] + f"{min(28, int(start[8:]) + 1):02d}", datatype=XSD.date), eg)
            s.add(ev, self.uaeu.dateCertainty, Literal("stated"), eg)
            s.add(ev, SCHEMA.location, venue, eg)
            s.add(ev, SCHEMA.organizer, mint.instance("organisation", f"{city}-municipality" if sofia else rng.choice(members)), eg)
            for org in rng.sample(members, 3):
                s.add(ev, SCHEMA.attendee, mint.instance("organisation", org), eg)
            s.add(ev, SCHEMA.about, mint.concept("theme", theme), eg)
            s.add(ev, self.uaeu.partnership, p, eg)
            s.add(ev, DCTERMS.source, mint.instance("source", src), eg)
            if rng.random() < 0.05:
                s.add(ev, self.uaeu.conflict, Literal(f"another source dates it {self.day(2016, 2024)}", lang="en"), eg)
            if sofia or rng.random() < 0.2:
                person = mint.instance("person", f"{ident}-opener")
                s.add(person, RDF.type, FOAF.Person, eg)
                s.add(person, RDF.type, SCHEMA.Person, eg)
                s.add(person, FOAF.name, Literal(f"{self.name()} {self.name()}"), eg)
                s.add(person, SCHEMA.jobTitle, Literal("Mayor", lang="en"), eg)
                s.add(person, SCHEMA.jobTitle, Literal("кмет", lang="bg"), eg)
                s.add(person, SCHEMA.affiliation, mint.instance("organisation", f"{city}-municipality"), eg)
                s.add(person, DCTERMS.source, mint.instance("source", src), eg)
                s.add(ev, self.uaeu.openedBy, person, eg)
            if sofia or rng.random() < 0.1:
                for n in range(1, 4):
                    panel = mint.instance("event", f"{ident}-panel-{n}")
                    s.add(panel, RDF.type, SCHEMA.Event, eg)
                    s.add(panel, SCHEMA.name, Literal(f"Panel {n}: smart services", lang="en"), eg)
                    s.add(panel, SCHEMA.name, Literal(f"Панел {n}", lang="bg"), eg)
                    s.add(panel, SCHEMA.superEvent, ev, eg)
                    s.add(panel, SCHEMA.position, Literal(n), eg)
                    s.add(ev, SCHEMA.subEvent, panel, eg)

    def _plan(self, slug: str, p: URIRef, members: list[str], srcs: list[str]) -> None:
        rng, s, mint = self.rng, self.sink, self.mint
        plan, pg = mint.instance("action-plan", slug), self.g(srcs[-1])
        s.add(plan, RDF.type, self.uaeu.ActionPlan, pg)
        s.add(plan, self.uaeu.partnership, p, pg)
        s.add(plan, DCTERMS.title, Literal(f"Action plan of {slug}", lang="en"), pg)
        s.add(plan, DCTERMS.issued, Literal(self.day(2018, 2024), datatype=XSD.date), pg)
        s.add(plan, DCTERMS.source, mint.instance("source", srcs[-1]), pg)
        for n in range(1, rng.randint(6, 12)):
            action = mint.instance("action", f"{slug}-{n}")
            s.add(action, RDF.type, self.uaeu.Action, pg)
            s.add(action, self.uaeu.actionNumber, Literal(str(n)), pg)
            s.add(action, DCTERMS.title, Literal(f"Action {n} of {slug}", lang="en"), pg)
            s.add(action, self.uaeu.pillar, mint.concept("pillar", rng.choice(PILLARS)), pg)
            s.add(action, self.uaeu.leader, mint.instance("organisation", rng.choice(members)), pg)
            s.add(action, DCTERMS.isPartOf, plan, pg)
            s.add(action, DCTERMS.source, mint.instance("source", srcs[-1]), pg)
            s.add(plan, DCTERMS.hasPart, action, pg)


def generate(triples: int, seed: int = SEED) -> Generator:
    """Add partnerships until the union holds at least `triples` distinct triples."""
    gen = Generator(seed)
    while len(gen.sink.triples) < triples:
        gen.partnership()
    return gen


def parse_size(text: str) -> int:
    """'10k' -> 10_000, '1M' -> 1_000_000, '2500' -> 2500."""
    text = text.strip()
    factor = {"k": 1_000, "K": 1_000, "m": 1_000_000, "M": 1_000_000}.get(text[-1:], 1)
    return int(float(text[:-1] if factor > 1 else text) * factor)


def write_build(out: Path, triples: int, seed: int = SEED) -> dict[str, Any]:
    """Generate and write a full build folder at `out`; seconds per stage and the counts."""
    timings: dict[str, float] = {}
    mark = time.perf_counter()
    gen = generate(triples, seed)
    timings["generate"] = time.perf_counter() - mark
    mark = time.perf_counter()
    ordered = Ordered.of(gen.sink.quads)
    files = ordered.serialise(prefixes(gen.mint.base))
    release = release_id("synthetic", files["nq"])
    timings["serialise"] = time.perf_counter() - mark
    counts = {
        "triples": len(gen.sink.triples),
        "quads": len(ordered),
        "named_graphs": ordered.graphs(),
        "partnerships": gen.partnerships,
        "organisations": len(gen.orgs),
        "places": len(gen.cities),
        "memberships": sum(1 for t in gen.sink.triples if t[1] == ORG.member),
    }
    report = {"release": release, "base": gen.mint.base, "counts": counts, "synthetic": {"seed": seed, "target_triples": triples}}
    mark = time.perf_counter()
    md = "# Synthetic build\n\n" + "\n".join(f"- {k}: {v}" for k, v in counts.items()) + "\n"
    write_release(out, files, report, md)
    timings["write"] = time.perf_counter() - mark
    return {"timings": timings, "counts": counts, "release": release, "bytes": {k: len(v) for k, v in files.items()}}


if __name__ == "__main__":
    import argparse
    import json

    parser = argparse.ArgumentParser(description="Write a synthetic build folder (deterministic for a seed).")
    parser.add_argument("size", help="target triples: 10k, 100k, 1M, ...")
    parser.add_argument("--build", required=True, metavar="DIR", help="the build folder to write")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    print(json.dumps(write_build(Path(args.build), parse_size(args.size), args.seed), indent=2))
