;;; mml-mode-words.el --- MML words for mml-mode  -*- lexical-binding: t -*-

;; This file is generated from the builtin table by `cargo test`; do not edit.

;;; Commentary:

;; The keywords, builtin functions and constants of MML, for `mml-mode'.

;;; Code:

(defconst mml-mode-keywords
  '("fn" "if" "else" "while" "for" "in" "break" "continue" "return" "and" "or"
    "not" "true" "false" "nothing" "end")
  "The keywords of MML.")

(defconst mml-mode-builtins
  '("abs" "acos" "affine_cov" "affine_mean" "all" "allclose" "angle" "any"
    "approx" "arg" "argmax" "argmin" "argsort" "arrow" "asin" "assert"
    "assert_close" "assert_error" "atan" "atan2" "bar" "bincount" "bisect"
    "cauchy" "ceil" "center" "change_basis" "charpoly" "choice" "chol"
    "classify_stationary" "cols" "complex" "cond" "conj" "contour" "corr"
    "cos" "cosh" "cov" "cross" "cumsum" "curve_fit" "dataset" "derivative"
    "derivative_at" "det" "diag" "diagonalize" "diff" "dist" "dot" "echelon"
    "eig" "eigh" "error" "errorbar" "exp" "eye" "figure" "fill" "find"
    "flatten" "floor" "format" "formula" "full" "global_min" "grad"
    "gradient_descent" "gram_schmidt" "hcat" "heatmap" "hessian" "hist"
    "histogram" "im" "imgrid" "imshow" "inner" "integrate" "inv"
    "is_orthonormal" "is_singular" "isfinite" "isnan" "jacobian" "knn" "kron"
    "lagrange" "length" "linfit" "linregress" "linspace" "log" "log10" "log2"
    "lstsq" "lu" "matpow" "max" "mean" "median" "meshgrid" "min" "minimize"
    "mod" "mse" "mvn_sample" "newton_minimize" "newton_raphson" "norm"
    "normal_pdf" "null" "numel" "numgrad" "ones" "orth" "outer" "pagerank"
    "pairwise_dist" "pca" "pca_reconstruct" "pca_transform" "pinv" "plot"
    "polyfit" "polyval" "power_iteration" "print" "prod" "project"
    "projection_matrix" "qr" "quiver" "rand" "randint" "randn" "range" "rank"
    "re" "read_csv" "read_image" "reflection" "relu" "reshape" "root"
    "rotation" "round" "rows" "rref" "savefig" "scalar_proj" "scale" "scatter"
    "seed" "shear" "show" "shuffle" "sigmoid" "sign" "sin" "sinc" "sinh"
    "size" "solve" "sort" "sqrt" "standardize" "std" "string" "subplot" "sum"
    "surface" "svd" "tan" "tanh" "taylor" "threads" "tic" "toc" "trace"
    "typeof" "unique" "unit" "var" "vcat" "vec_proj" "write_csv" "write_image"
    "zeros")
  "The builtin functions of MML.")

(defconst mml-mode-constants
  '("pi" "e" "inf" "nan")
  "The named constants of MML.")

(provide 'mml-mode-words)
;;; mml-mode-words.el ends here
