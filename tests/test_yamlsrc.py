"""The safe reader: hostile and broken YAML become one positioned message, never a traceback or a hang."""

import pytest

from actiontrack.yamlfile import YamlProblem, parse_text, read_document


def problem(text: str) -> YamlProblem:
    with pytest.raises(YamlProblem) as raised:
        parse_text(text)
    return raised.value


def test_marks_every_key_and_item():
    doc = parse_text('id: "1.a"\nowners:\n  - a\n  - b\nmilestones:\n  - text: x\n    due: "2022/23"\n')
    assert doc.data["owners"] == ["a", "b"]
    assert doc.marks[("owners",)] == (2, 1)
    assert doc.marks[("owners", 1)] == (4, 5)
    assert doc.marks[("milestones", 0, "due")] == (7, 5)
    assert doc.locate(("milestones", 0, "nope", 3)) == (6, 5)  # nearest ancestor that exists


def test_dates_stay_as_written():
    assert parse_text("due: 2023-03-31\n").data == {"due": "2023-03-31"}


def test_scalars():
    data = parse_text("a: 1\nb: 1.5\nc: true\nd: null\ne: ~\nf: '007'\n").data
    assert data == {"a": 1, "b": 1.5, "c": True, "d": None, "e": None, "f": "007"}


@pytest.mark.parametrize(
    "text",
    [
        "a: !!python/object/apply:os.system ['echo pwned']\n",
        "a: !!python/name:os.system\n",
        "a: !custom 1\n",
        "!!set {a, b}\n",
        "a: !!omap [x: 1]\n",
    ],
)
def test_tags_are_refused(text):
    found = problem(text)
    assert "tag" in found.message and "not allowed" in found.message
    assert found.line == 1


def test_alias_bomb_is_refused_fast():
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in "bcdefghi":
        previous = chr(ord(level) - 1)
        lines.append(f"{level}: &{level} [" + ",".join([f"*{previous}"] * 9) + "]")
    found = problem("\n".join(lines) + "\n")
    # refused at the first alias (line 2), before anything walks the 387 million nodes it stands for
    assert "aliases" in found.message
    assert (found.line, found.column) == (2, 1)


def test_conflict_marker_names_its_line():
    found = problem('id: "1.a"\n<<<<<<< HEAD\ntitle: one\n=======\ntitle: two\n>>>>>>> branch\n')
    assert found.rule == "conflict-marker"
    assert (found.line, found.column) == (2, 1)
    assert "conflict" in found.message


def test_syntax_error_position():
    found = problem("id: 1\ntitle: [unclosed\nwhat: x\n")
    assert found.rule == "yaml-syntax"
    assert found.message == 'this "[" is never closed; end it with "]" and put commas between its items'
    assert (found.line, found.column) == (2, 8)  # at the bracket, not where the parser gave up


# Parser errors in plain words, at the place to mend: (text, line, column, start of the message)
PLAIN_WORDS = [
    ('id: "1.a\ntitle: x\nwhat: y\n', 1, 5, 'this quote (") is never closed'),
    ("id: '1.a\ntitle: x\n", 1, 5, "this quote (') is never closed"),
    ("actuals: {a: 1\ntitle: x\n", 1, 10, 'this "{" is never closed'),
    ("id: x\n  title: y\n", 2, 3, "this line is indented differently"),
    ("milestones:\n  - text: a\n   due: b\n", 3, 4, "this line is indented differently"),
    ("title: Note: this\n", 1, 12, "a colon followed by a space inside a value"),
    ("milestones:\n\t- text: a\n", 2, 1, "a tab character here"),
    ('title: "x" y\n', 1, 12, "text after the closing quote"),
    ('title: "a\\qb"\n', 1, 10, '"\\q" is not a valid escape'),
    ("outcome: |x\n  text\n", 1, 11, "after | or > only"),
    ("a: *x\n", 1, 4, "YAML aliases (*name) are not allowed"),
    ("c:\n  <<: {a: 1}\n", 2, 3, "YAML merge keys (<<) are not allowed"),
    ("id: x\n- y\n", 2, 1, "a list item where a key was expected"),
    ("title: @home\n", 1, 8, 'text cannot start with "@"'),
    ("title: * bullet\n", 1, 8, 'text cannot start with "*"'),
    ("a: 1\n...\nb: 2\n", 3, 1, "the file holds more than one YAML document"),
    ("a: x\x07y\n", 1, 5, "the file holds a control character (U+0007)"),
    ('a: "\\e[2J"\n', 1, 4, "text holds a control character (U+001B); remove it"),
    ("a: [b, c]d\n", 1, 10, 'text after the closing "]"'),
    ("a: {b: :0}\n", 1, 8, 'text cannot start with ":"'),
    ('title: !!int "\\e[2J"\n', 1, 8, "text holds a control character (U+001B)"),  # a tag does not skip the check
    ('title: "a\\Nb"\n', 1, 8, "text holds a control character (U+0085)"),
    ("title: a\u202eb\n", 1, 9, "the file holds an invisible character that reorders text (U+202E)"),
    ('source: "C:\\Users\\jo"\n', 1, 12, '"\\U" is not a valid escape'),
    ('a: "\\u20"\n', 1, 5, '"\\u20" is not a valid escape'),
    ("k: !foo!bar a\n", 1, 4, "YAML tags (!name) are not allowed"),
    ("a: &x 1\nb: &x 2\n", 2, 4, "this anchor (&name) is used twice"),
    ("{", 2, 1, "the file ends in the middle of a value"),
    ("title: x\u2028y\nwhat: " + "[" * 300 + "]" * 300 + "\n", 2, 71, "nesting deeper than 64 levels"),
    ("owners: [who?]\n", None, None, None),  # valid YAML 1.2 that the C parser refuses: read by the pure one
    ("id: x\nsome words here\n", 2, 1, 'this line has no "key:"'),
    ("a: 1234567890123456789012\n", 1, 4, '"12345678901234567890…" is too large a number'),
]


@pytest.mark.parametrize(("text", "line", "column", "message"), PLAIN_WORDS)
def test_parser_errors_in_plain_words(text, line, column, message):
    if message is None:
        assert parse_text(text).data == {"owners": ["who?"]}
        return
    found = problem(text)
    assert (found.line, found.column, found.message[: len(message)]) == (line, column, message)
    assert "while scanning" not in found.message and "invalid YAML" not in found.message


def test_values_are_bounded_before_composing():
    found = problem("- 1\n" * 100_001)
    assert found.message == "the file holds more than 100,000 values; a plan file holds a few hundred"


def test_duplicate_keys_are_refused():
    found = problem("title: a\ntitle: b\n")
    assert "duplicate key" in found.message and found.line == 2


def test_more_than_one_document():
    assert "more than one" in problem("a: 1\n---\nb: 2\n").message


def test_deep_nesting_is_refused():
    assert "nesting" in problem("a: " + "[" * 100 + "]" * 100 + "\n").message


def test_not_utf8(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_bytes(b"title: ok\nwhat: caf\xe9\n")
    with pytest.raises(YamlProblem) as raised:
        read_document(path)
    assert raised.value.rule == "yaml-syntax"
    assert (raised.value.line, raised.value.column) == (2, 10)
    assert "UTF-8" in raised.value.message


def test_utf8_bom_and_crlf_are_fine(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_bytes("\ufefftitle: Café\r\nwhat: x\r\n".encode())
    assert read_document(path).data == {"title": "Café", "what": "x"}


def test_control_character():
    found = problem("id: 1\nwhat: x\ntitle: a\x07b\n")
    assert found.message == "the file holds a control character (U+0007) here; remove it"
    assert (found.line, found.column) == (3, 9)


def test_empty_document():
    assert parse_text("# only a comment\n").data is None


def test_c_and_pure_python_parsers_agree():
    from pathlib import Path

    from actiontrack.yamlfile import parsing as yamlsrc

    assert yamlsrc.CParser is not None, "ruamel.yaml.clib should be installed (a dependency on CPython)"
    plans = Path(__file__).resolve().parent.parent / "plans"
    for path in sorted(plans.rglob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        fast = yamlsrc.parse_text(text)
        original, yamlsrc._compose = yamlsrc._compose, yamlsrc._compose_pure
        try:
            slow = yamlsrc.parse_text(text)
            with pytest.raises(YamlProblem, match="more than one YAML document"):
                yamlsrc.parse_text("a: 1\n---\nb: 2\n")
        finally:
            yamlsrc._compose = original
        assert (fast.data, fast.marks) == (slow.data, slow.marks), path.name


def test_yaml_1_2_booleans():
    assert parse_text("a: yes\nb: no\nc: on\nd: true\n").data == {"a": "yes", "b": "no", "c": "on", "d": True}


@pytest.mark.parametrize(
    "text",
    [
        "a: " + "[" * 100_000 + "]" * 100_000 + "\n",  # crashed the C composer before the pre-check
        "a: " + "{b: " * 60_000 + "}" * 60_000 + "\n",
        "- " * 100_000 + "x\n",
    ],
)
def test_nesting_bombs_are_refused_without_crashing(text):
    found = problem(text)
    assert "nesting deeper than" in found.message
    assert found.line == 1


def test_brackets_inside_quotes_are_not_nesting():
    text = "note: '" + "[" * 2000 + "'\n"
    assert parse_text(text).data == {"note": "[" * 2000}


def test_huge_files_are_refused(tmp_path):
    path = tmp_path / "huge.yaml"
    path.write_bytes(b"note: " + b"x" * (11 * 1024 * 1024) + b"\n")
    with pytest.raises(YamlProblem, match="limit 10 MB"):
        read_document(path)


def test_numbers_keep_their_text_where_text_is_expected(make_repo):
    from actiontrack.load import load_workspace

    repo = make_repo(
        {
            "plans/test-plan/actions/1.10-x.yaml": 'id: 1.10\npriority: "1"\ntitle: X\n',
            "plans/test-plan/actions/1.1-y.yaml": 'id: 1.1\npriority: "1"\ntitle: Y\n',
            "plans/test-plan/actions/007-z.yaml": 'id: 007\npriority: "1"\ntitle: Z\n'
            "targets:\n  - text: t\n    value: 1.50\n",
        }
    )
    workspace = load_workspace([], cwd=repo)
    assert workspace.problems == []
    assert sorted(a.action.id for a in workspace.actions) == ["007", "1.1", "1.10", "1.a"]
    target = next(a for a in workspace.actions if a.action.id == "007").action.targets[0]
    assert target.value == 1.5 and type(target.value) is float


@pytest.mark.parametrize("text", ["value: 1e400\n", "value: .inf\n", "value: -.Inf\n", "value: .nan\n"])
def test_non_finite_numbers_are_refused(text):
    assert "not a usable number" in problem(text).message


def test_keys_are_kept_as_written():
    assert parse_text("true: 1\nnull: 2\n").data == {"true": 1, "null": 2}
