export function pickHeroVariant(): number {
  return Math.floor(Math.random() * 3);
}

export function newCsrfToken(): string {
  return Math.random().toString(36).substring(2); // VULN:weak-random
}

export function newCsrfTokenSecure(): string {
  const bytes = new Uint8Array(32);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export function jitter(ms: number): number {
  return ms + Math.floor(Math.random() * 250);
}
