-- Pure helpers (no editor state): position encodings, partial accepts, suggestion ids, version
-- checks.
local M = {}

-- Length in bytes of the UTF-8 sequence that starts with byte `b`.
local function seq_len(b)
  if b >= 0xF0 then
    return 4
  elseif b >= 0xE0 then
    return 3
  elseif b >= 0xC0 then
    return 2
  end
  return 1
end

-- Code units one UTF-8 sequence of `len` bytes takes in `encoding`.
local function units_of(len, encoding)
  if encoding == "utf-16" then
    return len == 4 and 2 or 1
  end
  return 1 -- utf-32: one unit per character
end

--- A 0-based byte column of `line` as a column in the client's position encoding.
function M.to_units(line, byte, encoding)
  if encoding == "utf-8" then
    return byte
  end
  local units, i = 0, 1
  while i <= byte and i <= #line do
    local len = seq_len(line:byte(i))
    units = units + units_of(len, encoding)
    i = i + len
  end
  return units
end

--- A column in the client's position encoding as a 0-based byte column of `line` (clamped to
--- the line's end, as LSP asks).
function M.to_byte(line, units, encoding)
  if encoding == "utf-8" then
    return math.min(units, #line)
  end
  local count, i = 0, 1
  while i <= #line and count < units do
    local len = seq_len(line:byte(i))
    count = count + units_of(len, encoding)
    i = i + len
  end
  return i - 1
end

--- The next word of `text` with the blanks before it (or the next run of punctuation, or a
--- line break): what "accept word" inserts.
function M.next_word(text)
  if text:sub(1, 1) == "\n" then
    return "\n"
  end
  return text:match("^[ \t]*[%w_]+")
    or text:match("^[ \t]*[^%w_%s]+")
    or text:match("^[ \t]+")
    or text
end

--- The rest of the current line of `text`, or the line break and the next line when `text`
--- starts with one: what "accept line" inserts.
function M.next_line(text)
  local line = text:match("^[^\n]+")
  if line then
    return line
  end
  return text:match("^\n[^\n]*") or text
end

--- The text of an inline completion item's insertText (a string or a StringValue).
function M.insert_text(item)
  local t = item and item.insertText
  if type(t) == "table" then
    return t.value
  end
  return t
end

--- The id tandem gave an inline completion item (the argument of its
--- `tandem.suggestionOutcome` command), or nil.
function M.suggestion_id(item)
  local cmd = type(item) == "table" and item.command
  if type(cmd) ~= "table" or cmd.command ~= "tandem.suggestionOutcome" or type(cmd.arguments) ~= "table" then
    return nil
  end
  local arg = cmd.arguments[1]
  return type(arg) == "table" and type(arg.id) == "number" and arg.id or nil
end

--- The version of `buf` the LSP client last sent the server (its changedtick where Neovim
--- keeps no separate count).
function M.version(buf)
  local versions = vim.lsp.util.buf_versions
  return versions and versions[buf] or vim.api.nvim_buf_get_changedtick(buf)
end

--- Whether Neovim is at least `major.minor`.
function M.has(version)
  return vim.fn.has("nvim-" .. version) == 1
end

-- Client methods are called with `:` from Neovim 0.11 on (the `.` form is deprecated there).
local colon = M.has("0.11")

--- client.request / client:request
function M.request(client, method, params, handler, bufnr)
  if colon then
    return client:request(method, params, handler, bufnr)
  end
  return client.request(method, params, handler, bufnr)
end

--- client.notify / client:notify
function M.notify(client, method, params)
  if colon then
    return client:notify(method, params)
  end
  return client.notify(method, params)
end

--- client.cancel_request / client:cancel_request
function M.cancel(client, id)
  if colon then
    return client:cancel_request(id)
  end
  return client.cancel_request(id)
end

return M
