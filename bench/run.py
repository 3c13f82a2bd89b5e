#!/usr/bin/env python3
"""Times MML's benchmark scripts side by side with the peer languages, in one run.

Usage: python3 bench/run.py [--runs N] [--peers DIR]
Builds the release binary, then runs each workload N times per tool and prints a Markdown
table of median wall-clock seconds (whole process) and MML's ratio to CPython.
Peers that are not installed are skipped.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORKLOADS = [
    ("W1", "recursive fib(27)", "w1_fib"),
    ("W1b", "recursive fib(30)", "w1b_fib30"),
    ("W2", "loop: s = s + i*i, 5M", "w2_loop"),
    ("W3", "gradient descent, 200k steps", "w3_gd"),
    ("W9", "start-up: print one number", "w9_startup"),
]


def median_time(cmd, runs):
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        times.append(time.perf_counter() - t0)
        if r.returncode != 0:
            sys.exit(f"{' '.join(cmd)} failed:\n{r.stderr.decode()}")
    return statistics.median(times), r.stdout.decode().strip()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--peers", default=os.path.join(ROOT, "..", "shared", "bench", "peers"))
    args = ap.parse_args()
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    mml = os.path.join(ROOT, "target", "release", "mml")
    peers = [("CPython", [sys.executable], "python", ".py")]
    if shutil.which("lua5.4"):
        peers.append(("Lua 5.4", ["lua5.4"], "lua", ".lua"))
    if shutil.which("octave"):
        peers.append(("Octave", ["octave", "--no-gui", "--no-window-system", "-q"], "octave", ".m"))
    header = ["id", "workload", "MML"] + [p[0] for p in peers] + ["MML / CPython"]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for wid, desc, stem in WORKLOADS:
        t_mml, out = median_time([mml, os.path.join(ROOT, "bench", "mml", stem + ".mml")], args.runs)
        row = [wid, desc, f"{t_mml:.3f}"]
        t_py = None
        for name, cmd, folder, ext in peers:
            path = os.path.join(args.peers, folder, stem + ext)
            if stem == "w1b_fib30":
                path = None
            if not path or not os.path.exists(path):
                row.append("–")
                continue
            t, _ = median_time(cmd + [path], args.runs)
            row.append(f"{t:.3f}")
            if name == "CPython":
                t_py = t
        row.append(f"{t_mml / t_py:.2f}×" if t_py else "–")
        print("| " + " | ".join(row) + " |", flush=True)


if __name__ == "__main__":
    main()
