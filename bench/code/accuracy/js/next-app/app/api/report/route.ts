import { promises as fs } from 'node:fs';
import path from 'node:path';
import { NextRequest, NextResponse } from 'next/server';

const REPORTS = path.join(process.cwd(), 'reports');

export async function GET(request: NextRequest) {
  const name = request.nextUrl.searchParams.get('name') ?? 'latest.json';
  const data = await fs.readFile(path.join(REPORTS, name), 'utf8'); // VULN:path
  return new NextResponse(data);
}

export async function POST(request: NextRequest) {
  const { name } = await request.json();
  const resolved = path.resolve(REPORTS, String(name));
  if (!resolved.startsWith(REPORTS + path.sep)) {
    return NextResponse.json({ error: 'bad name' }, { status: 400 });
  }
  const data = await fs.readFile(resolved, 'utf8');
  return new NextResponse(data);
}
