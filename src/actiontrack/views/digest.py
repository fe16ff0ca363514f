"""An owner's digest in words: plain text for a terminal or an e-mail, Markdown for an issue (the reminders workflow
posts it), JSON for other tools; and the index of every owner's digest that the workflow loops over."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from ..digest import SECTIONS, Digest, Item

MARKER = "<!-- actiontrack-digest: {owner} -->"  # in every Markdown digest: how the workflow finds its issue
ISSUE_TITLE = "Plan updates due: {name}"
HOW = (
    "Choose the rating: --rag green, amber or red (a red or amber rating needs a note saying why and what is being "
    "done). Each command changes only the action's file; commit it, or edit the file instead."
)


def issue_title(digest: Digest) -> str:
    return ISSUE_TITLE.format(name=" ".join(digest.name.split()))


def _headline(digest: Digest) -> str:
    count = digest.outstanding
    if not count:
        return f"Nothing is outstanding for {digest.name} on {digest.as_of.isoformat()}."
    return f"{count} thing{'s' if count != 1 else ''} for {digest.name} to do, as of {digest.as_of.isoformat()}."


def _heading(kind: str, title: str, digest: Digest) -> str:
    return f"{title} (within {digest.window} days)" if kind in ("due-soon", "milestone-due-soon") else title


def _one_line(text: str) -> str:
    return " ".join(text.split())


# ---- text ---------------------------------------------------------------------------------------------------------


def digest_text(digest: Digest) -> str:
    lines = [_headline(digest)]
    for kind, title in SECTIONS:
        items = digest.section(kind)
        if not items:
            continue
        lines += ["", f"{_heading(kind, title, digest)} ({len(items)})"]
        for item in items:
            lines.append(f"  {item.action} {_one_line(item.title)} ({item.plan})")
            lines.append(f"      {_one_line(item.text)}")
            if item.command:
                lines.append(f"      $ {item.command}")
            lines.append(f"      file: {item.path}" + (f" ({item.edit})" if item.edit else ""))
    if digest.outstanding:
        lines += ["", HOW]
    return "\n".join(lines) + "\n"


# ---- Markdown -----------------------------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&])")


def md_escape(text: str) -> str:
    """Plan text inside a Markdown list item: one line, every character Markdown (or HTML) would act on escaped."""
    return _MD_SPECIAL.sub(r"\\\1", _one_line(text))


def _md_item(item: Item) -> list[str]:
    lines = [f"- [ ] **{md_escape(item.action)}** {md_escape(item.title)} ({md_escape(item.plan_title)}): "]
    lines[0] += md_escape(item.text)
    if item.command:
        lines += ["", "  ```sh", f"  {item.command}", "  ```", ""]
    edit = f": {md_escape(item.edit)}" if item.edit else ""
    lines.append(f"  {'or edit' if item.command else 'Edit'} `{item.path}`{edit}")
    return lines


def digest_markdown(digest: Digest) -> str:
    """The digest as an issue body: a marker line (so the workflow finds the issue again), a heading, each section
    as a task list with its commands."""
    lines = [MARKER.format(owner=digest.owner), f"## {md_escape(issue_title(digest))}", ""]
    lines.append(md_escape(_headline(digest)))
    for kind, title in SECTIONS:
        items = digest.section(kind)
        if not items:
            continue
        lines += ["", f"### {_heading(kind, title, digest)} ({len(items)})", ""]
        for item in items:
            lines += _md_item(item)
    if digest.outstanding:
        lines += ["", md_escape(HOW)]
    lines += [
        "",
        f"<sub>Made by `actiontrack digest --owner {digest.owner} --as-of {digest.as_of.isoformat()}`. "
        "This issue is updated on each run and closed when nothing is outstanding.</sub>",
    ]
    return "\n".join(lines) + "\n"


# ---- JSON and the index -------------------------------------------------------------------------------------------


def item_record(item: Item) -> dict[str, Any]:
    return {
        "kind": item.kind,
        "plan": item.plan,
        "id": item.action,
        "title": item.title,
        "text": item.text,
        "date": item.day.isoformat() if item.day else None,
        "command": item.command,
        "path": item.path,
        "edit": item.edit,
    }


def digest_record(digest: Digest) -> dict[str, Any]:
    """`digest --format json`, and the owner page's data: the owner, the count, and each section's items."""
    return {
        "owner": digest.owner,
        "name": digest.name,
        "github": digest.github,
        "registered": digest.registered,
        "as_of": digest.as_of.isoformat(),
        "due_soon_days": digest.window,
        "outstanding": digest.outstanding,
        "issue_title": issue_title(digest),
        "sections": [
            {"kind": kind, "title": _heading(kind, title, digest), "items": [item_record(i) for i in items]}
            for kind, title in SECTIONS
            if (items := digest.section(kind))
        ],
    }


def index_record(digests: Sequence[Digest], files: dict[str, str]) -> dict[str, Any]:
    """`digest --all --json` (and DIR/index.json): one entry per owner, with the file holding its digest."""
    return {
        "as_of": digests[0].as_of.isoformat() if digests else None,
        "owners": [
            {
                "owner": d.owner,
                "name": d.name,
                "github": d.github,
                "outstanding": d.outstanding,
                "issue_title": issue_title(d),
                "marker": MARKER.format(owner=d.owner),
                "file": files[d.owner],
            }
            for d in digests
        ],
    }


def index_tsv(digests: Sequence[Digest], files: dict[str, str]) -> str:
    """DIR/index.tsv, for a shell loop (`while IFS=$'\\t' read -r owner github outstanding file title`): one line
    per owner, tab-separated, "-" where there is no GitHub username (a shell's read would merge empty fields)."""
    rows = []
    for d in digests:
        title = _one_line(issue_title(d)).replace("\t", " ")
        rows.append("\t".join([d.owner, d.github or "-", str(d.outstanding), files[d.owner], title]))
    return "".join(f"{row}\n" for row in rows)
