" Vim syntax for MML (generated from the builtin table by `cargo test`; do not edit).
if exists("b:current_syntax")
  finish
endif

syn keyword mmlKeyword fn if else while for in break continue return and or not true false nothing end
syn keyword mmlBuiltin abs acos affine_cov affine_mean all allclose angle any approx arg argmax argmin
syn keyword mmlBuiltin argsort arrow asin assert assert_close atan atan2 bar bincount ceil center change_basis
syn keyword mmlBuiltin charpoly choice chol cols complex cond conj contour corr cos cov cross
syn keyword mmlBuiltin cumsum dataset derivative derivative_at det diag diagonalize dist dot echelon eig eigh
syn keyword mmlBuiltin error errorbar exp eye figure fill flatten floor format full grad gram_schmidt
syn keyword mmlBuiltin hcat heatmap hessian hist histogram im imgrid imshow inner inv is_orthonormal is_singular
syn keyword mmlBuiltin jacobian knn kron length linspace log log10 log2 lu matpow max mean
syn keyword mmlBuiltin median meshgrid min mod mse mvn_sample norm null numel numgrad ones orth
syn keyword mmlBuiltin outer pagerank pairwise_dist pca pca_reconstruct pca_transform pinv plot power_iteration print prod project
syn keyword mmlBuiltin projection_matrix qr quiver rand randint randn range rank re read_csv read_image reflection
syn keyword mmlBuiltin relu reshape rotation round rows rref savefig scalar_proj scale scatter seed shear
syn keyword mmlBuiltin show shuffle sigmoid sign sin size solve sort sqrt standardize std string
syn keyword mmlBuiltin subplot sum surface svd tan tanh tic toc trace typeof unique unit
syn keyword mmlBuiltin var vcat vec_proj write_csv write_image zeros
syn keyword mmlConstant pi e inf nan
syn match mmlNumber "\<\d[0-9_]*\(\.\d*\)\=\([eE][+-]\=\d\+\)\="
syn match mmlNumber "\.\d\+\([eE][+-]\=\d\+\)\="
syn region mmlInterp contained start="{" end="}"
syn region mmlString start=+"+ skip=+\\.+ end=+"+ contains=mmlInterp
syn match mmlComment "#.*$"
syn match mmlOperator "[-+*/\\^'<>=!:]\|\.\*\|\./\|\.\^\|->"

hi def link mmlKeyword Keyword
hi def link mmlBuiltin Function
hi def link mmlConstant Constant
hi def link mmlNumber Number
hi def link mmlString String
hi def link mmlInterp Special
hi def link mmlComment Comment
hi def link mmlOperator Operator

let b:current_syntax = "mml"
