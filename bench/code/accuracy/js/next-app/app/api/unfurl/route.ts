import { NextRequest, NextResponse } from 'next/server';

const PREVIEW_HOSTS = new Set(['github.com', 'www.youtube.com', 'vimeo.com']);

export async function GET(request: NextRequest) {
  const url = request.nextUrl.searchParams.get('url') ?? '';
  const res = await fetch(url, { redirect: 'follow' }); // VULN:ssrf
  const html = await res.text();
  const title = /<title>([^<]*)<\/title>/i.exec(html)?.[1] ?? '';
  return NextResponse.json({ title });
}

export async function POST(request: NextRequest) {
  const { url } = await request.json();
  const target = new URL(String(url));
  if (target.protocol !== 'https:' || !PREVIEW_HOSTS.has(target.hostname)) {
    return NextResponse.json({ error: 'host not allowed' }, { status: 400 });
  }
  const res = await fetch(target, { redirect: 'manual' });
  const html = await res.text();
  const title = /<title>([^<]*)<\/title>/i.exec(html)?.[1] ?? '';
  return NextResponse.json({ title });
}
