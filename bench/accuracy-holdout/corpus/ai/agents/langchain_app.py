"""Support agent: LangChain + Anthropic, with Groq for cheap classification."""
import os

from langchain_anthropic import ChatAnthropic
from langchain_groq import ChatGroq
from langchain_mistralai import ChatMistralAI
os.environ["LANGCHAIN_API_KEY"] = "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"
os.environ["LANGCHAIN_TRACING_V2"] = "true"

llm = ChatAnthropic(model="claude-3-5-sonnet-latest", api_key="sk-ant-api03-A7PEoZ3LTlk6bMP4jN-og5BB_6Qn6DBnbfUu0NNMWP4wUia2z3vymZEGcxvizrMIUp1LIYR2tJ9KyrYxb92vc62ltNzh_AA")
router = ChatGroq(model="llama-3.1-8b-instant", groq_api_key="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")
fallback = ChatMistralAI(model="mistral-large-latest", mistral_api_key="rTvWyHU4R4vRYaDJti4YlctNwrrJqZ0z")
judge = ChatAnthropic(model="claude-3-5-haiku-latest", api_key=os.environ["ANTHROPIC_API_KEY"])
backup = ChatGroq(api_key=os.getenv("GROQ_API_KEY", "gsk_your_key_here"))


def answer(q: str) -> str:
    return llm.invoke(q).content
