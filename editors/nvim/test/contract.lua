-- The plugin against the server contract it codes to, with a stand-in server that answers at
-- once (editors/fake_server.py): `tandem/status` drives the status, `:TandemExplain` sends the exact
-- selected range to `tandem.explain` and shows the markdown in a floating window, the
-- settings arrive as initializationOptions, what became of each suggestion (shown,
-- accepted, dismissed) reaches the server with the suggestion's id, and next edits are marked,
-- jumped to, accepted and dismissed.
--
--   nvim --headless -u NONE -i NONE -n -c "luafile editors/nvim/test/contract.lua"
local t = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "driver.lua")
local eq, lua, input, wait_for, say = t.eq, t.lua, t.input, t.wait_for, t.say

-- The messages the stand-in server got, in order.
local function messages(log)
  local found = {}
  if vim.fn.filereadable(log) == 1 then
    for _, l in ipairs(vim.fn.readfile(log)) do
      local ok, m = pcall(vim.fn.json_decode, l) -- the last line may be half written
      if ok then
        found[#found + 1] = m
      end
    end
  end
  return found
end

local function requests(log, method)
  local found = {}
  for _, m in ipairs(messages(log)) do
    if m.method == method then
      found[#found + 1] = m.params
    end
  end
  return found
end

-- What the server heard of its suggestions, in order: `tandem/suggestionOutcome` notifications
-- and runs of the items' `tandem.suggestionOutcome` command.
local function outcomes(log)
  local found = {}
  for _, m in ipairs(messages(log)) do
    if m.method == "tandem/suggestionOutcome" then
      found[#found + 1] = { id = m.params.id, outcome = m.params.outcome, via = "notification" }
    elseif m.method == "workspace/executeCommand" and m.params.command == "tandem.suggestionOutcome" then
      local arg = m.params.arguments[1]
      found[#found + 1] = { id = arg.id, outcome = arg.outcome, via = "command" }
    end
  end
  return found
end

t.run("nvim contract", function()
  local log = vim.fn.tempname()
  vim.env.FAKE_TANDEM_LOG = log
  local fake = t.root .. "/editors/fake_server.py"
  local dir = t.start({ cmd = { "python3", fake }, settings = { max_tokens = 16, multiline = "never" } })
  local file = dir .. "/add.py"
  vim.fn.writefile({ "def add(a, b):", "    return a + b", "" }, file)
  t.edit(file)

  -- initializationOptions carry the settings.
  local init = wait_for(5000, "initialize", function()
    return requests(log, "initialize")[1]
  end)
  eq({ completion = { max_tokens = 16, multiline = "never" } }, init.initializationOptions, "initializationOptions")

  -- tandem/status: loading, then degraded, reaches the status and the statusline.
  local status = wait_for(5000, "status degraded", function()
    local s = lua("return require('tandem').status()")
    return s.state == "degraded" and s
  end)
  eq({ state = "degraded", model = "fake-model", detail = "remote unreachable; local model only" }, status, "status")
  eq("tandem: degraded", lua("return require('tandem').statusline()"), "statusline")
  say("status: %s", vim.inspect(status))

  -- A characterwise visual selection: the exact range (end after the last selected character).
  input("2G05lvt+<Esc>")
  wait_for(2000, "the selection", function()
    return lua("return vim.api.nvim_buf_get_mark(0, '>')[2]") == 12
  end)
  lua("vim.cmd(\"'<,'>TandemExplain\")")
  local answer = wait_for(5000, "the explain answer", function()
    return lua("return require('tandem.explain').last")
  end)
  local sent = requests(log, "workspace/executeCommand")[1]
  eq("tandem.explain", sent.command, "command")
  eq(vim.uri_from_fname(file), sent.arguments[1].uri, "uri")
  eq({ start = { line = 1, character = 5 }, ["end"] = { line = 1, character = 13 } }, sent.arguments[1].range, "range")
  eq(true, answer.degraded, "degraded answer")
  local shown = lua([[
    local w = require("tandem.explain").window
    if not (w and vim.api.nvim_win_is_valid(w)) then return nil end
    return {
      float = vim.api.nvim_win_get_config(w).relative ~= "",
      text = table.concat(vim.api.nvim_buf_get_lines(vim.api.nvim_win_get_buf(w), 0, -1, false), "\n"),
    }
  ]])
  assert(shown, "no explanation window")
  eq(true, shown.float, "a floating window")
  assert(shown.text:find("returns the sum", 1, true), "answer shown: " .. shown.text)
  assert(shown.text:find("(1:5-1:13)", 1, true), "range echoed: " .. shown.text)
  assert(shown.text:find("degraded: remote unreachable", 1, true), "degraded noted: " .. shown.text)
  say("explained lines: %s", vim.inspect(shown.text))

  -- A linewise range: whole lines. Its answer replaces the first one's window (still open) with
  -- a new one showing the new answer, and the cursor stays in the code.
  local first = lua("return require('tandem.explain').window")
  local source = lua("return { win = vim.api.nvim_get_current_win(), buf = vim.api.nvim_get_current_buf() }")
  eq(true, lua("return vim.api.nvim_win_is_valid(...)", first), "the first explanation still open")
  lua("vim.cmd('1,2TandemExplain')")
  wait_for(5000, "the second explain request", function()
    return #requests(log, "workspace/executeCommand") == 2
  end)
  eq(
    { start = { line = 0, character = 0 }, ["end"] = { line = 1, character = 16 } },
    requests(log, "workspace/executeCommand")[2].arguments[1].range,
    "line range"
  )
  local second = wait_for(5000, "the second explain answer", function()
    local a = lua("return require('tandem.explain').last")
    return type(a) == "table" and a.markdown:find("(0:0-1:16)", 1, true) and a
  end)
  eq(true, second.degraded, "second answer")
  shown = lua([[
    local first = ...
    local w = require("tandem.explain").window
    if not (w and vim.api.nvim_win_is_valid(w)) then return nil end
    return {
      win = w,
      float = vim.api.nvim_win_get_config(w).relative ~= "",
      text = table.concat(vim.api.nvim_buf_get_lines(vim.api.nvim_win_get_buf(w), 0, -1, false), "\n"),
      first_open = vim.api.nvim_win_is_valid(first),
      current = { win = vim.api.nvim_get_current_win(), buf = vim.api.nvim_get_current_buf() },
    }
  ]], first)
  assert(shown, "no window for the second explanation")
  eq(true, shown.float, "the second explanation in a floating window")
  assert(shown.win ~= first, "the second explanation in the first one's window")
  eq(false, shown.first_open, "the first explanation's window closed")
  assert(shown.text:find("(0:0-1:16)", 1, true), "the second answer shown: " .. shown.text)
  assert(not shown.text:find("(1:5-1:13)", 1, true), "the first answer gone: " .. shown.text)
  eq(source, shown.current, "the cursor stays in the code")
  say("explained again: %s", vim.inspect(shown.text))

  -- A buffer unloaded and loaded again gets its ghost text back. (The only listed buffer cannot
  -- be unloaded: E90.)
  lua("vim.cmd('enew'); vim.cmd('bunload! ' .. ...)", source.buf)
  eq(false, lua("return vim.api.nvim_buf_is_loaded(...)", source.buf), "add.py unloaded")
  t.edit(file)
  eq(source.buf, lua("return vim.api.nvim_get_current_buf()"), "add.py loaded again in its buffer")
  input("Goreturn ")
  local g = t.wait_ghost(5000, "ghost text in the reloaded buffer")
  eq("a + b", g.text, "suggestion after reloading")
  input("<Tab><Esc>")
  wait_for(2000, "the accepted suggestion", function()
    return t.line(4) == "return a + b"
  end)
  -- Shown, then accepted by running the item's command (tandem.suggestionOutcome) with its id.
  local heard = wait_for(3000, "the acceptance to reach the server", function()
    local o = outcomes(log)
    return #o >= 2 and o[#o].outcome == "accepted" and o
  end)
  local id = heard[#heard].id
  eq("number", type(id), "the suggestion's id")
  eq({ id = id, outcome = "shown", via = "notification" }, heard[#heard - 1], "shown")
  eq({ id = id, outcome = "accepted", via = "command" }, heard[#heard], "accepted")
  say("suggestion %d: shown, accepted", id)

  -- The id of the suggestion shown last, once it is on screen.
  local function shown(what)
    t.wait_ghost(5000, what)
    return wait_for(2000, what .. " (reported shown)", function()
      local o = outcomes(log)[#outcomes(log)]
      return o and o.outcome == "shown" and o.id
    end)
  end
  -- What the server heard of suggestion `id` after it was shown.
  local function after_shown(id)
    local found = {}
    for _, o in ipairs(outcomes(log)) do
      if o.id == id and o.outcome ~= "shown" then
        found[#found + 1] = o.outcome .. " by " .. o.via
      end
    end
    return found
  end
  local function heard_of(id, want, what)
    wait_for(2000, what, function()
      return #after_shown(id) > 0
    end)
    vim.wait(200) -- nothing more comes
    eq(want, after_shown(id), what)
  end

  -- Late answers are dropped: after a dismiss, after the cursor moved, after more typing.
  local function stays_empty(what)
    vim.wait(1800)
    local shown = t.ghost()
    eq({ text = nil, marks = 0 }, { text = shown.text, marks = shown.marks }, what)
  end
  input("oslow = ")
  vim.wait(300) -- the request is out, its answer a second away
  input("<C-]>")
  stays_empty("a late answer after a dismiss")
  input("<BS> ")
  vim.wait(300)
  input("<Left>")
  stays_empty("a late answer after the cursor moved")
  input("<End>x")
  vim.wait(300)
  input("y")
  local late = t.wait_ghost(5000, "the answer to the last keystroke")
  eq("a + b", late.text, "the answer to the last keystroke")
  eq("slow = xy", t.line(5), "the typed line")
  id = shown("the late suggestion")
  input("<Esc>")
  heard_of(id, { "dismissed by notification" }, "leaving insert mode dismisses the suggestion")
  say("late answers dropped")

  -- A block: shown on virtual lines, taken a line at a time, then whole.
  input("o    # block")
  local block = t.wait_ghost(5000, "a block suggestion")
  eq("\n    x = 1\n    y = 2", block.text, "the block")
  local virt = lua([[
    local g = require("tandem.ghost")
    local m = vim.api.nvim_buf_get_extmarks(0, g.namespace, 0, -1, { details = true })[1]
    local out = {}
    for _, l in ipairs(m[4].virt_lines or {}) do
      out[#out + 1] = l[1][1]
    end
    return out
  ]])
  eq({ "    x = 1", "    y = 2" }, virt, "virtual lines")
  id = shown("the block")
  input("<M-l>")
  wait_for(2000, "the first line of the block", function()
    return t.line(7) == "    x = 1"
  end)
  eq("\n    y = 2", lua("return require('tandem.ghost').current(0)"), "the rest of the block")
  input("<Tab>")
  wait_for(2000, "the whole block", function()
    return t.line(8) == "    y = 2"
  end)
  eq({ "    # block", "    x = 1", "    y = 2" }, lua("return vim.api.nvim_buf_get_lines(0, 5, 8, false)"), "block lines")
  eq({ 8, 9 }, lua("return vim.api.nvim_win_get_cursor(0)"), "cursor after the block")
  input("<Esc>")
  heard_of(id, { "accepted by command" }, "a block accepted in two parts is accepted once")
  say("block accepted line by line")

  -- Dismissals: the dismiss key, moving away, typing something else; typing the suggestion out
  -- is none (the server tells that from the text).
  input("oreturn ")
  id = shown("a suggestion to dismiss")
  input("<C-]>")
  heard_of(id, { "dismissed by notification" }, "the dismiss key")
  input("<M-\\>")
  id = shown("a suggestion to move away from")
  input("<Left>")
  heard_of(id, { "dismissed by notification" }, "moving away")
  input("<End><M-\\>")
  id = shown("a suggestion to type over")
  input("z")
  heard_of(id, { "dismissed by notification" }, "typing something else")
  id = shown("a suggestion to type out")
  input("a + b")
  wait_for(5000, "the next suggestion", function()
    local o = outcomes(log)[#outcomes(log)]
    return o and o.outcome == "shown" and o.id ~= id
  end)
  eq({}, after_shown(id), "typing a suggestion out")
  eq("return za + b", t.line(9), "the typed line")
  input("<Esc>")
  -- Nothing is reported of a suggestion never shown (late answers), or twice.
  local seen = {}
  for _, o in ipairs(outcomes(log)) do
    local key = o.id .. " " .. o.outcome
    assert(not seen[key], "reported twice: " .. key)
    assert(o.outcome == "shown" or seen[o.id .. " shown"], "never shown: " .. key)
    seen[key] = true
  end
  say("suggestion outcomes reported: %d messages", #outcomes(log))

  -- Next edits: renaming `width` to `w` in `def area(` makes the stand-in propose `w` for the
  -- other `width` words, two in this file and two in uses.py (not open). They are marked here,
  -- jumped to (the other file opened), accepted, gone stale, dismissed, and what became of each
  -- reaches the server.
  local area = dir .. "/area.py"
  vim.fn.writefile({ "def area(width, height):", "    half = width / 2", "    return width * height" }, area)
  vim.fn.writefile({ "width = 3", "print(width)" }, dir .. "/uses.py")
  t.edit(area)
  local area_uri, uses_uri = vim.uri_from_fname(area), vim.uri_from_fname(dir .. "/uses.py")
  -- Typing in insert mode asks nothing (a pause in a word is no edit); leaving it asks.
  vim.wait(500) -- the request after leaving insert mode in add.py
  local before = #requests(log, "tandem/nextEdits")
  input("gg0f(lciww")
  vim.wait(600)
  eq(before, #requests(log, "tandem/nextEdits"), "nothing asked in insert mode")
  input("<Esc>")
  local ne = wait_for(5000, "next edits after the rename", function()
    local n = t.next_edits()
    return #n.list == 4 and #n.marks == 2 and n
  end)
  eq("def area(w, height):", t.line(1), "the renamed line")
  eq({ { row = 1, col = 11, text = "→ w" }, { row = 2, col = 11, text = "→ w" } }, ne.marks, "marks after the lines")
  local function brief(list)
    return vim.tbl_map(function(p)
      return { p.uri == area_uri and "area" or p.uri == uses_uri and "uses" or p.uri, p.row, p.col, p.marked }
    end, list)
  end
  eq({ { "area", 1, 11, true }, { "area", 2, 11, true }, { "uses", 0, 0, false }, { "uses", 1, 6, false } },
    brief(ne.list), "the proposals, uses.py not marked")
  local ids = vim.tbl_map(function(p)
    return p.id
  end, ne.list)
  local sent = requests(log, "tandem/nextEdits")
  eq(area_uri, sent[#sent].textDocument.uri, "asked about the edited file")
  eq("number", type(sent[#sent].textDocument.version), "with its version")
  -- What the server heard of next edits (ids from 101 on), in order.
  local function heard_next()
    return vim.tbl_filter(function(o)
      return o.id >= 101
    end, outcomes(log))
  end
  wait_for(2000, "the marked ones reported shown", function()
    return #heard_next() == 2
  end)
  eq({ { id = ids[1], outcome = "shown", via = "notification" }, { id = ids[2], outcome = "shown", via = "notification" } },
    heard_next(), "shown: the marked ones")

  -- Jump to the first, accept it: the buffer changes, the server hears it, the rest stays.
  input("<M-n>")
  wait_for(2000, "the jump", function()
    return vim.deep_equal(lua("return vim.api.nvim_win_get_cursor(0)"), { 2, 11 })
  end)
  input("<M-y>")
  wait_for(2000, "the accepted edit", function()
    return t.line(2) == "    half = w / 2"
  end)
  eq("n", t.mode(), "still in normal mode")
  wait_for(2000, "the acceptance to reach the server", function()
    local h = heard_next()
    return h[#h].outcome == "accepted" and h[#h].id == ids[1]
  end)
  ne = wait_for(5000, "the next edits asked again", function()
    local n = t.next_edits()
    return #n.list == 3 and #requests(log, "tandem/nextEdits") > #sent and n
  end)
  eq({ { "area", 2, 11, true }, { "uses", 0, 0, false }, { "uses", 1, 6, false } }, brief(ne.list), "the rest")

  -- Jump twice: the next place here, then uses.py, opened and marked.
  input("<M-n>")
  wait_for(2000, "the second place", function()
    return vim.deep_equal(lua("return vim.api.nvim_win_get_cursor(0)"), { 3, 11 })
  end)
  input("<M-n>")
  wait_for(5000, "uses.py to open at its first place", function()
    return lua("return vim.api.nvim_buf_get_name(0)") == vim.fn.resolve(dir .. "/uses.py")
      and vim.deep_equal(lua("return vim.api.nvim_win_get_cursor(0)"), { 1, 0 })
  end)
  ne = wait_for(5000, "marks in uses.py", function()
    local n = t.next_edits()
    return #n.marks == 2 and n
  end)
  eq({ { row = 0, col = 0, text = "→ w" }, { row = 1, col = 6, text = "→ w" } }, ne.marks, "marks in uses.py")
  -- Editing a place by hand makes its proposal stale: it goes at once.
  local asked = #requests(log, "tandem/nextEdits")
  input("ciwheight<Esc>")
  wait_for(2000, "the stale proposal to go", function()
    local n = t.next_edits()
    return #n.marks == 1 and n.marks[1].row == 1
  end)
  eq("height = 3", t.line(1), "the edited line")
  -- Dismiss: every proposal goes, and the server hears it of each.
  wait_for(5000, "the next edits asked again after the edit", function()
    return #requests(log, "tandem/nextEdits") > asked
  end)
  vim.wait(300) -- its answer
  eq({ { "area", 2, 11, true }, { "uses", 1, 6, true } }, brief(t.next_edits().list), "the rest, answered again")
  input("<M-d>")
  wait_for(2000, "the dismissal", function()
    local n = t.next_edits()
    return #n.list == 0 and #n.marks == 0
  end)
  local dismissed = wait_for(2000, "the dismissals to reach the server", function()
    local d = vim.tbl_filter(function(o)
      return o.outcome == "dismissed"
    end, heard_next())
    return #d >= 2 and d
  end)
  vim.wait(200) -- nothing more comes
  eq({ ids[2], ids[4] }, vim.tbl_map(function(o)
    return o.id
  end, vim.tbl_filter(function(o)
    return o.outcome == "dismissed"
  end, heard_next())), "dismissed: the two left")
  eq(2, #dismissed, "two dismissed")
  eq({}, vim.tbl_filter(function(o)
    return o.id == ids[1] and o.outcome ~= "shown" and o.outcome ~= "accepted"
  end, heard_next()), "nothing more of the accepted one")
  vim.wait(500)
  eq(0, #t.next_edits().list, "dismissed ones stay gone")
  -- With nothing proposed the keys do what they did: <M-y> accepts nothing.
  input("<M-y>")
  vim.wait(200)
  eq({ "height = 3", "print(width)" }, lua("return vim.api.nvim_buf_get_lines(0, 0, -1, false)"), "uses.py untouched")
  say("next edits: marked, jumped to (across files), accepted, gone stale, dismissed")

  -- configure() sends the changed settings; a server that dies shows as an error.
  lua("require('tandem').configure({ max_tokens = 8 })")
  wait_for(5000, "the configuration change", function()
    return requests(log, "workspace/didChangeConfiguration")[1]
  end)
  eq({ settings = { completion = { max_tokens = 8 } } }, requests(log, "workspace/didChangeConfiguration")[1], "didChangeConfiguration")
  lua("require('tandem').configure({ crash = true })")
  local dead = wait_for(5000, "the status after the server died", function()
    local s = lua("return require('tandem').status()")
    return s.state == "error" and s
  end)
  assert(dead.detail:find("code 7", 1, true), "exit code in the status: " .. vim.inspect(dead))
  eq(vim.NIL, lua("return require('tandem').client()"), "no client after the exit")
  say("server exit: %s", dead.detail)
end)
