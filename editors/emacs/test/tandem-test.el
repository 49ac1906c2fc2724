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

;; Suggestion outcomes under lsp-mode, with lsp-mode's functions stood in for: what is sent
;; where when lsp-inline-completion runs an item's command or cancels it.

(defun tandem-test--item (id &optional plist)
  "An inline completion item `a + b' with id ID, as lsp-mode parses it (a hash
table, or a plist when PLIST)."
  (if plist
      (list :insertText "a + b"
            :command (list :title "t" :command "tandem.suggestionOutcome"
                           :arguments (vector (list :id id :outcome "accepted"))))
    (let ((item (make-hash-table :test 'equal))
          (command (make-hash-table :test 'equal))
          (argument (make-hash-table :test 'equal)))
      (puthash "id" id argument)
      (puthash "outcome" "accepted" argument)
      (puthash "command" "tandem.suggestionOutcome" command)
      (puthash "arguments" (vector argument) command)
      (puthash "insertText" "a + b" item)
      (puthash "command" command item)
      item)))

(defmacro tandem-test--sending (&rest body)
  "Run BODY with a tandem workspace; return what it sent as (WORKSPACE METHOD PARAMS)."
  `(let (sent)
     (cl-letf (((symbol-function 'tandem--lsp-workspace) (lambda () 'tandem-workspace))
               ((symbol-function 'lsp-notify)
                (lambda (method params)
                  (push (list (symbol-value 'lsp--cur-workspace) method params) sent)))
               ((symbol-function 'lsp-request-async)
                (lambda (method params _callback &rest _)
                  (push (list (symbol-value 'lsp--cur-workspace) method params) sent))))
       ,@body)
     (nreverse sent)))

(ert-deftest tandem-suggestion-id ()
  (should (equal (tandem--suggestion-id (tandem-test--item 7)) 7))
  (should (equal (tandem--suggestion-id (tandem-test--item 8 t)) 8))
  (should-not (tandem--suggestion-id '(:insertText "x")))
  (should-not (tandem--suggestion-id '(:command (:command "other" :arguments [(:id 1)]))))
  (should-not (tandem--suggestion-id '(:command (:command "tandem.suggestionOutcome" :arguments [(:id "1")])))))

(ert-deftest tandem-accepted-suggestion-runs-its-command-on-tandem ()
  (let ((command (tandem--get (tandem-test--item 7) "command")))
    (should (equal (tandem-test--sending (tandem--lsp-outcome-action command))
                   `((tandem-workspace "workspace/executeCommand"
                                       (:command "tandem.suggestionOutcome"
                                        :arguments ,(tandem--get command "arguments"))))))))

(ert-deftest tandem-cancelled-suggestion-is-dismissed ()
  (with-temp-buffer
    (setq-local lsp-inline-completion--items (list (tandem-test--item 3) (tandem-test--item 4 t)))
    (setq-local lsp-inline-completion--current 1)
    ;; C-g
    (let ((this-command 'lsp-inline-completion-cancel))
      (should (equal (tandem-test--sending (tandem--lsp-inline-dismissed))
                     '((tandem-workspace "tandem/suggestionOutcome" (:id 4 :outcome "dismissed"))))))
    ;; Typing something else.
    (let ((this-command 'self-insert-command) (last-command-event ?z))
      (should (equal (tandem-test--sending (tandem--lsp-inline-dismissed))
                     '((tandem-workspace "tandem/suggestionOutcome" (:id 4 :outcome "dismissed"))))))
    ;; Typing its first character: no dismissal (the server sees it typed out).
    (let ((this-command 'self-insert-command) (last-command-event ?a))
      (should (equal (tandem-test--sending (tandem--lsp-inline-dismissed)) nil)))
    ;; Another server's item: nothing.
    (setq-local lsp-inline-completion--items (list '(:insertText "x")))
    (setq-local lsp-inline-completion--current 0)
    (let ((this-command 'lsp-inline-completion-cancel))
      (should (equal (tandem-test--sending (tandem--lsp-inline-dismissed)) nil)))))

;;; tandem-test.el ends here
