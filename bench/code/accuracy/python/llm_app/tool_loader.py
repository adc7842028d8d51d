"""Builds the toolset of the research assistant from configuration."""
from langchain_community.agent_toolkits.load_tools import load_tools
from langchain_community.utilities import SQLDatabase
from langchain_community.agent_toolkits import SQLDatabaseToolkit
from langchain_openai import ChatOpenAI

llm = ChatOpenAI(model="gpt-4o-mini", max_tokens=800, timeout=60)


def research_tools():
    return load_tools(["terminal", "llm-math"], llm=llm, allow_dangerous_tools=True)  # VULN:excessive-agency


def research_tools_safe():
    return load_tools(["llm-math", "wikipedia"], llm=llm)


def analytics_tools(uri: str):
    db = SQLDatabase.from_uri(uri, include_tables=["orders", "products"])
    return SQLDatabaseToolkit(db=db, llm=llm).get_tools()
