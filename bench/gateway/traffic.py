#!/usr/bin/env python3
"""Recall and precision of the gateway's credential and personal-data screening on synthetic LLM traffic.

    python3 bench/gateway/traffic.py            # --no-build to skip `cargo build`; --seed N (default 13)

The labeled set is generated here, independently of warden's rules, from the templates in bench/gateway/traffic/
(support chats, code, JSON payloads, logs, CSV rows, pasted emails, model answers):
  - credentials: synthetic values in the formats the providers document (AWS key pairs, GitHub classic tokens
    with their CRC32 checksum and fine-grained tokens, Slack, Stripe, OpenAI, Anthropic, Google, GitLab, npm,
    PyPI, Hugging Face, SendGrid, Twilio, PEM private keys, database URLs with passwords, JWTs and others);
  - personal data: Faker (PyPI, pinned below, installed into bench/gateway/work/traffic-venv the first time)
    in seven locales: emails at real mail providers and company domains, phone numbers, Luhn-valid card
    numbers, mod-97-valid IBANs, US SSNs, and UK National Insurance numbers built after HMRC's allocation rules;
  - negatives: texts holding only look-alikes (identifiers, hashes, encodings, order and tracking numbers,
    placeholders, and the test values that docs publish), each expecting nothing.
Every text goes through the `screen` example of warden-gateway (built here in release mode, in CARGO_TARGET_DIR
or <repo>/target). A reported span is a true positive when it overlaps an expected value of its category: any
secrets rule for a credential, a personal-data rule of the same family (by rule id) for personal data; a span
that overlaps none is a false positive. Prints the table and examples; the raw per-text results go to
bench/gateway/work/traffic-last.jsonl.
"""
import argparse
import base64
import collections
import datetime
import json
import os
import pathlib
import random
import re
import string
import subprocess
import sys
import uuid
import zlib

FAKER = "40.63.0"
ROOT = pathlib.Path(__file__).resolve().parents[2]
WORK = ROOT / "bench/gateway/work"
DATA = ROOT / "bench/gateway/traffic"
VENV = WORK / "traffic-venv"
TARGET = pathlib.Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
LOCALES = ["en_US", "en_GB", "de_DE", "fr_FR", "es_ES", "it_IT", "nl_NL"]
PII_TARGETS = {"email": 230, "phone": 210, "card": 170, "iban": 160, "ssn": 120, "nino": 100}
NEGATIVES = 650
SLOT = re.compile(r"\{([a-z_]+[0-9]*)\}")

UP, LO, DG = string.ascii_uppercase, string.ascii_lowercase, string.digits
B62 = DG + UP + LO
B64 = UP + LO + DG + "+/"
B64URL = UP + LO + DG + "-_"
HEX = "0123456789abcdef"


def ensure_venv():
    """Re-runs this script under bench/gateway/work/traffic-venv, with Faker pinned, creating it if needed."""
    py = VENV / "bin/python"
    if pathlib.Path(sys.prefix).resolve() == VENV.resolve():
        return
    if not py.exists() or subprocess.run([str(py), "-c", f"import faker,sys; sys.exit(faker.VERSION != '{FAKER}')"],
                                         capture_output=True).returncode:
        WORK.mkdir(parents=True, exist_ok=True)
        if not (WORK / ".gitignore").exists():
            (WORK / ".gitignore").write_text("*\n")
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(py), "-m", "pip", "install", "-q", f"faker=={FAKER}"], check=True)
    os.execv(str(py), [str(py), str(pathlib.Path(__file__).resolve()), *sys.argv[1:]])


def templates(name):
    out = []
    for line in (DATA / name).open(encoding="utf-8"):
        line = line.rstrip("\n")
        if line.strip() and not line.startswith("#"):
            out.append(line.replace("\\n", "\n"))
    return out


class Gen:
    """Every generated value: credentials, personal data and look-alikes. One seeded RNG, seeded Fakers."""

    def __init__(self, seed):
        from faker import Faker
        self.rng = random.Random(seed)
        self.fk = {}
        for i, loc in enumerate(LOCALES):
            f = Faker(loc)
            f.seed_instance(seed + i)
            self.fk[loc] = f
        self.us = self.fk["en_US"]

    def rs(self, alphabet, n):
        return "".join(self.rng.choice(alphabet) for _ in range(n))

    def pick(self, *xs):
        return self.rng.choice(xs)

    # ---- credentials -------------------------------------------------------------------------------------
    def b62(self, n, width):
        s = ""
        while n:
            n, r = divmod(n, 62)
            s = B62[r] + s
        return s.rjust(width, "0")

    def crc_token(self, prefix):
        # GitHub's (and npm's) format: prefix, 30 random base62 characters, CRC32 of those as 6 base62 characters.
        body = self.rs(B62, 30)
        return prefix + body + self.b62(zlib.crc32(body.encode()), 6)

    def b64u(self, raw):
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    def rbytes(self, n):
        return bytes(self.rng.getrandbits(8) for _ in range(n))

    def pem(self):
        kind = self.pick("RSA", "RSA", "PKCS8", "EC", "OPENSSH", "OPENSSH")
        if kind == "RSA":
            head, raw, width = "RSA PRIVATE KEY", bytes.fromhex("308204a40201000282010100") + self.rbytes(1180), 64
        elif kind == "PKCS8":
            head = "PRIVATE KEY"
            raw = bytes.fromhex("308204be020100300d06092a864886f70d0101010500048204a8308204a40201000282010100")
            raw, width = raw + self.rbytes(1180), 64
        elif kind == "EC":
            head = "EC PRIVATE KEY"
            raw = (bytes.fromhex("30770201010420") + self.rbytes(32) +
                   bytes.fromhex("a00a06082a8648ce3d030107a14403420004") + self.rbytes(64))
            width = 64
        else:
            head = "OPENSSH PRIVATE KEY"
            raw = (b"openssh-key-v1\0" + b"\0\0\0\4none" * 2 + b"\0\0\0\0\0\0\0\1\0\0\0\x33\0\0\0\x0bssh-ed25519"
                   + self.rbytes(300))
            width = 70
        body = base64.b64encode(raw).decode()
        lines = [body[i:i + width] for i in range(0, len(body), width)]
        return f"-----BEGIN {head}-----\n" + "\n".join(lines) + f"\n-----END {head}-----"

    def pypi(self):
        uid = str(uuid.UUID(int=self.rng.getrandbits(128), version=4)).encode()
        cav = json.dumps([1, [self.us.slug()]], separators=(",", ":")).encode() if self.rng.random() < .5 \
            else b'{"version":1,"permissions":"user"}'
        mac = (b"\x02\x01\x08pypi.org\x02" + bytes([len(uid)]) + uid + b"\x00\x02" + bytes([len(cav)]) + cav +
               b"\x00\x00\x06\x20" + self.rbytes(32))
        return "pypi-" + self.b64u(mac)

    def jwt(self):
        alg = self.pick("HS256", "RS256", "RS256", "ES256")
        head = {"alg": alg, "typ": "JWT"}
        if alg != "HS256":
            head["kid"] = self.rs(HEX, 16)
        now = 1_700_000_000 + self.rng.randint(0, 60_000_000)
        body = {"sub": self.pick(str(self.rng.randint(1000, 9_999_999)), str(uuid.UUID(int=self.rng.getrandbits(128)))),
                "iat": now, "exp": now + self.pick(900, 3600, 86400),
                "iss": f"https://auth.{self.us.domain_name()}/", "aud": self.pick("api", "web", "mobile")}
        if self.rng.random() < .5:
            body["scope"] = self.pick("read:orders write:orders", "openid profile", "admin")
        sig = self.rbytes({"HS256": 32, "RS256": 256, "ES256": 64}[alg])
        enc = lambda d: self.b64u(json.dumps(d, separators=(",", ":")).encode())
        return f"{enc(head)}.{enc(body)}.{self.b64u(sig)}"

    def db_url(self):
        user = self.pick("app", "admin", "postgres", "svc_billing", "readonly", self.us.user_name())
        if self.rng.random() < .6:
            pw = self.rs(B62, self.rng.randint(14, 32))
        else:
            pw = self.us.word().capitalize() + str(self.rng.randint(1990, 2026)) + self.pick("!", "*", "-", "_", "~")
        word = self.us.word()
        host = self.pick(f"db.{self.us.domain_name()}",
                         f"{word}-prod.cluster-{self.rs(LO + DG, 12)}.eu-west-1.rds.amazonaws.com",
                         f"ep-{word}-{self.us.word()}-{self.rs(LO + DG, 8)}.us-east-2.aws.neon.tech",
                         f"10.0.{self.rng.randint(0, 255)}.{self.rng.randint(1, 254)}",
                         f"{word}-db.postgres.database.azure.com")
        db = self.pick("app", "orders", "billing", "analytics", word)
        r = self.rng.random()
        if r < .6:
            return f"{self.pick('postgres', 'postgresql')}://{user}:{pw}@{host}:5432/{db}" + self.pick("", "?sslmode=require")
        if r < .75:
            return f"mysql://{user}:{pw}@{host}:3306/{db}"
        if r < .9:
            return f"mongodb+srv://{user}:{pw}@cluster0.{self.rs(LO + DG, 5)}.mongodb.net/{db}?retryWrites=true"
        return f"redis://default:{pw}@{host}:6379/0"

    def azure(self):
        acct = self.us.word() + str(self.rng.randint(10, 999))
        key = base64.b64encode(self.rbytes(64)).decode()
        pre = f"DefaultEndpointsProtocol=https;AccountName={acct};AccountKey="
        return (pre + key + ";EndpointSuffix=core.windows.net", len(pre), len(pre) + len(key))

    def providers(self):
        """provider id -> (display name, kind, environment variable names, generator, texts to make)."""
        r = self
        return {
            "aws": ("AWS", "aws", ["AWS_ACCESS_KEY_ID"], None, 16),
            "github-classic": ("GitHub", "token", ["GITHUB_TOKEN", "GH_TOKEN"], lambda: r.crc_token(
                r.pick("ghp_", "ghp_", "ghp_", "gho_", "ghu_", "ghs_", "ghr_")), 18),
            "github-fine-grained": ("GitHub", "token", ["GITHUB_TOKEN", "GH_PAT"],
                                    lambda: "github_pat_11" + r.rs(UP + DG, 20) + "_" + r.rs(B62, 59), 14),
            "slack": ("Slack", "token", ["SLACK_BOT_TOKEN", "SLACK_TOKEN", "SLACK_WEBHOOK_URL"], lambda: r.pick(
                f"xoxb-{r.rs(DG, r.rng.randint(10, 12))}-{r.rs(DG, r.rng.randint(12, 13))}-{r.rs(B62, 24)}",
                f"xoxp-{r.rs(DG, 11)}-{r.rs(DG, 11)}-{r.rs(DG, 13)}-{r.rs(HEX, 32)}",
                f"https://hooks.slack.com/services/T{r.rs(UP + DG, 8)}/B{r.rs(UP + DG, 10)}/{r.rs(B62, 24)}"), 18),
            "stripe": ("Stripe", "token", ["STRIPE_SECRET_KEY", "STRIPE_API_KEY"], lambda: r.pick(
                "sk_live_" + r.rs(B62, 24), "sk_live_51" + r.rs(B62, 97), "rk_live_51" + r.rs(B62, 97),
                "whsec_" + r.rs(B62, 32)), 16),
            "openai": ("OpenAI", "token", ["OPENAI_API_KEY"], lambda: r.pick(
                "sk-proj-" + r.rs(B64URL, 74) + "T3BlbkFJ" + r.rs(B64URL, 74),
                "sk-proj-" + r.rs(B64URL, 74) + "T3BlbkFJ" + r.rs(B64URL, 74),
                "sk-svcacct-" + r.rs(B64URL, 74) + "T3BlbkFJ" + r.rs(B64URL, 74),
                "sk-" + r.rs(B62, 20) + "T3BlbkFJ" + r.rs(B62, 20)), 18),
            "anthropic": ("Anthropic", "token", ["ANTHROPIC_API_KEY"], lambda: r.pick(
                "sk-ant-api03-", "sk-ant-api03-", "sk-ant-admin01-") + r.rs(B64URL, 93) + "AA", 16),
            "google": ("Google", "token", ["GOOGLE_API_KEY", "GEMINI_API_KEY"],
                       lambda: "AIza" + r.pick("Sy" + r.rs(B64URL, 33), r.rs(B64URL, 35)), 16),
            "gitlab": ("GitLab", "token", ["GITLAB_TOKEN", "CI_API_TOKEN"], lambda: r.pick(
                "glpat-" + r.rs(B64URL, 20),
                "glpat-" + r.rs(B64URL, 27) + ".01." + r.rs(LO + DG, 9),
                "glrt-" + r.rs(B64URL, 20)), 14),
            "npm": ("npm", "token", ["NPM_TOKEN", "NODE_AUTH_TOKEN"], lambda: r.crc_token("npm_"), 14),
            "pypi": ("PyPI", "token", ["PYPI_API_TOKEN", "TWINE_PASSWORD"], r.pypi, 14),
            "huggingface": ("Hugging Face", "token", ["HF_TOKEN", "HUGGING_FACE_HUB_TOKEN"],
                            lambda: "hf_" + r.rs(UP + LO, 34), 14),
            "sendgrid": ("SendGrid", "token", ["SENDGRID_API_KEY"],
                         lambda: "SG." + r.rs(B64URL, 22) + "." + r.rs(B64URL, 43), 14),
            "twilio": ("Twilio", "token", ["TWILIO_API_KEY"], lambda: "SK" + r.rs(HEX, 32), 14),
            "digitalocean": ("DigitalOcean", "token", ["DIGITALOCEAN_TOKEN"], lambda: "dop_v1_" + r.rs(HEX, 64), 12),
            "shopify": ("Shopify", "token", ["SHOPIFY_ACCESS_TOKEN"], lambda: "shpat_" + r.rs(HEX, 32), 12),
            "databricks": ("Databricks", "token", ["DATABRICKS_TOKEN"], lambda: "dapi" + r.rs(HEX, 32), 12),
            "vault": ("HashiCorp Vault", "token", ["VAULT_TOKEN"], lambda: r.pick(
                "hvs." + r.rs(B62, 24), "hvs.CAESI" + r.rs(B64URL, 86)), 12),
            "telegram": ("Telegram", "token", ["TELEGRAM_BOT_TOKEN"],
                         lambda: f"{r.rng.randint(10 ** 8, 10 ** 10 - 1)}:AA{r.rs(B64URL, 33)}", 12),
            "groq": ("Groq", "token", ["GROQ_API_KEY"], lambda: "gsk_" + r.rs(B62, 52), 12),
            "replicate": ("Replicate", "token", ["REPLICATE_API_TOKEN"], lambda: "r8_" + r.rs(B62, 37), 12),
            "postman": ("Postman", "token", ["POSTMAN_API_KEY"],
                        lambda: f"PMAK-{r.rs(HEX, 24)}-{r.rs(HEX, 34)}", 12),
            "linear": ("Linear", "token", ["LINEAR_API_KEY"], lambda: "lin_api_" + r.rs(B62, 40), 12),
            "grafana": ("Grafana", "token", ["GRAFANA_TOKEN"], lambda: f"glsa_{r.rs(B62, 32)}_{r.rs(HEX, 8)}", 12),
            "newrelic": ("New Relic", "token", ["NEW_RELIC_API_KEY"], lambda: "NRAK-" + r.rs(UP + DG, 27), 12),
            "mailgun": ("Mailgun", "token", ["MAILGUN_API_KEY"], lambda: "key-" + r.rs(HEX, 32), 12),
            "azure-storage": ("Azure Storage", "token", ["AZURE_STORAGE_CONNECTION_STRING"], r.azure, 12),
            "generic-keyword": ("our internal API", "token", ["DB_PASSWORD", "CLIENT_SECRET", "JWT_SECRET",
                                                               "SECRET_KEY", "SMTP_PASSWORD", "API_SECRET"],
                                lambda: r.rs(B62 + "!#%*_-", r.rng.randint(20, 40)), 14),
            "private-key": ("a private key", "pem", [], r.pem, 18),
            "database-url": ("the database", "url", ["DATABASE_URL"], r.db_url, 18),
            "jwt": ("a JWT", "jwt", [], r.jwt, 16),
        }

    # ---- personal data -----------------------------------------------------------------------------------
    def email(self, f):
        return f.free_email() if self.rng.random() < .65 else f.company_email()

    def phone(self, f, loc):
        if loc == "en_GB":  # Faker's en_GB numbers are all Ofcom drama numbers (reserved for fiction): make real-shaped ones
            while True:
                m = self.rng.choice("1234579") + self.rs(DG, 2)  # mobiles: 071-075, 077-079
                p = self.pick(f"07{m} {self.rs(DG, 6)}", f"07{m}{self.rs(DG, 6)}", f"+44 7{m} {self.rs(DG, 6)}", f"020 {self.rng.randint(3, 8)}{self.rs(DG, 3)} {self.rs(DG, 4)}",
                              f"0161 {self.rs(DG, 3)} {self.rs(DG, 4)}", f"(0131) {self.rs(DG, 3)} {self.rs(DG, 4)}",
                              f"+44 20 {self.rng.randint(3, 8)}{self.rs(DG, 3)} {self.rs(DG, 4)}")
                if "7700 900" not in p and "77009" not in p.replace(" ", "") and "7946 0" not in p:
                    return p
        while True:
            p = f.phone_number()
            if not re.search(r"555\D?01\d\d", p):
                return p

    # Faker's types, less its 12-digit Maestro and 13-digit Visa (no longer issued); JCB kept to its 3528-3589 range.
    CARD_TYPES = ["visa16"] * 6 + ["mastercard"] * 5 + ["amex"] * 3 + ["discover"] * 2 + ["jcb16", "diners", "visa19"]

    def card(self, f):
        while True:
            t = self.rng.choice(self.CARD_TYPES)
            n = f.credit_card_number(card_type=t)
            if n not in TEST_CARDS and luhn(n) and (t != "jcb16" or 3528 <= int(n[:4]) <= 3589):
                break
        style = self.rng.random()
        if style < .4:
            return n
        sep = " " if style < .8 else "-"
        groups = {15: (4, 6, 5), 14: (4, 6, 4), 16: (4, 4, 4, 4), 19: (4, 4, 4, 4, 3)}.get(len(n))
        if not groups:
            return n
        out, i = [], 0
        for g in groups:
            out.append(n[i:i + g])
            i += g
        return sep.join(out)

    def iban(self, f):
        while True:
            n = f.iban()
            if iban_ok(n) and n not in DOC_IBANS:
                break
        return " ".join(n[i:i + 4] for i in range(0, len(n), 4)) if self.rng.random() < .5 else n

    def ssn(self):
        while True:
            s = self.us.ssn()
            a, g, n = s.split("-")
            if a not in ("000", "666") and a[0] != "9" and g != "00" and n != "0000" and s not in DOC_SSNS:
                break
        r = self.rng.random()
        return s if r < .7 else s.replace("-", " ") if r < .85 else s.replace("-", "")

    def nino(self):
        # HMRC: first letter not D F I Q U V; second not D F I O Q U V; BG GB KN NK NT TN ZZ never issued; suffix A-D.
        first, second = "ABCEGHJKLMNOPRSTWXYZ", "ABCEGHJKLMNPRSTWXYZ"
        while True:
            pre = self.rng.choice(first) + self.rng.choice(second)
            if pre not in ("BG", "GB", "KN", "NK", "NT", "TN", "ZZ"):
                break
        d, suf = self.rs(DG, 6), self.rng.choice("ABCD")
        r = self.rng.random()
        if r < .4:
            return f"{pre} {d[:2]} {d[2:4]} {d[4:]} {suf}"
        return f"{pre}{d}{suf}" if r < .9 else f"{pre}{d}{suf}".lower()

    # ---- look-alikes and filler --------------------------------------------------------------------------
    def lookalike(self, name, f):
        return self.table(f)[name]()

    def table(self, f):
        """Look-alike and filler generators by slot name."""
        r, rs, rng = self, self.rs, self.rng
        return {
            "name": lambda: f.name(), "first": lambda: f.first_name(), "company": lambda: f.company(),
            "street": lambda: f.street_address(), "city": lambda: f.city(), "domain": lambda: f.domain_name(),
            "uuid": lambda: str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "sha": lambda: rs(HEX, 40), "hex40": lambda: rs(HEX, 40), "sha_short": lambda: rs(HEX, 7),
            "sha256": lambda: rs(HEX, 64), "md5": lambda: rs(HEX, 32), "hex32": lambda: rs(HEX, 32),
            "hex8": lambda: rs(HEX, 8), "k8s_suffix": lambda: rs(LO + DG, 5),
            "b64": lambda: base64.b64encode(bytes.fromhex("89504e470d0a1a0a0000000d49484452") +
                                            r.rbytes(rng.randint(24, 90))).decode(),
            "order": lambda: r.pick(f"ORD-{rng.randint(2019, 2025)}-{rs(DG, 6)}", f"#{rs(DG, rng.randint(5, 7))}",
                                    f"SO{rs(DG, 8)}", f"A{rs(DG, 7)}"),
            "amazon_order": lambda: f"{rs(DG, 3)}-{rs(DG, 7)}-{rs(DG, 7)}",
            "tracking_ups": lambda: "1Z" + rs(UP + DG, 6) + rs(DG, 10),
            "tracking": lambda: "1Z" + rs(UP + DG, 6) + rs(DG, 10),
            "tracking_fedex": lambda: rs(DG, r.pick(12, 15)),
            "tracking_usps": lambda: " ".join(["9400", "1" + rs(DG, 3)] + [rs(DG, 4) for _ in range(3)] + [rs(DG, 2)]),
            "ts": lambda: r.iso(), "iso_ts": lambda: r.iso(),
            "epoch_ms": lambda: str(rng.randint(1_600_000_000_000, 1_760_000_000_000)),
            "date": lambda: r.date(), "int": lambda: str(rng.randint(2, 4999)),
            "price": lambda: r.pick("$", "€", "£") + f"{rng.randint(1, 9999):,}.{rs(DG, 2)}",
            "amount": lambda: r.pick("$", "€", "£") + f"{rng.randint(5, 2500)}.{rs(DG, 2)}",
            "exp": lambda: f"{rng.randint(1, 12):02d}/{rng.randint(26, 31)}",
            "ticket": lambda: f"#{rs(DG, 6)}", "case_no": lambda: r.pick(f"CS-{rng.randint(2020, 2025)}-{rs(DG, 7)}",
                                                                           f"#{rs(DG, 8)}", f"INC{rs(DG, 7)}"),
            "invoice": lambda: r.pick(f"INV-{rng.randint(2020, 2025)}-{rs(DG, 5)}", f"RE-{rs(DG, 6)}"),
            "version": lambda: r.pick(f"UP1A.{rs(DG, 6)}.{rs(DG, 3)}", f"10.0.{rng.randint(10000, 22631)}.{rng.randint(1, 4000)}",
                                      f"{rng.randint(1, 30)}.{rng.randint(0, 20)}.{rng.randint(0, 9)}.{rs(DG, 4)}"),
            "semver": lambda: r.pick("", "v") + f"{rng.randint(0, 12)}.{rng.randint(0, 40)}.{rng.randint(0, 30)}" +
                              r.pick("", "", "-rc.1", "-beta.2"),
            "sku": lambda: r.pick(f"SKU-{rs(DG, 5)}-{r.pick('BLK', 'WHT', 'RED')}", "B0" + rs(UP + DG, 8),
                                  f"{rs(UP, 2)}-{rs(DG, 4)}{rs(UP, 2)}{rs(DG, 1)}",
                                  f"PN {rs(DG, 4)}-{rs(DG, 4)}-{rs(DG, 2)}", f"{rs(DG, 3)}-{rs(DG, 4)}-{rs(DG, 2)}",
                                  f"{rs(DG, 3)}.{rs(DG, 3)}.{rs(DG, 2)}"),
            "ip": lambda: r.pick(f"{rng.randint(11, 223)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
                                 f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
                                 f"192.168.{rng.randint(0, 255)}.{rng.randint(1, 254)}"),
            "ipv6": lambda: "2001:db8:" + ":".join(rs(HEX, 4) for _ in range(3)) + "::" + rs(HEX, 3),
            "port": lambda: str(rng.randint(1024, 65535)),
            "mac": lambda: ":".join(rs(HEX, 2) for _ in range(6)),
            "isbn": lambda: r.isbn(), "lat_lon": lambda: f"{rng.uniform(-60, 70):.5f}, {rng.uniform(-170, 170):.5f}",
            "snowflake": lambda: str(rng.randint(10 ** 17, 1_900_000_000_000_000_000)),
            "aws_account": lambda: rs(DG, 12),
            "arn": lambda: f"arn:aws:iam::{rs(DG, 12)}:role/{r.pick('deploy', 'ci-runner', 'lambda-exec')}",
            "stripe_obj": lambda: r.pick("cus_" + rs(B62, 14), "pi_3" + rs(B62, 23), "ch_3" + rs(B62, 23),
                                         "price_1" + rs(B62, 23), "prod_" + rs(B62, 14)),
            "gcp_client_id": lambda: f"{rs(DG, 12)}-{rs(LO + DG, 32)}.apps.googleusercontent.com",
            "handle": lambda: "@" + f.user_name(), "pkg": lambda: r.pick("React", "_", "dayjs", "axios", "z"),
            "pkg_at_version": lambda: r.pick(f"lodash-es@4.17.{rng.randint(0, 21)}", f"@vitejs/plugin-react@4.{rng.randint(0, 3)}.0",
                                             f"https://esm.sh/preact@10.{rng.randint(10, 24)}.0", f"zod@3.{rng.randint(20, 23)}.4"),
            "git_ssh_url": lambda: f"git@{r.pick('github.com', 'gitlab.com', 'bitbucket.org')}:{f.user_name()}/{f.word()}.git",
            "docker_digest": lambda: "sha256:" + rs(HEX, 64),
            "docker_image": lambda: f"ghcr.io/{f.user_name()}/api:{rng.randint(1, 9)}.{rng.randint(0, 20)}.{rng.randint(0, 9)}",
            "npm_integrity": lambda: "sha512-" + base64.b64encode(r.rbytes(64)).decode(),
            "go_mod": lambda: f"golang.org/x/{r.pick('net', 'sys', 'text', 'crypto')} v0.{rng.randint(10, 30)}.0",
            "go_sum": lambda: "h1:" + base64.b64encode(r.rbytes(32)).decode(),
            "ssh_pub": lambda: r.pick("ssh-ed25519 " + base64.b64encode(b"\0\0\0\x0bssh-ed25519\0\0\0\x20" + r.rbytes(32)).decode(),
                                      "ssh-rsa " + base64.b64encode(b"\0\0\0\x07ssh-rsa\0\0\0\x03\x01\0\x01\0\0\x01\x01\0" + r.rbytes(256)).decode()
                                      ) + f" deploy@build-{rng.randint(1, 9):02d}",
            "cert": lambda: "-----BEGIN CERTIFICATE-----\n" + "\n".join(
                (lambda b: [b[i:i + 64] for i in range(0, len(b), 64)])(base64.b64encode(
                    bytes.fromhex("308203") + r.rbytes(600)).decode())) + "\n-----END CERTIFICATE-----",
            # placeholders and documented test values
            "testcard": lambda: (lambda c: c if rng.random() < .5 else " ".join(c[i:i + 4] for i in range(0, len(c), 4))
                                 if len(c) == 16 else c)(rng.choice(sorted(TEST_CARDS))),
            "example_email": lambda: f"{r.pick(f.user_name(), 'jane.doe', 'john', 'user+test', 'alice', 'admin')}@" +
                                     r.pick("example.com", "example.org", "example.net", "mail.example", "test.invalid"),
            "placeholder_key": lambda: r.pick("sk-...", "sk-" + "x" * 48, "YOUR_API_KEY", "<your-api-key>", "sk-proj-XXXXXXXX",
                                              "sk-ant-...", "${OPENAI_API_KEY}", "xoxb-your-bot-token",
                                              "ghp_" + "x" * 36, "sk-" + "*" * 20 + rs(B62, 4), "hf_xxx",
                                              "glpat-xxxxxxxxxxxxxxxxxxxx", "AIza...", "npm_" + "X" * 36, "<token>"),
            "placeholder_env": lambda: r.pick("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GITHUB_TOKEN", "STRIPE_SECRET_KEY",
                                              "HF_TOKEN", "SLACK_BOT_TOKEN"),
            "placeholder_gh": lambda: r.pick("ghp_" + "x" * 36, "ghp_...", "<your-token>", "github_pat_XXXX"),
            "placeholder_url": lambda: r.pick("postgres://USER:PASSWORD@HOST:5432/DBNAME",
                                              "postgresql://<user>:<password>@<host>/<db>",
                                              "postgres://app:${DB_PASSWORD}@db:5432/app",
                                              "mongodb+srv://<username>:<password>@cluster0.mongodb.net/",
                                              "postgres://postgres@localhost/dev", "redis://localhost:6379/0",
                                              "mysql://user:password@localhost:3306/test"),
            "doc_aws_key": lambda: r.pick("AKIAIOSFODNN7EXAMPLE", "AKIAI44QH8DHBEXAMPLE"),
            "jwt_doc": lambda: ("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwi"
                                "aWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"),
            "doc_iban": lambda: r.pick(*sorted(DOC_IBANS)),
            "doc_ssn": lambda: r.pick(*sorted(DOC_SSNS)),
            "doc_nino": lambda: r.pick("QQ 12 34 56 C", "QQ123456C", "QQ 12 34 56 A"),
            "fict_phone": lambda: r.pick(f"({rs('23456789', 1)}{rs(DG, 2)}) 555-01{rs(DG, 2)}", f"+1 {rs('23456789', 1)}{rs(DG, 2)} 555 01{rs(DG, 2)}",
                                         f"07700 900{rs(DG, 3)}", f"020 7946 0{rs(DG, 3)}", f"0113 496 0{rs(DG, 3)}"),
            "bad_iban": lambda: r.bad_iban(f),
            "bad_ssn": lambda: f"{r.pick('000', '666', '9' + rs(DG, 2))}-{rs(DG, 2)}-{rs(DG, 4)}",
            "bad_nino": lambda: r.pick("DA", "FQ", "BG", "GB", "NK", "TN", "ZZ", "QV") + rs(DG, 6) + rng.choice("ABCD"),
            "bad_luhn16": lambda: r.bad_luhn(),
        }

    def iso(self):
        t = datetime.datetime(2024, 1, 1) + datetime.timedelta(seconds=self.rng.randint(0, 60_000_000))
        return t.strftime("%Y-%m-%dT%H:%M:%S") + self.pick("Z", f".{self.rs(DG, 3)}Z", "+00:00")

    def date(self):
        t = datetime.date(2023, 1, 1) + datetime.timedelta(days=self.rng.randint(0, 1000))
        return t.strftime(self.pick("%Y-%m-%d", "%d %B %Y", "%m/%d/%Y", "%d.%m.%Y", "%B %d"))

    def isbn(self):
        d = "978" + self.rs(DG, 9)
        d += str((10 - sum(int(c) * (1 if i % 2 == 0 else 3) for i, c in enumerate(d)) % 10) % 10)
        return self.pick(d, f"{d[:3]}-{d[3]}-{d[4:8]}-{d[8:12]}-{d[12]}")

    def bad_iban(self, f):
        n = f.iban()
        good = n[2:4]
        while True:
            cd = f"{self.rng.randint(2, 98):02d}"
            if cd != good:
                return n[:2] + cd + n[4:]

    def bad_luhn(self):
        while True:
            n = self.pick("4", "5", "3", "6", "1", "8") + self.rs(DG, 15)
            if not luhn(n):
                return n if self.rng.random() < .6 else " ".join(n[i:i + 4] for i in range(0, 16, 4))


def luhn(n):
    digits = [int(c) for c in n if c.isdigit()]
    s = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        s += d
    return s % 10 == 0


def iban_ok(n):
    n = n.replace(" ", "")
    x = "".join(str(int(c, 36)) for c in n[4:] + n[:4])
    return int(x) % 97 == 1


# Values that documentation publishes for testing; the generators keep positives away from them, and the
# negatives use them as look-alikes.
TEST_CARDS = {"4242424242424242", "4000056655665556", "5555555555554444", "2223003122003222", "5200828282828210",
              "5105105105105100", "378282246310005", "371449635398431", "6011111111111117", "6011000990139424",
              "30569309025904", "3056930009020004", "3566002020360505", "6200000000000005", "4111111111111111",
              "4012888888881881", "4000000000000002", "4000002500003155", "4000000000003220"}
DOC_IBANS = {"GB82 WEST 1234 5698 7654 32", "GB33BUKB20201555555555", "DE89 3704 0044 0532 0130 00",
             "FR14 2004 1010 0505 0001 3M02 606", "NL91ABNA0417164300", "ES91 2100 0418 4502 0005 1332",
             "IT60 X054 2811 1010 0000 0123 456"}
DOC_SSNS = {"123-45-6789", "078-05-1120", "219-09-9999"}
PII_SLOTS = {"email", "phone", "card", "iban", "ssn", "nino"}


def fill(template, value_of):
    """Fills `{slot}`s; value_of(slot) -> (text, label) or (text, label, start, end) for a labeled part. Returns the
    text and its spans [start, end, category, type, slot]; category is secret, pii or fill (a look-alike/filler)."""
    out, spans, cache, pos, n = [], [], {}, 0, 0
    for m in SLOT.finditer(template):
        slot = m.group(1)
        out.append(template[pos:m.start()])
        n += m.start() - pos
        pos = m.end()
        v = cache.get(slot)
        if v is None:
            v = value_of(slot)
            if slot not in ("int", "price", "amount", "ts", "iso_ts"):
                cache[slot] = v
        text, (cat, typ) = v[0], v[1]
        a, b = (v[2], v[3]) if len(v) == 4 else (0, len(text))
        spans.append([n + a, n + b, cat, typ, slot])
        out.append(text)
        n += len(text)
    out.append(template[pos:])
    return "".join(out), spans


def base_slot(slot, known):
    return slot if slot in known else re.sub(r"_?[0-9]+$", "", slot)


def build(gen):
    samples = []
    lk_names = set(gen.table(gen.us))

    def filler(slot, f):
        return gen.lookalike(base_slot(slot, lk_names), f), ("fill", base_slot(slot, lk_names))

    # ---- credentials
    sec_t = collections.defaultdict(list)
    for t in templates("secrets.txt"):
        kind, shape, text = t.split("|", 2)
        sec_t[kind].append((shape, text))
    provs = gen.providers()
    i = 0
    for pid, (svc, kind, envs, mk, count) in provs.items():
        pool = sec_t[kind] if kind != "token" else [
            (s, t) for s, t in sec_t["token"] if pid != "generic-keyword" or "{var}" in t]
        for k in range(count):
            shape, text = pool[k % len(pool)] if k < len(pool) else gen.rng.choice(pool)
            var = gen.rng.choice(envs) if envs else ""

            def value_of(slot):
                if slot in ("key", "pem", "url", "jwt"):
                    v = mk()
                    return (v[0], ("secret", pid), v[1], v[2]) if isinstance(v, tuple) else (v, ("secret", pid))
                if slot == "pem_json":
                    return mk().replace("\n", "\\n") + "\\n", ("secret", pid)
                if slot == "akid":
                    return "AKIA" + gen.rs(UP + "234567", 16), ("secret", pid)
                if slot == "aws_secret":
                    return gen.rs(B64, 40), ("secret", pid)
                if slot == "var":
                    return var, ("fill", "var")
                if slot == "service":
                    return svc, ("fill", "service")
                if slot == "service_id":
                    return pid.split("-")[0], ("fill", "service_id")
                return filler(slot, gen.us)

            txt, spans = fill(text, value_of)
            i += 1
            samples.append({"id": f"sec-{i:04d}", "set": "secrets", "shape": f"{kind}/{shape}", "provider": pid,
                            "text": txt, "spans": spans})
    # .env files pasted whole: several credentials of different providers in one text
    token_provs = [p for p, v in provs.items() if v[1] == "token" and p != "generic-keyword"]
    for k in range(20):
        lines, chosen = [], gen.rng.sample(token_provs, 3)
        tmpl = "Here's my .env, the app still can't authenticate. What's wrong?\n\nNODE_ENV=production\n"
        vals = {}
        for j, pid in enumerate(chosen):
            tmpl += f"{gen.rng.choice(provs[pid][2])}={{key{j}}}\n"
            vals[f"key{j}"] = pid
        tmpl += "PORT={port}\nLOG_LEVEL=info"

        def value_of(slot):
            if slot in vals:
                v = provs[vals[slot]][3]()
                return (v[0], ("secret", vals[slot]), v[1], v[2]) if isinstance(v, tuple) else (v, ("secret", vals[slot]))
            return filler(slot, gen.us)

        txt, spans = fill(tmpl, value_of)
        i += 1
        samples.append({"id": f"sec-{i:04d}", "set": "secrets", "shape": "env/chat", "provider": "+".join(chosen),
                        "text": txt, "spans": spans})

    # ---- personal data
    pii_t = []
    for t in templates("pii.txt"):
        shape, text = t.split("|", 1)
        types = {base_slot(s, PII_SLOTS) for s in SLOT.findall(text)} & PII_SLOTS
        pii_t.append((shape, text, types))
    counts = collections.Counter()
    i = 0
    while any(counts[t] < n for t, n in PII_TARGETS.items()):
        need = {t for t, n in PII_TARGETS.items() if counts[t] < n}
        shape, text, types = gen.rng.choice([x for x in pii_t if x[2] & need])
        loc = "en_US" if "ssn" in types else "en_GB" if "nino" in types else gen.rng.choice(LOCALES)
        f = gen.fk[loc]

        def value_of(slot):
            b = base_slot(slot, PII_SLOTS)
            if b == "email":
                return gen.email(f), ("pii", b)
            if b == "phone":
                return gen.phone(f, loc), ("pii", b)
            if b == "card":
                return gen.card(f), ("pii", b)
            if b == "iban":
                return gen.iban(f), ("pii", b)
            if b == "ssn":
                return gen.ssn(), ("pii", b)
            if b == "nino":
                return gen.nino(), ("pii", b)
            return filler(slot, f)

        txt, spans = fill(text, value_of)
        for s in spans:
            if s[2] == "pii":
                counts[s[3]] += 1
        i += 1
        samples.append({"id": f"pii-{i:04d}", "set": "pii", "shape": shape, "locale": loc, "text": txt, "spans": spans})

    # ---- negatives
    neg_t = [t.split("|", 1) for t in templates("negatives.txt")]
    for k in range(NEGATIVES):
        shape, text = neg_t[k % len(neg_t)]
        f = gen.fk[gen.rng.choice(LOCALES)]
        txt, spans = fill(text, lambda slot: filler(slot, f))
        samples.append({"id": f"neg-{k + 1:04d}", "set": "negatives", "shape": shape, "text": txt, "spans": spans})
    return samples


def screen(texts, build_it):
    if build_it:
        subprocess.run(["cargo", "build", "-q", "--release", "-p", "warden-gateway", "--example", "screen"],
                       cwd=ROOT, check=True)
    exe = TARGET / "release/examples/screen"
    r = subprocess.run([str(exe)], input=json.dumps(texts), capture_output=True, text=True, check=True)
    out = [json.loads(l) for l in r.stdout.splitlines()]
    if len(out) != len(texts):
        sys.exit(f"traffic.py: screen printed {len(out)} lines for {len(texts)} texts")
    return out


FAMILIES = [("email", ("mail",)), ("phone", ("phone", "tel", "mobile")), ("card", ("card", "credit")),
            ("iban", ("iban",)), ("ssn", ("ssn", "social")), ("nino", ("nino", "insurance"))]


def family(rule):
    r = rule.lower()
    for t, keys in FAMILIES:
        if any(k in r for k in keys):
            return t
    return "other"


def locate(text, found):
    """Every (start, end) where the reported text occurs; [] when it cannot be found."""
    if not found:
        return []
    out, i = [], text.find(found)
    while i >= 0:
        out.append((i, i + len(found)))
        i = text.find(found, i + 1)
    return out


def overlaps(locs, span):
    return any(a < span[1] and span[0] < b for a, b in locs)


def mask(cat, v):
    if cat != "secret":
        return v.replace("\n", "\\n")
    if v.startswith("-----BEGIN"):
        return v.split("\n", 1)[0] + f"… ({len(v)} chars)"
    return v[:4] + f"… ({len(v)} chars)"


def score(samples, results):
    """Adds to each sample its reports, misses and false positives; returns the tallies."""
    exp = collections.Counter()      # (category or pii type) -> expected items
    found = collections.Counter()
    rep = collections.Counter()      # reported spans, by 'secret' or pii family
    tp = collections.Counter()
    prov_exp, prov_found, prov_rules = collections.Counter(), collections.Counter(), collections.defaultdict(collections.Counter)
    misses, fps = collections.defaultdict(list), collections.defaultdict(list)
    fp_by_lookalike = collections.Counter()
    for s, r in zip(samples, results):
        text = s["text"]
        reports = [("secret", x["rule"], x["text"]) for x in r.get("secrets", [])] + \
                  [("pii", x["rule"], x["text"]) for x in r.get("pii_spans", [])]
        located = [(cat, rule, t, locate(text, t)) for cat, rule, t in reports]
        items = [sp for sp in s["spans"] if sp[2] in ("secret", "pii")]
        s["missed"], s["false_positives"] = [], []
        for sp in items:
            key = "secret" if sp[2] == "secret" else sp[3]
            exp[key] += 1
            if sp[2] == "secret":
                prov_exp[sp[3]] += 1
                hits = [rule for cat, rule, t, locs in located if cat == "secret" and overlaps(locs, sp)]
                for h in hits:
                    prov_rules[sp[3]][h] += 1
                if hits:
                    prov_found[sp[3]] += 1
            else:
                hits = [rule for cat, rule, t, locs in located if cat == "pii" and family(rule) == sp[3] and overlaps(locs, sp)]
            if hits:
                found[key] += 1
            else:
                v = text[sp[0]:sp[1]]
                s["missed"].append({"category": sp[2], "type": sp[3], "value": v})
                misses[key].append((s, sp[3], v))
        for cat, rule, t, locs in located:
            key = "secret" if cat == "secret" else family(rule)
            rep[key] += 1
            ok = any(overlaps(locs, sp) and (sp[2] == "secret" if cat == "secret" else sp[2] == "pii" and sp[3] == key)
                     for sp in items)
            if ok:
                tp[key] += 1
                continue
            under = [f"{sp[3]}" if sp[2] == "fill" else f"{sp[2]}:{sp[3]}" for sp in s["spans"] if overlaps(locs, sp)]
            what = ",".join(dict.fromkeys(under)) or "surrounding text"
            s["false_positives"].append({"category": cat, "rule": rule, "text": t, "over": what})
            fps[key].append((s, rule, t, what))
            fp_by_lookalike[(cat, rule, what)] += 1
    return dict(exp=exp, found=found, rep=rep, tp=tp, prov_exp=prov_exp, prov_found=prov_found, prov_rules=prov_rules,
                misses=misses, fps=fps, fp_by_lookalike=fp_by_lookalike)


def ratio(a, b):
    return f"{a / b:.3f}" if b else "  -  "


def report(samples, sc):
    exp, found, rep, tp = sc["exp"], sc["found"], sc["rep"], sc["tp"]
    sets = collections.Counter(s["set"] for s in samples)
    print(f"texts: {sets['secrets']} with credentials, {sets['pii']} with personal data, {sets['negatives']} negatives "
          f"(look-alikes only)\n")
    print(f"{'category':<28} {'expected':>8} {'found':>6} {'recall':>7} {'reported':>9} {'correct':>8} {'precision':>9}")

    def row(name, e, f_, r, t):
        print(f"{name:<28} {e:>8} {f_:>6} {ratio(f_, e):>7} {r:>9} {t:>8} {ratio(t, r):>9}")

    row("secrets", exp["secret"], found["secret"], rep["secret"], tp["secret"])
    types = [t for t, _ in FAMILIES]
    for t in types:
        row(f"pii: {t}", exp[t], found[t], rep[t], tp[t])
    if rep["other"]:
        row("pii: other rules", 0, 0, rep["other"], tp["other"])
    pe, pf = sum(exp[t] for t in types), sum(found[t] for t in types)
    pr, pt = sum(rep[t] for t in types + ["other"]), sum(tp[t] for t in types + ["other"])
    row("pii, all types", pe, pf, pr, pt)
    row("total", pe + exp["secret"], pf + found["secret"], pr + rep["secret"], pt + tp["secret"])
    neg = [s for s in samples if s["set"] == "negatives"]
    flagged = sum(1 for s in neg if s["false_positives"])
    print(f"\nnegative texts with any finding: {flagged} of {len(neg)} ({ratio(flagged, len(neg))})")

    print("\npersonal-data recall by Faker locale (found/expected):")
    by = collections.defaultdict(collections.Counter)
    for s in samples:
        if s["set"] == "pii":
            missed = collections.Counter(m["type"] for m in s["missed"])
            for sp in s["spans"]:
                if sp[2] == "pii":
                    by[(sp[3], s["locale"])]["e"] += 1
            for t, n in missed.items():
                by[(t, s["locale"])]["m"] += n
    print("  " + f"{'':<8}" + "".join(f"{loc:>10}" for loc in LOCALES))
    for t in ("email", "phone", "card", "iban"):
        cells = [by[(t, loc)] for loc in LOCALES]
        print("  " + f"{t:<8}" + "".join(f"{c['e'] - c['m']:>5}/{c['e']:<4}" for c in cells))

    print(f"\nsecrets recall by provider (rules that found them):")
    for p in sorted(sc["prov_exp"], key=lambda p: (sc["prov_found"][p] / sc["prov_exp"][p], p)):
        e, f_ = sc["prov_exp"][p], sc["prov_found"][p]
        rules = ", ".join(r for r, _ in sc["prov_rules"][p].most_common(3))
        print(f"  {p:<22} {e:>4} {f_:>4} {ratio(f_, e):>7}  {rules}")

    print("\nfalse positives by rule and what they fired on (top 25):")
    for (cat, rule, what), n in sc["fp_by_lookalike"].most_common(25):
        print(f"  {n:>4}  {cat:<6} {rule:<32} on {what}")

    for key in ["secret"] + types:
        ms = sc["misses"][key]
        if ms:
            print(f"\nmisses, {key} ({len(ms)}; up to 10):")
            # spread over providers / shapes so the examples differ
            by = collections.defaultdict(list)
            for m in ms:
                by[m[1] if key == "secret" else m[0]["shape"]].append(m)
            picked, queues = [], list(by.values())
            while len(picked) < 10 and any(queues):
                for q in queues:
                    if q and len(picked) < 10:
                        picked.append(q.pop(0))
            for s, typ, v in picked:
                cat = "secret" if key == "secret" else "pii"
                where = s["shape"] + (" " + s["locale"] if "locale" in s else "")
                print(f"  {s['id']} [{where}] {typ}: {mask(cat, v)}")
        fs = sc["fps"][key]
        if fs:
            print(f"\nfalse positives, {key} ({len(fs)}; up to 10):")
            by = collections.defaultdict(list)
            for x in fs:
                by[(x[1], x[3])].append(x)
            picked, queues = [], list(by.values())
            while len(picked) < 10 and any(queues):
                for q in queues:
                    if q and len(picked) < 10:
                        picked.append(q.pop(0))
            for s, rule, t, what in picked:
                print(f"  {s['id']} [{s['shape']}] {rule} on {what}: {mask('secret' if key == 'secret' else 'pii', t)!r}")
    fs = sc["fps"]["other"]
    if fs:
        print(f"\nfalse positives, other pii rules ({len(fs)}; up to 10):")
        for s, rule, t, what in fs[:10]:
            print(f"  {s['id']} [{s['shape']}] {rule} on {what}: {t!r}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--no-build", action="store_true", help="use the screen binary as it is")
    ap.add_argument("--seed", type=int, default=13)
    args = ap.parse_args()
    ensure_venv()
    samples = build(Gen(args.seed))
    results = screen([s["text"] for s in samples], not args.no_build)
    sc = score(samples, results)
    WORK.mkdir(parents=True, exist_ok=True)
    with (WORK / "traffic-last.jsonl").open("w", encoding="utf-8") as out:
        for s, r in zip(samples, results):
            out.write(json.dumps({**s, "screen": r}, ensure_ascii=False) + "\n")
    report(samples, sc)


if __name__ == "__main__":
    main()
