'use client';

import DOMPurify from 'dompurify';
import { useEffect, useState } from 'react';

async function ask(question: string): Promise<string> {
  const res = await fetch('/api/chat', { method: 'PUT', body: JSON.stringify({ persona: 'tutor', question }) });
  const { text } = await res.json();
  return text;
}

export function AnswerHtml({ question }: { question: string }) {
  const [answer, setAnswer] = useState('');
  useEffect(() => {
    ask(question).then(setAnswer);
  }, [question]);
  return (
    <div
      className="prose"
      dangerouslySetInnerHTML={{ __html: answer }} // VULN:llm-output
    />
  );
}

export function AnswerSanitized({ question }: { question: string }) {
  const [answer, setAnswer] = useState('');
  useEffect(() => {
    ask(question).then(setAnswer);
  }, [question]);
  return (
    <div
      className="prose"
      dangerouslySetInnerHTML={{ __html: DOMPurify.sanitize(answer) }}
    />
  );
}

export default function AnswerText({ searchParams }: { searchParams: { q?: string } }) {
  const [answer, setAnswer] = useState('');
  useEffect(() => {
    ask(searchParams.q ?? '').then(setAnswer);
  }, [searchParams.q]);
  return <div className="prose">{answer}</div>;
}
