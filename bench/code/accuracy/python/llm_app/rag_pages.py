"""Knowledge-base answers rendered into HTML pages (LangChain)."""
from flask import Flask, render_template, render_template_string, request
from langchain_core.messages import HumanMessage, SystemMessage
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_openai import ChatOpenAI
from markupsafe import Markup

app = Flask(__name__)
llm = ChatOpenAI(model="gpt-4o-mini", max_tokens=600, timeout=30)
prompt = ChatPromptTemplate.from_messages(
    [("system", "Answer from the Acme handbook. Use simple HTML."), ("human", "{question}")]
)
chain = prompt | llm | StrOutputParser()


@app.route("/kb")
def kb_answer():
    answer = chain.invoke({"question": request.args["q"]})
    return render_template_string("<article>" + answer + "</article>")  # VULN:llm-output


@app.route("/kb-safe")
def kb_answer_safe():
    answer = chain.invoke({"question": request.args["q"]})
    return render_template_string("<article>{{ answer }}</article>", answer=answer)


@app.route("/kb-markup")
def kb_answer_markup():
    answer = chain.invoke({"question": request.args["q"]})
    return render_template("answer.html", answer=Markup(answer))  # VULN:llm-output


@app.route("/kb-text")
def kb_answer_text():
    answer = chain.invoke({"question": request.args["q"]})
    return render_template("answer.html", answer=answer)


@app.route("/kb-role")
def kb_with_role():
    role = request.args.get("role", "employee")
    messages = [
        SystemMessage(content=f"You answer questions for a {role}. Reveal only what that role may see."),
        HumanMessage(content=request.args["q"]),
    ]
    reply = llm.invoke(messages)  # VULN:prompt-injection
    return {"answer": reply.content}


@app.route("/kb-role-fixed")
def kb_with_role_fixed():
    role = "employee"
    messages = [
        SystemMessage(content=f"You answer questions for a {role}. Reveal only what that role may see."),
        HumanMessage(content=request.args["q"]),
    ]
    reply = llm.invoke(messages)
    return {"answer": reply.content}
