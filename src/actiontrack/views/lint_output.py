"""Lint findings as text (people), JSON (scripts), GitHub annotations (pull requests) and SARIF (dashboards).

The machine formats are documented in the README and stable: keys are only ever added.
"""

from __future__ import annotations

import json
import re
from itertools import groupby
from typing import Any, TextIO
from urllib.parse import quote

from .. import __version__
from ..lint import LintResult
from ..rules import Finding

SEVERITY_STYLES = {"error": "bold red", "warning": "yellow", "info": "cyan"}
GITHUB_LEVELS = {"error": "error", "warning": "warning", "info": "notice"}
SARIF_LEVELS = {"error": "error", "warning": "warning", "info": "note"}


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 or word == 'info' else 's'}"


def summary_line(result: LintResult) -> str:
    counts = result.counts()
    checked = f"{_plural(result.actions_checked, 'action')} checked as of {result.as_of}"
    if not result.findings:
        return f"No findings: {checked}."
    parts = ", ".join(_plural(counts[s], s) for s in ("error", "warning", "info") if counts[s])
    return f"{_plural(len(result.findings), 'finding')} ({parts}): {checked}."


def _for_people(result: LintResult) -> dict[str, str]:
    """Each finding's path as a person at the terminal can open it: from the working folder when the file lies below
    it (machine formats keep paths from the git repository's root)."""
    import os

    here = os.getcwd()
    paths = {f.path for f in result.findings}
    if not result.root:
        return {path: path for path in paths}
    root = os.path.abspath(result.root)
    if root == here or root.startswith(os.path.join(here, "")):  # the repository at or below the working folder
        lead = os.path.relpath(root, here).replace(os.sep, "/")
        return {path: path if lead == "." else f"{lead}/{path}" for path in paths}
    if here.startswith(os.path.join(root, "")):  # working in a folder of the repository: the files below it
        prefix = os.path.relpath(here, root).replace(os.sep, "/") + "/"
        return {path: path[len(prefix) :] if path.startswith(prefix) else path for path in paths}
    return {path: path for path in paths}  # elsewhere: paths from the repository's root


def _plain_line(finding: Finding, path: str) -> str:
    return f"{path}:{finding.line}:{finding.column} {finding.code} {finding.rule} {finding.severity}: {finding.message}"


def write_text(result: LintResult, stream: TextIO) -> None:
    """Grouped by file, one `path:line:col CODE name severity: message` line per finding; coloured on a terminal."""
    from rich.console import Console
    from rich.text import Text

    console = Console(file=stream, highlight=False, soft_wrap=True)
    paths = _for_people(result)
    if console.color_system is None:  # piped, NO_COLOR or a dumb terminal: plain lines, written at once
        groups = [
            "".join(_plain_line(f, paths[f.path]) + "\n" for f in group)
            for _, group in groupby(result.findings, lambda f: f.path)
        ]
        stream.write("".join(group + "\n" for group in groups) + summary_line(result) + "\n")
        return
    for _, group in groupby(result.findings, key=lambda f: f.path):
        block = Text()
        for finding in group:
            block.append(f"{paths[finding.path]}:{finding.line}:{finding.column}", style="bold")
            block.append(" ")
            block.append(finding.code, style=SEVERITY_STYLES[finding.severity])
            block.append(f" {finding.rule} ")
            block.append(f"{finding.severity}:", style=SEVERITY_STYLES[finding.severity])
            block.append(f" {finding.message}\n")
        console.print(block)  # one print per file: printing line by line costs more than linting
    console.print(summary_line(result), style="bold")


def finding_record(finding: Finding) -> dict[str, Any]:
    return {
        "code": finding.code,
        "rule": finding.rule,
        "severity": finding.severity,
        "message": finding.message,
        "path": finding.path,
        "line": finding.line,
        "column": finding.column,
        "plan": finding.plan,
        "action": finding.action,
    }


def to_json(result: LintResult) -> str:
    payload = {
        "as_of": result.as_of,
        "findings": [finding_record(f) for f in result.findings],
        "summary": result.summary(),
    }
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def to_github(result: LintResult) -> str:
    """GitHub Actions workflow commands: each finding becomes an annotation on the pull request's files."""
    lines = []
    for finding in result.findings:
        properties = ",".join(
            [
                f"file={_escape_property(finding.path)}",
                f"line={finding.line}",
                f"col={finding.column}",
                f"title={_escape_property(f'{finding.code} {finding.rule}')}",
            ]
        )
        lines.append(f"::{GITHUB_LEVELS[finding.severity]} {properties}::{_escape_data(finding.message)}")
    lines.append(summary_line(result))
    return "\n".join(lines) + "\n"


def to_sarif(result: LintResult) -> str:
    """SARIF 2.1.0: one run, the rules that ran, and a result per finding with a path relative to %SRCROOT%."""
    rules = result.rules
    index = {rule.name: position for position, rule in enumerate(rules)}
    sarif_rules = [
        {
            "id": rule.code,
            "name": rule.name,
            "shortDescription": {"text": rule.summary},
            "fullDescription": {"text": rule.doc},
            "help": {"text": rule.doc},
            "defaultConfiguration": {"level": SARIF_LEVELS[rule.severity]},
            "properties": {"tags": [rule.scope]},
        }
        for rule in rules
    ]
    results = [
        {
            "ruleId": finding.code,
            "ruleIndex": index[finding.rule],
            "level": SARIF_LEVELS[finding.severity],
            "message": {"text": finding.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": quote(finding.path), "uriBaseId": "%SRCROOT%"},
                        "region": {"startLine": finding.line, "startColumn": finding.column},
                    }
                }
            ],
            "properties": {"plan": finding.plan, "action": finding.action},
        }
        for finding in result.findings
    ]
    log = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "actiontrack", "version": __version__, "rules": sarif_rules}},
                "results": results,
                "columnKind": "unicodeCodePoints",
                "properties": {"as_of": result.as_of},
            }
        ],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


STEP_SUMMARY_LIMIT = 900_000  # bytes (UTF-8); GitHub takes up to 1 MiB of summary from one step


def to_step_summary(result: LintResult, environ: dict[str, str] | None = None) -> str:
    """The findings as Markdown for the GitHub job summary ($GITHUB_STEP_SUMMARY): counts by rule, then every
    finding with its place (a link to the line when the run's repository and commit are known). GitHub shows at
    most 10 annotations of a kind per step; this page shows them all, or says how many it could not hold."""
    import os
    from collections import Counter

    env = os.environ if environ is None else environ
    server, repository, commit = (env.get(k) for k in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_SHA"))
    lines = ["## actiontrack lint", "", summary_line(result), ""]
    if result.findings:
        counts = Counter((f.code, f.rule, f.severity) for f in result.findings)
        lines += ["| Rule | Severity | Findings |", "|---|---|---:|"]
        for (code, rule, severity), count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
            lines.append(f"| {code} `{rule}` | {severity} | {count} |")
        lines += ["", "| Where | Rule | Severity | Message |", "|---|---|---|---|"]
    size = sum(len(line.encode()) + 1 for line in lines)
    for index, finding in enumerate(result.findings):
        place = md_escape(f"{finding.path}:{finding.line}:{finding.column}")
        if server and repository and commit:
            target = f"{server}/{quote(repository)}/blob/{quote(commit)}/{quote(finding.path)}#L{finding.line}"
            where = f"[{place}]({target})"
        else:
            where = place
        line = f"| {where} | {finding.code} `{finding.rule}` | {finding.severity} | {md_escape(finding.message)} |"
        if size + len(line.encode()) + 1 > STEP_SUMMARY_LIMIT:
            left = len(result.findings) - index
            lines += [
                "",
                f"**{left} more findings** do not fit in a job summary: see this step's log or the SARIF file.",
            ]
            break
        lines.append(line)
        size += len(line.encode()) + 1
    return "\n".join(lines) + "\n"


_MARKDOWN_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")


def md_escape(text: str) -> str:
    """Text shown as itself in a Markdown table cell: every ASCII punctuation mark backslash-escaped (CommonMark
    lets any be), so a file name or message from a plan file cannot make a link, emphasis, HTML or a new cell."""
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", " ".join(text.split()))


GITLAB_SEVERITIES = {"error": "major", "warning": "minor", "info": "info"}


def to_gitlab(result: LintResult) -> str:
    """GitLab Code Quality JSON: the merge request widget lists each finding on its file and line. A fingerprint is
    the rule, the file, the action and the message with its numbers taken out ("607 days ago" grows every day; the
    finding is the same one), so GitLab tells new findings from resolved ones across days and edits."""
    import hashlib

    issues = []
    seen: dict[str, int] = {}
    for finding in result.findings:
        stable = re.sub(r"\d+", "#", finding.message)
        identity = "\0".join([finding.code, finding.path, finding.action or "", stable])
        seen[identity] = seen.get(identity, 0) + 1
        fingerprint = hashlib.sha256(f"{identity}\0{seen[identity]}".encode()).hexdigest()
        issues.append(
            {
                "type": "issue",
                "check_name": f"{finding.code} {finding.rule}",
                "description": finding.message,
                "categories": ["Style"] if finding.severity == "info" else ["Bug Risk"],
                "severity": GITLAB_SEVERITIES[finding.severity],
                "fingerprint": fingerprint,
                "location": {"path": finding.path, "lines": {"begin": finding.line}},
            }
        )
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"
