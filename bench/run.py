#!/usr/bin/env python3
"""Times MML's benchmark scripts side by side with the peer languages, in one run.

Usage: python3 bench/run.py [--runs N] [--peers DIR] [--linalg | --pca]
Builds the release binary, then runs each workload N times per tool and prints a Markdown
table of median CPU seconds (whole process, user + system) and MML's ratios to CPython and Lua.
Peers that are not installed are skipped.

With --linalg it runs the matrix kernels W4-W7 instead: each script (MML's and NumPy's) times
its kernel alone and prints `kernel_s=...` plus residual checks; the table gives the median
kernel time of MML and of NumPy, each on one thread and on its default threads (every core),
and the residuals of MML's last run. NumPy runs with OPENBLAS_CORETYPE and
OPENBLAS_L2_SIZE unset (they are set on some machines for old OpenBLAS builds and slow a
current one down); the BLAS it then uses is printed first.

With --pca it runs W8 (PCA of random 20000×784 data) against NumPy's and scikit-learn's
scripts (kernel time, whole process, peak memory) and W8b (PCA of the digits, whole process).
"""
import argparse
import os
import resource
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
    ("W10", "sieve of Eratosthenes, 2M, element by element", "w10_sieve"),
    ("W11", "bubble sort of 2,000 numbers", "w11_bubble"),
    ("W12", "Gaussian elimination by hand, 150×150", "w12_elimination"),
]
LINALG = [
    ("W4", "matmul 1000×1000", "w4_matmul"),
    ("W5", "solve 1000×1000", "w5_solve"),
    ("W6", "symmetric eigen 784×784", "w6_eigen"),
    ("W7", "thin SVD 2000×300", "w7_svd"),
]


def median_time(cmd, runs):
    """Median whole-process CPU time (user + system) of `runs` runs, and the last run's output.
    CPU time rather than wall time: on a shared machine it counts only the process's own work
    (read from getrusage of the reaped children, before and after each run)."""
    times = []
    out = ""
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        times.append((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))
        if r.returncode != 0:
            sys.exit(f"{' '.join(cmd)} failed:\n{r.stderr.decode()}")
        out = r.stdout.decode().strip()
    return statistics.median(times), out


def numpy_env(threads):
    env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
    if threads:
        env["OPENBLAS_NUM_THREADS"] = str(threads)
    return env


def kernel_time(cmd, runs, env=None):
    """Median `kernel_s=` of `runs` runs, and the last run's other `key=value` fields."""
    times, fields = [], ""
    for _ in range(runs):
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        if r.returncode != 0:
            sys.exit(f"{' '.join(cmd)} failed:\n{r.stderr.decode()}")
        parts = r.stdout.decode().split()
        kv = dict(p.split("=", 1) for p in parts if "=" in p)
        times.append(float(kv["kernel_s"]))
        fields = " ".join(p for p in parts if not p.startswith("kernel_s="))
    return statistics.median(times), fields


def linalg(mml, peers_dir, runs):
    python = os.path.join(peers_dir, "python")
    info = os.path.join(python, "blas_info.py")
    if os.path.exists(info):
        r = subprocess.run([sys.executable, info], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=numpy_env(None))
        print("NumPy BLAS:", r.stdout.decode().strip().replace("\n", "; ") or r.stderr.decode().strip())
        print()
    header = ["id", "workload", "MML 1 thread", "MML default", "NumPy 1 thread", "NumPy default",
              "MML / NumPy, 1 thread", "MML / NumPy, defaults", "MML checks"]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    mml_env = lambda n: {**os.environ, **({"MML_THREADS": str(n)} if n else {})}
    for wid, desc, stem in LINALG:
        script = [mml, os.path.join(ROOT, "bench", "mml", stem + ".mml")]
        m1, _ = kernel_time(script, runs, {k: v for k, v in mml_env(1).items()})
        mn, checks = kernel_time(script, runs, {k: v for k, v in os.environ.items() if k != "MML_THREADS"})
        row = [wid, desc, f"{m1:.4f}", f"{mn:.4f}"]
        path = os.path.join(python, stem + ".py")
        t1 = tn = None
        if os.path.exists(path):
            t1, _ = kernel_time([sys.executable, path], runs, numpy_env(1))
            tn, _ = kernel_time([sys.executable, path], runs, numpy_env(None))
            row += [f"{t1:.4f}", f"{tn:.4f}"]
        else:
            row += ["–", "–"]
        row.append(f"{m1 / t1:.2f}×" if t1 else "–")
        row.append(f"{mn / tn:.2f}×" if tn else "–")
        row.append(checks)
        print("| " + " | ".join(row) + " |", flush=True)


def run_measured(cmd, env=None):
    """Runs `cmd`; returns (wall seconds, stdout)."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    out, err = p.communicate()
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{err.decode()}")
    return wall, out.decode().strip()


def peak_mb(cmd, env=None):
    """Peak resident memory (MB) of one run of `cmd`, from wait4's rusage."""
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, _, usage = os.wait4(p.pid, 0)
    return usage.ru_maxrss / 1024


def pca(mml, peers_dir, runs):
    """W8 (PCA of random 20000×784 data) against NumPy and scikit-learn, and W8b (PCA of the
    digits, whole process) against Python + scikit-learn."""
    python = os.path.join(peers_dir, "python")
    local = os.path.join(ROOT, "bench", "peers", "python")
    w8 = os.path.join(ROOT, "bench", "mml", "w8_pca.mml")
    rows = [("MML `pca(X, 10, reconstruct = false)`", [mml, w8], None)]
    for label, path in [("NumPy", os.path.join(python, "w8_pca.py")), ("scikit-learn", os.path.join(local, "w8_pca_sklearn.py"))]:
        if os.path.exists(path):
            rows.append((f"{label}, 1 thread", [sys.executable, path], numpy_env(1)))
            rows.append((f"{label}, default threads", [sys.executable, path], numpy_env(None)))
    header = ["W8: PCA 20000×784, top 10", "kernel s (median)", "whole process s", "peak MB", "checks"]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for label, cmd, env in rows:
        t, fields = kernel_time(cmd, runs, env)
        wall = statistics.median([run_measured(cmd, env)[0] for _ in range(runs)])
        print(f"| {label} | {t:.4f} | {wall:.3f} | {peak_mb(cmd, env):.0f} | {fields} |", flush=True)
    print()
    header = ["W8b: PCA of the digits end to end", "whole process s (median)", "peak MB", "output"]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for label, cmd in [("MML", [mml, os.path.join(ROOT, "bench", "mml", "w8b_pca_digits.mml")]),
                       ("Python + scikit-learn", [sys.executable, os.path.join(local, "w8b_pca_digits.py")])]:
        times, out = [], ""
        for _ in range(runs):
            t, out = run_measured(cmd)
            times.append(t)
        print(f"| {label} | {statistics.median(times):.3f} | {peak_mb(cmd):.0f} | {out} |", flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--peers", default=os.path.join(ROOT, "..", "shared", "bench", "peers"))
    ap.add_argument("--linalg", action="store_true", help="time the matrix kernels W4-W7 against NumPy")
    ap.add_argument("--pca", action="store_true", help="time PCA (W8, W8b) against NumPy and scikit-learn")
    args = ap.parse_args()
    subprocess.run(["cargo", "build", "--profile", "dist", "--quiet"], cwd=ROOT, check=True)
    mml = os.path.join(ROOT, "target", "dist", "mml")
    if args.linalg:
        linalg(mml, args.peers, args.runs)
        return
    if args.pca:
        pca(mml, args.peers, args.runs)
        return
    peers = [("CPython", [sys.executable], "python", ".py")]
    if shutil.which("lua5.4"):
        peers.append(("Lua 5.4", ["lua5.4"], "lua", ".lua"))
    if shutil.which("octave"):
        peers.append(("Octave", ["octave", "--no-gui", "--no-window-system", "-q"], "octave", ".m"))
    header = ["id", "workload", "MML"] + [p[0] for p in peers] + ["MML / CPython", "MML / Lua"]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for wid, desc, stem in WORKLOADS:
        t_mml, out = median_time([mml, os.path.join(ROOT, "bench", "mml", stem + ".mml")], args.runs)
        row = [wid, desc, f"{t_mml:.3f}"]
        t_py = t_lua = None
        outputs = {"MML": out}
        for name, cmd, folder, ext in peers:
            path = os.path.join(args.peers, folder, stem + ext)
            if not os.path.exists(path):
                # Workloads the shared peer set lacks (fib(30)) are kept in bench/peers/.
                path = os.path.join(ROOT, "bench", "peers", folder, stem + ext)
            if not path or not os.path.exists(path):
                row.append("–")
                continue
            t, peer_out = median_time(cmd + [path], args.runs)
            outputs[name] = peer_out
            row.append(f"{t:.3f}")
            if name == "CPython":
                t_py = t
            if name == "Lua 5.4":
                t_lua = t
        # The element-loop workloads print exact results, which every tool must agree on.
        if wid in ("W10", "W11", "W12") and len(set(outputs.values())) > 1:
            sys.exit(f"{wid}: the tools print different results: {outputs}")
        row.append(f"{t_mml / t_py:.2f}×" if t_py else "–")
        row.append(f"{t_mml / t_lua:.2f}×" if t_lua else "–")
        print("| " + " | ".join(row) + " |", flush=True)


if __name__ == "__main__":
    main()
