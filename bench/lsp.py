#!/usr/bin/env python3
"""Times `mml lsp`: from an edit of a 10,000-line document to its publishDiagnostics.

Usage: python3 bench/lsp.py [--bin PATH] [--runs N] [--lines N]
Builds the release binary unless --bin is given. The document is the course code of
`examples/` repeated to --lines lines. After opening it, each run sends one incremental
`didChange` (a digit typed before a number in the middle, or taken out again) and waits for
the diagnostics; the median and the spread of N runs are printed, then the same for an edit that replaces the
whole text, and for a `semanticTokens/full` request and a `references` request on it.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


class Server:
    def __init__(self, binary):
        self.proc = subprocess.Popen([binary, "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.next_id = 0

    def send(self, message):
        message["jsonrpc"] = "2.0"
        body = json.dumps(message).encode("utf-8")
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def read(self):
        length = None
        while True:
            line = self.proc.stdout.readline().strip()
            if not line:
                break
            name, _, value = line.partition(b":")
            if name.lower() == b"content-length":
                length = int(value)
        return json.loads(self.proc.stdout.read(length))

    def request(self, method, params):
        self.next_id += 1
        self.send({"id": self.next_id, "method": method, "params": params})
        while True:
            m = self.read()
            if m.get("id") == self.next_id:
                return m

    def wait_diagnostics(self):
        while True:
            m = self.read()
            if m.get("method") == "textDocument/publishDiagnostics":
                return m["params"]["diagnostics"]


def document(lines):
    course = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "examples").rglob("*.mml"))]
    out = []
    while len(out) < lines:
        for text in course:
            out.extend(text.split("\n"))
    return "\n".join(out[:lines]) + "\n"


def timed(runs, step):
    times = []
    for i in range(runs):
        start = time.perf_counter()
        step(i)
        times.append((time.perf_counter() - start) * 1000)
    return times


def report(name, times):
    print(f"{name}: median {statistics.median(times):.1f} ms (min {min(times):.1f}, max {max(times):.1f}, {len(times)} runs)")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin")
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--lines", type=int, default=10_000)
    args = ap.parse_args()
    binary = args.bin
    if not binary:
        subprocess.run(["cargo", "build", "--profile", "dist", "--quiet"], cwd=ROOT, check=True)
        binary = str(ROOT / "target" / "dist" / "mml")
    text = document(args.lines)
    lines = text.split("\n")
    print(f"document: {len(lines) - 1} lines, {len(text.encode('utf-8'))} bytes")
    server = Server(binary)
    server.request("initialize", {"processId": None, "rootUri": None, "capabilities": {}})
    server.send({"method": "initialized", "params": {}})
    uri = "file:///bench/course.mml"
    start = time.perf_counter()
    server.send(
        {
            "method": "textDocument/didOpen",
            "params": {"textDocument": {"uri": uri, "languageId": "mml", "version": 1, "text": text}},
        }
    )
    found = server.wait_diagnostics()
    print(f"open: {(time.perf_counter() - start) * 1000:.1f} ms, {len(found)} diagnostics")

    # Typing in the middle: a digit is put before a number on some line, then taken out again
    # (so the text after it moves, and back).
    middle = next(
        i for i in range(len(lines) // 2, len(lines)) if any(c.isdigit() for c in lines[i]) and lines[i].isascii()
    )
    column = next(k for k, c in enumerate(lines[middle]) if c.isdigit())
    version = [1]

    def edit(i):
        version[0] += 1
        end = column + (i % 2)
        change = {
            "range": {"start": {"line": middle, "character": column}, "end": {"line": middle, "character": end}},
            "text": "7" if i % 2 == 0 else "",
        }
        server.send(
            {
                "method": "textDocument/didChange",
                "params": {"textDocument": {"uri": uri, "version": version[0]}, "contentChanges": [change]},
            }
        )
        server.wait_diagnostics()

    report("incremental change to publishDiagnostics", timed(args.runs, edit))

    def replace(i):
        version[0] += 1
        server.send(
            {
                "method": "textDocument/didChange",
                "params": {"textDocument": {"uri": uri, "version": version[0]}, "contentChanges": [{"text": text}]},
            }
        )
        server.wait_diagnostics()

    report("whole-text change to publishDiagnostics", timed(args.runs, replace))
    report(
        "semanticTokens/full",
        timed(args.runs, lambda i: server.request("textDocument/semanticTokens/full", {"textDocument": {"uri": uri}})),
    )
    first_name = next(i for i, l in enumerate(lines) if l[:1].isalpha())
    position = {"line": first_name, "character": 0}
    report(
        "references",
        timed(
            args.runs,
            lambda i: server.request(
                "textDocument/references",
                {"textDocument": {"uri": uri}, "position": position, "context": {"includeDeclaration": True}},
            ),
        ),
    )
    server.request("shutdown", None)
    server.send({"method": "exit"})
    sys.exit(server.proc.wait(timeout=10))


if __name__ == "__main__":
    main()
