import { GoogleGenAI } from '@google/genai';
import vm from 'node:vm';

const ai = new GoogleGenAI({ apiKey: process.env.GEMINI_API_KEY });

export async function summarise(article: string, userStyle: string): Promise<string> {
  const response = await ai.models.generateContent({ // VULN:prompt-injection
    model: 'gemini-2.0-flash',
    contents: article,
    config: { systemInstruction: `Summarise the article. ${userStyle}`, maxOutputTokens: 400 },
  });
  return response.text ?? '';
}

export async function summariseDefault(article: string): Promise<string> {
  const response = await ai.models.generateContent({
    model: 'gemini-2.0-flash',
    contents: article,
    config: { systemInstruction: 'Summarise the article in three bullet points.', maxOutputTokens: 400 },
  });
  return response.text ?? '';
}

export async function computeMetric(description: string): Promise<unknown> {
  const response = await ai.models.generateContent({
    model: 'gemini-2.0-flash',
    contents: `Write a JavaScript expression over the variable rows that computes: ${description}`,
    config: { maxOutputTokens: 200 },
  });
  return vm.runInNewContext(response.text ?? '0', { rows: [] }); // VULN:llm-output
}

export async function describeMetric(description: string): Promise<string> {
  const response = await ai.models.generateContent({
    model: 'gemini-2.0-flash',
    contents: `Describe in one sentence how to compute: ${description}`,
    config: { maxOutputTokens: 200 },
  });
  return (response.text ?? '').slice(0, 500);
}
