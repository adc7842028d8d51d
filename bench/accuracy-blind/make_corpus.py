#!/usr/bin/env python3
"""Writes the BLIND accuracy corpus: bench/accuracy-blind/corpus/ + bench/accuracy-blind/labels.json.

This corpus is for measurement only. It was written without reading warden's rules or source and
without looking at the dev/held-out corpora. Never change warden's rules because of a line here:
add new cases to the dev corpus (bench/accuracy/) instead.

Five small "repositories" side by side:
  ai-platform/    FastAPI + LangChain/LlamaIndex agents, MCP configs, vector stores, notebooks, prompts
  mobile/         Android (gradle.properties, google-services.json, keystore) + iOS (plists, fastlane, .p8)
  data-platform/  Airflow connections/variables/airflow.cfg, dbt profiles, Spark, Kafka SASL, Debezium,
                  Snowflake/BigQuery/Redshift, Databricks notebook
  infra/          Pulumi stacks (secure: ciphertext), Packer, Vagrant, cloud-init, Nomad/Consul/Vault,
                  HAProxy/htpasswd, SOPS, ansible-vault, sealed secrets, kubeconfig, k3s bootstrap
  devbox/home/dana/  a developer's home: docker, yarn, gem, m2, gradle, cargo, composer, pypi, conda,
                  ssh, databricks, pulumi, Claude desktop / Continue / aider configs, IDE settings

All values are fake: random (fixed seed) in the real shape of each credential (prefix, length,
alphabet; GitHub/npm tokens carry a valid CRC32/base62 checksum; PEM/OpenSSH keys have real framing
around random bytes). Labels are placed with inline markers while the files are built, so line
numbers always match the written files.

Label format (same as the other corpora): {"path", "line", "kind": "secret"|"decoy", "provider",
"context", optional "end_line"}. Decoys whose provider documents them as public by design
(Firebase API keys, Mapbox pk. tokens, Sentry DSNs, Supabase anon key, RevenueCat public app keys,
PostHog project keys, Algolia search-only keys, Stripe/Clerk publishable keys, AdMob app ids,
Langfuse public keys, OAuth client ids) carry "public by design" in their provider name.
"""
import base64
import json
import os
import random
import re
import shutil
import struct
import sys
import uuid
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "corpus")
LABELS = os.path.join(HERE, "labels.json")

R = random.Random(0xB11D2026)

UP = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
LO = "abcdefghijklmnopqrstuvwxyz"
DI = "0123456789"
B62 = DI + UP + LO
ALNUM = UP + LO + DI
HEX = "0123456789abcdef"
B64 = UP + LO + DI + "+/"
B64U = UP + LO + DI + "-_"
LOWALNUM = LO + DI


def rs(n, alphabet=ALNUM):
    return "".join(R.choice(alphabet) for _ in range(n))


def rbytes(n):
    return bytes(R.getrandbits(8) for _ in range(n))


def ruuid():
    return str(uuid.UUID(bytes=rbytes(16), version=4))


def b64(b):
    return base64.b64encode(b).decode()


def b64u(b):
    return base64.urlsafe_b64encode(b).decode().rstrip("=")


# ---------------------------------------------------------------------------------------------
# markers: the generator writes values with inline markers, process() strips them and records labels
#   ⟦S|prov⟧ secret on this line    ⟦D|prov⟧ decoy on this line
#   ⟦SS|prov⟧ / ⟦DS|prov⟧ span starts on this line, ⟦E⟧ span ends on this line
# ---------------------------------------------------------------------------------------------
def S(v, prov):
    return "%s⟦S|%s⟧" % (v, prov)


def D(v, prov):
    return "%s⟦D|%s⟧" % (v, prov)


def SS(v, prov):
    return "%s⟦SS|%s⟧" % (v, prov)


def DS(v, prov):
    return "%s⟦DS|%s⟧" % (v, prov)


def E(v):
    return "%s⟦E⟧" % v


def span_block(text, prov, kind="S"):
    """Marks a multi-line block (PEM etc.) as one labeled span."""
    lines = text.split("\n")
    if len(lines) == 1:
        return (S if kind == "S" else D)(text, prov)
    lines[0] += "⟦%sS|%s⟧" % (kind, prov)
    lines[-1] += "⟦E⟧"
    return "\n".join(lines)


MARK = re.compile(r"⟦(S|D|SS|DS|E)(?:\|([^⟧]*))?⟧")
FILES = {}
LAB = []


def add(path, ctx, text, validate_json=False):
    if text.startswith("\n"):
        text = text[1:]
    if not text.endswith("\n"):
        text += "\n"
    out_lines = []
    open_span = None
    for i, line in enumerate(text.split("\n")[:-1], start=1):
        for m in MARK.finditer(line):
            t, prov = m.group(1), m.group(2)
            if t in ("S", "D"):
                LAB.append({"path": path, "line": i, "kind": "secret" if t == "S" else "decoy",
                            "provider": prov, "context": ctx})
            elif t in ("SS", "DS"):
                assert open_span is None, (path, i)
                open_span = {"path": path, "line": i, "kind": "secret" if t == "SS" else "decoy",
                             "provider": prov, "context": ctx}
            else:
                assert open_span is not None, (path, i)
                open_span["end_line"] = i
                LAB.append(open_span)
                open_span = None
        out_lines.append(MARK.sub("", line))
    assert open_span is None, path
    assert path not in FILES, path
    body = "\n".join(out_lines) + "\n"
    if validate_json:
        json.loads(body)
    FILES[path] = body


# ---------------------------------------------------------------------------------------------
# credential shapes
# ---------------------------------------------------------------------------------------------
def base62(n):
    s = ""
    while n:
        n, r = divmod(n, 62)
        s = B62[r] + s
    return s or "0"


def gh(prefix):
    body = rs(30, B62)
    return prefix + body + base62(zlib.crc32(body.encode())).rjust(6, "0")


def gh_fine():
    return "github_pat_11" + rs(20, UP + DI) + "_" + rs(59, ALNUM)


def npm_tok():
    return gh("npm_")


def aws_id(prefix="AKIA"):
    return prefix + rs(16, UP + "234567")


def aws_secret():
    return rs(40, B64)


def openai(kind="proj"):
    return "sk-%s-%sT3BlbkFJ%s" % (kind, rs(74, B64U), rs(74, B64U))


def anthropic(kind="api03"):
    return "sk-ant-%s-%sAA" % (kind, rs(93, B64U))


def google_key():
    return "AIza" + rs(35, B64U)


def hf():
    return "hf_" + rs(34, UP + LO)


def groq():
    return "gsk_" + rs(52, ALNUM)


def xai():
    return "xai-" + rs(80, ALNUM)


def openrouter():
    return "sk-or-v1-" + rs(64, HEX)


def deepseek():
    return "sk-" + rs(32, HEX)


def together():
    return "tgp_v1_" + rs(43, B64U)


def fireworks():
    return "fw_" + rs(24, ALNUM)


def replicate():
    return "r8_" + rs(37, ALNUM)


def perplexity():
    return "pplx-" + rs(48, ALNUM)


def elevenlabs():
    return "sk_" + rs(48, HEX)


def voyage():
    return "pa-" + rs(43, B64U)


def tavily():
    return "tvly-" + rs(32, ALNUM)


def langsmith(kind="pt"):
    return "lsv2_%s_%s_%s" % (kind, rs(32, HEX), rs(10, HEX))


def pinecone():
    return "pcsk_%s_%s" % (rs(6, ALNUM), rs(63, ALNUM))


def slack_bot():
    return "xoxb-%s-%s-%s" % (rs(12, DI), rs(13, DI), rs(24, ALNUM))


def slack_hook():
    return "https://hooks.slack.com/services/T%s/B%s/%s" % (rs(10, UP + DI), rs(10, UP + DI), rs(24, ALNUM))


def mapbox(kind, user):
    mid = b64u(json.dumps({"u": user, "a": rs(25, LOWALNUM)}, separators=(",", ":")).encode())
    return "%s.%s.%s" % (kind, mid, rs(22, B64U))


def jwt(payload, sig_len=43, alg="HS256"):
    h = b64u(json.dumps({"alg": alg, "typ": "JWT"}, separators=(",", ":")).encode())
    p = b64u(json.dumps(payload, separators=(",", ":")).encode())
    return "%s.%s.%s" % (h, p, rs(sig_len, B64U))


def sentry_org(org):
    payload = {"iat": 1760000000 + R.randrange(10 ** 7), "url": "https://sentry.io",
               "region_url": "https://us.sentry.io", "org": org}
    return "sntrys_%s_%s" % (b64(json.dumps(payload, separators=(",", ":")).encode()), rs(43, B64))


def sentry_dsn():
    return "https://%s@o%s.ingest.us.sentry.io/%s" % (rs(32, HEX), rs(7, DI), rs(7, DI))


def gclient_id(num=None):
    return "%s-%s.apps.googleusercontent.com" % (num or rs(12, DI), rs(32, LOWALNUM))


def pulumi_secure(n=24):
    return "v1:%s:%s" % (b64(rbytes(12)), b64(rbytes(n)))


def sops(n=18):
    return "ENC[AES256_GCM,data:%s,iv:%s,tag:%s,type:str]" % (b64(rbytes(n)), b64(rbytes(32)), b64(rbytes(16)))


def crypt_salt(n):
    return rs(n, UP + LO + DI + "./")


# ---- DER / PEM / OpenSSH -----------------------------------------------------------------------
def dlen(n):
    if n < 0x80:
        return bytes([n])
    b = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(b)]) + b


def der(tag, body):
    return bytes([tag]) + dlen(len(body)) + body


def dint(b):
    if isinstance(b, int):
        b = b.to_bytes(max(1, (b.bit_length() + 7) // 8), "big")
    if b[0] & 0x80:
        b = b"\x00" + b
    return der(0x02, b)


def oid(s):
    parts = [int(x) for x in s.split(".")]
    out = bytes([40 * parts[0] + parts[1]])
    for p in parts[2:]:
        enc = [p & 0x7F]
        p >>= 7
        while p:
            enc.insert(0, 0x80 | (p & 0x7F))
            p >>= 7
        out += bytes(enc)
    return der(0x06, out)


def seq(*xs):
    return der(0x30, b"".join(xs))


def big(n):
    b = bytearray(rbytes(n))
    b[0] |= 0x80
    b[-1] |= 1
    return bytes(b)


def rsa_pkcs1(bits=2048):
    n = bits // 8
    h = n // 2
    return seq(dint(0), dint(big(n)), dint(65537), dint(big(n)), dint(big(h)), dint(big(h)), dint(big(h)),
               dint(big(h)), dint(big(h)))


def pem(label, blob, width=64):
    s = b64(blob)
    return "\n".join(["-----BEGIN %s-----" % label] + [s[i:i + width] for i in range(0, len(s), width)]
                     + ["-----END %s-----" % label])


def rsa_pem():
    return pem("RSA PRIVATE KEY", rsa_pkcs1())


def pkcs8_rsa_pem():
    return pem("PRIVATE KEY", seq(dint(0), seq(oid("1.2.840.113549.1.1.1"), b"\x05\x00"), der(0x04, rsa_pkcs1())))


def pkcs8_ec_pem():
    ec = seq(dint(1), der(0x04, rbytes(32)), der(0xA1, der(0x03, b"\x00\x04" + rbytes(64))))
    return pem("PRIVATE KEY", seq(dint(0), seq(oid("1.2.840.10045.2.1"), oid("1.2.840.10045.3.1.7")), der(0x04, ec)))


def rsa_pub_pem():
    spki = seq(seq(oid("1.2.840.113549.1.1.1"), b"\x05\x00"), der(0x03, b"\x00" + seq(dint(big(256)), dint(65537))))
    return pem("PUBLIC KEY", spki)


def cert_pem():
    tbs = seq(der(0xA0, dint(2)), dint(rbytes(16)), seq(oid("1.2.840.113549.1.1.11"), b"\x05\x00"), der(0x30, rbytes(600)))
    return pem("CERTIFICATE", seq(tbs, seq(oid("1.2.840.113549.1.1.11"), b"\x05\x00"), der(0x03, b"\x00" + rbytes(256))))


def sstr(b):
    if isinstance(b, str):
        b = b.encode()
    return struct.pack(">I", len(b)) + b


def openssh_ed25519(comment):
    pub = rbytes(32)
    seed = rbytes(32)
    pubblob = sstr("ssh-ed25519") + sstr(pub)
    chk = rbytes(4)
    priv = chk + chk + sstr("ssh-ed25519") + sstr(pub) + sstr(seed + pub) + sstr(comment)
    i = 1
    while len(priv) % 8:
        priv += bytes([i])
        i += 1
    blob = b"openssh-key-v1\x00" + sstr("none") + sstr("none") + sstr(b"") + struct.pack(">I", 1) + sstr(pubblob) + sstr(priv)
    s = b64(blob)
    return "\n".join(["-----BEGIN OPENSSH PRIVATE KEY-----"] + [s[i:i + 70] for i in range(0, len(s), 70)]
                     + ["-----END OPENSSH PRIVATE KEY-----"]), "ssh-ed25519 " + b64(pubblob) + " " + comment


def ssh_pub_ed(comment):
    return "ssh-ed25519 " + b64(sstr("ssh-ed25519") + sstr(rbytes(32))) + " " + comment


def wg_key():
    return b64(rbytes(32))


def sha256hex():
    return rs(64, HEX)


ESCQ = '\\"'
NL = "\n"
BS = "\\"


def sha1hex():
    return rs(40, HEX)


# =============================================================================================
# ai-platform/
# =============================================================================================
def ai_platform():
    A = "ai-platform/"
    add(A + ".env.example", "dotenv-example", f"""
# Copy to .env and fill in. Never commit .env.
APP_ENV=development
{D("OPENAI_API_KEY=sk-proj-...", "placeholder")}
{D("ANTHROPIC_API_KEY=<your-anthropic-key>", "placeholder")}
{D("GROQ_API_KEY=gsk_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "placeholder")}
{D("HF_TOKEN=hf_XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX", "placeholder")}
{D("LANGSMITH_API_KEY=lsv2_pt_your_key_here", "placeholder")}
LANGSMITH_PROJECT=tessera-dev
{D("LANGFUSE_SECRET_KEY=sk-lf-00000000-0000-0000-0000-000000000000", "placeholder")}
LANGFUSE_HOST=https://cloud.langfuse.com
{D("PINECONE_API_KEY=", "placeholder")}
{D("DATABASE_URL=postgresql+asyncpg://tessera:password@localhost:5432/tessera", "placeholder")}
{D("TAVILY_API_KEY=tvly-YOUR_API_KEY", "placeholder")}
""")

    lf_pk = "pk-lf-" + ruuid()
    add(A + ".env", "dotenv", f"""
APP_ENV=production
LOG_LEVEL=info
{S("OPENAI_API_KEY=" + openai("proj"), "openai-project")}
{S("ANTHROPIC_API_KEY=" + anthropic(), "anthropic")}
{S("GROQ_API_KEY=" + groq(), "groq")}
{S("MISTRAL_API_KEY=" + rs(32), "mistral")}
{S("COHERE_API_KEY=" + rs(40), "cohere")}
{S("TOGETHER_API_KEY=" + rs(64, HEX), "together")}
{S("LANGSMITH_API_KEY=" + langsmith("pt"), "langsmith")}
LANGSMITH_TRACING=true
LANGSMITH_PROJECT=tessera-prod
{D("LANGFUSE_PUBLIC_KEY=" + lf_pk, "langfuse-public-key (public by design)")}
{S("LANGFUSE_SECRET_KEY=sk-lf-" + ruuid(), "langfuse")}
LANGFUSE_HOST=https://cloud.langfuse.com
{S("DATABASE_URL=postgresql+asyncpg://tessera_app:" + rs(22, ALNUM) + "@tessera-prod.cluster-c9x2kq1z7ab3.eu-west-1.rds.amazonaws.com:5432/tessera", "postgres-uri")}
{S("REDIS_URL=rediss://default:" + rs(32, ALNUM) + "@redis-14231.c250.eu-central-1-1.ec2.redns.redis-cloud.com:14231/0", "redis-uri")}
{S("TAVILY_API_KEY=" + tavily(), "tavily")}
{D("SENTRY_DSN=" + sentry_dsn(), "sentry-dsn (public by design)")}
""")

    add(A + "apps/api/app/core/config.py", "python-settings", f"""
from functools import lru_cache

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    app_env: str = "development"
{D('    openai_api_key: SecretStr = Field(default=SecretStr(""), alias="OPENAI_API_KEY")', "env-reference")}
    # TODO(mk): remove the fallback once the staging secret is in Doppler
{S('    anthropic_api_key: SecretStr = SecretStr("' + anthropic() + '")', "anthropic")}
{S('    jwt_signing_secret: str = "' + rs(48, B64U) + '"', "generic-secret")}
    jwt_algorithm: str = "HS256"
    access_token_ttl_minutes: int = 30
{D('    session_cookie_secret: str = Field(..., alias="SESSION_COOKIE_SECRET")', "env-reference")}
    qdrant_url: str = "https://4f1c2a7e-93b1-4f2e-8a5d-0c6e1b9d7a31.eu-central-1-0.aws.cloud.qdrant.io:6333"


@lru_cache
def get_settings() -> Settings:
    return Settings()
""")

    add(A + "apps/api/app/agents/research_agent.py", "python-langchain", f"""
\"\"\"Research agent: web search + retrieval + a final answer with citations.\"\"\"
import os

from langchain.agents import AgentExecutor, create_tool_calling_agent
from langchain_community.tools.tavily_search import TavilySearchResults
from langchain_core.prompts import ChatPromptTemplate
from langchain_openai import ChatOpenAI
from langchain_xai import ChatXAI

from app.rag.vectorstores import retriever_tool

{D('llm = ChatOpenAI(model="gpt-4o-mini", temperature=0, api_key=os.environ["OPENAI_API_KEY"])', "env-reference")}

# grok is only used for the "spicy" eval track; key pasted while debugging rate limits
{S('grok = ChatXAI(model="grok-3-mini", xai_api_key="' + xai() + '")', "xai")}

{S('search = TavilySearchResults(max_results=5, tavily_api_key="' + tavily() + '")', "tavily")}

prompt = ChatPromptTemplate.from_messages([
    ("system", "You are a careful research assistant. Cite sources as [n]."),
    ("human", "{{input}}"),
    ("placeholder", "{{agent_scratchpad}}"),
])

agent = create_tool_calling_agent(llm, [search, retriever_tool], prompt)
executor = AgentExecutor(agent=agent, tools=[search, retriever_tool], max_iterations=6)
""")

    add(A + "apps/api/app/agents/llamaindex_router.py", "python-llamaindex", f"""
from llama_index.core import Settings, VectorStoreIndex
from llama_index.core.query_engine import RouterQueryEngine
from llama_index.embeddings.voyageai import VoyageEmbedding
from llama_index.llms.openrouter import OpenRouter
from llama_index.postprocessor.cohere_rerank import CohereRerank
from llama_parse import LlamaParse

Settings.llm = OpenRouter(
    model="anthropic/claude-3.5-sonnet",
{S('    api_key="' + openrouter() + '",', "openrouter")}
    max_tokens=2048,
)
Settings.embed_model = VoyageEmbedding(
    model_name="voyage-3",
{S('    voyage_api_key="' + voyage() + '",', "voyage")}
)

{S('reranker = CohereRerank(api_key="' + rs(40) + '", top_n=4, model="rerank-english-v3.0")', "cohere")}
{S('parser = LlamaParse(api_key="llx-' + rs(48) + '", result_type="markdown")', "llamacloud")}


def build_router(indexes: dict[str, VectorStoreIndex]) -> RouterQueryEngine:
    tools = [idx.as_query_engine(node_postprocessors=[reranker]).as_tool(name=name) for name, idx in indexes.items()]
    return RouterQueryEngine.from_defaults(query_engine_tools=tools)
""")

    add(A + "apps/api/app/rag/vectorstores.py", "python-vectorstores", f"""
\"\"\"Vector store clients. We are A/B testing four backends; see docs/adr/0007-vector-store.md.\"\"\"
import os

import chromadb
import weaviate
from pinecone import Pinecone
from pymilvus import MilvusClient
from qdrant_client import QdrantClient
from weaviate.classes.init import Auth

{S('pc = Pinecone(api_key="' + pinecone() + '")', "pinecone")}
pinecone_index = pc.Index(host="https://tessera-docs-7f3k2pq.svc.aped-4627-b74a.pinecone.io")

qdrant = QdrantClient(
    url="https://4f1c2a7e-93b1-4f2e-8a5d-0c6e1b9d7a31.eu-central-1-0.aws.cloud.qdrant.io:6333",
{S('    api_key="' + rs(48, B64U) + '",', "qdrant")}
)

wv = weaviate.connect_to_weaviate_cloud(
    cluster_url="https://rq8x1ztmqhwfyv7a0e5xqa.c0.europe-west3.gcp.weaviate.cloud",
{S('    auth_credentials=Auth.api_key("' + rs(40, ALNUM) + '"),', "weaviate")}
{D('    headers={"X-OpenAI-Api-Key": os.environ["OPENAI_API_KEY"]},', "env-reference")}
)

chroma = chromadb.CloudClient(
    tenant="{ruuid()}",
    database="tessera-prod",
{S('    api_key="ck-' + rs(44, ALNUM) + '",', "chroma")}
)

milvus = MilvusClient(
    uri="https://in03-5f0e7a2c91b84d3.serverless.gcp-us-west1.cloud.zilliz.com",
{S('    token="' + rs(104, HEX) + '",', "zilliz")}
)

{D('COLLECTION_ID = "' + ruuid() + '"  # chroma collection id, not a secret', "uuid")}
""")

    add(A + "apps/api/app/llm/providers.py", "python-llm-providers", f"""
\"\"\"OpenAI-compatible endpoints of the providers we route to.\"\"\"
from dataclasses import dataclass


@dataclass(frozen=True)
class Provider:
    base_url: str
    api_key: str
    default_model: str


PROVIDERS = {{
{S('    "deepseek": Provider("https://api.deepseek.com/v1", "' + deepseek() + '", "deepseek-chat"),', "deepseek")}
{S('    "fireworks": Provider("https://api.fireworks.ai/inference/v1", "' + fireworks() + '", "accounts/fireworks/models/llama-v3p1-70b-instruct"),', "fireworks")}
{S('    "together": Provider("https://api.together.xyz/v1", "' + together() + '", "meta-llama/Llama-3.3-70B-Instruct-Turbo"),', "together")}
{S('    "perplexity": Provider("https://api.perplexity.ai", "' + perplexity() + '", "sonar-pro"),', "perplexity")}
{S('    "mistral": Provider("https://api.mistral.ai/v1", "' + rs(32) + '", "mistral-large-latest"),', "mistral")}
{S('    "gemini": Provider("https://generativelanguage.googleapis.com/v1beta/openai/", "' + google_key() + '", "gemini-2.0-flash"),', "gemini")}
{D('    "local": Provider("http://localhost:11434/v1", "ollama", "llama3.1:8b"),', "placeholder")}
}}

# Replicate is called through its own SDK (image generation)
{S('REPLICATE_API_TOKEN = "' + replicate() + '"', "replicate")}


def get(name: str) -> Provider:
    \"\"\"Returns the provider config. Keys look like `sk-...`; never log them.\"\"\"
    return PROVIDERS[name]
""")

    add(A + "apps/api/app/voice/speech.py", "python-voice", f"""
import httpx
from deepgram import DeepgramClient, PrerecordedOptions
from elevenlabs.client import ElevenLabs
import assemblyai as aai

{S('eleven = ElevenLabs(api_key="' + elevenlabs() + '")', "elevenlabs")}
{S('deepgram = DeepgramClient("' + rs(40, HEX) + '")', "deepgram")}
{S('aai.settings.api_key = "' + rs(32, HEX) + '"', "assemblyai")}

VOICE_ID = "21m00Tcm4TlvDq8ikWAM"


def synthesize(text: str) -> bytes:
    audio = eleven.text_to_speech.convert(voice_id=VOICE_ID, text=text, model_id="eleven_turbo_v2_5")
    return b"".join(audio)
""")

    add(A + "apps/api/tests/conftest.py", "python-test-fixtures", f"""
import pytest


@pytest.fixture(autouse=True)
def fake_keys(monkeypatch):
    # obviously fake values; the clients are mocked with respx
{D('    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-a-real-key")', "fake-fixture")}
{D('    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-api03-" + "x" * 93 + "AA")', "fake-fixture")}
{D('    monkeypatch.setenv("PINECONE_API_KEY", "pcsk_fake00_" + "0" * 63)', "fake-fixture")}
{D('    monkeypatch.setenv("LANGSMITH_API_KEY", "lsv2_pt_00000000000000000000000000000000_0000000000")', "fake-fixture")}
{D('    monkeypatch.setenv("DATABASE_URL", "postgresql://test:test@localhost:5432/test")', "fake-fixture")}
    monkeypatch.setenv("APP_ENV", "test")


@pytest.fixture
def request_id():
{D('    return "' + ruuid() + '"', "uuid")}
""")

    add(A + "apps/api/uv.lock", "lockfile", f"""
version = 1
requires-python = ">=3.11"

[[package]]
name = "langchain-core"
version = "0.3.28"
source = {{ registry = "https://pypi.org/simple" }}
{D('sdist = { url = "https://files.pythonhosted.org/packages/langchain_core-0.3.28.tar.gz", hash = "sha256:' + sha256hex() + '", size = 330743 }', "sha256")}
wheels = [
{D('    { url = "https://files.pythonhosted.org/packages/langchain_core-0.3.28-py3-none-any.whl", hash = "sha256:' + sha256hex() + '", size = 411560 },', "sha256")}
]

[[package]]
name = "pinecone"
version = "5.4.2"
source = {{ registry = "https://pypi.org/simple" }}
{D('sdist = { url = "https://files.pythonhosted.org/packages/pinecone-5.4.2.tar.gz", hash = "sha256:' + sha256hex() + '", size = 188472 }', "sha256")}
""")

    # ---- MCP configs --------------------------------------------------------------------------
    add(A + ".cursor/mcp.json", "mcp-json", f"""
{{
  "mcpServers": {{
    "github": {{
      "command": "docker",
      "args": ["run", "-i", "--rm", "-e", "GITHUB_PERSONAL_ACCESS_TOKEN", "ghcr.io/github/github-mcp-server"],
      "env": {{
{S('        "GITHUB_PERSONAL_ACCESS_TOKEN": "' + gh("ghp_") + '"', "github-pat")}
      }}
    }},
    "postgres": {{
      "command": "npx",
{S('      "args": ["-y", "@modelcontextprotocol/server-postgres", "postgresql://readonly:' + rs(20, ALNUM) + '@pg-analytics.internal.tessera.ai:5432/analytics"]', "postgres-uri")}
    }},
    "brave-search": {{
      "command": "npx",
      "args": ["-y", "@modelcontextprotocol/server-brave-search"],
      "env": {{
{S('        "BRAVE_API_KEY": "BSA' + rs(28, ALNUM) + '"', "brave-search")}
      }}
    }},
    "sentry": {{
      "url": "https://mcp.sentry.dev/mcp"
    }}
  }}
}}
""", validate_json=True)

    add(A + ".vscode/mcp.json", "mcp-json-vscode", f"""
{{
  "inputs": [
    {{
      "type": "promptString",
      "id": "github_token",
      "description": "GitHub Personal Access Token",
      "password": true
    }}
  ],
  "servers": {{
    "github": {{
      "type": "http",
      "url": "https://api.githubcopilot.com/mcp/",
      "headers": {{
{D('        "Authorization": "Bearer ${input:github_token}"', "input-reference")}
      }}
    }},
    "notion": {{
      "command": "npx",
      "args": ["-y", "@notionhq/notion-mcp-server"],
      "env": {{
{S('        "NOTION_TOKEN": "ntn_' + rs(11, DI) + rs(35, ALNUM) + '"', "notion")}
      }}
    }},
    "linear": {{
      "type": "sse",
      "url": "https://mcp.linear.app/sse",
      "headers": {{
{S('        "Authorization": "Bearer lin_api_' + rs(40, ALNUM) + '"', "linear")}
      }}
    }},
    "filesystem": {{
      "command": "npx",
      "args": ["-y", "@modelcontextprotocol/server-filesystem", "${{workspaceFolder}}"]
    }}
  }}
}}
""", validate_json=True)

    add(A + "tools/mcp/claude_desktop_config.json", "claude-desktop-config", f"""
{{
  "mcpServers": {{
    "slack": {{
      "command": "npx",
      "args": ["-y", "@modelcontextprotocol/server-slack"],
      "env": {{
{S('        "SLACK_BOT_TOKEN": "' + slack_bot() + '",', "slack-bot")}
{D('        "SLACK_TEAM_ID": "T0' + rs(9, UP + DI) + '"', "public-id")}
      }}
    }},
    "firecrawl": {{
      "command": "npx",
      "args": ["-y", "firecrawl-mcp"],
      "env": {{
{S('        "FIRECRAWL_API_KEY": "fc-' + rs(32, HEX) + '"', "firecrawl")}
      }}
    }},
    "exa": {{
      "command": "npx",
      "args": ["-y", "exa-mcp-server"],
      "env": {{
{S('        "EXA_API_KEY": "' + ruuid() + '"', "exa")}
      }}
    }},
    "everything": {{
      "command": "npx",
      "args": ["-y", "@modelcontextprotocol/server-everything"],
      "env": {{
{D('        "ANTHROPIC_API_KEY": "<YOUR_ANTHROPIC_API_KEY>"', "placeholder")}
      }}
    }}
  }}
}}
""", validate_json=True)

    add(A + "apps/mcp-server/src/index.ts", "typescript-mcp-server", f"""
import {{ McpServer }} from "@modelcontextprotocol/sdk/server/mcp.js";
import {{ StdioServerTransport }} from "@modelcontextprotocol/sdk/server/stdio.js";
import {{ LinearClient }} from "@linear/sdk";
import Stripe from "stripe";
import {{ z }} from "zod";

{D('const linear = new LinearClient({ apiKey: process.env.LINEAR_API_KEY! });', "env-reference")}
// restricted key: read-only on charges + customers, for the billing lookup tool
{S('const stripe = new Stripe("rk_live_51' + rs(97, ALNUM) + '");', "stripe-restricted")}
{D('const STRIPE_DOCS_EXAMPLE = "sk_test_4eC39HqLyjWDarjtT1zdp7dc"; // the key from the Stripe API docs', "stripe-doc-example")}

const server = new McpServer({{ name: "tessera-tools", version: "0.4.0" }});

server.tool("lookup_customer", {{ email: z.string().email() }}, async ({{ email }}) => {{
  const res = await stripe.customers.list({{ email, limit: 1 }});
  return {{ content: [{{ type: "text", text: JSON.stringify(res.data[0] ?? null) }}] }};
}});

const transport = new StdioServerTransport();
await server.connect(transport);
""")

    # ---- notebooks ----------------------------------------------------------------------------
    add(A + "notebooks/eval_rag.ipynb", "jupyter", notebook([
        ("markdown", ["# RAG evaluation (ragas + LangSmith)", "", "Runs the golden set against the prod index."]),
        ("code", ["import os, getpass",
                  S('os.environ["OPENAI_API_KEY"] = "' + openai("svcacct") + '"', "openai-service-account"),
                  S('os.environ["LANGCHAIN_API_KEY"] = "' + langsmith("sk") + '"', "langsmith"),
                  'os.environ["LANGCHAIN_TRACING_V2"] = "true"',
                  D('os.environ["COHERE_API_KEY"] = getpass.getpass("Cohere key: ")', "env-reference")],
         ["Cohere key: ··········"]),
        ("code", ["import wandb",
                  S('wandb.login(key="' + rs(40, HEX) + '")', "wandb"),
                  'run = wandb.init(project="rag-evals", job_type="eval")'],
         ["wandb: Currently logged in as: dana-ml (tessera-ai). Use `wandb login --relogin` to force relogin",
          D("wandb: Run data is saved locally in /content/wandb/run-20251104_101455-" + rs(8, LOWALNUM), "run-id")]),
        ("code", ["from huggingface_hub import login",
                  S('login(token="' + hf() + '")', "huggingface"),
                  'from datasets import load_dataset',
                  'golden = load_dataset("tessera-ai/golden-qa-v3", split="test")'], []),
        ("code", ["from ragas import evaluate",
                  "from ragas.metrics import faithfulness, answer_relevancy, context_precision",
                  "result = evaluate(golden, metrics=[faithfulness, answer_relevancy, context_precision])",
                  "result"],
         ["{'faithfulness': 0.8712, 'answer_relevancy': 0.9034, 'context_precision': 0.7788}"]),
    ]), validate_json=True)

    add(A + "notebooks/finetune_lora.ipynb", "jupyter", notebook([
        ("markdown", ["## LoRA fine-tune of Llama 3.1 8B on support transcripts"]),
        ("code", ["!pip install -q peft trl bitsandbytes",
                  D("!huggingface-cli login --token $HF_TOKEN", "env-reference")], []),
        ("code", ["import os",
                  D('os.environ["WANDB_API_KEY"] = os.getenv("WANDB_API_KEY", "")', "env-reference"),
                  S('HF_WRITE_TOKEN = "' + hf() + '"  # push to hub', "huggingface"),
                  'BASE = "meta-llama/Llama-3.1-8B-Instruct"'], []),
        ("code", ["trainer.train()"],
         ["{'loss': 1.2431, 'grad_norm': 0.4127, 'learning_rate': 0.0002, 'epoch': 0.33}",
          D("Checkpoint saved: outputs/checkpoint-500 (sha256 " + sha256hex() + ")", "sha256")]),
        ("code", ["trainer.model.push_to_hub(\"tessera-ai/support-llama-lora\", token=HF_WRITE_TOKEN)"],
         [D("CommitInfo(commit_url='https://huggingface.co/tessera-ai/support-llama-lora/commit/" + sha1hex() + "')", "commit-id")]),
    ]), validate_json=True)

    # ---- prompts ------------------------------------------------------------------------------
    add(A + "prompts/system/support_agent.md", "prompt-markdown", f"""
# Support agent — system prompt (v14)

You are Tessera's support assistant. You help customers configure integrations.

## Secrets handling

- Never echo credentials back. If a user pastes a key, reply with a redacted form such as
{D("  `sk-proj-****************************************3f2a`", "redacted")}
  and tell them to rotate it.
- Keys have recognizable prefixes. Examples you may mention (these are formats, not keys):
{D("  `sk-ant-api03-...`, `gsk_...`, `hf_...`, `pcsk_...`, `lsv2_pt_...`", "format-description")}
{D("- AWS documentation uses `AKIAIOSFODNN7EXAMPLE` / `wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY`; treat them as examples.", "aws-doc-example")}

## Tools

- `lookup_customer(email)` — Stripe customer record
- `search_docs(query)` — retrieval over docs.tessera.ai
""")

    add(A + "prompts/tools.yaml", "prompt-tools-yaml", f"""
tools:
  - name: web_search
    provider: serpapi
    description: Google results for fresh facts (news, prices).
{S('    api_key: ' + rs(64, HEX), "serpapi")}
  - name: weather
    provider: openweather
{D('    api_key: "{{ secrets.OPENWEATHER_API_KEY }}"', "template-reference")}
  - name: browse
    provider: browserbase
{S('    api_key: bb_live_' + rs(27, B64U), "browserbase")}
{D('    project_id: ' + ruuid(), "uuid")}
""")

    add(A + "litellm/config.yaml", "litellm-config", f"""
model_list:
  - model_name: gpt-4o
    litellm_params:
      model: azure/gpt-4o-prod
      api_base: https://tessera-oai-swc.openai.azure.com/
{S('      api_key: ' + rs(32, HEX), "azure-openai")}
      api_version: "2024-10-21"
  - model_name: claude-sonnet
    litellm_params:
      model: anthropic/claude-3-5-sonnet-20241022
{D('      api_key: os.environ/ANTHROPIC_API_KEY', "env-reference")}
  - model_name: llama-70b
    litellm_params:
      model: groq/llama-3.3-70b-versatile
{S('      api_key: ' + groq(), "groq")}

general_settings:
{D('  master_key: sk-1234  # from the LiteLLM quick start, replaced at deploy', "placeholder")}
{S('  database_url: postgresql://litellm:' + rs(24, ALNUM) + '@litellm-db.internal:5432/litellm', "postgres-uri")}

litellm_settings:
  success_callback: ["langfuse"]
""")

    add(A + "deploy/langfuse/docker-compose.yml", "docker-compose", f"""
services:
  langfuse-web:
    image: langfuse/langfuse:3
    restart: always
    ports: ["3000:3000"]
    environment:
      DATABASE_URL: postgresql://langfuse:${{POSTGRES_PASSWORD}}@postgres:5432/langfuse
{S('      NEXTAUTH_SECRET: ' + b64(rbytes(32)), "nextauth-secret")}
{S('      SALT: ' + b64(rbytes(32)), "generic-secret")}
{S('      ENCRYPTION_KEY: ' + rs(64, HEX), "generic-secret")}
      NEXTAUTH_URL: https://langfuse.tessera.ai
{S('      CLICKHOUSE_PASSWORD: ' + rs(20, ALNUM), "generic-password")}
      LANGFUSE_INIT_ORG_ID: tessera
{D('      LANGFUSE_INIT_PROJECT_PUBLIC_KEY: pk-lf-' + ruuid(), "langfuse-public-key (public by design)")}
{S('      LANGFUSE_INIT_PROJECT_SECRET_KEY: sk-lf-' + ruuid(), "langfuse")}
  postgres:
    image: postgres:16
    environment:
      POSTGRES_USER: langfuse
{D('      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?set in .env}', "env-reference")}
""")

    add(A + "deploy/k8s/api-externalsecret.yaml", "k8s-external-secret", f"""
apiVersion: external-secrets.io/v1beta1
kind: ExternalSecret
metadata:
  name: tessera-api
  namespace: tessera
spec:
  refreshInterval: 1h
  secretStoreRef:
    name: aws-secrets-manager
    kind: ClusterSecretStore
  target:
    name: tessera-api-env
  data:
    - secretKey: OPENAI_API_KEY
      remoteRef:
{D('        key: prod/tessera/openai_api_key', "secret-manager-reference")}
    - secretKey: ANTHROPIC_API_KEY
      remoteRef:
{D('        key: prod/tessera/anthropic_api_key', "secret-manager-reference")}
    - secretKey: PINECONE_API_KEY
      remoteRef:
        key: prod/tessera/vector
{D('        property: pinecone_api_key', "secret-manager-reference")}
""")

    # ---- web app ------------------------------------------------------------------------------
    ref = rs(20, LO)
    add(A + "apps/web/.env.local", "dotenv-nextjs", f"""
NEXT_PUBLIC_SUPABASE_URL=https://{ref}.supabase.co
{D("NEXT_PUBLIC_SUPABASE_ANON_KEY=" + jwt({"iss": "supabase", "ref": ref, "role": "anon", "iat": 1731000000, "exp": 2046576000}), "supabase-anon-key (public by design)")}
{S("SUPABASE_SERVICE_ROLE_KEY=" + jwt({"iss": "supabase", "ref": ref, "role": "service_role", "iat": 1731000000, "exp": 2046576000}), "supabase-service-role")}
{D("NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY=pk_live_" + b64u(b"clerk.tessera.ai$"), "clerk-publishable-key (public by design)")}
{S("CLERK_SECRET_KEY=sk_live_" + rs(42, ALNUM), "clerk")}
{D("NEXT_PUBLIC_POSTHOG_KEY=phc_" + rs(43, ALNUM), "posthog-project-key (public by design)")}
NEXT_PUBLIC_POSTHOG_HOST=https://eu.i.posthog.com
{S("POSTHOG_PERSONAL_API_KEY=phx_" + rs(43, ALNUM), "posthog-personal")}
{S("OPENAI_API_KEY=" + openai("proj"), "openai-project")}
""")

    add(A + "apps/web/src/lib/analytics.ts", "typescript", f"""
import posthog from "posthog-js";
import * as Sentry from "@sentry/nextjs";

{D('const POSTHOG_KEY = "phc_' + rs(43, ALNUM) + '"; // project API key, write-only, meant for browsers', "posthog-project-key (public by design)")}

export function initAnalytics() {{
  posthog.init(POSTHOG_KEY, {{ api_host: "https://eu.i.posthog.com", person_profiles: "identified_only" }});
  Sentry.init({{
{D('    dsn: "' + sentry_dsn() + '",', "sentry-dsn (public by design)")}
    tracesSampleRate: 0.1,
  }});
}}
""")

    add(A + "apps/web/.yarnrc.yml", "yarnrc", f"""
nodeLinker: node-modules
yarnPath: .yarn/releases/yarn-4.5.3.cjs

npmScopes:
  tessera:
    npmRegistryServer: "https://registry.npmjs.org"
{S('    npmAuthToken: ' + npm_tok(), "npm")}
  fontawesome:
    npmRegistryServer: "https://npm.fontawesome.com"
{D('    npmAuthToken: "${FONTAWESOME_NPM_TOKEN}"', "env-reference")}
""")

    add(A + "apps/web/pnpm-lock.yaml", "lockfile", f"""
lockfileVersion: '9.0'

packages:

  '@sentry/nextjs@8.42.0':
{D("    resolution: {integrity: sha512-" + b64(rbytes(64)) + "}", "sha512-integrity")}
    engines: {{node: '>=14.18'}}

  posthog-js@1.194.1:
{D("    resolution: {integrity: sha512-" + b64(rbytes(64)) + "}", "sha512-integrity")}

  zod@3.23.8:
{D("    resolution: {integrity: sha512-" + b64(rbytes(64)) + "}", "sha512-integrity")}
""")

    add(A + ".vscode/settings.json", "vscode-settings", f"""
{{
  "editor.formatOnSave": true,
  "python.defaultInterpreterPath": "${{workspaceFolder}}/apps/api/.venv/bin/python",
  "sqltools.connections": [
    {{
      "previewLimit": 50,
      "server": "tessera-prod.cluster-ro-c9x2kq1z7ab3.eu-west-1.rds.amazonaws.com",
      "port": 5432,
      "driver": "PostgreSQL",
      "name": "prod (read replica)",
      "database": "tessera",
      "username": "dana",
{S('      "password": "' + rs(18, ALNUM) + '"', "generic-password")}
    }}
  ],
  "rest-client.environmentVariables": {{
    "prod": {{
      "baseUrl": "https://api.tessera.ai",
{S('      "adminToken": "tsr_admin_' + rs(40, B62) + '"', "generic-token")}
    }},
    "local": {{
      "baseUrl": "http://localhost:8000",
{D('      "adminToken": "dev-token"', "placeholder")}
    }}
  }},
{S('  "http.proxy": "http://dana:' + rs(14, ALNUM) + '@proxy.corp.tessera.ai:3128"', "proxy-credentials")}
}}
""", validate_json=True)


def notebook(cells):
    """Builds .ipynb text (nbformat 4, indent 1) line by line so markers stay on their lines."""
    out = ['{', ' "cells": [']
    for ci, cell in enumerate(cells):
        kind, src = cell[0], cell[1]
        outputs = cell[2] if len(cell) > 2 else []
        out.append('  {')
        out.append('   "cell_type": "%s",' % kind)
        if kind == "code":
            out.append('   "execution_count": %d,' % (ci + 1))
        out.append('   "metadata": {},')
        if kind == "code":
            if outputs:
                out.append('   "outputs": [')
                out.append('    {')
                out.append('     "name": "stdout",')
                out.append('     "output_type": "stream",')
                out.append('     "text": [')
                for j, l in enumerate(outputs):
                    out.append('      ' + _jline(l, j == len(outputs) - 1))
                out.append('     ]')
                out.append('    }')
                out.append('   ],')
            else:
                out.append('   "outputs": [],')
        out.append('   "source": [')
        for j, l in enumerate(src):
            out.append('    ' + _jline(l, j == len(src) - 1))
        out.append('   ]')
        out.append('  }' + (',' if ci < len(cells) - 1 else ''))
    out += [' ],', ' "metadata": {', '  "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},',
            '  "language_info": {"name": "python", "version": "3.11.9"}', ' },', ' "nbformat": 4,', ' "nbformat_minor": 5', '}']
    return "\n".join(out)


def _jline(l, last):
    m = MARK.search(l)
    marker = ""
    if m:
        marker = m.group(0)
        l = MARK.sub("", l)
    return json.dumps(l + ("" if last else "\n"), ensure_ascii=False) + ("" if last else ",") + marker


# =============================================================================================
# mobile/
# =============================================================================================
def mobile():
    M = "mobile/"
    add(M + "android/gradle.properties", "gradle-properties", f"""
org.gradle.jvmargs=-Xmx4g -XX:MaxMetaspaceSize=1g -Dfile.encoding=UTF-8
org.gradle.parallel=true
android.useAndroidX=true
android.nonTransitiveRClass=true
kotlin.code.style=official
# Mapbox SDK downloads need a secret token with DOWNLOADS:READ scope
{S("MAPBOX_DOWNLOADS_TOKEN=" + mapbox("sk", "trailmate"), "mapbox-secret")}
RELEASE_STORE_FILE=../keystores/trailmate-upload.jks
RELEASE_KEY_ALIAS=upload
{S("RELEASE_STORE_PASSWORD=" + rs(20, ALNUM), "keystore-password")}
{S("RELEASE_KEY_PASSWORD=" + rs(20, ALNUM), "keystore-password")}
""")

    proj_num = rs(12, DI)
    add(M + "android/app/google-services.json", "google-services-json", f"""
{{
  "project_info": {{
    "project_number": "{proj_num}",
    "project_id": "trailmate-prod",
    "storage_bucket": "trailmate-prod.appspot.com"
  }},
  "client": [
    {{
      "client_info": {{
{D('        "mobilesdk_app_id": "1:' + proj_num + ':android:' + rs(16, HEX) + '",', "firebase-app-id (public by design)")}
        "android_client_info": {{
          "package_name": "app.trailmate.android"
        }}
      }},
      "oauth_client": [
        {{
{D('          "client_id": "' + gclient_id(proj_num) + '",', "oauth-client-id (public by design)")}
          "client_type": 1,
          "android_info": {{
            "package_name": "app.trailmate.android",
{D('            "certificate_hash": "' + sha1hex() + '"', "sha1")}
          }}
        }}
      ],
      "api_key": [
        {{
{D('          "current_key": "' + google_key() + '"', "firebase-api-key (public by design)")}
        }}
      ],
      "services": {{
        "appinvite_service": {{
          "other_platform_oauth_client": []
        }}
      }}
    }}
  ],
  "configuration_version": "1"
}}
""", validate_json=True)

    add(M + "android/keystore.properties", "keystore-properties", f"""
storeFile=/Users/ci/keystores/trailmate-release.jks
{S("storePassword=" + rs(16, ALNUM), "keystore-password")}
keyAlias=trailmate
{S("keyPassword=" + rs(16, ALNUM), "keystore-password")}
""")

    add(M + "android/app/build.gradle.kts", "gradle-kotlin", f"""
import java.util.Properties

plugins {{
    id("com.android.application")
    id("org.jetbrains.kotlin.android")
    id("com.google.gms.google-services")
    id("io.sentry.android.gradle") version "4.14.1"
}}

val keystoreProps = Properties().apply {{
    val f = rootProject.file("keystore.properties")
    if (f.exists()) load(f.inputStream())
}}

android {{
    namespace = "app.trailmate.android"
    compileSdk = 35
    defaultConfig {{
        applicationId = "app.trailmate.android"
        minSdk = 26
        targetSdk = 35
        versionCode = 412
        versionName = "4.12.0"
{S('        buildConfigField("String", "OPENWEATHER_API_KEY", "' + ESCQ + rs(32, HEX) + ESCQ + '")', "openweather")}
        buildConfigField("String", "API_BASE_URL", "\\"https://api.trailmate.app\\"")
    }}
    signingConfigs {{
        create("release") {{
            storeFile = file(keystoreProps["storeFile"] as String)
{D('            storePassword = keystoreProps["storePassword"] as String', "config-reference")}
            keyAlias = keystoreProps["keyAlias"] as String
{D('            keyPassword = keystoreProps["keyPassword"] as String', "config-reference")}
        }}
    }}
}}
""")

    add(M + "android/app/src/main/res/values/keys.xml", "android-resources", f"""
<?xml version="1.0" encoding="utf-8"?>
<resources>
    <!-- RevenueCat public SDK key (Google Play): meant to ship inside the app -->
{D('    <string name="revenuecat_public_key" translatable="false">goog_' + rs(24, ALNUM) + '</string>', "revenuecat-public-key (public by design)")}
{D('    <string name="algolia_app_id" translatable="false">' + rs(10, UP + DI) + '</string>', "public-id")}
    <!-- search-only key: Algolia documents it as safe for front ends -->
{D('    <string name="algolia_search_key" translatable="false">' + rs(32, HEX) + '</string>', "algolia-search-key (public by design)")}
    <!-- FIXME: admin key must not ship in the app, move the indexing job to the backend -->
{S('    <string name="algolia_admin_key" translatable="false">' + rs(32, HEX) + '</string>', "algolia-admin")}
{D('    <string name="facebook_app_id" translatable="false">' + rs(16, DI) + '</string>', "public-id")}
</resources>
""")

    add(M + "android/app/src/main/AndroidManifest.xml", "android-manifest", f"""
<?xml version="1.0" encoding="utf-8"?>
<manifest xmlns:android="http://schemas.android.com/apk/res/android">
    <uses-permission android:name="android.permission.INTERNET" />
    <uses-permission android:name="android.permission.ACCESS_FINE_LOCATION" />
    <application
        android:name=".TrailmateApp"
        android:label="@string/app_name"
        android:icon="@mipmap/ic_launcher">
{D('        <meta-data android:name="io.sentry.dsn" android:value="' + sentry_dsn() + '" />', "sentry-dsn (public by design)")}
        <meta-data android:name="io.sentry.traces.sample-rate" android:value="0.2" />
{D('        <meta-data android:name="com.google.android.gms.ads.APPLICATION_ID" android:value="ca-app-pub-' + rs(16, DI) + '~' + rs(10, DI) + '" />', "admob-app-id (public by design)")}
        <activity android:name=".MainActivity" android:exported="true" />
    </application>
</manifest>
""")

    add(M + "android/app/src/test/java/app/trailmate/FakeKeys.kt", "kotlin-test-fixture", f"""
package app.trailmate

object FakeKeys {{
{D('    const val MAPBOX = "pk.eyJ1IjoidGVzdCIsImEiOiJ0ZXN0In0.test-signature"', "fake-fixture")}
{D('    const val REVENUECAT = "goog_TESTTESTTESTTESTTESTTEST"', "fake-fixture")}
{D('    const val SENTRY_TOKEN = "sntrys_not_a_real_token"', "fake-fixture")}
}}
""")

    add(M + "android/sentry.properties", "sentry-properties", f"""
defaults.url=https://sentry.io/
defaults.org=trailmate
defaults.project=android
{S("auth.token=" + sentry_org("trailmate"), "sentry-org-token")}
""")

    add(M + "ios/sentry.properties", "sentry-properties", f"""
defaults.url=https://sentry.io/
defaults.org=trailmate
defaults.project=ios
{S("auth.token=sntryu_" + rs(64, HEX), "sentry-user-token")}
""")

    add(M + "ios/Trailmate/Info.plist", "ios-info-plist", f"""
<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
	<key>CFBundleIdentifier</key>
	<string>app.trailmate.ios</string>
	<key>CFBundleShortVersionString</key>
	<string>4.12.0</string>
	<key>MBXAccessToken</key>
{D('	<string>' + mapbox("pk", "trailmate") + '</string>', "mapbox-public-token (public by design)")}
	<key>RevenueCatAPIKey</key>
{D('	<string>appl_' + rs(24, ALNUM) + '</string>', "revenuecat-public-key (public by design)")}
	<key>GADApplicationIdentifier</key>
{D('	<string>ca-app-pub-' + rs(16, DI) + '~' + rs(10, DI) + '</string>', "admob-app-id (public by design)")}
	<key>OneSignalAppID</key>
{D('	<string>' + ruuid() + '</string>', "public-id")}
	<key>NSLocationWhenInUseUsageDescription</key>
	<string>Trailmate shows your position on the trail map.</string>
</dict>
</plist>
""")

    ios_num = rs(12, DI)
    cid = gclient_id(ios_num)
    add(M + "ios/Trailmate/GoogleService-Info.plist", "google-service-info-plist", f"""
<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
	<key>CLIENT_ID</key>
{D('	<string>' + cid + '</string>', "oauth-client-id (public by design)")}
	<key>REVERSED_CLIENT_ID</key>
{D('	<string>' + ".".join(reversed(cid.split("."))) + '</string>', "oauth-client-id (public by design)")}
	<key>API_KEY</key>
{D('	<string>' + google_key() + '</string>', "firebase-api-key (public by design)")}
	<key>GCM_SENDER_ID</key>
	<string>{ios_num}</string>
	<key>PROJECT_ID</key>
	<string>trailmate-prod</string>
	<key>GOOGLE_APP_ID</key>
{D('	<string>1:' + ios_num + ':ios:' + rs(16, HEX) + '</string>', "firebase-app-id (public by design)")}
</dict>
</plist>
""")

    add(M + "ios/fastlane/Appfile", "fastlane", f"""
app_identifier("app.trailmate.ios")
apple_id("release-bot@trailmate.app")
{D('itc_team_id("' + rs(9, DI) + '")', "public-id")}
team_id("{rs(10, UP + DI)}")
""")

    add(M + "ios/fastlane/.env.default", "fastlane-dotenv", f"""
FASTLANE_USER=release-bot@trailmate.app
{S("FASTLANE_PASSWORD=" + rs(16, ALNUM) + "!", "apple-id-password")}
{S("FASTLANE_APPLE_APPLICATION_SPECIFIC_PASSWORD=" + "-".join(rs(4, LO) for _ in range(4)), "apple-app-specific-password")}
{S("MATCH_PASSWORD=" + rs(24, ALNUM), "fastlane-match-password")}
MATCH_GIT_URL=git@github.com:trailmate/certificates.git
APP_STORE_CONNECT_API_KEY_KEY_ID=7UX2K9M4QZ
{D("APP_STORE_CONNECT_API_KEY_ISSUER_ID=" + ruuid(), "uuid")}
APP_STORE_CONNECT_API_KEY_KEY_FILEPATH=./fastlane/AuthKey_7UX2K9M4QZ.p8
{S("SLACK_URL=" + slack_hook(), "slack-webhook")}
""")

    add(M + "ios/fastlane/AuthKey_7UX2K9M4QZ.p8", "app-store-connect-p8", span_block(pkcs8_ec_pem(), "private-key"))

    add(M + "ios/fastlane/Fastfile", "fastlane", f"""
default_platform(:ios)

platform :ios do
  lane :beta do
    app_store_connect_api_key(
      key_id: ENV["APP_STORE_CONNECT_API_KEY_KEY_ID"],
      issuer_id: ENV["APP_STORE_CONNECT_API_KEY_ISSUER_ID"],
{D('      key_filepath: ENV["APP_STORE_CONNECT_API_KEY_KEY_FILEPATH"]', "env-reference")}
    )
    match(type: "appstore", readonly: true)
    build_app(scheme: "Trailmate")
    upload_to_testflight(skip_waiting_for_build_processing: true)
{D('    sentry_upload_dif(auth_token: ENV["SENTRY_AUTH_TOKEN"], org_slug: "trailmate", project_slug: "ios")', "env-reference")}
  end
end
""")

    add(M + "ios/Podfile.lock", "lockfile", f"""
PODS:
  - Mapbox-iOS-SDK (6.4.1)
  - RevenueCat (5.14.0)
  - Sentry (8.42.0)

SPEC CHECKSUMS:
{D("  Mapbox-iOS-SDK: " + sha1hex(), "sha1")}
{D("  RevenueCat: " + sha1hex(), "sha1")}
{D("  Sentry: " + sha1hex(), "sha1")}

{D("PODFILE CHECKSUM: " + sha1hex(), "sha1")}

COCOAPODS: 1.16.2
""")

    add(M + "backend/src/webhooks/revenuecat.ts", "typescript-backend", f"""
import express from "express";

// RevenueCat REST API v2 secret key (server side only)
{S('const REVENUECAT_SECRET_KEY = "sk_' + rs(32, ALNUM) + '";', "revenuecat-secret")}
// value configured as the webhook Authorization header in the RevenueCat dashboard
{S('const WEBHOOK_AUTH = "Bearer ' + rs(40, B64U) + '";', "webhook-secret")}
{D('const EXPO_TOKEN = process.env.EXPO_ACCESS_TOKEN ?? "";', "env-reference")}

export const router = express.Router();

router.post("/webhooks/revenuecat", async (req, res) => {{
  if (req.header("authorization") !== WEBHOOK_AUTH) return res.sendStatus(401);
  const {{ event }} = req.body;
  const r = await fetch(`https://api.revenuecat.com/v2/projects/${{event.project_id}}/customers/${{event.app_user_id}}`, {{
    headers: {{ Authorization: `Bearer ${{REVENUECAT_SECRET_KEY}}` }},
  }});
  res.json(await r.json());
}});
""")

    add(M + "backend/.env.production", "dotenv", f"""
NODE_ENV=production
PORT=8080
{S("DATABASE_URL=mysql://trailmate:" + rs(20, ALNUM) + "@aws.connect.psdb.cloud/trailmate?sslaccept=strict", "mysql-uri")}
{S("EXPO_ACCESS_TOKEN=" + rs(40, B64U), "expo")}
{S("ONESIGNAL_REST_API_KEY=os_v2_app_" + rs(113, "abcdefghijklmnopqrstuvwxyz234567"), "onesignal")}
{S("MAPBOX_SECRET_TOKEN=" + mapbox("sk", "trailmate"), "mapbox-secret")}
{S("FIREBASE_SERVICE_ACCOUNT_BASE64=" + b64(json.dumps({"type": "service_account", "project_id": "trailmate-prod", "private_key_id": rs(40, HEX), "private_key": pkcs8_rsa_pem() + NL, "client_email": "firebase-adminsdk-x1y2z@trailmate-prod.iam.gserviceaccount.com"}).encode()), "gcp-service-account-b64")}
""")


# =============================================================================================
# data-platform/
# =============================================================================================
def data_platform():
    P = "data-platform/"
    add(P + "airflow/config/connections.json", "airflow-connections", f"""
{{
  "snowflake_default": {{
    "conn_type": "snowflake",
    "login": "AIRFLOW_SVC",
{S('    "password": "' + rs(24, ALNUM) + '",', "snowflake-password")}
    "schema": "RAW",
    "extra": {{"account": "xy12345.eu-central-1", "warehouse": "LOAD_WH", "database": "RAW", "role": "LOADER"}}
  }},
  "postgres_app_replica": {{
    "conn_type": "postgres",
    "host": "app-replica.cx1e4kq2zj7h.eu-central-1.rds.amazonaws.com",
    "login": "etl_reader",
{S('    "password": "' + rs(20, ALNUM) + '",', "generic-password")}
    "port": 5432,
    "schema": "app"
  }},
  "aws_default": {{
    "conn_type": "aws",
{SS('    "login": "' + aws_id() + '",', "aws")}
{E('    "password": "' + aws_secret() + '",')}
    "extra": {{"region_name": "eu-central-1"}}
  }},
  "slack_alerts": {{
    "conn_type": "slack",
{S('    "password": "' + slack_bot() + '"', "slack-bot")}
  }},
  "google_cloud_default": {{
    "conn_type": "google_cloud_platform",
{D('    "extra": {"key_path": "/opt/airflow/secrets/gcp-etl.json", "project": "acme-analytics"}', "file-reference")}
  }},
  "hubspot_api": {{
    "conn_type": "http",
    "host": "https://api.hubapi.com",
{D('    "password": "{{ var.value.hubspot_token }}"', "template-reference")}
  }}
}}
""", validate_json=True)

    add(P + "airflow/config/variables.json", "airflow-variables", f"""
{{
  "environment": "prod",
  "raw_bucket": "s3://acme-datalake-raw-prod",
{S('  "dbt_cloud_token": "dbtc_' + rs(48, B64U) + '",', "dbt-cloud")}
  "dbt_cloud_account_id": "70403103947212",
{SS('  "fivetran_api_key": "' + rs(16, ALNUM) + '",', "fivetran")}
{E('  "fivetran_api_secret": "' + rs(32, ALNUM) + '",')}
{S('  "hightouch_api_token": "' + ruuid() + '",', "hightouch")}
{D('  "run_id_namespace": "' + ruuid() + '",', "uuid")}
{D('  "segment_write_key": "{{ var.value.segment_write_key }}"', "template-reference")}
}}
""", validate_json=True)

    add(P + "airflow/airflow.cfg", "airflow-cfg", f"""
[core]
dags_folder = /opt/airflow/dags
executor = CeleryExecutor
{S("fernet_key = " + b64u(rbytes(32)) + "=", "airflow-fernet-key")}
load_examples = False

[database]
{S("sql_alchemy_conn = postgresql+psycopg2://airflow:" + rs(22, ALNUM) + "@airflow-meta.internal:5432/airflow", "postgres-uri")}

[celery]
{S("broker_url = redis://:" + rs(24, ALNUM) + "@airflow-redis.internal:6379/0", "redis-uri")}
{D("result_backend = db+postgresql://airflow:{AIRFLOW_DB_PASSWORD}@airflow-meta.internal:5432/airflow", "env-reference")}

[webserver]
{S("secret_key = " + rs(32, HEX), "flask-secret-key")}
base_url = https://airflow.data.acme.io

[smtp]
smtp_host = email-smtp.eu-central-1.amazonaws.com
{SS("smtp_user = " + aws_id(), "aws-ses-smtp")}
{E("smtp_password = B" + rs(43, B64))}

[secrets]
backend = airflow.providers.hashicorp.secrets.vault.VaultBackend
{D('backend_kwargs = {"connections_path": "airflow/connections", "mount_point": "kv", "url": "https://vault.acme.io", "auth_type": "kubernetes"}', "vault-reference")}
""")

    add(P + "airflow/dags/sync_hubspot.py", "python-airflow-dag", f"""
from datetime import datetime

import requests
from airflow.decorators import dag, task
from airflow.hooks.base import BaseHook
from airflow.models import Variable

# TODO: move to the hubspot_api connection (it still uses the old private app)
{S('HUBSPOT_TOKEN = "pat-na1-' + ruuid() + '"', "hubspot")}


@dag(schedule="@hourly", start_date=datetime(2025, 1, 1), catchup=False, tags=["crm"])
def sync_hubspot():
    @task
    def extract():
{D('        token = Variable.get("hubspot_token")', "config-reference")}
{D('        conn = BaseHook.get_connection("postgres_app_replica").password', "config-reference")}
        r = requests.get("https://api.hubapi.com/crm/v3/objects/deals", headers={{"Authorization": f"Bearer {{HUBSPOT_TOKEN}}"}})
        return r.json()["results"]

    extract()


sync_hubspot()
""")

    sa_email = "dbt-runner@acme-analytics.iam.gserviceaccount.com"
    add(P + "dbt/profiles.yml", "dbt-profiles", f"""
acme:
  target: dev
  outputs:
    dev:
      type: snowflake
      account: xy12345.eu-central-1
      user: "{{{{ env_var('SNOWFLAKE_USER') }}}}"
{D('      password: "' + "{{ env_var('SNOWFLAKE_PASSWORD') }}" + '"', "env-reference")}
      role: TRANSFORMER
      database: ANALYTICS_DEV
      warehouse: TRANSFORM_WH
      schema: dbt_dana
      threads: 8
    prod:
      type: snowflake
      account: xy12345.eu-central-1
      user: DBT_PROD
{S("      password: " + rs(22, ALNUM), "snowflake-password")}
      role: TRANSFORMER
      database: ANALYTICS
      warehouse: TRANSFORM_WH
      schema: marts
      threads: 16

acme_bq:
  target: prod
  outputs:
    prod:
      type: bigquery
      method: service-account-json
      project: acme-analytics
      dataset: marts
      keyfile_json:
        type: service_account
        project_id: acme-analytics
{SS("        private_key_id: " + rs(40, HEX), "gcp-service-account")}
{E("        private_key: " + json.dumps(pkcs8_rsa_pem() + NL))}
        client_email: {sa_email}
        client_id: "{rs(21, DI)}"
        token_uri: https://oauth2.googleapis.com/token

acme_redshift:
  target: prod
  outputs:
    prod:
      type: redshift
      host: acme-dw.c7kq2x9z1b4e.eu-central-1.redshift.amazonaws.com
      user: dbt
{S("      password: " + rs(20, ALNUM) + "#", "generic-password")}
      port: 5439
      dbname: analytics
      schema: marts
""")

    add(P + "dbt/package-lock.yml", "lockfile", f"""
packages:
  - package: dbt-labs/dbt_utils
    version: 1.3.0
  - package: calogica/dbt_expectations
    version: 0.10.4
{D("sha1_hash: " + sha1hex(), "sha1")}
""")

    add(P + "spark/conf/spark-defaults.conf", "spark-conf", f"""
spark.master                                   k8s://https://kubernetes.default.svc
spark.executor.memory                          8g
spark.sql.extensions                           io.delta.sql.DeltaSparkSessionExtension
spark.hadoop.fs.s3a.endpoint                   s3.eu-central-1.amazonaws.com
{SS("spark.hadoop.fs.s3a.access.key                 " + aws_id(), "aws")}
{E("spark.hadoop.fs.s3a.secret.key                 " + aws_secret())}
{S("spark.hadoop.fs.azure.account.key.acmelake.dfs.core.windows.net  " + b64(rbytes(64)), "azure-storage-key")}
spark.eventLog.enabled                         true
{D("spark.hadoop.fs.s3a.aws.credentials.provider   com.amazonaws.auth.WebIdentityTokenCredentialsProvider", "not-a-secret")}
""")

    ck = rs(16, UP + DI)
    add(P + "kafka/client.properties", "kafka-client-properties", f"""
bootstrap.servers=pkc-e0zxq.eu-central-1.aws.confluent.cloud:9092
security.protocol=SASL_SSL
sasl.mechanism=PLAIN
{S('sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="' + ck + '" password="' + rs(64, B64) + '";', "confluent")}
client.dns.lookup=use_all_dns_ips
session.timeout.ms=45000
schema.registry.url=https://psrc-8kz20.eu-central-1.aws.confluent.cloud
basic.auth.credentials.source=USER_INFO
{S("basic.auth.user.info=" + rs(16, UP + DI) + ":" + rs(64, B64), "confluent")}
ssl.truststore.location=/etc/kafka/secrets/truststore.jks
{D("ssl.truststore.password=changeit", "default-password")}
""")

    add(P + "kafka/connect/debezium-orders-postgres.json", "debezium-connector", f"""
{{
  "name": "orders-postgres-cdc",
  "config": {{
    "connector.class": "io.debezium.connector.postgresql.PostgresConnector",
    "database.hostname": "orders-db.internal",
    "database.port": "5432",
    "database.user": "debezium",
{S('    "database.password": "' + rs(20, ALNUM) + '",', "generic-password")}
    "database.dbname": "orders",
    "topic.prefix": "orders",
    "plugin.name": "pgoutput",
    "slot.name": "debezium_orders"
  }}
}}
""", validate_json=True)

    add(P + "kafka/connect/debezium-inventory-mysql.json", "debezium-connector", f"""
{{
  "name": "inventory-mysql-cdc",
  "config": {{
    "connector.class": "io.debezium.connector.mysql.MySqlConnector",
    "database.hostname": "inventory-db.internal",
    "database.user": "debezium",
{D('    "database.password": "${file:/opt/kafka/external-configuration/mysql-credentials/credentials.properties:password}",', "config-provider-reference")}
    "database.server.id": "184054",
    "topic.prefix": "inventory",
    "schema.history.internal.kafka.bootstrap.servers": "kafka:9092",
{D('    "schema.history.internal.producer.sasl.jaas.config": "${secrets:kafka/connect-sasl:jaas}"', "config-provider-reference")}
  }}
}}
""", validate_json=True)

    add(P + "warehouse/snowflake/connections.toml", "snowflake-cli-toml", f"""
default_connection_name = "dev"

[dev]
account = "xy12345.eu-central-1"
user = "DANA"
authenticator = "externalbrowser"
role = "ANALYST"

[prod_loader]
account = "xy12345.eu-central-1"
user = "LOADER_SVC"
{S('password = "' + rs(22, ALNUM) + '"', "snowflake-password")}
warehouse = "LOAD_WH"

[prod_keypair]
account = "xy12345.eu-central-1"
user = "DBT_PROD"
authenticator = "SNOWFLAKE_JWT"
{D('private_key_file = "~/.snowflake/keys/dbt_prod_rsa_key.p8"', "file-reference")}
""")

    add(P + "warehouse/snowflake/dbt_prod_rsa_key.pub", "public-key", span_block(rsa_pub_pem(), "public-key", "D"))

    add(P + "warehouse/redshift/unload_events.sql", "sql", f"""
-- one-off backfill, run manually by dana on 2025-10-02
UNLOAD ('SELECT * FROM events WHERE event_date >= ''2025-01-01''')
TO 's3://acme-datalake-raw-prod/backfill/events_'
{S("CREDENTIALS 'aws_access_key_id=" + aws_id() + ";aws_secret_access_key=" + aws_secret() + "'", "aws")}
FORMAT AS PARQUET;

-- the scheduled version uses the cluster role instead
UNLOAD ('SELECT * FROM events WHERE event_date = CURRENT_DATE - 1')
TO 's3://acme-datalake-raw-prod/daily/events_'
{D("IAM_ROLE 'arn:aws:iam::" + rs(12, DI) + ":role/redshift-unload'", "arn")}
FORMAT AS PARQUET;
""")

    add(P + "warehouse/bigquery/sa-etl-loader.json", "gcp-service-account", f"""
{{
  "type": "service_account",
  "project_id": "acme-analytics",
{SS('  "private_key_id": "' + rs(40, HEX) + '",', "gcp-service-account")}
{E('  "private_key": ' + json.dumps(pkcs8_rsa_pem() + NL) + ',')}
  "client_email": "etl-loader@acme-analytics.iam.gserviceaccount.com",
  "client_id": "{rs(21, DI)}",
  "auth_uri": "https://accounts.google.com/o/oauth2/auth",
  "token_uri": "https://oauth2.googleapis.com/token",
  "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
  "client_x509_cert_url": "https://www.googleapis.com/robot/v1/metadata/x509/etl-loader%40acme-analytics.iam.gserviceaccount.com",
  "universe_domain": "googleapis.com"
}}
""", validate_json=True)

    add(P + "notebooks/data_quality_checks.py", "databricks-notebook", f"""
# Databricks notebook source
# MAGIC %md
# MAGIC ## Daily data-quality checks (orders, payments)

# COMMAND ----------

{D('jdbc_password = dbutils.secrets.get(scope="dq", key="orders-db-password")', "secret-manager-reference")}
{S('spark.conf.set("fs.azure.account.key.acmelake.dfs.core.windows.net", "' + b64(rbytes(64)) + '")', "azure-storage-key")}

# COMMAND ----------

{S('legacy_url = "jdbc:sqlserver://legacy-erp.database.windows.net:1433;database=erp;user=dq_reader;password=' + rs(18, ALNUM) + ';encrypt=true"', "mssql-connection")}
df = spark.read.jdbc(legacy_url, "dbo.payments")
display(df.groupBy("status").count())
""")

    add(P + "great_expectations/uncommitted/config_variables.yml", "great-expectations", f"""
warehouse_creds:
  drivername: snowflake
  host: xy12345.eu-central-1.snowflakecomputing.com
  username: GX_RUNNER
{S("  password: " + rs(20, ALNUM), "snowflake-password")}
staging_creds:
  drivername: postgresql
  host: staging-db.internal
  username: gx
{D("  password: ${GX_STAGING_PASSWORD}", "env-reference")}
""")

    add(P + ".idea/workspace.xml", "intellij-workspace", f"""
<?xml version="1.0" encoding="UTF-8"?>
<project version="4">
  <component name="RunManager" selected="Python.load_orders">
    <configuration name="load_orders" type="PythonConfigurationType" factoryName="Python">
      <envs>
        <env name="PYTHONUNBUFFERED" value="1" />
{S('        <env name="SNOWFLAKE_PASSWORD" value="' + rs(18, ALNUM) + '" />', "snowflake-password")}
{D('        <env name="OPENAI_API_KEY" value="$OPENAI_API_KEY$" />', "ide-macro-reference")}
{S('        <env name="DATABRICKS_TOKEN" value="dapi' + rs(32, HEX) + '" />', "databricks")}
      </envs>
      <option name="SCRIPT_NAME" value="$PROJECT_DIR$/pipelines/load_orders.py" />
    </configuration>
  </component>
</project>
""")

    add(P + ".idea/dataSources.xml", "intellij-datasources", f"""
<?xml version="1.0" encoding="UTF-8"?>
<project version="4">
  <component name="DataSourceManagerImpl" format="xml" multifile-model="true">
{D('    <data-source source="LOCAL" name="analytics@snowflake" uuid="' + ruuid() + '">', "uuid")}
      <driver-ref>snowflake</driver-ref>
      <jdbc-url>jdbc:snowflake://xy12345.eu-central-1.snowflakecomputing.com/?db=ANALYTICS&amp;warehouse=ADHOC_WH</jdbc-url>
      <working-dir>$ProjectFileDir$</working-dir>
    </data-source>
  </component>
</project>
""")


# =============================================================================================
# infra/
# =============================================================================================
def infra():
    I = "infra/"
    add(I + "pulumi/Pulumi.yaml", "pulumi-project", """
name: tessera-infra
runtime:
  name: nodejs
  options:
    packagemanager: pnpm
description: Core AWS + Cloudflare infrastructure
""")

    add(I + "pulumi/Pulumi.prod.yaml", "pulumi-stack", f"""
{D("encryptionsalt: v1:" + b64(rbytes(8)) + ":v1:" + b64(rbytes(12)) + ":" + b64(rbytes(32)), "pulumi-encryptionsalt")}
config:
  aws:region: eu-central-1
  tessera-infra:dbPassword:
{D("    secure: " + pulumi_secure(24), "pulumi-secure")}
  tessera-infra:stripeSecretKey:
{D("    secure: " + pulumi_secure(107), "pulumi-secure")}
  tessera-infra:githubToken:
{D("    secure: " + pulumi_secure(40), "pulumi-secure")}
  # TODO: encrypt with `pulumi config set --secret` (added in a hurry during the incident)
{S("  cloudflare:apiToken: " + rs(40, B64U), "cloudflare")}
{S("  datadog:apiKey: " + rs(32, HEX), "datadog")}
  datadog:appKey:
{D("    secure: " + pulumi_secure(40), "pulumi-secure")}
  tessera-infra:domain: tessera.ai
""")

    add(I + "pulumi/Pulumi.staging.yaml", "pulumi-stack", f"""
secretsprovider: awskms://alias/pulumi-staging?region=eu-central-1
{D("encryptedkey: " + b64(rbytes(184)), "pulumi-encryptedkey")}
config:
  aws:region: eu-central-1
  tessera-infra:dbPassword:
{D("    secure: " + b64(rbytes(60)), "pulumi-secure")}
  tessera-infra:sentryDsn: {sentry_dsn()}
""")

    add(I + "pulumi/index.ts", "typescript-pulumi", f"""
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import * as github from "@pulumi/github";

const config = new pulumi.Config();
{D('const dbPassword = config.requireSecret("dbPassword");', "config-reference")}

const db = new aws.rds.Instance("tessera-db", {{
  engine: "postgres",
  engineVersion: "16.4",
  instanceClass: "db.r6g.large",
  allocatedStorage: 100,
  username: "tessera",
  password: dbPassword,
}});

// provider for repo settings + actions secrets (token of the tessera-bot machine user)
{S('const gh = new github.Provider("gh", { owner: "tessera-ai", token: "' + gh("ghp_") + '" });', "github-pat")}

new github.ActionsSecret("db-url", {{
  repository: "platform",
  secretName: "DATABASE_URL",
  plaintextValue: pulumi.interpolate`postgres://tessera:${{dbPassword}}@${{db.endpoint}}/tessera`,
}}, {{ provider: gh }});
""")

    add(I + ".github/workflows/pulumi.yml", "github-actions", f"""
name: pulumi
on:
  push:
    branches: [main]
jobs:
  up:
    runs-on: ubuntu-latest
    env:
{S("      PULUMI_ACCESS_TOKEN: pul-" + rs(40, HEX), "pulumi")}
{D("      AWS_ACCESS_KEY_ID: ${{ secrets.AWS_ACCESS_KEY_ID }}", "ci-secret-reference")}
{D("      AWS_SECRET_ACCESS_KEY: ${{ secrets.AWS_SECRET_ACCESS_KEY }}", "ci-secret-reference")}
    steps:
      - uses: actions/checkout@{sha1hex()}
      - uses: pulumi/actions@v6
        with:
          command: up
          stack-name: tessera-ai/prod
          work-dir: infra/pulumi
""")

    add(I + "packer/ubuntu-base.pkr.hcl", "packer-hcl", f"""
packer {{
  required_plugins {{
    amazon = {{
      version = ">= 1.3.0"
      source  = "github.com/hashicorp/amazon"
    }}
  }}
}}

variable "aws_access_key" {{
  type    = string
{SS('  default = "' + aws_id() + '"', "aws")}
}}

variable "aws_secret_key" {{
  type      = string
{E('  default   = "' + aws_secret() + '"')}
  sensitive = true
}}

variable "hcp_client_id" {{
  type    = string
{D('  default = "' + rs(32, ALNUM) + '"', "public-id")}
}}

variable "hcp_client_secret" {{
  type      = string
{S('  default   = "' + rs(64, B64U) + '"', "hcp-client-secret")}
  sensitive = true
}}

variable "ssh_password" {{
  type      = string
  sensitive = true
}}

source "amazon-ebs" "ubuntu" {{
  access_key    = var.aws_access_key
{D('  secret_key    = var.aws_secret_key', "config-reference")}
  region        = "eu-central-1"
  instance_type = "t3.small"
  ssh_username  = "ubuntu"
{D('  ssh_password  = var.ssh_password', "config-reference")}
  ami_name      = "tessera-base-{{{{timestamp}}}}"
  source_ami_filter {{
    filters = {{
      name = "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-*"
    }}
    owners      = ["099720109477"]
    most_recent = true
  }}
}}

build {{
  sources = ["source.amazon-ebs.ubuntu"]
}}
""")

    add(I + "vagrant/Vagrantfile", "vagrantfile", f"""
Vagrant.configure("2") do |config|
  config.vm.box = "bento/ubuntu-24.04"

  config.vm.provider :aws do |aws, override|
{SS('    aws.access_key_id = "' + aws_id() + '"', "aws")}
{E('    aws.secret_access_key = "' + aws_secret() + '"')}
    aws.region = "eu-central-1"
    aws.keypair_name = "dana-dev"
    override.ssh.private_key_path = "~/.ssh/dana-dev.pem"
  end

  config.vm.provision "shell",
    path: "provision.sh",
{D('    env: { "VAULT_TOKEN" => ENV["VAULT_TOKEN"], "VAULT_ADDR" => "https://vault.tessera.ai" }', "env-reference")}
end
""")

    add(I + "cloud-init/bastion-user-data.yaml", "cloud-init", f"""
#cloud-config
hostname: bastion-1
users:
  - name: deploy
    groups: [sudo]
    shell: /bin/bash
{D("    passwd: $6$rounds=4096$" + crypt_salt(16) + "$" + crypt_salt(86), "password-hash")}
    ssh_authorized_keys:
{D("      - " + ssh_pub_ed("dana@laptop"), "public-key")}
{D("      - " + ssh_pub_ed("ci@tessera"), "public-key")}
chpasswd:
  expire: false
  users:
    - name: ubuntu
{S("      password: " + rs(16, ALNUM), "generic-password")}
      type: text
write_files:
  - path: /etc/wireguard/wg0.conf
    permissions: "0600"
    content: |
      [Interface]
{S("      PrivateKey = " + wg_key(), "wireguard-private-key")}
      Address = 10.8.0.2/24
      [Peer]
{D("      PublicKey = " + wg_key(), "public-key")}
{S("      PresharedKey = " + wg_key(), "wireguard-preshared-key")}
      Endpoint = vpn.tessera.ai:51820
      AllowedIPs = 10.8.0.0/16
  - path: /etc/datadog-agent/datadog.yaml
    content: |
{S("      api_key: " + rs(32, HEX), "datadog")}
      site: datadoghq.eu
runcmd:
  - systemctl enable --now wg-quick@wg0
""")

    add(I + "nomad/jobs/api.nomad.hcl", "nomad-job", f"""
job "api" {{
  datacenters = ["eu-central-1"]
  type        = "service"

  group "api" {{
    count = 3

    task "api" {{
      driver = "docker"
      config {{
        image = "ghcr.io/tessera-ai/api:2025.11.3"
      }}

      vault {{
        policies = ["api"]
      }}

      template {{
        data        = <<EOH
{{{{ with secret "kv/data/api" }}}}
{D('DATABASE_URL={{ .Data.data.database_url }}', "template-reference")}
{D('OPENAI_API_KEY={{ .Data.data.openai_api_key }}', "template-reference")}
{{{{ end }}}}
EOH
        destination = "secrets/api.env"
        env         = true
      }}

      env {{
        LOG_LEVEL         = "info"
{S('        STRIPE_SECRET_KEY = "sk_live_51' + rs(97, ALNUM) + '"', "stripe")}
      }}
    }}
  }}
}}
""")

    add(I + "nomad/server.hcl", "nomad-config", f"""
datacenter = "eu-central-1"
data_dir   = "/opt/nomad/data"

server {{
  enabled          = true
  bootstrap_expect = 3
{S('  encrypt          = "' + b64(rbytes(32)) + '"', "nomad-gossip-key")}
}}

acl {{
  enabled = true
}}

vault {{
  enabled = true
  address = "https://vault.tessera.ai"
{S('  token   = "hvs.CAESI' + rs(86, B64U) + '"', "vault")}
}}
""")

    add(I + "consul/consul.hcl", "consul-config", f"""
datacenter = "eu-central-1"
data_dir   = "/opt/consul"
server     = true
{S('encrypt    = "' + b64(rbytes(32)) + '"', "consul-gossip-key")}

acl {{
  enabled        = true
  default_policy = "deny"
  tokens {{
{S('    initial_management = "' + ruuid() + '"', "consul-acl-token")}
{S('    agent              = "' + ruuid() + '"', "consul-acl-token")}
  }}
}}

{D('node_id = "' + ruuid() + '"', "uuid")}
""")

    add(I + "vault/agent.hcl", "vault-agent", f"""
pid_file = "/run/vault-agent.pid"

vault {{
  address = "https://vault.tessera.ai"
}}

auto_auth {{
  method "approle" {{
    config = {{
{D('      role_id_file_path   = "/etc/vault-agent/role-id"', "file-reference")}
{D('      secret_id_file_path = "/etc/vault-agent/secret-id"', "file-reference")}
      remove_secret_id_file_after_reading = true
    }}
  }}
  sink "file" {{
    config = {{ path = "/run/vault-agent/token" }}
  }}
}}

template {{
{D('  contents    = "{{ with secret ' + ESCQ + 'database/creds/app' + ESCQ + ' }}{{ .Data.password }}{{ end }}"', "template-reference")}
  destination = "/run/secrets/db-password"
}}
""")

    add(I + "vault/bootstrap-approle.sh", "shell", f"""
#!/usr/bin/env bash
set -euo pipefail
export VAULT_ADDR=https://vault.tessera.ai
# root token from the init ceremony; revoke after bootstrap!
{S("export VAULT_TOKEN=hvs." + rs(24, ALNUM), "vault")}

vault auth enable approle || true
vault write auth/approle/role/agent token_policies=agent token_ttl=1h
{D('ROLE_ID="$(vault read -field=role_id auth/approle/role/agent/role-id)"', "command-substitution")}
{D('SECRET_ID="$(vault write -f -field=secret_id auth/approle/role/agent/secret-id)"', "command-substitution")}
echo "$ROLE_ID" > /etc/vault-agent/role-id
""")

    add(I + "haproxy/haproxy.cfg", "haproxy-cfg", f"""
global
  log stdout format raw local0
  maxconn 4096

userlist ops_users
{D("  user admin password $6$" + crypt_salt(16) + "$" + crypt_salt(86), "password-hash")}
{S("  user grafana insecure-password " + rs(16, ALNUM), "generic-password")}

frontend stats
  bind :8404
  stats enable
  stats uri /stats
{S("  stats auth admin:" + rs(18, ALNUM), "generic-password")}

backend legacy_billing
  server billing1 10.0.4.21:8080 check
{S('  http-request set-header Authorization "Basic ' + b64(("billing-proxy:" + rs(20, ALNUM)).encode()) + '"', "basic-auth")}
""")

    add(I + "nginx/.htpasswd", "htpasswd", f"""
{D("grafana:$apr1$" + crypt_salt(8) + "$" + crypt_salt(22), "password-hash")}
{D("prometheus:$2y$10$" + crypt_salt(53), "password-hash")}
{D("legacy:{SHA}" + b64(rbytes(20)), "password-hash")}
""")

    add(I + "nginx/conf.d/vendor-proxy.conf", "nginx-conf", f"""
server {{
  listen 443 ssl;
  server_name vendor-proxy.tessera.ai;
  ssl_certificate     /etc/nginx/tls/tls.crt;
  ssl_certificate_key /etc/nginx/tls/tls.key;

  location /grafana/ {{
    auth_basic "ops";
{D("    auth_basic_user_file /etc/nginx/.htpasswd;", "file-reference")}
    proxy_pass http://grafana:3000/;
  }}

  location /geo/ {{
    proxy_pass https://api.ipinfo.io/;
{S('    proxy_set_header Authorization "Bearer ' + rs(14, HEX) + '";', "ipinfo")}
  }}
}}
""")

    vault_hex = rs(80 * 12, HEX)
    add(I + "ansible/group_vars/bastion/vault.yml", "ansible-vault",
        span_block("$ANSIBLE_VAULT;1.1;AES256\n" + "\n".join(vault_hex[i:i + 80] for i in range(0, len(vault_hex), 80)),
                   "ansible-vault", "D"))

    add(I + "secrets/prod.enc.yaml", "sops", f"""
database:
{D("    password: " + sops(22), "sops-encrypted")}
stripe:
{D("    secret_key: " + sops(107), "sops-encrypted")}
openai:
{D("    api_key: " + sops(164), "sops-encrypted")}
sops:
    age:
{D("        - recipient: age1" + rs(58, "qpzry9x8gf2tvdw0s3jn54khce6mua7l"), "public-key")}
          enc: |
{DS("            -----BEGIN AGE ENCRYPTED FILE-----", "sops-age-encrypted")}
            {b64(rbytes(48))}
            {b64(rbytes(48))}
{E("            -----END AGE ENCRYPTED FILE-----")}
    lastmodified: "2025-10-28T09:12:44Z"
{D("    mac: " + sops(32), "sops-encrypted")}
    version: 3.9.1
""")

    add(I + "k8s/sealed-db-credentials.yaml", "sealed-secret", f"""
apiVersion: bitnami.com/v1alpha1
kind: SealedSecret
metadata:
  name: db-credentials
  namespace: tessera
spec:
  encryptedData:
{D("    password: AgB" + b64(rbytes(520)), "sealed-secret")}
{D("    username: AgA" + b64(rbytes(500)), "sealed-secret")}
  template:
    metadata:
      name: db-credentials
""")

    add(I + "k8s/kubeconfig-ci.yaml", "kubeconfig", f"""
apiVersion: v1
kind: Config
clusters:
- cluster:
{D("    certificate-authority-data: " + b64((cert_pem() + NL).encode()), "certificate-b64")}
    server: https://k8s-prod.tessera.ai:6443
  name: prod
contexts:
- context:
    cluster: prod
    user: ci-admin
  name: prod-admin
- context:
    cluster: prod
    user: ci-deployer
  name: prod-deployer
current-context: prod-deployer
users:
- name: ci-admin
  user:
{D("    client-certificate-data: " + b64((cert_pem() + NL).encode()), "certificate-b64")}
{S("    client-key-data: " + b64((rsa_pem() + NL).encode()), "private-key-b64")}
- name: ci-deployer
  user:
{S("    token: " + jwt({"iss": "kubernetes/serviceaccount", "kubernetes.io/serviceaccount/namespace": "ci", "kubernetes.io/serviceaccount/service-account.name": "deployer", "sub": "system:serviceaccount:ci:deployer"}, 342, "RS256"), "k8s-sa-token")}
- name: eks-readonly
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: aws
      args: ["eks", "get-token", "--cluster-name", "tessera-prod"]
""")

    add(I + "scripts/bootstrap-k3s.sh", "shell", f"""
#!/usr/bin/env bash
# joins an agent to the edge k3s cluster
set -euo pipefail
{S("K3S_TOKEN=K10" + rs(64, HEX) + "::server:" + rs(32, HEX), "k3s-token")}
curl -sfL https://get.k3s.io | K3S_URL=https://edge-0.tessera.ai:6443 K3S_TOKEN="$K3S_TOKEN" sh -

# old kubeadm cluster (kept for reference; the first command is the example from the kubeadm docs)
{D("# kubeadm join 10.0.0.10:6443 --token abcdef.0123456789abcdef --discovery-token-unsafe-skip-ca-verification", "doc-example")}
{S("kubeadm join 10.0.0.10:6443 --token " + rs(6, LOWALNUM) + "." + rs(16, LOWALNUM) + " " + BS, "kubeadm-token")}
{D("  --discovery-token-ca-cert-hash sha256:" + sha256hex(), "sha256")}
""")


# =============================================================================================
# devbox/home/dana/
# =============================================================================================
def devbox():
    H = "devbox/home/dana/"
    add(H + ".docker/config.json", "docker-config", f"""
{{
  "auths": {{
    "ghcr.io": {{
{S('      "auth": "' + b64(("dana-tessera:" + gh("ghp_")).encode()) + '"', "docker-auth")}
    }},
    "registry.gitlab.com": {{
{S('      "auth": "' + b64(("dana:glpat-" + rs(20, B64U)).encode()) + '"', "docker-auth")}
    }},
    "https://index.docker.io/v1/": {{}}
  }},
  "credsStore": "desktop",
  "credHelpers": {{
    "{rs(12, DI)}.dkr.ecr.eu-central-1.amazonaws.com": "ecr-login",
    "europe-west3-docker.pkg.dev": "gcloud"
  }}
}}
""", validate_json=True)

    add(H + ".gem/credentials", "gem-credentials", f"""
---
{S(":rubygems_api_key: rubygems_" + rs(48, HEX), "rubygems")}
""")

    add(H + ".m2/settings.xml", "maven-settings", f"""
<settings xmlns="http://maven.apache.org/SETTINGS/1.2.0">
  <servers>
    <server>
      <id>tessera-nexus</id>
      <username>dana</username>
{S('      <password>' + rs(20, ALNUM) + '</password>', "generic-password")}
    </server>
    <server>
      <id>ossrh</id>
      <username>tessera-release</username>
{D('      <password>{' + b64(rbytes(32)) + '}</password>', "maven-encrypted-password")}
    </server>
    <server>
      <id>artifactory</id>
      <username>ci</username>
{D('      <password>${env.ARTIFACTORY_TOKEN}</password>', "env-reference")}
    </server>
  </servers>
</settings>
""")

    add(H + ".m2/settings-security.xml", "maven-settings-security", f"""
<settingsSecurity>
{D('  <master>{' + b64(rbytes(32)) + '}</master>', "maven-encrypted-password")}
</settingsSecurity>
""")

    add(H + ".gradle/gradle.properties", "gradle-properties", f"""
org.gradle.daemon=true
org.gradle.caching=true
ossrhUsername=tessera-release
{S("ossrhPassword=" + rs(24, ALNUM), "generic-password")}
{D("signing.keyId=" + rs(8, HEX).upper(), "public-id")}
{S("signing.password=" + rs(20, ALNUM), "generic-password")}
signing.secretKeyRingFile=/Users/dana/.gnupg/secring.gpg
""")

    add(H + ".gradle/init.d/company-repos.gradle", "gradle-init-script", f"""
allprojects {{
    repositories {{
        maven {{
            url "https://tessera.jfrog.io/artifactory/libs-release"
            credentials {{
                username = "dana@tessera.ai"
{S('                password = "AKCp8' + rs(68, ALNUM) + '"', "artifactory")}
            }}
        }}
        maven {{
            url "https://tessera.jfrog.io/artifactory/libs-snapshot"
            credentials {{
                username = System.getenv("ARTIFACTORY_USER")
{D('                password = System.getenv("ARTIFACTORY_TOKEN")', "env-reference")}
            }}
        }}
    }}
}}
""")

    add(H + ".cargo/credentials.toml", "cargo-credentials", f"""
[registry]
{S('token = "cio' + rs(32, ALNUM) + '"', "crates-io")}

[registries.tessera]
{S('token = "Bearer ' + rs(40, HEX) + '"', "cloudsmith")}
""")

    add(H + ".config/composer/auth.json", "composer-auth", f"""
{{
  "github-oauth": {{
{S('    "github.com": "' + gh("gho_") + '"', "github-oauth")}
  }},
  "gitlab-token": {{
{S('    "gitlab.com": "glpat-' + rs(20, B64U) + '"', "gitlab-pat")}
  }},
  "http-basic": {{
    "repo.packagist.com": {{
      "username": "token",
{S('      "password": "' + rs(64, HEX) + '"', "private-packagist")}
    }}
  }}
}}
""", validate_json=True)

    add(H + ".pypirc", "pypirc", f"""
[distutils]
index-servers =
    pypi
    testpypi

[pypi]
username = __token__
{S("password = pypi-AgEIcHlwaS5vcmc" + rs(150, B64U), "pypi")}

[testpypi]
repository = https://test.pypi.org/legacy/
username = __token__
{D("password = <your-testpypi-token>", "placeholder")}
""")

    add(H + ".condarc", "condarc", f"""
channels:
  - conda-forge
  - tessera
{S("channel_alias: https://conda-reader:" + rs(20, ALNUM) + "@conda.internal.tessera.ai", "basic-auth-url")}
ssl_verify: /Users/dana/.certs/tessera-root-ca.pem
auto_activate_base: false
""")

    priv, pub = openssh_ed25519("dana@tessera-mbp")
    add(H + ".ssh/id_ed25519", "ssh-private-key", span_block(priv, "private-key"))
    add(H + ".ssh/id_ed25519.pub", "ssh-public-key", D(pub, "public-key"))
    add(H + ".ssh/known_hosts", "ssh-known-hosts", f"""
{D("|1|" + b64(rbytes(20)) + "|" + b64(rbytes(20)) + " ssh-ed25519 " + b64(sstr("ssh-ed25519") + sstr(rbytes(32))), "public-key")}
{D("|1|" + b64(rbytes(20)) + "|" + b64(rbytes(20)) + " ecdsa-sha2-nistp256 " + b64(sstr("ecdsa-sha2-nistp256") + sstr("nistp256") + sstr(bytes([4]) + rbytes(64))), "public-key")}
""")

    add(H + ".databrickscfg", "databricks-cfg", f"""
[DEFAULT]
host  = https://adb-{rs(16, DI)}.{rs(1, DI)}.azuredatabricks.net
{S("token = dapi" + rs(32, HEX) + "-2", "databricks")}

[sp-prod]
host                = https://adb-{rs(16, DI)}.{rs(1, DI)}.azuredatabricks.net
{D("azure_client_id     = " + ruuid(), "oauth-client-id (public by design)")}
azure_tenant_id     = {ruuid()}
{S("azure_client_secret = " + rs(3, ALNUM) + rs(1, DI) + "Q~" + rs(34, ALNUM + "_~.-"), "azure-ad-client-secret")}
""")

    add(H + ".pulumi/credentials.json", "pulumi-credentials", f"""
{{
    "current": "https://api.pulumi.com",
    "accessTokens": {{
{S('        "https://api.pulumi.com": "pul-' + rs(40, HEX) + '"', "pulumi")}
    }},
    "accounts": {{
        "https://api.pulumi.com": {{
            "accessToken": "",
            "username": "dana-tessera",
            "lastValidatedAt": "2025-11-02T08:14:51.30Z"
        }}
    }}
}}
""", validate_json=True)

    add(H + "Library/Application Support/Claude/claude_desktop_config.json", "claude-desktop-config", f"""
{{
  "mcpServers": {{
    "github": {{
      "command": "npx",
      "args": ["-y", "@modelcontextprotocol/server-github"],
      "env": {{
{S('        "GITHUB_PERSONAL_ACCESS_TOKEN": "' + gh_fine() + '"', "github-fine-grained")}
      }}
    }},
    "google-maps": {{
      "command": "npx",
      "args": ["-y", "@modelcontextprotocol/server-google-maps"],
      "env": {{
{S('        "GOOGLE_MAPS_API_KEY": "' + google_key() + '"', "google-api-key")}
      }}
    }},
    "slack": {{
      "command": "npx",
      "args": ["-y", "@modelcontextprotocol/server-slack"],
      "env": {{
{D('        "SLACK_BOT_TOKEN": "xoxb-your-bot-token",', "placeholder")}
        "SLACK_TEAM_ID": "T01234567"
      }}
    }},
    "filesystem": {{
      "command": "npx",
      "args": ["-y", "@modelcontextprotocol/server-filesystem", "/Users/dana/src"]
    }}
  }}
}}
""", validate_json=True)

    add(H + ".continue/config.yaml", "continue-config", f"""
name: dana
version: 0.0.1
schema: v1
models:
  - name: Claude Sonnet
    provider: anthropic
    model: claude-3-7-sonnet-latest
{D("    apiKey: ${{ secrets.ANTHROPIC_API_KEY }}", "secret-reference")}
  - name: Codestral
    provider: mistral
    model: codestral-latest
{S("    apiKey: " + rs(32, ALNUM), "mistral")}
    roles: [autocomplete]
  - name: GPT-4o
    provider: openai
    model: gpt-4o
{S("    apiKey: " + openai("proj"), "openai-project")}
""")

    add(H + ".aider.conf.yml", "aider-config", f"""
model: sonnet
{S("openai-api-key: " + openai("proj"), "openai-project")}
{D("# anthropic-api-key: xxx", "placeholder")}
api-key:
{S("  - deepseek=" + deepseek(), "deepseek")}
{S("  - gemini=" + google_key(), "gemini")}
auto-commits: false
""")

    add(H + ".zsh_history", "shell-history", f"""
: 1761820411:0;cd ~/src/tessera/ai-platform
: 1761820433:0;uv sync
{S(": 1761820502:0;export ANTHROPIC_API_KEY=" + anthropic(), "anthropic")}
: 1761820519:0;uv run pytest -x apps/api/tests
{S(": 1761821004:0;curl -s https://huggingface.co/api/whoami-v2 -H 'Authorization: Bearer " + hf() + "'", "huggingface")}
{D(": 1761821950:0;export OPENAI_API_KEY=$(op read op://Private/OpenAI/credential)", "secret-manager-reference")}
{S(": 1761822377:0;aws configure set aws_secret_access_key " + aws_secret() + " --profile legacy", "aws-secret-only")}
{S(": 1761823012:0;export XAI_API_KEY=" + xai(), "xai")}
: 1761823015:0;git status
{D(": 1761823101:0;git cherry-pick " + sha1hex(), "commit-id")}
{S(": 1761823288:0;docker login ghcr.io -u dana-tessera -p " + gh("ghp_"), "github-pat")}
""")

    add(H + ".wakatime.cfg", "wakatime-cfg", f"""
[settings]
{S("api_key = waka_" + ruuid(), "wakatime")}
hide_file_names = true
""")

    add(H + ".config/ngrok/ngrok.yml", "ngrok-config", f"""
version: "3"
agent:
{S("  authtoken: 2" + rs(26, ALNUM) + "_" + rs(21, ALNUM), "ngrok")}
tunnels:
  api:
    proto: http
    addr: 8000
""")

    add(H + ".config/stripe/config.toml", "stripe-cli-config", f"""
[default]
  device_name = "tessera-mbp"
  display_name = "Tessera AI"
{S('  live_mode_api_key = "rk_live_51' + rs(97, ALNUM) + '"', "stripe-restricted")}
{D('  live_mode_pub_key = "pk_live_51' + rs(97, ALNUM) + '"', "stripe-publishable-key (public by design)")}
  account_id = "acct_1{rs(15, ALNUM)}"
""")


# =============================================================================================
def main():
    ai_platform()
    mobile()
    data_platform()
    infra()
    devbox()
    seen = set()
    for lab in LAB:
        k = (lab["path"], lab["line"])
        assert k not in seen, "two labels on one line: %s:%d" % k
        seen.add(k)
        body = FILES[lab["path"]].split("\n")
        assert body[lab["line"] - 1].strip(), "label on an empty line: %s:%d" % k
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    for path, body in FILES.items():
        full = os.path.join(OUT, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w") as fh:
            fh.write(body)
    labels = sorted(LAB, key=lambda l: (l["path"], l["line"]))
    with open(LABELS, "w") as fh:
        json.dump(labels, fh, indent=1)
        fh.write("\n")
    sec = [l for l in labels if l["kind"] == "secret"]
    print("wrote %d files, %d secret labels (%d providers), %d decoy labels -> %s"
          % (len(FILES), len(sec), len({l["provider"] for l in sec}), len(labels) - len(sec), os.path.relpath(OUT)),
          file=sys.stderr)


if __name__ == "__main__":
    main()
