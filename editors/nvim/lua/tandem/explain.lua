-- :TandemExplain: asks the server to explain a range (or the code at the cursor) through the
-- `tandem.explain` command and shows the markdown answer in a floating window.
local util = require("tandem.util")

local M = {}

local api = vim.api

local function line_text(buf, row)
  return api.nvim_buf_get_lines(buf, row, row + 1, false)[1] or ""
end

--- The LSP range of lines `line1`..`line2` (1-based, inclusive); when the last visual selection
--- is exactly on those lines, its columns too.
function M.range(buf, line1, line2, encoding)
  local srow, scol, erow, ecol = line1 - 1, 0, line2 - 1, #line_text(buf, line2 - 1)
  local vs, ve = api.nvim_buf_get_mark(buf, "<"), api.nvim_buf_get_mark(buf, ">")
  if vs[1] == line1 and ve[1] == line2 and vim.fn.visualmode() == "v" then
    scol = vs[2]
    local last = line_text(buf, erow)
    -- The mark is on the last selected character: the range ends after it.
    ecol = math.min(#last, ve[2] + #vim.fn.strcharpart(last:sub(ve[2] + 1), 0, 1))
  end
  return {
    start = { line = srow, character = util.to_units(line_text(buf, srow), scol, encoding) },
    ["end"] = { line = erow, character = util.to_units(line_text(buf, erow), ecol, encoding) },
  }
end

--- The markdown lines of an explain answer, with a footer saying where it came from.
function M.format(answer)
  local lines = vim.split(answer.markdown or "", "\n", { plain = true })
  local origin = { answer.model, answer.route }
  local footer = "_" .. table.concat(vim.tbl_filter(function(v)
    return type(v) == "string" and v ~= ""
  end, origin), " · ") .. "_"
  if answer.degraded then
    footer = footer .. " (degraded" .. (answer.reason and answer.reason ~= "" and (": " .. answer.reason) or "") .. ")"
  end
  if footer ~= "__" then
    vim.list_extend(lines, { "", "---", footer })
  end
  return lines
end

--- Shows `lines` in a new floating window in place of the last explanation's, leaving the cursor
--- where it is.
local function show(lines)
  -- The last explanation's window goes, whichever buffer it was opened from (the preview only
  -- replaces a float opened from the current buffer).
  if M.window and api.nvim_win_is_valid(M.window) then
    api.nvim_win_close(M.window, true)
  end
  M.window = nil
  local _, win = vim.lsp.util.open_floating_preview(lines, "markdown", {
    border = "rounded",
    focus_id = "tandem_explain",
    -- With a focus_id and focus on (the default), a call while a float with that id is open
    -- moves the cursor into the old float and returns it without showing `lines`.
    focus = false,
    max_width = math.max(40, math.floor(vim.o.columns * 0.6)),
    max_height = math.max(10, math.floor(vim.o.lines * 0.6)),
  })
  M.window = win
  return win
end

-- Counts explain requests, so that only the answer to the last one is shown.
local generation = 0

--- Explains lines `line1`..`line2` of the current buffer (exactly the selection when it came
--- from a characterwise visual selection of those lines).
function M.run(line1, line2)
  local tandem = require("tandem")
  local buf = api.nvim_get_current_buf()
  local c = tandem.client()
  if not c or not vim.lsp.buf_is_attached(buf, c.id) then
    tandem.error("tandem is not attached to this buffer (see :TandemStatus)")
    return
  end
  local arg = { uri = vim.uri_from_bufnr(buf), range = M.range(buf, line1, line2, c.offset_encoding) }
  vim.notify("tandem: explaining…", vim.log.levels.INFO)
  M.last = nil
  generation = generation + 1
  local this = generation
  util.request(c, "workspace/executeCommand", { command = "tandem.explain", arguments = { arg } }, function(err, result)
    if this ~= generation then
      return -- a later explain was asked for: its answer is the one to show
    end
    if err then
      local msg = err.message or vim.inspect(err)
      if err.code == -32601 then
        msg = "this tandem has no explain command; update tandem"
      end
      tandem.error("explain failed: " .. msg)
      return
    end
    if type(result) ~= "table" or type(result.markdown) ~= "string" then
      tandem.error("explain: unexpected answer " .. vim.inspect(result))
      return
    end
    M.last = result
    show(M.format(result))
  end, buf)
end

return M
