;;; tandem.el --- Local code completions from tandem, through lsp-mode or eglot  -*- lexical-binding: t; -*-

;; Version: 0.1.0
;; Package-Requires: ((emacs "27.1"))
;; Keywords: tools, languages, convenience
;; SPDX-License-Identifier: Apache-2.0

;;; Commentary:

;; tandem is a local-first coding assistant; `tandem lsp' is its language server.  This file
;; connects it to Emacs:
;;
;; - lsp-mode: `tandem-lsp-setup' registers tandem as an add-on server (it runs next to your
;;   usual language server) and turns on `lsp-inline-completion-mode', so suggestions appear as
;;   ghost text while you type (accept with C-<return>, dismiss with C-g).  It tells the server
;;   which suggestions were accepted and which dismissed: the server tunes what it shows from
;;   how often its suggestions are taken.
;; - eglot: `tandem-eglot-setup' adds tandem to `eglot-server-programs' for some major modes.
;;   eglot runs one server per buffer and has no inline completions, so tandem replaces the
;;   usual server there and its suggestion arrives through `completion-at-point'.
;;
;; Both: `tandem-explain' explains the region (or the current line) in a side window,
;; `tandem-next-edit' shows the next edit the last one implies (a renamed identifier's other
;; uses, a changed signature's calls, ...) and applies it if you say so, and
;; `tandem-show-status' tells the server's state and latency.
;;
;;   (add-to-list 'load-path "/path/to/tandem/editors/emacs")
;;   (require 'tandem)
;;   (tandem-lsp-setup)        ; or (tandem-eglot-setup '(python-mode python-ts-mode))

;;; Code:

(require 'cl-lib)
(require 'subr-x)
(require 'url-util)

(defgroup tandem nil
  "Local code completions from tandem."
  :group 'tools
  :prefix "tandem-")

(defcustom tandem-command '("tandem" "lsp")
  "The command that starts tandem's language server.
Its first element is looked up on `exec-path' unless it is a path."
  :type '(repeat string))

(defcustom tandem-completion-settings nil
  "Completion settings sent as initializationOptions `{\"completion\": ...}'.
A plist with the keys of the settings table in tandem's README, e.g.
\(:debounce_ms 75 :multiline \"never\" :languages (:markdown :json-false)).
nil keeps the server's own settings (its config file, or its defaults)."
  :type 'plist)

(defcustom tandem-major-modes
  '(python-mode python-ts-mode rust-mode rust-ts-mode go-mode go-ts-mode
    js-mode js-ts-mode typescript-mode typescript-ts-mode tsx-ts-mode
    c-mode c-ts-mode c++-mode c++-ts-mode java-mode java-ts-mode
    ruby-mode ruby-ts-mode sh-mode bash-ts-mode lua-mode emacs-lisp-mode)
  "Major modes (and modes derived from them) that tandem serves."
  :type '(repeat symbol))

(defcustom tandem-inline-idle-delay 0.2
  "Seconds of idle time before lsp-mode asks for an inline suggestion.
Set as `lsp-inline-completion-idle-delay' in buffers tandem serves."
  :type 'number)

(defface tandem-next-edit
  '((t :inherit shadow :slant italic))
  "The replacement a next edit proposes, shown after its place.")

(defface tandem-next-edit-place
  '((t :inherit highlight))
  "The text a next edit would replace.")

(defvar tandem-status nil
  "The server's last `tandem/status' notification: a plist (:state :model :detail).")

(defconst tandem--explain-buffer "*tandem explain*")

;;;; Common

(defun tandem--get (object key)
  "KEY (a string) of OBJECT, a JSON object as a hash table or a plist."
  (if (hash-table-p object)
      (gethash key object)
    (plist-get object (intern (concat ":" key)))))

(defun tandem--server-command (&rest _)
  "`tandem-command', or a `user-error' saying how to install tandem."
  (let ((program (car tandem-command)))
    (unless (executable-find program)
      (user-error "tandem: `%s' was not found.  Build tandem (cargo build --release in its \
repository) and put target/release/tandem on your PATH, or set `tandem-command'" program))
    tandem-command))

(defun tandem--initialization-options (&rest _)
  "initializationOptions for the server (nil when there are no settings to send)."
  (when tandem-completion-settings
    (list :completion tandem-completion-settings)))

(defun tandem--serves-mode-p (mode)
  "Whether MODE is one of `tandem-major-modes' or derived from one."
  (cl-some (lambda (m) (provided-mode-derived-p mode m)) tandem-major-modes))

(defun tandem--set-status (params)
  "Remember the `tandem/status' PARAMS and refresh mode lines."
  (setq tandem-status (list :state (tandem--get params "state")
                            :model (tandem--get params "model")
                            :detail (tandem--get params "detail")))
  (force-mode-line-update t))

(defun tandem--suggestion-id (item)
  "The id tandem gave the inline completion ITEM, or nil.
It is the argument of the item's `tandem.suggestionOutcome' command."
  (let* ((command (tandem--get item "command"))
         (arguments (and command
                         (equal (tandem--get command "command") "tandem.suggestionOutcome")
                         (tandem--get command "arguments")))
         (id (and (or (vectorp arguments) (consp arguments))
                  (tandem--get (elt arguments 0) "id"))))
    (and (numberp id) id)))

(defun tandem--bounds ()
  "The region to explain: the active region, else the current line."
  (if (use-region-p)
      (cons (region-beginning) (region-end))
    (cons (line-beginning-position) (line-end-position))))

(defun tandem--explain-markdown (result)
  "The text shown for an explain RESULT: the answer and where it came from."
  (let* ((markdown (or (tandem--get result "markdown") ""))
         (model (tandem--get result "model"))
         (route (tandem--get result "route"))
         (degraded (eq (tandem--get result "degraded") t))
         (reason (tandem--get result "reason"))
         (origin (string-join (delq nil (list (and (stringp model) (not (string-empty-p model)) model)
                                              (and (stringp route) (not (string-empty-p route)) route)))
                              ", ")))
    (concat (string-trim-right markdown) "\n"
            (if (or degraded (not (string-empty-p origin)))
                (concat "\n---\n_" origin "_"
                        (if degraded
                            (format " (degraded%s)" (if (and (stringp reason) (not (string-empty-p reason)))
                                                        (concat ": " reason) ""))
                          "")
                        "\n")
              ""))))

(defun tandem--show-explanation (result)
  "Show the explain RESULT in a side window."
  (let ((buffer (get-buffer-create tandem--explain-buffer)))
    (with-current-buffer buffer
      (let ((inhibit-read-only t))
        (erase-buffer)
        (insert (tandem--explain-markdown result)))
      (cond ((fboundp 'gfm-view-mode) (gfm-view-mode))
            ((fboundp 'markdown-view-mode) (markdown-view-mode))
            (t (special-mode)))
      (goto-char (point-min)))
    (display-buffer buffer '(display-buffer-in-side-window (side . right) (window-width . 0.4)))))

(defun tandem--explain-error (message)
  "Report a failed explain with MESSAGE."
  (message "tandem: explain failed: %s" message))

;;;; lsp-mode

(declare-function lsp-register-client "lsp-mode")
(declare-function make-lsp-client "lsp-mode")
(declare-function lsp-stdio-connection "lsp-mode")
(declare-function lsp-find-workspace "lsp-mode")
(declare-function lsp-request-async "lsp-mode")
(declare-function lsp--point-to-position "lsp-mode")
(declare-function lsp--buffer-uri "lsp-mode")
(declare-function lsp-inline-completion-mode "lsp-inline-completion")
(declare-function lsp-notify "lsp-mode")
(defvar lsp--cur-workspace)
(defvar lsp-inline-completion-idle-delay)
(defvar lsp-inline-completion--items)
(defvar lsp-inline-completion--current)

(defun tandem--lsp-workspace ()
  "The tandem workspace of the current buffer under lsp-mode, or nil."
  (and (bound-and-true-p lsp-mode)
       (lsp-find-workspace 'tandem (buffer-file-name))))

(defun tandem--lsp-request (method params on-success)
  "Send METHOD with PARAMS to the tandem server only.
Call ON-SUCCESS with the result."
  (let ((lsp--cur-workspace (or (tandem--lsp-workspace)
                                (user-error "tandem: no tandem server in this buffer"))))
    (lsp-request-async method params on-success
                       :mode 'detached
                       :error-handler (lambda (err) (tandem--explain-error (tandem--get err "message"))))))

(defun tandem--lsp-explain (beg end)
  "Explain BEG..END through lsp-mode."
  (tandem--lsp-request
   "workspace/executeCommand"
   (list :command "tandem.explain"
         :arguments (vector (list :uri (lsp--buffer-uri)
                                  :range (list :start (lsp--point-to-position beg)
                                               :end (lsp--point-to-position end)))))
   #'tandem--show-explanation))

(defun tandem--lsp-explain-action (action)
  "Run the server's \"Explain with tandem\" code ACTION and show its answer."
  (let ((command (or (tandem--get action "command") action)))
    (tandem--lsp-request "workspace/executeCommand"
                         (list :command "tandem.explain" :arguments (tandem--get command "arguments"))
                         #'tandem--show-explanation)))

(defun tandem--lsp-outcome-action (command)
  "Run the `tandem.suggestionOutcome' COMMAND of an accepted suggestion.
lsp-inline-completion runs an item's command after inserting it; this sends
it to the tandem server only, without waiting (lsp-mode's fallback would ask
every server of the buffer, and wait)."
  (let ((lsp--cur-workspace (tandem--lsp-workspace)))
    (when lsp--cur-workspace
      (lsp-request-async "workspace/executeCommand"
                         (list :command "tandem.suggestionOutcome"
                               :arguments (tandem--get command "arguments"))
                         #'ignore :mode 'detached :error-handler #'ignore))))

(defun tandem--lsp-inline-dismissed ()
  "Tell tandem its suggestion went unused (`lsp-inline-completion-cancelled-hook').
The suggestion was cancelled: by C-g or escape, or by a command that moved
point or typed something else.  Typing its next character is no dismissal:
the server sees the suggestion typed out."
  (let* ((item (and (numberp lsp-inline-completion--current)
                    (elt lsp-inline-completion--items lsp-inline-completion--current)))
         (id (and item (tandem--suggestion-id item)))
         (text (and id (tandem--get item "insertText")))
         (text (if (stringp text) text (tandem--get text "value"))))
    (when (and id
               (not (and (memq this-command
                               '(self-insert-command lsp-inline-completion-cancel-with-input))
                         (characterp last-command-event)
                         ;; tandem's suggestions start at the cursor.
                         (stringp text) (> (length text) 0)
                         (eq (aref text 0) last-command-event))))
      (let ((lsp--cur-workspace (tandem--lsp-workspace)))
        (when lsp--cur-workspace
          (lsp-notify "tandem/suggestionOutcome" (list :id id :outcome "dismissed")))))))

(defun tandem--lsp-buffer-setup ()
  "Turn on inline suggestions where tandem serves the buffer."
  (when (and (tandem--lsp-workspace) (fboundp 'lsp-inline-completion-mode))
    (setq-local lsp-inline-completion-idle-delay tandem-inline-idle-delay)
    (add-hook 'lsp-inline-completion-cancelled-hook #'tandem--lsp-inline-dismissed nil t)
    (lsp-inline-completion-mode 1)))

;;;###autoload
(defun tandem-lsp-setup ()
  "Register tandem with lsp-mode as an add-on server for `tandem-major-modes'.
It runs next to the usual server of each mode; suggestions show inline
\(`lsp-inline-completion-mode', lsp-mode 9.0.1 or later)."
  (require 'lsp-mode)
  (require 'lsp-inline-completion nil t)
  (let ((notifications (make-hash-table :test 'equal))
        (actions (make-hash-table :test 'equal)))
    (puthash "tandem/status" (lambda (_workspace params) (tandem--set-status params)) notifications)
    (puthash "tandem.explain" #'tandem--lsp-explain-action actions)
    (puthash "tandem.suggestionOutcome" #'tandem--lsp-outcome-action actions)
    (lsp-register-client
     (make-lsp-client
      :new-connection (lsp-stdio-connection #'tandem--server-command
                                            (lambda () (executable-find (car tandem-command))))
      :activation-fn (lambda (_file mode) (tandem--serves-mode-p mode))
      :add-on? t
      :priority -2
      :server-id 'tandem
      :initialization-options #'tandem--initialization-options
      :notification-handlers notifications
      :action-handlers actions)))
  (add-hook 'lsp-after-open-hook #'tandem--lsp-buffer-setup)
  (tandem--start-rest-reports))

;;;; eglot

(declare-function eglot-current-server "eglot")
(declare-function eglot--TextDocumentIdentifier "eglot")
(declare-function eglot--pos-to-lsp-position "eglot")
(declare-function jsonrpc-async-request "jsonrpc")
(defvar eglot-server-programs)

(defun tandem--eglot-contact (&rest _)
  "The eglot contact for tandem: the command and its initializationOptions."
  (append (tandem--server-command)
          (let ((options (tandem--initialization-options)))
            (and options (list :initializationOptions options)))))

(defun tandem--eglot-request (method params on-success)
  "Send METHOD with PARAMS to the buffer's eglot server.
Call ON-SUCCESS with the result."
  (let ((server (or (and (fboundp 'eglot-current-server) (eglot-current-server))
                    (user-error "tandem: eglot is not managing this buffer"))))
    (jsonrpc-async-request server method params
                           :success-fn on-success
                           :error-fn (lambda (err) (tandem--explain-error (tandem--get err "message"))))))

(defun tandem--eglot-explain (beg end)
  "Explain BEG..END through eglot."
  (tandem--eglot-request
   :workspace/executeCommand
   (list :command "tandem.explain"
         :arguments (vector (list :uri (plist-get (eglot--TextDocumentIdentifier) :uri)
                                  :range (list :start (eglot--pos-to-lsp-position beg)
                                               :end (eglot--pos-to-lsp-position end)))))
   #'tandem--show-explanation))

;;;###autoload
(defun tandem-eglot-setup (&optional modes)
  "Use tandem as eglot's server for MODES (default: `tandem-major-modes').
eglot runs one server per buffer: in these modes tandem replaces the usual one."
  (require 'eglot)
  (add-to-list 'eglot-server-programs (cons (or modes tandem-major-modes) #'tandem--eglot-contact))
  (cl-defmethod eglot-handle-notification (_server (_method (eql tandem/status)) &rest params)
    "Remember tandem's state."
    (tandem--set-status params))
  (tandem--start-rest-reports))

;;;; Cursor rest

(declare-function lsp-notify "lsp-mode")
(declare-function lsp--buffer-uri "lsp-mode")
(declare-function lsp--cur-position "lsp-mode")
(declare-function jsonrpc-notify "jsonrpc")

(defvar tandem--rested nil
  "The buffer and line last reported with `tandem/cursorRest'.")

(defvar tandem--rest-timer nil
  "The idle timer that reports where the cursor came to rest.")

(defun tandem--report-cursor-rest ()
  "Tell the server of the current buffer where the cursor came to rest.
Only a new line is reported; the server evaluates that place's prompt while
the model is idle, so the first suggestion there comes sooner."
  (let ((place (cons (current-buffer) (line-number-at-pos))))
    (unless (equal place tandem--rested)
      (cond ((tandem--lsp-workspace)
             (setq tandem--rested place)
             (let ((lsp--cur-workspace (tandem--lsp-workspace)))
               (lsp-notify "tandem/cursorRest"
                           (list :textDocument (list :uri (lsp--buffer-uri))
                                 :position (lsp--cur-position)))))
            ((and (tandem--serves-mode-p major-mode)
                  (fboundp 'eglot-current-server) (eglot-current-server))
             (setq tandem--rested place)
             (jsonrpc-notify (eglot-current-server) :tandem/cursorRest
                             (list :textDocument (eglot--TextDocumentIdentifier)
                                   :position (eglot--pos-to-lsp-position))))))))

(defun tandem--start-rest-reports ()
  "Report where the cursor comes to rest, after 0.25 s of idleness."
  (unless tandem--rest-timer
    (setq tandem--rest-timer
          (run-with-idle-timer 0.25 t (lambda () (ignore-errors (tandem--report-cursor-rest)))))))

;;;; Next edits

(declare-function lsp-request "lsp-mode")
(declare-function lsp--versioned-text-document-identifier "lsp-mode")
(declare-function eglot--VersionedTextDocumentIdentifier "eglot")
(declare-function eglot--lsp-position-to-point "eglot")
(declare-function eglot--signal-textDocument/didChange "eglot")
(declare-function jsonrpc-request "jsonrpc")

(defun tandem--next-edits-parse (result)
  "The proposals of a `tandem/nextEdits' RESULT, best first.
Malformed ones are left out.  Each is a plist (:id :uri :range :new-text :kind
:reason)."
  (let ((edits (tandem--get result "edits")))
    (delq nil
          (mapcar (lambda (e)
                    (let* ((range (and (or (hash-table-p e) (consp e)) (tandem--get e "range")))
                           (start (and range (tandem--get range "start")))
                           (end (and range (tandem--get range "end"))))
                      (when (and (numberp (tandem--get e "id"))
                                 (stringp (tandem--get e "uri"))
                                 (stringp (tandem--get e "newText"))
                                 start end
                                 (natnump (tandem--get start "line")) (natnump (tandem--get start "character"))
                                 (natnump (tandem--get end "line")) (natnump (tandem--get end "character")))
                        (list :id (tandem--get e "id")
                              :uri (tandem--get e "uri")
                              :range range
                              :new-text (tandem--get e "newText")
                              :kind (let ((k (tandem--get e "kind"))) (if (stringp k) k ""))
                              :reason (let ((r (tandem--get e "reason"))) (if (stringp r) r ""))))))
                  (and (or (vectorp edits) (consp edits)) (append edits nil))))))

(defun tandem--uri-to-file (uri)
  "The file name of the file: URI, or nil for another scheme."
  (when (string-prefix-p "file://" uri)
    (decode-coding-string (url-unhex-string (substring uri (length "file://"))) 'utf-8)))

(defun tandem--position-point (position)
  "The point of the LSP POSITION in the current buffer.
Its character counts UTF-16 code units."
  (save-excursion
    (save-restriction
      (widen)
      (goto-char (point-min))
      (forward-line (tandem--get position "line"))
      (let ((units (tandem--get position "character"))
            (eol (line-end-position)))
        (while (and (> units 0) (< (point) eol))
          (setq units (- units (if (> (char-after) #xFFFF) 2 1)))
          (forward-char 1))
        (point)))))

(defun tandem--next-edit-label (new-text &optional width)
  "What is shown after a next edit's place: `→' and NEW-TEXT.
It is cut to WIDTH characters (default 40)."
  (let ((text (replace-regexp-in-string "\n" "⏎" new-text))
        (width (or width 40)))
    (cond ((string-empty-p new-text) "→ (delete)")
          ((> (length text) width) (concat "→ " (substring text 0 (1- width)) "…"))
          (t (concat "→ " text)))))

(defun tandem--next-edit-client ()
  "How the current buffer talks to its tandem server, for next edits.
A plist: :document (its versioned identifier), :request (a function of a
method and params that returns the result) and :notify (a function of a method
and params), and :position (a function from an LSP position to a point in the
current buffer)."
  (cond ((tandem--lsp-workspace)
         (let ((workspace (tandem--lsp-workspace)))
           (list :document (lsp--versioned-text-document-identifier)
                 :request (lambda (method params)
                            (let ((lsp--cur-workspace workspace)) (lsp-request method params)))
                 :notify (lambda (method params)
                           (let ((lsp--cur-workspace workspace)) (lsp-notify method params)))
                 :position #'tandem--position-point)))
        ((and (fboundp 'eglot-current-server) (eglot-current-server))
         (let ((server (eglot-current-server)))
           ;; eglot sends changes when idle: the server must have the text first.
           (when (fboundp 'eglot--signal-textDocument/didChange)
             (eglot--signal-textDocument/didChange))
           (list :document (eglot--VersionedTextDocumentIdentifier)
                 :request (lambda (method params) (jsonrpc-request server (intern (concat ":" method)) params))
                 :notify (lambda (method params) (jsonrpc-notify server (intern (concat ":" method)) params))
                 :position (if (fboundp 'eglot--lsp-position-to-point)
                               (lambda (p) (eglot--lsp-position-to-point p))
                             #'tandem--position-point))))
        (t (user-error "tandem: no tandem server in this buffer \
(see `tandem-lsp-setup', `tandem-eglot-setup')"))))

(defun tandem--next-edit-offer (edit client)
  "Show the next EDIT where it goes, and ask whether to apply it.
EDIT is a plist from `tandem--next-edits-parse'.  Visit its file, mark its
place and show the replacement after it, then apply it on `y' (an ordinary
buffer edit).  CLIENT (from `tandem--next-edit-client', with :buffer the buffer
it is for) tells the server what became of it: shown, then accepted or
dismissed.  Return non-nil when it was applied."
  (let* ((id (plist-get edit :id))
         (new-text (plist-get edit :new-text))
         (notify (lambda (outcome)
                   (funcall (plist-get client :notify) "tandem/suggestionOutcome"
                            (list :id id :outcome outcome))))
         (file (tandem--uri-to-file (plist-get edit :uri))))
    (unless file
      (user-error "tandem: the next edit is in %s, not a file" (plist-get edit :uri)))
    (push-mark nil t)
    (unless (and buffer-file-name (file-equal-p file buffer-file-name))
      (find-file file))
    (let* ((range (plist-get edit :range))
           (position (if (eq (current-buffer) (plist-get client :buffer))
                         (plist-get client :position)
                       #'tandem--position-point))
           (beg (funcall position (tandem--get range "start")))
           (end (funcall position (tandem--get range "end")))
           (overlay (make-overlay beg end nil nil t))
           (applied nil))
      (overlay-put overlay 'face 'tandem-next-edit-place)
      (overlay-put overlay 'after-string
                   (concat " " (propertize (tandem--next-edit-label new-text) 'face 'tandem-next-edit)))
      (goto-char beg)
      (funcall notify "shown")
      (unwind-protect
          (condition-case quit
              (if (y-or-n-p (format "tandem: %s; apply it? "
                                    (let ((reason (plist-get edit :reason)))
                                      (if (string-empty-p reason) (plist-get edit :kind) reason))))
                  (progn
                    (let ((beg (overlay-start overlay)) (end (overlay-end overlay)))
                      (delete-overlay overlay)
                      (goto-char beg)
                      (delete-region beg end)
                      (insert new-text)
                      (goto-char beg))
                    (setq applied t)
                    (funcall notify "accepted"))
                (funcall notify "dismissed"))
            (quit (funcall notify "dismissed")
                  (signal (car quit) (cdr quit))))
        (delete-overlay overlay))
      applied)))

;;;###autoload
(defun tandem-next-edit ()
  "Show the next edit the last edit implies, and apply it if you say so.
Asks the server (`tandem/nextEdits') for the edits implied by the last edit of
this buffer: a renamed identifier's other uses, a changed signature's calls,
the same change on sibling lines or where the old text repeats.  Goes to the
best one (visiting its file), shows the replacement there and asks; run it
again for the next one."
  (interactive)
  (let* ((client (append (list :buffer (current-buffer)) (tandem--next-edit-client)))
         (result (condition-case err
                     (funcall (plist-get client :request) "tandem/nextEdits"
                              (list :textDocument (plist-get client :document)))
                   (error (user-error "tandem: next edits failed: %s" (error-message-string err)))))
         (edits (tandem--next-edits-parse result)))
    (if (null edits)
        (message "tandem: no next edit")
      (when (tandem--next-edit-offer (car edits) client)
        (message "tandem: applied%s" (if (cdr edits)
                                         (format "; %d more proposed (M-x tandem-next-edit)" (length (cdr edits)))
                                       ""))))))

;;;; Commands

;;;###autoload
(defun tandem-explain (beg end)
  "Explain the region BEG..END (or the current line) in a side window."
  (interactive (let ((b (tandem--bounds))) (list (car b) (cdr b))))
  (let ((explain (cond ((tandem--lsp-workspace) #'tandem--lsp-explain)
                       ((and (fboundp 'eglot-current-server) (eglot-current-server))
                        #'tandem--eglot-explain)
                       (t (user-error "tandem: no tandem server in this buffer \
(see `tandem-lsp-setup', `tandem-eglot-setup')")))))
    (message "tandem: explaining...")
    (funcall explain beg end)))

;;;###autoload
(defun tandem-show-status ()
  "Show the server's state and latency."
  (interactive)
  (let ((show (lambda (m)
                (message "tandem: %s%s%s"
                         (or (tandem--get m "state") (plist-get tandem-status :state) "unknown")
                         (let ((model (tandem--get m "model"))) (if model (format ", model %s" model) ""))
                         (let ((p50 (tandem--get m "latency_p50_ms")) (p95 (tandem--get m "latency_p95_ms")))
                           (if (and (numberp p50) (numberp p95))
                               (format ", %s requests, p50 %.0f ms, p95 %.0f ms"
                                       (tandem--get m "requests") p50 p95)
                             ""))))))
    (cond ((tandem--lsp-workspace) (tandem--lsp-request "tandem/metrics" nil show))
          ((and (fboundp 'eglot-current-server) (eglot-current-server))
           (tandem--eglot-request :tandem/metrics nil show))
          (t (user-error "tandem: no tandem server in this buffer")))))

(provide 'tandem)
;;; tandem.el ends here
