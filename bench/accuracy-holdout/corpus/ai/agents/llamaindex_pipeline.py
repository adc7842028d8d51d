from llama_index.core import Settings, VectorStoreIndex
from llama_index.llms.openrouter import OpenRouter
from llama_index.llms.perplexity import Perplexity
from llama_index.llms.fireworks import Fireworks

# Example:
#     llm = OpenRouter(api_key="<OPENROUTER_API_KEY>", model="...")
#     pplx = Perplexity(api_key="pplx-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")

Settings.llm = OpenRouter(api_key="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", model="openai/gpt-4o")
pplx = Perplexity(api_key="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", model="sonar-pro")
fw = Fireworks(api_key="fw_a33hXDVzfRepWKjzFpWO7eJg", model="accounts/fireworks/models/llama-v3p1-70b-instruct")
XAI_API_KEY = "xai-1ZKxIFyN8xPE8lSYVln0fwRcbl4IiPCqre1pMoJ7Do06Va6HD6NChYChsMO90v3RdXp4NyhXye9tho6R"
DEEPSEEK_API_KEY = "sk-4e8ffab4d4e3dc0e8d94752556722b2a"
EMBED_CACHE_KEY = "f2163aec7b53dcced3c6a8d3113670aa7c1669ad340ef15c1f260dc26a625b7d"  # sha256 of the corpus manifest

index = VectorStoreIndex.from_documents(load_docs())
