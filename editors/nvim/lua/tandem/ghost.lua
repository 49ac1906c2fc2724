-- Ghost text for Neovim without vim.lsp.inline_completion (before 0.12): asks the server for
-- `textDocument/inlineCompletion` while the user types (debounced), shows the answer as virtual
-- text after the cursor, and accepts or dismisses it. It tells the server what became of each
-- suggestion (shown, accepted, dismissed), from which the server learns how often what it shows
-- is taken.
local util = require("tandem.util")

local M = {}

local api = vim.api
local uv = vim.uv or vim.loop
local ns = api.nvim_create_namespace("tandem_ghost")
local AUTOMATIC, INVOKED = 2, 1

-- Per buffer: timer, pending request, current suggestion and its extmark.
--   item = { row, col, ghost, del, tick, prefix, after, id, command, client_id, accepted }:
--   `ghost` is the text to insert at (row, col) (0-based, bytes), replacing `del` bytes after
--   it; `tick` the changedtick and `prefix` / `after` the line's text before / after the cursor
--   when it was shown; `id` the server's id of the suggestion, `command` the item's command
--   (run on accepting it), `accepted` whether that was reported.
local buffers = {}

local function state(buf)
  buffers[buf] = buffers[buf] or { seq = 0 }
  return buffers[buf]
end

local function client()
  return require("tandem").client()
end

local function in_insert_mode()
  return api.nvim_get_mode().mode:sub(1, 1) == "i"
end

local function cursor()
  local pos = api.nvim_win_get_cursor(0)
  return pos[1] - 1, pos[2]
end

local function get_line(buf, row)
  return api.nvim_buf_get_lines(buf, row, row + 1, false)[1] or ""
end

local function cancel_pending(s)
  if s.pending then
    local c = vim.lsp.get_client_by_id(s.pending.client_id)
    if c then
      pcall(util.cancel, c, s.pending.id)
    end
    s.pending = nil
  end
end

-- Tells the server what became of suggestion `it`: accepting it runs the item's command (as LSP
-- has clients do after inserting an inline completion; once, on the first partial accept too),
-- "shown" and "dismissed" go as `tandem/suggestionOutcome`. Nothing after an acceptance.
local function report(it, outcome)
  local c = it and it.id and not it.accepted and vim.lsp.get_client_by_id(it.client_id)
  if not c then
    return
  end
  if outcome == "accepted" then
    it.accepted = true
    local cmd = { command = it.command.command, arguments = it.command.arguments }
    util.request(c, "workspace/executeCommand", cmd, function(err)
      if err then
        require("tandem").log(("reporting an accepted suggestion failed: %s"):format(err.message or vim.inspect(err)))
      end
    end)
  else
    util.notify(c, "tandem/suggestionOutcome", { id = it.id, outcome = outcome })
  end
end

local function render(buf, s)
  api.nvim_buf_clear_namespace(buf, ns, 0, -1)
  local it = s.item
  local lines = vim.split(it.ghost, "\n", { plain = true })
  local hl = "TandemGhost"
  local virt_lines = {}
  for i = 2, #lines do
    virt_lines[#virt_lines + 1] = { { lines[i], hl } }
  end
  local opts = { hl_mode = "combine" }
  if util.has("0.10") then
    -- Inline virtual text pushes the rest of the line to the right (where it stays, on the
    -- first line, even when accepting a block would move it below).
    opts.virt_text = { { lines[1], hl } }
    opts.virt_text_pos = "inline"
  else
    -- Overlay the suggestion and, after it, the rest of the line where it will end up; blanks
    -- cover what is left of the line underneath.
    local first, rest = lines[1], it.after:sub(it.del + 1)
    if #lines > 1 then
      table.insert(virt_lines[#virt_lines], { rest, hl })
      rest = ""
    end
    local shown = first .. rest
    local under = vim.fn.strdisplaywidth(it.after)
    local pad = string.rep(" ", math.max(0, under - vim.fn.strdisplaywidth(shown)))
    opts.virt_text = { { shown, hl }, { pad, "Normal" } }
    opts.virt_text_pos = "overlay"
  end
  if #virt_lines > 0 then
    opts.virt_lines = virt_lines
  end
  s.extmark = api.nvim_buf_set_extmark(buf, ns, it.row, it.col, opts)
end

--- Removes the suggestion of `buf` (and its pending request).
function M.clear(buf)
  buf = buf == 0 and api.nvim_get_current_buf() or buf
  local s = buffers[buf]
  if not s then
    return
  end
  if s.timer then
    s.timer:stop()
  end
  cancel_pending(s)
  s.seq = s.seq + 1 -- an answer still on its way is dropped
  s.item = nil
  s.extmark = nil
  if api.nvim_buf_is_valid(buf) then
    api.nvim_buf_clear_namespace(buf, ns, 0, -1)
  end
end

-- Shows the first item of a response if it still fits where the cursor is.
local function show(buf, s, req, result, c)
  local items = result and (result.items or result) or {}
  local first = items[1]
  local text = util.insert_text(first)
  if not text or text == "" then
    return
  end
  local line = get_line(buf, req.row)
  local col, del = req.col, 0
  if first.range then
    local r = first.range
    if r.start.line ~= req.row or r["end"].line ~= req.row then
      return -- only ranges on the cursor's line are shown
    end
    local scol = util.to_byte(line, r.start.character, c.offset_encoding)
    local ecol = util.to_byte(line, r["end"].character, c.offset_encoding)
    if scol > col or ecol < col then
      return
    end
    -- Text between the range's start and the cursor is typed already.
    local typed = line:sub(scol + 1, col)
    if text:sub(1, #typed) ~= typed then
      return
    end
    text = text:sub(#typed + 1)
    del = ecol - col
  end
  if text == "" then
    return
  end
  s.item = {
    row = req.row,
    col = col,
    ghost = text,
    del = del,
    tick = req.tick,
    prefix = line:sub(1, col),
    after = line:sub(col + 1),
    id = util.suggestion_id(first),
    command = first.command,
    client_id = c.id,
  }
  render(buf, s)
  report(s.item, "shown")
end

--- Asks the server for a suggestion at the cursor of the current window (`kind`: 1 invoked,
--- 2 automatic); the answer is dropped if the buffer or the cursor changed in between.
function M.request(kind)
  local buf = api.nvim_get_current_buf()
  local c = client()
  if not c or not vim.lsp.buf_is_attached(buf, c.id) then
    return
  end
  local s = state(buf)
  cancel_pending(s)
  s.seq = s.seq + 1
  local row, col = cursor()
  local req = { seq = s.seq, row = row, col = col, tick = api.nvim_buf_get_changedtick(buf) }
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(buf) },
    position = { line = row, character = util.to_units(get_line(buf, row), col, c.offset_encoding) },
    context = { triggerKind = kind or INVOKED },
  }
  local ok, id = util.request(c, "textDocument/inlineCompletion", params, function(err, result)
    if s.pending and s.pending.id == id then
      s.pending = nil
    end
    if err then
      require("tandem").log(("inline completion failed: %s"):format(err.message or vim.inspect(err)))
      return
    end
    if M.is_stale(buf, s, req) then
      return
    end
    show(buf, s, req, result, c)
  end, buf)
  if ok then
    s.pending = { client_id = c.id, id = id }
  end
end

--- Whether an answer to `req` no longer fits the editor: a newer request went out, the buffer
--- changed, the cursor moved, another buffer is current, or insert mode was left.
function M.is_stale(buf, s, req)
  if req.seq ~= s.seq or not api.nvim_buf_is_valid(buf) then
    return true
  end
  if api.nvim_get_current_buf() ~= buf or not in_insert_mode() then
    return true
  end
  if api.nvim_buf_get_changedtick(buf) ~= req.tick then
    return true
  end
  local row, col = cursor()
  return row ~= req.row or col ~= req.col
end

-- Typing the suggestion's next characters keeps the rest of it on screen ("partly"); typing the
-- last of them ends it ("whole"). False when something else was typed.
local function typed_through(buf, s)
  local it = s.item
  local row, col = cursor()
  if row ~= it.row or col <= it.col then
    return false
  end
  local line = get_line(buf, row)
  local typed = line:sub(it.col + 1, col)
  if line:sub(1, it.col) ~= it.prefix or line:sub(col + 1) ~= it.after then
    return false
  end
  if it.ghost:sub(1, #typed) ~= typed then
    return false
  elseif #typed == #it.ghost then
    return "whole"
  end
  it.ghost = it.ghost:sub(#typed + 1)
  it.col = col
  it.prefix = line:sub(1, col)
  it.tick = api.nvim_buf_get_changedtick(buf)
  render(buf, s)
  return "partly"
end

-- Removes the suggestion of `buf` the user passed over (moved away, typed something else, left
-- insert mode or the buffer, pressed the dismiss key): the server hears it was dismissed.
local function drop(buf)
  local s = buffers[buf]
  report(s and s.item, "dismissed")
  M.clear(buf)
end

local function schedule(buf, s)
  local ms = require("tandem").config.debounce_ms
  s.timer = s.timer or uv.new_timer()
  s.timer:stop()
  s.timer:start(
    ms,
    0,
    vim.schedule_wrap(function()
      if api.nvim_buf_is_valid(buf) and api.nvim_get_current_buf() == buf and in_insert_mode() then
        M.request(AUTOMATIC)
      end
    end)
  )
end

local function on_text_changed(buf)
  local s = state(buf)
  if s.item and s.item.tick == api.nvim_buf_get_changedtick(buf) then
    return -- our own edit (a partial accept)
  end
  local typed = s.item and typed_through(buf, s)
  if typed == "partly" then
    return
  elseif typed == "whole" then
    M.clear(buf) -- typed out: the server tells that from the text
  else
    drop(buf)
  end
  schedule(buf, s)
end

local function on_cursor_moved(buf)
  local s = state(buf)
  if not s.item or s.item.tick ~= api.nvim_buf_get_changedtick(buf) then
    return -- text changes are handled by TextChangedI
  end
  local row, col = cursor()
  if row ~= s.item.row or col ~= s.item.col then
    drop(buf)
  end
end

--- The suggestion shown in `buf` (the text that accepting it would insert), or nil.
function M.current(buf)
  buf = (buf == nil or buf == 0) and api.nvim_get_current_buf() or buf
  local s = buffers[buf]
  return s and s.item and s.item.ghost or nil
end

--- Inserts the suggestion, or its next word (`how` = "word") or line ("line"). Returns false
--- when there is none.
function M.accept(how)
  local buf = api.nvim_get_current_buf()
  local s = buffers[buf]
  local it = s and s.item
  if not it then
    return false
  end
  local part = it.ghost
  if how == "word" then
    part = util.next_word(part)
  elseif how == "line" then
    part = util.next_line(part)
  end
  local whole = part == it.ghost
  local lines = vim.split(part, "\n", { plain = true })
  api.nvim_buf_set_text(buf, it.row, it.col, it.row, it.col + (whole and it.del or 0), lines)
  local row = it.row + #lines - 1
  local col = (#lines == 1 and it.col or 0) + #lines[#lines]
  if whole then
    M.clear(buf)
  else
    -- Keep the rest on screen; TextChangedI sees the tick and leaves it.
    local line = get_line(buf, row)
    it.ghost = it.ghost:sub(#part + 1)
    it.row, it.col = row, col
    it.prefix = line:sub(1, col)
    it.after = line:sub(col + 1)
    it.tick = api.nvim_buf_get_changedtick(buf)
    render(buf, s)
  end
  api.nvim_win_set_cursor(0, { row + 1, col })
  report(it, "accepted")
  return true
end

--- Hides the suggestion until the next edit. Returns false when there was none.
function M.dismiss()
  local buf = api.nvim_get_current_buf()
  local s = buffers[buf]
  local had = s ~= nil and (s.item ~= nil or s.pending ~= nil)
  drop(buf)
  return had
end

-- Where the cursor last came to rest, as reported to the server.
local rested = { buf = nil, row = nil }
local rest_timer = nil
-- How long the cursor must stay before its place is reported, in milliseconds.
local REST_MS = 250

--- Reports (once the cursor has stayed `REST_MS`) a new line the cursor came to rest on in
--- `buf`, with `tandem/cursorRest`: the server evaluates that place's prompt while the model
--- is idle, so the first suggestion there comes sooner.
local function on_cursor_rest(buf)
  rest_timer = rest_timer or uv.new_timer()
  rest_timer:stop()
  rest_timer:start(
    REST_MS,
    0,
    vim.schedule_wrap(function()
      local c = client()
      if not api.nvim_buf_is_valid(buf) or api.nvim_get_current_buf() ~= buf then
        return
      end
      if not c or not vim.lsp.buf_is_attached(buf, c.id) then
        return
      end
      local row, col = cursor()
      if rested.buf == buf and rested.row == row then
        return
      end
      rested.buf, rested.row = buf, row
      util.notify(c, "tandem/cursorRest", {
        textDocument = { uri = vim.uri_from_bufnr(buf) },
        position = { line = row, character = util.to_units(get_line(buf, row), col, c.offset_encoding) },
      })
    end)
  )
end

--- Starts ghost text in `buf`.
function M.attach(buf)
  local group = api.nvim_create_augroup("tandem_ghost_" .. buf, { clear = true })
  local function on(events, fn)
    api.nvim_create_autocmd(events, {
      group = group,
      buffer = buf,
      callback = function()
        fn(buf)
      end,
    })
  end
  on("TextChangedI", on_text_changed)
  on("CursorMovedI", on_cursor_moved)
  on({ "CursorMoved", "CursorMovedI", "BufEnter" }, on_cursor_rest)
  on({ "InsertLeave", "BufLeave" }, drop)
  on({ "BufUnload", "BufWipeout" }, M.detach)
end

--- Stops ghost text in `buf`.
function M.detach(buf)
  local s = buffers[buf]
  if s then
    M.clear(buf)
    if s.timer then
      s.timer:close()
    end
    buffers[buf] = nil
  end
  pcall(api.nvim_del_augroup_by_name, "tandem_ghost_" .. buf)
end

M.namespace = ns

return M
