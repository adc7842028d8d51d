from llama_index.core import Settings, VectorStoreIndex
from llama_index.core.query_engine import RouterQueryEngine
from llama_index.embeddings.voyageai import VoyageEmbedding
from llama_index.llms.openrouter import OpenRouter
from llama_index.postprocessor.cohere_rerank import CohereRerank
from llama_parse import LlamaParse

Settings.llm = OpenRouter(
    model="anthropic/claude-3.5-sonnet",
    api_key="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",
    max_tokens=2048,
)
Settings.embed_model = VoyageEmbedding(
    model_name="voyage-3",
    voyage_api_key="pa-kH_kaZY7nRMSNC99cjNz7JGHg5R_QNwy1eLVaIYtvdH",
)

reranker = CohereRerank(api_key="zuCeNQJ0FrrGwQCmDqwC7u0YuSHmlpNNBasHj4Uq", top_n=4, model="rerank-english-v3.0")
parser = LlamaParse(api_key="llx-kzsxKFU5Hhws3x6JLyIlUPdaoOZj3N2LvkBNxKuAbj6B4AUa", result_type="markdown")


def build_router(indexes: dict[str, VectorStoreIndex]) -> RouterQueryEngine:
    tools = [idx.as_query_engine(node_postprocessors=[reranker]).as_tool(name=name) for name, idx in indexes.items()]
    return RouterQueryEngine.from_defaults(query_engine_tools=tools)
