import { openai } from '@ai-sdk/openai';
import { generateText, tool } from 'ai';
import { execFileSync, execSync } from 'node:child_process';
import { z } from 'zod';

const STATUS_COMMANDS: Record<string, string[]> = { uptime: ['uptime'], disk: ['df', '-h'] };

const shellTool = tool({
  description: 'Run a shell command on the build host',
  parameters: z.object({ command: z.string() }),
  execute: async ({ command }) => execSync(command).toString(), // VULN:excessive-agency
});

const statusTool = tool({
  description: 'Report a host status (uptime or disk)',
  parameters: z.object({ check: z.enum(['uptime', 'disk']) }),
  execute: async ({ check }) => execFileSync(STATUS_COMMANDS[check][0], STATUS_COMMANDS[check].slice(1)).toString(),
});

export async function opsAgent(task: string) {
  return generateText({ model: openai('gpt-4o'), tools: { shell: shellTool }, maxSteps: 5, maxTokens: 800, prompt: task });
}

export async function statusAgent(task: string) {
  return generateText({ model: openai('gpt-4o'), tools: { status: statusTool }, maxSteps: 3, maxTokens: 800, prompt: task });
}
