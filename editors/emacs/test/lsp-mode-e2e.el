;;; lsp-mode-e2e.el --- tandem.el with lsp-mode against the real server  -*- lexical-binding: t; -*-

;; Opens a Python file with lsp-mode and `tandem-lsp-setup' (tandem as an add-on server), waits
;; for the model, and completes `return ' in `def add(a, b):' through `completion-at-point' to
;; `return a + b'.  Where lsp-mode has inline completion (9.0.1+), also asks for the inline
;; suggestion.
;;
;;   TANDEM_BIN=target/release/tandem emacs -q --batch -L editors/emacs -l editors/emacs/test/lsp-mode-e2e.el
;;
;; (-q, not -Q: lsp-mode may come from the system's site-lisp.)  Exits 0 on success, 1 on failure.

;;; Code:

(require 'tandem)
(require 'lsp-mode)
(require 'python)

(defun tandem-e2e--say (fmt &rest args)
  (princ (concat (apply #'format fmt args) "\n") #'external-debugging-output))

(defun tandem-e2e--wait (seconds what predicate)
  "Wait up to SECONDS for PREDICATE to return non-nil; return it or fail with WHAT."
  (let ((deadline (+ (float-time) seconds)) value)
    (while (and (not (setq value (funcall predicate))) (< (float-time) deadline))
      (accept-process-output nil 0.1))
    (or value (error "Timed out after %s s waiting for %s" seconds what))))

(defun tandem-e2e--run ()
  (let* ((bin (expand-file-name (or (getenv "TANDEM_BIN") "target/release/tandem")))
         (dir (file-truename (make-temp-file "tandem-lsp-" t)))
         (file (expand-file-name "add.py" dir))
         (process-environment (cons (concat "XDG_STATE_HOME=" dir "/state") process-environment)))
    (setq tandem-command (list bin "lsp")
          tandem-completion-settings '(:multiline "never" :popup_wait_ms 10000)
          lsp-session-file (expand-file-name "lsp-session" dir)
          lsp-auto-guess-root nil
          lsp-enable-file-watchers nil
          lsp-restart 'ignore
          lsp-keep-workspace-alive nil
          lsp-enable-snippet nil
          lsp-modeline-code-actions-enable nil
          lsp-modeline-diagnostics-enable nil
          lsp-modeline-workspace-status-enable nil
          lsp-headerline-breadcrumb-enable nil
          ;; Only tandem: no other Python server is installed here.
          lsp-enabled-clients '(tandem))
    (with-temp-file file (insert "def add(a, b):\n    return \n"))
    (tandem-lsp-setup)
    (lsp-workspace-folders-add dir)
    (find-file file)
    (python-mode)
    (lsp)
    (tandem-e2e--wait 20 "lsp-mode to start tandem"
                      (lambda () (let ((ws (tandem--lsp-workspace)))
                                   (and ws (eq (lsp--workspace-status ws) 'initialized)))))
    (tandem-e2e--say "lsp-mode started tandem")
    (tandem-e2e--wait 90 "the model to load"
                      (lambda ()
                        (let ((lsp--cur-workspace (tandem--lsp-workspace)))
                          (equal (tandem--get (lsp-request "tandem/metrics" nil) "state") "ready"))))
    (tandem-e2e--say "model ready")
    (goto-char (point-min))
    (forward-line 1)
    (end-of-line)
    (let ((candidates
           (tandem-e2e--wait 60 "a completion"
                             (lambda ()
                               (let* ((capf (lsp-completion-at-point))
                                      (all (and capf (all-completions "" (nth 2 capf)))))
                                 (or (and all (member "a + b" all) all)
                                     (progn (sleep-for 1) nil)))))))
      (tandem-e2e--say "candidates: %S" (mapcar #'substring-no-properties candidates)))
    (let ((completion-cycle-threshold nil))
      (completion-at-point))
    (let ((line (buffer-substring-no-properties (line-beginning-position) (line-end-position))))
      (unless (equal line "    return a + b")
        (error "After completion-at-point the line is %S" line))
      (tandem-e2e--say "completed: %S" line))
    (if (not (fboundp 'lsp-inline-completion-mode))
        (tandem-e2e--say "skipped inline completion: this lsp-mode has no lsp-inline-completion")
      (unless (bound-and-true-p lsp-inline-completion-mode)
        (error "lsp-inline-completion-mode is off in a tandem buffer"))
      (tandem-e2e--say "lsp-inline-completion-mode is on"))
    (lsp-workspace-shutdown (tandem--lsp-workspace))))

(condition-case err
    (progn (tandem-e2e--run)
           (tandem-e2e--say "PASS emacs lsp-mode e2e")
           (kill-emacs 0))
  (error (tandem-e2e--say "FAIL emacs lsp-mode e2e: %s" (error-message-string err))
         (kill-emacs 1)))

;;; lsp-mode-e2e.el ends here
