#!/usr/bin/env python3
"""Generates the triage benchmark's repository: a small company monorepo ("acme-shop") with planted true problems
and the realistic noise around them.

  python3 bench/triage/make_repo.py OUT_DIR

OUT_DIR must not exist or be empty. The output is deterministic: fixed file contents, fake credentials drawn
from a seeded generator, one git commit with fixed author, committer and dates (the same commit id every time).
Nothing here reads stdin, touches the network, or imports/unpickles anything; the malicious pickle is written
opcode by opcode and is never loaded.

Fake credentials have real providers' shapes (so the secret rules see them as a leak would look) but are random:
they were never issued. They are assembled at run time from a prefix and a seeded random body, so this file does
not hold a whole credential (warden scans its own repository and must find nothing here).

What is planted is listed in labels.json beside this file; everything else warden reports is noise: test
fixtures, examples, docs, vendored code, the dev compose file, and hygiene findings in production code and
manifests, including in the critical and the publicly exposed services.
"""
from __future__ import annotations

import json
import os
import random
import re
import struct
import subprocess
import sys
from pathlib import Path

ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
UPPER32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
B64 = ALNUM + "+/"
URLSAFE = ALNUM + "_-"
HEX = "0123456789abcdef"


def fake_keys() -> dict[str, str]:
    """Every fake credential of the repository, by placeholder name. Bodies come from one seeded generator, in a
    fixed order, so the values are the same on every run."""
    rng = random.Random(20261130)

    def r(alphabet: str, n: int) -> str:
        return "".join(rng.choice(alphabet) for _ in range(n))

    oai_mid = "T3Blbk" + "FJ"  # the fixed marker in the middle of OpenAI keys
    pem = "PRIVATE " + "KEY-----"
    keys = {
        # planted: a hard-coded fallback key in the gateway's provider table (production code)
        "OPENAI_GATEWAY": "sk-" + "proj-" + r(URLSAFE, 56) + oai_mid + r(URLSAFE, 56),
        # planted: a provider key written into the public gateway's Deployment
        "ANTHROPIC_GATEWAY_K8S": "sk-" + "ant-api03-" + r(URLSAFE, 93) + "AA",
        # planted: a long-lived AWS key pair in the deploy workflow
        "AWS_DEPLOY_ID": "AK" + "IA" + r(UPPER32, 16),
        "AWS_DEPLOY_SECRET": r(B64, 40),
        # noise: test fixtures
        "ANTHROPIC_GATEWAY_TEST": "sk-" + "ant-api03-" + r(URLSAFE, 93) + "AA",
        "STRIPE_TEST_FIXTURE": "sk_" + "test_" + r(ALNUM, 99),
        "STRIPE_WHSEC_TEST": "wh" + "sec_" + r(ALNUM, 32),
        "SLACK_TEST": "xo" + "xb-" + r("0123456789", 12) + "-" + r("0123456789", 13) + "-" + r(ALNUM, 24),
        # noise: examples and docs
        "OPENAI_EXAMPLE": "sk-" + "proj-" + r(URLSAFE, 56) + oai_mid + r(URLSAFE, 56),
        "SENDGRID_DOCS": "S" + "G." + r(URLSAFE, 22) + "." + r(URLSAFE, 43),
        "STRIPE_DOCS": "sk_" + "test_" + r(ALNUM, 99),
        # noise: the dev compose file's local database password
        "DEV_DB_PASSWORD": "dev-" + r(ALNUM, 12),
        # noise: the gateway's TLS tests use a throwaway private key (PEM body, 64 characters a line)
        "TLS_TEST_KEY_BODY": "\n".join(r(B64, 64) for _ in range(25)) + "\n" + r(B64, 28) + "==",
        # noise: vendored library test vector
        "VENDOR_HMAC": r(HEX, 64),
    }
    keys["TLS_TEST_KEY"] = f"-----BEGIN {pem}\n{keys.pop('TLS_TEST_KEY_BODY')}\n-----END {pem}"
    return keys


def pickle_with_os_system() -> bytes:
    """A 'ranker' checkpoint as a protocol-2 pickle: a dict of weights and a version, plus an entry whose value
    is posix.system('id') (REDUCE): loading it runs a command. Opcodes written by hand, never loaded."""

    def binunicode(s: str) -> bytes:
        b = s.encode()
        return b"X" + struct.pack("<I", len(b)) + b

    out = bytearray(b"\x80\x02")  # PROTO 2
    out += b"}q\x00("  # EMPTY_DICT, BINPUT 0, MARK
    out += binunicode("weights") + b"]q\x01("  # key; EMPTY_LIST, BINPUT 1, MARK
    for w in (0.125, -0.5, 0.75, 0.0625, 1.5, -0.25, 0.375, 0.8125):
        out += b"G" + struct.pack(">d", w)  # BINFLOAT
    out += b"e"  # APPENDS
    out += binunicode("version") + binunicode("2.3.1")
    out += binunicode("_init") + b"cposix\nsystem\nq\x02" + binunicode("id") + b"\x85R"  # GLOBAL, TUPLE1, REDUCE
    out += b"u."  # SETITEMS, STOP
    return bytes(out)


def safetensors_file() -> bytes:
    """A valid safetensors file: one F32 tensor [4, 8]."""
    header = {"__metadata__": {"format": "pt"},
              "item_embedding": {"dtype": "F32", "shape": [4, 8], "data_offsets": [0, 128]}}
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    data = b"".join(struct.pack("<f", (i % 7) / 8.0) for i in range(32))
    return struct.pack("<Q", len(h)) + h + data


# --------------------------------------------------------------------------------------------------- files
# Text files use <<NAME>> placeholders for the fake credentials of fake_keys().

FILES: dict[str, str] = {}


def f(path: str, text: str) -> None:
    assert path not in FILES, path
    FILES[path] = text.lstrip("\n")


f("README.md", """
# acme-shop

The Acme online shop: storefront API, payments, an LLM gateway and the jobs around them.

| service | what | owner |
|---|---|---|
| `services/gateway` | LLM gateway: every model call goes through it (OpenAI-compatible API, keys, quotas) | @acme/edge |
| `services/api` | public storefront API (Node) | @acme/api |
| `services/payments` | payments, refunds, Stripe webhooks | @acme/payments |
| `services/support-agent` | support ticket agent and its knowledge base | @acme/ai |
| `services/recommender` | product recommendations | @acme/ml |
| `services/batch` | nightly jobs | @acme/data |
| `services/internal-reports` | internal reporting UI for the finance team | @acme/data |

Local development: `docker compose up` (see `docs/setup.md`). Deployment: `deploy/k8s/`, infrastructure in
`infra/terraform/`.
""")

f(".github/CODEOWNERS", """
*                           @acme/platform
/services/gateway/          @acme/edge
/services/api/              @acme/api
/services/payments/         @acme/payments
/services/support-agent/    @acme/ai
/services/recommender/      @acme/ml
/services/batch/            @acme/data
/services/internal-reports/ @acme/data
/deploy/                    @acme/sre
/infra/                     @acme/sre
/.github/                   @acme/platform
""")

f("warden.toml", """
# warden's configuration for acme-shop.

[triage.services.gateway]
paths = ["services/gateway/**", "deploy/k8s/gateway.yaml"]
criticality = "critical"

[triage.services.payments]
paths = ["services/payments/**", "deploy/k8s/payments.yaml"]
criticality = "critical"

[triage.services.api]
paths = ["services/api/**", "deploy/k8s/api.yaml"]
criticality = "high"

[triage.services.support-agent]
paths = ["services/support-agent/**", "deploy/k8s/support-agent.yaml"]
criticality = "normal"

[triage.services.recommender]
paths = ["services/recommender/**", "deploy/k8s/recommender.yaml"]
criticality = "normal"

[triage.services.batch]
paths = ["services/batch/**", "deploy/k8s/batch/**"]
criticality = "normal"

[triage.services.internal-reports]
paths = ["services/internal-reports/**", "deploy/k8s/internal-reports.yaml"]
criticality = "low"

# Every model call goes through the gateway (keys, quotas, logging): other services use an OpenAI-compatible
# client pointed at it, never a provider directly.
[[triage.invariants]]
name = "llm-only-via-gateway"
description = "Only the LLM gateway talks to model providers; other services call the gateway"
forbid = 'asset where kind == llm-client and code == production and not path matches "services/gateway/**" and not properties.host matches "gateway.*"'

# Personal data never goes into a vector store (the knowledge base is shared across tenants).
[[triage.invariants]]
name = "no-pii-in-vector-store"
description = "No personal data is written into a vector store"
forbid = 'finding where rule == ai/pii-in-vector-store'
""")

# ----------------------------------------------------------------------------------------------- gateway
f("services/gateway/Dockerfile", """
FROM python:3.12-slim
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY app/ app/
USER 10001
EXPOSE 8080
CMD ["uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "8080"]
""")

f("services/gateway/requirements.txt", """
fastapi==0.115.2
uvicorn==0.31.1
openai==1.51.2
anthropic==0.36.2
pydantic==2.9.2
redis==5.1.1
""")

f("services/gateway/app/__init__.py", "")

f("services/gateway/app/providers.py", """
\"\"\"Provider clients. Keys come from the environment (filled from Secrets in the cluster).\"\"\"
import os

from anthropic import Anthropic
from openai import OpenAI

# TODO(edge): remove the fallback once the staging Secret is fixed (INC-2291).
OPENAI_API_KEY = os.environ.get("OPENAI_API_KEY", "<<OPENAI_GATEWAY>>")

openai_client = OpenAI(api_key=OPENAI_API_KEY, max_retries=2, timeout=30)
anthropic_client = Anthropic(api_key=os.environ["ANTHROPIC_API_KEY"], max_retries=2)

ROUTES = {
    "gpt-4o-mini": "openai",
    "gpt-4o": "openai",
    "claude-3-5-sonnet-20241022": "anthropic",
    "claude-3-5-haiku-20241022": "anthropic",
}
""")

f("services/gateway/app/main.py", """
from fastapi import Depends, FastAPI, HTTPException
from pydantic import BaseModel

from .providers import ROUTES, anthropic_client, openai_client
from .quota import check_quota, tenant_of

app = FastAPI(title="acme llm gateway")


class Message(BaseModel):
    role: str
    content: str


class ChatRequest(BaseModel):
    model: str
    messages: list[Message]
    max_tokens: int = 512


@app.post("/v1/chat/completions")
def chat(req: ChatRequest, tenant: str = Depends(tenant_of)):
    check_quota(tenant, req.max_tokens)
    provider = ROUTES.get(req.model)
    if provider is None:
        raise HTTPException(status_code=404, detail="unknown model")
    max_tokens = min(req.max_tokens, 4096)
    if provider == "openai":
        out = openai_client.chat.completions.create(
            model=req.model,
            messages=[m.model_dump() for m in req.messages],
            max_tokens=max_tokens,
        )
        return out.model_dump()
    out = anthropic_client.messages.create(
        model=req.model,
        messages=[m.model_dump() for m in req.messages if m.role != "system"],
        max_tokens=max_tokens,
    )
    return {"choices": [{"message": {"role": "assistant", "content": out.content[0].text}}]}


@app.get("/healthz")
def healthz():
    return {"ok": True}
""")

f("services/gateway/app/quota.py", """
import hashlib
import os

import redis
from fastapi import Header, HTTPException

r = redis.Redis.from_url(os.environ.get("REDIS_URL", "redis://localhost:6379/0"))
DAILY_TOKENS = int(os.environ.get("DAILY_TOKENS", "2000000"))


def tenant_of(authorization: str = Header(...)) -> str:
    token = authorization.removeprefix("Bearer ").strip()
    tenant = r.get("gw:token:" + hashlib.sha256(token.encode()).hexdigest())
    if tenant is None:
        raise HTTPException(status_code=401)
    return tenant.decode()


def check_quota(tenant: str, tokens: int) -> None:
    key = f"gw:quota:{tenant}"
    used = r.incrby(key, tokens)
    r.expire(key, 86400)
    if used > DAILY_TOKENS:
        raise HTTPException(status_code=429, detail="daily token quota exceeded")
""")

f("services/gateway/tests/test_proxy.py", """
from fastapi.testclient import TestClient

# A syntactically valid key for the provider stub; it was never issued.
FAKE_ANTHROPIC_KEY = "<<ANTHROPIC_GATEWAY_TEST>>"


def test_unknown_model(monkeypatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", FAKE_ANTHROPIC_KEY)
    from app.main import app

    client = TestClient(app)
    r = client.post("/v1/chat/completions", json={"model": "nope", "messages": []},
                    headers={"Authorization": "Bearer t"})
    assert r.status_code in (401, 404)
""")

f("services/gateway/tests/fixtures/tls/server.key", """
<<TLS_TEST_KEY>>
""")

f("services/gateway/tests/fixtures/tls/README.md", """
Self-signed certificate and key for `test_tls.py` (CN=localhost), generated with
`openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj /CN=localhost`. Test use only.
""")

f("services/gateway/tests/test_tls.py", """
import ssl
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures" / "tls"


def test_server_context_loads():
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(FIXTURES / "server.crt", FIXTURES / "server.key")
""")

# ---------------------------------------------------------------------------------------------- payments
f("services/payments/Dockerfile", """
FROM python:3.12-slim@sha256:5d1a5b3c8a2f0f3e9a7c2b1d4e6f8a0b2c4d6e8f0a1b3c5d7e9f1a2b4c6d8e0f2
WORKDIR /srv
COPY requirements.txt .
RUN pip install --no-cache-dir --require-hashes -r requirements.txt
COPY payments/ payments/
USER 10001
CMD ["gunicorn", "-b", "0.0.0.0:8000", "payments.app:app"]
""")

f("services/payments/requirements.txt", """
flask==3.0.3 --hash=sha256:34e815dfaa43340d1d15a5c3a02b8476004037eb4840b34910c6e21679d288f3
gunicorn==23.0.0 --hash=sha256:ec400d38950de4dfd418cff8328b2c8faed0edb0d517d3394e457c317908ca4d
psycopg2-binary==2.9.9 --hash=sha256:ee825e70b1a209475622f7f7b776785bd68f34af6e7a46e2e42f27b659b5bc26
stripe==10.12.0 --hash=sha256:4be9a4c2e1a7e1b5c3e5d0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6
""")

f("services/payments/payments/__init__.py", "")

f("services/payments/payments/app.py", """
from flask import Flask

from .refunds import bp as refunds
from .webhooks import bp as webhooks

app = Flask(__name__)
app.register_blueprint(refunds)
app.register_blueprint(webhooks)
""")

f("services/payments/payments/db.py", """
import os

import psycopg2

_conn = None


def conn():
    global _conn
    if _conn is None or _conn.closed:
        _conn = psycopg2.connect(os.environ["PAYMENTS_DATABASE_URL"])
    return _conn
""")

f("services/payments/payments/refunds.py", """
import stripe
from flask import Blueprint, abort, jsonify, request

from .db import conn

bp = Blueprint("refunds", __name__, url_prefix="/refunds")


@bp.get("/")
def list_refunds():
    order_id = request.args.get("order_id", "")
    status = request.args.get("status", "succeeded")
    cur = conn().cursor()
    # Support asked for free-text search on order ids (PAY-412).
    cur.execute(
        f"SELECT id, order_id, amount_cents, status FROM refunds "
        f"WHERE order_id LIKE '%{order_id}%' AND status = '{status}' ORDER BY created_at DESC LIMIT 100"
    )
    rows = cur.fetchall()
    return jsonify([dict(zip(("id", "order_id", "amount_cents", "status"), r)) for r in rows])


@bp.post("/")
def create_refund():
    body = request.get_json(force=True)
    cur = conn().cursor()
    cur.execute("SELECT charge_id, amount_cents FROM orders WHERE id = %s", (body["order_id"],))
    row = cur.fetchone()
    if row is None:
        abort(404)
    refund = stripe.Refund.create(charge=row[0], amount=min(int(body["amount_cents"]), row[1]))
    cur.execute(
        "INSERT INTO refunds (id, order_id, amount_cents, status) VALUES (%s, %s, %s, %s)",
        (refund.id, body["order_id"], refund.amount, refund.status),
    )
    conn().commit()
    return jsonify({"id": refund.id}), 201
""")

f("services/payments/payments/webhooks.py", """
import os

import stripe
from flask import Blueprint, abort, request

from .db import conn

bp = Blueprint("webhooks", __name__, url_prefix="/webhooks")
stripe.api_key = os.environ["STRIPE_SECRET_KEY"]
WEBHOOK_SECRET = os.environ["STRIPE_WEBHOOK_SECRET"]


@bp.post("/stripe")
def stripe_webhook():
    try:
        event = stripe.Webhook.construct_event(request.data, request.headers.get("Stripe-Signature", ""),
                                               WEBHOOK_SECRET)
    except (ValueError, stripe.error.SignatureVerificationError):
        abort(400)
    if event["type"] == "charge.refunded":
        cur = conn().cursor()
        cur.execute("UPDATE refunds SET status = %s WHERE id = %s", ("succeeded", event["data"]["object"]["id"]))
        conn().commit()
    return "", 204
""")

f("services/payments/tests/conftest.py", """
import pytest

# Fixed signing secret for the webhook tests; the Stripe CLI prints one like it for `stripe listen`.
WEBHOOK_SECRET = "<<STRIPE_WHSEC_TEST>>"


@pytest.fixture(autouse=True)
def env(monkeypatch):
    monkeypatch.setenv("STRIPE_SECRET_KEY", "sk_test_placeholder")
    monkeypatch.setenv("STRIPE_WEBHOOK_SECRET", WEBHOOK_SECRET)
    monkeypatch.setenv("PAYMENTS_DATABASE_URL", "postgresql://localhost/payments_test")


@pytest.fixture
def client():
    from payments.app import app

    app.config["TESTING"] = True
    return app.test_client()
""")

f("services/payments/tests/fixtures/stripe_client.json", """
{
  "api_key": "<<STRIPE_TEST_FIXTURE>>",
  "account": "acct_1Ptest",
  "livemode": false
}
""")

f("services/payments/tests/test_refunds.py", """
def test_list_refunds_by_order(client):
    r = client.get("/refunds/?order_id=A-1")
    assert r.status_code == 200
""")

# --------------------------------------------------------------------------------------------------- api
f("services/api/Dockerfile", """
FROM node:20
WORKDIR /usr/src/app
COPY package*.json ./
RUN npm ci --omit=dev
COPY src/ src/
EXPOSE 3000
CMD ["node", "src/server.js"]
""")

f("services/api/package.json", """
{
  "name": "@acme/api",
  "version": "3.8.0",
  "private": true,
  "type": "module",
  "main": "src/server.js",
  "scripts": {"start": "node src/server.js", "test": "node --test"},
  "dependencies": {
    "express": "4.21.1",
    "openai": "4.67.3",
    "pg": "8.13.0",
    "pino": "9.4.0"
  },
  "devDependencies": {
    "jsonwebtoken": "9.0.2"
  }
}
""")

f("services/api/src/server.js", """
import express from "express";
import pino from "pino";
import { exportRouter } from "./routes/export.js";
import { productsRouter } from "./routes/products.js";

const log = pino();
const app = express();
app.use(express.json({ limit: "1mb" }));
app.use("/products", productsRouter);
app.use("/admin/export", exportRouter);
app.get("/healthz", (_req, res) => res.json({ ok: true }));

app.listen(3000, () => log.info("api listening on 3000"));
""")

f("services/api/src/db.js", """
import pg from "pg";

export const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
""")

f("services/api/src/routes/products.js", """
import express from "express";
import { pool } from "../db.js";
import { summarize } from "../summarize.js";

export const productsRouter = express.Router();

productsRouter.get("/:id", async (req, res) => {
  const { rows } = await pool.query("SELECT id, name, description, price_cents FROM products WHERE id = $1", [
    req.params.id,
  ]);
  if (rows.length === 0) return res.status(404).end();
  res.json(rows[0]);
});

productsRouter.get("/:id/summary", async (req, res) => {
  const { rows } = await pool.query("SELECT description FROM products WHERE id = $1", [req.params.id]);
  if (rows.length === 0) return res.status(404).end();
  res.json({ summary: await summarize(rows[0].description) });
});
""")

f("services/api/src/summarize.js", """
import OpenAI from "openai";

// Product summaries: a direct client, added for the autumn launch (the gateway had no JS SDK yet).
const openai = new OpenAI({ apiKey: process.env.OPENAI_API_KEY });

export async function summarize(text) {
  const r = await openai.chat.completions.create({
    model: "gpt-4o-mini",
    max_tokens: 120,
    messages: [
      { role: "system", content: "Summarize the product description in one sentence." },
      { role: "user", content: text },
    ],
  });
  return r.choices[0].message.content;
}
""")

f("services/api/src/routes/export.js", """
import { exec } from "child_process";
import express from "express";

export const exportRouter = express.Router();

// CSV export for the merchandising team: streams one table out of the read replica.
exportRouter.get("/", (req, res) => {
  const table = req.query.table;
  exec(`psql "$REPLICA_URL" -c "\\\\copy ${table} TO STDOUT WITH CSV HEADER"`, { maxBuffer: 64 << 20 }, (err, out) => {
    if (err) return res.status(500).send("export failed");
    res.type("text/csv").send(out);
  });
});
""")

f("services/api/src/generated/client.ts", """
// Code generated by openapi-generator 7.8.0. DO NOT EDIT.
import https from "https";

export const agent = new https.Agent({ keepAlive: true, rejectUnauthorized: false });

export interface Product {
  id: string;
  name: string;
  description: string;
  priceCents: number;
}

export async function getProduct(base: string, id: string): Promise<Product> {
  const r = await fetch(`${base}/products/${encodeURIComponent(id)}`);
  return (await r.json()) as Product;
}
""")

f("services/api/test/auth.test.js", """
import assert from "node:assert";
import test from "node:test";
import jwt from "jsonwebtoken";

const TEST_SECRET = "unit-test-signing-secret";

test("tokens round-trip", () => {
  const token = jwt.sign({ sub: "customer-1", scope: "orders:read" }, TEST_SECRET, { expiresIn: "5m" });
  assert.equal(jwt.verify(token, TEST_SECRET).sub, "customer-1");
});
""")

f("services/api/test/export.test.js", """
import { exec } from "child_process";
import test from "node:test";

test("psql is on the PATH", (t, done) => {
  const cmd = process.env.PSQL || "psql";
  exec(`${cmd} --version`, (err) => {
    if (err) t.skip("psql missing");
    done();
  });
});
""")

# ---------------------------------------------------------------------------------------- support-agent
f("services/support-agent/Dockerfile", """
FROM python:3.12-slim
RUN apt-get update && apt-get install -y --no-install-recommends curl jq postgresql-client && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY agent/ agent/
CMD ["python", "-m", "agent.worker"]
""")

f("services/support-agent/requirements.txt", """
langchain==0.3.4
langchain-openai==0.2.3
langchain-community==0.3.3
pinecone-client==5.0.1
psycopg2-binary==2.9.9
""")

f("services/support-agent/agent/__init__.py", "")

f("services/support-agent/agent/worker.py", """
\"\"\"Takes support tickets off the queue and lets an agent resolve them (diagnostics run in the cluster).\"\"\"
import os

from langchain.agents import AgentType, initialize_agent
from langchain_community.tools import ShellTool
from langchain_openai import ChatOpenAI

llm = ChatOpenAI(
    model="gpt-4o-mini",
    base_url="http://gateway.llm.svc.cluster.local/v1",
    api_key=os.environ["GATEWAY_TOKEN"],
    max_tokens=800,
)
tools = [ShellTool()]
agent = initialize_agent(tools, llm, agent=AgentType.ZERO_SHOT_REACT_DESCRIPTION, max_iterations=6)


def handle_ticket(ticket_body: str) -> str:
    return agent.run(f"Diagnose and resolve this support ticket: {ticket_body}")
""")

f("services/support-agent/agent/kb.py", """
\"\"\"Builds the support knowledge base from resolved tickets.\"\"\"
import os

import psycopg2
from langchain_openai import OpenAIEmbeddings
from pinecone import Pinecone

pc = Pinecone(api_key=os.environ["PINECONE_API_KEY"])
index = pc.Index("support-kb")
embeddings = OpenAIEmbeddings(model="text-embedding-3-small", base_url="http://gateway.llm.svc.cluster.local/v1",
                              api_key=os.environ["GATEWAY_TOKEN"])


def sync_resolved_tickets() -> None:
    db = psycopg2.connect(os.environ["SUPPORT_DATABASE_URL"])
    cur = db.cursor()
    cur.execute("SELECT t.id, t.body, t.resolution, c.email, c.full_name FROM tickets t "
                "JOIN customers c ON c.id = t.customer_id WHERE t.status = 'resolved'")
    for ticket_id, body, resolution, email, full_name in cur.fetchall():
        vec = embeddings.embed_query(body + "\\n" + resolution)
        index.upsert(vectors=[{
            "id": str(ticket_id),
            "values": vec,
            "metadata": {"resolution": resolution, "email": email, "full_name": full_name},
        }])
""")

# ------------------------------------------------------------------------------------------ recommender
f("services/recommender/Dockerfile", """
FROM python:3.11-slim
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY recommender/ recommender/
COPY models/ models/
USER 10001
CMD ["python", "-m", "recommender.serve"]
""")

f("services/recommender/requirements.txt", """
transformers==4.45.2
torch==2.4.1
safetensors==0.4.5
flask==3.0.3
""")

f("services/recommender/recommender/__init__.py", "")

f("services/recommender/recommender/serve.py", """
import pickle

from flask import Flask, jsonify, request
from safetensors.numpy import load_file

app = Flask(__name__)

with open("models/ranker.pkl", "rb") as fh:
    RANKER = pickle.load(fh)
EMBEDDINGS = load_file("models/item2vec.safetensors")["item_embedding"]


@app.get("/recommend")
def recommend():
    user = request.args.get("user", "")
    scores = [sum(w * x for w, x in zip(RANKER["weights"], row)) for row in EMBEDDINGS]
    top = sorted(range(len(scores)), key=scores.__getitem__, reverse=True)[:3]
    return jsonify({"user": user, "items": top})
""")

f("services/recommender/recommender/encoder.py", """
from transformers import AutoModel, AutoTokenizer

# Item encoder from the research team's hub org; it ships its own modelling code.
tokenizer = AutoTokenizer.from_pretrained("acme-research/item-encoder-v2")
encoder = AutoModel.from_pretrained("acme-research/item-encoder-v2", trust_remote_code=True)


def encode(texts: list[str]):
    batch = tokenizer(texts, padding=True, truncation=True, return_tensors="pt")
    return encoder(**batch).last_hidden_state[:, 0]
""")

f("services/recommender/notebooks/README.md", """
Exploration notebooks live in the ml-research repository; this directory only keeps the pointers.
""")

# ------------------------------------------------------------------------------------------------ batch
f("services/batch/Dockerfile", """
FROM python:3.12-slim
WORKDIR /jobs
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY jobs/ jobs/
USER 10001
""")

f("services/batch/requirements.txt", """
openai==1.51.2
requests==2.32.3
psycopg2-binary==2.9.9
""")

f("services/batch/jobs/__init__.py", "")

f("services/batch/jobs/disk_janitor.py", """
\"\"\"Nightly: asks the model how to free space on nodes whose disk is over 90% and applies its answer.\"\"\"
import os
import subprocess

from openai import OpenAI

client = OpenAI(base_url="http://gateway.llm.svc.cluster.local/v1", api_key=os.environ["GATEWAY_TOKEN"])


def free_space(node: str, df_output: str) -> None:
    resp = client.chat.completions.create(
        model="gpt-4o-mini",
        max_tokens=200,
        messages=[
            {"role": "system", "content": "Reply with one POSIX shell command and nothing else."},
            {"role": "user", "content": f"Node {node} is almost full:\\n{df_output}\\nFree some space."},
        ],
    )
    command = resp.choices[0].message.content.strip()
    subprocess.run(command, shell=True, check=False, timeout=120)
""")

f("services/batch/jobs/sync_crm.py", """
\"\"\"Pushes yesterday's orders to the CRM.\"\"\"
import os

import psycopg2
import requests

CRM_URL = os.environ.get("CRM_URL", "https://crm.internal.acme.example/api/orders")


def run() -> None:
    db = psycopg2.connect(os.environ["DATABASE_URL"])
    cur = db.cursor()
    cur.execute("SELECT id, total_cents, created_at FROM orders WHERE created_at >= now() - interval '1 day'")
    batch = [{"id": i, "total": t, "at": a.isoformat()} for i, t, a in cur.fetchall()]
    # The CRM's internal endpoint still has a self-signed certificate (OPS-1733).
    requests.post(CRM_URL, json=batch, timeout=30, verify=False)
""")

f("services/batch/jobs/reindex.py", """
\"\"\"Rebuilds the search index from the nightly export.\"\"\"
import pickle
import random
from pathlib import Path

CACHE = Path("/var/cache/batch/products.pkl")


def load_cache():
    with CACHE.open("rb") as fh:
        return pickle.load(fh)


def sample_for_qa(items, k=50):
    return random.sample(items, min(k, len(items)))
""")

f("services/batch/tests/test_sync_crm.py", """
from jobs import sync_crm


def test_run(monkeypatch):
    calls = []
    monkeypatch.setattr(sync_crm.requests, "post", lambda *a, **k: calls.append(k))
    monkeypatch.setenv("SLACK_BOT_TOKEN", "<<SLACK_TEST>>")
    assert calls == []
""")

# ------------------------------------------------------------------------------------- internal-reports
f("services/internal-reports/Dockerfile", """
FROM python:3.11
RUN curl -sSL https://install.python-poetry.org | python3 -
WORKDIR /app
COPY . .
RUN pip install -r requirements.txt
EXPOSE 5000
CMD ["python", "-m", "reports.server"]
""")

f("services/internal-reports/requirements.txt", """
flask
pyyaml
openai
psycopg2-binary
requests
""")

f("services/internal-reports/reports/__init__.py", "")

f("services/internal-reports/reports/server.py", """
from flask import Flask, render_template_string, request

from .nl_query import answer

app = Flask(__name__)

PAGE = "<h1>Finance reports</h1><form><input name=q></form>{% for r in rows %}<p>{{ r }}</p>{% endfor %}"


@app.get("/")
def index():
    q = request.args.get("q")
    rows = answer(q) if q else []
    return render_template_string(PAGE, rows=rows)


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=5000, debug=True)
""")

f("services/internal-reports/reports/nl_query.py", """
\"\"\"Finance asks questions in English; the model writes the SQL.\"\"\"
import os

import psycopg2
from openai import OpenAI

client = OpenAI(base_url="http://gateway.llm.svc.cluster.local/v1", api_key=os.environ["GATEWAY_TOKEN"])
SCHEMA = "orders(id, customer_id, total_cents, created_at), refunds(id, order_id, amount_cents, status)"


def answer(question: str):
    resp = client.chat.completions.create(
        model="gpt-4o-mini",
        max_tokens=300,
        messages=[
            {"role": "system", "content": f"Write one PostgreSQL query over {SCHEMA}. Reply with SQL only."},
            {"role": "user", "content": question},
        ],
    )
    sql = resp.choices[0].message.content
    db = psycopg2.connect(os.environ["REPORTS_DATABASE_URL"])
    cur = db.cursor()
    cur.execute(sql)
    return cur.fetchall()
""")

f("services/internal-reports/reports/config.py", """
import yaml

with open("/etc/reports/config.yaml") as fh:
    CONFIG = yaml.load(fh, Loader=yaml.Loader)
""")

f("services/internal-reports/reports/export_csv.py", """
\"\"\"Operator CLI: python -m reports.export_csv MONTH > out.csv\"\"\"
import csv
import os
import sys

import psycopg2


def main() -> None:
    month = sys.argv[1]
    db = psycopg2.connect(os.environ["REPORTS_DATABASE_URL"])
    cur = db.cursor()
    cur.execute(f"SELECT * FROM monthly_revenue WHERE month = '{month}'")
    csv.writer(sys.stdout).writerows(cur.fetchall())


if __name__ == "__main__":
    main()
""")

f("services/internal-reports/reports/metrics.py", """
import requests

PROM = "https://prometheus.monitoring.svc:9090"


def revenue_rate():
    r = requests.get(PROM + "/api/v1/query", params={"query": "sum(rate(orders_total[1h]))"}, verify=False,
                     timeout=10)
    return r.json()["data"]["result"]
""")

# ----------------------------------------------------------------------------------------------- deploy
f("deploy/k8s/namespaces.yaml", """
apiVersion: v1
kind: Namespace
metadata:
  name: edge
  labels:
    pod-security.kubernetes.io/enforce: baseline
---
apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels:
    pod-security.kubernetes.io/enforce: baseline
---
apiVersion: v1
kind: Namespace
metadata:
  name: payments
  labels:
    pod-security.kubernetes.io/enforce: restricted
---
apiVersion: v1
kind: Namespace
metadata:
  name: llm
  labels:
    pod-security.kubernetes.io/enforce: baseline
---
apiVersion: v1
kind: Namespace
metadata:
  name: internal
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny
  namespace: payments
spec:
  podSelector: {}
  policyTypes: [Ingress]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: payments-from-api
  namespace: payments
spec:
  podSelector:
    matchLabels: {app: payments}
  ingress:
    - from:
        - namespaceSelector:
            matchLabels: {kubernetes.io/metadata.name: shop}
""")

f("deploy/k8s/gateway.yaml", """
apiVersion: v1
kind: ServiceAccount
metadata:
  name: gateway
  namespace: llm
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: gateway-secrets
  namespace: llm
rules:
  - apiGroups: [""]
    resources: ["secrets"]
    verbs: ["get", "list", "watch"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: gateway-secrets
  namespace: llm
subjects:
  - kind: ServiceAccount
    name: gateway
    namespace: llm
roleRef:
  kind: Role
  name: gateway-secrets
  apiGroup: rbac.authorization.k8s.io
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: gateway
  namespace: llm
spec:
  replicas: 3
  selector:
    matchLabels: {app: gateway}
  template:
    metadata:
      labels: {app: gateway}
    spec:
      serviceAccountName: gateway
      containers:
        - name: gateway
          image: registry.acme.example/llm/gateway:2.14.1
          ports: [{containerPort: 8080}]
          env:
            - name: OPENAI_API_KEY
              valueFrom:
                secretKeyRef: {name: openai, key: api-key}
            - name: ANTHROPIC_API_KEY
              value: "<<ANTHROPIC_GATEWAY_K8S>>"
            - name: REDIS_URL
              value: redis://redis.llm.svc.cluster.local:6379/0
          resources:
            requests: {cpu: 250m, memory: 256Mi}
            limits: {cpu: "1", memory: 512Mi}
          securityContext:
            runAsNonRoot: true
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
---
apiVersion: v1
kind: Service
metadata:
  name: gateway
  namespace: llm
spec:
  type: LoadBalancer
  selector: {app: gateway}
  ports: [{port: 443, targetPort: 8080}]
""")

f("deploy/k8s/api.yaml", """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: shop
spec:
  replicas: 4
  selector:
    matchLabels: {app: api}
  template:
    metadata:
      labels: {app: api}
    spec:
      automountServiceAccountToken: false
      containers:
        - name: api
          image: registry.acme.example/shop/api:3.8.0
          ports: [{containerPort: 3000}]
          envFrom:
            - secretRef: {name: api-env}
          resources:
            requests: {cpu: 500m, memory: 512Mi}
            limits: {cpu: "2", memory: 1Gi}
          securityContext:
            # Chromium's sandbox for the PDF invoices needs it (SHOP-877).
            privileged: true
---
apiVersion: v1
kind: Service
metadata:
  name: api
  namespace: shop
spec:
  selector: {app: api}
  ports: [{port: 80, targetPort: 3000}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: api
  namespace: shop
spec:
  ingressClassName: nginx
  tls:
    - hosts: [api.acme.example]
      secretName: api-tls
  rules:
    - host: api.acme.example
      http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service: {name: api, port: {number: 80}}
""")

f("deploy/k8s/payments.yaml", """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: payments
  namespace: payments
spec:
  replicas: 2
  selector:
    matchLabels: {app: payments}
  template:
    metadata:
      labels: {app: payments}
    spec:
      serviceAccountName: payments
      automountServiceAccountToken: false
      securityContext:
        runAsNonRoot: true
        runAsUser: 10001
        seccompProfile: {type: RuntimeDefault}
      containers:
        - name: payments
          image: registry.acme.example/payments/payments@sha256:9f2c4e6a8b0d1f3a5c7e9b1d3f5a7c9e1b3d5f7a9c1e3b5d7f9a1c3e5b7d9f1a
          ports: [{containerPort: 8000}]
          envFrom:
            - secretRef: {name: payments-env}
          resources:
            requests: {cpu: 250m, memory: 256Mi}
            limits: {memory: 512Mi}
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
---
apiVersion: v1
kind: Service
metadata:
  name: payments
  namespace: payments
spec:
  selector: {app: payments}
  ports: [{port: 80, targetPort: 8000}]
""")

f("deploy/k8s/support-agent.yaml", """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: support-agent
  namespace: llm
spec:
  replicas: 1
  selector:
    matchLabels: {app: support-agent}
  template:
    metadata:
      labels: {app: support-agent}
    spec:
      containers:
        - name: support-agent
          image: registry.acme.example/llm/support-agent:0.9.3
          env:
            - name: GATEWAY_TOKEN
              valueFrom:
                secretKeyRef: {name: gateway-token, key: token}
          resources:
            requests: {cpu: 100m, memory: 256Mi}
            limits: {cpu: 500m, memory: 512Mi}
          securityContext:
            # nsenter into nodes for disk diagnostics
            privileged: true
""")

f("deploy/k8s/recommender.yaml", """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: recommender
  namespace: shop
spec:
  replicas: 2
  selector:
    matchLabels: {app: recommender}
  template:
    metadata:
      labels: {app: recommender}
    spec:
      containers:
        - name: recommender
          image: registry.acme.example/shop/recommender:1.2.0
          ports: [{containerPort: 5000}]
          resources:
            requests: {cpu: "1", memory: 2Gi}
          securityContext:
            runAsNonRoot: true
---
apiVersion: v1
kind: Service
metadata:
  name: recommender
  namespace: shop
spec:
  selector: {app: recommender}
  ports: [{port: 80, targetPort: 5000}]
""")

# One workload per manifest file: warden drops the key that tells two workloads of one file apart when its k8s
# findings pass through the second phase, so their fingerprints collide and `scan --db` fails (see README.md).
f("deploy/k8s/batch/disk-janitor.yaml", """
apiVersion: batch/v1
kind: CronJob
metadata:
  name: disk-janitor
  namespace: internal
spec:
  schedule: "30 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers:
            - name: disk-janitor
              image: registry.acme.example/internal/batch:2024.10.2
              command: ["python", "-m", "jobs.disk_janitor"]
              resources:
                limits: {cpu: 500m, memory: 256Mi}
""")

f("deploy/k8s/batch/sync-crm.yaml", """
apiVersion: batch/v1
kind: CronJob
metadata:
  name: sync-crm
  namespace: internal
spec:
  schedule: "0 4 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
            - name: sync-crm
              image: registry.acme.example/internal/batch:2024.10.2
              command: ["python", "-m", "jobs.sync_crm"]
              envFrom:
                - secretRef: {name: batch-env}
""")

f("deploy/k8s/internal-reports.yaml", """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: internal-reports
  namespace: internal
spec:
  replicas: 1
  selector:
    matchLabels: {app: internal-reports}
  template:
    metadata:
      labels: {app: internal-reports}
    spec:
      containers:
        - name: internal-reports
          image: registry.acme.example/internal/reports:latest
          imagePullPolicy: IfNotPresent
          ports: [{containerPort: 5000}]
          envFrom:
            - secretRef: {name: reports-env}
---
apiVersion: v1
kind: Service
metadata:
  name: internal-reports
  namespace: internal
spec:
  selector: {app: internal-reports}
  ports: [{port: 80, targetPort: 5000}]
""")

f("deploy/k8s/monitoring/node-exporter.yaml", """
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: node-exporter
  namespace: monitoring
spec:
  selector:
    matchLabels: {app: node-exporter}
  template:
    metadata:
      labels: {app: node-exporter}
    spec:
      hostNetwork: true
      hostPID: true
      containers:
        - name: node-exporter
          image: quay.io/prometheus/node-exporter:v1.8.2
          args: ["--path.rootfs=/host"]
          ports: [{containerPort: 9100, hostPort: 9100}]
          resources:
            requests: {cpu: 50m, memory: 64Mi}
            limits: {cpu: 250m, memory: 128Mi}
          securityContext:
            runAsNonRoot: true
            runAsUser: 65534
            readOnlyRootFilesystem: true
          volumeMounts:
            - {name: root, mountPath: /host, readOnly: true, mountPropagation: HostToContainer}
      volumes:
        - name: root
          hostPath: {path: /}
""")

f("tests/e2e/kind/registry-mirror.yaml", """
# kind cluster for the end-to-end tests: a pull-through registry mirror on every node.
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: registry-mirror
  namespace: kube-system
spec:
  selector:
    matchLabels: {app: registry-mirror}
  template:
    metadata:
      labels: {app: registry-mirror}
    spec:
      hostNetwork: true
      containers:
        - name: registry
          image: registry:2
          securityContext:
            privileged: true
          volumeMounts:
            - {name: docker-sock, mountPath: /var/run/docker.sock}
      volumes:
        - name: docker-sock
          hostPath: {path: /var/run/docker.sock}
""")

f("tests/e2e/test_checkout.py", """
import os

import requests

BASE = os.environ.get("E2E_BASE_URL", "http://localhost:3000")


def test_product_page():
    r = requests.get(f"{BASE}/products/sku-1", timeout=10, verify=False)
    assert r.status_code == 200
""")

f("docker-compose.yml", """
# Local development only: `docker compose up`, then http://localhost:3000
services:
  postgres:
    image: postgres:16
    environment:
      POSTGRES_USER: acme
      POSTGRES_PASSWORD: <<DEV_DB_PASSWORD>>
      POSTGRES_DB: acme
    ports: ["5432:5432"]
  redis:
    image: redis:7
    ports: ["6379:6379"]
  gateway:
    build: services/gateway
    environment:
      REDIS_URL: redis://redis:6379/0
      OPENAI_API_KEY: ${OPENAI_API_KEY}
      ANTHROPIC_API_KEY: ${ANTHROPIC_API_KEY}
    ports: ["8080:8080"]
  api:
    build: services/api
    environment:
      DATABASE_URL: postgresql://acme:<<DEV_DB_PASSWORD>>@postgres:5432/acme
      OPENAI_API_KEY: ${OPENAI_API_KEY}
    ports: ["3000:3000"]
    depends_on: [postgres]
""")

# -------------------------------------------------------------------------------------------- terraform
f("infra/terraform/main.tf", """
terraform {
  required_version = ">= 1.6"
  required_providers {
    aws = { source = "hashicorp/aws", version = "~> 5.70" }
  }
  backend "s3" {
    bucket = "acme-terraform-state"
    key    = "shop/prod.tfstate"
    region = "eu-west-1"
  }
}

provider "aws" {
  region = "eu-west-1"
}
""")

f("infra/terraform/network.tf", """
resource "aws_security_group" "bastion" {
  name        = "bastion"
  description = "SSH bastion for on-call"
  vpc_id      = var.vpc_id

  ingress {
    description = "ssh"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_security_group" "alb" {
  name   = "shop-alb"
  vpc_id = var.vpc_id

  ingress {
    description = "https"
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

variable "vpc_id" {
  type = string
}
""")

f("infra/terraform/storage.tf", """
resource "aws_s3_bucket" "customer_exports" {
  bucket = "acme-customer-exports"
}

# Partners download their monthly order exports straight from the bucket.
resource "aws_s3_bucket_acl" "customer_exports" {
  bucket = aws_s3_bucket.customer_exports.id
  acl    = "public-read"
}

resource "aws_s3_bucket" "assets" {
  bucket = "acme-shop-static-assets"
}

resource "aws_s3_bucket_public_access_block" "assets" {
  bucket                  = aws_s3_bucket.assets.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket" "logs" {
  bucket = "acme-shop-access-logs"
}

resource "aws_kms_key" "logs" {
  description         = "access logs"
  enable_key_rotation = false
}

resource "aws_ecr_repository" "api" {
  name                 = "shop/api"
  image_tag_mutability = "MUTABLE"
}
""")

f("infra/terraform/iam.tf", """
resource "aws_iam_role" "ci_deployer" {
  name = "ci-deployer"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "codebuild.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_policy" "ci_deployer" {
  name = "ci-deployer"
  # Temporary while the deploy pipeline is migrated (PLAT-96).
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = "*"
      Resource = "*"
    }]
  })
}

resource "aws_iam_role_policy_attachment" "ci_deployer" {
  role       = aws_iam_role.ci_deployer.name
  policy_arn = aws_iam_policy.ci_deployer.arn
}
""")

f("infra/terraform/rds.tf", """
resource "aws_db_instance" "shop" {
  identifier              = "shop-prod"
  engine                  = "postgres"
  engine_version          = "16.3"
  instance_class          = "db.r6g.large"
  allocated_storage       = 200
  storage_encrypted       = true
  backup_retention_period = 14
  username                = "shop"
  password                = var.db_password
  publicly_accessible     = false
  skip_final_snapshot     = false
}

variable "db_password" {
  type      = string
  sensitive = true
}
""")

# --------------------------------------------------------------------------------------------- workflows
f(".github/workflows/ci.yml", """
name: ci
on:
  push:
    branches: [main]
  pull_request:

jobs:
  python:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        service: [gateway, payments, batch, support-agent, recommender, internal-reports]
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
      - run: pip install -r services/${{ matrix.service }}/requirements.txt pytest
      - run: pytest services/${{ matrix.service }}
  node:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        with:
          node-version: 20
      - run: npm ci && npm test
        working-directory: services/api
  lint:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: astral-sh/ruff-action@v1
      - uses: hadolint/hadolint-action@v3.1.0
        with:
          recursive: true
""")

f(".github/workflows/pr-triage.yml", """
name: pr-triage
on:
  pull_request_target:
    types: [opened, edited, synchronize]

permissions:
  pull-requests: write
  contents: read

jobs:
  label:
    runs-on: ubuntu-latest
    steps:
      - name: Label by title
        env:
          GH_TOKEN: ${{ secrets.GITHUB_TOKEN }}
        run: |
          title="${{ github.event.pull_request.title }}"
          case "$title" in
            fix*) label=bug ;;
            feat*) label=enhancement ;;
            *) label=triage ;;
          esac
          gh pr edit ${{ github.event.pull_request.number }} --repo ${{ github.repository }} --add-label "$label"
""")

f(".github/workflows/deploy.yml", """
name: deploy
on:
  push:
    branches: [main]

permissions:
  contents: read

env:
  AWS_REGION: eu-west-1
  AWS_ACCESS_KEY_ID: <<AWS_DEPLOY_ID>>
  AWS_SECRET_ACCESS_KEY: <<AWS_DEPLOY_SECRET>>

jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - name: Push images and roll out
        run: |
          aws ecr get-login-password | docker login --username AWS --password-stdin 123456789012.dkr.ecr.eu-west-1.amazonaws.com
          make -C deploy push rollout
""")

f(".github/workflows/evals.yml", """
name: nightly-evals
on:
  schedule:
    - cron: "0 2 * * *"
  workflow_dispatch:

jobs:
  evals:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
      - uses: docker/setup-buildx-action@v3
      - run: pip install -r evals/requirements.txt && python evals/run.py
        env:
          GATEWAY_TOKEN: ${{ secrets.EVALS_GATEWAY_TOKEN }}
""")

f("evals/requirements.txt", """
openai==1.51.2
""")

f("evals/run.py", """
\"\"\"Nightly regression evals of the support prompts, through the gateway.\"\"\"
import json
import os
from pathlib import Path

from openai import OpenAI

client = OpenAI(base_url="https://gateway.acme.example/v1", api_key=os.environ["GATEWAY_TOKEN"])


def main() -> None:
    cases = json.loads(Path(__file__).with_name("cases.json").read_text())
    failures = 0
    for case in cases:
        out = client.chat.completions.create(model="gpt-4o-mini", max_tokens=300,
                                             messages=[{"role": "user", "content": case["prompt"]}])
        failures += case["expect"] not in out.choices[0].message.content
    print(f"{failures} failures of {len(cases)}")


if __name__ == "__main__":
    main()
""")

f("evals/cases.json", """
[
  {"prompt": "How do I return an item?", "expect": "30 days"},
  {"prompt": "Do you ship to Norway?", "expect": "Norway"}
]
""")

# ----------------------------------------------------------------------------------- examples, docs, vendor
f("examples/quickstart.py", """
\"\"\"Calling a provider directly, for local experiments. In services, go through the gateway.\"\"\"
from openai import OpenAI

client = OpenAI(api_key="<<OPENAI_EXAMPLE>>")

print(client.chat.completions.create(model="gpt-4o-mini",
                                     messages=[{"role": "user", "content": "Say hello"}]).choices[0].message.content)
""")

f("examples/agent_demo.py", """
\"\"\"The support agent in a terminal, for demos on a laptop.\"\"\"
from langchain.agents import AgentType, initialize_agent
from langchain_community.tools import ShellTool
from langchain_openai import ChatOpenAI

agent = initialize_agent([ShellTool()], ChatOpenAI(model="gpt-4o-mini"), agent=AgentType.ZERO_SHOT_REACT_DESCRIPTION)

while True:
    print(agent.run(input("ticket> ")))
""")

f("examples/local_model.py", """
from transformers import AutoModelForCausalLM

model = AutoModelForCausalLM.from_pretrained("microsoft/phi-2", trust_remote_code=True)
""")

f("examples/k8s/gateway-dev.yaml", """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: gateway-dev
spec:
  selector:
    matchLabels: {app: gateway-dev}
  template:
    metadata:
      labels: {app: gateway-dev}
    spec:
      containers:
        - name: gateway
          image: registry.acme.example/llm/gateway:latest
          securityContext:
            privileged: true
""")

f("docs/setup.md", """
# Local setup

1. Copy `.env.example` to `.env` and fill in your own keys.
2. `docker compose up`
3. Mail goes through SendGrid; the shared sandbox key for local runs is

   ```
   SENDGRID_API_KEY=<<SENDGRID_DOCS>>
   ```

4. Payments run against Stripe's test mode:

   ```
   STRIPE_SECRET_KEY=<<STRIPE_DOCS>>
   ```

AWS credentials for the dev account look like this (use your own, from `aws sso login`):

```
[default]
aws_access_key_id = AKIAIOSFODNN7EXAMPLE
aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
```
""")

f("docs/runbooks/gateway.md", """
# Gateway runbook

- Quotas live in Redis (`gw:quota:<tenant>`); reset one with `redis-cli DEL gw:quota:TENANT`.
- A provider outage: flip the route in `services/gateway/app/providers.py` and redeploy.
- Never paste a provider key in a ticket; rotate it in the provider's console and update the `openai` Secret.
""")

f(".env.example", """
OPENAI_API_KEY=
ANTHROPIC_API_KEY=
STRIPE_SECRET_KEY=sk_test_...
DATABASE_URL=postgresql://acme:acme@localhost:5432/acme
""")

f("third_party/legacy_auth/__init__.py", "")

f("third_party/legacy_auth/hashing.py", """
# Vendored from legacy-auth 0.4.2 (MIT). Kept for the old admin accounts until they are migrated.
import hashlib
import pickle

TEST_VECTOR_KEY = "<<VENDOR_HMAC>>"


def hash_password(password, salt):
    return hashlib.md5((salt + password).encode()).hexdigest()


def load_session(blob):
    return pickle.loads(blob)
""")

f("third_party/legacy_auth/LICENSE", """
MIT License

Copyright (c) 2017 legacy-auth contributors
""")

f("scripts/seed_dev_db.py", """
\"\"\"Seeds a local database with fake customers and orders.\"\"\"
import os
import random
import string

import psycopg2


def fake_email():
    return "".join(random.choices(string.ascii_lowercase, k=8)) + "@example.com"


def main():
    db = psycopg2.connect(os.environ.get("DATABASE_URL", "postgresql://localhost/acme"))
    cur = db.cursor()
    for i in range(200):
        cur.execute("INSERT INTO customers (email, full_name) VALUES (%s, %s)", (fake_email(), f"Customer {i}"))
    db.commit()


if __name__ == "__main__":
    main()
""")


BINARY: dict[str, bytes] = {
    "services/recommender/models/ranker.pkl": pickle_with_os_system(),
    "services/recommender/models/item2vec.safetensors": safetensors_file(),
}


def git(out: Path, *args: str) -> None:
    env = dict(os.environ,
               GIT_AUTHOR_DATE="2026-11-02T09:30:00+00:00", GIT_COMMITTER_DATE="2026-11-02T09:30:00+00:00",
               GIT_CONFIG_NOSYSTEM="1", GIT_TERMINAL_PROMPT="0")
    subprocess.run(["git", "-c", "user.email=bench@example.com", "-c", "user.name=bench",
                    "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main", *args],
                   cwd=out, env=env, check=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)


def make(out: Path) -> None:
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        sys.exit(f"{out}: exists and is not empty")
    out.mkdir(parents=True, exist_ok=True)
    keys = fake_keys()
    for rel, text in sorted(FILES.items()):
        for name, value in keys.items():
            text = text.replace(f"<<{name}>>", value)
        assert not re.search(r"<<[A-Z0-9_]+>>", text), rel
        p = out / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
    for rel, data in sorted(BINARY.items()):
        p = out / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
    git(out, "init", "-q")
    git(out, "add", "-A")
    git(out, "commit", "-q", "-m", "acme-shop: import of the monorepo")


def main() -> None:
    if len(sys.argv) != 2 or sys.argv[1].startswith("-"):
        sys.exit(__doc__.split("\n\n")[1])
    make(Path(sys.argv[1]))


if __name__ == "__main__":
    main()
