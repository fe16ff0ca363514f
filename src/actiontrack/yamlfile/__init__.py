"""YAML files as actiontrack reads them. Imports point one way, from the top down:

- reading.py: reading a file safely and decoding it; parse_text / parse_bytes / read_document;
- parsing.py: ruamel.yaml's nodes into plain values and positions, refusing what plan files never need;
- messages.py: parser errors in plain words, at the place a person would look;
- document.py: the parsed Document, its marks, YamlProblem, numbers that remember how they were written.
"""

from .document import Document, Marks, YamlFloat, YamlInt, YamlProblem, line_col
from .reading import MAX_FILE_BYTES, parse_bytes, parse_text, read_bytes, read_document, real_folder

__all__ = [
    "MAX_FILE_BYTES",
    "Document",
    "Marks",
    "YamlFloat",
    "YamlInt",
    "YamlProblem",
    "line_col",
    "parse_bytes",
    "parse_text",
    "read_bytes",
    "read_document",
    "real_folder",
]
