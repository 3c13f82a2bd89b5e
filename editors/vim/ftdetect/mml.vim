" Filetype detection for MML: `.mml` files. Without it, Vim's fallback opens a file
" whose first line is a `#` comment as `conf`.
autocmd BufRead,BufNewFile *.mml setfiletype mml
