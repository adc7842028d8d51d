"""Embedding and evaluation data setup for the search service."""
from datasets import load_dataset
from sentence_transformers import SentenceTransformer
from transformers import AutoTokenizer

EMBED_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
EMBED_REVISION = "c9745ed1d9f207416be6d2e6f8de32d1f16199bf"


def embedder():
    return SentenceTransformer(EMBED_MODEL)  # VULN:unpinned-model


def embedder_pinned():
    return SentenceTransformer(EMBED_MODEL, revision=EMBED_REVISION)


def eval_set():
    return load_dataset("acme-labs/search-eval", split="test", trust_remote_code=True)  # VULN:remote-code


def eval_set_pinned():
    return load_dataset("acme-labs/search-eval", split="test", revision=EMBED_REVISION)


def custom_tokenizer():
    return AutoTokenizer.from_pretrained("acme-labs/legal-tokenizer", revision=EMBED_REVISION, trust_remote_code=True)  # VULN:remote-code
