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

(load (expand-file-name "e2e-support" (file-name-directory load-file-name)) nil t)

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
    (tandem-e2e--complete-return #'lsp-completion-at-point)
    (if (not (fboundp 'lsp-inline-completion-mode))
        (tandem-e2e--say "skipped inline completion: this lsp-mode has no lsp-inline-completion")
      (unless (bound-and-true-p lsp-inline-completion-mode)
        (error "lsp-inline-completion-mode is off in a tandem buffer"))
      (tandem-e2e--say "lsp-inline-completion-mode is on"))
    (tandem-e2e--next-edit)
    (lsp-workspace-shutdown (tandem--lsp-workspace))))

(tandem-e2e-main "lsp-mode" #'tandem-e2e--run)

;;; lsp-mode-e2e.el ends here
