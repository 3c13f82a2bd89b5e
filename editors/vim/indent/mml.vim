" Vim indent file for MML: brace-based. The line after one that leaves a `{`, `[` or `(` open
" is indented one 'shiftwidth' more; a line that starts with `}`, `]` or `)` lines up with the
" line of its opening bracket. Brackets inside strings and comments do not
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

" How far back to look for an opening bracket, in lines and milliseconds.
let s:stop_lines = 5000
let s:timeout_ms = 300

function! s:BySyntax() abort
  return get(b:, "current_syntax", "") ==# "mml"
endfunction

" Is the character at (lnum, col) inside a syntax item whose name matches `pattern`?
function! s:Inside(lnum, col, pattern) abort
  for id in synstack(a:lnum, a:col)
    if synIDattr(id, "name") =~# a:pattern
      return 1
    endif
  endfor
  return 0
endfunction

" Line lnum with its strings and comment blanked out (when there are no syntax items).
function! s:Code(lnum) abort
  let line = substitute(getline(a:lnum), '"\%(\\.\|[^"\\]\)*"', '\=repeat(" ", strlen(submatch(0)))', "g")
  return substitute(line, '#.*$', '\=repeat(" ", strlen(submatch(0)))', "")
endfunction

" Is the character at (lnum, col) part of a string or a comment?
function! s:Ignored(lnum, col) abort
  if s:BySyntax()
    return s:Inside(a:lnum, a:col, '^mml\%(String\|Comment\)$')
  endif
  return s:Code(a:lnum)[a:col - 1] ==# " "
endfunction

function! s:Skip() abort
  return s:Ignored(line("."), col("."))
endfunction

" The brackets of line lnum after the closers it starts with: [how many opening brackets it
" leaves open, the column of the last closing bracket whose opening one is on an earlier line
" (0 if none)].
function! s:Scan(lnum) abort
  let by_syntax = s:BySyntax()
  let line = by_syntax ? getline(a:lnum) : s:Code(a:lnum)
  let open = 0
  let unmatched = 0
  let col = match(line, '[][(){}]', matchend(line, '^\%(\s*[])}]\)*'))
  while col >= 0
    if !by_syntax || !s:Inside(a:lnum, col + 1, '^mml\%(String\|Comment\)$')
      if line[col] =~# '[[({]'
        let open += 1
      elseif open > 0
        let open -= 1
      else
        let unmatched = col + 1
      endif
    endif
    let col = match(line, '[][(){}]', col + 1)
  endwhile
  return [open, unmatched]
endfunction

" The line of the opening bracket that matches the closing one at (lnum, col), or 0.
function! s:Opener(lnum, col) abort
  let view = winsaveview()
  call cursor(a:lnum, a:col)
  let l = searchpair('[[({]', "", '[])}]', "bnW", "s:Skip()", max([1, a:lnum - s:stop_lines]), s:timeout_ms)
  call winrestview(view)
  return max([l, 0])
endfunction

function! GetMmlIndent(lnum) abort
  let first = match(getline(a:lnum), '\S') + 1
  " The lines of a string that spans lines keep their indentation.
  if first > 0 && s:BySyntax() && s:Inside(a:lnum, first, '^mmlString$')
    return -1
  endif
  " A line that starts with a closing bracket lines up with the line of the opening one.
  if first > 0 && getline(a:lnum)[first - 1] =~# '[])}]'
    let l = s:Opener(a:lnum, first)
    return l > 0 ? indent(l) : indent(a:lnum)
  endif
  " Otherwise it follows the previous line of code (the first line of a string over several).
  let prev = prevnonblank(a:lnum - 1)
  while prev > 0 && s:BySyntax() && s:Inside(prev, match(getline(prev), '\S') + 1, '^mmlString$')
    let prev = prevnonblank(prev - 1)
  endwhile
  if prev == 0
    return 0
  endif
  let [open, unmatched] = s:Scan(prev)
  if open > 0
    " One level deeper than a line that leaves a bracket open.
    return indent(prev) + shiftwidth()
  elseif unmatched > 0
    " A line that closes a bracket opened above: back to the level of the line that opened it.
    let l = s:Opener(prev, unmatched)
    return l > 0 ? indent(l) : indent(prev)
  endif
  return indent(prev)
endfunction

let &cpo = s:cpo_save
unlet s:cpo_save
