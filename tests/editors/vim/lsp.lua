-- Neovim's built-in LSP client against `mml lsp`, through editors/vim/lua/mml.lua (run by
-- tests/it/editor_vim.rs). $MML_BIN is the server binary, $MML_OUT a folder holding doc.mml;
-- the result goes to $MML_OUT/lsp-result.txt: "ok", or what failed.
local out = os.getenv("MML_OUT")
local steps = {}

local function finish(msg)
  local f = assert(io.open(out .. "/lsp-result.txt", "w"))
  f:write(msg, "\n", "steps: ", table.concat(steps, ", "), "\n")
  f:close()
  for _, client in pairs((vim.lsp.get_clients or vim.lsp.get_active_clients)()) do
    vim.lsp.stop_client(client.id, true)
  end
  vim.cmd(msg == "ok" and "qall!" or "cquit!")
end

local function check(cond, msg)
  if not cond then
    finish("FAILED: " .. msg)
    error(msg)
  end
end

local ok, err = pcall(function()
  -- As the README says: setup() starts the server in every MML buffer.
  require("mml").setup({ cmd = { os.getenv("MML_BIN"), "lsp" } })
  vim.cmd("edit " .. vim.fn.fnameescape(out .. "/doc.mml"))
  local buf = vim.api.nvim_get_current_buf()
  check(vim.bo.filetype == "mml", "filetype of doc.mml is '" .. vim.bo.filetype .. "'")
  table.insert(steps, "filetype")

  local function attached(b)
    b = (b == 0 or b == nil) and vim.api.nvim_get_current_buf() or b
    -- vim.lsp.get_clients is Neovim 0.10's name for buf_get_clients.
    local all = vim.lsp.get_clients and vim.lsp.get_clients({ bufnr = b }) or vim.lsp.buf_get_clients(b)
    for _, c in pairs(all) do
      if c.name == "mml" then
        return c.id, c
      end
    end
  end
  check(vim.wait(5000, function()
    local _, c = attached(buf)
    return c ~= nil and c.initialized
  end, 20), "no initialized `mml` client attached to doc.mml within 5 s")
  local id = attached(buf)
  table.insert(steps, "started")

  -- A second file of the same folder shares the server.
  vim.cmd("edit " .. vim.fn.fnameescape(out .. "/other.mml"))
  check(vim.wait(3000, function() return attached(0) ~= nil end, 20), "no client attached to other.mml")
  check(attached(0) == id, "other.mml got a second server")
  vim.cmd("buffer " .. buf)
  table.insert(steps, "shared")

  -- A diagnostic for the misspelt builtin on line 2.
  local function diags()
    return vim.diagnostic.get(buf)
  end
  check(vim.wait(5000, function() return #diags() > 0 end, 20), "no diagnostic within 5 s")
  local d = diags()[1]
  check(#diags() == 1, "expected one diagnostic, got " .. vim.inspect(diags()))
  check(d.lnum == 1 and d.col == 4, "diagnostic at " .. d.lnum .. ":" .. d.col .. ", expected 1:4")
  check(d.message:find("linspce", 1, true) and d.message:find("linspace", 1, true),
    "unexpected diagnostic message: " .. d.message)
  table.insert(steps, "diagnostic")

  -- Fix it: the diagnostic goes away.
  vim.api.nvim_buf_set_text(buf, 1, 4, 1, 11, { "linspace" })
  check(vim.wait(5000, function() return #diags() == 0 end, 20),
    "the diagnostic was not cleared within 5 s of the fix: " .. vim.inspect(diags()))
  table.insert(steps, "cleared")

  local uri = vim.uri_from_bufnr(buf)
  local function request(method, line, character)
    local params = { textDocument = { uri = uri }, position = { line = line, character = character } }
    local responses, e = vim.lsp.buf_request_sync(buf, method, params, 3000)
    check(responses ~= nil, method .. ": no answer within 3 s (" .. tostring(e) .. ")")
    for _, r in pairs(responses) do
      check(r.err == nil, method .. ": error " .. vim.inspect(r.err))
      return r.result
    end
    check(false, method .. ": no client answered")
  end

  -- Hover on the builtin `linspace` (line 2) shows its documentation.
  local hover = request("textDocument/hover", 1, 6)
  check(hover and hover.contents, "hover returned nothing")
  local text = hover.contents.value or vim.inspect(hover.contents)
  check(text:find("linspace(a, b, n = 100)", 1, true), "hover text lacks the signature: " .. text)
  table.insert(steps, "hover")

  -- Definition of the user function `double` used on line 6 is on line 3.
  local def = request("textDocument/definition", 5, 5)
  check(def ~= nil, "definition returned nothing")
  local loc = def.range and def or def[1]
  check(loc and loc.range, "definition returned no location: " .. vim.inspect(def))
  check(loc.uri == uri, "definition in another file: " .. tostring(loc.uri))
  check(loc.range.start.line == 2, "definition on line " .. (loc.range.start.line + 1) .. ", expected 3")
  table.insert(steps, "definition")
  finish("ok")
end)
if not ok then
  finish("FAILED: " .. tostring(err))
end
