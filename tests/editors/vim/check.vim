" Checks the Vim package in editors/vim (run by tests/it/editor_vim.rs, in Vim and in Neovim).
" $MML_FIXTURES holds the fixtures, $MML_OUT is a folder for the results: failures.txt (one
" line per failed check, empty when all pass) and indented.mml (indent_in.mml after `gg=G`).
set hidden
let s:failures = []
let s:fixtures = $MML_FIXTURES
let s:out = $MML_OUT

function! s:Fail(msg) abort
  call add(s:failures, a:msg)
endfunction

function! s:Stack(l, c) abort
  return join(map(synstack(a:l, a:c), 'synIDattr(v:val, "name")'), " > ")
endfunction

" The innermost syntax group at the first match of `pattern` (the match's start, or `\zs`).
function! s:Expect(pattern, group) abort
  call cursor(1, 1)
  let [l, c] = searchpos(a:pattern, "cW")
  if l == 0
    return s:Fail("not in the fixture: " . a:pattern)
  endif
  let name = synIDattr(synID(l, c, 1), "name")
  if name !=# a:group
    call s:Fail(printf("%s at %d:%d: expected group '%s', got '%s' (stack: %s)",
          \ a:pattern, l, c, a:group, name, s:Stack(l, c)))
  endif
endfunction

function! s:ExpectOption(name, value) abort
  let actual = eval("&l:" . a:name)
  if actual !=# a:value
    call s:Fail(printf("'%s' is '%s', expected '%s'", a:name, actual, a:value))
  endif
endfunction

execute "edit " . fnameescape(s:fixtures . "/sample.mml")
if &filetype !=# "mml"
  call s:Fail("filetype of sample.mml is '" . &filetype . "', expected 'mml'")
endif
if get(b:, "current_syntax", "") !=# "mml"
  call s:Fail("b:current_syntax is '" . get(b:, "current_syntax", "") . "', expected 'mml'")
endif

" ftplugin
call s:ExpectOption("commentstring", "# %s")
call s:ExpectOption("comments", ":#")
call s:ExpectOption("suffixesadd", ".mml")
call s:ExpectOption("shiftwidth", 4)
call s:ExpectOption("expandtab", 1)
if get(b:, "undo_ftplugin", "") !~# "commentstring<"
  call s:Fail("b:undo_ftplugin does not restore 'commentstring': " . get(b:, "undo_ftplugin", ""))
endif
" indent
call s:ExpectOption("indentexpr", "GetMmlIndent(v:lnum)")
if get(b:, "undo_indent", "") !~# "indentexpr<"
  call s:Fail("b:undo_indent does not restore 'indentexpr': " . get(b:, "undo_indent", ""))
endif

" Comments
call s:Expect('^# \zsHighlighting', "mmlComment")
call s:Expect('\<TODO\>', "mmlTodo")
call s:Expect("a \\zs' quote", "mmlComment")
call s:Expect('with a '' quote and a \zs"string"', "mmlComment")
" Keywords, constants, builtins, function names
call s:Expect('^\zsfn ', "mmlKeyword")
call s:Expect('\<return\>', "mmlKeyword")
call s:Expect('true \zsand', "mmlKeyword")
call s:Expect('\<true\>', "mmlBoolean")
call s:Expect('or \zsnothing', "mmlConstant")
call s:Expect('y = \zspi', "mmlConstant")
call s:Expect('^\zsprint(', "mmlBuiltin")
call s:Expect('fn \zsdouble', "mmlFunction")
call s:Expect('^\zssq(t)', "mmlFunction")
call s:Expect('^\zsA = ', "")
" Numbers and imaginary numbers
call s:Expect('\<2\.5', "mmlNumber")
call s:Expect(', \zs\.5,', "mmlNumber")
call s:Expect('1e\zs-3', "mmlNumber")
call s:Expect('1_\zs000', "mmlNumber")
call s:Expect('\<2\zsi +', "mmlImaginary")
call s:Expect('+ \zs0\.5i', "mmlImaginary")
call s:Expect('1\.5e3\zsi', "mmlImaginary")
" Operators: `2.*A` is `2 .* A`, not `2.` then `*`
call s:Expect('2\zs\.\*A', "mmlOperator")
call s:Expect('A \zs\./ A', "mmlOperator")
call s:Expect('A \zs\.^ 2', "mmlOperator")
call s:Expect('2 \zs\\ v', "mmlOperator")
call s:Expect(' \zs== nothing', "mmlOperator")
" The transpose never starts a string: what follows it is code again
call s:Expect("w = A\\zs'", "mmlTranspose")
call s:Expect("w = A' \\zs\\*", "mmlOperator")
call s:Expect("v'\\zs' +", "mmlTranspose")
call s:Expect("v'' \\zs+", "mmlOperator")
call s:Expect("+ A\\zs'$", "mmlTranspose")
call s:Expect('^\zsP = ', "")
" A `'` with no operand before it is the single-quoted string the lexer reports as an error
call s:Expect("print(\\zs'single'", "mmlQuoteError")
call s:Expect("print('single\\zs'", "mmlQuoteError")
call s:Expect("'single') \\zs+", "mmlOperator")
call s:Expect("2\\]\\zs'$", "mmlTranspose")
call s:Expect("max(A\\zs', 'x')", "mmlTranspose")
call s:Expect("max(A', \\zs'x')", "mmlQuoteError")
" Strings, escapes, interpolation
call s:Expect('print("\zsA', "mmlString")
call s:Expect('print("A\zs''', "mmlString")
call s:Expect('\zs{A''}', "mmlInterpDelim")
call s:Expect('{\zsA''}', "mmlInterp")
call s:Expect('{A\zs''}', "mmlTranspose")
call s:Expect('{A''\zs}', "mmlInterpDelim")
call s:Expect('{\zssum(v)', "mmlBuiltin")
call s:Expect('sum(v) + \zs1}', "mmlNumber")
call s:Expect('1} \zs\\{literal', "mmlEscape")
call s:Expect('\zs\\t bad', "mmlEscape")
call s:Expect('bad\zs\\q', "mmlEscapeError")
call s:Expect('bad\\q"\zs)', "")
call s:Expect('^r = \zs{x', "")
call s:Expect('a stray \zs}', "mmlInterpError")
call s:Expect('error; \zs\\}', "mmlEscape")

" Every operator of the language (one per line of operators.mml, written by the test as
" `a OP b`) is highlighted as an operator over its whole width.
execute "edit " . fnameescape(s:out . "/operators.mml")
for l in range(1, line("$"))
  let op = matchstr(getline(l), '^a \zs.*\ze b$')
  for c in range(3, 2 + strlen(op))
    let name = synIDattr(synID(l, c, 1), "name")
    if name !~# '^mml\%(Operator\|Transpose\)$'
      call s:Fail(printf("operator `%s` (operators.mml:%d): column %d is '%s'", op, l, c, name))
    endif
  endfor
endfor

" Indentation: `=` over a badly indented file
execute "edit " . fnameescape(s:fixtures . "/indent_in.mml")
normal! gg=G
call writefile(getline(1, "$"), s:out . "/indented.mml")
" The same without syntax items, from the text of each line.
set syntax=OFF
if exists("b:current_syntax")
  call s:Fail("'syntax=OFF' left b:current_syntax")
endif
silent %delete _
call setline(1, readfile(s:fixtures . "/indent_in.mml"))
normal! gg=G
call writefile(getline(1, "$"), s:out . "/indented-without-syntax.mml")

" The lines of a string that spans lines keep their indentation.
enew
setfiletype mml
call setline(1, ["if true {", "s = \"one {", "      two }\"", "x = 1", "}"])
normal! gg=G
let s:expected = ["if true {", "    s = \"one {", "      two }\"", "    x = 1", "}"]
if getline(1, "$") != s:expected
  call s:Fail("a string over two lines was re-indented to " . string(getline(1, "$")))
endif

" `:compiler mml`: `:make` runs `mml check` ($MML_BIN) and lists its diagnostics, with the
" help text, at the right character of a line with `θ`s.
let g:mml_executable = $MML_BIN
execute "edit " . fnameescape(s:fixtures . "/check_errors.mml")
compiler mml
silent make!
let s:qf = sort(filter(getqflist(), "v:val.valid"), {a, b -> a.lnum - b.lnum})
let s:got = string(map(copy(s:qf), '[v:val.lnum, v:val.type, v:val.text]'))
if len(s:qf) != 2
  call s:Fail("`:make` listed " . len(s:qf) . " diagnostics, expected 2: " . s:got)
elseif s:qf[0].lnum != 3 || s:qf[0].type !=# "E" || s:qf[0].bufnr != bufnr("%")
      \ || s:qf[0].text !~# 'unknown name `linspce`.*did you mean `linspace`'
      \ || s:qf[1].lnum != 4 || s:qf[1].text !~# '`@` is not an operator.*A \* B'
  call s:Fail("`:make` listed " . s:got)
else
  execute "cc " . (index(map(getqflist(), "v:val.lnum"), 3) + 1)
  if line(".") != 3 || col(".") != stridx(getline(3), "linspce") + 1
    call s:Fail("`:cc` went to " . line(".") . ":" . col(".") . ", not to `linspce` on line 3")
  endif
endif

call writefile(s:failures, s:out . "/failures.txt")
qall!
