-- Unit tests of the plugin's pure helpers (no server):
--   nvim --headless -u NONE -i NONE -n -c "luafile editors/nvim/test/unit.lua"
local here = debug.getinfo(1, "S").source:sub(2):match("(.*)/test/[^/]*$")
vim.opt.runtimepath:prepend(vim.fn.fnamemodify(here, ":p"))

local util = require("tandem.util")
local explain = require("tandem.explain")

local failures, count = 0, 0
local function eq(want, got, what)
  count = count + 1
  if not vim.deep_equal(want, got) then
    failures = failures + 1
    io.stdout:write(("FAIL %s: expected %s, got %s\n"):format(what, vim.inspect(want), vim.inspect(got)))
  end
end

-- "hé 😀x": h(1) é(2 bytes) space(1) 😀(4 bytes, 2 UTF-16 units) x(1)
local line = "hé 😀x"
eq(0, util.to_units(line, 0, "utf-16"), "start")
eq(2, util.to_units(line, 3, "utf-16"), "after é, utf-16")
eq(5, util.to_units(line, 8, "utf-16"), "after the emoji, utf-16")
eq(4, util.to_units(line, 8, "utf-32"), "after the emoji, utf-32")
eq(8, util.to_units(line, 8, "utf-8"), "utf-8 is bytes")
eq(3, util.to_byte(line, 2, "utf-16"), "utf-16 2 -> byte 3")
eq(8, util.to_byte(line, 5, "utf-16"), "utf-16 5 -> byte 8")
eq(9, util.to_byte(line, 6, "utf-16"), "utf-16 6 -> byte 9")
eq(#line, util.to_byte(line, 99, "utf-16"), "past the end clamps")
eq(#line, util.to_byte(line, 99, "utf-8"), "past the end clamps (utf-8)")
for byte = 0, #line do
  local ok = byte == 0 or byte == 1 or byte == 3 or byte == 4 or byte == 8 or byte == 9
  if ok then
    eq(byte, util.to_byte(line, util.to_units(line, byte, "utf-16"), "utf-16"), "round trip " .. byte)
  end
end

eq("a", util.next_word("a + b"), "word")
eq(" +", util.next_word(" + b"), "punctuation with its blank")
eq(" b", util.next_word(" b"), "word with its blank")
eq("foo_bar1", util.next_word("foo_bar1(x)"), "identifier")
eq("\n", util.next_word("\n    return x"), "line break")
eq("a + b", util.next_line("a + b\nc"), "line")
eq("\n    c", util.next_line("\n    c\nd"), "next line")
eq("x", util.insert_text({ insertText = "x" }), "string insertText")
eq("y", util.insert_text({ insertText = { kind = "snippet", value = "y" } }), "StringValue insertText")
eq(nil, util.insert_text(nil), "no item")

local outcome = { title = "t", command = "tandem.suggestionOutcome", arguments = { { id = 7, outcome = "accepted" } } }
eq(7, util.suggestion_id({ insertText = "x", command = outcome }), "suggestion id")
eq(nil, util.suggestion_id({ insertText = "x" }), "no command, no id")
eq(nil, util.suggestion_id({ command = { command = "other.command", arguments = { { id = 7 } } } }), "another command")
eq(nil, util.suggestion_id({ command = { command = "tandem.suggestionOutcome", arguments = { { id = "7" } } } }), "bad id")
eq(nil, util.suggestion_id(nil), "no item, no id")

eq({ "Adds.", "", "---", "_qwen · local_" }, explain.format({ markdown = "Adds.", model = "qwen", route = "local" }), "format")
eq(
  { "x", "", "---", "_m · remote_ (degraded: offline)" },
  explain.format({ markdown = "x", model = "m", route = "remote", degraded = true, reason = "offline" }),
  "format degraded"
)
eq({ "only" }, explain.format({ markdown = "only" }), "format without origin")

-- A missing server binary: one clear error, no client, status "error".
local messages = {}
vim.notify = function(msg, level)
  messages[#messages + 1] = { msg = msg, level = level }
end
local tandem = require("tandem")
tandem.setup({ cmd = { "/nonexistent/tandem", "lsp" } })
local file = vim.fn.tempname() .. ".py"
vim.fn.writefile({ "x = 1" }, file)
vim.cmd("filetype on")
vim.cmd("edit " .. file)
vim.cmd("split " .. vim.fn.tempname() .. ".py")
eq("error", tandem.status().state, "status without a binary")
eq(nil, tandem.client(), "no client without a binary")
eq(1, #messages, "one message")
eq(vim.log.levels.ERROR, messages[1] and messages[1].level, "an error")
eq(true, messages[1] ~= nil and messages[1].msg:find("/nonexistent/tandem", 1, true) ~= nil, "names the command")
eq(true, messages[1] ~= nil and messages[1].msg:find("setup({ cmd", 1, true) ~= nil, "says how to configure it")

io.stdout:write(("%d checks, %d failed\n"):format(count, failures))
vim.cmd(failures == 0 and "qall!" or "cquit 1")
