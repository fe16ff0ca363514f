"""The JSON Schemas (schemas.py) agree with validation: what `actiontrack validate` accepts, the schema accepts.

The schema may only be looser, where validation depends on what a schema cannot see (how a number was written, the
deadline grammar, the YAML reader's own checks, other files): schemas.py's docstring lists those. Every check reads
files with the tool's own YAML reader (yamlsrc.parse_text: YAML 1.2, `due: 2022-10-01` stays text, `id: 1.10` stays
"1.10"), so the schema sees the very data the models see, and validates the way load.py does.
"""

from __future__ import annotations

import itertools
import json
import tomllib
import typing
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from pydantic import BaseModel, ConfigDict, StringConstraints, TypeAdapter, ValidationError

from actiontrack.init import starter_files
from actiontrack.model import PY_SPACE, Action, Config, Owner, OwnersFile, Plan, Update, validation_context
from actiontrack.schemas import BOOL_WORDS, FLOAT_TEXT, INT_TEXT, STRIPPED, schema_documents
from actiontrack.yamlfile import YamlProblem, parse_bytes, parse_text

from .conftest import BUNDLED_PLANS, REPO

CORPUS = Path(__file__).resolve().parent / "corpus"
MODELS: dict[str, type[BaseModel]] = {"action": Action, "plan": Plan, "owners": OwnersFile, "config": Config}


@cache
def validators() -> dict[str, jsonschema.Draft202012Validator]:
    documents = schema_documents()
    for document in documents.values():
        jsonschema.Draft202012Validator.check_schema(document)
    return {name: jsonschema.Draft202012Validator(document) for name, document in documents.items()}


def kind_of(path: str) -> str:
    name = path.rsplit("/", 1)[-1].rsplit(":", 1)[-1]
    return {"plan.yaml": "plan", "owners.yaml": "owners", "actiontrack.yaml": "config"}.get(name, "action")


def validates(kind: str, data: Any, context: dict | None = None) -> bool:
    """Whether the model accepts `data`, validated as load.py does (config without context, owners with {})."""
    if kind in ("action", "plan") and context is None:
        context = validation_context(4)
    elif kind == "owners":
        context = {}
    try:
        MODELS[kind].model_validate(data, context=context)
    except ValidationError:
        return False
    return True


def schema_errors(kind: str, data: Any) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validators()[kind].iter_errors(data)]


# ---- the schemas as documents ----------------------------------------------------------------------------------


def walk(node: Any) -> typing.Iterator[dict]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from walk(item)


def test_the_schemas_are_draft_2020_12():
    for name, document in schema_documents().items():
        assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema", name
        jsonschema.Draft202012Validator.check_schema(document)


def test_every_mapping_refuses_unknown_keys_and_nothing_depends_on_format():
    for name, document in schema_documents().items():
        for node in walk(document):
            if "properties" in node:
                assert node.get("additionalProperties") is False, (name, sorted(node["properties"]))
            # a validator that asserts "format" (check-jsonschema does) would refuse what the tool reads
            assert "format" not in node, (name, node)


def literal_values(model: type[BaseModel], field: str) -> list[str]:
    annotation = model.model_fields[field].annotation
    if typing.get_origin(annotation) is not typing.Literal:  # Literal[...] | None
        annotation = next(a for a in typing.get_args(annotation) if a is not type(None))
    return list(typing.get_args(annotation))


@pytest.mark.parametrize(
    ("kind", "pointer", "model", "field"),
    [
        ("action", ["$defs", "Update", "properties", "rag"], Update, "rag"),
        ("action", ["$defs", "Update", "properties", "status"], Update, "status"),
        ("action", ["properties", "status"], Action, "status"),
        ("owners", ["$defs", "Owner", "properties", "kind"], Owner, "kind"),
        ("plan", ["properties", "reporting"], Plan, "reporting"),
    ],
)
def test_enums_are_the_models_own(kind, pointer, model, field):
    node: Any = schema_documents()[kind]
    for key in pointer:
        node = node[key]
    enums = [n["enum"] for n in walk(node) if "enum" in n]
    assert enums == [literal_values(model, field)]


# ---- 1. every bundled file ----------------------------------------------------------------------------------------


def bundled_files() -> dict[str, str]:
    """Every plan file the project ships: plans/, and the files `actiontrack init` writes from templates/init/ (with
    their placeholders filled in, as init does): name -> text."""
    files = {p.relative_to(REPO).as_posix(): p.read_text(encoding="utf-8") for p in BUNDLED_PLANS.rglob("*.yaml")}
    for name, content in starter_files().items():
        if name == "actiontrack.yaml" or (name.startswith("plans/") and name.endswith(".yaml")):
            files[f"init:{name}"] = content.decode("utf-8")
    return files


BUNDLED = bundled_files()


def bundled_context(name: str) -> dict | None:
    """What load.py validates a file with: an action gets the repository's financial year and its plan's codes."""
    kind = kind_of(name)
    if kind in ("owners", "config"):
        return {} if kind == "owners" else None
    prefix = "init:" if name.startswith("init:") else ""
    config = BUNDLED.get(f"{prefix}actiontrack.yaml")
    fy_start = Config.model_validate(parse_text(config).data).financial_year_start if config else 4
    if kind == "plan":
        return validation_context(fy_start)
    plan_data = parse_text(BUNDLED[name.rsplit("/actions/", 1)[0] + "/plan.yaml"]).data
    return validation_context(fy_start, Plan.model_validate(plan_data, context=validation_context(fy_start)))


@pytest.mark.parametrize("name", sorted(BUNDLED))
def test_every_bundled_file_validates_and_fits_its_schema(name):
    kind = kind_of(name)
    data = parse_text(BUNDLED[name]).data
    assert validates(kind, data, bundled_context(name)), name
    assert schema_errors(kind, data) == []


def test_the_bundled_files_cover_every_kind():
    assert {kind_of(name) for name in BUNDLED} == set(MODELS)
    assert {kind_of(name) for name in BUNDLED if name.startswith("init:")} == set(MODELS)
    assert len(BUNDLED) > 40


# ---- 2. both directions over a table of values ------------------------------------------------------------------

BASE: dict[str, dict[str, Any]] = {
    "action": {
        "id": "1.a",
        "title": "x",
        "milestones": [{"text": "m"}],
        "targets": [{"text": "t"}],
        "updates": [{"period": "2022/23 Q1"}],
    },
    "plan": {"title": "x"},
    "owners": {"owners": [{"id": "a", "name": "A", "kind": "team"}]},
    "config": {},
}
PLACEHOLDER = "@@value@@"


def file_with(kind: str, path: tuple, written: str) -> Any:
    """A minimal valid file of `kind` with the value at `path` as written in YAML (flow style), read by the tool's
    reader; a path ending in "+key" adds the key `written` holds (`{key: value}`) to the mapping instead."""
    data = json.loads(json.dumps(BASE[kind]))
    holder = data
    for key in path[:-1]:
        holder = holder.setdefault(key, {}) if isinstance(key, str) and key not in holder else holder[key]
    holder[path[-1]] = PLACEHOLDER
    text = json.dumps(data).replace(json.dumps(PLACEHOLDER), written)  # JSON is YAML; the value goes in as written
    return parse_text(text).data


YES, NO = True, False
# (kind, path, value as written in YAML, validate accepts, schema accepts); a row where validate refuses and the
# schema accepts is a documented looser case (see schemas.py)
TABLE: list[tuple[str, tuple, str, bool, bool]] = [
    # financial_year_start: parse_month
    *[("config", ("financial_year_start",), v, YES, YES) for v in ["April", "apr", "APRIL", "4", '"4"', "Sept"]],
    *[("config", ("financial_year_start",), v, YES, YES) for v in ['" April "', '"04"', "12", "1", "sep", "MAY"]],
    *[("config", ("financial_year_start",), v, YES, YES) for v in ['"\\u0664"', '"\\u00a04"', "04"]],
    *[("config", ("financial_year_start",), v, NO, NO) for v in ["13", "0", "Apri", "true", "4.5", '"13"', '"0"']],
    *[("config", ("financial_year_start",), v, NO, NO) for v in ["null", "-4", '"April 1"', "[4]", '"4.0"', '""']],
    ("config", ("financial_year_start",), "4.0", NO, YES),  # a schema cannot tell 4.0 from 4
    # text fields take numbers; patterns apply to the number's text
    *[("action", ("id",), v, YES, YES) for v in ["1", '"1"', "1.5", "7", "007", "1.10", '" 1.a "', '"1.a"', "1e-5"]],
    *[("action", ("id",), v, NO, NO) for v in ["-1", '"-1"', '""', "true", "null", '"1 a"', '"' + "a" * 21 + '"']],
    *[("action", ("id",), v, YES, YES) for v in ["2.0", "0x1F", "1e20", "1E20"]],  # the texts "2.0", "0x1F" fit
    *[("action", ("id",), v, NO, YES) for v in ["+1", ".5", "-0"]],  # numbers, but the texts "+1", ".5" do not fit
    *[("action", ("priority",), v, YES, YES) for v in ["1", '"1"', "-1", "1.5", '"1.a"', '"  2 "', "1.10"]],
    *[("action", ("priority",), v, NO, NO) for v in ['""', "true", '"   "', '"' + "9" * 21 + '"', "[1]"]],
    ("action", ("priority",), "null", YES, YES),
    *[("action", ("title",), v, YES, YES) for v in ["2024", "-3.5", '"a title"', "x y"]],
    *[("action", ("title",), v, NO, NO) for v in ['""', '"  "', "true", "null", "{}"]],
    *[("action", ("what",), v, YES, YES) for v in ["2024", "null", '""', "1.5"]],
    ("action", ("what",), "false", NO, NO),
    *[("action", ("due_as_written",), v, YES, YES) for v in ['"by spring"', "2026", "null", '"2022/23"']],
    ("action", ("due_as_written",), "true", NO, NO),
    *[("action", ("owners",), v, YES, YES) for v in ["[planning-policy]", "[1]", '[" a-b "]', "[]"]],
    *[("action", ("owners",), v, NO, NO) for v in ["[-1]", "[Bad]", '[""]', "[true]", "null", "[a_b]"]],
    *[("action", ("owners",), v, NO, YES) for v in ["[1.5]", "[2.0]"]],  # not slugs, but as written 15e-1 is one
    ("action", ("owners",), "[15e-1]", YES, YES),
    # dates as written: a number is read as its text
    *[("action", ("due",), v, YES, YES) for v in ["2026", '"2026"', '"2022/23"', "null", "2022-10-01", "ongoing"]],
    *[("action", ("due",), v, YES, YES) for v in ['"March 2023"', '"Q3 2022/23"', "0999"]],
    *[("action", ("due",), v, NO, NO) for v in ["true", '""', '"  "', "1.5", "[2026]"]],
    *[("action", ("due",), v, NO, YES) for v in ["soonish", "0", "-1", "10000", "2026.0", '"2022/21"', "S"]],
    *[("plan", ("period",), v, YES, YES) for v in ["2025", '"2025"', '"2022/23"', "null", '"2021 – 2023"']],
    *[("plan", ("period",), v, NO, NO) for v in ["true", '""', "0", "-1", "10000", "1.5", "{}"]],
    *[("plan", ("period",), v, NO, YES) for v in ["soonish", "ongoing", "2025.0"]],  # grammar; 2025.0 as written
    *[("action", ("milestones", 0, "due"), v, YES, YES) for v in ["2026", '"Q2 2022/23"', "null"]],
    ("action", ("milestones", 0, "due"), "soonish", NO, YES),
    *[("action", ("updates", 0, "period"), v, YES, YES) for v in ['"2022/23 Q2"', "2023"]],
    *[("action", ("updates", 0, "period"), v, NO, NO) for v in ["null", "true", '""']],
    ("action", ("updates", 0, "period"), "soonish", NO, YES),
    # a plan's deadline codes: keys are stripped and checked, values are dates as written
    *[("plan", ("deadline_codes",), v, YES, YES) for v in ['{S: "March 2020"}', '{" S ": 2020}', "{LT+: ongoing}"]],
    *[("plan", ("deadline_codes",), v, YES, YES) for v in ["{1: 2020}", '{"a b": 2021}', "{}"]],
    *[("plan", ("deadline_codes",), v, NO, NO) for v in ['{"": 2020}', '{"   ": 2020}', "{S: null}", "{S: true}"]],
    *[("plan", ("deadline_codes",), v, NO, NO) for v in ["{S: 0}", "{S: 2020.5}"]],
    ("plan", ("deadline_codes",), '{"' + "x" * 21 + '": 2020}', NO, NO),
    *[("plan", ("deadline_codes",), v, NO, YES) for v in ["{S: soonish}", "{S: 2020.0}"]],
    # days: YYYY-MM-DD
    *[("plan", ("starts",), v, YES, YES) for v in ["2022-04-01", "2022-4-1", '"by 2022-04-01"', "null"]],
    *[("plan", ("starts",), v, NO, NO) for v in ["20220401", '"1 April 2022"', "true", "2022"]],
    ("plan", ("starts",), "2022-02-30", NO, YES),
    *[("action", ("updates", 0, "date"), v, YES, YES) for v in ["2022-10-01", "86400", '"2022-10-01T00:00:00"']],
    *[("action", ("updates", 0, "date"), v, YES, YES) for v in ["null", "0", '"86400"', "-86400"]],
    *[("action", ("updates", 0, "date"), v, NO, NO) for v in ["86401", "yesterday", "true", "1.5", '" 2022-10-01"']],
    ("action", ("updates", 0, "date"), "2022-10-32", NO, YES),
    # enums, exactly
    *[("action", ("updates", 0, "rag"), v, YES, YES) for v in ["green", "amber", "red", "null"]],
    *[("action", ("updates", 0, "rag"), v, NO, NO) for v in ["Green", "purple", '" green"', "true", "1"]],
    *[("action", ("status",), v, YES, YES) for v in ["in-progress", "complete", "null"]],
    *[("action", ("status",), v, NO, NO) for v in ["done", "Complete", '"in progress"']],
    *[("owners", ("owners", 0, "kind"), v, YES, YES) for v in ["team", "person", "partner"]],
    *[("owners", ("owners", 0, "kind"), v, NO, NO) for v in ["Team", "org", "null", "1"]],
    *[("plan", ("reporting",), v, YES, YES) for v in ["quarterly", "half-yearly"]],
    *[("plan", ("reporting",), v, NO, NO) for v in ["Quarterly", "weekly", "null"]],
    *[("action", ("targets", 0, "direction"), v, YES, YES) for v in ["increase", "null"]],
    ("action", ("targets", 0, "direction"), "up", NO, NO),
    # yes/no, numbers and whole numbers as pydantic reads them
    *[("action", ("milestones", 0, "done"), v, YES, YES) for v in ["true", "false", "yes", '"YES"', "1", "0"]],
    *[("action", ("milestones", 0, "done"), v, YES, YES) for v in ['"off"', '"T"', "1.0", '"1"']],
    *[("action", ("milestones", 0, "done"), v, NO, NO) for v in ["2", '" yes"', "null", '"yess"', "0.5", '""']],
    *[("action", ("targets", 0, "value"), v, YES, YES) for v in ["1.5", '"1.5"', "true", '"1e3"', "null", '" 7 "']],
    *[("action", ("targets", 0, "value"), v, NO, NO) for v in ['"abc"', '""', '"inf"', "[1]", '"7 %"']],
    ("action", ("targets", 0, "value"), '"1..2"', NO, YES),
    *[("action", ("updates", 0, "actuals"), v, YES, YES) for v in ["{a: 3}", '{a: "3"}', "{a: false}", "{}"]],
    *[("action", ("updates", 0, "actuals"), v, NO, NO) for v in ["{a: null}", "{a: x}", "[3]"]],
    *[("config", ("due_soon_days",), v, YES, YES) for v in ["30", '"30"', "0", "366", "true", "30.0", '"1_0"']],
    *[("config", ("due_soon_days",), v, NO, NO) for v in ["30.5", "-1", "367", "x", "null", '""']],
    ("config", ("due_soon_days",), '"400"', NO, YES),
    # other text fields and mappings
    *[("config", ("plans",), v, YES, YES) for v in ["plans", "2024", '""']],
    *[("config", ("plans",), v, NO, NO) for v in ["null", "true"]],
    *[("config", ("lint", "rules"), v, YES, YES) for v in ["{a: off}", "{a: 1}", "{a: {severity: x}}", "{}"]],
    *[("config", ("lint", "rules"), v, NO, NO) for v in ["{a: true}", "{a: null}", "{a: [x]}"]],
    *[("config", ("lint", "ignore"), v, YES, YES) for v in ['{"plans/**": [a, 1]}', "{}"]],
    *[("config", ("lint", "ignore"), v, NO, NO) for v in ["{a: [true]}", "{a: x}"]],
    *[("config", ("report",), v, YES, YES) for v in ["{title: 2024}", "{}"]],
    ("config", ("report",), "{title: 2024, logo: x}", NO, NO),
    *[("owners", ("owners", 0, "contact"), v, YES, YES) for v in ["a@b.c", "1234", "null"]],
    *[("owners", ("owners", 0, "aliases"), v, YES, YES) for v in ["[A, 2]", "[]"]],
    ("owners", ("owners", 0, "aliases"), '[""]', NO, NO),
    *[("action", ("lint",), v, YES, YES) for v in ["{ignore: [r1], reason: because}", "null"]],
    *[("action", ("lint",), v, NO, NO) for v in ["{ignore: [], reason: because}", "{ignore: [r1]}"]],
    # unknown keys
    ("action", ("ownres",), "[planning-policy]", NO, NO),
    ("action", ("updates", 0, "ragg"), "green", NO, NO),
    ("action", ("milestones", 0, "when"), "2026", NO, NO),
    ("plan", ("owner",), "x", NO, NO),
    ("owners", ("owners", 0, "email"), "x", NO, NO),
    ("owners", ("team",), "x", NO, NO),
    ("config", ("fy_start",), "4", NO, NO),
    ("config", ("report", "titel"), "x", NO, NO),
]


@pytest.mark.parametrize(
    ("kind", "path", "written", "accepted", "fits"),
    TABLE,
    ids=[f"{k}:{'.'.join(map(str, p))}={w}" for k, p, w, _, _ in TABLE],
)
def test_schema_and_validation_agree_on_field_values(kind, path, written, accepted, fits):
    data = file_with(kind, path, written)
    valid, errors = validates(kind, data), schema_errors(kind, data)
    assert not (valid and errors), f"validate accepts {written!r} at {path} but the schema refuses it: {errors}"
    assert (valid, not errors) == (accepted, fits)


def test_the_minimal_files_are_valid():
    for kind, data in BASE.items():
        assert validates(kind, data) and schema_errors(kind, data) == [], kind


# ---- what the generator assumes about pydantic's lax reading, checked exhaustively over small alphabets -----------


def reads(adapter: TypeAdapter, value: Any) -> bool:
    try:
        adapter.validate_python(value)
    except ValidationError:
        return False
    return True


@pytest.mark.parametrize(("type_", "pattern"), [(int, INT_TEXT), (float, FLOAT_TEXT)])
def test_number_text_patterns_take_every_text_pydantic_reads_as_a_number(type_, pattern):
    import re

    adapter, regex = TypeAdapter(type_, config=ConfigDict(allow_inf_nan=False)), re.compile(pattern)
    alphabet = ["0", "1", "_", ".", "+", "-", "e", "E", " ", "\u3000", "x", "i", "n", "f", "\x1c"]
    missed = [
        text
        for size in range(1, 5)
        for text in map("".join, itertools.product(alphabet, repeat=size))
        if reads(adapter, text) and not regex.search(text)
    ]
    assert missed == []


def test_bool_words_are_pydantics_own_in_any_case():
    adapter = TypeAdapter(bool)
    schema = validators()["action"].schema["$defs"]["Milestone"]["properties"]["done"]
    checker = jsonschema.Draft202012Validator(schema)
    words = [*BOOL_WORDS, "yes ", " no", "ye", "nope", "tru", "2", "-1", "+1", "00", "1.0", "", "oN", "OFF", "FaLsE"]
    for word in words:
        for variant in {word, word.upper(), word.title(), word.swapcase()}:
            assert reads(adapter, variant) == checker.is_valid(variant), variant


def test_whitespace_classes_are_what_python_and_pydantic_strip():
    """PY_SPACE (model.py) is str.isspace(); STRIPPED (schemas.py) is what pydantic's str_strip_whitespace strips."""
    import re

    every = [chr(c) for c in range(0x3100)] + ["\ufeff", "\u200b"]
    py_space, stripped = re.compile(f"[{PY_SPACE}]"), re.compile(f"[{STRIPPED}]")
    assert [c for c in every if bool(py_space.fullmatch(c)) != c.isspace()] == []
    text = TypeAdapter(typing.Annotated[str, StringConstraints(strip_whitespace=True)])
    assert [c for c in every if bool(stripped.fullmatch(c)) != (text.validate_python(f"{c}a{c}") == "a")] == []


# ---- 3. the hostile-input corpus -------------------------------------------------------------------------------

CASES: list[dict[str, Any]] = tomllib.loads((CORPUS / "cases.toml").read_text(encoding="utf-8"))["case"]
DEFAULT_PLACE = "plans/test-plan/actions/1.b-case.yaml"


def corpus_data(case: dict[str, Any]) -> tuple[str, Any] | None:
    """The case's file as the tool reads it, and which file it is; None where the reader refuses it."""
    try:
        data = parse_bytes((CORPUS / "files" / case["file"]).read_bytes()).data
    except YamlProblem:
        return None
    return kind_of(case.get("place", DEFAULT_PLACE)), data


def base_plan() -> Plan:
    plan = parse_text((CORPUS / "base" / "plans" / "test-plan" / "plan.yaml").read_text(encoding="utf-8")).data
    return Plan.model_validate(plan, context=validation_context(4))


#: What validation checks that a schema cannot: the deadline grammar (parse_when), a plan period that must name
#: dates, a day that must be real. The schema may be looser than validation for these reasons only.
GRAMMAR_CHECKS = {"deadline", "period", "day"}


def refusals(kind: str, data: Any, context: dict | None) -> set[str] | None:
    """The kinds of problem validation finds (pydantic error types); None where it accepts the file."""
    try:
        MODELS[kind].model_validate(data, context=context)
    except ValidationError as error:
        return {item["type"] for item in error.errors()}
    return None


def test_schema_is_never_stricter_than_validation_over_the_corpus():
    """Every corpus file the reader reads into a mapping: where validation accepts it, so does the schema; where the
    schema accepts what validation refuses, validation refused it for its grammar only. (Files the reader refuses,
    for control characters, tags, aliases, size, are never validated: the schema cannot be stricter there.)"""
    contexts = {"action": validation_context(4, base_plan()), "plan": validation_context(4), "owners": {}}
    checked, looser, stricter, unexplained = 0, [], [], []
    for case in CASES:
        if "file" not in case:
            continue  # generators: links, FIFOs, inputs too large to commit (refused before parsing)
        found = corpus_data(case)
        if found is None or not isinstance(found[1], dict):
            continue
        kind, data = found
        checked += 1
        refused, errors = refusals(kind, data, contexts.get(kind)), schema_errors(kind, data)
        if refused is None and errors:
            stricter.append(f"{case['name']}: {errors}")
        elif refused is not None and not errors:
            looser.append(case["name"])
            if not refused <= GRAMMAR_CHECKS:
                unexplained.append(f"{case['name']}: {sorted(refused)}")
    assert stricter == [], "the schema refuses what validate accepts:\n" + "\n".join(stricter)
    assert unexplained == [], "the schema is looser, not for the grammar:\n" + "\n".join(unexplained)
    assert checked >= 60
    assert "plan-period-recurring" in looser and "due-unreadable" in looser  # the grammar's, as documented
