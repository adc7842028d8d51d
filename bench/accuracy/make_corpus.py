#!/usr/bin/env python3
"""Write the labeled accuracy corpus (bench/accuracy/corpus/) and its labels (labels.json).

Deterministic (fixed seed): running it twice gives byte-identical output, which is committed.
Every key below is FAKE: random characters in the real shape (prefix, length, alphabet, and for
GitHub/npm tokens a valid CRC32 checksum) so that scanners treat them as real-looking secrets.

Labels: {path, line, [end_line], kind: "secret"|"decoy", provider, context}
  - a finding on any line in [line, end_line] counts for the label (AWS key id + secret on adjacent
    lines, PEM blocks, service-account private_key_id + private_key);
  - "decoy" lines must not be reported (placeholders, doc examples, hashes, public keys, ...).
"""
import base64
import json
import os
import random
import shutil
import string
import sys
import zlib

SEED = 20241122
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "corpus")

rng = random.Random(SEED)
UP = string.ascii_uppercase
LO = string.ascii_lowercase
DIG = string.digits
ALNUM = UP + LO + DIG
B62 = DIG + UP + LO
B64URL = ALNUM + "-_"
B64 = ALNUM + "+/"
HEX = "0123456789abcdef"
B32 = UP + "234567"


def r(alphabet, n):
    return "".join(rng.choice(alphabet) for _ in range(n))


def base62(n, width=6):
    s = ""
    while n:
        n, rem = divmod(n, 62)
        s = B62[rem] + s
    return s.rjust(width, "0")


def checksummed(prefix, n=30):
    body = r(ALNUM, n)
    return prefix + body + base62(zlib.crc32(body.encode()) & 0xFFFFFFFF)


# ---- generators: real shapes ----------------------------------------------------------------
def aws_akid(prefix="AKIA"):
    return prefix + r(B32, 16)


def aws_secret():
    return r(B64, 40)


GEN = {
    "github-classic": lambda: checksummed("ghp_"),
    "github-oauth": lambda: checksummed("gho_"),
    "github-app": lambda: checksummed("ghs_"),
    "github-fine-grained": lambda: "github_pat_" + r(ALNUM, 22) + "_" + r(ALNUM, 59),
    "gitlab": lambda: "glpat-" + r(B64URL, 20),
    "slack-bot": lambda: "xoxb-" + r(DIG, 11) + "-" + r(DIG, 13) + "-" + r(ALNUM, 24),
    "slack-webhook": lambda: "https://hooks.slack.com/services/T" + r(UP + DIG, 8) + "/B" + r(UP + DIG, 10) + "/" + r(ALNUM, 24),
    "stripe": lambda: "sk_live_" + r(ALNUM, rng.choice([24, 99])),
    "openai-project": lambda: "sk-proj-" + r(B64URL, 74) + "T3BlbkFJ" + r(B64URL, 74),
    "openai-svcacct": lambda: "sk-svcacct-" + r(B64URL, 74) + "T3BlbkFJ" + r(B64URL, 74),
    "openai-legacy": lambda: "sk-" + r(ALNUM, 20) + "T3BlbkFJ" + r(ALNUM, 20),
    "anthropic": lambda: "sk-ant-api03-" + r(B64URL, 93) + "AA",
    "huggingface": lambda: "hf_" + r(UP + LO, 34),
    "groq": lambda: "gsk_" + r(ALNUM, 20) + "WGdyb3FY" + r(ALNUM, 24),
    "google-api": lambda: "AIza" + r(B64URL, 35),
    "sendgrid": lambda: "SG." + r(B64URL, 22) + "." + r(B64URL, 43),
    "twilio-api-key": lambda: "SK" + r(HEX, 32),
    "npm": lambda: checksummed("npm_"),
    "pypi": lambda: "pypi-AgEIcHlwaS5vcmc" + r(B64URL, rng.choice([150, 160, 170])),
    "dockerhub": lambda: "dckr_pat_" + r(B64URL, 27),
    "databricks": lambda: "dapi" + r(HEX, 32),
    "replicate": lambda: "r8_" + r(ALNUM, 37),
    "perplexity": lambda: "pplx-" + r(ALNUM, 48),
    "azure-storage": lambda: base64.b64encode(bytes(rng.getrandbits(8) for _ in range(64))).decode(),
}

ENVVAR = {
    "github-classic": "GITHUB_TOKEN", "github-oauth": "GH_OAUTH_TOKEN", "github-app": "GITHUB_APP_INSTALLATION_TOKEN",
    "github-fine-grained": "GH_PAT", "gitlab": "GITLAB_TOKEN", "slack-bot": "SLACK_BOT_TOKEN",
    "slack-webhook": "SLACK_WEBHOOK_URL", "stripe": "STRIPE_SECRET_KEY", "openai-project": "OPENAI_API_KEY",
    "openai-svcacct": "OPENAI_API_KEY", "openai-legacy": "OPENAI_KEY", "anthropic": "ANTHROPIC_API_KEY",
    "huggingface": "HF_TOKEN", "groq": "GROQ_API_KEY", "google-api": "GOOGLE_API_KEY", "sendgrid": "SENDGRID_API_KEY",
    "twilio-api-key": "TWILIO_API_KEY", "npm": "NPM_TOKEN", "pypi": "PYPI_API_TOKEN", "dockerhub": "DOCKERHUB_TOKEN",
    "databricks": "DATABRICKS_TOKEN", "replicate": "REPLICATE_API_TOKEN", "perplexity": "PERPLEXITY_API_KEY",
}

PROVIDERS = list(ENVVAR)  # round-robin order for mixed files
_rr = [0]


def next_provider():
    p = PROVIDERS[_rr[0] % len(PROVIDERS)]
    _rr[0] += 1
    return p


def password(n=None):
    n = n or rng.randint(16, 28)
    while True:
        s = r(ALNUM + "!*-_.~", n)
        if any(c in DIG for c in s) and any(c in UP for c in s) and any(c in LO for c in s):
            return s


def pem_body(header_b64, nbytes):
    total = (nbytes * 4 // 3 + 3) // 4 * 4
    data = header_b64 + r(B64, total - len(header_b64))
    return [data[i:i + 64] for i in range(0, len(data), 64)]


PEM_KINDS = {
    "RSA PRIVATE KEY": ("MIIEowIBAAKCAQEA", 1180),
    "PRIVATE KEY": ("MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQ", 1200),
    "EC PRIVATE KEY": ("MHcCAQEEI", 110),
    "OPENSSH PRIVATE KEY": ("b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW", 380),
}


def pem(kind):
    head, n = PEM_KINDS[kind]
    return ["-----BEGIN %s-----" % kind] + pem_body(head, n) + ["-----END %s-----" % kind]


def public_pem(kind):
    head = {"PUBLIC KEY": "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA", "CERTIFICATE": "MIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG9w0BAQUFADBa"}[kind]
    return ["-----BEGIN %s-----" % kind] + pem_body(head, 700 if kind == "CERTIFICATE" else 250) + ["-----END %s-----" % kind]


def b64(s):
    return base64.b64encode(s.encode()).decode()


def sha(n=40):
    return r(HEX, n)


def uuid():
    h = r(HEX, 32)
    return "%s-%s-4%s-%s%s-%s" % (h[:8], h[8:12], h[13:16], rng.choice("89ab"), h[17:20], h[20:32])


def ssh_pub():
    return "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ" + r(B64, 340) + " deploy@ci"


# ---- file builder ----------------------------------------------------------------------------
LABELS = []
FILES = {}


class F:
    def __init__(self, path, context):
        self.path, self.context, self.lines = path, context, []
        FILES[path] = self

    def _add(self, text, kind, provider):
        parts = text if isinstance(text, list) else text.split("\n")
        start = len(self.lines) + 1
        self.lines.extend(parts)
        if kind:
            lab = {"path": self.path, "line": start, "kind": kind, "provider": provider, "context": self.context}
            if len(parts) > 1:
                lab["end_line"] = start + len(parts) - 1
            LABELS.append(lab)
        return self

    def t(self, text=""):
        return self._add(text, None, None)

    def s(self, text, provider):
        return self._add(text, "secret", provider)

    def d(self, text, provider="placeholder"):
        return self._add(text, "decoy", provider)


# ---- contexts ---------------------------------------------------------------------------------
APPS = ["billing-api", "web-frontend", "ml-pipeline", "chat-bot", "data-sync", "admin-portal", "notifier", "search"]


def dotenv_files():
    for i, app in enumerate(APPS[:6]):
        name = [".env", ".env.production", ".env.local", ".env", ".env.staging", ".env"][i]
        f = F("apps/%s/%s" % (app, name), "dotenv")
        f.t("# %s configuration" % app).t("NODE_ENV=production").t("PORT=%d" % (3000 + i)).t("LOG_LEVEL=info")
        aws_lines = ["AWS_ACCESS_KEY_ID=%s" % aws_akid("AKIA" if i % 2 == 0 else "ASIA"), "AWS_SECRET_ACCESS_KEY=%s" % aws_secret()]
        if i % 2 == 1:  # temporary credentials: the session token belongs to the same label
            aws_lines.append("AWS_SESSION_TOKEN=" + "IQoJb3JpZ2luX2VjE" + r(B64, 200))
        f.s(aws_lines, "aws")
        f.t("AWS_REGION=us-east-1")
        for _ in range(7):
            p = next_provider()
            f.s("%s=%s" % (ENVVAR[p], GEN[p]()), p)
        f.s("DATABASE_URL=postgres://%s:%s@db-%d.internal.example.net:5432/%s" % (app.replace("-", "_"), password(), i, app.replace("-", "_")), "postgres-uri")
        f.s("JWT_SECRET=%s" % r(ALNUM, 48), "generic-secret")
        f.t("FEATURE_FLAGS=search,billing,beta-ui")
        f.t("REQUEST_ID_HEADER=X-Request-Id")
        f.d("SESSION_SECRET=${SESSION_SECRET}", "placeholder")
        f.t("CACHE_TTL=300")


def dotenv_examples():
    f = F("apps/billing-api/.env.example", "dotenv")
    f.t("# Copy to .env and fill in real values")
    f.d("AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE", "aws-doc-example")
    f.d("AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "aws-doc-example")
    f.d("OPENAI_API_KEY=sk-...", "placeholder")
    f.d("STRIPE_SECRET_KEY=sk_live_<your-stripe-key>", "placeholder")
    f.d("GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "placeholder")
    f.d("ANTHROPIC_API_KEY=<your-anthropic-key>", "placeholder")
    f.d("DATABASE_URL=postgres://user:password@localhost:5432/app", "placeholder")
    f.d("SLACK_BOT_TOKEN=xoxb-your-token-here", "placeholder")
    f.d("HF_TOKEN=hf_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "placeholder")
    f.d("JWT_SECRET=changeme", "placeholder")
    f = F("apps/web-frontend/.env.sample", "dotenv")
    f.d("NEXT_PUBLIC_API_URL=https://api.example.com", "url")
    f.d("GROQ_API_KEY=${GROQ_API_KEY}", "placeholder")
    f.d("SENDGRID_API_KEY=SG.xxxxxxxxxxxxxxxxxxxxxx.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "placeholder")
    f.d("GOOGLE_API_KEY=your_google_api_key", "placeholder")
    f.d("DATABRICKS_TOKEN=dapi<your-token>", "placeholder")
    f.d("BUILD_SHA=%s" % sha(40), "git-sha")
    f.d("TENANT_ID=%s" % uuid(), "uuid")
    f.d("NPM_TOKEN=npm_XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX", "placeholder")


def docker_configs():
    for i in range(2):
        f = F("deploy/docker%d/config.json" % i if i else ".docker/config.json", "docker-config")
        f.t("{").t('  "auths": {')
        regs = ["https://index.docker.io/v1/", "ghcr.io", "registry.gitlab.com"]
        for j, reg in enumerate(regs):
            f.t('    "%s": {' % reg)
            if reg.startswith("https://index"):
                cred = "acme%d:%s" % (i, GEN["dockerhub"]())
                prov = "dockerhub"
            elif reg == "ghcr.io":
                cred = "acme-bot:%s" % GEN["github-classic"]()
                prov = "github-classic"
            else:
                cred = "deploy:%s" % password(20)
                prov = "docker-auth"
            f.s('      "auth": "%s"' % b64(cred), prov)
            f.t("    }" + ("," if j < 2 else ""))
        f.t("  },")
        f.t('  "credsStore": "desktop",').t('  "currentContext": "default"').t("}")
    f = F("deploy/docker-example/config.json", "docker-config")
    f.t("{").t('  "auths": {').t('    "https://index.docker.io/v1/": {')
    f.d('      "auth": "%s"' % b64("username:password"), "placeholder")
    f.t("    },").t('    "quay.io": {')
    f.d('      "auth": ""', "placeholder")
    f.t("    }").t("  }").t("}")


def k8s_secrets():
    specs = [
        ("aws", None), ("github-classic", None), ("stripe", None), ("password", None), ("openai-project", None),
        ("slack-bot", None), ("anthropic", None), ("postgres-uri", None), ("sendgrid", None),
    ]
    idx = 0
    for n in range(3):
        f = F("k8s/secrets/%s-secret.yaml" % APPS[n], "k8s-secret")
        f.t("apiVersion: v1").t("kind: Secret").t("metadata:").t("  name: %s-credentials" % APPS[n])
        f.t("  namespace: prod").t("  labels:").t("    app: %s" % APPS[n]).t("type: Opaque").t("data:")
        f.t("  username: %s" % b64("svc-%s" % APPS[n]))
        for _ in range(3):
            prov, _x = specs[idx % len(specs)]
            idx += 1
            if prov == "aws":
                f.s(["  AWS_ACCESS_KEY_ID: %s" % b64(aws_akid()), "  AWS_SECRET_ACCESS_KEY: %s" % b64(aws_secret())], "aws")
            elif prov == "password":
                f.s("  password: %s" % b64(password()), "k8s-password")
            elif prov == "postgres-uri":
                f.s("  DATABASE_URL: %s" % b64("postgresql://app:%s@pg.prod.svc:5432/app" % password()), prov)
            else:
                f.s("  %s: %s" % (ENVVAR[prov], b64(GEN[prov]())), prov)
        f.t("  LOG_LEVEL: %s" % b64("debug"))
        if n == 2:
            f.t("---").t("apiVersion: v1").t("kind: Secret").t("metadata:").t("  name: tls-extra").t("stringData:")
            f.s("  REDIS_URL: redis://default:%s@redis-master.prod.svc:6379/0" % password(), "redis-uri")
            f.s("  HF_TOKEN: %s" % GEN["huggingface"](), "huggingface")
    f = F("k8s/charts/api/templates/secret.yaml", "helm-template")
    f.t("apiVersion: v1").t("kind: Secret").t("metadata:").t("  name: {{ include \"api.fullname\" . }}").t("type: Opaque").t("data:")
    f.d("  password: {{ .Values.db.password | b64enc | quote }}", "template")
    f.d("  apiKey: {{ .Values.openai.apiKey | b64enc }}", "template")
    f.d("  token: {{ required \"token is required\" .Values.github.token | b64enc }}", "template")
    f = F("k8s/configmap.yaml", "k8s-configmap")
    f.t("apiVersion: v1").t("kind: ConfigMap").t("metadata:").t("  name: api-config").t("data:")
    f.t("  LOG_LEVEL: info").t("  API_URL: https://api.example.com/v2")
    f.d("  IMAGE_DIGEST: sha256:%s" % sha(64), "sha256")
    f.d("  RELEASE_COMMIT: %s" % sha(40), "git-sha")
    f.d("  INSTANCE_ID: %s" % uuid(), "uuid")


def helm_values():
    f = F("k8s/charts/api/values-prod.yaml", "helm-values")
    f.t("replicaCount: 3").t("image:").t("  repository: ghcr.io/acme/api").t("  tag: 1.42.0").t("db:").t("  host: pg.prod.internal")
    f.s("  password: %s" % password(), "generic-password")
    f.t("openai:")
    f.s("  apiKey: %s" % GEN["openai-project"](), "openai-project")
    f.t("github:")
    f.s("  token: %s" % GEN["github-fine-grained"](), "github-fine-grained")
    f.t("stripe:")
    f.s("  secretKey: %s" % GEN["stripe"](), "stripe")
    f.t("slack:")
    f.s("  webhookUrl: %s" % GEN["slack-webhook"](), "slack-webhook")
    f.t("huggingface:")
    f.s("  token: \"%s\"" % GEN["huggingface"](), "huggingface")
    f = F("k8s/charts/api/values.yaml", "helm-values")
    f.t("replicaCount: 1").t("db:").t("  host: localhost")
    f.d('  password: ""', "placeholder")
    f.t("openai:")
    f.d('  apiKey: "{{ .Values.global.openaiKey }}"', "template")
    f.t("github:")
    f.d("  token: ${GITHUB_TOKEN}", "placeholder")
    f.t("stripe:")
    f.d("  secretKey: sk_live_xxxxxxxxxxxxxxxxxxxxxxxx", "placeholder")
    f.t("image:")
    f.d("  digest: sha256:%s" % sha(64), "sha256")


def terraform():
    for i, name in enumerate(["infra/aws/main.tf", "infra/legacy/providers.tf"]):
        f = F(name, "terraform")
        f.t("terraform {").t("  required_version = \">= 1.5\"").t("}").t("")
        f.t('provider "aws" {').t('  region     = "eu-west-1"')
        f.s(['  access_key = "%s"' % aws_akid(), '  secret_key = "%s"' % aws_secret()], "aws")
        f.t("}").t("")
        f.t('provider "github" {').t('  owner = "acme"')
        f.s('  token = "%s"' % GEN["github-classic"](), "github-classic")
        f.t("}").t("")
        f.t('resource "azurerm_storage_account" "logs" {').t('  name = "acmelogs%d"' % i).t("}")
        f.s('  connection_string = "DefaultEndpointsProtocol=https;AccountName=acmelogs%d;AccountKey=%s;EndpointSuffix=core.windows.net"' % (i, GEN["azure-storage"]()), "azure-storage")
        f.t('provider "databricks" {').t('  host  = "https://adb-1234567890123456.7.azuredatabricks.net"')
        f.s('  token = "%s"' % GEN["databricks"](), "databricks")
        f.t("}")
        f.t('resource "aws_db_instance" "main" {').t('  engine   = "postgres"').t('  username = "app"')
        f.s('  password = "%s"' % password(), "generic-password")
        f.t("}")
    f = F("infra/modules/network/variables.tf", "terraform")
    f.t('provider "aws" {')
    f.d("  access_key = var.aws_access_key", "placeholder")
    f.d("  secret_key = var.aws_secret_key", "placeholder")
    f.t("}")
    f.t('variable "db_password" {').t("  type      = string").t("  sensitive = true")
    f.d('  default   = "REPLACE_ME"', "placeholder")
    f.t("}")
    f.d('# ami = "ami-0%s"' % sha(16), "id")
    f.d('# module source ref = "%s"' % sha(40), "git-sha")


def gh_workflows():
    for i in range(3):
        f = F(".github/workflows/%s.yml" % ["deploy", "release", "nightly"][i], "github-actions")
        f.t("name: %s" % ["Deploy", "Release", "Nightly"][i]).t("on:").t("  push:").t("    branches: [main]").t("jobs:")
        f.t("  build:").t("    runs-on: ubuntu-latest").t("    env:")
        f.d("      GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}", "template")
        f.d("      NPM_TOKEN: ${{ secrets.NPM_TOKEN }}", "template")
        for _ in range(3):
            p = next_provider()
            f.s("      %s: %s" % (ENVVAR[p], GEN[p]()), p)
        f.t("    steps:").t("      - uses: actions/checkout@%s # v4.1.1" % sha(40))
        f.d("      - uses: actions/setup-node@%s # v4" % sha(40), "git-sha")
        f.t("      - run: npm ci && npm run build")
        f.t("      - name: publish").t("        run: |")
        f.s("          curl -H \"Authorization: Bearer %s\" https://api.example.com/deploy" % GEN["gitlab"](), "gitlab")


def notebooks():
    for i in range(3):
        f = F("notebooks/%s.ipynb" % ["explore", "finetune", "rag-demo"][i], "jupyter")
        f.t("{").t(' "cells": [').t("  {").t('   "cell_type": "code",').t('   "execution_count": 1,').t('   "metadata": {},')
        f.t('   "outputs": [],').t('   "source": [')
        f.t('    "import os\\n",')
        f.t('    "import openai\\n",')
        p1 = ["openai-project", "anthropic", "openai-svcacct"][i]
        var = {"openai-project": "openai.api_key", "anthropic": "client = anthropic.Anthropic(api_key=", "openai-svcacct": "os.environ[\\\"OPENAI_API_KEY\\\"] ="}[p1]
        if p1 == "anthropic":
            f.s('    "%s\\"%s\\")\\n",' % (var, GEN[p1]()), p1)
        else:
            f.s('    "%s = \\"%s\\"\\n",' % (var.replace(" =", ""), GEN[p1]()), p1)
        f.d('    "backup_key = os.environ[\\"OPENAI_API_KEY\\"]\\n",', "placeholder")
        p2 = ["huggingface", "groq", "replicate"][i]
        f.s('    "%s = \\"%s\\"\\n",' % (ENVVAR[p2].lower(), GEN[p2]()), p2)
        p3 = ["perplexity", "google-api", "huggingface"][i]
        if p3 == "google-api":
            f.s('    "params = {\\"key\\": \\"%s\\"}\\n",' % GEN[p3](), p3)
        else:
            f.s('    "headers = {\\"Authorization\\": \\"Bearer %s\\"}\\n",' % GEN[p3](), p3)
        f.t('    "print(client.models.list())"').t("   ]").t("  },").t("  {").t('   "cell_type": "code",')
        f.t('   "execution_count": 2,').t('   "metadata": {},').t('   "outputs": [').t("    {").t('     "name": "stdout",')
        f.t('     "output_type": "stream",').t('     "text": [')
        f.d('      "model checksum: %s\\n",' % sha(64), "sha256")
        f.d('      "run id: %s\\n"' % uuid(), "uuid")
        f.t("     ]").t("    }").t("   ],").t('   "source": [').t('    "!sha256sum model.bin"').t("   ]").t("  }").t(" ],")
        f.t(' "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},')
        f.t(' "nbformat": 4,').t(' "nbformat_minor": 5').t("}")


def gcp_sa():
    for i in range(2):
        f = F(["secrets/gcp-sa.json", "deploy/terraform-sa-key.json"][i], "gcp-service-account")
        f.t("{").t('  "type": "service_account",').t('  "project_id": "acme-prod-%d",' % (4000 + i))
        body = "\\n".join(pem("PRIVATE KEY"))
        f.s(['  "private_key_id": "%s",' % sha(40), '  "private_key": "%s\\n",' % body], "gcp-service-account")
        f.t('  "client_email": "deployer@acme-prod-%d.iam.gserviceaccount.com",' % (4000 + i))
        f.t('  "client_id": "1%s",' % r(DIG, 20))
        f.t('  "auth_uri": "https://accounts.google.com/o/oauth2/auth",').t('  "token_uri": "https://oauth2.googleapis.com/token",')
        f.t('  "universe_domain": "googleapis.com"').t("}")


def rc_files():
    f = F(".npmrc", "npmrc")
    f.t("registry=https://registry.npmjs.org/")
    f.s("//registry.npmjs.org/:_authToken=%s" % GEN["npm"](), "npm")
    f.t("@acme:registry=https://npm.pkg.github.com/")
    f.s("//npm.pkg.github.com/:_authToken=%s" % GEN["github-classic"](), "github-classic")
    f = F("packages/ui/.npmrc", "npmrc")
    f.d("//registry.npmjs.org/:_authToken=${NPM_TOKEN}", "placeholder")
    f.t("save-exact=true")
    f = F("tools/publisher/.npmrc", "npmrc")
    f.s("//registry.npmjs.org/:_authToken=%s" % GEN["npm"](), "npm")
    f = F(".pypirc", "pypirc")
    f.t("[distutils]").t("index-servers =").t("    pypi").t("    testpypi").t("").t("[pypi]").t("username = __token__")
    f.s("password = %s" % GEN["pypi"](), "pypi")
    f.t("").t("[testpypi]").t("repository = https://test.pypi.org/legacy/").t("username = __token__")
    f.d("password = <your-testpypi-token>", "placeholder")
    f = F("tools/release/.pypirc", "pypirc")
    f.t("[pypi]").t("username = __token__")
    f.s("password = %s" % GEN["pypi"](), "pypi")
    f = F("home/.git-credentials", "git-credentials")
    f.s("https://acme-bot:%s@github.com" % GEN["github-classic"](), "github-classic")
    f.s("https://oauth2:%s@gitlab.com" % GEN["gitlab"](), "gitlab")
    f = F("home/.aws/credentials", "aws-credentials")
    f.t("[default]")
    f.s(["aws_access_key_id = %s" % aws_akid(), "aws_secret_access_key = %s" % aws_secret()], "aws")
    f.t("").t("[ci]")
    f.s(["aws_access_key_id = %s" % aws_akid("ASIA"), "aws_secret_access_key = %s" % aws_secret(),
         "aws_session_token = IQoJb3JpZ2luX2VjE" + r(B64, 300)], "aws")
    f.t("").t("[docs]")
    f.d(["aws_access_key_id = AKIAIOSFODNN7EXAMPLE", "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"], "aws-doc-example")
    f = F("home/.docker/.dockercfg-token", "dotenv")
    f.s("DOCKER_PASSWORD=%s" % GEN["dockerhub"](), "dockerhub")


def python_code():
    f = F("src/acme/settings.py", "python")
    f.t("import os").t("").t("DEBUG = False").t('ALLOWED_HOSTS = ["api.acme.io"]')
    f.s('SECRET_KEY = "%s"' % r(ALNUM + "!@#%^&*(-_=+)", 50), "django-secret")
    f.s('STRIPE_API_KEY = "%s"' % GEN["stripe"](), "stripe")
    f.d('SENTRY_DSN = os.environ.get("SENTRY_DSN", "")', "placeholder")
    f.s(['AWS_ACCESS_KEY_ID = "%s"' % aws_akid(), 'AWS_SECRET_ACCESS_KEY = "%s"' % aws_secret()], "aws")
    f.d('OPENAI_API_KEY = os.environ["OPENAI_API_KEY"]', "placeholder")
    f.s('DATABASES = {"default": dj_database_url.parse("postgres://acme:%s@10.0.3.7:5432/acme")}' % password(), "postgres-uri")
    f.s('CELERY_BROKER_URL = "amqp://celery:%s@rabbitmq.internal:5672//"' % password(), "amqp-uri")
    f = F("src/acme/clients.py", "python")
    f.t("import anthropic").t("import openai").t("from slack_sdk import WebClient").t("")
    f.s('slack = WebClient(token="%s")' % GEN["slack-bot"](), "slack-bot")
    f.s('claude = anthropic.Anthropic(api_key="%s")' % GEN["anthropic"](), "anthropic")
    f.s('oai = openai.OpenAI(api_key="%s")' % GEN["openai-legacy"](), "openai-legacy")
    f.d('backup = openai.OpenAI(api_key="sk-...")  # set OPENAI_API_KEY instead', "placeholder")
    f.s('sg = SendGridAPIClient("%s")' % GEN["sendgrid"](), "sendgrid")
    f.s(['TWILIO_ACCOUNT_SID = "AC%s"' % r(HEX, 32), 'TWILIO_AUTH_TOKEN = "%s"' % r(HEX, 32)], "twilio")
    f.s('twilio_key = Client("%s", "%s")' % (GEN["twilio-api-key"](), r(ALNUM, 32)), "twilio-api-key")
    f.t("").t("def ping():").t("    return slack.api_test()")
    f = F("src/acme/mongo.py", "python")
    f.t("from pymongo import MongoClient")
    f.s('client = MongoClient("mongodb+srv://analytics:%s@cluster0.ab1cd.mongodb.net/prod?retryWrites=true")' % password(), "mongodb-uri")
    f.d('local = MongoClient("mongodb://localhost:27017/test")', "url")
    f.t("db = client.prod")
    f = F("tests/test_tokens.py", "python-test")
    f.t("import pytest").t("").t("# clearly fake fixtures used by unit tests")
    f.d('FAKE_GITHUB_TOKEN = "ghp_000000000000000000000000000000000000"', "test-fixture")
    f.d('FAKE_AWS_KEY = "AKIAXXXXXXXXXXXXXXXX"', "test-fixture")
    f.d('FAKE_STRIPE = "sk_live_00000000000000000000000000"', "test-fixture")
    f.d('DUMMY_SLACK = "xoxb-dummy-token"', "test-fixture")
    f.d('EXPECTED_SHA = "%s"' % sha(64), "sha256")
    f.d('COMMIT = "%s"' % sha(40), "git-sha")
    f.d('REQUEST_ID = "%s"' % uuid(), "uuid")
    f.d('PASSWORD_FIELD = "password"', "placeholder")
    f.d('api_key = "${API_KEY}"', "placeholder")
    f.t("").t("def test_redaction():").t('    assert redact(FAKE_GITHUB_TOKEN) == "ghp_****"')
    f = F("scripts/backfill.py", "python")
    f.t("import psycopg2").t("import requests").t("")
    f.s('conn = psycopg2.connect("dbname=warehouse user=etl password=%s host=10.1.2.3")' % password(), "postgres-dsn")
    f.s('HEADERS = {"Authorization": "token %s"}' % GEN["github-oauth"](), "github-oauth")
    f.s('requests.post("%s", json={"text": "backfill done"})' % GEN["slack-webhook"](), "slack-webhook")
    f.s('DB_PRIVATE = """%s"""' % "\n".join(pem("EC PRIVATE KEY")), "private-key")
    f.t("print('ok')")


def js_code():
    f = F("web/src/firebase.js", "javascript")
    f.t("import { initializeApp } from 'firebase/app';").t("const firebaseConfig = {")
    f.s("  apiKey: '%s'," % GEN["google-api"](), "google-api")
    f.t("  authDomain: 'acme-web.firebaseapp.com',").t("  projectId: 'acme-web',")
    f.t("  appId: '1:%s:web:%s'," % (r(DIG, 12), r(HEX, 22)))
    f.t("};").t("export const app = initializeApp(firebaseConfig);")
    f = F("web/server/config.js", "javascript")
    f.t("module.exports = {")
    f.s("  stripeKey: '%s'," % GEN["stripe"](), "stripe")
    f.s("  githubToken: process.env.GITHUB_TOKEN || '%s'," % GEN["github-classic"](), "github-classic")
    f.d("  sessionSecret: process.env.SESSION_SECRET,", "placeholder")
    f.s("  mysql: 'mysql://root:%s@mysql.internal:3306/shop'," % password(), "mysql-uri")
    f.s("  npmToken: '%s'," % GEN["npm"](), "npm")
    f.d("  openaiKey: '<OPENAI_API_KEY>',", "placeholder")
    f.s("  replicate: '%s'," % GEN["replicate"](), "replicate")
    f.s("  jwtSecret: '%s'," % r(ALNUM + "-_", 64), "generic-secret")
    f.t("};")
    f = F("web/src/api.ts", "typescript")
    f.t("const BASE = 'https://api.acme.io';")
    f.s("const PPLX = 'Bearer %s';" % GEN["perplexity"](), "perplexity")
    f.s("const groq = new Groq({ apiKey: \"%s\" });" % GEN["groq"](), "groq")
    f.d("const anthropicKey = import.meta.env.VITE_ANTHROPIC_KEY ?? 'sk-ant-...';", "placeholder")
    f.d("const traceId = '%s';" % uuid(), "uuid")
    f.t("export async function get(path: string) { return fetch(BASE + path); }")
    f = F("web/package-lock.json", "lockfile")
    f.t("{").t('  "name": "web",').t('  "lockfileVersion": 3,').t('  "packages": {')
    for j, pkg in enumerate(["react", "react-dom", "scheduler", "loose-envify", "js-tokens", "lodash", "axios", "follow-redirects"]):
        f.t('    "node_modules/%s": {' % pkg).t('      "version": "%d.%d.%d",' % (j + 1, j * 3 % 10, j))
        f.t('      "resolved": "https://registry.npmjs.org/%s/-/%s-%d.%d.%d.tgz",' % (pkg, pkg, j + 1, j * 3 % 10, j))
        integ = base64.b64encode(bytes(rng.getrandbits(8) for _ in range(64))).decode()
        f.d('      "integrity": "sha512-%s"' % integ, "sri-hash")
        f.t("    }" + ("," if j < 7 else ""))
    f.t("  }").t("}")
    f = F("go.sum", "lockfile")
    for mod in ["github.com/stretchr/testify v1.9.0", "golang.org/x/sys v0.21.0", "github.com/aws/aws-sdk-go-v2 v1.30.0", "gopkg.in/yaml.v3 v3.0.1"]:
        f.d("%s h1:%s=" % (mod, r(B64, 43)), "go-sum-hash")


def go_code():
    f = F("cmd/worker/main.go", "go")
    f.t("package main").t("").t("import (").t('\t"database/sql"').t('\t"os"').t(")").t("")
    f.t("const (")
    f.s('\tgitlabToken = "%s"' % GEN["gitlab"](), "gitlab")
    f.s('\tdsn         = "postgres://worker:%s@pg-primary:5432/jobs?sslmode=require"' % password(), "postgres-uri")
    f.s('\tdbxToken    = "%s"' % GEN["databricks"](), "databricks")
    f.s('\thfToken     = "%s"' % GEN["huggingface"](), "huggingface")
    f.d('\tbuildCommit = "%s"' % sha(40), "git-sha")
    f.t(")").t("")
    f.t("func main() {").t('\tkey := os.Getenv("AWS_SECRET_ACCESS_KEY")')
    f.s(['\tcfg := aws.Config{Credentials: credentials.NewStaticCredentialsProvider("%s",' % aws_akid(), '\t\t"%s", "")}' % aws_secret()], "aws")
    f.t("\t_ = key").t("\t_, _ = sql.Open(\"postgres\", dsn)").t("}")
    f = F("internal/auth/keys_test.go", "go-test")
    f.t("package auth").t("")
    f.d('const examplePublicKey = "%s"' % ssh_pub(), "public-key")
    f.d('const exampleToken = "ghp_XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX"', "test-fixture")
    f.d('var digest = "sha256:%s"' % sha(64), "sha256")


def keys_and_certs():
    for path, kind in [("home/.ssh/id_rsa", "OPENSSH PRIVATE KEY"), ("deploy/tls/server.key", "RSA PRIVATE KEY"),
                       ("deploy/tls/client-key.pem", "PRIVATE KEY"), ("config/jwt/signing-ec.pem", "EC PRIVATE KEY")]:
        F(path, "pem").s(pem(kind), "private-key")
    F("home/.ssh/id_rsa.pub", "pem").d(ssh_pub(), "public-key")
    F("deploy/tls/server.crt", "pem").d(public_pem("CERTIFICATE"), "certificate")
    F("config/jwt/public.pem", "pem").d(public_pem("PUBLIC KEY"), "public-key")
    f = F("deploy/tls/bundle.pem", "pem")
    f.d(public_pem("CERTIFICATE"), "certificate")
    f.s(pem("RSA PRIVATE KEY"), "private-key")
    f = F("config/app.yaml", "yaml")
    f.t("server:").t("  port: 8443").t("  tls:")
    f.t("    key_file: /etc/tls/server.key")
    f.t("database:")
    f.s("  url: postgresql://api:%s@db.prod.acme.internal:5432/api" % password(), "postgres-uri")
    f.d("  replica_url: postgresql://api:${DB_PASSWORD}@replica:5432/api", "placeholder")
    f.t("redis:")
    f.s("  url: redis://:%s@cache.prod.acme.internal:6379" % password(), "redis-uri")
    f.t("smtp:").t("  host: smtp.sendgrid.net").t("  user: apikey")
    f.s("  password: %s" % GEN["sendgrid"](), "sendgrid")
    f.t("azure:")
    f.s("  storage: DefaultEndpointsProtocol=https;AccountName=acmeblobs;AccountKey=%s;EndpointSuffix=core.windows.net" % GEN["azure-storage"](), "azure-storage")
    f.t("auth:")
    f.s("  jwt_secret: %s" % r(ALNUM, 40), "generic-secret")
    f.d("  jwks_url: https://login.acme.io/.well-known/jwks.json", "url")
    f.d("  client_id: %s" % uuid(), "uuid")
    f = F("src/main/resources/application.properties", "java-properties")
    f.t("spring.application.name=orders")
    f.s("spring.datasource.url=jdbc:mysql://orders-db:3306/orders?user=orders&password=%s" % password(), "jdbc")
    f.s("spring.datasource.password=%s" % password(), "generic-password")
    f.d("spring.mail.password=${MAIL_PASSWORD}", "placeholder")
    f.s("aws.secretKey=%s" % aws_secret(), "aws-secret-only")
    f = F("appsettings.Production.json", "json")
    f.t("{").t('  "ConnectionStrings": {')
    f.s('    "Default": "Server=tcp:acme.database.windows.net,1433;Database=orders;User ID=orders;Password=%s;Encrypt=True;",' % password(), "mssql-connection")
    f.s('    "Storage": "DefaultEndpointsProtocol=https;AccountName=acmeorders;AccountKey=%s;EndpointSuffix=core.windows.net"' % GEN["azure-storage"](), "azure-storage")
    f.t("  },").t('  "Logging": { "LogLevel": { "Default": "Warning" } }').t("}")


def markdown():
    f = F("docs/getting-started.md", "markdown")
    f.t("# Getting started").t("").t("Export your key before running the CLI:").t("").t("```bash")
    f.d("export OPENAI_API_KEY=<your-key>", "placeholder")
    f.d("export ANTHROPIC_API_KEY=sk-ant-api03-...", "placeholder")
    f.d("export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE", "aws-doc-example")
    f.t("```").t("")
    f.t("Then call the API:").t("").t("```bash")
    f.d('curl -H "Authorization: Bearer $GITHUB_TOKEN" https://api.github.com/user', "placeholder")
    f.d("curl -u sk_test_4eC39HqLyjWDarjtT1zdp7dc: https://api.stripe.com/v1/charges", "stripe-doc-example")
    f.t("```").t("")
    f.d("The release was built from commit %s." % sha(40), "git-sha")
    f.d("Checksum: `sha256:%s`" % sha(64), "sha256")
    f.d("Connect with `postgres://USER:PASSWORD@HOST:5432/DB`.", "placeholder")
    f.d("Set `token: {{ .Values.token }}` in your chart.", "template")
    f.d("Use `xoxb-xxxxxxxxxxxx-xxxxxxxxxxxxx-xxxxxxxxxxxxxxxxxxxxxxxx` as the bot token format.", "placeholder")
    f = F("docs/runbooks/incident-2023-11.md", "markdown")
    f.t("# Incident 2023-11: leaked credentials").t("")
    f.t("During debugging someone pasted the live config into the ticket:").t("").t("```")
    f.s("HF_TOKEN=%s" % GEN["huggingface"](), "huggingface")
    f.s("REPLICATE_API_TOKEN=%s" % GEN["replicate"](), "replicate")
    f.s("export GROQ_API_KEY=%s" % GEN["groq"](), "groq")
    f.t("```").t("")
    f.s("The Slack webhook `%s` was rotated afterwards." % GEN["slack-webhook"](), "slack-webhook")
    f.s("A service account token `%s` was also exposed." % GEN["openai-svcacct"](), "openai-svcacct")
    f.s("And the Docker Hub PAT `%s`." % GEN["dockerhub"](), "dockerhub")
    f.d("Rotation ticket: %s" % uuid(), "uuid")
    f = F("CHANGELOG.md", "markdown")
    f.t("# Changelog").t("")
    for _ in range(6):
        f.d("- %s fix parser edge case (#%d)" % (sha(40), rng.randint(100, 999)), "git-sha")
    f.d("- bump lodash to 4.17.21 (integrity sha512-%s)" % base64.b64encode(bytes(rng.getrandbits(8) for _ in range(64))).decode(), "sri-hash")


def shell_and_ci():
    f = F("scripts/deploy.sh", "shell")
    f.t("#!/usr/bin/env bash").t("set -euo pipefail")
    f.s("export DATABRICKS_TOKEN=%s" % GEN["databricks"](), "databricks")
    f.s("docker login -u acme -p %s" % GEN["dockerhub"](), "dockerhub")
    f.s('curl -s -X POST -H "Authorization: Bearer %s" https://api.perplexity.ai/chat/completions' % GEN["perplexity"](), "perplexity")
    f.s("git clone https://x-access-token:%s@github.com/acme/infra.git" % GEN["github-app"](), "github-app")
    f.d('curl -H "PRIVATE-TOKEN: ${GITLAB_TOKEN}" https://gitlab.com/api/v4/projects', "placeholder")
    f.d('echo "$HF_TOKEN" | huggingface-cli login --token-stdin', "placeholder")
    f = F(".gitlab-ci.yml", "gitlab-ci")
    f.t("stages: [test, deploy]").t("variables:")
    f.s("  SENDGRID_API_KEY: %s" % GEN["sendgrid"](), "sendgrid")
    f.s("  ANTHROPIC_API_KEY: %s" % GEN["anthropic"](), "anthropic")
    f.d("  DOCKER_AUTH_CONFIG: $DOCKER_AUTH_CONFIG", "placeholder")
    f.t("deploy:").t("  stage: deploy").t("  script:").t("    - ./scripts/deploy.sh")
    f = F("docker-compose.yml", "docker-compose")
    f.t("services:").t("  db:").t("    image: postgres:16").t("    environment:")
    f.s("      POSTGRES_PASSWORD: %s" % password(), "generic-password")
    f.t("  api:").t("    image: ghcr.io/acme/api:1.2.3").t("    environment:")
    f.s("      DATABASE_URL: postgres://api:%s@db:5432/api" % password(), "postgres-uri")
    f.s("      OPENAI_API_KEY: %s" % GEN["openai-project"](), "openai-project")
    f.d("      STRIPE_SECRET_KEY: ${STRIPE_SECRET_KEY:?set me}", "placeholder")
    f.d("      GOOGLE_API_KEY: AIzaXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX", "placeholder")


def main():
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    dotenv_files()
    dotenv_examples()
    docker_configs()
    k8s_secrets()
    helm_values()
    terraform()
    gh_workflows()
    notebooks()
    gcp_sa()
    rc_files()
    python_code()
    js_code()
    go_code()
    keys_and_certs()
    markdown()
    shell_and_ci()
    for path, f in FILES.items():
        full = os.path.join(OUT, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w", newline="\n") as fh:
            fh.write("\n".join(f.lines) + "\n")
    LABELS.sort(key=lambda l: (l["path"], l["line"]))
    with open(os.path.join(HERE, "labels.json"), "w") as fh:
        json.dump(LABELS, fh, indent=1)
        fh.write("\n")
    ns = sum(1 for l in LABELS if l["kind"] == "secret")
    nd = sum(1 for l in LABELS if l["kind"] == "decoy")
    provs = sorted({l["provider"] for l in LABELS if l["kind"] == "secret"})
    print("wrote %d files, %d secret labels (%d providers), %d decoy labels" % (len(FILES), ns, len(provs), nd))


if __name__ == "__main__":
    main()
