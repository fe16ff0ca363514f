"""Shared fixtures: the bundled plans, and small plans repositories built in a temporary folder."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

# `ACTIONTRACK_NO_CACHE=1 make test` runs the whole suite with the cache off (cache.py reads the variable at each
# use): decided once, from the environment pytest was started with.
CACHE_OFF = os.environ.get("ACTIONTRACK_NO_CACHE", "").strip() not in ("", "0")


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory: pytest.TempPathFactory):
    """The CLI caches parsed files (cache.py); tests keep theirs in a temporary folder, not the user's home. The
    cache stays on unless ACTIONTRACK_NO_CACHE was set when pytest started; the tests of the cache itself (and the
    determinism tests, which turn it off) set what they need whichever way the suite runs."""
    os.environ["ACTIONTRACK_CACHE_DIR"] = str(tmp_path_factory.mktemp("actiontrack-cache"))
    if CACHE_OFF:
        os.environ["ACTIONTRACK_NO_CACHE"] = "1"
    else:
        os.environ.pop("ACTIONTRACK_NO_CACHE", None)
    yield


REPO = Path(__file__).resolve().parent.parent
BUNDLED_PLANS = REPO / "plans"
AS_OF = "2023-06-30"

# the example repository's owners and plan are the rules' (src/actiontrack/rules/examples.py): one copy
from actiontrack.rules.examples import OWNERS, PLAN  # noqa: E402

ACTION = """\
id: "1.a"
priority: "1"
title: Promote high design standards for new housing
what: Review policy as part of Local Plan refresh
owners: [planning-policy]
due: "2022/24"
milestones:
  - text: Commence refresh of local plan
outcome: Achieve high design standards for new homes
"""


def write_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content), encoding="utf-8")
    return root


@pytest.fixture
def make_repo(tmp_path):
    """Build a plans repository: make_repo({"plans/p/actions/1.b-x.yaml": "..."}) on top of a valid one-action plan."""

    def build(extra: dict[str, str | bytes] | None = None, *, base: bool = True) -> Path:
        files: dict[str, str | bytes] = {}
        if base:
            files = {
                "plans/owners.yaml": OWNERS,
                "plans/test-plan/plan.yaml": PLAN,
                "plans/test-plan/actions/1.a-promote.yaml": ACTION,
            }
        files.update(extra or {})
        return write_tree(tmp_path, files)

    return build


# ---- determinism: separate uncached processes under different hash seeds ----------------------------------------

# str hashes (so the iteration order of sets, and of dicts built from them) differ between these processes: output
# that depends on such an order differs between them too
HASH_SEEDS = ("1", "2", "random")


def installed_cli() -> str:
    script = Path(sys.executable).parent / "actiontrack"
    found = str(script) if script.exists() else shutil.which("actiontrack")
    assert found, "the actiontrack console script is not installed (pip install -e .)"
    return found


def uncached_env(seed: str, cache_probe: Path) -> dict[str, str]:
    """The environment of an uncached run: ACTIONTRACK_NO_CACHE=1, PYTHONHASHSEED=`seed`, ACTIONTRACK_CACHE_DIR at
    `cache_probe` (which must stay empty), and no variable of a CI (GITHUB_*, GITLAB_*, CI*: they change formats)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("ACTIONTRACK_", "GITHUB_", "GITLAB_", "CI"))
    }
    env.update(
        {
            "PYTHONHASHSEED": seed,
            "ACTIONTRACK_NO_CACHE": "1",
            "ACTIONTRACK_CACHE_DIR": str(cache_probe),
            "NO_COLOR": "1",
            "COLUMNS": "100",
            "TZ": "UTC",
        }
    )
    return env


def run_uncached(args: list[str], *, cwd: Path, seed: str, cache_probe: Path) -> subprocess.CompletedProcess[bytes]:
    """One run of the installed CLI as its own process, with `--no-cache` and uncached_env(seed, cache_probe)."""
    return subprocess.run(
        [installed_cli(), "--no-cache", *args],
        cwd=cwd,
        env=uncached_env(seed, cache_probe),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=120,
        check=False,
    )


def runs_under_each_seed(
    args: list[str], work: Path, *, cwd: Path | None = None
) -> dict[str, subprocess.CompletedProcess[bytes]]:
    """`args` run once per HASH_SEEDS value, as separate uncached processes (two at a time). Each runs in its own
    folder `work/seed-SEED` (so relative --out paths differ only by folder) unless `cwd` is given."""
    probe = work / "cache-probe"
    probe.mkdir(parents=True, exist_ok=True)

    def one(seed: str) -> subprocess.CompletedProcess[bytes]:
        folder = cwd or work / f"seed-{seed}"
        folder.mkdir(parents=True, exist_ok=True)
        return run_uncached(args, cwd=folder, seed=seed, cache_probe=probe)

    with ThreadPoolExecutor(2) as pool:
        results = dict(zip(HASH_SEEDS, pool.map(one, HASH_SEEDS), strict=True))
    assert list(probe.iterdir()) == [], "an uncached run wrote to the cache"
    return results


def assert_same_output(runs: dict[str, subprocess.CompletedProcess[bytes]]) -> bytes:
    """stdout, stderr and exit code byte-identical across the seeds' runs; returns the (one) stdout."""
    [first, *others] = runs
    for seed in others:
        assert runs[seed].stdout == runs[first].stdout, f"stdout differs: PYTHONHASHSEED={first} vs {seed}"
        assert runs[seed].stderr == runs[first].stderr, f"stderr differs: PYTHONHASHSEED={first} vs {seed}"
        assert runs[seed].returncode == runs[first].returncode, (first, seed)
    assert b"Traceback" not in runs[first].stderr, runs[first].stderr.decode()[-3000:]
    return runs[first].stdout


def tree_bytes(root: Path) -> dict[str, bytes]:
    """Every file under `root` (relative POSIX path -> bytes), and every folder (-> b"<dir>")."""
    return {
        path.relative_to(root).as_posix(): b"<dir>" if path.is_dir() else path.read_bytes()
        for path in sorted(root.rglob("*"))
    }
