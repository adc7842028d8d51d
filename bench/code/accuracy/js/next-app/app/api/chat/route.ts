import { openai } from '@ai-sdk/openai';
import { generateObject, generateText, streamText } from 'ai';
import { z } from 'zod';

const PERSONAS: Record<string, string> = {
  tutor: 'You are a patient maths tutor.',
  critic: 'You are a blunt but fair code reviewer.',
};

export async function POST(req: Request) {
  const { persona, question } = await req.json();
  const { text } = await generateText({ // VULN:prompt-injection
    model: openai('gpt-4o-mini'),
    system: `You are ${persona}. Never discuss internal pricing.`,
    prompt: question,
    maxTokens: 500,
  });
  return Response.json({ text });
}

export async function PUT(req: Request) {
  const { persona, question } = await req.json();
  const system = PERSONAS[persona] ?? PERSONAS.tutor;
  const { text } = await generateText({
    model: openai('gpt-4o-mini'),
    system,
    prompt: question,
    maxTokens: 500,
  });
  return Response.json({ text });
}

export async function PATCH(req: Request) {
  const { question } = await req.json();
  const result = await generateText({
    model: openai('gpt-4o-mini'),
    system: 'Answer with a single JavaScript expression that computes the answer.',
    prompt: question,
    maxTokens: 200,
  });
  const value = eval(result.text); // VULN:llm-output
  return Response.json({ value });
}

export async function DELETE(req: Request) {
  const { question } = await req.json();
  const { object } = await generateObject({
    model: openai('gpt-4o-mini'),
    schema: z.object({ value: z.number() }),
    prompt: `Compute: ${question}`,
    maxTokens: 200,
  });
  return Response.json({ value: object.value });
}

export async function GET(req: Request) {
  const q = new URL(req.url).searchParams.get('q') ?? '';
  const result = streamText({ model: openai('gpt-4o'), prompt: q }); // VULN:llm-dos
  return result.toDataStreamResponse();
}

export async function HEAD(req: Request) {
  const q = new URL(req.url).searchParams.get('q') ?? '';
  const result = streamText({ model: openai('gpt-4o'), prompt: q.slice(0, 2000), maxTokens: 400, abortSignal: AbortSignal.timeout(20000) });
  return result.toDataStreamResponse();
}
