" Vim filetype plugin for MML.
" Comments start with `#`; `gf` finds `name.mml`; the style of the docs and examples is four
" spaces (set g:mml_recommended_style = 0 to keep your own indentation settings).
if exists("b:did_ftplugin")
  finish
endif
let b:did_ftplugin = 1

let s:cpo_save = &cpo
set cpo&vim

setlocal comments=:# commentstring=#\ %s
setlocal formatoptions-=t formatoptions+=croql
setlocal suffixesadd=.mml
let b:undo_ftplugin = "setlocal comments< commentstring< formatoptions< suffixesadd<"

if get(g:, "mml_recommended_style", 1)
  setlocal expandtab shiftwidth=4 softtabstop=4
  let b:undo_ftplugin .= " | setlocal expandtab< shiftwidth< softtabstop<"
endif

let &cpo = s:cpo_save
unlet s:cpo_save
