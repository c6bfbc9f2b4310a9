"""Benchmark figures with their same-run baseline and goal, printed and collected for ``run_all``.

Every ``bench_*.py`` takes ``--json PATH`` (``add_json_argument``) and records each figure with
``Results.add``; ``run_all`` reads those files into one result file and the README's table.
"""

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path


def database_vendor() -> str:
    url = os.environ.get("DATABASE_URL", "")
    return "postgresql" if url.startswith(("postgres://", "postgresql://")) else "sqlite"


def number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"


def verdict(met: bool | None) -> str:
    """None: the goal is set for another size than this run's, so it is not judged here."""
    return {True: "met", False: "NOT met", None: "judged at full size only"}[met]


@dataclass
class Figure:
    benchmark: str
    case: str
    value: float
    unit: str
    database: str
    data: str = ""
    baseline: str = ""
    baseline_value: float | None = None
    goal: str = ""
    met: bool | None = None

    @property
    def ratio(self) -> float | None:
        if not self.baseline_value:
            return None
        return self.value / self.baseline_value

    def line(self) -> str:
        text = f"{self.case}: {number(self.value)} {self.unit}"
        if self.ratio is not None:
            text += f" (baseline {self.baseline}: {number(self.baseline_value)} {self.unit}, ratio {self.ratio:.2f})"
        if self.goal:
            text += f"; goal {self.goal}: {verdict(self.met)}"
        return text


@dataclass
class Results:
    benchmark: str
    figures: list[Figure] = field(default_factory=list)

    def add(self, case: str, value: float, unit: str, **details) -> Figure:
        """Records and prints one figure; ``details`` are Figure's optional fields."""
        details.setdefault("database", database_vendor())
        figure = Figure(benchmark=self.benchmark, case=case, value=float(value), unit=unit, **details)
        self.figures.append(figure)
        print(f"[result] {figure.line()}", flush=True)
        return figure

    def write(self, path: str | None) -> None:
        if not path:
            return
        records = [{**asdict(figure), "ratio": figure.ratio} for figure in self.figures]
        Path(path).write_text(json.dumps(records, indent=2), encoding="utf-8")


def add_json_argument(parser) -> None:
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON (used by run_all)")
