" Vim syntax for MML (generated from the builtin table by `cargo test`; do not edit).
if exists("b:current_syntax")
  finish
endif

syn keyword mmlKeyword fn if else while for in break continue return and or not true false nothing end
syn keyword mmlBuiltin abs acos asin assert assert_close atan atan2 ceil cols cos error exp
syn keyword mmlBuiltin eye floor format length linspace log log10 log2 max min mod numel
syn keyword mmlBuiltin ones print range round rows sign sin size sqrt string tan typeof
syn keyword mmlBuiltin zeros
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
