const BASE = 'https://api.acme.io';
const PPLX = 'Bearer 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';
const groq = new Groq({ apiKey: "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" });
const anthropicKey = import.meta.env.VITE_ANTHROPIC_KEY ?? 'sk-ant-...';
const traceId = '634220b2-687d-4c98-8340-d691d0506327';
export async function get(path: string) { return fetch(BASE + path); }
