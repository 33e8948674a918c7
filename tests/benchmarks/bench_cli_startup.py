"""How fast the CLI starts: wall and CPU time of common commands, against `python -c pass`.

    .venv/bin/python tests/benchmarks/bench_cli_startup.py [RUNS]      (default 7)

Each command runs RUNS times as a fresh process; the median wall time and the median CPU time
(user + system, of the process alone) are printed with their ratio to `python -c pass`
measured in the same run, so figures from a busy or a quiet machine compare. The local
commands work on a throwaway SQLite database with the demo inbox. Prints figures; asserts
nothing.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def measure(argv: list[str], env: dict[str, str], runs: int) -> tuple[float, float]:
    """(median wall seconds, median CPU seconds) of `argv` run `runs` times."""
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        proc = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            code = proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            raise SystemExit(f"{' '.join(argv)} did not finish within 60 s") from None
        walls.append(time.perf_counter() - started)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        if code != 0:
            print(f"  ({' '.join(argv[-3:])} exited {code})")
    return statistics.median(walls), statistics.median(cpus)


def main(runs: int) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="cockpit-bench-cli-"))
    env = {**os.environ, "COCKPIT_DATA_DIR": str(tmp / "data"),
           "COCKPIT_CONFIG": str(tmp / "config.toml"), "COCKPIT_DB": f"sqlite:///{tmp / 'b.db'}"}
    for var in ("COCKPIT_SERVER", "COCKPIT_TOKEN"):
        env.pop(var, None)
    script = Path(sys.executable).with_name("cockpit")
    cockpit = [str(script)] if script.exists() else [sys.executable, "-m", "cockpit.cli"]
    subprocess.run([*cockpit, "demo"], env=env, check=True, stdout=subprocess.DEVNULL)

    complete = {**env, "_ARGCOMPLETE": "1", "COMP_LINE": "cockpit inbox li",
                "COMP_POINT": "16"}
    cases = [
        ("python -c pass", [sys.executable, "-c", "pass"], env),
        ("cockpit --help", [*cockpit, "--help"], env),
        ("cockpit --version", [*cockpit, "--version"], env),
        ("completion of `cockpit inbox li`", [*cockpit], complete),
        ("cockpit inbox count (local)", [*cockpit, "inbox", "count"], env),
        ("cockpit inbox list --limit 20 (local)", [*cockpit, "inbox", "list", "--limit", "20"],
         env),
        ("cockpit inbox get 2 (local)", [*cockpit, "inbox", "get", "2"], env),
    ]
    print(f"{'median of ' + str(runs) + ' runs':<40} {'wall':>8} {'x pass':>7} {'cpu':>8} "
          f"{'x pass':>7}")
    base_wall = base_cpu = 0.0
    for label, argv, case_env in cases:
        if label.startswith("completion"):
            # argcomplete writes the candidates to fd 8: give it one
            argv = ["bash", "-c", 'exec "$@" 8>/dev/null 9>/dev/null', "bash", *argv]
        wall, cpu = measure(argv, case_env, runs)
        if not base_wall:
            base_wall, base_cpu = wall, max(cpu, 1e-3)
        print(f"{label:<40} {wall:7.3f}s {wall / base_wall:6.1f}x {cpu:7.3f}s "
              f"{cpu / base_cpu:6.1f}x")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 7)
