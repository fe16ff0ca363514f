"""The package as a council's web team gets it, checked with the real clients: `python -m build` and `twine check`
on the distributions, the wheel installed into a fresh virtual environment running `init`, `lint` and `report` in a
new repository, pre-commit (`try-repo` on this repository's hooks, and the configuration `init` writes), and shell
completion in a real bash."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from actiontrack import __version__

from .conftest import REPO

BIN = Path(sys.executable).parent


def run(*args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None, timeout: int = 600):
    return subprocess.run(
        [str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env or os.environ
    )


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    built = run(sys.executable, "-m", "build", "--outdir", out, REPO)
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    return out


@pytest.fixture(scope="module")
def fresh(tmp_path_factory, dist) -> Path:
    """A new virtual environment with only the built wheel (and what it depends on) installed."""
    home = tmp_path_factory.mktemp("venv")
    venv.EnvBuilder(with_pip=True).create(home)
    [wheel] = dist.glob("*.whl")
    installed = run(home / "bin" / "python", "-m", "pip", "install", "--quiet", wheel)
    assert installed.returncode == 0, installed.stderr[-3000:]
    return home / "bin"


def test_distributions_build_and_pass_twine_check(dist):
    names = sorted(p.name for p in dist.iterdir())
    assert names == [f"actiontrack-{__version__}-py3-none-any.whl", f"actiontrack-{__version__}.tar.gz"]
    checked = run(BIN / "twine", "check", "--strict", *sorted(dist.iterdir()))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    [wheel] = dist.glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        files = set(archive.namelist())
        metadata = archive.read(f"actiontrack-{__version__}.dist-info/METADATA").decode()
    assert f"actiontrack-{__version__}.dist-info/licenses/LICENSE" in files
    assert "actiontrack/templates/init/.github/workflows/publish-report.yml" in files  # dot-folders are shipped
    assert "actiontrack/templates/html/static/style.css" in files
    for line in (
        "License-Expression: MIT",
        "Requires-Python: >=3.11",
        "Project-URL: Issues,",
        "Description-Content-Type",
    ):
        assert line in metadata, line
    assert f"Version: {__version__}\n" in metadata  # single-sourced from src/actiontrack/__init__.py


def test_the_wheel_in_a_fresh_environment_runs_init_lint_and_report(fresh, tmp_path):
    version = run(fresh / "actiontrack", "--version")
    assert version.returncode == 0 and __version__ in version.stdout
    repo = tmp_path / "council-plans"
    assert run(fresh / "actiontrack", "init", repo).returncode == 0
    lint = run(fresh / "actiontrack", "lint", cwd=repo)
    assert lint.returncode == 0 and lint.stdout.startswith("No findings"), lint.stdout + lint.stderr
    report = run(fresh / "actiontrack", "report", "--format", "html", "--out", "site", cwd=repo)
    assert report.returncode == 0, report.stderr
    assert (repo / "site" / "index.html").is_file() and (repo / "site" / "schemas" / "action.schema.json").is_file()
    assert run(fresh / "python", "-c", "import actiontrack.cli").returncode == 0


def _git_repository(folder: Path) -> None:
    for args in (
        ["init", "-q"],
        ["config", "user.email", "test@example.org"],
        ["config", "user.name", "Test"],
        ["add", "-A"],
        ["commit", "-qm", "init"],
    ):
        assert run("git", *args, cwd=folder).returncode == 0


def _pre_commit_env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"), "PATH": f"{BIN}:{os.environ['PATH']}"}


def test_pre_commit_try_repo_passes_and_fails_on_a_broken_file(tmp_path):
    repo = tmp_path / "council-plans"
    assert run(BIN / "actiontrack", "init", repo).returncode == 0
    # plans kept elsewhere: the hooks must still run on them
    (repo / "plans").rename(repo / "data")
    config = repo / "actiontrack.yaml"
    config.write_text(config.read_text().replace("plans: plans ", "plans: data  "))
    _git_repository(repo)
    env = _pre_commit_env(tmp_path)
    passed = run(BIN / "pre-commit", "try-repo", REPO, "actiontrack-lint", "--all-files", cwd=repo, env=env)
    assert passed.returncode == 0, passed.stdout[-3000:] + passed.stderr[-2000:]
    assert "actiontrack lint" in passed.stdout and "Passed" in passed.stdout
    action = next((repo / "data" / "example-plan" / "actions").glob("*.yaml"))
    action.write_text(action.read_text().replace("owners: [", "ownres: ["))
    failed = run(BIN / "pre-commit", "try-repo", REPO, "actiontrack-lint", "--all-files", cwd=repo, env=env)
    assert failed.returncode == 1 and "Failed" in failed.stdout
    assert "data/example-plan/actions/1.a-warm-homes-advice.yaml" in failed.stdout and "ownres" in failed.stdout


def test_the_pre_commit_configuration_init_writes(tmp_path, dist):
    """As written, it installs the pinned release from PyPI; here the same release comes from the built wheel."""
    repo = tmp_path / "council-plans"
    assert run(BIN / "actiontrack", "init", repo).returncode == 0
    config = repo / ".pre-commit-config.yaml"
    [wheel] = dist.glob("*.whl")
    text = config.read_text()
    assert f'"actiontrack=={__version__}"' in text
    config.write_text(text.replace(f'"actiontrack=={__version__}"', f'"actiontrack @ {wheel.as_uri()}"'))
    _git_repository(repo)
    result = run(BIN / "pre-commit", "run", "--all-files", cwd=repo, env=_pre_commit_env(tmp_path))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "actiontrack lint" in result.stdout and "Passed" in result.stdout


@pytest.mark.parametrize(
    ("line", "word", "expected"),
    [("actiontrack li", 1, {"lint"}), ("actiontrack lint --format g", 3, {"github", "gitlab"})],
)
def test_completion_in_a_real_bash(line, word, expected):
    script = run(BIN / "actiontrack", "--show-completion", "bash", env={**os.environ, **SHELL_CHOICE}).stdout
    assert "complete" in script and "_ACTIONTRACK_COMPLETE" in script
    program = (
        f"{script}\n"
        f"COMP_WORDS=({line}); COMP_CWORD={word}\n"
        "_actiontrack_completion actiontrack  # as bash calls it on Tab: the command's name first\n"
        'printf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    result = run("bash", "-c", program, env={**os.environ, "PATH": f"{BIN}:{os.environ['PATH']}"})
    assert set(result.stdout.split()) == expected, result.stdout + result.stderr


SHELL_CHOICE = {"_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"}  # take the shell named, not the parent's


@pytest.mark.parametrize(
    ("shell", "marker"),
    [("zsh", "#compdef actiontrack"), ("fish", "complete --command"), ("powershell", "Register-ArgumentCompleter")],
)
def test_completion_scripts_for_other_shells(shell, marker):
    result = run(BIN / "actiontrack", "--show-completion", shell, env={**os.environ, **SHELL_CHOICE})
    assert result.returncode == 0 and marker in result.stdout
