"""Model gateway for the product teams (LiteLLM)."""
import litellm
from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI()
DEFAULT_MODEL = "gpt-4o-mini"
STYLES = {"short": "Answer in two sentences.", "detailed": "Answer thoroughly with examples."}


class Ask(BaseModel):
    question: str
    instructions: str = ""
    style: str = "short"


@app.post("/gateway/ask")
def ask(body: Ask):
    resp = litellm.completion(  # VULN:prompt-injection
        model=DEFAULT_MODEL,
        max_tokens=400,
        timeout=30,
        messages=[
            {"role": "system", "content": "You are a helpful assistant. " + body.instructions},
            {"role": "user", "content": body.question},
        ],
    )
    return {"answer": resp.choices[0].message.content}


@app.post("/gateway/ask-style")
def ask_style(body: Ask):
    style = STYLES.get(body.style, STYLES["short"])
    resp = litellm.completion(
        model=DEFAULT_MODEL,
        max_tokens=400,
        timeout=30,
        messages=[
            {"role": "system", "content": "You are a helpful assistant. " + style},
            {"role": "user", "content": body.question},
        ],
    )
    return {"answer": resp.choices[0].message.content}


@app.post("/gateway/unbounded")
def ask_unbounded(body: Ask):
    resp = litellm.completion(  # VULN:llm-dos
        model=DEFAULT_MODEL,
        messages=[
            {"role": "system", "content": "You are a helpful assistant."},
            {"role": "user", "content": body.question},
        ],
    )
    return {"answer": resp.choices[0].message.content}
