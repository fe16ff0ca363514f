"""History from git: `--rev`, `history`, `changes`, baselines and moved deadlines, on real git repositories built
with dated commits by several authors (tests/gitbuild.py)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from actiontrack.cli import app
from actiontrack.history import sniff_id

from .gitbuild import PLAN, Repo, action, plans_history

A = "plans/wellbeing/actions/"


@pytest.fixture(scope="module")
def history_repo(tmp_path_factory):
    repo, commits = plans_history(tmp_path_factory.mktemp("history") / "council")
    return repo, commits


def run(folder: Path, *args: str):
    """The command run in `folder` (as an officer would, inside the repository)."""
    import os

    before = Path.cwd()
    os.chdir(folder)
    try:
        return CliRunner().invoke(app, list(args))
    finally:
        os.chdir(before)


def test_history_lists_each_commit_newest_first_in_plan_terms(history_repo):
    repo, commits = history_repo
    result = run(repo.path, "history", "1.a")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "1.a  Build new homes  (wellbeing)"
    heads = [line for line in lines if line[:4].isdigit()]
    assert [h.split("  ")[0] for h in heads] == ["2022-10-03", "2022-07-15", "2022-06-10", "2022-04-05"]
    assert (
        heads[2]
        == f"2022-06-10  {commits['slip'][:7]}  Bob Baker  1.a: deadline moved to June after the builder's delay"
    )
    text = result.stdout
    assert 'deadline moved from "March 2023" (2023-03-31) to "June 2023" (2023-06-30), 91 days later' in text
    assert 'update added for 2022/23 Q1, amber: "Site delayed"' in text
    assert 'update added for 2022/23 Q2, green (homes 30): "On site"' in text
    assert 'title changed from "Build homes" to "Build new homes"' in text
    assert 'added: "Build homes", due 2023-03-31' in text
    assert "@example.org" not in result.output  # e-mail addresses never


def test_history_json_shape(history_repo):
    repo, commits = history_repo
    result = run(repo.path, "history", "1.a", "--json")
    data = json.loads(result.stdout)
    assert set(data) == {"plan", "id", "events"} and (data["plan"], data["id"]) == ("wellbeing", "1.a")
    assert [e["commit"] for e in data["events"]] == [commits[n] for n in ("q2", "q1", "slip", "approved")]
    slip = data["events"][2]
    assert set(slip) == {"commit", "date", "author", "message", "changes"}
    assert slip["date"] == "2022-06-10T10:00:00+00:00" and slip["author"] == "Bob Baker"
    assert slip["changes"] == [
        {
            "kind": "deadline-moved",
            "field": "due",
            "from": "March 2023",
            "to": "June 2023",
            "from_date": "2023-03-31",
            "to_date": "2023-06-30",
            "days": 91,
        }
    ]
    kinds = [c["kind"] for c in data["events"][0]["changes"]]
    assert kinds == ["update-added", "target-changed", "text-changed"]


def test_a_renamed_file_keeps_its_history_and_a_broken_old_version_is_named(history_repo):
    repo, commits = history_repo
    result = run(repo.path, "history", "1.b", "--json")
    assert result.exit_code == 0, result.output
    events = json.loads(result.stdout)["events"]
    kinds = [[c["kind"] for c in e["changes"]] for e in events]
    # renamed in "q1" (no change in plan terms), broken by a conflict in "broken" (skipped), completed in "q2"
    assert kinds == [["status-changed", "milestone-done"], ["status-changed"], ["added"]]
    assert events[0]["changes"][0] == {
        "kind": "status-changed",
        "field": "status",
        "from": "in-progress",
        "to": "complete",
    }
    assert events[0]["changes"][1]["to"] == "Open the advice line"
    note = result.stderr
    assert (
        f"plans/wellbeing/actions/1.b-housing-advice.yaml did not read at {commits['broken'][:7]} (2022-08-01)" in note
    )
    assert "line 1: git merge conflict marker" in note
    assert "did not read" not in run(repo.path, "history", "1.a").stderr  # only the action asked about


def test_a_removed_action_still_has_its_history(history_repo):
    repo, _ = history_repo
    result = run(repo.path, "history", "2.a")
    assert result.exit_code == 0, result.output
    assert 'removed: "Parks for all"' in result.stdout
    assert 'owners changed from "leisure" to "leisure", "planning"' in result.stdout
    missing = run(repo.path, "history", "9.z")
    assert missing.exit_code == 2 and 'no action "9.z", now or in the history' in missing.output


def test_changes_since_a_tag_until_the_working_tree_with_pending_edits(history_repo, tmp_path):
    repo, commits = history_repo
    clone = Repo.clone(repo.path, tmp_path / "clone")
    homes = clone.path / A / "1.a-homes.yaml"
    homes.write_text(homes.read_text().replace('due: "June 2023"', 'due: "May 2023"'))  # pulled forward, not committed
    result = run(clone.path, "changes", "--since", "approved", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["since"] == {"rev": commits["approved"], "date": "2022-04-05T10:00:00+00:00"}
    assert data["until"] == {"rev": None, "date": None}
    got = {(c["plan"], c["id"], c["kind"]) for c in data["changes"]}
    assert {
        ("wellbeing", "1.a", "deadline-moved"),
        ("wellbeing", "1.a", "update-added"),
        ("wellbeing", "1.a", "target-changed"),
        ("wellbeing", "1.b", "status-changed"),
        ("wellbeing", "1.b", "milestone-done"),
        ("wellbeing", "2.a", "removed"),
        ("wellbeing", "3.a", "added"),
    } <= got
    moved = next(c for c in data["changes"] if c["kind"] == "deadline-moved")
    assert (moved["from"], moved["to"], moved["days"]) == ("March 2023", "May 2023", 61)
    assert data["summary"] == {
        "added": 1,
        "removed": 1,
        "deadline-moved": 1,
        "status-changed": 1,
        "update-added": 2,
        "target-changed": 1,
        "milestone-done": 1,
        "text-changed": 1,
    }
    text = run(clone.path, "changes", "--since", "approved")
    assert text.stdout.splitlines()[2].startswith("1 added · 1 removed · 1 deadline moved (1 later)")
    assert "1 status changed (1 completed)" in text.stdout
    pending = run(clone.path, "history", "1.a")
    assert pending.stdout.splitlines()[2] == "not committed yet"
    assert 'deadline moved from "June 2023" (2023-06-30) to "May 2023" (2023-05-31), 30 days earlier' in pending.stdout


def test_changes_between_two_dates_and_markdown(history_repo):
    repo, commits = history_repo
    result = run(repo.path, "changes", "--since", "2022-06-30", "--until", "2022-07-31", "--format", "md")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(
        f"# Changes since 2022-06-30: commit {commits['slip'][:7]} of 2022-06-10, up to 2022-07-31: commit "
        f"{commits['q1'][:7]} of 2022-07-15\n"
    )
    assert "## wellbeing" in result.stdout and "### 2.a Parks for all" in result.stdout
    assert '- owners changed from "leisure" to "leisure", "planning"' in result.stdout
    assert "1.b" not in result.stdout  # renamed only: no change in plan terms


def test_changes_up_to_a_broken_revision_says_what_it_left_out(history_repo):
    repo, commits = history_repo
    result = run(repo.path, "changes", "--since", commits["slip"], "--until", commits["broken"])
    assert result.exit_code == 1
    assert f"1.b-housing-advice.yaml did not read at {commits['broken'][:7]}" in result.stderr
    assert "1.b" not in result.stdout  # not reported as removed: unknown


def test_bad_revisions_and_dates(history_repo, tmp_path):
    repo, _ = history_repo
    unknown = run(repo.path, "changes", "--since", "no-such-tag")
    assert unknown.exit_code == 2 and 'unknown revision "no-such-tag"' in unknown.stderr
    early = run(repo.path, "changes", "--since", "2021-01-01")
    assert (
        early.exit_code == 2 and "no commit on or before 2021-01-01: the history starts on 2022-04-05" in early.stderr
    )
    option = run(repo.path, "status", "--rev", "--output=x")
    assert option.exit_code == 2 and "not a revision" in option.stderr
    plain = tmp_path / "plain"
    (plain / "plans").mkdir(parents=True)
    (plain / "plans" / "owners.yaml").write_text("owners: []\n")
    outside = run(plain, "status", "--rev", "HEAD")
    assert outside.exit_code == 2 and "is not in a git repository" in outside.stderr
    assert "Traceback" not in outside.output


def test_rev_reads_the_plans_at_a_revision_without_a_checkout(history_repo):
    repo, commits = history_repo
    before = repo.git("status", "--porcelain")
    status = run(repo.path, "status", "--rev", "approved", "--json", "--as-of", "2022-10-14")
    assert status.exit_code == 0, status.output
    ids = [a["id"] for a in json.loads(status.stdout)["actions"]]
    assert ids == ["1.a", "1.b", "2.a"]  # 2.a was removed later, 3.a added later
    now = json.loads(run(repo.path, "status", "--json", "--as-of", "2022-10-14").stdout)
    assert [a["id"] for a in now["actions"]] == ["1.a", "1.b", "3.a"]
    shown = json.loads(run(repo.path, "show", "1.a", "--rev", commits["slip"], "--json").stdout)
    assert shown["due"] == "June 2023" and shown["title"] == "Build homes"
    assert repo.git("status", "--porcelain") == before  # nothing checked out or written
    assert len(repo.git("worktree", "list").splitlines()) == 1  # no temporary work tree
    broken = run(repo.path, "lint", "--rev", commits["broken"], "--as-of", "2022-10-14", "--format", "json")
    assert broken.exit_code == 1
    [conflict] = [f for f in json.loads(broken.stdout)["findings"] if f["rule"] == "conflict-marker"]
    assert (conflict["path"], conflict["line"]) == ("plans/wellbeing/actions/1.b-housing-advice.yaml", 1)
    assert conflict["message"].endswith(f"(at {commits['broken'][:7]}, 2022-08-01)")


def test_export_and_report_at_a_revision(history_repo, tmp_path):
    repo, _ = history_repo
    out = tmp_path / "then.csv"
    result = run(repo.path, "export", "--rev", "approved", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "Parks for all" in out.read_text()
    site = tmp_path / "site"
    result = run(
        repo.path, "report", "--rev", "approved", "--format", "md", "--out", str(site), "--as-of", "2022-10-14"
    )
    assert result.exit_code == 0, result.output
    assert "Parks for all" in "".join(p.read_text() for p in site.rglob("*.md"))


def test_deadline_moved_against_the_first_commit_or_the_baseline_setting(history_repo, tmp_path):
    repo, commits = history_repo
    result = run(repo.path, "lint", "--select", "deadline-moved", "--as-of", "2022-10-14", "--format", "json")
    findings = json.loads(result.stdout)["findings"]
    assert [(f["action"], f["severity"]) for f in findings] == [("1.a", "warning")]
    assert findings[0]["message"] == (
        f'deadline moved from "March 2023" (2023-03-31, as agreed in commit {commits["approved"][:7]} of 2022-04-05) '
        'to "June 2023" (2023-06-30): 91 days later'
    )
    # a baseline after the slip: nothing moved since
    clone = Repo.clone(repo.path, tmp_path / "baseline")
    (clone.path / "actiontrack.yaml").write_text("baseline: " + commits["slip"] + "\n")
    moved = run(clone.path, "lint", "--select", "deadline-moved", "--as-of", "2022-10-14", "--format", "json")
    assert json.loads(moved.stdout)["findings"] == []
    # a move agreed by committee, on record in the file
    homes = clone.path / A / "1.a-homes.yaml"
    (clone.path / "actiontrack.yaml").write_text("baseline: approved\n")
    homes.write_text(homes.read_text() + "lint:\n  ignore: [deadline-moved]\n  reason: agreed by the board, June\n")
    agreed = run(clone.path, "lint", "--select", "deadline-moved", "--as-of", "2022-10-14", "--format", "json")
    assert json.loads(agreed.stdout)["findings"] == []
    unknown = run(clone.path, "lint", "--as-of", "2022-10-14")
    (clone.path / "actiontrack.yaml").write_text("baseline: plan-v9\n")
    unknown = run(clone.path, "lint", "--as-of", "2022-10-14")
    assert 'moved deadlines are not checked: baseline: unknown revision "plan-v9"' in unknown.stderr


def test_show_gives_the_original_deadline(history_repo):
    repo, commits = history_repo
    result = run(repo.path, "show", "1.a", "--as-of", "2022-10-14", "--json")
    assert json.loads(result.stdout)["original_due"] == {
        "due": "March 2023",
        "due_date": "2023-03-31",
        "commit": commits["approved"],
        "commit_date": "2022-04-05",
    }
    text = run(repo.path, "show", "1.a", "--as-of", "2022-10-14")
    assert "Original deadline  March 2023 (2023-03-31), as agreed on 2022-04-05" in text.stdout
    assert json.loads(run(repo.path, "show", "3.a", "--json").stdout)["original_due"] is None


def test_a_shallow_clone_says_to_fetch_the_whole_history(history_repo, tmp_path):
    repo, _ = history_repo
    shallow = tmp_path / "shallow"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{repo.path}", str(shallow)], check=True, capture_output=True
    )
    lint = run(shallow, "lint", "--as-of", "2022-10-14", "--format", "json")
    assert "moved deadlines are not checked: this is a shallow clone" in lint.stderr
    assert "fetch-depth: 0" in lint.stderr
    assert "deadline-moved" not in lint.stdout  # never a finding from a history it cannot see
    since = run(shallow, "changes", "--since", "approved")
    assert since.exit_code == 2 and "shallow clone" in since.stderr and "fetch-depth: 0" in since.stderr


def test_sniffing_an_id_without_parsing():
    assert sniff_id(b'id: "1.a"\ntitle: x\n') == "1.a"
    assert sniff_id(b"title: x\nid: 12 # row 12\n") == "12"
    assert sniff_id(b"id: '4.b'\r\n") == "4.b"
    assert sniff_id(b'<<<<<<< HEAD\nid: "1.b"\n=======\nid: "1.b"\n>>>>>>> x\n') == "1.b"
    assert sniff_id(b'id: "1.b"\nmilestones:\n  - id: x\n') == "1.b"  # indented keys are not the action's
    assert sniff_id(b'id: "1"\nid: "2"\n') is None
    assert sniff_id(b"title: no id\n") is None


def test_history_outside_git_and_with_no_commits(tmp_path):
    repo = Repo(tmp_path / "new")
    repo.write(
        {
            "plans/owners.yaml": "owners: []\n",
            "plans/p/plan.yaml": PLAN,
            "plans/p/actions/1.a-x.yaml": action("1.a", "X"),
        }
    )
    result = run(repo.path, "history", "1.a")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[2:] == ["not committed yet", '    added: "X", due 2023-03-31']
    plain = tmp_path / "plain"
    (plain / "plans").mkdir(parents=True)
    (plain / "plans" / "owners.yaml").write_text("owners: []\n")
    outside = run(plain, "changes", "--since", "HEAD")
    assert outside.exit_code == 2 and "not in a git repository" in outside.stderr


def test_report_since_lists_changes_and_each_action_history_without_authors_unless_asked(history_repo, tmp_path):
    repo, commits = history_repo
    clone = Repo.clone(repo.path, tmp_path / "report")
    site = tmp_path / "site"
    args = ["report", "--since", "approved", "--as-of", "2022-10-14", "--out", str(site)]
    result = run(clone.path, *args)
    assert result.exit_code == 0, result.output
    index = (site / "index.html").read_text()
    assert "Changes since approved: commit 9b529b7 of 2022-04-05" in index.replace(commits["approved"][:7], "9b529b7")
    plan = (site / "plans" / "wellbeing" / "index.html").read_text()
    assert (
        'deadline moved from &#34;March 2023&#34; (<span class="date">2023-03-31</span>) to &#34;June 2023&#34; '
        '(<span class="date">2023-06-30</span>), 91 days later'
    ) in plan
    assert "2.a Parks for all: removed" in plan  # removed since: named, not linked
    page = (site / "plans" / "wellbeing" / "actions" / "1.a.html").read_text()
    assert '<h2 id="history">History</h2>' in page and f"commit {commits['slip'][:7]}" in page
    assert (
        '<dt>Original deadline</dt><dd>March 2023 (<span class="date">2023-03-31</span>), as agreed on '
        '<span class="date">2022-04-05</span></dd>'
    ) in page
    every = "".join(p.read_text() for p in site.rglob("*.html"))
    assert "Bob Baker" not in every and "@example.org" not in every  # personal data: off by default
    (clone.path / "actiontrack.yaml").write_text("report:\n  show_authors: true\n")
    assert run(clone.path, *args).exit_code == 0
    page = (site / "plans" / "wellbeing" / "actions" / "1.a.html").read_text()
    assert f"commit {commits['slip'][:7]}, Bob Baker" in page and "@example.org" not in page
    markdown = tmp_path / "md"
    result = run(clone.path, "report", "--format", "md", "--since", "2022-07-01", "--out", str(markdown))
    assert result.exit_code == 0, result.output
    text = (markdown / "plans" / "wellbeing.md").read_text()
    assert "## Changes since 2022-07-01: commit" in text
    assert '- **2.a** Parks for all: removed: "Parks for all"' in text  # from the slip's version to now
    assert "- **History**, newest first:" in text


def test_report_history_escapes_commit_and_plan_text(tmp_path):
    repo = Repo(tmp_path / "xss")
    evil = "<script>alert(1)</script>"
    files = {"plans/owners.yaml": "owners:\n  - id: housing\n    name: Housing\n    kind: team\n"}
    files["plans/p/plan.yaml"] = PLAN
    files[A.replace("wellbeing", "p") + "1.a-x.yaml"] = action("1.a", "Homes")
    repo.commit("2022-04-01", "Mallory <img src=x onerror=alert(1)>", evil, files)
    path = A.replace("wellbeing", "p") + "1.a-x.yaml"
    repo.commit("2022-05-01", "Mallory", evil, {path: action("1.a", f'"{evil}"')})
    (repo.path / "actiontrack.yaml").write_text("report:\n  show_authors: true\n")
    site = tmp_path / "site"
    result = run(repo.path, "report", "--since", "2022-04-01", "--out", str(site))
    assert result.exit_code == 0, result.output
    every = "".join(p.read_text() for p in site.rglob("*.html"))
    assert "<script>alert" not in every and "<img src=x" not in every
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in every


# ---- found in review: merges, paths, broken files now, --rev on a file, moved tags, drafts, links -----------------


def _two_plans(tmp_path):
    repo = Repo(tmp_path / "two")
    p1 = "plans/p1/actions/"
    files = {"plans/owners.yaml": OWNERS_TEXT, "plans/p1/plan.yaml": PLAN, "plans/p2/plan.yaml": PLAN}
    files[p1 + "1-thing.yaml"] = action("1", "Thing", '"2023-03-31"')
    files["plans/p2/actions/7-other.yaml"] = action("7", "Other plan action", '"2023-03-31"')
    repo.commit("2022-04-05", "Alice Archer", "plans", files)
    return repo


OWNERS_TEXT = "owners:\n  - id: housing\n    name: Housing\n    kind: team\n"


def test_a_merged_branch_is_one_straight_line_of_versions(tmp_path):
    repo = _two_plans(tmp_path)
    path = "plans/p1/actions/1-thing.yaml"
    repo.git("checkout", "-q", "-b", "feature")
    repo.commit("2022-05-01", "Bob Baker", "move it", {path: action("1", "Thing", '"2023-06-30"')})
    repo.git("checkout", "-q", "main")
    repo.commit("2022-05-02", "Carol Clark", "Reworded", {path: action("1", "Thing done well", '"2023-03-31"')})
    repo.git(
        "merge",
        "-q",
        "--no-edit",
        "feature",
        env={
            "GIT_AUTHOR_DATE": "2022-05-03T10:00:00+00:00",
            "GIT_COMMITTER_DATE": "2022-05-03T10:00:00+00:00",
            "GIT_AUTHOR_NAME": "Carol Clark",
            "GIT_AUTHOR_EMAIL": "c@example.org",
            "GIT_COMMITTER_NAME": "Carol Clark",
            "GIT_COMMITTER_EMAIL": "c@example.org",
        },
    )
    assert repo.git("status", "--porcelain") == ""
    result = run(repo.path, "history", "1", "--plan", "p1", "--json")
    events = json.loads(result.stdout)["events"]
    assert all(e["commit"] is not None for e in events)  # a clean tree: nothing "not committed yet"
    moves = [c for e in events for c in e["changes"] if c["kind"] == "deadline-moved"]
    assert [(m["from"], m["to"], m["days"]) for m in moves] == [("2023-03-31", "2023-06-30", 91)]
    calendar = run(repo.path, "calendar", "--plan", "p1", "--out", "-", "--as-of", "2022-06-01").stdout
    deadline = calendar.split("UID:p1/1/deadline@actiontrack", 1)[1].split("END:VEVENT", 1)[0]
    assert "SEQUENCE:1\r\n" in deadline.replace("\n", "\r\n").replace("\r\r", "\r")


def test_changes_for_one_plan_leave_the_others_alone_and_a_broken_file_is_not_removed(tmp_path):
    repo = _two_plans(tmp_path)
    one = run(repo.path, "changes", "--since", "HEAD", "plans/p1", "--json")
    assert json.loads(one.stdout)["changes"] == [], one.output
    bound = run(repo.path, "changes", "--since", "HEAD", "--until", "HEAD", "plans/p1", "--json")
    assert json.loads(bound.stdout)["changes"] == []
    thing = repo.path / "plans/p1/actions/1-thing.yaml"
    thing.write_text(thing.read_text().replace("owners: [housing]", "owners: 5"))
    broken = run(repo.path, "changes", "--since", "HEAD", "--json")
    assert json.loads(broken.stdout)["changes"] == [] and broken.exit_code == 1  # unknown now, not removed
    assert "1-thing.yaml" in broken.stderr


def test_rev_on_a_file_and_a_moved_baseline_tag_and_a_draft_without_a_deadline(tmp_path, monkeypatch):
    monkeypatch.setenv("ACTIONTRACK_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("ACTIONTRACK_NO_CACHE", raising=False)
    repo = _two_plans(tmp_path)
    path = "plans/p1/actions/1-thing.yaml"
    status = run(repo.path, "status", "--rev", "HEAD", path, "--json", "--as-of", "2022-06-01")
    assert status.exit_code == 0 and [a["id"] for a in json.loads(status.stdout)["actions"]] == ["1"]
    repo.git("tag", "approved")
    (repo.path / "actiontrack.yaml").write_text("baseline: approved\n")
    repo.commit("2022-06-01", "Bob Baker", "slip", {path: action("1", "Thing", '"2023-06-30"')})
    args = ["lint", "--select", "deadline-moved", "--as-of", "2022-06-01", "--format", "json"]
    assert len(json.loads(run(repo.path, *args).stdout)["findings"]) == 1
    repo.git("tag", "-f", "approved", "HEAD")  # the committee agreed the new date: the baseline moves
    assert json.loads(run(repo.path, *args).stdout)["findings"] == []
    draft = "plans/p2/actions/8-draft.yaml"
    (repo.path / "actiontrack.yaml").unlink()
    repo.commit("2022-06-02", "Alice Archer", "draft", {draft: action("8", "Draft", None)})
    repo.commit("2022-06-03", "Alice Archer", "dated", {draft: action("8", "Draft", '"2023-03-31"')})
    repo.commit("2022-06-04", "Alice Archer", "slipped", {draft: action("8", "Draft", '"2023-12-31"')})
    found = json.loads(run(repo.path, *args).stdout)["findings"]
    assert [(f["plan"], f["action"]) for f in found] == [("p1", "1"), ("p2", "8")]


def test_a_linked_action_file_is_not_read_from_history_either(tmp_path):
    repo = _two_plans(tmp_path)
    (repo.path / "shared").mkdir()
    (repo.path / "shared" / "4.yaml").write_text(action("4", "Linked action"))
    (repo.path / "plans/p1/actions/4-linked.yaml").symlink_to("../../../shared/4.yaml")
    repo.commit("2022-06-01", "Bob Baker", "a link", {})
    result = run(repo.path, "changes", "--since", "HEAD~1", "--until", "HEAD", "--json")
    assert json.loads(result.stdout)["changes"] == []
