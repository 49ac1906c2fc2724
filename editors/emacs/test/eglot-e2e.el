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

(load (expand-file-name "e2e-support" (file-name-directory load-file-name)) nil t)

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
      (tandem-e2e--complete-return #'eglot-completion-at-point)
      (let* ((said nil)
             (record (lambda (fmt &rest args) (when fmt (setq said (apply #'format fmt args))))))
        (advice-add 'message :override record)
        (unwind-protect
            (progn (tandem-show-status)
                   (tandem-e2e--wait 10 "the status message"
                                     (lambda () (and said (string-match-p "^tandem: ready" said)))))
          (advice-remove 'message record))
        (tandem-e2e--say "status: %s" said))
      (tandem-e2e--next-edit)
      (eglot-shutdown server))))

(tandem-e2e-main "eglot" #'tandem-e2e--run)

;;; eglot-e2e.el ends here
