;;; mml-mode.el --- Major mode for MML, the matrix scripting language  -*- lexical-binding: t -*-

;; Version: 0.1.0
;; Package-Requires: ((emacs "27.1"))
;; Keywords: languages

;;; Commentary:

;; Editing MML scripts (`.mml' files): highlighting of keywords,
;; builtins, constants, numbers (`2i', `1e-3'), function definitions
;; and `{...}' interpolation in strings; indentation by bracket depth;
;; imenu of the functions a script defines; and an eglot entry that
;; starts the language server `mml lsp' (diagnostics as you type,
;; hover documentation, completion, signature help, definitions).
;;
;;   (add-to-list 'load-path "/path/to/mml/editors/emacs")
;;   (require 'mml-mode)
;;   (add-hook 'mml-mode-hook #'eglot-ensure)
;;
;; A `'' after a value is the transpose (`A''), never the start of a
;; string: MML strings use double quotes only.

;;; Code:

(require 'mml-mode-words)

(defgroup mml nil
  "Editing MML scripts."
  :group 'languages
  :prefix "mml-")

(defcustom mml-indent-offset 4
  "Number of columns by which each open bracket indents MML code."
  :type 'integer
  :safe #'integerp)

(defcustom mml-lsp-program "mml"
  "The `mml' program that eglot starts as the language server.
A program name looked up on the variable `exec-path', or an absolute
file name; eglot runs it with the argument `lsp'."
  :type 'string)

(defface mml-number
  '((t :inherit font-lock-constant-face))
  "Face for MML number literals such as `2.5', `1e-3' and `2i'.")

(defface mml-interpolation
  '((t :inherit font-lock-variable-name-face))
  "Face for `{...}' interpolations inside MML strings.")

;;; Syntax

(defvar mml-mode-syntax-table
  (let ((table (make-syntax-table)))
    (modify-syntax-entry ?# "<" table)
    (modify-syntax-entry ?\n ">" table)
    (modify-syntax-entry ?\" "\"" table)
    ;; Outside strings `\' is left division; inside them it escapes, which
    ;; `mml-syntax-propertize' marks.
    (modify-syntax-entry ?\\ "." table)
    ;; The transpose: never a string delimiter.
    (modify-syntax-entry ?' "." table)
    (modify-syntax-entry ?_ "w" table)
    (dolist (c '(?+ ?- ?* ?/ ?^ ?< ?> ?= ?! ?: ?& ?| ?% ?@ ?~ ?. ?, ?\;))
      (modify-syntax-entry c "." table))
    table)
  "Syntax table for `mml-mode'.")

(defun mml-syntax-propertize (start end)
  "Mark each `\\' inside a string between START and END as an escape."
  (goto-char start)
  (while (search-forward "\\" end t)
    (let ((pos (1- (point))))
      (when (nth 3 (save-excursion (syntax-ppss pos)))
        (put-text-property pos (point) 'syntax-table (string-to-syntax "\\"))
        ;; The escaped character is part of the escape.
        (unless (eobp) (forward-char 1))))))

;;; Highlighting

(defconst mml--name "[[:alpha:]_][[:alnum:]_]*"
  "A regexp for an MML name.")

(defconst mml--fn-definition
  (concat "\\_<fn[ \t]+\\(" mml--name "\\)[ \t]*(")
  "A regexp for `fn NAME(', the start of a block function.")

(defconst mml--short-definition
  (concat "^[ \t]*\\(" mml--name "\\)[ \t]*([^\n#]*)[ \t]*=\\(?:[^=]\\|$\\)")
  "A regexp for `NAME(PARAMS) =', a one-line function definition.")

(defconst mml--number
  (concat "\\(?:\\_<[0-9][0-9_]*\\(?:\\.[0-9][0-9_]*\\)?\\|\\.[0-9][0-9_]*\\)"
          "\\(?:[eE][-+]?[0-9][0-9_]*\\)?i?")
  "A regexp for an MML number literal: `1', `2.5', `.5', `1e-3', `1_000', `2i'.")

(defun mml--words (words)
  "A regexp for any of WORDS as a whole name, not after a `.'."
  (concat "\\(?:^\\|[^.]\\)\\_<\\(" (regexp-opt words) "\\)\\_>"))

(defun mml--escaped-p (pos)
  "Whether the character at POS follows an odd number of backslashes."
  (save-excursion
    (goto-char pos)
    (= (mod (skip-chars-backward "\\\\") 2) 1)))

(defun mml--match-interpolation (limit)
  "Find the next `{...}' inside a string before LIMIT, for font-lock."
  (let (found)
    (while (and (not found)
                (re-search-forward "{[^{}\"]*}" limit t))
      (let ((start (match-beginning 0)))
        (when (and (nth 3 (save-excursion (syntax-ppss start)))
                   (not (mml--escaped-p start)))
          (setq found t))))
    found))

(defvar mml-font-lock-keywords
  `((,mml--fn-definition 1 font-lock-function-name-face)
    (,mml--short-definition 1 font-lock-function-name-face)
    (,(mml--words mml-mode-keywords) 1 font-lock-keyword-face)
    (,(mml--words mml-mode-constants) 1 font-lock-constant-face)
    (,(mml--words mml-mode-builtins) 1 font-lock-builtin-face)
    (,mml--number . 'mml-number)
    (mml--match-interpolation 0 'mml-interpolation t))
  "Highlighting for `mml-mode'.")

;;; Indentation

(defun mml--continued-line ()
  "Return the end of the code line before point's line if it continues here.
In MML a line that ends with a binary operator (`+', `=', `and', ...)
continues on the next one; blank lines and comments between them do
not count.  Return nil when the code before does not end that way."
  (save-excursion
    (beginning-of-line)
    (catch 'done
      (while (not (bobp))
        (forward-line -1)
        (end-of-line)
        (let ((ppss (syntax-ppss)))
          (when (nth 3 ppss) (throw 'done nil))
          (when (nth 4 ppss) (goto-char (nth 8 ppss))))
        (skip-chars-backward " \t")
        (unless (bolp)
          (throw 'done
                 (and (or (memq (char-before) '(?+ ?- ?* ?/ ?\\ ?^ ?< ?> ?= ?! ?: ?& ?|))
                          (looking-back "\\_<\\(?:and\\|or\\|not\\)"
                                        (line-beginning-position)))
                      (point)))))
      nil)))

(defun mml--statement-indentation (depth)
  "Return the indentation of the statement around point, at bracket DEPTH.
That is the indentation of its first line: lines inside brackets
opened on an earlier line, and lines that continue one ending with an
operator, belong to the statement of that earlier line."
  (save-excursion
    (beginning-of-line)
    (let (previous)
      (while (let ((ppss (syntax-ppss)))
               (cond
                ((and (> (car ppss) depth) (nth 1 ppss))
                 (goto-char (nth 1 ppss))
                 (beginning-of-line)
                 t)
                ((setq previous (mml--continued-line))
                 (goto-char previous)
                 (beginning-of-line)
                 t))))
      (current-indentation))))

(defun mml--indentation ()
  "Return the column for the current line, or nil inside a string.
A line inside brackets is indented `mml-indent-offset' columns more
than the statement that opened the innermost bracket, or lines up
with the first item after an open `(' or `[' that has one on its
line.  A line that starts with a closing bracket lines up with the
statement that opened it.  A line that continues a statement (the
line before ends with an operator) is indented once more."
  (save-excursion
    (beginning-of-line)
    (let* ((ppss (syntax-ppss))
           (open (nth 1 ppss))
           (block (or (null open) (eq (char-after open) ?{)))
           (continues (and block (mml--continued-line) mml-indent-offset)))
      (skip-chars-forward " \t")
      (let ((closing (and open (looking-at "\\s)"))))
        (cond
         ((nth 3 ppss) nil)
         ((null open) (or continues 0))
         (t
          (goto-char open)
          (let ((base (mml--statement-indentation (car (syntax-ppss open)))))
            (forward-char 1)
            (skip-chars-forward " \t")
            (cond
             (closing base)
             ((and (not block) (not (looking-at "$\\|#")))
              (current-column))
             (t (+ base mml-indent-offset (or continues 0)))))))))))

(defun mml-indent-line ()
  "Indent the current line of MML code by its bracket depth."
  (interactive)
  (let ((column (mml--indentation)))
    (if (null column)
        'noindent
      (if (<= (current-column) (current-indentation))
          (indent-line-to column)
        (save-excursion (indent-line-to column))))))

;;; Imenu

(defvar mml-imenu-generic-expression
  `((nil ,mml--fn-definition 1)
    (nil ,mml--short-definition 1))
  "Imenu entries for `mml-mode': the functions a script defines.")

;;; The mode

;;;###autoload
(define-derived-mode mml-mode prog-mode "MML"
  "Major mode for editing MML scripts.

Indentation follows bracket depth (`mml-indent-offset').  With
eglot, \\[eglot] starts the language server `mml lsp' (see
`mml-lsp-program')."
  :syntax-table mml-mode-syntax-table
  (setq-local comment-start "# ")
  (setq-local comment-end "")
  (setq-local comment-start-skip "#+[ \t]*")
  (setq-local syntax-propertize-function #'mml-syntax-propertize)
  (setq-local font-lock-defaults '(mml-font-lock-keywords))
  (setq-local indent-line-function #'mml-indent-line)
  (setq-local indent-tabs-mode nil)
  (setq-local electric-indent-chars (append "}])" electric-indent-chars))
  (setq-local imenu-generic-expression mml-imenu-generic-expression)
  (setq-local imenu-case-fold-search nil))

;;;###autoload
(add-to-list 'auto-mode-alist '("\\.mml\\'" . mml-mode))

;;; The language server

(defvar eglot-server-programs)

;;;###autoload
(defun mml-eglot-contact (&optional _interactive)
  "Return the server command for eglot: `mml-lsp-program' and `lsp'."
  (list mml-lsp-program "lsp"))

;;;###autoload
(with-eval-after-load 'eglot
  (add-to-list 'eglot-server-programs '(mml-mode . mml-eglot-contact)))

(provide 'mml-mode)
;;; mml-mode.el ends here
