-- Next edits: once an edit settles, asks the server (`tandem/nextEdits`) for the other edits it
-- implies (a renamed identifier's other uses, a changed signature's calls, the same change on
-- sibling lines or where the old text repeats), marks each proposed place in the loaded buffers
-- (the place highlighted, the replacement at the end of its line), and jumps to, accepts or
-- dismisses them. Nothing changes a buffer until the user accepts; what became of each proposal
-- goes to the server with `tandem/suggestionOutcome` (shown, accepted, dismissed).
local util = require("tandem.util")

local M = {}

local api = vim.api
local uv = vim.uv or vim.loop
local ns = api.nvim_create_namespace("tandem_next_edit")
local METHOD_NOT_FOUND = -32601
-- Most characters of the replacement shown after a line.
local LABEL_WIDTH = 40

-- The proposals of the last answer, best first:
--   { id, uri, range, new_text, kind, reason, confidence, client_id, buf, mark, old }
-- `range` is the LSP range received (in the target's text then); once the target is loaded, the
-- proposal is marked there: `buf` and `mark` (an extmark over the place, which follows edits
-- around it) and `old`, the text the place held then. A proposal whose place no longer holds
-- `old` is stale and goes.
local proposals = {}
-- Per buffer: the timer that asks once edits have settled.
local timers = {}
-- The request on its way ({ client_id, id }), and a counter that drops late answers.
local pending = nil
local seq = 0
-- Clients that answered "method not found": servers without next edits, never asked again.
local unsupported = {}
-- Ids already reported (shown, dismissed), so that nothing is reported twice and a dismissed
-- proposal is not marked again.
local shown, dismissed = {}, {}

local function config()
  return require("tandem").config
end

local function client()
  return require("tandem").client()
end

local function log(msg)
  require("tandem").log(msg)
end

--- The proposals of a `tandem/nextEdits` answer, in its order (best first), without malformed
--- ones: `{ id, uri, range, new_text, kind, reason, confidence }`.
function M.parse(result)
  local edits = type(result) == "table" and result.edits or nil
  local out = {}
  if type(edits) ~= "table" then
    return out
  end
  for _, e in ipairs(edits) do
    local r = type(e) == "table" and e.range
    local ok = type(e) == "table"
      and type(e.id) == "number"
      and type(e.uri) == "string"
      and type(e.newText) == "string"
      and type(r) == "table"
      and type(r.start) == "table"
      and type(r["end"]) == "table"
      and type(r.start.line) == "number"
      and type(r.start.character) == "number"
      and type(r["end"].line) == "number"
      and type(r["end"].character) == "number"
    if ok then
      out[#out + 1] = {
        id = e.id,
        uri = e.uri,
        range = r,
        new_text = e.newText,
        kind = type(e.kind) == "string" and e.kind or "",
        reason = type(e.reason) == "string" and e.reason or "",
        confidence = type(e.confidence) == "number" and e.confidence or nil,
      }
    end
  end
  return out
end

--- What is shown after the line of a proposed place: `→ ` and the replacement (line breaks as
--- `⏎`), cut to `width` characters.
function M.label(new_text, width)
  width = width or LABEL_WIDTH
  if new_text == "" then
    return "→ (delete)"
  end
  local text = new_text:gsub("\n", "⏎")
  if vim.fn.strchars(text) > width then
    text = vim.fn.strcharpart(text, 0, width - 1) .. "…"
  end
  return "→ " .. text
end

local function after(a, b)
  return a.row > b.row or (a.row == b.row and a.col > b.col)
end

--- Where "jump" goes from `here` (`{ uri, row, col }`) among `places` (`{ uri, row, col }`, best
--- first): the next place after the cursor in its file, else the best place in another file,
--- else the first place of the file (wrapping around). Returns its index, or nil.
function M.next_place(places, here)
  local ahead, elsewhere, first
  for i, p in ipairs(places) do
    if p.uri == here.uri then
      if after(p, here) and (not ahead or after(places[ahead], p)) then
        ahead = i
      end
      if not first or after(places[first], p) then
        first = i
      end
    elseif not elsewhere then
      elsewhere = i
    end
  end
  return ahead or elsewhere or first
end

--- The place "accept" takes at `here` (`{ uri, row, col }`) among `places` (`{ uri, row, col,
--- end_row, end_col }`): one the cursor is on (from its start to its end, inclusive), else the
--- nearest on the cursor's line. Returns its index, or nil.
function M.place_at(places, here)
  local nearest, distance
  for i, p in ipairs(places) do
    if p.uri == here.uri then
      local from_start = not after(p, here)
      local to_end = not after(here, { row = p.end_row, col = p.end_col })
      if from_start and to_end then
        return i
      end
      if p.row == here.row or p.end_row == here.row then
        local d = math.min(math.abs(p.col - here.col), math.abs(p.end_col - here.col))
        if not distance or d < distance then
          nearest, distance = i, d
        end
      end
    end
  end
  return nearest
end

local function report(p, outcome)
  local c = p.client_id and vim.lsp.get_client_by_id(p.client_id)
  if c then
    util.notify(c, "tandem/suggestionOutcome", { id = p.id, outcome = outcome })
  end
end

local function buf_of(uri)
  for _, b in ipairs(api.nvim_list_bufs()) do
    if api.nvim_buf_is_loaded(b) and api.nvim_buf_get_name(b) ~= "" and vim.uri_from_bufnr(b) == uri then
      return b
    end
  end
  return nil
end

local function text_of(buf, srow, scol, erow, ecol)
  local ok, lines = pcall(api.nvim_buf_get_text, buf, srow, scol, erow, ecol, {})
  return ok and table.concat(lines, "\n") or nil
end

-- The place of marked proposal `p` now: (row, col, end_row, end_col) in bytes, or nil when its
-- mark went or the place no longer holds the text it had.
local function where(p)
  if not (p.buf and p.mark and api.nvim_buf_is_valid(p.buf)) then
    return nil
  end
  local m = api.nvim_buf_get_extmark_by_id(p.buf, ns, p.mark, { details = true })
  if not m or not m[1] then
    return nil
  end
  local d = m[3] or {}
  local erow, ecol = d.end_row or m[1], d.end_col or m[2]
  if text_of(p.buf, m[1], m[2], erow, ecol) ~= p.old then
    return nil
  end
  return m[1], m[2], erow, ecol
end

local function unmark(p)
  if p.buf and p.mark and api.nvim_buf_is_valid(p.buf) then
    pcall(api.nvim_buf_del_extmark, p.buf, ns, p.mark)
  end
  p.buf, p.mark = nil, nil
end

-- Marks proposal `p` in `buf` (its target, loaded). False when the range does not fit the text
-- or the place already reads the replacement.
local function mark(p, buf)
  local c = vim.lsp.get_client_by_id(p.client_id)
  local encoding = c and c.offset_encoding or "utf-16"
  local r = p.range
  local count = api.nvim_buf_line_count(buf)
  if r.start.line >= count or r["end"].line >= count or after(
    { row = r.start.line, col = r.start.character },
    { row = r["end"].line, col = r["end"].character }
  ) then
    return false
  end
  local first = api.nvim_buf_get_lines(buf, r.start.line, r.start.line + 1, false)[1] or ""
  local last = api.nvim_buf_get_lines(buf, r["end"].line, r["end"].line + 1, false)[1] or ""
  local scol = util.to_byte(first, r.start.character, encoding)
  local ecol = util.to_byte(last, r["end"].character, encoding)
  if r.start.line == r["end"].line and ecol < scol then
    return false
  end
  local old = text_of(buf, r.start.line, scol, r["end"].line, ecol)
  if not old or old == p.new_text then
    return false
  end
  p.buf, p.old = buf, old
  p.mark = api.nvim_buf_set_extmark(buf, ns, r.start.line, scol, {
    end_row = r["end"].line,
    end_col = ecol,
    hl_group = "TandemNextEditRange",
    virt_text = { { M.label(p.new_text), "TandemNextEdit" } },
    virt_text_pos = "eol",
  })
  if not shown[p.id] then
    shown[p.id] = true
    report(p, "shown")
  end
  return true
end

-- Marks the proposals whose target is `buf` (just loaded, or answered about).
local function mark_in(buf)
  if not api.nvim_buf_is_loaded(buf) or api.nvim_buf_get_name(buf) == "" then
    return
  end
  local uri = vim.uri_from_bufnr(buf)
  local keep = {}
  for _, p in ipairs(proposals) do
    if p.mark or p.uri ~= uri or mark(p, buf) then
      keep[#keep + 1] = p
    end
  end
  proposals = keep
end

-- Drops the proposals whose place went stale (edited, or its buffer unloaded without a mark to
-- come back to).
local function prune()
  local keep = {}
  for _, p in ipairs(proposals) do
    if not p.buf or where(p) then
      keep[#keep + 1] = p
    else
      unmark(p)
    end
  end
  proposals = keep
end

local function clear_all()
  for _, p in ipairs(proposals) do
    unmark(p)
  end
  proposals = {}
end

local function cancel_pending()
  if pending then
    local c = vim.lsp.get_client_by_id(pending.client_id)
    if c then
      pcall(util.cancel, c, pending.id)
    end
    pending = nil
  end
end

-- Replaces the proposals with the answer's (`list`, from client `c`).
local function set(list, c)
  clear_all()
  for _, p in ipairs(list) do
    if not dismissed[p.id] then
      p.client_id = c.id
      proposals[#proposals + 1] = p
    end
  end
  local seen = {}
  for _, p in ipairs(proposals) do
    if not seen[p.uri] then
      seen[p.uri] = true
      local buf = buf_of(p.uri)
      if buf then
        mark_in(buf)
      end
    end
  end
  api.nvim_exec_autocmds("User", { pattern = "TandemNextEdits", modeline = false })
end

--- Asks the server for the next edits of `buf` (default: the current buffer); the answer
--- replaces the proposals, unless the buffer changed in between (a newer request is coming).
function M.request(buf)
  buf = (buf == nil or buf == 0) and api.nvim_get_current_buf() or buf
  local c = client()
  if not c or unsupported[c.id] or not api.nvim_buf_is_valid(buf) or not vim.lsp.buf_is_attached(buf, c.id) then
    return
  end
  cancel_pending()
  seq = seq + 1
  local mine, tick = seq, api.nvim_buf_get_changedtick(buf)
  local params = { textDocument = { uri = vim.uri_from_bufnr(buf), version = util.version(buf) } }
  local ok, id = util.request(c, "tandem/nextEdits", params, function(err, result)
    if pending and pending.id == id then
      pending = nil
    end
    if err then
      if err.code == METHOD_NOT_FOUND then
        unsupported[c.id] = true -- a server without next edits
      else
        log(("next edits failed: %s"):format(err.message or vim.inspect(err)))
      end
      return
    end
    if mine ~= seq or not api.nvim_buf_is_valid(buf) or api.nvim_buf_get_changedtick(buf) ~= tick then
      return
    end
    set(M.parse(result), c)
  end, buf)
  if ok then
    pending = { client_id = c.id, id = id }
  end
end

-- After an edit in `buf` (a change in normal mode, or leaving insert mode): drops the proposals
-- it made stale, and asks again once edits settle.
local function on_change(buf)
  prune()
  local ms = config().next_edit_debounce_ms or 150
  local timer = timers[buf] or uv.new_timer()
  timers[buf] = timer
  timer:stop()
  timer:start(
    ms,
    0,
    vim.schedule_wrap(function()
      if api.nvim_buf_is_valid(buf) then
        M.request(buf)
      end
    end)
  )
end

local function cursor()
  local pos = api.nvim_win_get_cursor(0)
  local buf = api.nvim_get_current_buf()
  return { uri = vim.uri_from_bufnr(buf), row = pos[1] - 1, col = pos[2] }
end

-- The proposals with their places now (stale ones dropped): `{ p, uri, row, col, end_row,
-- end_col }`; an unloaded target's place is the range received (its columns in the server's
-- units).
local function places()
  prune()
  local out = {}
  for _, p in ipairs(proposals) do
    local row, col, erow, ecol
    if p.buf then
      row, col, erow, ecol = where(p)
    else
      local r = p.range
      row, col, erow, ecol = r.start.line, r.start.character, r["end"].line, r["end"].character
    end
    out[#out + 1] = { p = p, uri = p.uri, row = row, col = col, end_row = erow, end_col = ecol }
  end
  return out
end

--- The proposals now, best first: `{ id, uri, kind, reason, new_text, marked, row, col,
--- end_row, end_col }` (0-based; bytes where marked).
function M.list()
  local out = {}
  for _, pl in ipairs(places()) do
    local p = pl.p
    out[#out + 1] = {
      id = p.id,
      uri = p.uri,
      kind = p.kind,
      reason = p.reason,
      new_text = p.new_text,
      marked = p.mark ~= nil,
      row = pl.row,
      col = pl.col,
      end_row = pl.end_row,
      end_col = pl.end_col,
    }
  end
  return out
end

--- Moves the cursor to the next proposed place (see `next_place`), opening its file when it is
--- in another one. Returns false when there is none.
function M.jump()
  local all = places()
  local i = M.next_place(all, cursor())
  if not i then
    return false
  end
  local p = all[i].p
  vim.cmd("normal! m'")
  if p.buf ~= api.nvim_get_current_buf() then
    local target = p.buf and ("buffer " .. p.buf) or ("edit " .. vim.fn.fnameescape(vim.uri_to_fname(p.uri)))
    local ok, err = pcall(vim.cmd, target)
    if not ok then
      require("tandem").error("cannot open the next edit's file: " .. tostring(err))
      return true
    end
    mark_in(api.nvim_get_current_buf())
    if not p.buf then
      vim.notify("tandem: the next edit no longer fits its file", vim.log.levels.WARN)
      return true
    end
  end
  local row, col = where(p)
  if row then
    api.nvim_win_set_cursor(0, { row + 1, col })
  end
  return true
end

--- Applies the proposal at (or nearest on the line of) the cursor as an ordinary buffer edit
--- and tells the server it was accepted. Returns false when there is none here.
function M.accept()
  local buf = api.nvim_get_current_buf()
  local here = cursor()
  local candidates = {}
  for _, pl in ipairs(places()) do
    if pl.p.buf == buf then
      candidates[#candidates + 1] = pl
    end
  end
  local i = M.place_at(candidates, here)
  if not i then
    return false
  end
  local pl = candidates[i]
  local p = pl.p
  unmark(p)
  proposals = vim.tbl_filter(function(q)
    return q ~= p
  end, proposals)
  api.nvim_buf_set_text(buf, pl.row, pl.col, pl.end_row, pl.end_col, vim.split(p.new_text, "\n", { plain = true }))
  api.nvim_win_set_cursor(0, { pl.row + 1, pl.col })
  report(p, "accepted")
  -- The remaining proposals follow the edit (their marks move with the text); TextChanged asks
  -- the server again for them, re-anchored.
  return true
end

--- Dismisses every proposal: the marks go and the server hears each was dismissed. Returns
--- false when there was none.
function M.dismiss()
  cancel_pending()
  seq = seq + 1 -- an answer on its way is dropped
  if #proposals == 0 then
    return false
  end
  for _, p in ipairs(proposals) do
    dismissed[p.id] = true
    report(p, "dismissed")
  end
  clear_all()
  return true
end

-- While typing in insert mode: drops the proposals it made stale, and waits for insert mode to
-- end before asking (the server would take a pause in the middle of a word for the edit).
local function on_insert_change(buf)
  prune()
  if timers[buf] then
    timers[buf]:stop()
  end
end

--- Asks for next edits after edits in `buf` settle (a change in normal mode, or leaving insert
--- mode), and marks proposals that target it.
function M.attach(buf)
  local group = api.nvim_create_augroup("tandem_next_edit_" .. buf, { clear = true })
  api.nvim_create_autocmd({ "TextChanged", "InsertLeave" }, {
    group = group,
    buffer = buf,
    callback = function()
      on_change(buf)
    end,
  })
  api.nvim_create_autocmd("TextChangedI", {
    group = group,
    buffer = buf,
    callback = function()
      on_insert_change(buf)
    end,
  })
  api.nvim_create_autocmd({ "BufUnload", "BufWipeout" }, {
    group = group,
    buffer = buf,
    callback = function()
      M.detach(buf)
    end,
  })
  mark_in(buf)
end

--- Stops next edits in `buf`: its timer goes, its proposals stay (unmarked) for a jump to open
--- the file again.
function M.detach(buf)
  if timers[buf] then
    timers[buf]:stop()
    timers[buf]:close()
    timers[buf] = nil
  end
  for _, p in ipairs(proposals) do
    if p.buf == buf then
      unmark(p)
    end
  end
  pcall(api.nvim_del_augroup_by_name, "tandem_next_edit_" .. buf)
end

M.namespace = ns

return M
