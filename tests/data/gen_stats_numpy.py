"""Regenerates stats_numpy.json: NumPy and scikit-learn reference values for MML's statistics,
distance, k-NN and PCA builtins, on the real data sets in `data/`. Run
`python3 tests/data/gen_stats_numpy.py` (needs numpy and scikit-learn); the tests only read the
JSON. Matrices are stored row by row; every float is written with repr (round-trips).

Conventions translated to MML's: variances and covariances divide by N (bias=True), PCA
`values` are scikit-learn's `explained_variance_` times (N-1)/N, components are columns signed
so that their first clearly non-zero element is positive, and indices are 1-based."""
import gzip
import json
import os

import numpy as np
import sklearn
from sklearn.decomposition import PCA
from sklearn.metrics.pairwise import euclidean_distances
from sklearn.neighbors import KNeighborsClassifier
from sklearn.preprocessing import StandardScaler

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "..", "data")


def m(x):
    return [[float(v) for v in row] for row in np.atleast_2d(x)]


def col(x):
    return [float(v) for v in np.ravel(x)]


def load_csv(name, skip_header):
    path = os.path.join(DATA, name)
    opener = gzip.open if name.endswith(".gz") else open
    with opener(path, "rt") as f:
        lines = [l for l in f.read().splitlines() if l.strip()]
    if skip_header:
        lines = lines[1:]
    sep = "," if "," in lines[0] else None
    return np.array([[float(v) for v in l.split(sep)] for l in lines])


def signed(components):
    """Columns signed so that the first element above 1e-10 of the largest is positive."""
    c = np.array(components, dtype=float)
    for j in range(c.shape[1]):
        big = np.max(np.abs(c[:, j]))
        first = next(v for v in c[:, j] if abs(v) > 1e-10 * big)
        if first < 0:
            c[:, j] = -c[:, j]
    return c


def pca_case(X, k):
    n = X.shape[0]
    p = PCA(n_components=k, svd_solver="full").fit(X)
    comps = signed(p.components_.T)
    scores = (X - p.mean_) @ comps
    recon = scores @ comps.T + p.mean_
    return {
        "components": m(comps),
        "values": col(p.explained_variance_ * (n - 1) / n),
        "explained_ratio": col(p.explained_variance_ratio_),
        "mean": col(p.mean_),
        "scores_head": m(scores[:5]),
        "reconstruction_head": m(recon[:5]),
        "mse": float(np.mean(np.sum((X - recon) ** 2, axis=1))),
    }


cases = {}

iris = load_csv("iris.csv", True)
X, y = iris[:, :4], iris[:, 4]
cases["iris"] = {
    "mean": col(X.mean(axis=0)),
    "var": col(X.var(axis=0)),
    "std_ddof1": col(X.std(axis=0, ddof=1)),
    "median": col(np.median(X, axis=0)),
    "min": col(X.min(axis=0)),
    "max": col(X.max(axis=0)),
    "argmin": col(X.argmin(axis=0) + 1),
    "argmax": col(X.argmax(axis=0) + 1),
    "row_means_head": col(X.mean(axis=1)[:5]),
    "cov": m(np.cov(X, rowvar=False, bias=True)),
    "cov_ddof1": m(np.cov(X, rowvar=False)),
    "corr": m(np.corrcoef(X, rowvar=False)),
    "sum": float(X.sum()),
    "cumsum_col1_tail": col(np.cumsum(X[:, 0])[-3:]),
    # Sums of contiguous 1-D arrays use NumPy's pairwise summation: MML's should agree bit for bit.
    "contiguous_sums": col([np.sum(np.ascontiguousarray(X[:, j])) for j in range(4)]),
    "contiguous_means": col([np.mean(np.ascontiguousarray(X[:, j])) for j in range(4)]),
}
cases["iris_pca"] = pca_case(X, 4)
cases["iris_pca2"] = pca_case(X, 2)

h = np.histogram(X[:, 0], bins=10)
h2 = np.histogram(X[:, 2], bins=7, range=(0, 7))
h3 = np.histogram(X[:, 1], bins=[2, 2.5, 3, 3.5, 4.5], density=True)
cases["histogram"] = {
    "counts": col(h[0]), "edges": col(h[1]),
    "counts_range": col(h2[0]), "edges_range": col(h2[1]),
    "density_edges": col(h3[1]), "density": col(h3[0]),
}


def knn_case(k, features, train, test):
    clf = KNeighborsClassifier(n_neighbors=k, algorithm="brute").fit(X[train][:, features], y[train])
    pred = clf.predict(X[test][:, features])
    # Queries whose vote or k-th distance is tied may legitimately differ (MML documents its
    # own tie rule); they are flagged so the test skips them.
    d = euclidean_distances(X[test][:, features], X[train][:, features])
    tied = []
    for i in range(len(test)):
        order = np.argsort(d[i], kind="stable")
        kth, nxt = d[i][order[k - 1]], d[i][order[k]]
        votes = np.bincount(y[train][order[:k]].astype(int), minlength=3)
        tied.append(bool(np.isclose(kth, nxt) or np.sum(votes == votes.max()) > 1))
    return {"k": k, "features": [f + 1 for f in features], "train": [int(t) + 1 for t in train],
            "test": [int(t) + 1 for t in test], "predicted": col(pred), "tied": tied}


idx = np.arange(150)
train, test = idx[idx % 5 != 0], idx[idx % 5 == 0]
cases["knn4"] = knn_case(5, [0, 1, 2, 3], train, test)
cases["knn2"] = knn_case(3, [0, 1], train, test)
cases["knn_accuracy_self_k3"] = float(np.mean(KNeighborsClassifier(3, algorithm="brute").fit(X, y).predict(X) == y))

digits = load_csv("digits.csv.gz", False)
D = digits[:, :64]
cases["pairwise"] = {"X": m(D[:20]), "Y": m(D[20:50]), "D": m(euclidean_distances(D[:20], D[20:50]))}
dp = PCA(svd_solver="full").fit(D)
ratio = dp.explained_variance_ratio_
mses = {}
for k in [1, 2, 5, 10, 20, 40, 64]:
    p = PCA(n_components=k, svd_solver="full").fit(D)
    R = p.inverse_transform(p.transform(D))
    mses[str(k)] = float(np.mean(np.sum((D - R) ** 2, axis=1)))
cases["digits_pca"] = {
    "explained_ratio": col(ratio),
    "values": col(dp.explained_variance_ * (len(D) - 1) / len(D)),
    "k90": int(np.argmax(np.cumsum(ratio) >= 0.9) + 1),
    "mse": mses,
    "components3": m(signed(dp.components_[:3].T)),
}
cases["digits_high_dim"] = pca_case(D[:40], 5)
cases["digits_sums"] = col([np.sum(np.ascontiguousarray(D[:, j])) for j in range(64)])
cases["digits_scaled_sums"] = col([np.sum(np.ascontiguousarray(D[:, j] / 7.0)) for j in range(64)])

wine = load_csv("wine_data.csv", True)[:, :13]
cases["wine"] = {
    "standardized_head": m(StandardScaler().fit_transform(wine)[:5]),
    "cov": m(np.cov(wine, rowvar=False, bias=True)),
    "corr": m(np.corrcoef(wine, rowvar=False)),
}

out = {"numpy": np.__version__, "sklearn": sklearn.__version__, "cases": cases}
with open(os.path.join(HERE, "stats_numpy.json"), "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
