"""Write a synthetic plans repository of N actions, shaped like the bundled seed plans.

    python benchmarks/generate.py N OUT_DIR

Each action file has a comment, several owners (teams, named officers and partners), a deadline in the grammar the
seeds use ("2022/23", "March 2023", "2022/24", "Q3 2023/24", ISO dates), 3 milestones, 2 KPI targets, a long
outcome and 8 quarterly updates with RAG, notes and actuals. Actions are grouped 50 to a plan (so 10,000 actions
are 200 plans, as a county or a national body might keep), each plan with 6 priorities, over a two-year period.

The output depends only on N: the same N always writes the same bytes. OUT_DIR must be empty or absent.
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

ACTIONS_PER_PLAN = 50
OWNER_COUNT = 120

PRIORITIES = [
    "Housing for all",
    "Community Infrastructure",
    "Skills, Jobs & Income",
    "Stronger Communities",
    "Mental Health",
    "Physical Activity",
]
TEAMS = [
    "Planning Policy",
    "Regulatory Services",
    "Housing",
    "Health & Wellbeing Team",
    "Environmental Services",
    "Economic Development",
    "Leisure & Culture",
    "Communities",
    "Customer Services",
    "Revenues & Benefits",
    "Community Safety",
    "Neighbourhood Services",
]
PARTNERS = [
    "Parish Councils",
    "Canals & Rivers Trust",
    "Citizens Advice",
    "Voluntary Action South Leicestershire",
    "NHS Leicester, Leicestershire & Rutland ICB",
    "Leicestershire County Council Public Health",
    "Chief Housing Officers Group",
    "Active Together",
]
FIRST_NAMES = ["Joel", "Sarah", "Priya", "Tom", "Aisha", "Gareth", "Mei", "Oluwaseun", "Ciara", "Dafydd", "Zofia"]
LAST_NAMES = ["Matthews", "O'Neill", "Khan", "Hughes", "Nowak", "Adeyemi", "Byrne", "Evans", "Chen", "Patel"]
OBJECTIVES = [
    "Support vulnerable adults and older people to remain independent in their homes",
    "Improve access to green spaces and active travel routes across the district",
    "Reduce the number of households in fuel poverty through targeted advice",
    "Increase participation in physical activity among inactive residents",
    "Promote good mental health and wellbeing in schools and workplaces",
    "Work with partners to reduce loneliness and social isolation",
    "Help residents into skilled work through training and apprenticeships",
    "Make sure new housing developments support healthy lifestyles",
]
WHAT = [
    "Support the Lightbulb project",
    "Deliver the Warm Homes advice programme with parish councils",
    "Run a programme of walking and cycling events in Market Harborough and Lutterworth",
    "Commission mental health first aid training for community groups",
    "Fund community transport for residents who cannot drive",
    "Work with the Canals & Rivers Trust on the towpath improvement scheme",
    "Promote the Harborough Lotto to local good causes",
]
MILESTONES = [
    "Monitor implementation of the work programme",
    "Agree the delivery plan with partners",
    "Report progress to the Health & Wellbeing Board",
    "Recruit and train volunteers",
    "Launch the public campaign",
    "Evaluate the first year and share the findings",
]
TARGETS = [  # (text, unit, possible values)
    ("{n} x volunteers", "volunteers", (10, 25, 40)),
    ("{n}% of schools", "%", (50, 75, 90)),
    ("{n} programme attendances", "attendances", (120, 500, 2000)),
    ("{n} households supported", "households", (50, 200)),
    ("{n} referrals", "referrals", (30, 100)),
]
PLACEHOLDER_TARGETS = ["X programme attendances", "TBC", "To be agreed with partners"]
OUTCOME = (
    "Keeping vulnerable people independent in their homes, helping to avoid unnecessary hospital admissions or "
    "GP visits and facilitating timely discharges through the on-going delivery of the project. Residents report "
    "feeling safer and better connected, and partners share what works across the district."
)
NOTES = [
    "Referrals up on last quarter; two new volunteers trained.",
    "Delayed while the contract is re-tendered. Revised timetable agreed with partners.",
    "On track. Sessions running weekly in Market Harborough & Lutterworth (see the board paper).",
    "Funding confirmed for next year; evaluation report drafted and shared with the <b>steering group</b>.",
    "No update received this quarter.",
]
QUARTERS = [f"{year}/{(year + 1) % 100:02d} Q{q}" for year in (2022, 2023) for q in (1, 2, 3, 4)]
QUARTER_END = {
    f"{year}/{(year + 1) % 100:02d} Q{q}": f"{year + (q >= 3)}-{[7, 10, 1, 4][q - 1]:02d}-{[15, 14, 16, 13][q - 1]}"
    for year in (2022, 2023)
    for q in (1, 2, 3, 4)
}
DEADLINES = ["2022/23", "2023/24", "2022/24", "March 2023", "October 2023", "Q3 2023/24", "2024-03-31", "ongoing"]


def quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def slug(text: str) -> str:
    cleaned = "".join(ch.lower() if ch.isalnum() else "-" for ch in text)
    return "-".join(part for part in cleaned.split("-") if part)


def owners_registry() -> tuple[str, list[str]]:
    lines = ["# Owners registry: every team, person and partner that delivers actions in plans/.", "owners:"]
    ids: list[str] = []
    entries = [(name, "team") for name in TEAMS] + [(name, "partner") for name in PARTNERS]
    people = [f"{first} {last}" for first in FIRST_NAMES for last in LAST_NAMES]
    entries += [(name, "person") for name in people[: OWNER_COUNT - len(entries)]]
    for name, kind in entries:
        owner_id = slug(name)
        ids.append(owner_id)
        lines += [f"  - id: {owner_id}", f"    name: {quoted(name)}", f"    kind: {kind}"]
        if kind == "person":
            lines.append(f"    contact: {owner_id}@example.gov.uk")
    return "\n".join(lines) + "\n", ids


def plan_file(number: int) -> str:
    lines = [
        f"title: Health & Wellbeing Strategy Action Plan, area {number}",
        "organisation: Example District Council  # synthetic, for benchmarks",
        'period: "2022/24"',
        "reporting: quarterly",
        "priorities:",
    ]
    for index, title in enumerate(PRIORITIES, 1):
        lines += [f'  - id: "{index}"', f"    title: {quoted(title)}"]
    return "\n".join(lines) + "\n"


def action_file(rng: random.Random, action_id: str, priority: int, owner_ids: list[str]) -> str:
    owners = rng.sample(owner_ids, rng.randint(2, 4))
    lines = [
        f"# Synthetic action {action_id}: generated by benchmarks/generate.py",
        f'id: "{action_id}"',
        f'priority: "{priority}"',
        f"title: {rng.choice(OBJECTIVES)}",
        f"what: {quoted(rng.choice(WHAT))}",
        f"owners: [{', '.join(owners)}]",
        f'due: "{rng.choice(DEADLINES)}"',
        "milestones:",
    ]
    for index in range(3):
        lines += [f"  - text: {rng.choice(MILESTONES)}", f'    due: "{QUARTERS[2 * index + 1]}"']
        lines.append(f"    done: {'true' if rng.random() < 0.5 else 'false'}")
    lines.append("targets:")
    target_keys: list[str] = []
    for template, unit, values in rng.sample(TARGETS, 2):
        value = rng.choice(values)
        lines.append(f"  - text: {quoted(template.format(n=value))}")
        target_keys.append("percent" if unit == "%" else unit)
    if rng.random() < 0.1:
        lines[-1] = f"  - text: {quoted(rng.choice(PLACEHOLDER_TARGETS))}"
        target_keys.pop()
    if rng.random() < 0.9:  # some actions have no outcome at all, as in the seeds
        lines += ["outcome: >", *(f"  {part}" for part in _wrap(OUTCOME, 100))]
    lines.append(f"status: {rng.choice(['in-progress', 'in-progress', 'not-started', 'complete'])}")
    lines.append("updates:  # one per quarter, newest last")
    for period in QUARTERS:
        lines += [f'  - period: "{period}"', f"    date: {QUARTER_END[period]}"]
        lines.append(f"    rag: {rng.choice(['green', 'green', 'amber', 'red'])}")
        lines.append(f"    note: {quoted(rng.choice(NOTES))}")
        if target_keys:
            lines.append(f"    actuals: {{{target_keys[0]}: {rng.randint(0, 60)}}}")
        lines.append(f"    by: {rng.choice(owners)}")
    return "\n".join(lines) + "\n"


def _wrap(text: str, width: int) -> list[str]:
    lines, current = [], ""
    for word in text.split():
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    return [*lines, current]


def generate(count: int, out: Path) -> int:
    """Write `count` actions under out/plans; return the number of files written."""
    rng = random.Random(count)
    plans = out / "plans"
    plans.mkdir(parents=True)
    (out / "actiontrack.yaml").write_text("# synthetic benchmark repository\nfinancial_year_start: April\n")
    registry, owner_ids = owners_registry()
    (plans / "owners.yaml").write_text(registry, encoding="utf-8")
    written = 2
    for start in range(0, count, ACTIONS_PER_PLAN):
        number = start // ACTIONS_PER_PLAN + 1
        folder = plans / f"area-{number:04d}"
        (folder / "actions").mkdir(parents=True)
        (folder / "plan.yaml").write_text(plan_file(number), encoding="utf-8")
        written += 1
        for index in range(min(ACTIONS_PER_PLAN, count - start)):
            priority = index % len(PRIORITIES) + 1
            action_id = f"{priority}.{index // len(PRIORITIES) + 1}"
            text = action_file(rng, action_id, priority, owner_ids)
            (folder / "actions" / f"{action_id}-action.yaml").write_text(text, encoding="utf-8")
            written += 1
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("count", type=int, help="number of actions")
    parser.add_argument("out", type=Path, help="folder to create (must be empty or absent)")
    args = parser.parse_args(argv)
    if args.count < 1:
        parser.error("N must be at least 1")
    if args.out.exists() and any(args.out.iterdir()):
        parser.error(f"{args.out} is not empty")
    written = generate(args.count, args.out)
    print(f"wrote {written} files ({args.count} actions) under {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())


def generate_history(
    count: int, commits: int, out: Path, followed: str = "plans/area-0001/actions/1.1-action.yaml"
) -> None:
    """A git repository of `count` actions with `commits` commits after the first, built by one `git fast-import`:
    commit i changes one action file (consecutive commits change different files, so the last 50 commits change 50
    files), moving its deadline or adding an update; every 40th commit also changes `followed`, whose history is
    then 50 events long. Authors and dates vary, a day apart."""
    import subprocess

    generate(count, out)
    files = {p.relative_to(out).as_posix(): p.read_text(encoding="utf-8") for p in sorted(out.rglob("*.y*ml"))}
    actions = sorted(name for name in files if "/actions/" in name)
    authors = ["Alice Archer", "Bob Baker", "Carol Clark", "Dev Desai"]
    stream: list[bytes] = []

    def blob_command(path: str, text: str) -> None:
        data = text.encode("utf-8")
        stream.append(f"M 100644 inline {path}\ndata {len(data)}\n".encode() + data + b"\n")

    def commit(index: int, message: str, changed: dict[str, str]) -> None:
        author = authors[index % len(authors)]
        when = 1_648_800_000 + index * 86_400  # from 2022-04-01, a day apart
        email = author.split()[0].lower() + "@example.org"
        text = message.encode()
        stream.append(
            f"commit refs/heads/main\nauthor {author} <{email}> {when} +0000\n"
            f"committer {author} <{email}> {when} +0000\ndata {len(text)}\n".encode()
            + text
            + b"\n"
        )
        for path, body in changed.items():
            blob_command(path, body)
        stream.append(b"\n")

    commit(0, "The plans as agreed", files)
    for index in range(1, commits + 1):
        path = actions[(index * 7919) % len(actions)]
        changed = {path: _evolve(files[path], index)}
        if index % 40 == 0:
            changed[followed] = _evolve(files[followed], index)
        files.update(changed)
        commit(index, f"Update {index}", changed)
    subprocess.run(["git", "init", "-q", "-b", "main", str(out)], check=True)
    subprocess.run(["git", "fast-import", "--quiet"], cwd=out, input=b"".join(stream), check=True)
    subprocess.run(["git", "checkout", "-q", "-f", "main"], cwd=out, check=True)


def _evolve(text: str, index: int) -> str:
    """The next version of an action file: every other change moves its deadline, the rest rewrite the latest
    update's rating and note."""
    if index % 2 == 0 and "\ndue: " in text:
        head, _, rest = text.partition("\ndue: ")
        _, _, tail = rest.partition("\n")
        return f'{head}\ndue: "March {2023 + (index // 40 + index) % 5}"\n{tail}'
    head, found, rest = text.rpartition("\n    rag: ")
    if not found:
        return text + f"# change {index}\n"
    _, _, tail = rest.partition("\n")
    rag = ("green", "amber", "red")[index % 3]
    return f"{head}\n    rag: {rag}\n{tail}".replace(tail, tail, 1) + f"# change {index}\n"
