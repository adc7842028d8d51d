"""Notebook assistant: the model writes analysis code for uploaded data."""
import sqlite3

from fastapi import FastAPI
from jinja2 import Template
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_openai import ChatOpenAI
from pydantic import BaseModel

app = FastAPI()
llm = ChatOpenAI(model="gpt-4o", max_tokens=1000, timeout=60)
code_chain = ChatPromptTemplate.from_messages(
    [("system", "Write Python that computes the answer from the DataFrame df."), ("human", "{question}")]
) | llm | StrOutputParser()


class Task(BaseModel):
    question: str
    analyst_notes: str = ""


@app.post("/analyse")
def analyse(task: Task):
    code = code_chain.invoke({"question": task.question})
    scope = {"df": None}
    exec(code, scope)  # VULN:llm-output
    return {"result": repr(scope.get("result"))}


@app.post("/analyse-preview")
def analyse_preview(task: Task):
    code = code_chain.invoke({"question": task.question})
    return {"code": code, "status": "awaiting review"}


@app.post("/report")
def report(task: Task):
    layout = code_chain.invoke({"question": "Write a Jinja2 HTML layout for: " + task.question})
    return {"html": Template(layout).render(title="Report")}  # VULN:llm-output


@app.post("/report-fixed")
def report_fixed(task: Task):
    summary = code_chain.invoke({"question": "Summarise: " + task.question})
    return {"html": Template("<h1>{{ title }}</h1><p>{{ body }}</p>", autoescape=True).render(title="Report", body=summary)}


@app.post("/cleanup")
def cleanup(task: Task):
    script = code_chain.invoke({"question": "Write SQLite statements that " + task.question})
    conn = sqlite3.connect("/srv/notebook/scratch.db")
    conn.executescript(script)  # VULN:llm-output
    return {"ok": True}


@app.post("/notes")
def notes_chat(task: Task):
    prompt = ChatPromptTemplate.from_messages(
        [("system", "You summarise analyst notes. Notes policy: " + task.analyst_notes), ("human", "{question}")]
    )
    chain = prompt | llm | StrOutputParser()
    return {"answer": chain.invoke({"question": task.question})}  # VULN:prompt-injection


@app.post("/notes-fixed")
def notes_chat_fixed(task: Task):
    prompt = ChatPromptTemplate.from_messages(
        [("system", "You summarise analyst notes. Notes policy: internal use only."), ("human", "{question}")]
    )
    chain = prompt | llm | StrOutputParser()
    return {"answer": chain.invoke({"question": task.question})}
