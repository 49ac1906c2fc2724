-- End-to-end test of the Neovim plugin with the real `tandem lsp` and the real model: typing,
-- ghost text, dismiss, accept word, accept, the server's count of dismissed and accepted
-- suggestions (where the server has `tandem.suggestionOutcome`), explain (where it has it), and
-- next edits (renaming a parameter marks its other use, which is jumped to and accepted).
--
--   TANDEM_BIN=target/release/tandem nvim --headless -u NONE -i NONE -n -c "luafile editors/nvim/test/e2e.lua"
--
-- Exits 0 when every check passes, 1 otherwise.
local t = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "driver.lua")
local eq, lua, input, line, wait_for, say = t.eq, t.lua, t.input, t.line, t.wait_for, t.say
local wait_ghost = t.wait_ghost

local tandem = vim.fn.fnamemodify(vim.env.TANDEM_BIN or (t.root .. "/target/release/tandem"), ":p")

t.run("nvim e2e", function()
  assert(vim.fn.executable(tandem) == 1, "no tandem binary at " .. tandem .. " (cargo build --release)")
  local dir = t.start({ cmd = { tandem, "lsp" } })
  local file = dir .. "/add.py"
  vim.fn.writefile({ "def add(a, b):" }, file)
  t.edit(file)
  eq("python", lua("return vim.bo.filetype"), "filetype")
  wait_for(90000, "the model to load (status ready)", function()
    local s = lua("return require('tandem').status()")
    assert(s.state ~= "error", "server error: " .. vim.inspect(s))
    return s.state == "ready"
  end)
  say("server ready: %s", vim.inspect(lua("return require('tandem').status()")))
  local commands = lua([[
    local c = require("tandem").client()
    local caps = c.server_capabilities or c.resolved_capabilities or {}
    return (caps.executeCommandProvider or {}).commands or {}
  ]])
  local outcomes = vim.tbl_contains(commands, "tandem.suggestionOutcome")
  -- The server's metrics (`tandem/metrics`).
  local function metrics()
    return lua([[
      local c = require("tandem").client()
      local r = vim.fn.has("nvim-0.11") == 1 and c:request_sync("tandem/metrics", vim.NIL, 5000, 0)
        or c.request_sync("tandem/metrics", vim.NIL, 5000, 0)
      return r and r.result
    ]])
  end

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
    local d = t.ghost()
    return d.text == nil and d.marks == 0
  end)
  vim.wait(1500)
  local after = t.ghost()
  eq(nil, after.text, "suggestion after dismiss")
  eq(0, after.marks, "extmarks after dismiss")
  eq("    return ", line(2), "the buffer after dismiss")
  eq("i", t.mode(), "mode after dismiss")
  say("dismissed; nothing shown 1.5 s later")
  if outcomes then
    local m = wait_for(5000, "the server to count the dismissal", function()
      local m = metrics()
      return m and (m.dismissed or 0) >= 1 and m
    end)
    eq(0, m.accepted, "accepted before accepting")
    say("the server counts it: shown %s, dismissed %s", tostring(m.shown), tostring(m.dismissed))
  end

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
  eq("i", t.mode(), "mode after accepting")
  eq({ 2, #"    return a + b" }, lua("return vim.api.nvim_win_get_cursor(0)"), "cursor after accepting")
  say("accepted: %q", line(2))
  if outcomes then
    local m = wait_for(5000, "the server to count the acceptance", function()
      local m = metrics()
      return m and (m.accepted or 0) >= 1 and m
    end)
    local recent = vim.tbl_map(function(r)
      return r.outcome
    end, m.recent)
    assert(vim.tbl_contains(recent, "accepted"), "no accepted suggestion in the recent records: " .. vim.inspect(recent))
    say("the server counts it: shown %s, accepted %s, dismissed %s", tostring(m.shown), tostring(m.accepted), tostring(m.dismissed))
  else
    say("skipped suggestion outcomes: this server does not offer tandem.suggestionOutcome (contract.lua tests them)")
  end

  -- Explain, where this server has it.
  if vim.tbl_contains(commands, "tandem.explain") then
    input("<Esc>")
    lua("vim.cmd('1,2TandemExplain')")
    local answer = wait_for(120000, "the explain answer", function()
      return lua("return require('tandem.explain').last")
    end)
    assert(answer.markdown ~= "", "empty explanation")
    local float = lua([[
      local w = require("tandem.explain").window
      return w ~= nil and vim.api.nvim_win_is_valid(w) and vim.api.nvim_win_get_config(w).relative ~= ""
    ]])
    eq(true, float, "explanation in a floating window")
    say("explained (%s, %s): %d characters", answer.model, answer.route, #answer.markdown)
  else
    say("skipped explain: this server does not offer tandem.explain (contract.lua tests it)")
  end

  -- Next edits: rename the parameter `width` to `w` where `area` is defined; the server proposes
  -- `w` for its use in the body, marked at the end of that line; jump there and accept it.
  input("<Esc>")
  lua([[
    for _, w in ipairs(vim.api.nvim_list_wins()) do
      if vim.api.nvim_win_get_config(w).relative ~= "" then
        vim.api.nvim_win_close(w, true)
      end
    end
  ]])
  local area = dir .. "/area.py"
  vim.fn.writefile({
    "def area(width, height):",
    "    return width * height",
    "",
    "",
    "print(area(2, 3))",
    "total = area(4, 5)",
  }, area)
  t.edit(area)
  input("gg0f(lciww<Esc>")
  wait_for(5000, "the renamed parameter", function()
    return line(1) == "def area(w, height):" and t.mode() == "n"
  end)
  local ne = wait_for(30000, "a next edit on the use of width", function()
    local n = t.next_edits()
    for _, p in ipairs(n.list) do
      if p.marked and p.row == 1 and p.col == 11 and p.end_col == 16 and p.new_text == "w" then
        return n
      end
    end
  end)
  for _, p in ipairs(ne.list) do
    say("next edit %d (%s, %s): %d:%d-%d:%d -> %q", p.id, p.kind, p.reason, p.row, p.col, p.end_row, p.end_col, p.new_text)
  end
  local on_use = vim.tbl_filter(function(m)
    return m.row == 1
  end, ne.marks)
  eq("→ w", on_use[1] and on_use[1].text, "the replacement after the line")
  input("<M-n>")
  wait_for(2000, "the jump to the use", function()
    return vim.deep_equal(lua("return vim.api.nvim_win_get_cursor(0)"), { 2, 11 })
  end)
  input("<M-y>")
  wait_for(2000, "the accepted next edit", function()
    return line(2) == "    return w * height"
  end)
  eq({ "def area(w, height):", "    return w * height", "", "", "print(area(2, 3))", "total = area(4, 5)" },
    lua("return vim.api.nvim_buf_get_lines(0, 0, -1, false)"), "the buffer after accepting")
  eq("n", t.mode(), "mode after accepting a next edit")
  say("next edit accepted: %q", line(2))
  -- Asked again after the accepted edit: nothing is left to rename.
  vim.wait(2000)
  local left = t.next_edits().list
  for _, p in ipairs(left) do
    say("left after accepting: next edit %d (%s, %s) %d:%d -> %q", p.id, p.kind, p.reason, p.row, p.col, p.new_text)
  end
  eq({}, vim.tbl_filter(function(p)
    return p.new_text == "w"
  end, left), "no rename left")
end)
