"""Three releases built from three versions of the curated data, for the archive's diff and citation tests.

1. the data with Security in Public Spaces starting in 2018-12 (a date the curators later corrected);
2. the same, plus a membership: the City of Gdynia joins the Housing partnership (member, stated,
   source gdynia-um-2018);
3. the start corrected back to 2018-11-14, and Sofia Municipality's English name changed.

So 1 -> 2 changes exactly one fact-group (a membership added) and 2 -> 3 exactly two (a date and a label).
"""

from __future__ import annotations

import csv
import shutil
from dataclasses import dataclass
from pathlib import Path

from graph.builder.pipeline import build
from graph.config import PROJECT_ROOT, Settings
from graph.release import Release

SPS_START = "  start:\n    date: '2018-11-14'\n    certainty: stated\n    sources:\n    - agenziacoesione-cch-2018\n    - efus-sps-2018\n"
NEW_MEMBERSHIP = ["housing--gdynia-city", "housing", "gdynia-city", "member", "stated", "", "", "gdynia-um-2018", ""]
SOFIA_LABEL = "Sofia Municipality (relabelled)"
JOINED_EN = "City of Gdynia joined Housing as Member (source: gdynia-um-2018)"
DATE_EN = "Security in Public Spaces start corrected from 2018-12 to 2018-11-14"
LABEL_EN = f"{SOFIA_LABEL}: name (en) changed from “Sofia Municipality” to “{SOFIA_LABEL}”"


def data_version(root: Path, version: int) -> Path:
    """A copy of data/ changed as version `version` (1, 2 or 3) says."""
    data = root / f"data-{version}"
    shutil.copytree(PROJECT_ROOT / "data", data)
    partnerships = data / "partnerships.yaml"
    text = partnerships.read_text(encoding="utf-8")
    assert text.count(SPS_START) == 1, "the fixture's anchor in partnerships.yaml moved"
    if version < 3:
        partnerships.write_text(text.replace(SPS_START, SPS_START.replace("'2018-11-14'", "'2018-12'")), encoding="utf-8")
    if version >= 2:
        with (data / "memberships.csv").open("a", encoding="utf-8", newline="") as handle:
            csv.writer(handle).writerow(NEW_MEMBERSHIP)
    if version >= 3:
        table = data / "organisations.csv"
        with table.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        for row in rows:
            if row["id"] == "sofia-municipality":
                row["name_en"] = SOFIA_LABEL
        with table.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    return data


@dataclass(frozen=True)
class Archive:
    build_dir: Path
    root: Path
    releases: tuple[Release, ...]


def build_version(root: Path, build_dir: Path, version: int) -> Release:
    build(Settings(build_dir=build_dir, data_dir=data_version(root, version)))
    return Release.open(build_dir)


def three_releases(root: Path) -> Archive:
    build_dir = root / "build"
    releases = tuple(build_version(root, build_dir, version) for version in (1, 2, 3))
    assert len({r.id for r in releases}) == 3
    return Archive(build_dir, root, releases)
