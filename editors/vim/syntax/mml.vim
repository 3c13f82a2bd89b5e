" Vim syntax for MML (generated from the builtin table by `cargo test`; do not edit).
if exists("b:current_syntax")
  finish
endif

syn keyword mmlKeyword fn if else while for in break continue return and or not true false nothing end
syn keyword mmlBuiltin abs acos all allclose angle any approx arg arrow asin assert assert_close
syn keyword mmlBuiltin atan atan2 bar ceil change_basis charpoly chol cols complex cond conj contour
syn keyword mmlBuiltin cos cross det diag diagonalize dist dot echelon eig eigh error errorbar
syn keyword mmlBuiltin exp eye figure fill flatten floor format full gram_schmidt hcat heatmap hist
syn keyword mmlBuiltin im imgrid imshow inv is_orthonormal is_singular kron length linspace log log10 log2
syn keyword mmlBuiltin lu matpow max meshgrid min mod norm null numel ones orth outer
syn keyword mmlBuiltin pagerank pinv plot power_iteration print project projection_matrix qr quiver rand randn range
syn keyword mmlBuiltin rank re reflection reshape rotation round rows rref savefig scalar_proj scale scatter
syn keyword mmlBuiltin seed shear show sign sin size solve sqrt string subplot surface svd
syn keyword mmlBuiltin tan tic toc trace typeof unit vcat vec_proj zeros
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
