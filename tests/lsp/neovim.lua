-- Driven by tests/lsp_neovim.rs: Neovim (headless, no user config) opens FILE, starts `WARDEN lsp` as its
-- language client for ROOT, and writes what a user would see to OUT as JSON: the diagnostics on open, the code
-- actions on the first one, the buffer after applying the environment-lookup fix, the diagnostics after that
-- edit, and the hover text. Works with Neovim 0.7 (Debian 12) and later.
local warden, root, file, out = os.getenv('WARDEN'), os.getenv('ROOT'), os.getenv('FILE'), os.getenv('OUT')
local result = { errors = {} }

local function finish()
  local f = assert(io.open(out, 'w'))
  f:write(vim.fn.json_encode(result))
  f:close()
  vim.cmd('qa!')
end

local ok, err = pcall(function()
  vim.cmd('edit ' .. vim.fn.fnameescape(file))
  local buf = vim.api.nvim_get_current_buf()
  local id = vim.lsp.start_client({
    name = 'warden',
    cmd = { warden, 'lsp', '--debounce', '50' },
    root_dir = root,
    flags = { debounce_text_changes = 20 },
  })
  assert(id, 'the client did not start')
  vim.lsp.buf_attach_client(buf, id)

  local function diagnostics()
    return vim.tbl_map(function(d)
      local lsp = d.user_data and d.user_data.lsp or {}
      return {
        code = d.code or lsp.code,
        source = d.source or lsp.source,
        line = d.lnum,
        col = d.col,
        severity = d.severity,
        message = d.message,
      }
    end, vim.diagnostic.get(buf))
  end

  assert(vim.wait(30000, function() return #vim.diagnostic.get(buf) > 0 end, 50), 'no diagnostics on open')
  result.opened = diagnostics()
  local first = vim.diagnostic.get(buf)[1]

  -- Hover at the finding.
  vim.api.nvim_win_set_cursor(0, { first.lnum + 1, first.col })
  local hover = vim.lsp.buf_request_sync(buf, 'textDocument/hover', vim.lsp.util.make_position_params(), 10000)
  for _, r in pairs(hover or {}) do
    if r.result and r.result.contents then result.hover = r.result.contents.value end
  end

  -- Code actions on it; apply the environment lookup.
  local params = vim.lsp.util.make_range_params()
  params.context = { diagnostics = {} }
  local actions = vim.lsp.buf_request_sync(buf, 'textDocument/codeAction', params, 10000)
  result.actions = {}
  for _, r in pairs(actions or {}) do
    for _, a in ipairs(r.result or {}) do
      table.insert(result.actions, a.title)
      if a.title:find('read the credential', 1, true) then
        vim.lsp.util.apply_workspace_edit(a.edit, 'utf-16')
      end
    end
  end
  result.text = vim.api.nvim_buf_get_lines(buf, 0, -1, false)

  -- The edit goes to the server as a change; the finding goes away.
  result.cleared = vim.wait(30000, function() return #vim.diagnostic.get(buf) == 0 end, 50)
  result.after_fix = diagnostics()
end)
if not ok then table.insert(result.errors, tostring(err)) end
finish()
