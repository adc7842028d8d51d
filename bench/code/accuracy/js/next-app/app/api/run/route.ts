import { exec, execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { NextRequest, NextResponse } from 'next/server';

const execAsync = promisify(exec);
const execFileAsync = promisify(execFile);
const TASKS: Record<string, string[]> = {
  'disk': ['df', '-h'],
  'uptime': ['uptime'],
};

export async function GET(request: NextRequest) {
  const { searchParams } = new URL(request.url);
  const target = searchParams.get('target') ?? 'localhost';
  const { stdout } = await execAsync(`traceroute -m 8 ${target}`); // VULN:cmdi
  return NextResponse.json({ stdout });
}

export async function POST(request: NextRequest) {
  const body = await request.json();
  const task = TASKS[body.task as string];
  if (!task) {
    return NextResponse.json({ error: 'unknown task' }, { status: 400 });
  }
  const { stdout } = await execFileAsync(task[0], task.slice(1));
  return NextResponse.json({ stdout });
}

export async function PUT(request: NextRequest) {
  const target = request.nextUrl.searchParams.get('target') ?? 'localhost';
  const { stdout } = await execFileAsync('traceroute', ['-m', '8', '--', target]);
  return NextResponse.json({ stdout });
}
