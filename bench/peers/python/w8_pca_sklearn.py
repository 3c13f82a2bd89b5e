# W8 with scikit-learn: PCA(10) of random 20000x784 data by the covariance route
# (svd_solver="covariance_eigh": centre, X'X, eigh), fit and transform.
import sys, time
import numpy as np
from sklearn.decomposition import PCA

rng = np.random.default_rng(1)
X = rng.random((20000, 784))
t = time.perf_counter()
p = PCA(n_components=10, svd_solver="covariance_eigh")
P = p.fit_transform(X)
print(f"kernel_s={time.perf_counter() - t:.4f}", end="")
if "check" in sys.argv:
    print(f" lmax={p.explained_variance_[0]:.6f} proj={P.shape[0]}x{P.shape[1]}", end="")
print()
