-- Neovim: the MML language server (`mml lsp`) for MML buffers, on Neovim 0.7 and later.
--
--   require("mml").setup()                          -- every MML buffer gets `mml lsp`
--   require("mml").setup({ cmd = { "/path/to/mml", "lsp" } })
--
-- On Neovim 0.8+ this is `vim.lsp.start`; on 0.7 `vim.lsp.start_client` and
-- `vim.lsp.buf_attach_client`, with one client per project folder.
local M = {}

-- Options: `cmd` (the server command), `name`, and anything else `vim.lsp.start_client`
-- takes (`on_attach`, `capabilities`, `settings`, ...).
M.config = { name = "mml", cmd = { "mml", "lsp" } }

-- Project folder -> client id, for Neovim 0.7 (0.8+ reuses clients itself).
local clients = {}

local function folder(bufnr)
  local file = vim.api.nvim_buf_get_name(bufnr)
  if file == "" then
    return vim.fn.getcwd()
  end
  return vim.fn.fnamemodify(file, ":p:h")
end

-- Starts (or reuses) the server for buffer `bufnr` (default: the current one) and attaches
-- it; `opts` override `M.config` for this call. Returns the client id, or nil when the server
-- cannot be started.
function M.start(bufnr, opts)
  if bufnr == nil or bufnr == 0 then
    bufnr = vim.api.nvim_get_current_buf()
  end
  local config = vim.tbl_extend("force", { root_dir = folder(bufnr) }, M.config, opts or {})
  if vim.lsp.start then
    return vim.lsp.start(config, { bufnr = bufnr })
  end
  local id = clients[config.root_dir]
  local client = id and vim.lsp.get_client_by_id(id)
  if not client or client.is_stopped() then
    id = vim.lsp.start_client(config)
    clients[config.root_dir] = id
  end
  if id then
    vim.lsp.buf_attach_client(bufnr, id)
  end
  return id
end

-- Sets options (merged into `M.config`) and starts the server in every MML buffer, those open
-- now and those opened later.
function M.setup(opts)
  M.config = vim.tbl_extend("force", M.config, opts or {})
  local group = vim.api.nvim_create_augroup("mml_lsp", { clear = true })
  vim.api.nvim_create_autocmd("FileType", {
    group = group,
    pattern = "mml",
    callback = function(args)
      M.start(args.buf)
    end,
  })
  for _, buf in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(buf) and vim.bo[buf].filetype == "mml" then
      M.start(buf)
    end
  end
end

return M
