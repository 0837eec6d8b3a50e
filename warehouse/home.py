"""Where a pipeline home keeps its files: every file the pipeline writes is under one folder."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_HOME = "kvp-home"
HOME_VARIABLE = "KVP_HOME"


@dataclass(frozen=True)
class Home:
    root: Path

    @classmethod
    def resolve(cls, option: str | os.PathLike | None = None) -> "Home":
        """The option, else $KVP_HOME, else ./kvp-home."""
        chosen = option or os.environ.get(HOME_VARIABLE) or DEFAULT_HOME
        return cls(Path(chosen).expanduser().resolve())

    @property
    def warehouse(self) -> Path:
        return self.root / "warehouse.duckdb"

    @property
    def published(self) -> Path:
        return self.root / "published"

    @property
    def catalog(self) -> Path:
        return self.published / "catalog.json"

    @property
    def staging(self) -> Path:
        """Scratch files of runs in progress (a release's claims); removed when a run ends."""
        return self.root / "staging"

    @property
    def prefect(self) -> Path:
        return self.root / "prefect"

    def create(self) -> "Home":
        self.root.mkdir(parents=True, exist_ok=True)
        self.published.mkdir(exist_ok=True)
        self.prefect.mkdir(exist_ok=True)
        return self
