-- Helpers for the plugin's end-to-end tests: this (headless) Neovim drives a second one,
-- embedded, over RPC. Keys go in through nvim_input, so the editor under test sees them as
-- typing (insert mode, TextChangedI, keymaps); its state is read back with nvim_exec_lua.
local M = {}

local here = debug.getinfo(1, "S").source:sub(2):match("(.*)/test/[^/]*$")
M.plugin = vim.fn.fnamemodify(here, ":p"):gsub("/$", "")
M.root = vim.fn.fnamemodify(M.plugin .. "/../..", ":p"):gsub("/$", "")

local started = vim.loop.hrtime()
local chan

--- Prints a progress line with the seconds since the start.
function M.say(fmt, ...)
  io.stdout:write(("[%5.1fs] "):format((vim.loop.hrtime() - started) / 1e9) .. fmt:format(...) .. "\n")
  io.stdout:flush()
end

--- Runs Lua `code` in the editor under test with `...` as its arguments; returns its result.
function M.lua(code, ...)
  local ok, result = pcall(vim.fn.rpcrequest, chan, "nvim_exec_lua", code, { ... })
  if not ok then
    error(("%s\nin: %s"):format(result, vim.trim(code)), 2)
  end
  return result
end

--- Types `keys` (with <> notation) into the editor under test.
function M.input(keys)
  vim.fn.rpcrequest(chan, "nvim_input", keys)
end

--- Waits up to `ms` for `fn` to return a truthy value and returns it; fails with `what`.
function M.wait_for(ms, what, fn)
  local value
  local ok = vim.wait(ms, function()
    value = fn()
    return value ~= nil and value ~= false and value ~= vim.NIL
  end, 50)
  if not ok then
    error(("timed out after %d ms waiting for %s"):format(ms, what), 2)
  end
  return value
end

function M.eq(want, got, what)
  if not vim.deep_equal(want, got) then
    error(("%s: expected %s, got %s"):format(what, vim.inspect(want), vim.inspect(got)), 2)
  end
end

--- Line `n` (1-based) of the current buffer.
function M.line(n)
  return M.lua("return vim.api.nvim_buf_get_lines(0, ...)[1]", n - 1, n, false)
end

function M.mode()
  return M.lua("return vim.api.nvim_get_mode().mode")
end

--- What the editor shows: the suggestion the plugin holds and the text of its extmarks.
function M.ghost()
  return M.lua([[
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

--- Waits up to `ms` for a suggestion to show and returns what `ghost` saw.
function M.wait_ghost(ms, what)
  return M.wait_for(ms, what, function()
    local g = M.ghost()
    return g.text and g
  end)
end

--- The next edits the plugin holds (`require("tandem.nextedit").list()`), and the text after the
--- lines of the current buffer's marks (`marks`: `{ row, col, text }`).
function M.next_edits()
  return M.lua([[
    local n = require("tandem.nextedit")
    local marks = {}
    for _, m in ipairs(vim.api.nvim_buf_get_extmarks(0, n.namespace, 0, -1, { details = true })) do
      local text = {}
      for _, chunk in ipairs(m[4].virt_text or {}) do
        text[#text + 1] = chunk[1]
      end
      marks[#marks + 1] = { row = m[2], col = m[3], text = table.concat(text) }
    end
    return { list = n.list(), marks = marks }
  ]])
end

--- Starts the editor under test with the plugin set up with `opts`, in a new temporary
--- directory (returned), with XDG_STATE_HOME inside it.
function M.start(opts)
  local dir = vim.fn.tempname()
  vim.fn.mkdir(dir, "p")
  vim.env.XDG_STATE_HOME = dir .. "/state" -- keep the test's metrics out of the user's
  chan = vim.fn.jobstart({ "nvim", "--embed", "--headless", "-u", "NONE", "-i", "NONE", "-n" }, { rpc = true })
  assert(chan > 0, "cannot start nvim --embed")
  M.lua(
    [[
    local plugin, dir, opts = ...
    vim.opt.runtimepath:prepend(plugin)
    vim.o.autoindent = false
    vim.o.expandtab = false
    vim.cmd("filetype on")
    vim.cmd("cd " .. vim.fn.fnameescape(dir))
    require("tandem").setup(opts)
  ]],
    M.plugin,
    dir,
    opts
  )
  M.say("nvim %s", M.lua("local v = vim.version(); return v.major .. '.' .. v.minor .. '.' .. v.patch"))
  return dir
end

--- Opens `file` in the editor under test and waits for the client to attach.
function M.edit(file)
  M.lua("vim.cmd('edit ' .. vim.fn.fnameescape(...))", file)
  M.wait_for(10000, "the client to attach", function()
    return M.lua("local c = require('tandem').client(); return c ~= nil and vim.lsp.buf_is_attached(0, c.id)")
  end)
end

--- Runs `test`, stops the editor under test, and exits 0 if it passed, 1 if not.
function M.run(name, test)
  local ok, err = xpcall(test, debug.traceback)
  if chan then
    pcall(vim.fn.rpcnotify, chan, "nvim_command", "qall!")
    vim.fn.jobwait({ chan }, 5000)
    pcall(vim.fn.jobstop, chan)
  end
  if ok then
    M.say("PASS %s", name)
    vim.cmd("qall!")
  else
    M.say("FAIL %s: %s", name, err)
    vim.cmd("cquit 1")
  end
end

return M
