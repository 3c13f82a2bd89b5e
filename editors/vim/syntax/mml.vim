" Vim syntax for MML (generated from the builtin table by `cargo test`; do not edit).
if exists("b:current_syntax")
  finish
endif

syn keyword mmlKeyword fn if else while for in break continue return and or not true false nothing end
syn keyword mmlBuiltin abs acos affine_cov affine_mean all allclose angle any approx arg argmax argmin
syn keyword mmlBuiltin argsort arrow asin assert assert_close atan atan2 bar bincount bisect cauchy ceil
syn keyword mmlBuiltin center change_basis charpoly choice chol classify_stationary cols complex cond conj contour corr
syn keyword mmlBuiltin cos cosh cov cross cumsum curve_fit dataset derivative derivative_at det diag diagonalize
syn keyword mmlBuiltin diff dist dot echelon eig eigh error errorbar exp eye figure fill
syn keyword mmlBuiltin find flatten floor format formula full global_min grad gradient_descent gram_schmidt hcat heatmap
syn keyword mmlBuiltin hessian hist histogram im imgrid imshow inner integrate inv is_orthonormal is_singular isfinite
syn keyword mmlBuiltin isnan jacobian knn kron lagrange length linfit linregress linspace log log10 log2
syn keyword mmlBuiltin lstsq lu matpow max mean median meshgrid min minimize mod mse mvn_sample
syn keyword mmlBuiltin newton_minimize newton_raphson norm normal_pdf null numel numgrad ones orth outer pagerank pairwise_dist
syn keyword mmlBuiltin pca pca_reconstruct pca_transform pinv plot polyfit polyval power_iteration print prod project projection_matrix
syn keyword mmlBuiltin qr quiver rand randint randn range rank re read_csv read_image reflection relu
syn keyword mmlBuiltin reshape root rotation round rows rref savefig scalar_proj scale scatter seed shear
syn keyword mmlBuiltin show shuffle sigmoid sign sin sinc sinh size solve sort sqrt standardize
syn keyword mmlBuiltin std string subplot sum surface svd tan tanh taylor tic toc trace
syn keyword mmlBuiltin typeof unique unit var vcat vec_proj write_csv write_image zeros
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
