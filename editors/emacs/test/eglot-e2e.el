;;; eglot-e2e.el --- tandem.el with eglot against the real server  -*- lexical-binding: t; -*-

;; Opens a Python file with eglot and `tandem-eglot-setup', waits for the model, and completes
;; `return ' in `def add(a, b):' through `completion-at-point' to `return a + b'.
;;
;;   TANDEM_BIN=target/release/tandem emacs -q --batch -L editors/emacs -l editors/emacs/test/eglot-e2e.el
;;
;; (-q, not -Q: eglot may come from the system's site-lisp.)  Exits 0 on success, 1 on failure.

;;; Code:

(require 'tandem)
(require 'eglot)
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
         (dir (make-temp-file "tandem-eglot-" t))
         (file (expand-file-name "add.py" dir))
         (process-environment (cons (concat "XDG_STATE_HOME=" dir "/state") process-environment))
         (tandem-command (list bin "lsp"))
         (tandem-completion-settings '(:multiline "never" :popup_wait_ms 10000))
         (eglot-sync-connect t))
    (with-temp-file file (insert "def add(a, b):\n    return \n"))
    (tandem-eglot-setup '(python-mode))
    (find-file file)
    (python-mode)
    (apply #'eglot (eglot--guess-contact))
    (let ((server (tandem-e2e--wait 20 "eglot to connect" #'eglot-current-server)))
      (tandem-e2e--say "eglot connected: %s" (eglot--project-nickname server))
      (tandem-e2e--wait 90 "the model to load"
                        (lambda () (equal (plist-get (jsonrpc-request server :tandem/metrics nil) :state)
                                          "ready")))
      (tandem-e2e--say "model ready")
      (goto-char (point-min))
      (forward-line 1)
      (end-of-line)
      ;; popup_wait_ms (sent as initializationOptions) lets the first request wait for the
      ;; model; should it come back empty anyway, the next one gets the cached answer.
      (let ((candidates
             (tandem-e2e--wait 60 "a completion"
                               (lambda ()
                                 (let* ((capf (eglot-completion-at-point))
                                        (all (and capf (all-completions "" (nth 2 capf)))))
                                   (or (and all (member "a + b" all) all)
                                       (progn (sleep-for 1) nil)))))))
        (tandem-e2e--say "candidates: %S" candidates))
      (let ((completion-cycle-threshold nil))
        (completion-at-point))
      (let ((line (buffer-substring-no-properties (line-beginning-position) (line-end-position))))
        (unless (equal line "    return a + b")
          (error "After completion-at-point the line is %S" line))
        (tandem-e2e--say "completed: %S" line))
      (let* ((said nil)
             (record (lambda (fmt &rest args) (when fmt (setq said (apply #'format fmt args))))))
        (advice-add 'message :override record)
        (unwind-protect
            (progn (tandem-show-status)
                   (tandem-e2e--wait 10 "the status message"
                                     (lambda () (and said (string-match-p "^tandem: ready" said)))))
          (advice-remove 'message record))
        (tandem-e2e--say "status: %s" said))
      (eglot-shutdown server))))

(condition-case err
    (progn (tandem-e2e--run)
           (tandem-e2e--say "PASS emacs eglot e2e")
           (kill-emacs 0))
  (error (tandem-e2e--say "FAIL emacs eglot e2e: %s" (error-message-string err))
         (kill-emacs 1)))

;;; eglot-e2e.el ends here
