-- tandem for Neovim: starts `tandem lsp` for file buffers and shows its inline completions as
-- ghost text (Neovim's own vim.lsp.inline_completion from 0.12 on, this plugin's before), with
-- accept / dismiss keymaps, a status for statuslines, :TandemExplain, and next edits (the
-- other edits an edit implies, marked where they go, to jump to, accept or dismiss).
local util = require("tandem.util")

local M = {}

local api = vim.api

local defaults = {
  -- The server command; `tandem` is looked up on PATH.
  cmd = { "tandem", "lsp" },
  -- Filetypes to attach to; nil means every file buffer that has a filetype.
  filetypes = nil,
  -- Sent as initializationOptions `{ completion = settings }`: see the settings table of
  -- tandem's README (enabled, languages, debounce_ms, max_tokens, multiline, ...).
  settings = {},
  -- The workspace root sent to the server; nil means the current directory.
  root_dir = nil,
  -- Milliseconds of quiet typing before asking for a suggestion (own ghost text only).
  debounce_ms = 50,
  -- "auto": Neovim's vim.lsp.inline_completion where it exists (0.12+), else this plugin's
  -- ghost text; true / false force one or the other.
  builtin = "auto",
  -- Next edits: once an edit settles, ask the server for the other edits it implies (a rename's
  -- other uses, a changed signature's calls, ...) and mark them; false turns them off.
  next_edits = true,
  -- Milliseconds after a change in normal mode, or after leaving insert mode, before asking for
  -- next edits (the server also waits for the document to settle: its next_edit_delay_ms).
  next_edit_debounce_ms = 150,
  -- Keys; false turns one off. Unused keys fall through to their normal meaning. The first five
  -- are insert-mode keys (inline suggestions), the next_edit_* ones normal-mode keys.
  keymaps = {
    accept = "<Tab>",
    accept_word = "<M-w>",
    accept_line = "<M-l>",
    dismiss = "<C-]>",
    suggest = "<M-\\>",
    next_edit = "<M-n>", -- jump to the next proposed place (opening its file)
    next_edit_accept = "<M-y>", -- apply the proposal at the cursor
    next_edit_dismiss = "<M-d>", -- dismiss the proposals
  },
}

M.config = vim.deepcopy(defaults)

local client_id = nil
local attached = {}
local warned_missing = false
local status = { state = "stopped", model = "", detail = "" }
local has_status_notification = false

--- Logs to Neovim's LSP log (`:lua vim.cmd.edit(vim.lsp.get_log_path())`).
function M.log(msg)
  pcall(vim.lsp.log.warn, "tandem: " .. msg)
end

--- Tells the user something went wrong.
function M.error(msg)
  vim.notify("tandem: " .. msg, vim.log.levels.ERROR)
end

local function set_status(state, model, detail)
  status = {
    state = state,
    model = model or status.model or "",
    detail = detail or "",
  }
  pcall(vim.cmd, "redrawstatus")
  api.nvim_exec_autocmds("User", { pattern = "TandemStatus", modeline = false })
end

--- The server's state: `{ state = "stopped"|"starting"|"loading"|"ready"|"degraded"|"error",
--- model = ..., detail = ... }`.
function M.status()
  return vim.deepcopy(status)
end

--- A short status for statuslines, e.g. `tandem: ready`.
function M.statusline()
  if status.state == "stopped" then
    return ""
  end
  return "tandem: " .. status.state
end

--- The running tandem client, or nil.
function M.client()
  return client_id and vim.lsp.get_client_by_id(client_id) or nil
end

local function use_builtin()
  local b = M.config.builtin
  if b == "auto" then
    return vim.lsp.inline_completion ~= nil
  end
  return b == true
end

-- `tandem/status` (state, model, detail) is the server's word on its state; before servers
-- sent it, the model's loading progress tells loading from ready.
local function on_status(_, params)
  if type(params) == "table" and params.state then
    has_status_notification = true
    set_status(params.state, params.model, params.detail)
  end
end

local function on_progress(err, params, ctx, config)
  local value = type(params) == "table" and params.value or nil
  if not has_status_notification and type(value) == "table" then
    if value.kind == "begin" then
      set_status("loading", nil, value.message)
    elseif value.kind == "end" then
      local msg = value.message or ""
      if msg:match("no model") then
        set_status("error", nil, msg)
      else
        set_status("ready", msg:match("^model (%S+)"), msg)
      end
    end
  end
  local default = vim.lsp.handlers["$/progress"]
  if default then
    pcall(default, err, params, ctx, config)
  end
end

local function client_config()
  local settings = M.config.settings or {}
  local init = vim.tbl_isempty(settings) and vim.empty_dict() or { completion = settings }
  return {
    name = "tandem",
    cmd = M.config.cmd,
    root_dir = M.config.root_dir or (vim.uv or vim.loop).cwd(),
    init_options = init,
    handlers = {
      ["$/progress"] = on_progress,
      ["tandem/status"] = on_status,
    },
    on_init = function()
      if status.state == "starting" then
        set_status("loading")
      end
    end,
    on_exit = function(code, signal)
      -- Called from the process's exit callback, where most of the API is off limits.
      vim.schedule(function()
        client_id = nil
        attached = {}
        if code ~= 0 or signal ~= 0 then
          set_status("error", nil, ("tandem lsp exited (code %d, signal %d)"):format(code, signal))
        else
          set_status("stopped")
        end
      end)
    end,
  }
end

local function executable(cmd)
  return type(cmd) == "table" and cmd[1] and vim.fn.executable(cmd[1]) == 1
end

-- Starts the server if needed and attaches it to `buf`; returns the client id.
local function start(buf)
  if not executable(M.config.cmd) then
    if not warned_missing then
      warned_missing = true
      M.error(
        ("`%s` was not found. Build tandem (`cargo build --release` in its repository) and put "
          .. "target/release/tandem on your PATH, or give its path: "
          .. "require('tandem').setup({ cmd = { '/path/to/tandem', 'lsp' } })"):format(
          tostring(M.config.cmd and M.config.cmd[1])
        )
      )
      set_status("error", nil, "tandem not found")
    end
    return nil
  end
  if not M.client() then
    has_status_notification = false
    set_status("starting")
  end
  if vim.lsp.start then
    client_id = vim.lsp.start(client_config(), {
      bufnr = buf,
      reuse_client = function(c, conf)
        return c.name == conf.name
      end,
    })
  else
    client_id = client_id or vim.lsp.start_client(client_config())
    if client_id then
      vim.lsp.buf_attach_client(buf, client_id)
    end
  end
  if not client_id then
    M.error("could not start " .. table.concat(M.config.cmd, " "))
  end
  return client_id
end

local function feed(lhs)
  api.nvim_feedkeys(api.nvim_replace_termcodes(lhs, true, false, true), "n", false)
end

-- Maps `lhs` in insert mode (or `mode`): `fn` returns false when it did nothing, and then the
-- key does what it would have done.
local function map(buf, lhs, fn, desc, mode)
  if not lhs or lhs == "" then
    return
  end
  vim.keymap.set(mode or "i", lhs, function()
    if not fn() then
      feed(lhs)
    end
  end, { buffer = buf, silent = true, desc = desc })
end

local function set_next_edit_keymaps(buf)
  local keys = M.config.keymaps or {}
  local nextedit = require("tandem.nextedit")
  map(buf, keys.next_edit, nextedit.jump, "tandem: jump to the next edit", "n")
  map(buf, keys.next_edit_accept, nextedit.accept, "tandem: accept the next edit at the cursor", "n")
  map(buf, keys.next_edit_dismiss, nextedit.dismiss, "tandem: dismiss the next edits", "n")
end

local function builtin_visible(buf)
  local ns = api.nvim_get_namespaces()["nvim.lsp.inline_completion"]
  return ns ~= nil and #api.nvim_buf_get_extmarks(buf, ns, 0, -1, { limit = 1 }) > 0
end

local function set_keymaps(buf)
  local keys = M.config.keymaps or {}
  if M.config.next_edits then
    set_next_edit_keymaps(buf)
  end
  if use_builtin() then
    -- Neovim inserts the item and then runs its command (`tandem.suggestionOutcome`, through
    -- `workspace/executeCommand`), which tells the server the suggestion was accepted. Neovim
    -- keeps the item to itself, so dismissals are not reported on this path.
    map(buf, keys.accept, function()
      if builtin_visible(buf) then
        vim.lsp.inline_completion.get({ bufnr = buf })
        return true
      end
      return false
    end, "tandem: accept the suggestion")
    map(buf, keys.suggest, function()
      vim.lsp.inline_completion.get({ bufnr = buf })
      return true
    end, "tandem: suggest")
    return
  end
  local ghost = require("tandem.ghost")
  map(buf, keys.accept, ghost.accept, "tandem: accept the suggestion")
  map(buf, keys.accept_word, function()
    return ghost.accept("word")
  end, "tandem: accept the next word")
  map(buf, keys.accept_line, function()
    return ghost.accept("line")
  end, "tandem: accept the next line")
  map(buf, keys.dismiss, ghost.dismiss, "tandem: dismiss the suggestion")
  map(buf, keys.suggest, function()
    ghost.request(1)
    return true
  end, "tandem: suggest")
end

local function wanted(buf)
  if not api.nvim_buf_is_valid(buf) or vim.bo[buf].buftype ~= "" then
    return false
  end
  local ft = vim.bo[buf].filetype
  if ft == "" or api.nvim_buf_get_name(buf) == "" then
    return false
  end
  return M.config.filetypes == nil or vim.tbl_contains(M.config.filetypes, ft)
end

--- Attaches tandem to `buf` (default: the current buffer) if it is a file buffer of a wanted
--- filetype.
function M.attach(buf)
  buf = (buf == nil or buf == 0) and api.nvim_get_current_buf() or buf
  if not wanted(buf) then
    return
  end
  local id = start(buf)
  if not id or attached[buf] == id then
    return
  end
  attached[buf] = id
  api.nvim_create_autocmd("BufUnload", {
    buffer = buf,
    once = true,
    callback = function()
      attached[buf] = nil
    end,
  })
  if use_builtin() then
    vim.lsp.inline_completion.enable(true, { bufnr = buf })
  else
    require("tandem.ghost").attach(buf)
  end
  if M.config.next_edits then
    require("tandem.nextedit").attach(buf)
  end
  set_keymaps(buf)
end

--- Changes settings of the running server (`workspace/didChangeConfiguration`) and keeps them
--- for the next start.
function M.configure(settings)
  M.config.settings = vim.tbl_deep_extend("force", M.config.settings or {}, settings)
  local c = M.client()
  if c then
    util.notify(c, "workspace/didChangeConfiguration", { settings = { completion = settings } })
  end
end

local function show_status()
  local s = M.status()
  local lines = { ("tandem: %s%s%s"):format(
    s.state,
    s.model ~= "" and (" · " .. s.model) or "",
    s.detail ~= "" and (" · " .. s.detail) or ""
  ) }
  local c = M.client()
  if not c then
    vim.notify(lines[1], vim.log.levels.INFO)
    return
  end
  util.request(c, "tandem/metrics", vim.NIL, function(err, m)
    if not err and type(m) == "table" and m.requests then
      lines[#lines + 1] = ("requests %d, model calls %d, reuse %d, cache %d; latency p50 %s ms, p95 %s ms"):format(
        m.requests,
        m.model_calls or 0,
        m.reuse_hits or 0,
        m.cache_hits or 0,
        tostring(m.latency_p50_ms),
        tostring(m.latency_p95_ms)
      )
    end
    vim.notify(table.concat(lines, "\n"), vim.log.levels.INFO)
  end)
end

--- Sets tandem up: `opts` overrides the defaults above (see the README).
function M.setup(opts)
  M.config = vim.tbl_deep_extend("force", vim.deepcopy(defaults), opts or {})
  vim.cmd("highlight default link TandemGhost Comment")
  vim.cmd("highlight default link TandemNextEdit Comment")
  vim.cmd("highlight default link TandemNextEditRange DiffChange")
  local group = api.nvim_create_augroup("tandem", { clear = true })
  api.nvim_create_autocmd("FileType", {
    group = group,
    callback = function(args)
      M.attach(args.buf)
    end,
  })
  api.nvim_create_user_command("TandemExplain", function(args)
    require("tandem.explain").run(args.line1, args.line2)
  end, { range = true, desc = "tandem: explain the selected lines" })
  api.nvim_create_user_command("TandemStatus", show_status, { desc = "tandem: server state and metrics" })
  api.nvim_create_user_command("TandemNextEdit", function(args)
    local nextedit = require("tandem.nextedit")
    local action = args.args == "" and "jump" or args.args
    local done = ({ jump = nextedit.jump, accept = nextedit.accept, dismiss = nextedit.dismiss })[action]
    if not done then
      M.error("TandemNextEdit: jump, accept or dismiss, not " .. action)
    elseif not done() then
      vim.notify("tandem: no next edit" .. (action == "accept" and " at the cursor" or ""), vim.log.levels.INFO)
    end
  end, {
    nargs = "?",
    complete = function()
      return { "jump", "accept", "dismiss" }
    end,
    desc = "tandem: jump to (default), accept or dismiss the next edits",
  })
  for _, buf in ipairs(api.nvim_list_bufs()) do
    if api.nvim_buf_is_loaded(buf) then
      M.attach(buf)
    end
  end
end

return M
