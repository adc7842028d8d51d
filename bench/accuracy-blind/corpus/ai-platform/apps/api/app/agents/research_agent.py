"""Research agent: web search + retrieval + a final answer with citations."""
import os

from langchain.agents import AgentExecutor, create_tool_calling_agent
from langchain_community.tools.tavily_search import TavilySearchResults
from langchain_core.prompts import ChatPromptTemplate
from langchain_openai import ChatOpenAI
from langchain_xai import ChatXAI

from app.rag.vectorstores import retriever_tool

llm = ChatOpenAI(model="gpt-4o-mini", temperature=0, api_key=os.environ["OPENAI_API_KEY"])

# grok is only used for the "spicy" eval track; key pasted while debugging rate limits
grok = ChatXAI(model="grok-3-mini", xai_api_key="xai-n5GbO4CoOVnLHRHrsqhcId3WgJlZA2cOIRDH9m5Sk6RxX0qgxI1CE2wV3mcZcWCbaK6sdNv2oZxaAN75")

search = TavilySearchResults(max_results=5, tavily_api_key="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")

prompt = ChatPromptTemplate.from_messages([
    ("system", "You are a careful research assistant. Cite sources as [n]."),
    ("human", "{input}"),
    ("placeholder", "{agent_scratchpad}"),
])

agent = create_tool_calling_agent(llm, [search, retriever_tool], prompt)
executor = AgentExecutor(agent=agent, tools=[search, retriever_tool], max_iterations=6)
