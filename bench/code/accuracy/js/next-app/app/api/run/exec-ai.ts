import { openai } from '@ai-sdk/openai';
import { generateText } from 'ai';
import { exec } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(exec);

export async function fixBuild(log: string): Promise<string> {
  const { text } = await generateText({ model: openai('gpt-4o-mini'), maxTokens: 100, prompt: `One shell command to fix:\n${log}` });
  const { stdout } = await run(text.trim()); // VULN:llm-output
  return stdout;
}

export async function explainBuild(log: string): Promise<string> {
  const { text } = await generateText({ model: openai('gpt-4o-mini'), maxTokens: 300, prompt: `Explain this build failure:\n${log}` });
  const { stdout } = await run('git log -1 --oneline');
  return `${text}\n(last commit: ${stdout.trim()})`;
}
