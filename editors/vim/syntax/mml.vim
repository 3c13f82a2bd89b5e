" Vim syntax file for MML (generated from the builtin table by `cargo test`; do not edit).
" Language: MML
if exists("b:current_syntax")
  finish
endif
let s:cpo_save = &cpo
set cpo&vim

syn case match
" Strings may span lines.
syn sync fromstart
syn spell notoplevel

" Operators come first: where two items match at the same place the later one wins,
" so `.5` is a number and `.*` an operator.
syn match mmlOperator "\V.==\|.!=\|.<=\|.>=\|.<\|.>\|->\|+=\|-=\|*=\|/=\|.*\|./\|.^\|==\|!=\|<=\|>=\|&&\|||\|+\|-\|*\|/\|\\\|^\|<\|>\|!\|=\|:"
" `'` after an operand is the transpose (`A'`, `v'*w`); it never opens a string.
syn match mmlTranspose "'"
" A `'` where no operand comes before it (`print('hi')`) is the lexer's single-quoted string,
" an error ("strings use double quotes"): shown as one, never as a string.
syn match mmlQuoteError +\%(\%(\k\|[)\]}'"]\)\s*\)\@<!'[^']*'+

syn keyword mmlKeyword fn if else while for in break continue return and or not end
syn keyword mmlBoolean true false
syn keyword mmlConstant nothing pi e inf nan
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
syn keyword mmlBuiltin standardize std string subplot sum surface svd tan tanh taylor threads tic
syn keyword mmlBuiltin toc trace typeof unique unit var vcat vec_proj write_csv write_image zeros
" The name in `fn name(...)` and in a one-line definition `name(x, y) = ...`.
syn match mmlFunction "\%(\<fn\s\+\)\@<=\k\+"
syn match mmlFunction "^\s*\zs\k\+\ze([^()]*)\s*=\%([^=]\|$\)"

" Numbers: `1`, `2.5`, `.5`, `1e-3`, `1_000`; imaginary numbers `2i`, `0.5i`, `1e3i`.
syn match mmlNumber "\<\d[0-9_]*\%(\.\d[0-9_]*\)\=\%([eE][+-]\=\d[0-9_]*\)\="
syn match mmlNumber "\.\d[0-9_]*\%([eE][+-]\=\d[0-9_]*\)\="
syn match mmlImaginary "\<\d[0-9_]*\%(\.\d[0-9_]*\)\=\%([eE][+-]\=\d[0-9_]*\)\=i"
syn match mmlImaginary "\.\d[0-9_]*\%([eE][+-]\=\d[0-9_]*\)\=i"

" Strings: double quotes only; escapes \n \t \r \0 \" \\ \{ \}; `{expr}` interpolates.
syn cluster mmlExpr contains=mmlOperator,mmlTranspose,mmlKeyword,mmlBoolean,mmlConstant,mmlBuiltin,mmlNumber,mmlImaginary,mmlInterpBraces
syn region mmlString start=+"+ skip=+\\.+ end=+"+ keepend contains=mmlEscapeError,mmlEscape,mmlInterp,mmlInterpError,@Spell
syn match mmlEscapeError contained +\\.+
syn match mmlEscape contained +\\[ntr0"\\{}]+
syn match mmlInterpError contained +}+
syn region mmlInterp contained matchgroup=mmlInterpDelim start=+{+ end=+}+ contains=@mmlExpr
syn region mmlInterpBraces contained transparent start=+{+ end=+}+ contains=@mmlExpr

syn keyword mmlTodo contained TODO FIXME XXX NOTE
syn match mmlComment "#.*$" contains=mmlTodo,@Spell

hi def link mmlKeyword Keyword
hi def link mmlBoolean Boolean
hi def link mmlConstant Constant
hi def link mmlBuiltin Function
hi def link mmlFunction Function
hi def link mmlNumber Number
hi def link mmlImaginary Number
hi def link mmlString String
hi def link mmlEscape SpecialChar
hi def link mmlEscapeError Error
hi def link mmlInterpDelim Delimiter
hi def link mmlInterpError Error
hi def link mmlComment Comment
hi def link mmlTodo Todo
hi def link mmlOperator Operator
hi def link mmlTranspose Operator
hi def link mmlQuoteError Error

let b:current_syntax = "mml"
let &cpo = s:cpo_save
unlet s:cpo_save
