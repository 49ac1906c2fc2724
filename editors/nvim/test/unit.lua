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

-- Next edits: the answer's proposals (malformed ones left out), the text after a line, where
-- "jump" goes and what "accept" takes.
local nextedit = require("tandem.nextedit")
local range = { start = { line = 1, character = 11 }, ["end"] = { line = 1, character = 16 } }
local edit = { id = 3, uri = "file:///w/a.py", range = range, newText = "w", kind = "rename", reason = "r", confidence = 0.9 }
eq({ { id = 3, uri = "file:///w/a.py", range = range, new_text = "w", kind = "rename", reason = "r", confidence = 0.9 } },
  nextedit.parse({ edits = { edit } }), "a proposal")
eq({ { id = 4, uri = "u", range = range, new_text = "", kind = "", reason = "", confidence = nil } },
  nextedit.parse({ edits = { { id = 4, uri = "u", range = range, newText = "" } } }), "a deletion, no kind")
eq({}, nextedit.parse({ edits = { { id = "5", uri = "u", range = range, newText = "x" } } }), "a string id")
eq({}, nextedit.parse({ edits = { { id = 5, uri = "u", range = { start = {} }, newText = "x" } } }), "a bad range")
eq({}, nextedit.parse({ edits = {} }), "no edits")
eq({}, nextedit.parse(vim.NIL), "null")
eq("→ w", nextedit.label("w"), "label")
eq("→ (delete)", nextedit.label(""), "label of a deletion")
eq("→ a⏎b", nextedit.label("a\nb"), "line breaks in a label")
eq("→ abcd…", nextedit.label("abcdefgh", 5), "a long label is cut")
eq("→ é…", nextedit.label("ééé", 2), "cut by characters")
local places = {
  { uri = "a", row = 1, col = 11, end_row = 1, end_col = 16 },
  { uri = "b", row = 0, col = 0, end_row = 0, end_col = 5 },
  { uri = "a", row = 3, col = 4, end_row = 3, end_col = 9 },
  { uri = "a", row = 1, col = 2, end_row = 1, end_col = 7 },
}
eq(4, nextedit.next_place(places, { uri = "a", row = 0, col = 0 }), "jump: the next place in the file")
eq(1, nextedit.next_place(places, { uri = "a", row = 1, col = 2 }), "jump: from a place to the next")
eq(3, nextedit.next_place(places, { uri = "a", row = 1, col = 12 }), "jump: from inside a place")
eq(2, nextedit.next_place(places, { uri = "a", row = 3, col = 4 }), "jump: then another file")
eq(1, nextedit.next_place(places, { uri = "b", row = 0, col = 0 }), "jump: back to the best place of the other file")
eq(2, nextedit.next_place({ places[1], places[4] }, { uri = "a", row = 2, col = 0 }), "jump: wraps around")
eq(1, nextedit.next_place({ places[2] }, { uri = "b", row = 0, col = 0 }), "jump: the only place")
eq(nil, nextedit.next_place({}, { uri = "a", row = 0, col = 0 }), "jump: nowhere")
eq(1, nextedit.place_at(places, { uri = "a", row = 1, col = 11 }), "accept: at the start")
eq(1, nextedit.place_at(places, { uri = "a", row = 1, col = 16 }), "accept: at the end")
eq(4, nextedit.place_at(places, { uri = "a", row = 1, col = 8 }), "accept: nearest on the line")
eq(3, nextedit.place_at(places, { uri = "a", row = 3, col = 0 }), "accept: on the line")
eq(nil, nextedit.place_at(places, { uri = "a", row = 2, col = 0 }), "accept: not on another line")
eq(nil, nextedit.place_at(places, { uri = "c", row = 1, col = 11 }), "accept: not in another file")

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
