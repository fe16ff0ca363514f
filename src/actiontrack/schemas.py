"""JSON Schemas of a plans repository's files, for editors (VS Code's YAML extension) and CI, made from the models.

One source for both: `actiontrack validate` and these schemas come from the same models in model.py, and the schemas
describe what validation takes as input (the values the YAML reader, yamlfile/parsing.py, hands to the models), not the
Python types it makes of them. So where pydantic's own JSON Schema would say "string" or "integer", the generator
below follows the models' settings (`Strict.model_config`) and pydantic's lax reading of input:

- text is stripped of surrounding whitespace (`str_strip_whitespace`) before its length and pattern are checked, so
  the schema's patterns allow whitespace around the text and count its length without it;
- text fields take numbers (`coerce_numbers_to_str`: `id: 7`, `title: 2024`, `priority: 1`): any number, or any
  number from 0 up where the field's pattern refuses text starting with "-" (`id: -1` is refused by both);
- whole-number fields (`due_soon_days`), number fields (a target's `value`, `actuals`) and yes/no fields (`done`) also
  take what pydantic reads as such: true/false, numbers written as text ("30", "2.5"), 1/0 and "yes"/"off" for yes/no;
  `updates[].date` also takes a Unix time of midnight;
- deadlines and periods (a number such as `due: 2026` is read as the text "2026"), a plan's `starts`/`ends`, and
  `financial_year_start` (a month's name or abbreviation in any case, or 1-12 as a number or text) are described in
  model.py, next to the validators that read them;
- every file and mapping refuses unknown keys (`additionalProperties: false`); enums are the models' own.

Where validation depends on what a JSON Schema cannot see or express, the schema is looser, never stricter:

- how a number was written: YAML `id: 1.10` is the text "1.10" to the tool but the number 1.1 to a schema, and forms
  such as `+1`, `0x1F`, `.5` or `2.0` are numbers to a schema though the tool's patterns refuse their text, so any
  number of the right sign passes a text field's schema (also when it is longer than the field allows);
  `financial_year_start: 4.0` and `period: 2026.0` pass (JSON has no 4.0 apart from 4) where the tool wants 4, 2026;
- the deadline grammar (parse_when in dates.py): any text that is not blank passes as a deadline or period
  (`due: soonish` is refused by the tool only), as does any year 1-9999 or, for a deadline, any whole number (a plan's
  deadline code may be one); a plan's period may not be "ongoing"; `starts`/`ends` must be real days, written
  YYYY-MM-DD (the schema asks only for that shape somewhere in the text); a deadline code must be in plan.yaml;
- numbers, yes/no values and dates written as text are checked for their characters only: `due_soon_days: "400"`,
  `value: "1..2"`, `date: "2022-02-30"` pass; so does `financial_year_start` in digits of other scripts ("٤");
- what the YAML reader refuses before validation: control characters, tags, aliases, duplicate keys, merge keys,
  numbers of over 15 digits, deep nesting, files over 10 MB, more than one document;
- checks across files: owners listed in owners.yaml, priorities listed in plan.yaml, unique ids, folder names.

tests/test_schemas.py holds both directions against validation: over every bundled file, a table of values per field
and the hostile-input corpus.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from .model import Action, Config, OwnersFile, Plan, Strict

__all__ = ["SCHEMA_DIR", "STRIPPED", "missing_schema_files", "schema_documents", "schema_files", "schema_line"]

#: The characters pydantic strips from text (`str_strip_whitespace`, and around numbers written as text): Unicode's
#: White_Space, as the body of a regex character class that reads the same in Python and JavaScript regexes.
STRIPPED = r"\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_SPACE, _SOLID = f"[{STRIPPED}]", f"[^{STRIPPED}]"

#: Texts pydantic reads as a whole number or a number: digits with signs, underscores, a point (and an exponent).
#: Wider than pydantic's own reading ("1..2" passes); tests/test_schemas.py checks it is never narrower.
INT_TEXT = f"^{_SPACE}*[-+_0-9.]*[0-9][-+_0-9.]*{_SPACE}*$"
FLOAT_TEXT = f"^{_SPACE}*[-+_0-9.eE]*[0-9][-+_0-9.eE]*{_SPACE}*$"
#: The texts pydantic reads as yes/no, in any letter case.
BOOL_WORDS = ("0", "1", "f", "false", "n", "no", "off", "on", "t", "true", "y", "yes")
#: A date or a Unix time written as text starts with a digit, a sign or a point ("2022-10-01", "86400").
DATE_TEXT = "^[-+.0-9]"
SECONDS_A_DAY = 86400


def _case_free(word: str) -> str:
    return "".join(f"[{c.upper()}{c.lower()}]" if c.isalpha() else c for c in word)


def _portable(pattern: str) -> str:
    """A model's pattern (pydantic's Rust regex, anchored with ^ and $) as its body that Python and JavaScript read
    alike: `.` is any character but a line feed, `\\s`/`\\S` is Unicode White_Space or not (as in Rust)."""
    if not (pattern.startswith("^") and pattern.endswith("$") and not pattern.endswith("\\$")):
        raise ValueError(f"a model's pattern must be anchored with ^ and $: {pattern!r}")
    body, out, index, in_class = pattern[1:-1], [], 0, False
    while index < len(body):
        char = body[index]
        if char == "\\":
            escaped = body[index + 1]
            if escaped in "sS" and not in_class:
                out.append(_SPACE if escaped == "s" else _SOLID)
            elif escaped.isalpha() and escaped not in "nrt":
                raise ValueError(f"\\{escaped} reads differently in Python and JavaScript regexes: {pattern!r}")
            else:
                out.append(char + escaped)
            index += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == ".":
            char = "[^\\n]"
        out.append(char)
        index += 1
    return "".join(out)


def _length(low: int, high: int | None) -> str:
    """Text (after stripping) of `low` to `high` characters, as a regex that starts at its first character."""
    if high == 0:
        return ""
    if high == 1:
        one = _SOLID
    else:
        middle = f"[\\s\\S]{{{max(low - 2, 0)},{'' if high is None else high - 2}}}"
        one = f"{_SOLID}(?:{middle}{_SOLID})" + ("?" if low <= 1 else "")
    return one if low >= 1 else f"(?:{one})?"


def stripped_text(pattern: str | None, min_length: int | None, max_length: int | None) -> JsonSchemaValue:
    """Text with whitespace around it that, stripped, has the given length and matches `pattern`."""
    if pattern is None and max_length is None and (min_length or 0) <= 1:
        return {"type": "string", "pattern": _SOLID} if min_length else {"type": "string"}
    length = _length(min_length or 0, max_length)
    if pattern is None:
        body = length
    elif min_length or max_length is not None:
        body = f"(?={length}{_SPACE}*$)(?:{_portable(pattern)})"
    else:
        body = f"(?:{_portable(pattern)})"
    return {"type": "string", "pattern": f"^{_SPACE}*{body}{_SPACE}*$"}


def _numbers_as_text(pattern: str | None) -> JsonSchemaValue | None:
    """The numbers that, as text, can fit `pattern`: any, none, or none below 0 if it refuses a leading "-"."""
    if pattern is None:
        return {"type": "number"}
    regex = re.compile(pattern)
    if not regex.search("1"):
        return None
    if any(regex.search(text) for text in ("-1", "-1.5", "-0", "-1e-05")):
        return {"type": "number"}
    return {"type": "number", "minimum": 0}


def _allows(schema: JsonSchemaValue, value: int) -> bool:
    """Whether the bounds of a number's schema allow `value` (how far true and false, as 1 and 0, are read)."""
    return (
        schema.get("minimum", value) <= value <= schema.get("maximum", value)
        and schema.get("exclusiveMinimum", value - 1) < value < schema.get("exclusiveMaximum", value + 1)
        and value % schema.get("multipleOf", 1) == 0
    )


class InputSchema(GenerateJsonSchema):
    """pydantic's JSON Schema generator, describing the input the models accept in lax mode with their settings."""

    @staticmethod
    def _setting(schema: Any, key: str) -> bool:
        return bool(schema.get(key, Strict.model_config.get(key, False)))

    def str_schema(self, schema: core_schema.StringSchema) -> JsonSchemaValue:
        if schema.get("to_lower") or schema.get("to_upper"):
            raise NotImplementedError("a schema for text that is changed in case before it is checked")
        if not self._setting(schema, "str_strip_whitespace"):
            text = super().str_schema(schema)
        else:
            text = stripped_text(schema.get("pattern"), schema.get("min_length"), schema.get("max_length"))
        numbers = _numbers_as_text(schema.get("pattern")) if self._setting(schema, "coerce_numbers_to_str") else None
        if numbers is None or self._setting(schema, "strict"):
            return text
        return {"anyOf": [text, numbers]}

    def _lax_number(self, number: JsonSchemaValue, schema: Any, text: str) -> JsonSchemaValue:
        if self._setting(schema, "strict"):
            return number
        choices = [number]
        flags = [flag for flag in (False, True) if _allows(number, int(flag))]
        if flags:
            choices.append({"type": "boolean"} if len(flags) == 2 else {"const": flags[0]})
        choices.append({"type": "string", "pattern": text})
        return {"anyOf": choices}

    def int_schema(self, schema: core_schema.IntSchema) -> JsonSchemaValue:
        return self._lax_number(super().int_schema(schema), schema, INT_TEXT)

    def float_schema(self, schema: core_schema.FloatSchema) -> JsonSchemaValue:
        return self._lax_number(super().float_schema(schema), schema, FLOAT_TEXT)

    def bool_schema(self, schema: core_schema.BoolSchema) -> JsonSchemaValue:
        if self._setting(schema, "strict"):
            return super().bool_schema(schema)
        words = "|".join(_case_free(word) for word in BOOL_WORDS)
        return {
            "anyOf": [
                {"type": "boolean"},
                {"type": "integer", "minimum": 0, "maximum": 1},
                {"type": "string", "pattern": f"^(?:{words})$"},
            ]
        }

    def date_schema(self, schema: core_schema.DateSchema) -> JsonSchemaValue:
        if self._setting(schema, "strict"):
            return super().date_schema(schema)
        return {
            "anyOf": [
                {"type": "string", "pattern": DATE_TEXT, "description": "YYYY-MM-DD, e.g. 2022-04-01"},
                {"type": "integer", "multipleOf": SECONDS_A_DAY},
            ]
        }

    def dict_schema(self, schema: core_schema.DictSchema) -> JsonSchemaValue:
        """A mapping whose keys (always text in YAML) must fit the key schema: propertyNames, not patternProperties
        (which lets keys that do not match pass unchecked)."""
        result: JsonSchemaValue = {"type": "object"}
        if "keys_schema" in schema:
            keys = self.generate_inner(schema["keys_schema"])
            texts = [choice for choice in keys.get("anyOf", [keys]) if choice.get("type") == "string"]
            if len(texts) != 1:
                raise NotImplementedError(f"keys of a mapping that are not text: {keys}")
            names = {key: value for key, value in texts[0].items() if key not in ("type", "title")}
            if names:
                result["propertyNames"] = names
        values = self.generate_inner(schema["values_schema"]) if "values_schema" in schema else {}
        values = {key: value for key, value in values.items() if key != "title"}
        result["additionalProperties"] = values or True
        self.update_with_validations(result, schema, self.ValidationsMapping.object)
        return result

    def nullable_schema(self, schema: core_schema.NullableSchema) -> JsonSchemaValue:
        """`X | None`: X's choices and null side by side, rather than one choice holding the others."""
        inner = self.generate_inner(schema["schema"])
        if set(inner) == {"anyOf"}:
            return {"anyOf": [*inner["anyOf"], {"type": "null"}]}
        return super().nullable_schema(schema)


FILES: tuple[tuple[str, type[BaseModel], str], ...] = (
    ("action", Action, "actiontrack action file (plans/<plan>/actions/<id>-<name>.yaml)"),
    ("plan", Plan, "actiontrack plan file (plans/<plan>/plan.yaml)"),
    ("owners", OwnersFile, "actiontrack owners registry (plans/owners.yaml)"),
    ("config", Config, "actiontrack settings (actiontrack.yaml)"),
)


def schema_documents() -> dict[str, dict[str, Any]]:
    """JSON Schemas of the files a plans repository holds, for editors (VS Code's YAML extension) and CI."""
    documents = {}
    for name, model, title in FILES:
        schema = model.model_json_schema(schema_generator=InputSchema)
        documents[name] = {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": title, **schema}
    return documents


#: Where a plans repository keeps the schemas (written by `init`, `new` and `import`, published with the report).
SCHEMA_DIR = "schemas"


def schema_files() -> dict[str, str]:
    """File name -> JSON text of each schema, as written to `schemas/` and published with the report."""
    import json

    return {
        f"{name}.schema.json": json.dumps(document, indent=2, ensure_ascii=False) + "\n"
        for name, document in schema_documents().items()
    }


def schema_line(path: Path, root: Path, kind: str) -> str:
    """The first line of a file `path` of `kind` (action, plan, owners, config): the VS Code YAML extension (the
    YAML language server) checks and completes the file against `root/schemas/<kind>.schema.json`."""
    import os

    schema = root / SCHEMA_DIR / f"{kind}.schema.json"
    return f"# yaml-language-server: $schema={os.path.relpath(schema, path.parent).replace(os.sep, '/')}\n"


def missing_schema_files(root: Path) -> dict[Path, str]:
    """The schema files a repository lacks, so that the schema line of a file written now resolves."""
    folder = root / SCHEMA_DIR
    return {folder / name: text for name, text in schema_files().items() if not (folder / name).exists()}
