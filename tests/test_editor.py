"""The files `actiontrack init` writes, checked in the real editor client: the Red Hat YAML language server (the npm
package `yaml-language-server`, which VS Code's YAML extension runs), spoken to over LSP on stdio.

Each file's first line, `# yaml-language-server: $schema=../../../schemas/action.schema.json`, must resolve relative
to that file and give diagnostics for what the schema rejects (a misspelt key, a value not in an enum) and none for
the files as written. The server is installed into .venv/editor-deps by tests/editor/ensure-deps.sh when missing;
SchemaStore is off and any HTTP request goes to a dead proxy, so nothing leaves the machine.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DEPS = Path(os.environ.get("EDITOR_DEPS", REPO / ".venv" / "editor-deps"))
SERVER = DEPS / "node_modules" / "yaml-language-server" / "bin" / "yaml-language-server"
TIMEOUT = 60.0  # seconds, for any one answer from the server

SETTINGS: dict[str, Any] = {
    "yaml": {
        "validate": True,
        "hover": True,
        "completion": True,
        "schemaStore": {"enable": False},  # no catalogue download from schemastore.org
        "kubernetesCRDStore": {"enable": False},
    },
    # a closed port: were the server to fetch anything over HTTP it would fail at once, not reach the internet
    "http": {"proxy": "http://127.0.0.1:9", "proxyStrictSSL": True},
    "[yaml]": {},
    "editor": {},
}

ACTION = "plans/example-plan/actions/1.a-warm-homes-advice.yaml"
PLAN = "plans/example-plan/plan.yaml"
OWNERS = "plans/owners.yaml"
CONFIG = "actiontrack.yaml"


class LanguageServer:
    """A minimal LSP client: JSON-RPC with Content-Length framing over the server's stdin and stdout."""

    info: dict[str, Any]  # the server's name and version, from its answer to `initialize`
    repo: Path  # the workspace folder

    def __init__(self, argv: list[str], stderr_path: Path) -> None:
        self._stderr_path = stderr_path
        self._stderr = stderr_path.open("wb")
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr)
        self._inbox: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self._next_id = 0
        self.responses: dict[int, dict[str, Any]] = {}
        self.diagnostics: dict[str, list[list[dict[str, Any]]]] = {}  # uri -> every publish, in order
        self.configuration_requests: list[dict[str, Any]] = []
        self.other: list[dict[str, Any]] = []  # notifications and requests not handled above, for failure output
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        stream = self.proc.stdout
        assert stream is not None
        try:
            while True:
                length = None
                while True:
                    line = stream.readline()
                    if not line:
                        return
                    line = line.strip()
                    if not line:
                        break
                    name, _, value = line.decode("ascii").partition(":")
                    if name.lower() == "content-length":
                        length = int(value)
                if length is None:
                    continue
                self._inbox.put(json.loads(stream.read(length).decode("utf-8")))
        finally:
            self._inbox.put(None)

    def _write(self, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def notify(self, method: str, params: Any) -> None:
        self._write({"method": method, "params": params})

    def request(self, method: str, params: Any) -> Any:
        self._next_id += 1
        ident = self._next_id
        self._write({"id": ident, "method": method, "params": params})
        self.wait_for(lambda: ident in self.responses, f"the answer to {method}")
        response = self.responses.pop(ident)
        assert "error" not in response, (method, response["error"])
        return response.get("result")

    def _answer(self, message: dict[str, Any]) -> None:
        """Answer a request from the server as VS Code would, as far as this test needs."""
        method, params = message["method"], message.get("params") or {}
        result: Any = None
        if method == "workspace/configuration":
            self.configuration_requests.append(params)
            result = [SETTINGS.get(item.get("section", ""), {}) for item in params.get("items", [])]
        else:
            self.other.append(message)
        self._write({"id": message["id"], "result": result})

    def _dispatch(self, message: dict[str, Any]) -> None:
        if "method" in message and "id" in message:
            self._answer(message)
        elif "method" in message:
            if message["method"] == "textDocument/publishDiagnostics":
                params = message["params"]
                self.diagnostics.setdefault(params["uri"], []).append(params["diagnostics"])
            else:
                self.other.append(message)
        else:
            self.responses[message["id"]] = message

    def wait_for(self, condition, what: str, timeout: float = TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(
                    f"no {what} from yaml-language-server within {timeout:.0f} s; it also sent {self.other}\n"
                    f"stderr: {self.stderr_tail()}"
                )
            try:
                message = self._inbox.get(timeout=left)
            except queue.Empty:
                continue
            if message is None:
                self.proc.wait(timeout=10)
                raise AssertionError(
                    f"yaml-language-server exited ({self.proc.returncode}) while waiting for {what}\n"
                    f"stderr: {self.stderr_tail()}"
                )
            self._dispatch(message)

    def stderr_tail(self) -> str:
        self._stderr.flush()
        return self._stderr_path.read_text(encoding="utf-8", errors="replace")[-3000:]

    def publishes(self, uri: str) -> int:
        return len(self.diagnostics.get(uri, []))

    def next_diagnostics(self, uri: str, seen: int) -> list[dict[str, Any]]:
        """The first publish for `uri` after the `seen` ones already received."""
        self.wait_for(lambda: self.publishes(uri) > seen, f"diagnostics for {uri}")
        return self.diagnostics[uri][seen]

    def close(self) -> None:
        try:
            if self.proc.poll() is None:
                self._next_id += 1
                self._write({"id": self._next_id, "method": "shutdown", "params": None})
                self.notify("exit", None)
                self.proc.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            pass
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait(timeout=10)
            self._stderr.close()


@pytest.fixture(scope="module")
def editor(tmp_path_factory: pytest.TempPathFactory):
    """`actiontrack init` in a fresh folder, and a yaml-language-server initialised on it."""
    subprocess.run(["bash", str(HERE / "editor" / "ensure-deps.sh")], check=True, capture_output=True, timeout=900)
    assert SERVER.is_file(), SERVER
    tmp = tmp_path_factory.mktemp("editor")
    repo = tmp / "repo"
    actiontrack = Path(sys.executable).with_name("actiontrack")
    subprocess.run([str(actiontrack), "init", str(repo)], check=True, capture_output=True, timeout=120)

    server = LanguageServer(["node", str(SERVER), "--stdio"], tmp / "server-stderr.log")
    try:
        result = server.request(
            "initialize",
            {
                "processId": os.getpid(),
                "clientInfo": {"name": "actiontrack-test"},
                "locale": "en",
                "rootUri": repo.as_uri(),
                "workspaceFolders": [{"uri": repo.as_uri(), "name": "repo"}],
                "capabilities": {
                    "workspace": {"configuration": True, "workspaceFolders": True},
                    "textDocument": {
                        "synchronization": {"dynamicRegistration": False},
                        "publishDiagnostics": {"relatedInformation": True},
                        "hover": {"contentFormat": ["markdown", "plaintext"]},
                    },
                },
            },
        )
        server.info = result.get("serverInfo", {})
        server.notify("initialized", {})
        # the server pulls its settings on `initialized`; documents are opened only once it has them
        server.wait_for(lambda: server.configuration_requests, "workspace/configuration request")
        server.repo = repo
        yield server
    finally:
        server.close()


class Documents:
    """Open documents in the server and edit them as an editor does (full-text changes, rising versions)."""

    def __init__(self, server: LanguageServer) -> None:
        self.server = server
        self.versions: dict[str, int] = {}

    def open(self, path: Path, text: str) -> list[dict[str, Any]]:
        uri = path.as_uri()
        seen = self.server.publishes(uri)
        self.versions[uri] = 1
        self.server.notify(
            "textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}}
        )
        return self.server.next_diagnostics(uri, seen)

    def change(self, path: Path, text: str) -> list[dict[str, Any]]:
        uri = path.as_uri()
        seen = self.server.publishes(uri)
        self.versions[uri] += 1
        self.server.notify(
            "textDocument/didChange",
            {"textDocument": {"uri": uri, "version": self.versions[uri]}, "contentChanges": [{"text": text}]},
        )
        return self.server.next_diagnostics(uri, seen)


def line_of(text: str, start: str) -> int:
    """The 0-based line (as LSP counts) of the one line of `text` that starts with `start`, after indentation."""
    found = [n for n, line in enumerate(text.split("\n")) if line.lstrip().startswith(start)]
    assert len(found) == 1, (start, found)
    return found[0]


def summary(diagnostics: list[dict[str, Any]]) -> list[tuple[int, str]]:
    return [(d["range"]["start"]["line"], d["message"]) for d in diagnostics]


def replace_once(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def test_init_files_validate_in_yaml_language_server(editor: LanguageServer):
    repo: Path = editor.repo
    docs = Documents(editor)
    assert editor.info.get("name") == "yaml-language-server", editor.info

    # every file as `actiontrack init` wrote it: the modeline schema resolves, and nothing is flagged
    texts = {name: (repo / name).read_text(encoding="utf-8") for name in (ACTION, PLAN, OWNERS, CONFIG)}
    for name, text in texts.items():
        assert text.startswith("# yaml-language-server: $schema="), name
        assert docs.open(repo / name, text) == [], name

    # the schema really is attached (an empty list alone would also come from a file with no schema): hover on a key
    # shows its schema title
    action = texts[ACTION]
    hover = editor.request(
        "textDocument/hover",
        {
            "textDocument": {"uri": (repo / ACTION).as_uri()},
            "position": {"line": line_of(action, "outcome:"), "character": 2},
        },
    )
    assert hover and "Outcome" in json.dumps(hover), hover

    # an action with a misspelt key and a RAG that is not green, amber or red
    bad = replace_once(action, "owners:", "ownres:")
    bad = replace_once(bad, "rag: green", "rag: purple")
    found = summary(docs.change(repo / ACTION, bad))
    ownres, rag = line_of(bad, "ownres:"), line_of(bad, "rag:")
    assert any(n == ownres and "ownres" in m and "not allowed" in m for n, m in found), found
    assert any(n == rag and "not accepted" in m and "green" in m for n, m in found), found
    assert {n for n, _ in found} == {ownres, rag}, found
    # and back to the text as written: clean again
    assert docs.change(repo / ACTION, action) == []

    # plan.yaml: reporting must be one of monthly, quarterly, half-yearly, annual
    plan = replace_once(texts[PLAN], "reporting: quarterly", "reporting: weekly")
    found = summary(docs.change(repo / PLAN, plan))
    assert found and all(n == line_of(plan, "reporting:") for n, _ in found), found
    assert any("quarterly" in m for _, m in found), found

    # owners.yaml: kind must be team, person or partner
    owners = replace_once(texts[OWNERS], "kind: partner", "kind: charity")
    found = summary(docs.change(repo / OWNERS, owners))
    assert found and all(n == line_of(owners, "kind: charity") for n, _ in found), found

    # actiontrack.yaml: `financial_year_start: April` (as written, checked clean above) is a month; "Apirl" is not
    config = texts[CONFIG]
    assert "financial_year_start: April " in config
    found = summary(
        docs.change(repo / CONFIG, replace_once(config, "financial_year_start: April", "financial_year_start: Apirl"))
    )
    assert found and all(n == line_of(config, "financial_year_start:") for n, _ in found), found
    for month in ("january", "4", "Sept"):
        text = replace_once(config, "financial_year_start: April", f"financial_year_start: {month}")
        assert docs.change(repo / CONFIG, text) == [], month

    # the control: the same modeline in a file one folder higher points outside the repository, so the schema is
    # not found there; the lines above resolved relative to each file, not to the workspace folder
    misplaced = repo / "plans" / "misplaced-action.yaml"
    misplaced.write_text(action, encoding="utf-8")
    found = summary(docs.open(misplaced, action))
    assert found and any("schema" in m.lower() for _, m in found), found
