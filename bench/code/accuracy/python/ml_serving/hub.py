"""Pulls models from the Hugging Face Hub at start-up."""
from huggingface_hub import hf_hub_download, snapshot_download
from transformers import AutoModelForCausalLM, AutoTokenizer, pipeline

CHAT_MODEL = "acme-labs/support-chat-7b"
CHAT_REVISION = "4f1c2a9e8b7d6c5a4f3e2d1c0b9a8f7e6d5c4b3a"


def load_chat_model():
    tok = AutoTokenizer.from_pretrained(CHAT_MODEL, revision=CHAT_REVISION)
    model = AutoModelForCausalLM.from_pretrained(CHAT_MODEL, revision=CHAT_REVISION, trust_remote_code=True)  # VULN:remote-code
    return tok, model


def load_chat_model_reviewed():
    tok = AutoTokenizer.from_pretrained(CHAT_MODEL, revision=CHAT_REVISION)
    model = AutoModelForCausalLM.from_pretrained(CHAT_MODEL, revision=CHAT_REVISION, trust_remote_code=False)
    return tok, model


def load_latest_tokenizer():
    return AutoTokenizer.from_pretrained(CHAT_MODEL)  # VULN:unpinned-model


def download_weights():
    return hf_hub_download(repo_id=CHAT_MODEL, filename="model.safetensors")  # VULN:unpinned-model


def download_weights_pinned():
    return hf_hub_download(repo_id=CHAT_MODEL, filename="model.safetensors", revision=CHAT_REVISION)


def mirror_repo(local_dir: str):
    return snapshot_download(repo_id=CHAT_MODEL, local_dir=local_dir)  # VULN:unpinned-model


def mirror_repo_pinned(local_dir: str):
    return snapshot_download(repo_id=CHAT_MODEL, revision=CHAT_REVISION, local_dir=local_dir)


def classifier_pipeline():
    return pipeline("text-classification", model="acme-labs/intent-clf", trust_remote_code=True)  # VULN:remote-code


def classifier_pipeline_pinned():
    return pipeline("text-classification", model="acme-labs/intent-clf", revision=CHAT_REVISION)
