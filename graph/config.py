"""Settings of a build: where the curated data, the model and the build live, and the base IRI.

Each setting has an environment variable, so the CLI, the tests and a server agree on them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_BASE = "https://w3id.org/uaeu/"


@dataclass(frozen=True)
class Settings:
    """Where things are. `base` is the one setting all IRIs derive from."""

    data_dir: Path = PROJECT_ROOT / "data"
    ontology_dir: Path = PROJECT_ROOT / "ontology"
    build_dir: Path = PROJECT_ROOT / "build"
    base: str = DEFAULT_BASE

    @classmethod
    def from_env(cls) -> Settings:
        """Defaults, overridden by UAEU_DATA_DIR, UAEU_ONTOLOGY_DIR, UAEU_BUILD_DIR and UAEU_BASE."""
        base = os.environ.get("UAEU_BASE", DEFAULT_BASE)
        if not base.endswith("/"):
            base += "/"
        return cls(
            data_dir=Path(os.environ.get("UAEU_DATA_DIR", cls.data_dir)),
            ontology_dir=Path(os.environ.get("UAEU_ONTOLOGY_DIR", cls.ontology_dir)),
            build_dir=Path(os.environ.get("UAEU_BUILD_DIR", cls.build_dir)),
            base=base,
        )
