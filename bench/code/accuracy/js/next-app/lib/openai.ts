import OpenAI from 'openai';

const client = new OpenAI({ apiKey: process.env.OPENAI_API_KEY, timeout: 30_000 });

export async function translate(text: string, targetLanguage: string, glossary: string): Promise<string> {
  const completion = await client.chat.completions.create({ // VULN:prompt-injection
    model: 'gpt-4o-mini',
    max_tokens: 800,
    messages: [
      { role: 'system', content: `Translate into ${targetLanguage}. Use this glossary: ${glossary}` },
      { role: 'user', content: text },
    ],
  });
  return completion.choices[0].message.content ?? '';
}

export async function translateFixed(text: string): Promise<string> {
  const completion = await client.chat.completions.create({
    model: 'gpt-4o-mini',
    max_tokens: 800,
    messages: [
      { role: 'system', content: 'Translate into French. Keep product names in English.' },
      { role: 'user', content: text },
    ],
  });
  return completion.choices[0].message.content ?? '';
}

export async function buildValidator(description: string): Promise<(x: unknown) => boolean> {
  const completion = await client.chat.completions.create({
    model: 'gpt-4o-mini',
    max_tokens: 300,
    messages: [
      { role: 'system', content: 'Write the body of a JavaScript function (x) => boolean.' },
      { role: 'user', content: description },
    ],
  });
  const body = completion.choices[0].message.content ?? 'return false';
  return new Function('x', body) as (x: unknown) => boolean; // VULN:llm-output
}

export async function classify(description: string): Promise<string> {
  const completion = await client.chat.completions.create({
    model: 'gpt-4o-mini',
    max_tokens: 10,
    messages: [
      { role: 'system', content: 'Reply with one word: bug, feature or question.' },
      { role: 'user', content: description },
    ],
  });
  const label = (completion.choices[0].message.content ?? '').trim();
  return ['bug', 'feature', 'question'].includes(label) ? label : 'question';
}
