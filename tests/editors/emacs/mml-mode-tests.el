;;; mml-mode-tests.el --- ERT tests of mml-mode, in a real Emacs  -*- lexical-binding: t -*-

;;; Commentary:

;; `cargo test --test it editor_emacs' runs these with the freshly built
;; `mml' binary.  By hand, from the repository root:
;;
;;   MML_BIN=target/debug/mml emacs --batch -Q -L editors/emacs \
;;     -l tests/editors/emacs/mml-mode-tests.el -f ert-run-tests-batch-and-exit
;;
;; The eglot test is skipped (with a message saying what to install) when
;; eglot is missing: built into Emacs 29+, a package before that.

;;; Code:

(require 'ert)
(require 'ert-x)
(require 'imenu)
(require 'mml-mode)

(defconst mml-test-dir
  (file-name-directory (or load-file-name buffer-file-name))
  "The folder of these tests and their fixtures.")

(defconst mml-test-source-dir
  (expand-file-name "../../../editors/emacs/" mml-test-dir)
  "The folder of the package under test.")

(defmacro mml-test-with-file (file &rest body)
  "Visit FILE from the fixtures, run BODY in its buffer, then kill it."
  (declare (indent 1))
  `(let ((buffer (find-file-noselect (expand-file-name ,file mml-test-dir))))
     (unwind-protect
         (with-current-buffer buffer ,@body)
       (kill-buffer buffer))))

(defun mml-test-face (needle &optional offset)
  "The face at the first NEEDLE in the buffer, OFFSET characters in."
  (save-excursion
    (goto-char (point-min))
    (unless (search-forward needle nil t)
      (ert-fail (format "%S is not in the fixture" needle)))
    (get-text-property (+ (match-beginning 0) (or offset 0)) 'face)))

(defun mml-test-after (needle)
  "The position just after the first NEEDLE in the buffer."
  (save-excursion
    (goto-char (point-min))
    (unless (search-forward needle nil t)
      (ert-fail (format "%S is not in the fixture" needle)))
    (point)))

;;; Byte-compilation

(ert-deftest mml-mode-byte-compiles-without-warnings ()
  "Both files compile, in a fresh Emacs, with every warning an error."
  (let ((dir (make-temp-file "mml-mode-compile" t))
        (files '("mml-mode-words.el" "mml-mode.el")))
    (unwind-protect
        (with-temp-buffer
          (dolist (f files)
            (copy-file (expand-file-name f mml-test-source-dir) (expand-file-name f dir)))
          (let ((status (apply #'call-process
                               (expand-file-name invocation-name invocation-directory)
                               nil t nil
                               "--batch" "-Q" "-L" dir
                               "--eval" "(setq byte-compile-error-on-warn t)"
                               "-f" "batch-byte-compile"
                               (mapcar (lambda (f) (expand-file-name f dir)) files)))
                (log (buffer-string)))
            (unless (and (eq status 0) (not (string-match-p "Warning\\|Error" log)))
              (ert-fail (format "byte-compilation failed (status %s):\n%s" status log)))
            (dolist (f files)
              (should (file-exists-p (expand-file-name (concat f "c") dir))))))
      (delete-directory dir t))))

;;; Autoloads (what package.el and use-package read)

(defun mml-test-emacs (&rest args)
  "Run a fresh batch Emacs with ARGS; return (STATUS . OUTPUT)."
  (with-temp-buffer
    (let ((status (apply #'call-process
                         (expand-file-name invocation-name invocation-directory)
                         nil t nil "--batch" "-Q" args)))
      (cons status (buffer-string)))))

(ert-deftest mml-mode-autoloads-select-the-mode ()
  "With only the generated autoloads loaded, a `.mml' file opens in
`mml-mode', and eglot, once loaded, knows the server."
  (let* ((dir (make-temp-file "mml-mode-autoloads" t))
         (autoloads (expand-file-name "mml-mode-autoloads.el" dir)))
    (unwind-protect
        (progn
          (dolist (f '("mml-mode-words.el" "mml-mode.el"))
            (copy-file (expand-file-name f mml-test-source-dir) (expand-file-name f dir)))
          (let ((made (mml-test-emacs
                       "--eval"
                       (format "%S"
                               `(let ((dir ,dir) (out ,autoloads))
                                  (cond
                                   ((fboundp 'loaddefs-generate) (loaddefs-generate dir out))
                                   ((fboundp 'make-directory-autoloads)
                                    (make-directory-autoloads dir out))
                                   (t (let ((generated-autoload-file out))
                                        (update-directory-autoloads dir)))))))))
            (unless (file-exists-p autoloads)
              (ert-fail (format "no autoloads were generated: %S" made))))
          (with-temp-file (expand-file-name "script.mml" dir) (insert "x = 1\n"))
          (let ((run (mml-test-emacs
                      "-L" dir "-l" autoloads
                      "--eval"
                      (format "%S"
                              `(progn
                                 (find-file ,(expand-file-name "script.mml" dir))
                                 (princ (format "mode=%s loaded-before-eglot=%s\n"
                                                major-mode (featurep 'mml-mode)))
                                 (require 'package)
                                 (add-to-list 'package-directory-list
                                              "/usr/share/emacs/site-lisp/elpa")
                                 (package-initialize)
                                 (princ (format "eglot=%s\n"
                                                (if (require 'eglot nil t)
                                                    (cdr (assq 'mml-mode eglot-server-programs))
                                                  "missing"))))))))
            (should (eq (car run) 0))
            (should (string-match-p "mode=mml-mode loaded-before-eglot=t" (cdr run)))
            (should (string-match-p "eglot=\\(mml-eglot-contact\\|missing\\)" (cdr run)))))
      (delete-directory dir t))))

;;; Mode selection and highlighting

(ert-deftest mml-mode-is-selected-for-mml-files ()
  (mml-test-with-file "sample.mml"
    (should (eq major-mode 'mml-mode))
    (should (derived-mode-p 'prog-mode))
    (should (equal comment-start "# "))))

(ert-deftest mml-mode-faces ()
  (mml-test-with-file "sample.mml"
    (font-lock-ensure)
    ;; Comments, keywords, function names.
    (should (eq (mml-test-face "# a comment" 2) 'font-lock-comment-face))
    (should (eq (mml-test-face "fn scale") 'font-lock-keyword-face))
    (should (eq (mml-test-face "scale(") 'font-lock-function-name-face))
    (should (eq (mml-test-face "return") 'font-lock-keyword-face))
    (should (eq (mml-test-face "for i") 'font-lock-keyword-face))
    (should (eq (mml-test-face " in 1" 1) 'font-lock-keyword-face))
    (should (eq (mml-test-face "area(r)") 'font-lock-function-name-face))
    ;; Builtins and constants from the builtin table; a field is neither.
    (should (eq (mml-test-face "sqrt(") 'font-lock-builtin-face))
    (should (eq (mml-test-face "pi)") 'font-lock-constant-face))
    (should (eq (mml-test-face "print(") 'font-lock-builtin-face))
    (should (null (mml-test-face "r.mean" 2)))
    ;; Numbers: imaginary, exponent, leading dot, underscores; not a digit in a name.
    (should (eq (mml-test-face "2i") 'mml-number))
    (should (eq (mml-test-face "2i" 1) 'mml-number))
    (should (eq (mml-test-face "1e-3" 3) 'mml-number))
    (should (eq (mml-test-face ".5" 1) 'mml-number))
    (should (eq (mml-test-face "1_000" 4) 'mml-number))
    (should (null (mml-test-face "x2 =" 1)))
    ;; Strings, with interpolation, escaped braces and escaped quotes.
    (should (eq (mml-test-face "\"norm") 'font-lock-string-face))
    (should (eq (mml-test-face "{norm(A')}") 'mml-interpolation))
    (should (eq (mml-test-face "{norm(A')}" 9) 'mml-interpolation))
    (should (eq (mml-test-face "\\{literal" 1) 'font-lock-string-face))
    (should (eq (mml-test-face "quoted") 'font-lock-string-face))
    (should (eq (mml-test-face " then\"" 1) 'font-lock-string-face))
    (should (null (mml-test-face "for i" 4)))))

(ert-deftest mml-mode-transpose-is-not-a-string ()
  (mml-test-with-file "sample.mml"
    (font-lock-ensure)
    ;; After `A'' and `w'' no string is open, and the next line is code.
    (should (null (nth 3 (syntax-ppss (mml-test-after "3, 4]'")))))
    (should (null (nth 3 (syntax-ppss (mml-test-after "return w'")))))
    (should (eq (mml-test-face "sqrt(") 'font-lock-builtin-face))
    (should (null (mml-test-face "x = sqrt")))
    ;; Inside a string, an interpolated transpose does not end it either.
    (should (nth 3 (syntax-ppss (mml-test-after "{norm(A'"))))
    ;; `\' outside a string is left division, not an escape: the `[' after it opens.
    (should (= 1 (car (syntax-ppss (mml-test-after "A \\ [")))))
    (should (= 0 (car (syntax-ppss (mml-test-after "A \\ [1, 2]")))))))

;;; Indentation

(defconst mml-test-badly-indented
  "fn f(x) {
if x > 0 and
x < 10 {
y = [1, 2,
3, 4]
z = [
5,
6
]
s = \"\\{ not a brace\"   # { nor this
} else {
      y = 0
        }
total = y +
1   # a comment ending in +
total = total *
# a comment between
2
for k in 1:3 { y += k }
return y
}
g(x) =
x^2 + 1
")

(defconst mml-test-well-indented
  "fn f(x) {
    if x > 0 and
        x < 10 {
        y = [1, 2,
             3, 4]
        z = [
            5,
            6
        ]
        s = \"\\{ not a brace\"   # { nor this
    } else {
        y = 0
    }
    total = y +
        1   # a comment ending in +
    total = total *
        # a comment between
        2
    for k in 1:3 { y += k }
    return y
}
g(x) =
    x^2 + 1
")

(ert-deftest mml-mode-indents-nested-blocks ()
  (with-temp-buffer
    (insert mml-test-badly-indented)
    (mml-mode)
    (let ((inhibit-message t))
      (indent-region (point-min) (point-max)))
    (should (equal (buffer-string) mml-test-well-indented))))

(ert-deftest mml-mode-indent-offset-is-a-setting ()
  (with-temp-buffer
    (insert "fn f() {\nif true {\nx = 1\n}\n}\n")
    (mml-mode)
    (setq-local mml-indent-offset 2)
    (let ((inhibit-message t))
      (indent-region (point-min) (point-max)))
    (should (equal (buffer-string) "fn f() {\n  if true {\n    x = 1\n  }\n}\n"))))

(ert-deftest mml-mode-closing-brace-dedents-as-typed ()
  (with-temp-buffer
    (mml-mode)
    (insert "fn f() {\n    x = 1\n    ")
    ;; Typed as a key: `electric-indent-mode' reindents the line.
    (let ((last-command-event ?\}))
      (electric-indent-local-mode 1)
      (call-interactively #'self-insert-command))
    (should (equal (buffer-string) "fn f() {\n    x = 1\n}"))))

;;; Imenu

(ert-deftest mml-mode-imenu-lists-functions ()
  (with-temp-buffer
    (insert "# fn fake(x) {\nfn scale(v) {\n    inner(t) = t\n    v\n}\n"
            "area(r) = pi * r^2\nprint(area(1)) == 2\ns = \"fn no(x) { }\"\n"
            "print(1)   # (b) = c\n")
    (mml-mode)
    (let ((names (mapcar #'car (funcall imenu-create-index-function))))
      (should (equal (sort names #'string<) '("area" "inner" "scale"))))))

;;; The language server, through eglot

(defun mml-test-load-eglot ()
  "Load eglot: built into Emacs 29+, else a package (Debian's elpa-eglot, or ELPA's)."
  (or (require 'eglot nil t)
      (progn
        (require 'package)
        (dolist (dir '("/usr/share/emacs/site-lisp/elpa"))
          (when (file-directory-p dir)
            (add-to-list 'package-directory-list dir)))
        (package-initialize)
        (require 'eglot nil t))))

(defvar mml-test-server nil "The eglot server of the running test.")

(defun mml-test-wait (what check &optional seconds)
  "Wait up to SECONDS (default 10) until CHECK is non-nil, and return it.
Timers and idle timers run meanwhile, as in an idle Emacs.  Fail,
saying that WHAT did not happen, at the timeout."
  (let ((deadline (+ (float-time) (or seconds 10)))
        value)
    (while (and (not (setq value (funcall check)))
                (< (float-time) deadline))
      (ert-run-idle-timers)
      (accept-process-output nil 0.05))
    (or value
        (ert-fail
         (format "timed out waiting for %s; the last messages with the server:\n%s"
                 what
                 (or (ignore-errors
                       (with-current-buffer (jsonrpc-events-buffer mml-test-server)
                         (buffer-substring (max (point-min) (- (point-max) 3000))
                                           (point-max))))
                     "(none)"))))))

(declare-function eglot "eglot")
(declare-function eglot--guess-contact "eglot")
(declare-function eglot-current-server "eglot")
(declare-function eglot-shutdown "eglot")
(declare-function eglot-hover-eldoc-function "eglot")
(declare-function eglot-completion-at-point "eglot")
(declare-function eglot-signature-eldoc-function "eglot")
(declare-function jsonrpc-events-buffer "jsonrpc")

(ert-deftest mml-mode-eglot-talks-to-mml-lsp ()
  "Eglot runs `mml lsp': diagnostics, hover, signatures, definitions, completion.
The diagnostic shows through flymake and is cleared after the fix;
hover shows a builtin's documentation."
  (unless (mml-test-load-eglot)
    (let ((why "eglot is missing: install Emacs 27+ with eglot (Debian: emacs-nox elpa-eglot)"))
      ;; The runner in tests/it/editor_emacs.rs reads this line.
      (message "mml-mode-tests skipped: %s" why)
      (ert-skip why)))
  (should (eq (cdr (assq 'mml-mode eglot-server-programs)) 'mml-eglot-contact))
  (let* ((bin (or (getenv "MML_BIN") (ert-fail "set MML_BIN to the mml binary")))
         (mml-lsp-program (expand-file-name bin))
         ;; Wait for the server's first answer however busy the machine is.
         (eglot-sync-connect t)
         (eglot-connect-timeout 30)
         (dir (make-temp-file "mml-eglot" t))
         (file (expand-file-name "script.mml" dir))
         (buffer nil))
    (with-temp-file file
      (insert "A = [1, 2; 3, 4]\nsq(t) = t^2\nx = linspce(0, 1)\ny = sq(2)\n"))
    (unwind-protect
        (progn
          (setq buffer (find-file-noselect file))
          ;; Shown in a window, as a visited file is: flymake starts on display.
          (switch-to-buffer buffer)
          (should (eq major-mode 'mml-mode))
          (let ((contact (eglot--guess-contact)))
            (should (equal (nth 3 contact) (list mml-lsp-program "lsp")))
            (let ((inhibit-message t))
              (apply #'eglot contact)))
          (setq mml-test-server (eglot-current-server))
          (should mml-test-server)
          ;; The diagnostic of `mml check', on the misspelt name.
          (let ((diag (car (mml-test-wait "a diagnostic from mml lsp" #'flymake-diagnostics))))
            (should (string-match-p "unknown name `linspce`" (flymake-diagnostic-text diag)))
            (should (string-match-p "did you mean `linspace`" (flymake-diagnostic-text diag)))
            (should (eq (flymake-diagnostic-type diag) 'eglot-error))
            (should (equal (buffer-substring (flymake-diagnostic-beg diag)
                                             (flymake-diagnostic-end diag))
                           "linspce")))
          ;; Fixed as suggested, the diagnostic goes.
          (goto-char (point-min))
          (search-forward "linspce")
          (replace-match "linspace")
          (mml-test-wait "the diagnostic to clear after the fix"
                         (lambda () (null (flymake-diagnostics))))
          ;; Hover on the builtin shows its summary from the builtin table.
          (goto-char (point-min))
          (search-forward "linsp")
          (let ((hover nil))
            (eglot-hover-eldoc-function (lambda (info &rest _) (setq hover (or info ""))))
            (mml-test-wait "hover text for linspace" (lambda () hover))
            (should (string-match-p "linspace(a, b, n = 100)" hover))
            (should (string-match-p "evenly spaced numbers from" hover)))
          ;; Signature help (eldoc) inside the call shows the parameters.
          (search-forward "(0, ")
          (let ((signature nil))
            (eglot-signature-eldoc-function
             (lambda (info &rest _) (setq signature (or info ""))))
            (mml-test-wait "signature help for linspace" (lambda () signature))
            (should (string-match-p "linspace(a, b, n = 100)" signature)))
          ;; Go to definition (`M-.') of a user function finds its line.
          (goto-char (point-min))
          (search-forward "y = sq")
          (let ((xrefs (xref-backend-definitions 'eglot (xref-backend-identifier-at-point 'eglot))))
            (should (= (length xrefs) 1))
            (let ((location (xref-item-location (car xrefs))))
              (should (= (xref-location-line location) 2))))
          ;; Completion at point (`C-M-i') offers the builtins.
          (goto-char (point-max))
          (insert "z = linsp")
          (ert-run-idle-timers)
          (let* ((capf (eglot-completion-at-point))
                 (candidates (all-completions "linsp" (nth 2 capf))))
            (should (equal (buffer-substring (nth 0 capf) (nth 1 capf)) "linsp"))
            (should (seq-some (lambda (c) (string-prefix-p "linspace" c)) candidates))))
      (when mml-test-server
        (let ((inhibit-message t))
          (ignore-errors (eglot-shutdown mml-test-server)))
        (setq mml-test-server nil))
      (when (buffer-live-p buffer)
        (with-current-buffer buffer (set-buffer-modified-p nil))
        (kill-buffer buffer))
      (delete-directory dir t))))

(provide 'mml-mode-tests)
;;; mml-mode-tests.el ends here
