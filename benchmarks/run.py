"""`make bench`: how fast actiontrack reads a large plans repository.

Builds N seed-shaped action files (copies of the bundled actions, renumbered) in a temporary folder, then times,
in one run and on the same files:
  - ruamel.yaml round-trip load (what a naive loader that needs line numbers would use),
  - ruamel.yaml safe load (no positions: the speed a position-less loader gets),
  - actiontrack's load_workspace (safe compose + positions + pydantic validation),
  - derive() of the loaded workspace,
  - run_lint() over the derived snapshot (every rule).
Prints the median of several repeats and the ratios. Machines are shared and noisy: compare ratios, not seconds.

Usage: python benchmarks/run.py [--actions N] [--repeats R]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from ruamel.yaml import YAML

from actiontrack.derive import derive
from actiontrack.lint import run_lint
from actiontrack.load import load_workspace

REPO = Path(__file__).resolve().parent.parent


def build(root: Path, count: int) -> list[Path]:
    """A plans repository with `count` actions in one plan, cloned from the bundled ones."""
    source = REPO / "plans"
    shutil.copy(source / "owners.yaml", root / "owners.yaml")
    plan = root / "big-plan"
    (plan / "actions").mkdir(parents=True)
    shutil.copy(source / "health-wellbeing-2022-23" / "plan.yaml", plan / "plan.yaml")
    templates = sorted((source / "health-wellbeing-2022-23" / "actions").glob("*.yaml"))
    paths = []
    for index in range(count):
        template = templates[index % len(templates)]
        text = template.read_text(encoding="utf-8")
        original_id = template.name.split("-", 1)[0]
        new_id = f"{original_id}{index}"
        text = text.replace(f'id: "{original_id}"', f'id: "{new_id}"', 1)
        path = plan / "actions" / f"{new_id}-{template.name.split('-', 1)[1]}"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def median_time(function: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--actions", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="actiontrack-bench-") as tmp:
        root = Path(tmp) / "plans"
        root.mkdir()
        paths = build(root, args.actions)

        def ruamel_rt() -> None:
            yaml = YAML(typ="rt")
            for path in paths:
                yaml.load(path.read_text(encoding="utf-8"))

        def ruamel_safe() -> None:
            yaml = YAML(typ="safe", pure=False)
            for path in paths:
                yaml.load(path.read_text(encoding="utf-8"))

        def actiontrack_load() -> None:
            workspace = load_workspace([root])
            assert not workspace.problems and len(workspace.actions) == args.actions

        workspace = load_workspace([root])

        def actiontrack_derive() -> None:
            derive(workspace, date(2023, 6, 30))

        snapshot = derive(workspace, date(2023, 6, 30))

        def actiontrack_lint() -> None:
            run_lint(snapshot)

        results = {
            "ruamel round-trip load": median_time(ruamel_rt, args.repeats),
            "ruamel safe load (no positions)": median_time(ruamel_safe, args.repeats),
            "actiontrack load_workspace": median_time(actiontrack_load, args.repeats),
            "actiontrack derive": median_time(actiontrack_derive, args.repeats),
            "actiontrack lint (all rules)": median_time(actiontrack_lint, args.repeats),
        }
    ours = results["actiontrack load_workspace"]
    print(f"{args.actions} action files, median of {args.repeats} runs")
    for name, seconds in results.items():
        print(f"  {name:34} {seconds * 1000:9.1f} ms  {seconds / args.actions * 1e6:7.1f} µs/file")
    print(f"  round-trip / actiontrack load    {results['ruamel round-trip load'] / ours:9.2f}x")
    print(f"  actiontrack load / safe load     {ours / results['ruamel safe load (no positions)']:9.2f}x")


if __name__ == "__main__":
    main()
