"""Runs every benchmark on each database it applies to and writes one JSON result file.

    benchmarks/run_all [--full] [--only import close ...] [--databases sqlite postgresql]
                       [--output benchmarks/results.json] [--update-readme]

Small sizes by default (a few minutes in all); ``--full`` runs the issues' sizes (2,000 houses,
millions of readings). Each benchmark runs as its own process with ``TMPDIR`` pointing at a folder
of this run, removed at the end, so nothing stays in the temporary folder even when one fails.
``--update-readme`` rewrites the README's benchmark table from the result file.
"""

import argparse
import datetime as dt
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent
ROOT = BENCHMARKS.parent
sys.path.insert(0, str(BENCHMARKS))

from readme_table import update_readme  # noqa: E402

POSTGRES_URL = os.environ.get("LEG_BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
# (name, script, databases it runs on; "none" when it needs no database of its own)
SUITE = [
    ("import", "bench_import.py", ("sqlite", "postgresql")),
    ("close", "bench_close.py", ("sqlite", "postgresql")),
    ("admin", "bench_admin.py", ("sqlite", "postgresql")),
    ("period_page", "bench_period_page.py", ("sqlite", "postgresql")),
    ("ingest", "bench_ingest.py", ("sqlite", "postgresql")),
    ("pdf", "bench_pdf.py", ("none",)),
    ("xlsx_memory", "bench_xlsx_memory.py", ("sqlite",)),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--full", action="store_true", help="the issues' full sizes (long)")
    parser.add_argument("--only", nargs="+", choices=[name for name, _, _ in SUITE], help="run only these")
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgresql"], choices=["sqlite", "postgresql"])
    parser.add_argument("--output", type=Path, default=BENCHMARKS / "results.json")
    parser.add_argument("--update-readme", action="store_true", help="rewrite the README's table from --output")
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="legbilling-run-all-"))
    started = time.perf_counter()
    try:
        runs = [run_one(name, script, database, args.full, scratch) for name, script, database in planned(args)]
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    report = {
        "run": run_description(args.full, time.perf_counter() - started),
        "failures": [run for run in runs if run["exit_code"] != 0],
        "figures": [figure for run in runs for figure in run.pop("figures")],
    }
    args.output.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"\n{len(report['figures'])} figures from {len(runs)} runs written to {args.output}")
    for failure in report["failures"]:
        print(f"FAILED: {failure['benchmark']} on {failure['database']} (exit {failure['exit_code']})")
    if args.update_readme:
        update_readme(ROOT / "README.md", report)
        print("README.md's benchmark table rewritten")
    return 1 if report["failures"] else 0


def planned(args):
    for name, script, databases in SUITE:
        if args.only and name not in args.only:
            continue
        for database in databases:
            if database == "none" or database in args.databases:
                yield name, script, database


def run_one(name: str, script: str, database: str, full: bool, scratch: Path) -> dict:
    json_path = scratch / f"{name}-{database}.json"
    command = [sys.executable, str(BENCHMARKS / script), "--json", str(json_path), *(["--full"] if full else [])]
    environment = {**os.environ, "TMPDIR": str(scratch)}
    environment.pop("DATABASE_URL", None)
    if database == "postgresql":
        environment["DATABASE_URL"] = POSTGRES_URL
    print(f"\n=== {name} on {database}: {' '.join(command[1:])}", flush=True)
    began = time.perf_counter()
    exit_code = subprocess.run(command, cwd=ROOT, env=environment, check=False).returncode
    figures = json.loads(json_path.read_text(encoding="utf-8")) if json_path.exists() else []
    seconds = round(time.perf_counter() - began, 1)
    return {"benchmark": name, "database": database, "exit_code": exit_code, "seconds": seconds, "figures": figures}


def run_description(full: bool, seconds: float) -> dict:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    return {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "size": "full" if full else "small",
        "commit": commit.stdout.strip(),
        "host": socket.gethostname(),
        "cores": os.cpu_count(),
        "load_average_at_end": [round(load, 2) for load in os.getloadavg()],
        "seconds": round(seconds, 1),
    }


if __name__ == "__main__":
    sys.exit(main())
