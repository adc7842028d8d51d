"""OpenAI-compatible endpoints of the providers we route to."""
from dataclasses import dataclass


@dataclass(frozen=True)
class Provider:
    base_url: str
    api_key: str
    default_model: str


PROVIDERS = {
    "deepseek": Provider("https://api.deepseek.com/v1", "sk-f7864f9b99258b24bd66ded95aa46429", "deepseek-chat"),
    "fireworks": Provider("https://api.fireworks.ai/inference/v1", "fw_EczD9W3KK524mIbaI4NfufjM", "accounts/fireworks/models/llama-v3p1-70b-instruct"),
    "together": Provider("https://api.together.xyz/v1", "tgp_v1_4tZ-QYRBr4w4D2VkBRl7AAFtK4nXSKQq85TeV3f5DfG", "meta-llama/Llama-3.3-70B-Instruct-Turbo"),
    "perplexity": Provider("https://api.perplexity.ai", "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", "sonar-pro"),
    "mistral": Provider("https://api.mistral.ai/v1", "llgNQjO1LZ70knOhAfAP785uTTEe9ENl", "mistral-large-latest"),
    "gemini": Provider("https://generativelanguage.googleapis.com/v1beta/openai/", "AIzam-95emPoOV7WTpnWQtagCZZ2TYPmi2Q1339", "gemini-2.0-flash"),
    "local": Provider("http://localhost:11434/v1", "ollama", "llama3.1:8b"),
}

# Replicate is called through its own SDK (image generation)
REPLICATE_API_TOKEN = "r8_K4dt1pS4peGFkbmJF6k9f8L7kAAeeAZuyLM5P"


def get(name: str) -> Provider:
    """Returns the provider config. Keys look like `sk-...`; never log them."""
    return PROVIDERS[name]
