"""Reference values for the tests of the root finders, minimisers and fits
(stdlib/src/{roots,optimize,regression}/tests.rs and stdlib/src/roots/hybrid_tests.rs),
computed with NumPy and SciPy (1.17.1 for the `hybr` lines).
The tests hold these numbers as inline constants; run this to check or regenerate them:

    python3 tests/data/gen_calculus_scipy.py
"""
import csv
import pathlib

import numpy as np
from scipy import optimize, stats

ROOT = pathlib.Path(__file__).resolve().parents[2]

# The course's practice quiz "Newton-Raphson in one dimension".
f = lambda x: x**6 / 6 - 3 * x**4 - 2 * x**3 / 3 + 27 * x**2 / 2 + 18 * x - 30
df = lambda x: x**5 - 12 * x**3 - 2 * x**2 + 27 * x + 18
for x0 in [-4, 1.99, 3.1]:
    print("newton", x0, repr(optimize.newton(f, x0, df, tol=1e-14, maxiter=100)))

# Lagrange quiz-style system, solved by scipy.optimize.root.
def grad_lagrangian(z):
    x, y, l = z
    fv = np.exp(-(2 * x * x + y * y - x * y) / 2)
    return [fv * (-(4 * x - y) / 2) - l * 2 * x, fv * (-(2 * y - x) / 2) - l * 6 * (y + 1), -(x * x + 3 * (y + 1) ** 2 - 1)]
for guess in [[1, -1, 0], [-1, -1, 0]]:
    print("lagrange root", guess, repr(optimize.root(grad_lagrangian, guess, tol=1e-14).x.tolist()))

# Gradient descent on ½xᵀAx − bᵀx, 50 steps of rate 0.1 from 0.
A = np.array([[3.0, 1], [1, 2]])
b = np.array([1.0, -1])
x = np.zeros(2)
for _ in range(50):
    x = x - 0.1 * (A @ x - b)
print("gradient descent", repr(x.tolist()))

# Himmelblau's minima: Newton on the exact gradient.
def hg(v):
    x, y = v
    return np.array([4 * x * (x * x + y - 11) + 2 * (x + y * y - 7), 2 * (x * x + y - 11) + 4 * y * (x + y * y - 7)])
def hj(v):
    x, y = v
    return np.array([[12 * x * x + 4 * y - 42, 4 * x + 4 * y], [4 * x + 4 * y, 12 * y * y + 4 * x - 26]])
for start in [[-2.805, 3.131], [-3.779, -3.283], [3.584, -1.848]]:
    v = np.array(start)
    for _ in range(20):
        v = v - np.linalg.solve(hj(v), hg(v))
    print("himmelblau", repr(v.tolist()))

# linregress.
x = np.array([0.5, 1.3, 2.1, 2.9, 4.2, 5.0, 6.3, 7.7])
y = np.array([1.1, 2.9, 4.2, 6.8, 8.1, 10.9, 12.2, 15.8])
r = stats.linregress(x, y)
print("linregress", [repr(v) for v in (r.slope, r.intercept, r.rvalue, r.stderr, r.intercept_stderr)],
      repr(np.sum((y - r.slope * x - r.intercept) ** 2)))

# polyfit / polyval.
xp = np.linspace(-1, 2, 9)
yp = np.array([0.3, -0.2, 0.1, 0.9, 1.2, 2.5, 3.1, 5.2, 8.0])
p = np.polyfit(xp, yp, 3)
print("polyfit", repr(p.tolist()), "polyval", repr(np.polyval(p, [0.25, 1.5, 3.0]).tolist()))

# lstsq of a rank-deficient system.
xl, _, rank, sv = np.linalg.lstsq(np.array([[1.0, 2, 3], [4, 5, 6], [7, 8, 9]]), np.array([1.0, 2, 3]), rcond=None)
print("lstsq", repr(xl.tolist()), rank, repr(sv.tolist()))

# curve_fit: the course's heights histogram and a decaying exponential.
rows = list(csv.reader(open(ROOT / "data" / "heights.csv")))[1:]
bins = np.array([float(r[0]) for r in rows])
frac = np.array([float(r[1]) for r in rows])
xh, yh = bins + 1.25, frac / (frac.sum() * 2.5)
gauss = lambda x, mu, sig: np.exp(-((x - mu) ** 2) / (2 * sig**2)) / (sig * np.sqrt(2 * np.pi))
popt, _ = optimize.curve_fit(gauss, xh, yh, p0=[155, 6], xtol=1e-15, ftol=1e-15, gtol=1e-15)
print("heights", repr(popt.tolist()), repr(np.sum((yh - gauss(xh, *popt)) ** 2)))
xe = np.arange(8.0)
ye = np.array([5.1, 3.9, 2.8, 2.3, 1.6, 1.3, 0.9, 0.8])
decay = lambda x, a, k, c: a * np.exp(-k * x) + c
popt, _ = optimize.curve_fit(decay, xe, ye, p0=[5, 0.5, 0], xtol=1e-15, ftol=1e-15, gtol=1e-15)
print("decay", repr(popt.tolist()), repr(np.sum((ye - decay(xe, *popt)) ** 2)))

print("normal_pdf", repr(stats.norm.pdf([-1.5, 0.2, 3.0], 0.5, 1.7).tolist()))

# Powell's hybrid method (MINPACK hybrj, optimize.root's default 'hybr') on the systems of
# stdlib/src/roots/hybrid.rs's tests. Each system is ∇L = 0 written as MML's `lagrange` writes
# it, [∇f − Σ λᵢ∇gᵢ; −g], or a classic test system; the exact Jacobian makes SciPy run hybrj.
def hybr_cases():
    def xxy(z):
        x, y, l = z
        return [2 * x * y - 2 * l * x, x * x - 2 * l * y, -(x * x + y * y - 3)]
    def xxy_jac(z):
        x, y, l = z
        return [[2 * y - 2 * l, 2 * x, -2 * x], [2 * x, -2 * l, -2 * y], [-2 * x, -2 * y, 0]]
    def hill(z):
        x, y, l = z
        e = np.exp(-(2 * x * x + y * y - x * y) / 2)
        return [e * (-(4 * x - y) / 2) - 2 * l * x, e * (-(2 * y - x) / 2) - 6 * l * (y + 1),
                -(x * x + 3 * (y + 1) ** 2 - 1)]
    def hill_jac(z):
        x, y, l = z
        e = np.exp(-(2 * x * x + y * y - x * y) / 2)
        a, b = -(4 * x - y) / 2, -(2 * y - x) / 2
        return [[e * (a * a - 2) - 2 * l, e * (a * b + 0.5), -2 * x],
                [e * (a * b + 0.5), e * (b * b - 1) - 6 * l, -6 * (y + 1)],
                [-2 * x, -6 * (y + 1), 0]]
    def nearest(z):
        x, y, w, l1, l2 = z
        return [2 * x - l1 - l2, 2 * y - l1 + l2, 2 * w - l1, -(x + y + w - 3), -(x - y - 1)]
    def nearest_jac(z):
        return [[2, 0, 0, -1, -1], [0, 2, 0, -1, 1], [0, 0, 2, -1, 0], [-1, -1, -1, 0, 0], [-1, 1, 0, 0, 0]]
    def quiz(z):
        x, y, l = z
        e = -np.exp(x - y * y + x * y)
        return [e * (1 + y) - l, e * (x - 2 * y) - l * np.sinh(y), -(np.cosh(y) + x - 2)]
    def quiz_jac(z):
        x, y, l = z
        e = -np.exp(x - y * y + x * y)
        a, b = 1 + y, x - 2 * y
        return [[e * a * a, e * (a * b + 1), -1],
                [e * (a * b + 1), e * (b * b - 2) - l * np.cosh(y), -np.sinh(y)],
                [-1, -np.sinh(y), 0]]
    def powell(z):
        x, y = z
        return [1e4 * x * y - 1, np.exp(-x) + np.exp(-y) - 1.0001]
    def powell_jac(z):
        x, y = z
        return [[1e4 * y, 1e4 * x], [-np.exp(-x), -np.exp(-y)]]
    def rosenbrock(z):
        x, y = z
        return [10 * (y - x * x), 1 - x]
    def rosenbrock_jac(z):
        x, y = z
        return [[-20 * x, 10], [-1, 0]]
    def froth(z):
        x, y = z
        return [-13 + x + ((5 - y) * y - 2) * y, -29 + x + ((y + 1) * y - 14) * y]
    def froth_jac(z):
        x, y = z
        return [[1, 10 * y - 3 * y * y - 2], [1, 3 * y * y + 2 * y - 14]]
    def noroot(z):
        return [z[0] ** 2 + 1]
    def noroot_jac(z):
        return [[2 * z[0]]]
    return [
        ("xxy", xxy, xxy_jac, [[1, 1, 0], [-1, -1, 0], [-1, 2, 0]]),
        ("hill", hill, hill_jac, [[1, -1, 0], [-1, -1, 0]]),
        ("nearest", nearest, nearest_jac, [[0, 0, 0, 0, 0]]),
        ("quiz", quiz, quiz_jac, [[0, 0, 0], [1, 1, 1]]),
        ("powell", powell, powell_jac, [[0, 1]]),
        ("rosenbrock", rosenbrock, rosenbrock_jac, [[-1.2, 1]]),
        ("freudenstein_roth", froth, froth_jac, [[0.5, -2], [-10, -1]]),
        ("no_root", noroot, noroot_jac, [[2], [0.5], [-3]]),
    ]
for name, fun, jac, starts in hybr_cases():
    for x0 in starts:
        r = optimize.root(fun, x0, jac=jac, method="hybr", tol=1e-14)
        print("hybr", name, x0, repr(r.x.tolist()), r.success, r.status, repr(r.message), r.nfev, r.njev)
        d = optimize.root(fun, x0)
        print("hybr default", name, x0, repr(d.x.tolist()), d.success, d.status, repr(d.message))
