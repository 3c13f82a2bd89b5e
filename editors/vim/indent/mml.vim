" Vim indent file for MML: brace-based. A line inside an unclosed `{`, `[` or `(` is indented
" one 'shiftwidth' more than the line that opened it; a line that starts with `}`, `]` or `)`
" lines up with the line of its opening bracket. Brackets inside strings and comments do not
" count (found from the syntax items when syntax is on, else from the text of the line).
if exists("b:did_indent")
  finish
endif
let b:did_indent = 1

setlocal indentexpr=GetMmlIndent(v:lnum)
setlocal indentkeys=0},0],0),!^F,o,O,e
setlocal autoindent nolisp nosmartindent nocindent
let b:undo_indent = "setlocal indentexpr< indentkeys< autoindent< lisp< smartindent< cindent<"

if exists("*GetMmlIndent")
  finish
endif
let s:cpo_save = &cpo
set cpo&vim

" How far back to look for an unclosed bracket, in lines and milliseconds.
let s:stop_lines = 2000
let s:timeout_ms = 200

" Is the character at (lnum, col) inside a syntax item whose name matches `pattern`?
function! s:Inside(lnum, col, pattern) abort
  for id in synstack(a:lnum, a:col)
    if synIDattr(id, "name") =~# a:pattern
      return 1
    endif
  endfor
  return 0
endfunction

" Is the character at (lnum, col) part of a string or a comment?
function! s:Ignored(lnum, col) abort
  if get(b:, "current_syntax", "") ==# "mml"
    return s:Inside(a:lnum, a:col, '^mml\%(String\|Comment\)$')
  endif
  " Without syntax items: blank out the strings on the line, then the comment.
  let line = substitute(getline(a:lnum), '"\%(\\.\|[^"\\]\)*"', '\=repeat(" ", strlen(submatch(0)))', "g")
  let line = substitute(line, '#.*$', '\=repeat(" ", strlen(submatch(0)))', "")
  return line[a:col - 1] ==# " "
endfunction

function! s:Skip() abort
  return s:Ignored(line("."), col("."))
endfunction

function! GetMmlIndent(lnum) abort
  let text = getline(a:lnum)
  let first = match(text, '\S') + 1
  " The lines of a string that spans lines keep their indentation.
  if first > 0 && get(b:, "current_syntax", "") ==# "mml" && s:Inside(a:lnum, first, '^mmlString$')
    return -1
  endif
  let view = winsaveview()
  let stop = max([1, a:lnum - s:stop_lines])
  let closer = first > 0 ? text[first - 1] : ""
  if closer =~# '[])}]'
    " Line up with the line that holds the matching opening bracket.
    let open = {"}": "{", "]": '\[', ")": "("}[closer]
    call cursor(a:lnum, first)
    let [l, c] = searchpairpos(open, "", '\V' . closer, "bnW", "s:Skip()", stop, s:timeout_ms)
    call winrestview(view)
    return l > 0 ? indent(l) : indent(a:lnum)
  endif
  " One level deeper than the line of the innermost bracket still open; top level otherwise.
  call cursor(a:lnum, 1)
  let [l, c] = searchpairpos('[[({]', "", '[])}]', "bnW", "s:Skip()", stop, s:timeout_ms)
  call winrestview(view)
  return l > 0 ? indent(l) + shiftwidth() : 0
endfunction

let &cpo = s:cpo_save
unlet s:cpo_save
