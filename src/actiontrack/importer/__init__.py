"""Bringing in the action plans councils already have: a Word document, an Excel sheet, a CSV or a table pulled
out of a PDF becomes plan.yaml and one file per action.

- sources.py: reading each kind of file into tables of text cells (merged cells as a reader sees them);
- columns.py: which column holds what (headings and their synonyms, `--map`);
- owners.py: owner cells split into names, matched to the registry, new names proposed;
- plan.py: rows, themes, numbering, deadlines, updates, and the files written.
"""

from .owners import propose_owner, split_owners
from .plan import ImportResult, import_table
from .sources import ImportProblem

__all__ = ["ImportProblem", "ImportResult", "import_table", "propose_owner", "split_owners"]
