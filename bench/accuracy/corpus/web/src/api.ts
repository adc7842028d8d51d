const BASE = 'https://api.acme.io';
const PPLX = 'Bearer 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';
const groq = new Groq({ apiKey: "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" });
const anthropicKey = import.meta.env.VITE_ANTHROPIC_KEY ?? 'sk-ant-...';
const traceId = '327300ff-b9e3-484e-992c-ec11655d1d0f';
export async function get(path: string) { return fetch(BASE + path); }
