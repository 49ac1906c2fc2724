-- End-to-end test of the Neovim plugin with the real `tandem lsp` and the real model.
--
-- This Neovim (headless) drives a second one, embedded, over RPC: keys go in through
-- nvim_input, so the editor under test sees them as typing (insert mode, TextChangedI,
-- keymaps), and its state is read back with nvim_exec_lua.
--
--   TANDEM_BIN=target/release/tandem nvim --headless -u NONE -i NONE -n -c "luafile editors/nvim/test/e2e.lua"
--
-- Exits 0 when every check passes, 1 otherwise.

local here = debug.getinfo(1, "S").source:sub(2):match("(.*)/test/[^/]*$")
local plugin = vim.fn.fnamemodify(here, ":p"):gsub("/$", "")
local root = vim.fn.fnamemodify(plugin .. "/../..", ":p"):gsub("/$", "")
local tandem = vim.env.TANDEM_BIN or (root .. "/target/release/tandem")
tandem = vim.fn.fnamemodify(tandem, ":p")

local started = vim.loop.hrtime()
local function say(fmt, ...)
  io.stdout:write(("[%5.1fs] "):format((vim.loop.hrtime() - started) / 1e9) .. fmt:format(...) .. "\n")
  io.stdout:flush()
end

local chan
local function lua(code, ...)
  return vim.fn.rpcrequest(chan, "nvim_exec_lua", code, { ... })
end
local function input(keys)
  vim.fn.rpcrequest(chan, "nvim_input", keys)
end

-- Waits up to `ms` for `fn` to return a truthy value and returns it; fails with `what`.
local function wait_for(ms, what, fn)
  local value
  local ok = vim.wait(ms, function()
    value = fn()
    return value ~= nil and value ~= false
  end, 50)
  if not ok then
    error(("timed out after %d ms waiting for %s"):format(ms, what), 2)
  end
  return value
end

local function eq(want, got, what)
  if not vim.deep_equal(want, got) then
    error(("%s: expected %s, got %s"):format(what, vim.inspect(want), vim.inspect(got)), 2)
  end
end

local function line(n)
  return lua("return vim.api.nvim_buf_get_lines(0, ...)[1]", n - 1, n, false)
end

-- What the editor shows: the suggestion the plugin holds and the text of its extmarks.
local function ghost()
  return lua([[
    local g = require("tandem.ghost")
    local marks = vim.api.nvim_buf_get_extmarks(0, g.namespace, 0, -1, { details = true })
    local shown = {}
    for _, m in ipairs(marks) do
      for _, chunk in ipairs(m[4].virt_text or {}) do
        shown[#shown + 1] = chunk[1]
      end
    end
    return { text = g.current(0), shown = table.concat(shown), marks = #marks }
  ]])
end

local function mode()
  return lua("return vim.api.nvim_get_mode().mode")
end

local function wait_ghost(ms, what)
  return wait_for(ms, what, function()
    local g = ghost()
    return g.text and g
  end)
end

local function run()
  assert(vim.fn.executable(tandem) == 1, "no tandem binary at " .. tandem .. " (cargo build --release)")
  local dir = vim.fn.tempname()
  vim.fn.mkdir(dir, "p")
  vim.env.XDG_STATE_HOME = dir .. "/state" -- keep the test's metrics out of the user's
  local file = dir .. "/add.py"
  vim.fn.writefile({ "def add(a, b):" }, file)

  chan = vim.fn.jobstart({ "nvim", "--embed", "--headless", "-u", "NONE", "-i", "NONE", "-n" }, { rpc = true })
  assert(chan > 0, "cannot start nvim --embed")
  lua(
    [[
    local plugin, tandem, dir = ...
    vim.opt.runtimepath:prepend(plugin)
    vim.o.autoindent = false
    vim.o.expandtab = false
    vim.cmd("filetype on")
    vim.cmd("cd " .. vim.fn.fnameescape(dir))
    require("tandem").setup({ cmd = { tandem, "lsp" } })
  ]],
    plugin,
    tandem,
    dir
  )
  lua("vim.cmd('edit ' .. vim.fn.fnameescape(...))", file)
  say("nvim %s, tandem %s", lua("local v = vim.version(); return v.major .. '.' .. v.minor .. '.' .. v.patch"), tandem)
  eq("python", lua("return vim.bo.filetype"), "filetype")
  wait_for(10000, "the client to attach", function()
    return lua("local c = require('tandem').client(); return c ~= nil and vim.lsp.buf_is_attached(0, c.id)")
  end)
  wait_for(90000, "the model to load (status ready)", function()
    local s = lua("return require('tandem').status()")
    assert(s.state ~= "error", "server error: " .. vim.inspect(s))
    return s.state == "ready"
  end)
  say("server ready: %s", vim.inspect(lua("return require('tandem').status()")))

  -- Type a return statement: the ghost text appears after the cursor.
  input("Go    return ")
  wait_for(5000, "the typed text", function()
    return line(2) == "    return "
  end)
  local g = wait_ghost(60000, "ghost text after typing")
  say("ghost text shown: %s", vim.inspect(g))
  eq("a + b", g.text, "suggestion")
  eq(1, g.marks, "extmarks")
  assert(vim.startswith(g.shown, "a + b"), "extmark text: " .. vim.inspect(g.shown))
  eq("    return ", line(2), "the buffer before accepting")

  -- Dismiss: the ghost text goes and stays gone; the buffer is unchanged.
  input("<C-]>")
  wait_for(2000, "the ghost text to go", function()
    local d = ghost()
    return d.text == nil and d.marks == 0
  end)
  vim.wait(1500)
  local after = ghost()
  eq(nil, after.text, "suggestion after dismiss")
  eq(0, after.marks, "extmarks after dismiss")
  eq("    return ", line(2), "the buffer after dismiss")
  eq("i", mode(), "mode after dismiss")
  say("dismissed; nothing shown 1.5 s later")

  -- With nothing shown, the accept key is an ordinary key again.
  input("<Tab>")
  wait_for(2000, "Tab to insert a tab", function()
    return line(2) == "    return \t"
  end)
  say("Tab falls through when nothing is shown")

  -- Erasing it asks again (answered from the server's cache or reuse).
  input("<BS>")
  g = wait_ghost(30000, "ghost text after erasing the tab")
  eq("a + b", g.text, "suggestion again")

  -- Accept the next word, then the rest.
  input("<M-w>")
  wait_for(2000, "the first word to be accepted", function()
    return line(2) == "    return a"
  end)
  eq(" + b", lua("return require('tandem.ghost').current(0)"), "the rest after accepting a word")
  input("<Tab>")
  wait_for(2000, "the suggestion to be accepted", function()
    return line(2) == "    return a + b"
  end)
  eq({ "def add(a, b):", "    return a + b" }, lua("return vim.api.nvim_buf_get_lines(0, 0, -1, false)"), "buffer")
  eq("i", mode(), "mode after accepting")
  eq({ 2, #"    return a + b" }, lua("return vim.api.nvim_win_get_cursor(0)"), "cursor after accepting")
  say("accepted: %q", line(2))

  -- Explain, where this server has it.
  local commands = lua([[
    local c = require("tandem").client()
    local caps = c.server_capabilities or c.resolved_capabilities or {}
    return (caps.executeCommandProvider or {}).commands or {}
  ]])
  if vim.tbl_contains(commands, "tandem.explain") then
    input("<Esc>")
    lua("vim.cmd('1,2TandemExplain')")
    local answer = wait_for(120000, "the explain answer", function()
      return lua("return require('tandem.explain').last")
    end)
    assert(answer.markdown ~= "", "empty explanation")
    local float = lua([[
      local w = require("tandem.explain").window
      return w and vim.api.nvim_win_is_valid(w) and vim.api.nvim_win_get_config(w).relative ~= ""
    ]])
    eq(true, float, "explanation in a floating window")
    say("explained (%s, %s): %d characters", answer.model, answer.route, #answer.markdown)
  else
    say("skipped explain: this server does not offer tandem.explain")
  end
end

local ok, err = xpcall(run, debug.traceback)
if chan then
  pcall(vim.fn.rpcnotify, chan, "nvim_command", "qall!")
  vim.fn.jobwait({ chan }, 5000)
  pcall(vim.fn.jobstop, chan)
end
if ok then
  say("PASS nvim e2e")
  vim.cmd("qall!")
else
  say("FAIL nvim e2e: %s", err)
  vim.cmd("cquit 1")
end
