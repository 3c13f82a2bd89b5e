" Vim compiler file for MML: `:compiler mml`, then `:make` runs `mml check` on the current
" file and fills the quickfix list with its diagnostics (message, place and help).
" g:mml_executable names the `mml` binary (default: `mml` on the PATH).
if exists("current_compiler")
  finish
endif
let current_compiler = "mml"

if exists(":CompilerSet") != 2
  command -nargs=* CompilerSet setlocal <args>
endif

let s:cpo_save = &cpo
set cpo&vim

execute "CompilerSet makeprg=" . escape(shellescape(get(g:, "mml_executable", "mml")), ' \|"') . "\\ check\\ %:S"
" `mml check` prints each diagnostic as (the column counts characters, hence %v)
"   [kind] Error: message
"      ╭─[ file:line:column ]
"      ... the source with labels ...
"      │ Help: what to write instead
"   ───╯
CompilerSet errorformat=
      \%E[%.%#]\ Error:\ %m,
      \%W[%.%#]\ Warning:\ %m,
      \%C%\\s%#╭─[\ %f:%l:%v\ ],
      \%C%\\s%#│\ Help:\ %m,
      \%Z───╯,
      \%C%.%#,
      \%-G%.%#

let &cpo = s:cpo_save
unlet s:cpo_save
