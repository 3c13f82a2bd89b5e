"""`mml lsp` never panics or exits, whatever the document and the request: every `.mml` file
of the project, cut short and with bytes changed (seeded, so every run sends the same
messages), is opened and edited, and requests land at random positions. Every request must be
answered, none with an internal error (a handler that panicked), the process must stay
alive, and `shutdown` then `exit` must end it with status 0.

A plain JSON-RPC client over the process's pipes, so that a few thousand requests take
seconds."""

import json
import os
import queue
import random
import subprocess
import threading
from pathlib import Path

import pytest

MML_BIN = os.environ["MML_BIN"]
ROOT = Path(__file__).resolve().parents[2]
SEED = 20261202
DOCUMENTS = 150  # for each of the two encodings

# What a mutation writes: the characters MML's lexer, parser and position conversions care about.
PIECES = [
    "{", "}", "[", "]", "(", ")", "'", '"', "#", "\n", ",", ";", "=", ".", ":", "->", "\\", "θ", "😀",
    "x", "f(", "end", "for ", "fn ", "if ", "{x}", "1e", "2i", ".^", "\"{", "é", "\t", "0", "é\u0301",
]
NAMES = ["y", "new_name", "θ2", "sum", "pi", "for", "2x", "", "a b", "x", "😀"]


class Server:
    def __init__(self):
        self.proc = subprocess.Popen(
            [MML_BIN, "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        self.messages = queue.Queue()
        self.next_id = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        out = self.proc.stdout
        while True:
            length = None
            while True:
                line = out.readline()
                if not line:
                    self.messages.put(None)
                    return
                line = line.strip()
                if not line:
                    break
                name, _, value = line.partition(b":")
                if name.lower() == b"content-length":
                    length = int(value)
            self.messages.put(json.loads(out.read(length)))

    def send(self, message):
        message["jsonrpc"] = "2.0"
        body = json.dumps(message).encode("utf-8")
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def notify(self, method, params):
        self.send({"method": method, "params": params})

    def request(self, method, params):
        self.next_id += 1
        rid = self.next_id
        self.send({"id": rid, "method": method, "params": params})
        while True:
            message = self.messages.get(timeout=20)
            assert message is not None, f"the server closed its output during `{method}`"
            if message.get("id") == rid:
                assert "result" in message or "error" in message, message
                error = message.get("error")
                assert error is None or error["code"] != -32603, f"`{method}` panicked: {error} {params}"
                return message


def mutate(rng, text):
    if rng.random() < 0.2:
        return text  # A clean file, so that edits take the path that re-reads only their statements.
    data = bytearray(text.encode("utf-8"))
    choice = rng.random()
    if choice < 0.3 and data:
        del data[rng.randrange(len(data) + 1) :]  # cut short
    for _ in range(rng.randrange(1, 6)):
        at = rng.randrange(len(data) + 1)
        what = rng.random()
        if what < 0.3 and data:
            del data[at : at + rng.randrange(1, 8)]
        elif what < 0.5 and at < len(data):
            data[at] = rng.randrange(256)  # a raw byte, maybe cutting a character in two
        else:
            data[at:at] = rng.choice(PIECES).encode("utf-8")
    return data.decode("utf-8", errors="replace")


def random_position(rng, text):
    lines = text.split("\n")
    line = rng.randrange(len(lines) + 2)
    width = len(lines[line]) if line < len(lines) else 5
    return {"line": line, "character": rng.randrange(width + 3)}


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_the_server_survives_every_document_and_request(encoding):
    files = sorted(p for d in ("examples", "tests") for p in (ROOT / d).rglob("*.mml"))
    assert len(files) > 50, files
    texts = [p.read_text(encoding="utf-8") for p in files]
    rng = random.Random(f"{SEED}-{encoding}")
    server = Server()
    answer = server.request(
        "initialize",
        {
            "processId": None,
            "rootUri": None,
            "capabilities": {
                "general": {"positionEncodings": [encoding]},
                "textDocument": {"documentSymbol": {"hierarchicalDocumentSymbolSupport": encoding == "utf-8"}},
            },
        },
    )
    assert answer["result"]["capabilities"]["positionEncoding"] == encoding
    server.notify("initialized", {})
    requests = 0
    for n in range(DOCUMENTS):
        text = mutate(rng, rng.choice(texts))
        uri = f"file:///fuzz/{n}.mml"
        server.notify(
            "textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "mml", "version": 1, "text": text}}
        )
        for k in range(8):
            doc = {"uri": uri}
            pos = random_position(rng, text)
            method = rng.choice(
                [
                    "textDocument/hover",
                    "textDocument/completion",
                    "textDocument/signatureHelp",
                    "textDocument/definition",
                    "textDocument/references",
                    "textDocument/prepareRename",
                    "textDocument/rename",
                    "textDocument/semanticTokens/full",
                    "textDocument/documentSymbol",
                ]
            )
            params = {"textDocument": doc, "position": pos}
            if method == "textDocument/references":
                params["context"] = {"includeDeclaration": rng.random() < 0.5}
            elif method == "textDocument/rename":
                params["newName"] = rng.choice(NAMES)
            elif method in ("textDocument/semanticTokens/full", "textDocument/documentSymbol"):
                params = {"textDocument": doc}
            server.request(method, params)
            requests += 1
            if k == 3:
                # An incremental edit at a random range (possibly reversed or past the end).
                end = random_position(rng, text)
                server.notify(
                    "textDocument/didChange",
                    {
                        "textDocument": {"uri": uri, "version": 2},
                        "contentChanges": [{"range": {"start": pos, "end": end}, "text": rng.choice(PIECES)}],
                    },
                )
        server.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
        assert server.proc.poll() is None, f"the server exited after document {n}"
    assert requests == DOCUMENTS * 8
    assert "result" in server.request("shutdown", None)
    server.notify("exit", None)
    assert server.proc.wait(timeout=20) == 0
    stderr = server.proc.stderr.read().decode("utf-8", errors="replace")
    assert "panicked" not in stderr, stderr
