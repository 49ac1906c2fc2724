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

(defconst tandem-test--fake-server
  (expand-file-name "../../fake_server.py" (file-name-directory (or load-file-name buffer-file-name)))
  "The stand-in server the editor clients' tests share.")

;; Next edits: the answer read, the place found, the proposal shown and applied or not, and what
;; the server hears of it.

(defun tandem-test--edit (id line start end &optional uri)
  "A `tandem/nextEdits' proposal as eglot parses it: `w' for LINE:START-END."
  (list :id id :uri (or uri "file:///w/area.py")
        :range (list :start (list :line line :character start) :end (list :line line :character end))
        :newText "w" :kind "rename" :reason "width was renamed to w" :confidence 0.9))

(ert-deftest tandem-next-edits-parse ()
  (should (equal (tandem--next-edits-parse (list :edits (vector (tandem-test--edit 3 1 11 16))))
                 (list (list :id 3 :uri "file:///w/area.py"
                             :range '(:start (:line 1 :character 11) :end (:line 1 :character 16))
                             :new-text "w" :kind "rename" :reason "width was renamed to w"))))
  ;; As lsp-mode parses it: hash tables.
  (let ((result (json-parse-string
                 "{\"edits\": [{\"id\": 4, \"uri\": \"file:///a.py\", \"newText\": \"\",
                    \"range\": {\"start\": {\"line\": 0, \"character\": 0},
                               \"end\": {\"line\": 0, \"character\": 3}}}]}")))
    (let ((edit (car (tandem--next-edits-parse result))))
      (should (equal (plist-get edit :id) 4))
      (should (equal (plist-get edit :new-text) ""))
      (should (equal (plist-get edit :kind) ""))
      (should (equal (tandem--get (tandem--get (plist-get edit :range) "end") "character") 3))))
  ;; Malformed ones are left out.
  (should-not (tandem--next-edits-parse (list :edits (vector (plist-put (tandem-test--edit 5 0 0 1) :id "5")))))
  (should-not (tandem--next-edits-parse (list :edits (vector (plist-put (tandem-test--edit 5 0 0 1) :range nil)))))
  (should-not (tandem--next-edits-parse (list :edits (vector 3 nil))))
  (should-not (tandem--next-edits-parse (list :edits [])))
  (should-not (tandem--next-edits-parse nil)))

(ert-deftest tandem-next-edit-places ()
  (should (equal (tandem--uri-to-file "file:///tmp/a%20b/%C3%A9.py") "/tmp/a b/é.py"))
  (should-not (tandem--uri-to-file "untitled:Untitled-1"))
  (with-temp-buffer
    ;; "a😀b": the emoji takes two UTF-16 code units.
    (insert "x\na😀b = 1\n")
    (should (equal (tandem--position-point '(:line 1 :character 0)) 3))
    (should (equal (tandem--position-point '(:line 1 :character 3)) 5))
    (should (equal (tandem--position-point '(:line 1 :character 4)) 6))
    (should (equal (tandem--position-point (quote (:line 1 :character 99))) 10))
    (should (equal (tandem--position-point '(:line 0 :character 1)) 2)))
  (should (equal (tandem--next-edit-label "w") "→ w"))
  (should (equal (tandem--next-edit-label "") "→ (delete)"))
  (should (equal (tandem--next-edit-label "a\nb") "→ a⏎b"))
  (should (equal (tandem--next-edit-label "abcdefgh" 5) "→ abcd…")))

(ert-deftest tandem-next-edit-needs-a-server ()
  (with-temp-buffer
    (should-error (tandem-next-edit) :type 'user-error)))

(defmacro tandem-test--in-workspace (&rest body)
  "Run BODY visiting area.py (with `width' renamed to `w' in its first line) in a new
directory that also has uses.py; `dir', `area' and `uses' name them."
  `(let* ((dir (file-name-as-directory (file-truename (make-temp-file "tandem-next-" t))))
          (area (expand-file-name "area.py" dir))
          (uses (expand-file-name "uses.py" dir)))
     (with-temp-file area (insert "def area(w, height):\n    half = width / 2\n    return width * height\n"))
     (with-temp-file uses (insert "width = 3\nprint(width)\n"))
     (unwind-protect
         (save-window-excursion
           (with-current-buffer (find-file-noselect area)
             ,@body))
       (dolist (f (list area uses))
         (let ((b (find-buffer-visiting f)))
           (when b (with-current-buffer b (set-buffer-modified-p nil)) (kill-buffer b))))
       (delete-directory dir t))))

(defun tandem-test--client (edits record)
  "A stand-in for `tandem--next-edit-client': it answers EDITS and calls RECORD
with each (METHOD PARAMS) it is sent."
  (list :document '(:uri "file:///w/area.py" :version 3)
        :request (lambda (method params)
                   (funcall record (list method params))
                   (list :edits (vconcat edits)))
        :notify (lambda (method params) (funcall record (list method params)))
        :position #'tandem--position-point))

(ert-deftest tandem-next-edit-accepted ()
  (tandem-test--in-workspace
   (let* ((uri (concat "file://" area))
          (sent nil)
          (prompts nil)
          (shown nil))
     (cl-letf (((symbol-function 'tandem--next-edit-client)
                (lambda () (tandem-test--client (list (tandem-test--edit 7 1 11 16 uri)
                                                      (tandem-test--edit 8 2 11 16 uri))
                                                (lambda (m) (push m sent)))))
               ((symbol-function 'y-or-n-p)
                (lambda (prompt)
                  ;; What is on screen while it asks: the place and the replacement after it.
                  (push prompt prompts)
                  (setq shown (mapcar (lambda (o) (list (buffer-substring (overlay-start o) (overlay-end o))
                                                        (substring-no-properties (overlay-get o 'after-string))
                                                        (overlay-get o 'face)))
                                      (overlays-in (point-min) (point-max))))
                  t)))
       (goto-char (point-min))
       (tandem-next-edit))
     (should (equal prompts '("tandem: width was renamed to w; apply it? ")))
     (should (equal shown '(("width" " → w" tandem-next-edit-place))))
     (should (equal (buffer-string) "def area(w, height):\n    half = w / 2\n    return width * height\n"))
     (should (equal (point) (+ (line-beginning-position) 11)))
     (should (equal (line-number-at-pos) 2))
     (should-not (overlays-in (point-min) (point-max)))
     (should (equal (reverse sent)
                    '(("tandem/nextEdits" (:textDocument (:uri "file:///w/area.py" :version 3)))
                      ("tandem/suggestionOutcome" (:id 7 :outcome "shown"))
                      ("tandem/suggestionOutcome" (:id 7 :outcome "accepted"))))))))

(ert-deftest tandem-next-edit-dismissed-in-another-file ()
  (tandem-test--in-workspace
   (let ((sent nil)
         (text (buffer-string)))
     (cl-letf (((symbol-function 'tandem--next-edit-client)
                (lambda () (tandem-test--client (list (tandem-test--edit 9 1 6 11 (concat "file://" uses)))
                                                (lambda (m) (push m sent)))))
               ((symbol-function 'y-or-n-p) (lambda (_) nil)))
       (tandem-next-edit)
       ;; It went to uses.py, to the place, and left it as it was.
       (should (equal buffer-file-name uses))
       (should (equal (buffer-substring (point) (line-end-position)) "width)"))
       (should (equal (buffer-string) "width = 3\nprint(width)\n"))
       (should-not (overlays-in (point-min) (point-max))))
     (should (equal (with-current-buffer (find-buffer-visiting area) (buffer-string)) text))
     (should (equal (cdr (reverse sent))
                    '(("tandem/suggestionOutcome" (:id 9 :outcome "shown"))
                      ("tandem/suggestionOutcome" (:id 9 :outcome "dismissed"))))))))

(ert-deftest tandem-next-edit-none ()
  (let ((said nil))
    (cl-letf (((symbol-function 'tandem--next-edit-client)
               (lambda () (tandem-test--client nil #'ignore)))
              ((symbol-function 'message)
               (lambda (fmt &rest args) (setq said (apply #'format fmt args)))))
      (with-temp-buffer
        (insert "x = 1\n")
        (tandem-next-edit)
        (should (equal (buffer-string) "x = 1\n"))))
    (should (equal said "tandem: no next edit"))))

;; The eglot path against the stand-in server (editors/fake_server.py) over JSON-RPC, with eglot
;; itself stood in for: the request, its answer as jsonrpc parses it, the outcome notifications.

(ert-deftest tandem-next-edit-against-the-stand-in-server ()
  (skip-unless (and (executable-find "python3") (require 'jsonrpc nil t)))
  (tandem-test--in-workspace
   (let* ((log (expand-file-name "fake.log" dir))
          (process-environment (cons (concat "FAKE_TANDEM_LOG=" log) process-environment))
          (fake tandem-test--fake-server)
          (server (make-instance
                   'jsonrpc-process-connection
                   :name "fake tandem"
                   :process (make-process :name "fake tandem" :command (list "python3" fake)
                                          :connection-type 'pipe :coding 'utf-8-emacs-unix
                                          :noquery t :stderr (get-buffer-create " *fake tandem stderr*"))
                   :notification-dispatcher #'ignore
                   :request-dispatcher #'ignore))
          (uri (concat "file://" area)))
     (unwind-protect
         (progn
           (jsonrpc-request server :initialize (list :processId (emacs-pid) :capabilities nil :rootUri nil))
           (jsonrpc-notify server :textDocument/didOpen
                           (list :textDocument (list :uri uri :languageId "python" :version 1
                                                     :text (buffer-string))))
           (cl-letf (((symbol-function 'eglot-current-server) (lambda () server))
                     ((symbol-function 'eglot--VersionedTextDocumentIdentifier)
                      (lambda () (list :uri uri :version 1)))
                     ((symbol-function 'y-or-n-p) (lambda (_) t)))
             (goto-char (point-min))
             (tandem-next-edit))
           (should (equal (buffer-string) "def area(w, height):\n    half = w / 2\n    return width * height\n"))
           ;; A request after the notifications: they are all in the log when it is answered.
           (jsonrpc-request server :shutdown nil)
           (let ((heard (mapcar (lambda (l) (json-parse-string l :object-type 'plist))
                                (split-string (with-temp-buffer (insert-file-contents log) (buffer-string))
                                              "\n" t))))
             (should (equal (plist-get (seq-find (lambda (m) (equal (plist-get m :method) "tandem/nextEdits")) heard)
                                       :params)
                            (list :textDocument (list :uri uri :version 1))))
             (should (equal (mapcar (lambda (m) (plist-get m :params))
                                    (seq-filter (lambda (m) (equal (plist-get m :method) "tandem/suggestionOutcome"))
                                                heard))
                            '((:id 101 :outcome "shown") (:id 101 :outcome "accepted"))))))
       (jsonrpc-shutdown server t)))))

;;; tandem-test.el ends here
