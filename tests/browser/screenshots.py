"""The README's screenshots of the HTML report, taken in headless Chromium as the browser tests take theirs:

    .venv/bin/python -m tests.browser.screenshots

writes docs/screenshots/*.png: a plan's page on a desktop (1280 px) and on a phone (390 px), and an action's page on a
phone at its KPI chart, from the bundled plans as their committee saw them on 2022-10-14, after an officer has given
action 1.c a target and recorded two updates with actuals (in a copy of the plans, with actiontrack's commands)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from .harness import REPO, open_pages

OUT = REPO / "docs" / "screenshots"
AS_OF = "2022-10-14"
PLAN_PAGE = "plans/health-wellbeing-2022-23/index.html"
ACTION_PAGE = "plans/health-wellbeing-2022-23/actions/1.c.html"
# (file, page, width, clip): what each screenshot shows
SHOTS = [
    ("plan-1280.png", PLAN_PAGE, 1280, {"height": 1500, "from": None}),
    ("plan-390.png", PLAN_PAGE, 390, {"height": 1300, "from": "main > h2:nth-of-type(2)"}),
    ("action-kpi-390.png", ACTION_PAGE, 390, {"height": 1000, "from": ".target"}),
]


def actiontrack(*args: str) -> None:
    subprocess.run([str(Path(sys.executable).parent / "actiontrack"), *args], check=True, capture_output=True)


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        plans, site = work / "plans", work / "site"
        shutil.copytree(REPO / "plans", plans)
        plan = ["--plan", "health-wellbeing-2022-23"]
        actiontrack("add-target", "1.c", str(plans), *plan, "--text", "1200 x volunteers")
        for period, value in (("2022/23 Q1", "150"), ("2022/23 Q2", "310")):
            update = ["--period", period, "--rag", "green", "--actual", f"volunteers={value}", "--as-of", AS_OF]
            actiontrack("update", "1.c", str(plans), *plan, *update)
        actiontrack("report", str(plans), "--as-of", AS_OF, "--out", str(site))
        OUT.mkdir(parents=True, exist_ok=True)
        for name, page, width, clip in SHOTS:
            shots = work / "shots" / name
            [result] = open_pages(site, [page], shots=shots, axe=False, width=width, clip=clip)
            taken = shots / (page.replace("/", "__") + ".png")
            shutil.copyfile(taken, OUT / name)
            print(f"{OUT / name}: {result['title']} at {width} px, {taken.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
