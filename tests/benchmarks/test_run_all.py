"""The benchmark runner's plumbing: figures to JSON, JSON to the README's table, nothing left behind."""

import json
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import readme_table  # noqa: E402
import results  # noqa: E402
import run_all  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore")


def a_report(**figure) -> dict:
    recorded = results.Results("close")
    recorded.add(
        "close, break-even",
        figure.get("value", 9.5),
        "s",
        database="sqlite",
        data="2,000 houses",
        baseline="SUM per house",
        baseline_value=2.0,
        goal="<= 15 s",
        met=figure.get("value", 9.5) <= 15,
    )
    figures = [{**vars(f), "ratio": f.ratio} for f in recorded.figures]
    run = {"date": "2026-11-30T18:00:00+00:00", "size": "full", "commit": "abc1234", "cores": 2}
    return {"run": {**run, "load_average_at_end": [3.1, 2.0, 1.0]}, "failures": [], "figures": figures}


def test_a_figure_carries_its_ratio_to_the_same_run_baseline(tmp_path):
    recorded = results.Results("import")
    recorded.add("engine", 77.0, "s", database="postgresql", baseline="COPY", baseline_value=50.0)
    recorded.write(str(tmp_path / "out.json"))

    (written,) = json.loads((tmp_path / "out.json").read_text())
    assert written["ratio"] == pytest.approx(1.54)
    assert written["database"] == "postgresql"


def test_the_table_names_result_baseline_ratio_and_goal():
    table = readme_table.render_table(a_report(value=9.5))

    assert "run_all --full" in table and "abc1234" in table
    assert (
        "| close | close, break-even (2,000 houses) | sqlite | 9.5 s | SUM per house: 2 s | 4.75 | <= 15 s (met) |"
        in table
    )


def test_a_missed_goal_says_so():
    assert "<= 15 s (NOT met)" in readme_table.render_table(a_report(value=16.0))


def test_the_readme_is_rewritten_only_between_its_markers(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(f"intro\n{readme_table.BEGIN}\nold table\n{readme_table.END}\noutro\n")

    readme_table.update_readme(readme, a_report())

    text = readme.read_text()
    assert text.startswith("intro\n") and text.endswith("\noutro\n")
    assert "old table" not in text and "close, break-even" in text


def test_every_benchmark_in_the_suite_exists_and_takes_json_and_full():
    for _name, script, _databases in run_all.SUITE:
        source = (BENCHMARKS / script).read_text()
        assert "add_json_argument(parser)" in source, script
        assert '"--full"' in source, script
