import { Pool } from 'pg';
import { NextRequest, NextResponse } from 'next/server';

const pool = new Pool({ connectionString: process.env.DATABASE_URL });

export async function GET(request: NextRequest) {
  const q = request.nextUrl.searchParams.get('q') ?? '';
  const result = await pool.query(`SELECT id, title FROM docs WHERE title ILIKE '%${q}%' LIMIT 20`); // VULN:sqli
  return NextResponse.json(result.rows);
}

export async function POST(request: NextRequest) {
  const { q } = await request.json();
  const result = await pool.query('SELECT id, title FROM docs WHERE title ILIKE $1 LIMIT 20', [`%${q}%`]);
  return NextResponse.json(result.rows);
}
