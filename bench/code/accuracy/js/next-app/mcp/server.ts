import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { execFileSync, execSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

const server = new McpServer({ name: 'repo-tools', version: '1.0.0' });
const WORKSPACE = '/workspace';

server.tool('grep', { pattern: z.string() }, async ({ pattern }) => {
  const out = execSync(`grep -rn "${pattern}" ${WORKSPACE}`).toString(); // VULN:cmdi
  return { content: [{ type: 'text', text: out }] };
});

server.tool('grep_safe', { pattern: z.string() }, async ({ pattern }) => {
  const out = execFileSync('grep', ['-rn', '--', pattern, WORKSPACE]).toString();
  return { content: [{ type: 'text', text: out }] };
});

server.tool('read', { file: z.string() }, async ({ file }) => {
  const text = readFileSync(path.join(WORKSPACE, file), 'utf8'); // VULN:path
  return { content: [{ type: 'text', text }] };
});

server.tool('read_safe', { file: z.string() }, async ({ file }) => {
  const resolved = path.resolve(WORKSPACE, file);
  if (!resolved.startsWith(WORKSPACE + path.sep)) throw new Error('outside workspace');
  const text = readFileSync(resolved, 'utf8');
  return { content: [{ type: 'text', text }] };
});

await server.connect(new StdioServerTransport());
