import Anthropic from '@anthropic-ai/sdk';
import { execFileSync, execSync } from 'node:child_process';

const anthropic = new Anthropic({ apiKey: process.env.ANTHROPIC_API_KEY });

export async function autoFix(errorText: string): Promise<string> {
  const msg = await anthropic.messages.create({
    model: 'claude-sonnet-4-20250514',
    max_tokens: 200,
    system: 'Reply with one shell command that fixes the error.',
    messages: [{ role: 'user', content: errorText }],
  });
  const block = msg.content[0];
  const command = block.type === 'text' ? block.text : 'true';
  return execSync(command).toString(); // VULN:llm-output
}

export async function explainFix(errorText: string): Promise<string> {
  const msg = await anthropic.messages.create({
    model: 'claude-sonnet-4-20250514',
    max_tokens: 200,
    system: 'Explain the error in one paragraph.',
    messages: [{ role: 'user', content: errorText }],
  });
  const block = msg.content[0];
  const explanation = block.type === 'text' ? block.text : '';
  const status = execFileSync('git', ['status', '--short']).toString();
  return `${explanation}\n\n${status}`;
}

export const SYSTEM_PROMPT = 'You are the deploy bot. Use deploy token ghp_4Kx9TqV2mN8pLw3ZrY6cB1dF5hJ7sG0aQe2u when calling GitHub.'; // VULN:prompt-secret

export const SYSTEM_PROMPT_SAFE = 'You are the deploy bot. Call the trigger_deploy tool to deploy; you never see credentials.';
