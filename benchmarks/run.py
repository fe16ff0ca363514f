"""`make bench`: whole-process timings of actiontrack on synthetic repositories, beside the floors it is held to.

For N = 1,000 and 10,000 actions (and 50,000 with BENCH_FULL=1) it generates a repository with
benchmarks/generate.py, then times in one run, as medians of several runs of whole processes:

  python -c pass, python -c "import typer"           start-up floors (typer is the CLI framework)
  actiontrack --version, status (bundled plans)       against the typer floor
  C-libyaml parse                                      PyYAML's CSafeLoader over the same bytes: the parse floor
  actiontrack lint, cold (empty cache) and warm       against the parse floor; warm = nothing changed
  actiontrack lint after one file changed              informative
  yamllint                                             the linter a user already runs, on the same tree
  actiontrack report --format html (cold and warm)
  peak RSS                                             of the process and its workers together

It prints a table with ratios and the budgets, and writes benchmarks/RESULTS.md with the machine it ran on.
Machines are shared and noisy: compare the ratios, which are measured in the same run.

Usage: python benchmarks/run.py [--sizes 1000,10000] [--repeats 5] [--out benchmarks/RESULTS.md]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate, generate_history

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
AS_OF = "2024-05-01"
FLOOR_SCRIPT = """
import os, sys, yaml
for folder, _, names in os.walk(sys.argv[1]):
    for name in names:
        if name.endswith(".yaml"):
            with open(os.path.join(folder, name), "rb") as handle:
                yaml.load(handle.read(), Loader=yaml.CSafeLoader)
"""


@dataclass
class Measure:
    label: str
    seconds: list[float] = field(default_factory=list)
    peak_rss: int = 0  # bytes, all processes of the run together
    exit_codes: set[int] = field(default_factory=set)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


def _tree_rss(pid: int) -> int:
    """Memory of a process and all its descendants, from /proc (0 where there is no /proc).

    Each process counts its proportional set size (Pss): forked workers share their parent's pages, and adding
    up plain RSS would count those pages once per process."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            with open(f"/proc/{current}/smaps_rollup") as handle:
                for line in handle:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1]) * 1024
                        break
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as handle:
                    stack.extend(int(child) for child in handle.read().split())
        except (OSError, ValueError):
            continue
    return total


def run_once(command: list[str], cwd: Path, env: dict[str, str], terminal: bool = False) -> tuple[float, int, int]:
    """(seconds, peak RSS of the process tree, exit code) of one whole-process run; output is discarded (with
    `terminal`, written to a pseudo-terminal, as in an officer's shell, and read away)."""
    import pty

    reader = writer = None
    out: int = subprocess.DEVNULL
    if terminal:
        reader, writer = pty.openpty()
        out = writer
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=out)
    if writer is not None:
        os.close(writer)
        drain = threading.Thread(target=_drain, args=(reader,), daemon=True)
        drain.start()
    peak = 0
    finished = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not finished.is_set():
            peak = max(peak, _tree_rss(process.pid))
            finished.wait(0.01)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    finished.set()
    sampler.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    if reader is not None:
        drain.join(1)
        os.close(reader)
    # a run too short for the sampler still has its own peak from the kernel (kilobytes on Linux)
    peak = max(peak, usage.ru_maxrss * 1024)
    return elapsed, peak, process.returncode


def _drain(descriptor: int) -> None:
    try:
        while os.read(descriptor, 65536):
            pass
    except OSError:  # the terminal closed when the process ended
        pass


def measure(
    label: str,
    command: list[str],
    cwd: Path,
    env: dict[str, str],
    repeats: int,
    before_each: callable | None = None,  # type: ignore[valid-type]
    terminal: bool = False,
) -> Measure:
    result = Measure(label)
    for _ in range(repeats):
        if before_each is not None:
            before_each()
        seconds, rss, code = run_once(command, cwd, env, terminal)
        result.seconds.append(seconds)
        result.peak_rss = max(result.peak_rss, rss)
        result.exit_codes.add(code)
    print(f"  {label:<44} {result.median * 1000:9.0f} ms  {result.peak_rss / 2**20:7.0f} MB", file=sys.stderr)
    return result


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f", {int(line.split()[1]) / 2**20:.0f} GiB RAM"
    except OSError:
        pass
    versions = ", ".join(
        f"{name} {metadata.version(name)}"
        for name in ("actiontrack", "typer", "pydantic", "ruamel.yaml", "rich", "jinja2", "PyYAML", "yamllint")
    )
    return (
        f"{cpu}, {os.cpu_count()} cores{memory}; {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}; {versions}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    full = os.environ.get("BENCH_FULL") == "1"
    parser.add_argument("--sizes", default="1000,10000,50000" if full else "1000,10000")
    parser.add_argument("--repeats", type=int, default=5, help="runs per measurement (fewer for the slowest)")
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "RESULTS.md")
    parser.add_argument(
        "--history-only", action="store_true", help="only the git history measures (issue 17), printed, not written"
    )
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",") if size.strip()]  # --sizes "": start-up only
    actiontrack = str(BIN / "actiontrack")
    python = sys.executable
    rows: list[tuple[str, str, str, str]] = []  # (what, measured, budget, verdict)
    tables: list[str] = []

    with tempfile.TemporaryDirectory(prefix="actiontrack-bench-") as tmp:
        cache = Path(tmp) / "cache"
        env = {**os.environ, "ACTIONTRACK_CACHE_DIR": str(cache), "NO_COLOR": "1"}
        env.pop("ACTIONTRACK_NO_CACHE", None)

        def clear_cache() -> None:
            shutil.rmtree(cache, ignore_errors=True)

        history_rows, history_tables = _history(Path(tmp), actiontrack, env, args.repeats, sizes)
        if args.history_only:
            print(_results(history_rows, history_tables, " ".join(sys.argv[1:]).strip()))
            return 0
        rows += history_rows
        tables += history_tables

        print("start-up", file=sys.stderr)
        repeats = max(args.repeats, 11)  # start-up is quick and noisy: more runs
        startup = {
            "pass": measure("python -c pass", [python, "-c", "pass"], REPO, env, repeats),
            "typer": measure('python -c "import typer"', [python, "-c", "import typer"], REPO, env, repeats),
            "version": measure("actiontrack --version", [actiontrack, "--version"], REPO, env, repeats),
            # shell completion: what a Tab press costs (the program runs once per press)
            "complete": measure(
                "actiontrack completion of `lint --format g`",
                [actiontrack],
                REPO,
                {**env, "_ACTIONTRACK_COMPLETE": "complete_zsh", "_TYPER_COMPLETE_ARGS": "actiontrack lint --format g"},
                repeats,
            ),
        }
        bundled = REPO / "plans"
        status_cmd = [actiontrack, "status", str(bundled), "--as-of", AS_OF]
        startup["status-cold"] = measure(
            "actiontrack status, bundled plans, no cache",
            [actiontrack, "--no-cache", *status_cmd[1:]],
            REPO,
            env,
            repeats,
        )
        run_once(status_cmd, REPO, env)  # fill the cache
        startup["status"] = measure("actiontrack status, bundled plans", status_cmd, REPO, env, repeats)
        run_once(status_cmd, REPO, env, terminal=True)  # its output differs in a terminal (colour): fill the cache
        startup["status-pty"] = measure(
            "actiontrack status, bundled plans, in a terminal", status_cmd, REPO, env, repeats, terminal=True
        )
        floor = startup["typer"].median
        version_ratio = startup["version"].median / floor
        status_ratio = startup["status"].median / floor
        rows.append(("`--version` / `import typer`", f"{version_ratio:.2f}x", "≤ 1.3x", _verdict(version_ratio <= 1.3)))
        complete_ratio = startup["complete"].median / floor
        rows.append(
            ("Tab completion / `import typer`", f"{complete_ratio:.2f}x", "≤ 1.3x", _verdict(complete_ratio <= 1.3))
        )
        rows.append(
            ("`status` (bundled) / `import typer`", f"{status_ratio:.2f}x", "≤ 2.5x", _verdict(status_ratio <= 2.5))
        )
        pty_ratio = startup["status-pty"].median / floor
        rows.append(
            (
                "`status` (bundled, in a terminal) / `import typer`",
                f"{pty_ratio:.2f}x",
                "≤ 2.5x",
                _verdict(pty_ratio <= 2.5),
            )
        )
        cold_status_ratio = startup["status-cold"].median / floor
        rows.append(("`status` (bundled, `--no-cache`) / `import typer`", f"{cold_status_ratio:.2f}x", "-", "info"))
        tables.append(_table("Start-up", list(startup.values()), floor, "import typer"))

        print("corpus of broken and hostile inputs", file=sys.stderr)
        rows.append(_corpus_row(Path(tmp) / "corpus"))

        for size in sizes:
            repo = Path(tmp) / f"repo-{size}"
            generate(size, repo)
            plans = repo / "plans"
            slow = max(1, args.repeats // 2) if size >= 10_000 else args.repeats
            print(f"{size:,} actions", file=sys.stderr)
            lint = [actiontrack, "lint", "--as-of", AS_OF]
            report = [actiontrack, "report", "--format", "html", "--out", str(Path(tmp) / "site"), "--as-of", AS_OF]
            found = {
                "floor": measure(
                    "C-libyaml parse (PyYAML CSafeLoader)", [python, "-c", FLOOR_SCRIPT, str(plans)], repo, env, slow
                ),
                "lint-cold": measure("actiontrack lint, cold (empty cache)", lint, repo, env, slow, clear_cache),
            }
            run_once(lint, repo, env)
            found["lint-warm"] = measure("actiontrack lint, warm (nothing changed)", lint, repo, env, args.repeats)
            touched = sorted((plans / "area-0001" / "actions").iterdir())[0]
            original = touched.read_bytes()

            def edit_one(path: Path = touched, original: bytes = original) -> None:
                path.write_bytes(original + f"# edited {time.perf_counter_ns()}\n".encode())

            found["lint-one"] = measure("actiontrack lint, one file changed", lint, repo, env, args.repeats, edit_one)
            status = [actiontrack, "status", "--as-of", AS_OF]
            run_once(status, repo, env)  # the loop measured is "look, edit one file, look again": a first look
            found["status-one"] = measure(
                "actiontrack status, one file changed", status, repo, env, args.repeats, edit_one
            )
            run_once(report, repo, env)  # a report to rebuild
            found["report-one"] = measure(
                "actiontrack report --format html, one file changed", report, repo, env, args.repeats, edit_one
            )
            touched.write_bytes(original)
            run_once([actiontrack, "status", "--as-of", AS_OF], repo, env)  # warm: the output is cached
            found["status"] = measure(
                "actiontrack status, warm", [actiontrack, "status", "--as-of", AS_OF], repo, env, slow
            )
            found["report-cold"] = measure(
                "actiontrack report --format html, cold", report, repo, env, slow, clear_cache
            )
            found["report-warm"] = measure("actiontrack report --format html, warm", report, repo, env, slow)
            yamllint_runs = 1 if size >= 10_000 else slow  # over a minute a run at 10,000 files
            found["yamllint"] = measure(
                "yamllint (default config)", [str(BIN / "yamllint"), "plans"], repo, env, yamllint_runs
            )
            base = found["floor"].median
            tables.append(
                _table(
                    f"{size:,} actions ({sum(1 for _ in plans.rglob('*.yaml')):,} files)",
                    list(found.values()),
                    base,
                    "C parse",
                )
            )
            if size == 10_000:
                for key, name in (("status-one", "`status`"), ("lint-one", "`lint`")):
                    value = found[key].median
                    ratio = value / base
                    rows.append(
                        (
                            f"{name} 10,000, one file changed",
                            f"{value:.2f} s ({ratio:.2f}x floor)",
                            "≤ 1.0 s and ≤ 0.25x",
                            _verdict(value <= 1.0 and ratio <= 0.25),
                        )
                    )
                value = found["report-one"].median
                rows.append(
                    ("`report --format html` 10,000, one file changed", f"{value:.1f} s", "≤ 3 s", _verdict(value <= 3))
                )
                ratio = found["report-cold"].median / base
                rows.append(
                    (
                        "`report --format html` 10,000 cold / C-parse floor",
                        f"{ratio:.2f}x",
                        "≤ 2x",
                        _verdict(ratio <= 2),
                    )
                )
                cold = found["lint-cold"].median / base
                rows.append(("`lint` 10,000 cold / C-parse floor", f"{cold:.2f}x", "≤ 3x", _verdict(cold <= 3)))
                warm = found["lint-warm"].median
                rows.append(("`lint` 10,000 warm", f"{warm:.2f} s", "< 0.5 s", _verdict(warm < 0.5)))
                faster = found["yamllint"].median / found["lint-cold"].median
                rows.append(("yamllint / `lint` cold, 10,000", f"{faster:.1f}x faster", "> 1x", _verdict(faster > 1)))
                report_s = found["report-cold"].median
                rows.append(
                    ("`report --format html` 10,000, cold", f"{report_s:.1f} s", "< 10 s", _verdict(report_s < 10))
                )
            if size in (10_000, 50_000):
                limit = 300 if size == 10_000 else 1024
                worst = max(
                    ((key, m) for key, m in found.items() if key not in ("floor", "yamllint")),
                    key=lambda i: i[1].peak_rss,
                )
                rows.append(
                    (
                        f"peak memory at {size:,}, any command (all processes, Pss)",
                        f"{worst[1].peak_rss / 2**20:.0f} MB ({worst[0]})",
                        f"≤ {limit} MB",
                        _verdict(worst[1].peak_rss <= limit * 2**20),
                    )
                )

    text = _results(rows, tables, " ".join(sys.argv[1:]).strip())
    args.out.write_text(text, encoding="utf-8")
    print(text)
    return 0 if all(verdict != "**miss**" for *_, verdict in rows) else 1


def _history(
    tmp: Path, actiontrack: str, env: dict[str, str], repeats: int, sizes: list[int]
) -> tuple[list[tuple[str, str, str, str]], list[str]]:
    """Reading the plans' git history: a generated repository of 1,000 actions and 2,000 commits (`history ID`,
    `changes` across the last 50 commits, each changing another file); and `status --rev` at 10,000 actions against
    `status` on the folder, both reading every file (no cache)."""
    print("history: 1,000 actions, 2,000 commits", file=sys.stderr)
    rows: list[tuple[str, str, str, str]] = []
    repo = tmp / "history-1000"
    generate_history(1000, 2000, repo)
    found = {
        "history": measure(
            "actiontrack history 1.1 (50 events in 2,000 commits)",
            [actiontrack, "history", "1.1", "--plan", "area-0001"],
            repo,
            env,
            repeats,
        ),
        "changes": measure(
            "actiontrack changes --since HEAD~50 (50 files changed)",
            [actiontrack, "changes", "--since", "HEAD~50"],
            repo,
            env,
            repeats,
        ),
        "changes-json": measure(
            "actiontrack changes --since HEAD~50 --json",
            [actiontrack, "changes", "--since", "HEAD~50", "--json"],
            repo,
            env,
            repeats,
        ),
    }
    for key, label in (("history", "`history ID`, 2,000 commits"), ("changes", "`changes` across 50 files")):
        value = found[key].median
        rows.append((label, f"{value:.2f} s", "≤ 1 s", _verdict(value <= 1)))
    tables = [_table("History: 1,000 actions, 2,000 commits", list(found.values()), 1.0, "1 s")]
    if 10_000 in sizes:
        print("history: status --rev at 10,000 actions", file=sys.stderr)
        big = tmp / "history-10000"
        generate(10_000, big)
        for command in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "plans"]):
            subprocess.run(
                ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.org", *command], cwd=big, check=True
            )
        slow = max(1, repeats // 2)
        folder = measure(
            "actiontrack status (folder, no cache)",
            [actiontrack, "--no-cache", "status", "--as-of", AS_OF],
            big,
            env,
            slow,
        )
        revision = measure(
            "actiontrack status --rev HEAD (no cache)",
            [actiontrack, "--no-cache", "status", "--rev", "HEAD", "--as-of", AS_OF],
            big,
            env,
            slow,
        )
        ratio = revision.median / folder.median
        rows.append(("`status --rev` / `status`, 10,000", f"{ratio:.2f}x", "≤ 1.2x", _verdict(ratio <= 1.2)))
        tables.append(_table("status --rev, 10,000 actions", [folder, revision], folder.median, "status"))
    return rows, tables


def _corpus_row(folder: Path) -> tuple[str, str, str, str]:
    """Each case of tests/corpus run once, one at a time: its wall time (the tests only guard against a hang;
    speed is measured here)."""
    sys.path.insert(0, str(REPO))
    from tests.test_corpus import CASES, run_case

    scratch = folder / "scratch"
    scratch.mkdir(parents=True)
    walls = sorted((run_case(case, folder / case["name"], scratch).wall, case["name"]) for case in CASES)
    slowest, name = walls[-1]
    median = statistics.median(wall for wall, _ in walls)
    measured = f"median {median:.2f} s, slowest {slowest:.2f} s ({name})"
    return (f"corpus, {len(walls)} cases: wall time of one case", measured, "< 2 s", _verdict(slowest < 2))


def _verdict(ok: bool) -> str:
    return "met" if ok else "**miss**"


def _table(title: str, measures: list[Measure], base: float, base_name: str) -> str:
    lines = [
        f"### {title}",
        "",
        f"| command | median | vs {base_name} | peak memory | runs |",
        "|---|---:|---:|---:|---:|",
    ]
    for m in measures:
        codes = "" if m.exit_codes <= {0, 1} else f" (exit {sorted(m.exit_codes)})"
        lines.append(
            f"| {m.label}{codes} | {m.median * 1000:,.0f} ms | {m.median / base:.2f}x | "
            f"{m.peak_rss / 2**20:,.0f} MB | {len(m.seconds)} |"
        )
    return "\n".join(lines)


def _results(rows: list[tuple[str, str, str, str]], tables: list[str], arguments: str) -> str:
    budget = ["| budget | measured | target | |", "|---|---:|---:|---|"]
    budget += [f"| {what} | {value} | {target} | {verdict} |" for what, value, target, verdict in rows]
    return "\n".join(
        [
            "# Benchmark results",
            "",
            f"Measured {dt.date.today().isoformat()} by `make bench` "
            f"(`python benchmarks/run.py{' ' + arguments if arguments else ''}`) "
            "on: " + machine() + ".",
            "",
            "Medians of whole-process runs; ratios are between commands measured in the same run. "
            "Cold = the cache emptied before each run; warm = nothing changed since the previous run. "
            "Peak memory adds up the proportional set size (Pss) of the process and its worker processes, "
            "sampled every 10 ms.",
            "",
            *budget,
            "",
            *[table + "\n" for table in tables],
        ]
    )


if __name__ == "__main__":
    sys.exit(main())
