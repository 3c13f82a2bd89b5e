# W8b: PCA on the digits end to end (whole process), as MML's w8b_pca_digits.mml: load the
# 1797x64 data set from the repository's data/ folder, PCA(10), explained variance and the
# mean squared reconstruction error per image.
import os
import numpy as np
from sklearn.decomposition import PCA

here = os.path.dirname(os.path.abspath(__file__))
D = np.loadtxt(os.path.join(here, "..", "..", "..", "data", "digits.csv.gz"), delimiter=",")
X = D[:, :64]
p = PCA(n_components=10, svd_solver="covariance_eigh").fit(X)
R = p.inverse_transform(p.transform(X))
print(f"explained={p.explained_variance_ratio_.sum():.6f} mse={np.mean(np.sum((X - R) ** 2, axis=1)):.8g}")
