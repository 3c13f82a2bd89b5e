" Vim syntax for MML (generated from the builtin table by `cargo test`; do not edit).
if exists("b:current_syntax")
  finish
endif

syn keyword mmlKeyword fn if else while for in break continue return and or not true false nothing end
syn keyword mmlBuiltin abs acos affine_cov affine_mean all allclose angle any approx arg argmax argmin
syn keyword mmlBuiltin argsort arrow asin assert assert_close assert_error atan atan2 bar bincount bisect cauchy
syn keyword mmlBuiltin ceil center change_basis charpoly choice chol classify_stationary cols complex cond conj contour
syn keyword mmlBuiltin corr cos cosh cov cross cumsum curve_fit dataset derivative derivative_at det diag
syn keyword mmlBuiltin diagonalize diff dist dot echelon eig eigh error errorbar exp eye figure
syn keyword mmlBuiltin fill find flatten floor format formula full global_min grad gradient_descent gram_schmidt hcat
syn keyword mmlBuiltin heatmap hessian hist histogram im imgrid imshow inner integrate inv is_orthonormal is_singular
syn keyword mmlBuiltin isfinite isnan jacobian knn kron lagrange length linfit linregress linspace log log10
syn keyword mmlBuiltin log2 lstsq lu matpow max mean median meshgrid min minimize mod mse
syn keyword mmlBuiltin mvn_sample newton_minimize newton_raphson norm normal_pdf null numel numgrad ones orth outer pagerank
syn keyword mmlBuiltin pairwise_dist pca pca_reconstruct pca_transform pinv plot polyfit polyval power_iteration print prod project
syn keyword mmlBuiltin projection_matrix qr quiver rand randint randn range rank re read_csv read_image reflection
syn keyword mmlBuiltin relu reshape root rotation round rows rref savefig scalar_proj scale scatter seed
syn keyword mmlBuiltin shear show shuffle sigmoid sign sin sinc sinh size solve sort sqrt
syn keyword mmlBuiltin standardize std string subplot sum surface svd tan tanh taylor tic toc
syn keyword mmlBuiltin trace typeof unique unit var vcat vec_proj write_csv write_image zeros
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
