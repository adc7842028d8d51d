"""Public chat endpoint for the docs site."""
from fastapi import FastAPI
from openai import AsyncOpenAI
from pydantic import BaseModel

app = FastAPI()
client = AsyncOpenAI()
bounded_client = AsyncOpenAI(timeout=20.0, max_retries=1)
SYSTEM = "You answer questions about the Acme documentation."


class Question(BaseModel):
    text: str


@app.post("/docs-chat")
async def docs_chat(q: Question):
    resp = await client.chat.completions.create(  # VULN:llm-dos
        model="gpt-4o",
        messages=[{"role": "system", "content": SYSTEM}, {"role": "user", "content": q.text}],
    )
    return {"answer": resp.choices[0].message.content}


@app.post("/docs-chat-bounded")
async def docs_chat_bounded(q: Question):
    resp = await bounded_client.chat.completions.create(
        model="gpt-4o",
        max_tokens=500,
        messages=[{"role": "system", "content": SYSTEM}, {"role": "user", "content": q.text[:4000]}],
    )
    return {"answer": resp.choices[0].message.content}


@app.post("/docs-chat-stream")
async def docs_chat_stream(q: Question):
    stream = await client.responses.create(model="gpt-4o", input=q.text, stream=True)  # VULN:llm-dos
    parts = []
    async for event in stream:
        if event.type == "response.output_text.delta":
            parts.append(event.delta)
    return {"answer": "".join(parts)}


@app.post("/docs-chat-stream-bounded")
async def docs_chat_stream_bounded(q: Question):
    stream = await bounded_client.responses.create(model="gpt-4o", input=q.text[:4000], max_output_tokens=500, stream=True)
    parts = []
    async for event in stream:
        if event.type == "response.output_text.delta":
            parts.append(event.delta)
    return {"answer": "".join(parts)}
