;;; e2e-support.el --- what the end-to-end tests of tandem.el share  -*- lexical-binding: t; -*-

;; Loaded by eglot-e2e.el and lsp-mode-e2e.el: output, waiting, the completion and next-edit
;; checks, and the runner that exits 0 on success and 1 on failure.

;;; Code:

(defun tandem-e2e--say (fmt &rest args)
  (princ (concat (apply #'format fmt args) "\n") #'external-debugging-output))

(defun tandem-e2e--wait (seconds what predicate)
  "Wait up to SECONDS for PREDICATE to return non-nil; return it or fail with WHAT."
  (let ((deadline (+ (float-time) seconds)) value)
    (while (and (not (setq value (funcall predicate))) (< (float-time) deadline))
      (accept-process-output nil 0.1))
    (or value (error "Timed out after %s s waiting for %s" seconds what))))

(defun tandem-e2e--complete-return (capf-function)
  "On the second line (`    return '), wait for CAPF-FUNCTION to offer `a + b', complete
with `completion-at-point', and check the line reads `    return a + b'."
  (goto-char (point-min))
  (forward-line 1)
  (end-of-line)
  ;; popup_wait_ms (sent as initializationOptions) lets the first request wait for the
  ;; model; should it come back empty anyway, the next one gets the cached answer.
  (let ((candidates
         (tandem-e2e--wait 60 "a completion"
                           (lambda ()
                             (let* ((capf (funcall capf-function))
                                    (all (and capf (all-completions "" (nth 2 capf)))))
                               (or (and all (member "a + b" all) all)
                                   (progn (sleep-for 1) nil)))))))
    (tandem-e2e--say "candidates: %S" (mapcar #'substring-no-properties candidates)))
  (let ((completion-cycle-threshold nil))
    (completion-at-point))
  (let ((line (buffer-substring-no-properties (line-beginning-position) (line-end-position))))
    (unless (equal line "    return a + b")
      (error "After completion-at-point the line is %S" line))
    (tandem-e2e--say "completed: %S" line)))

(defun tandem-e2e--next-edit ()
  "Rename a parameter, and accept the next edit `tandem-next-edit' offers.
At the end of the buffer, add `area' (`def area(width, height):' and two
calls), rename `width' to `w' where it is defined, accept what is offered (`w'
for the `width' of its body), and check the text."
  (goto-char (point-max))
  (let ((start (point)))
    (insert "\n\ndef area(width, height):\n    return width * height\n\n\nprint(area(2, 3))\ntotal = area(4, 5)\n")
    ;; The server takes the edits since the last it looked at for one edit: have it look at the
    ;; added function first (declining whatever that implies).
    (cl-letf (((symbol-function 'y-or-n-p) (lambda (_) nil)))
      (tandem-next-edit))
    (goto-char start)
    (search-forward "area(width")
    (replace-match "area(w")
    (let ((prompts nil))
      (cl-letf (((symbol-function 'y-or-n-p) (lambda (prompt) (push prompt prompts) t)))
        (tandem-e2e--wait 60 "a next edit"
                          (lambda () (or (progn (tandem-next-edit) prompts)
                                         (progn (sleep-for 1) nil)))))
      (tandem-e2e--say "next edit offered: %S" (car prompts)))
    (let ((text (buffer-substring-no-properties start (point-max))))
      (unless (equal text "\n\ndef area(w, height):\n    return w * height\n\n\nprint(area(2, 3))\ntotal = area(4, 5)\n")
        (error "After the next edit the text is %S" text))
      (tandem-e2e--say "next edit applied: %S"
                       (buffer-substring-no-properties (line-beginning-position) (line-end-position))))))

(defun tandem-e2e-main (name run)
  "Call RUN; say PASS or FAIL for the NAME test and exit 0 or 1."
  (condition-case err
      (progn (funcall run)
             (tandem-e2e--say "PASS emacs %s e2e" name)
             (kill-emacs 0))
    (error (tandem-e2e--say "FAIL emacs %s e2e: %s" name (error-message-string err))
           (kill-emacs 1))))

(provide 'e2e-support)

;;; e2e-support.el ends here
