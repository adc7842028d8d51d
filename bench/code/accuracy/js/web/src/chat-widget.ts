import DOMPurify from 'dompurify';

interface ChatReply {
  answer: string;
}

async function askAssistant(question: string): Promise<string> {
  const res = await fetch('/api/assistant', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ question }),
  });
  const data = (await res.json()) as ChatReply;
  return data.answer;
}

export async function onAsk(form: HTMLFormElement, output: HTMLElement): Promise<void> {
  const question = new FormData(form).get('question') as string;
  const answer = await askAssistant(question);
  output.innerHTML = answer; // VULN:llm-output
}

export async function onAskSanitized(form: HTMLFormElement, output: HTMLElement): Promise<void> {
  const question = new FormData(form).get('question') as string;
  const answer = await askAssistant(question);
  output.innerHTML = DOMPurify.sanitize(answer);
}

export async function onAskPlain(form: HTMLFormElement, output: HTMLElement): Promise<void> {
  const question = new FormData(form).get('question') as string;
  output.textContent = await askAssistant(question);
}
