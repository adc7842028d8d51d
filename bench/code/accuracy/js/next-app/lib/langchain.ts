import { ChatOpenAI } from '@langchain/openai';
import { ChatPromptTemplate } from '@langchain/core/prompts';
import { StringOutputParser } from '@langchain/core/output_parsers';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { randomUUID } from 'node:crypto';

const model = new ChatOpenAI({ model: 'gpt-4o-mini', maxTokens: 400, timeout: 30000 });
const prompt = ChatPromptTemplate.fromMessages([
  ['system', 'Suggest a short file name (no directories) for the note.'],
  ['human', '{note}'],
]);
const chain = prompt.pipe(model).pipe(new StringOutputParser());
const NOTES_DIR = '/srv/notes';

export async function saveNote(note: string): Promise<string> {
  const fileName = await chain.invoke({ note });
  await writeFile(path.join(NOTES_DIR, fileName.trim()), note); // VULN:llm-output
  return fileName;
}

export async function saveNoteWithId(note: string): Promise<string> {
  const title = await chain.invoke({ note });
  const fileName = `${randomUUID()}.md`;
  await writeFile(path.join(NOTES_DIR, fileName), `# ${title}\n\n${note}`);
  return fileName;
}
