"""``make fuzz``: schemathesis over every operation of the OpenAPI document with all checks, against
the real server (uvicorn, a separate process) on SQLite and on PostgreSQL.

Bounded: ``--max-examples`` cases per operation and phase, and a wall-clock cap per database. Prints
one JSON object with the counts per database; exits 1 when any run found a failure or an error.
The test suite runs the same ``fuzz()`` with a few examples (tests/http/test_fuzz.py).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from .servers import database, uvicorn_process

CHECKS = "all"
CONFIG = Path(__file__).with_name("schemathesis.toml")  # the documented exceptions


def fuzz(
    base: str, max_examples: int, seed: int = 0, workers: int = 2, time_cap: float = 900
) -> dict[str, Any]:
    """Run schemathesis against ``base`` (its /openapi.json); the run's JSON report plus the tail of
    the console output (the failures, with curl commands to reproduce them)."""
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        command = [
            str(Path(sys.executable).with_name("schemathesis")), "--config-file", str(CONFIG),
            "run", f"{base}/openapi.json",
            "--checks", CHECKS, "--max-examples", str(max_examples), "--seed", str(seed),
            "--workers", str(workers), "--no-color", "--request-timeout", "60",
            "--generation-database", "none", "--report", "json", "--report-json-path", str(report),
        ]  # fmt: skip
        run = subprocess.run(command, capture_output=True, text=True, timeout=time_cap, cwd=tmp)
        result: dict[str, Any] = (
            json.loads(report.read_text()) if report.exists() else {"exit_code": run.returncode}
        )
    result["output_tail"] = "\n".join(run.stdout.splitlines()[-60:])
    return result


def summary(result: dict[str, Any]) -> dict[str, Any]:
    cases = result.get("test_cases", {})
    return {
        "operations_tested": result.get("operations", {}).get("tested"),
        "test_cases": cases.get("generated"),
        "failures": cases.get("unique_failures"),
        "errors": len(result.get("errors", [])),
        "exit_code": result.get("exit_code"),
        "seconds": round(result.get("running_time", 0.0), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--max-examples", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--databases", default="sqlite,postgresql")
    args = parser.parse_args()
    report: dict[str, Any] = {"max_examples": args.max_examples, "seed": args.seed, "checks": CHECKS}
    failed = False
    for kind in args.databases.split(","):
        with (
            tempfile.TemporaryDirectory() as tmp,
            database(kind, Path(tmp)) as url,
            uvicorn_process({"SALESCOACH_DATABASE_URL": url, "SALESCOACH_LOG_LEVEL": "WARNING"}) as server,
        ):
            result = fuzz(server.base, args.max_examples, args.seed)
        report[kind] = summary(result)
        if result.get("exit_code") != 0:
            failed = True
            print(result["output_tail"], file=sys.stderr)
    print(json.dumps(report, indent=2))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
