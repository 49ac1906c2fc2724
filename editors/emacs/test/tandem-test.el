;;; tandem-test.el --- Tests of tandem.el that need no server  -*- lexical-binding: t; -*-

;;   emacs -Q --batch -L editors/emacs -l editors/emacs/test/tandem-test.el -f ert-run-tests-batch-and-exit

;;; Code:

(require 'ert)
(require 'tandem)

(ert-deftest tandem-get-reads-plists-and-hash-tables ()
  (should (equal (tandem--get '(:markdown "x") "markdown") "x"))
  (let ((h (make-hash-table :test 'equal)))
    (puthash "markdown" "y" h)
    (should (equal (tandem--get h "markdown") "y"))))

(ert-deftest tandem-initialization-options ()
  (let ((tandem-completion-settings nil))
    (should (null (tandem--initialization-options))))
  (let ((tandem-completion-settings '(:debounce_ms 120)))
    (should (equal (tandem--initialization-options) '(:completion (:debounce_ms 120))))))

(ert-deftest tandem-serves-derived-modes ()
  (define-derived-mode tandem-test-python-mode python-mode "tp")
  (should (tandem--serves-mode-p 'python-mode))
  (should (tandem--serves-mode-p 'tandem-test-python-mode))
  (should-not (tandem--serves-mode-p 'text-mode)))

(ert-deftest tandem-missing-binary-says-how-to-fix-it ()
  (let ((tandem-command '("/nonexistent/tandem" "lsp")))
    (let ((err (should-error (tandem--server-command) :type 'user-error)))
      (should (string-match-p "/nonexistent/tandem" (cadr err)))
      (should (string-match-p "tandem-command" (cadr err))))))

(ert-deftest tandem-found-binary-gives-the-command ()
  (let ((tandem-command '("sh" "lsp")))
    (should (equal (tandem--server-command) '("sh" "lsp")))))

(ert-deftest tandem-explanation-text ()
  (should (equal (tandem--explain-markdown '(:markdown "Adds.\n" :model "qwen" :route "local" :degraded :json-false))
                 "Adds.\n\n---\n_qwen, local_\n"))
  (should (equal (tandem--explain-markdown '(:markdown "x" :model "m" :route "remote" :degraded t :reason "offline"))
                 "x\n\n---\n_m, remote_ (degraded: offline)\n"))
  (should (equal (tandem--explain-markdown '(:markdown "only")) "only\n")))

(ert-deftest tandem-explanation-buffer ()
  (tandem--show-explanation '(:markdown "# Title\nBody" :model "qwen" :route "local"))
  (with-current-buffer "*tandem explain*"
    (should (string-match-p "Body" (buffer-string)))
    (should buffer-read-only)))

(ert-deftest tandem-status-notification ()
  (let ((tandem-status nil))
    (tandem--set-status '(:state "ready" :model "qwen" :detail ""))
    (should (equal (plist-get tandem-status :state) "ready"))
    (should (equal (plist-get tandem-status :model) "qwen"))))

(ert-deftest tandem-explain-needs-a-server ()
  (with-temp-buffer
    (insert "x = 1\n")
    (should-error (tandem-explain (point-min) (point-max)) :type 'user-error)))

;;; tandem-test.el ends here
