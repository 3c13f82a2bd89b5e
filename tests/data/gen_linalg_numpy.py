"""Regenerates linalg_numpy.json: NumPy/LAPACK reference values for MML's solve, decomposition
and eigen builtins. Run `python3 tests/data/gen_linalg_numpy.py` (needs numpy); the tests only
read the JSON. Matrices are stored row by row; every float is written with repr (round-trips)."""
import json
import os

import numpy as np

rng = np.random.default_rng(20240601)


def m(x):
    return [[float(v) for v in row] for row in np.atleast_2d(x)]


def col(x):
    return [float(v) for v in np.ravel(x)]


cases = {}

A = rng.standard_normal((5, 5))
b = rng.standard_normal((5, 1))
cases["solve"] = {"A": m(A), "b": m(b), "x": m(np.linalg.solve(A, b)), "det": float(np.linalg.det(A)),
                  "inv": m(np.linalg.inv(A))}

A = rng.standard_normal((8, 3))
b = rng.standard_normal((8, 1))
cases["lstsq_tall"] = {"A": m(A), "b": m(b), "x": m(np.linalg.lstsq(A, b, rcond=None)[0])}

A = rng.standard_normal((3, 6))
b = rng.standard_normal((3, 1))
cases["min_norm_wide"] = {"A": m(A), "b": m(b), "x": m(np.linalg.pinv(A) @ b)}

A = rng.standard_normal((6, 4))
s = np.linalg.svd(A, compute_uv=False)
cases["svd"] = {"A": m(A), "s": col(s), "cond": float(np.linalg.cond(A)), "rank": int(np.linalg.matrix_rank(A))}

B = rng.standard_normal((5, 2)) @ rng.standard_normal((2, 3))
cases["rank_deficient"] = {"A": m(B), "rank": int(np.linalg.matrix_rank(B)), "pinv": m(np.linalg.pinv(B)),
                           "s": col(np.linalg.svd(B, compute_uv=False))}

X = rng.standard_normal((6, 6))
S = X + X.T
cases["eigh"] = {"A": m(S), "values": col(np.linalg.eigh(S)[0])}

A = rng.standard_normal((5, 5))
w = np.linalg.eigvals(A)
w = sorted(w, key=lambda z: (-abs(z), -z.real, -z.imag))
cases["eig"] = {"A": m(A), "re": [float(z.real) for z in w], "im": [float(z.imag) for z in w]}

A = rng.standard_normal((4, 4))
cases["charpoly"] = {"A": m(A), "coeffs": col(np.poly(A))}

X = rng.standard_normal((4, 4))
P = X @ X.T + 4 * np.eye(4)
cases["chol"] = {"A": m(P), "L": m(np.linalg.cholesky(P))}

# The course's PageRank worksheet (Course 1, week 5): the principal eigenvector scaled to sum
# to 100 is [16, 5.33, 40, 25.33, 0, 13.33].
L = np.array([[0, 1/2, 1/3, 0, 0, 0],
              [1/3, 0, 0, 0, 1/2, 0],
              [1/3, 1/2, 0, 1, 0, 1/2],
              [1/3, 0, 1/3, 0, 1/2, 1/2],
              [0, 0, 0, 0, 0, 0],
              [0, 0, 1/3, 0, 0, 0]])
w, V = np.linalg.eig(L)
k = np.argmax(abs(w))
r = np.real(V[:, k])
r = 100 * r / r.sum()
cases["pagerank"] = {"L": m(L), "lambda": float(np.real(w[k])), "r": col(r)}

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "linalg_numpy.json")
with open(out, "w") as f:
    json.dump({"numpy": np.__version__, "cases": cases}, f, indent=1)
print("wrote", out)
