#!/usr/bin/env python3
"""Secrets in non-plain-text contexts: recall and precision of secret scanners per container kind.

Generates a labeled corpus (fixed seed, stdlib only) into bench/work/contexts/corpus/ and labels.json beside it:
one file per (context, credential), each positive file holding exactly one credential (an AWS key id + secret
key pair counts as one), plus decoy files of the same kinds holding placeholders or ordinary content. Contexts:

  utf16-bom     UTF-16LE with BOM: PowerShell .ps1 ($env:X = "..."), regedit .reg exports ("ApiKey"="...")
  utf16-nobom   UTF-16LE without BOM: .txt configs
  zip           zip / jar (BOOT-INF/classes/application.properties) / wheel (.whl) with a config member
  tar.gz        tar.gz / .tgz with a config member, and a zip nested inside a tar.gz
  image         `docker save` tarballs (classic and OCI-style layout): key in a layer file, only in the config Env,
                only in the build history (a build arg), in a layer whose file a later layer deletes (.wh. whiteout)
  tfstate       terraform.tfstate (v4 JSON): a resource attribute, a sensitive output
  kubeconfig    .kube/config / kubeconfig: user token, basic-auth password, client-key-data, Rancher token
  sqlite        SQLite database files (sqlite3 module) with the key in a table row
  pyc           .pyc compiled by py_compile from a generated module, sourceless layout (pkg/mod.pyc, as `compileall -b`
                writes for sourceless distributions); the .py is deleted; never imported or run
  pycache       the same in the PEP 3147 layout (pkg/__pycache__/mod.cpython-3XX.pyc) with the .py deleted: a cache
                committed or shipped while its source was gitignored or removed

Each tool scans the corpus directory (outputs in bench/work/contexts/out/):
  warden          warden scan DIR --only secrets --format json --output OUT --no-progress
                  and, for each image tarball, warden scan --image TAR --only secrets --format json --output OUT2
                  (those findings count toward that tarball)
  kingfisher      kingfisher scan DIR --no-validate --no-update-check -q --no-dedup -j 2 --format json -o OUT
                  --git-history none   (binary and archive scanning left on: its defaults)
  detect-secrets  detect-secrets scan --all-files DIR   (JSON on stdout)
  trufflehog      the PyPI trufflehog is 2.x, which scans git repositories only: n/a

Scoring is per container file: a file counts as found by a tool when the tool reports at least one finding located
in it (its own path or a member inside it: `a.zip!/x`, `layer2!/x`, `image-config`, or an extraction path that
maps back to it). Found on a positive = TP, on a decoy = FP, a positive not found = FN. Only file names and counts
are printed, never a secret.

  bench/.venv/bin/python bench/contexts.py [--warden PATH] [--tools warden,kingfisher,detect-secrets,trufflehog]
                                           [--files] [--timeout 60]
"""
from __future__ import annotations

import argparse
import base64
import glob
import gzip
import hashlib
import io
import json
import os
import py_compile
import random
import shutil
import sqlite3
import string
import subprocess
import sys
import tarfile
import time
import zipfile
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
WORK = os.path.join(HERE, "work", "contexts")
CORPUS = os.path.join(WORK, "corpus")
OUT = os.path.join(WORK, "out")
LABELS = os.path.join(WORK, "labels.json")
REPORT = os.path.join(WORK, "last-run.txt")
VENV_BIN = os.path.join(HERE, ".venv", "bin")
SEED = 20261130
ALL_TOOLS = ["warden", "kingfisher", "detect-secrets", "trufflehog"]
CONTEXTS = ["utf16-bom", "utf16-nobom", "zip", "tar.gz", "image", "tfstate", "kubeconfig", "sqlite", "pyc", "pycache"]

B62 = string.digits + string.ascii_uppercase + string.ascii_lowercase
ALNUM = string.ascii_letters + string.digits
URLSAFE = ALNUM + "_-"
FIXED_ZIP_TIME = (2025, 3, 14, 9, 26, 52)
FIXED_MTIME = 1741944412


# ---------------------------------------------------------------------------------------------------------------
# fake credentials in their real shapes
# ---------------------------------------------------------------------------------------------------------------
class Keys:
    def __init__(self, rng: random.Random):
        self.r = rng

    def s(self, alphabet: str, n: int) -> str:
        while True:
            v = "".join(self.r.choice(alphabet) for _ in range(n))
            # high entropy: no run of 3 equal characters, and every class of the alphabet present
            if any(v[i] == v[i + 1] == v[i + 2] for i in range(n - 2)):
                continue
            if n >= 16 and alphabet == ALNUM and not (any(c.isdigit() for c in v) and any(c.isupper() for c in v)
                                                       and any(c.islower() for c in v)):
                continue
            return v

    def aws(self) -> tuple[str, str]:
        return "AKIA" + self.s(string.ascii_uppercase + "234567", 16), self.s(ALNUM + "/+", 40)

    def github(self) -> str:
        body = self.s(ALNUM, 30)
        n = zlib.crc32(body.encode())
        digits = ""
        while n:
            n, d = divmod(n, 62)
            digits = B62[d] + digits
        return "ghp_" + body + digits.rjust(6, "0")

    def slack_bot(self) -> str:
        return "xoxb-%d-%d-%s" % (self.r.randrange(10 ** 9, 10 ** 10), self.r.randrange(10 ** 12, 10 ** 13),
                                  self.s(ALNUM, 24))

    def stripe(self) -> str:
        return "sk_live_" + self.s(ALNUM, 24)

    def openai(self) -> str:
        # project keys: sk-proj- + ~156 url-safe chars with "T3BlbkFJ" (base64 of "OpenAI") in the middle
        return "sk-proj-" + self.s(URLSAFE, 74) + "T3BlbkFJ" + self.s(URLSAFE, 74)

    def gitlab(self) -> str:
        return "glpat-" + self.s(URLSAFE, 20)

    def sendgrid(self) -> str:
        return "SG." + self.s(URLSAFE, 22) + "." + self.s(URLSAFE, 43)

    def password(self) -> str:
        return self.s(ALNUM + "!#%*+-_.", 24)

    def hexs(self, n: int) -> str:
        return "".join(self.r.choice("0123456789abcdef") for _ in range(n))

    def uuid(self) -> str:
        h = self.hexs(32)
        return "%s-%s-4%s-a%s-%s" % (h[:8], h[8:12], h[13:16], h[17:20], h[20:])

    def rbytes(self, n: int) -> bytes:
        return bytes(self.r.randrange(256) for _ in range(n))

    def k8s_sa_jwt(self, namespace: str, sa: str) -> str:
        def b64u(b: bytes) -> str:
            return base64.urlsafe_b64encode(b).rstrip(b"=").decode()
        hdr = {"alg": "RS256", "kid": b64u(self.rbytes(32))}
        body = {"iss": "kubernetes/serviceaccount", "kubernetes.io/serviceaccount/namespace": namespace,
                "kubernetes.io/serviceaccount/secret.name": "%s-token-%s" % (sa, self.s(string.ascii_lowercase + "2456789", 5)),
                "kubernetes.io/serviceaccount/service-account.name": sa,
                "kubernetes.io/serviceaccount/service-account.uid": self.uuid(),
                "sub": "system:serviceaccount:%s:%s" % (namespace, sa)}
        return "%s.%s.%s" % (b64u(json.dumps(hdr, separators=(",", ":")).encode()),
                             b64u(json.dumps(body, separators=(",", ":")).encode()), b64u(self.rbytes(256)))

    def rancher(self) -> str:
        return "kubeconfig-u-%s:%s" % (self.s(string.ascii_lowercase + string.digits, 10),
                                       self.s("bcdfghjklmnpqrstvwxz2456789", 54))

    def pem(self, label: str, der: bytes) -> str:
        b = base64.b64encode(der).decode()
        return "-----BEGIN %s-----\n%s\n-----END %s-----\n" % (label, "\n".join(b[i:i + 64] for i in range(0, len(b), 64)), label)

    def ec_key_pem(self) -> str:
        # RFC 5915 ECPrivateKey, P-256: version 1, 32-byte key, curve OID, 65-byte public point
        der = (bytes.fromhex("30770201010420") + self.rbytes(32) + bytes.fromhex("a00a06082a8648ce3d030107a144034200")
               + b"\x04" + self.rbytes(64))
        return self.pem("EC PRIVATE KEY", der)

    def cert_pem(self) -> str:
        # public: a CA certificate (random body inside the DER framing)
        body = self.rbytes(700)
        return self.pem("CERTIFICATE", b"\x30\x82" + len(body).to_bytes(2, "big") + body)


# ---------------------------------------------------------------------------------------------------------------
# containers
# ---------------------------------------------------------------------------------------------------------------
def utf16(text: str, bom: bool) -> bytes:
    text = text.replace("\r\n", "\n").replace("\n", "\r\n")
    return (b"\xff\xfe" if bom else b"") + text.encode("utf-16-le")


def zip_bytes(members) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members:
            zi = zipfile.ZipInfo(name, FIXED_ZIP_TIME)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            z.writestr(zi, data.encode() if isinstance(data, str) else data)
    return buf.getvalue()


def tar_bytes(members, gz: bool = False) -> bytes:
    """members: (name, bytes|str) files, (name/, None) directories."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        for name, data in members:
            ti = tarfile.TarInfo(name.rstrip("/"))
            ti.mtime = FIXED_MTIME
            ti.uname = ti.gname = "root"
            if data is None:
                ti.type, ti.mode = tarfile.DIRTYPE, 0o755
                t.addfile(ti)
            else:
                data = data.encode() if isinstance(data, str) else data
                ti.size, ti.mode = len(data), 0o644
                t.addfile(ti, io.BytesIO(data))
    raw = buf.getvalue()
    return gzip.compress(raw, mtime=0) if gz else raw


def with_dirs(files):
    """A layer's member list with the parent directories first, as docker writes them."""
    out, seen = [], set()
    for name, data in files:
        parts = name.split("/")[:-1]
        for i in range(1, len(parts) + 1):
            d = "/".join(parts[:i]) + "/"
            if d not in seen:
                seen.add(d)
                out.append((d, None))
        out.append((name, data))
    return out


def sha(b: bytes) -> str:
    return hashlib.sha256(b).hexdigest()


def docker_save(repo_tag: str, layers, env, cmd, history_cmds, oci: bool = False) -> bytes:
    """A `docker save` tarball: layers is a list of [(path, content)] (content "" for a whiteout `.wh.` file).
    Classic layout (<id>/layer.tar, <id>/json, <config>.json, manifest.json, repositories) or, with oci, the
    Docker 25+ layout (blobs/sha256/..., index.json, oci-layout, manifest.json)."""
    layer_tars = [tar_bytes(with_dirs(files)) for files in layers]
    diff_ids = ["sha256:" + sha(lt) for lt in layer_tars]
    history = [{"created": "2025-03-14T09:2%d:00.000000000Z" % i, "created_by": c} | ({} if i < len(layer_tars) else {"empty_layer": True})
               for i, c in enumerate(history_cmds)]
    # empty_layer marks history entries without a layer (ENV, CMD...): those past the last layer here
    config = {"architecture": "amd64", "os": "linux", "created": "2025-03-14T09:26:52.000000000Z",
              "config": {"Env": env, "Cmd": cmd, "WorkingDir": "/app", "Labels": {"org.opencontainers.image.source": "https://git.example.com/acme/" + repo_tag.split(":")[0].split("/")[-1]}},
              "rootfs": {"type": "layers", "diff_ids": diff_ids}, "history": history}
    cfg = json.dumps(config, indent=None, separators=(",", ":")).encode()
    name, tag = repo_tag.split(":")
    members = []
    if oci:
        layer_paths = ["blobs/sha256/" + sha(lt) for lt in layer_tars]
        mf = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
              "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": "sha256:" + sha(cfg), "size": len(cfg)},
              "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": "sha256:" + sha(lt), "size": len(lt)} for lt in layer_tars]}
        mfb = json.dumps(mf, separators=(",", ":")).encode()
        index = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
                 "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": "sha256:" + sha(mfb),
                                "size": len(mfb), "annotations": {"io.containerd.image.name": "docker.io/%s" % repo_tag,
                                                                  "org.opencontainers.image.ref.name": tag}}]}
        members += [("blobs/", None), ("blobs/sha256/", None)]
        members += list(zip(layer_paths, layer_tars, strict=True))
        members += [("blobs/sha256/" + sha(cfg), cfg), ("blobs/sha256/" + sha(mfb), mfb),
                    ("index.json", json.dumps(index)),
                    ("manifest.json", json.dumps([{"Config": "blobs/sha256/" + sha(cfg), "RepoTags": [repo_tag], "Layers": layer_paths}])),
                    ("oci-layout", '{"imageLayoutVersion": "1.0.0"}'), ("repositories", json.dumps({name: {tag: sha(cfg)}}))]
    else:
        layer_paths, parent = [], None
        for i, lt in enumerate(layer_tars):
            lid = sha((parent or "") .encode() + diff_ids[i].encode())
            meta = {"id": lid, "created": "1970-01-01T00:00:00Z", "container_config": {"Env": None, "Cmd": None}, "os": "linux"}
            if parent:
                meta["parent"] = parent
            members += [(lid + "/", None), (lid + "/VERSION", "1.0"), (lid + "/json", json.dumps(meta)), (lid + "/layer.tar", lt)]
            layer_paths.append(lid + "/layer.tar")
            parent = lid
        members += [(sha(cfg) + ".json", cfg),
                    ("manifest.json", json.dumps([{"Config": sha(cfg) + ".json", "RepoTags": [repo_tag], "Layers": layer_paths}])),
                    ("repositories", json.dumps({name: {tag: parent}}))]
    return tar_bytes(members)


def sqlite_bytes(path: str, ddl: list[str], rows: list[tuple[str, tuple]]):
    if os.path.exists(path):
        os.remove(path)
    con = sqlite3.connect(path)
    try:
        for d in ddl:
            con.execute(d)
        for sql, params in rows:
            con.execute(sql, params)
        con.commit()
    finally:
        con.close()


# ---------------------------------------------------------------------------------------------------------------
# corpus
# ---------------------------------------------------------------------------------------------------------------
def generate(root: str) -> list[dict]:
    rng = random.Random(SEED)
    k = Keys(rng)
    if os.path.isdir(root):
        shutil.rmtree(root)
    os.makedirs(root)
    labels: list[dict] = []

    def put(rel: str, context: str, provider: str | None, data: bytes | str | None, note: str):
        p = os.path.join(root, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        if data is not None:
            with open(p, "wb") as fh:
                fh.write(data.encode() if isinstance(data, str) else data)
        labels.append({"path": rel, "context": context, "secret": provider is not None, "provider": provider, "note": note})

    # --- 1. UTF-16LE with BOM: PowerShell and regedit exports -----------------------------------------------------
    c = "utf16-bom"
    put("windows/scripts/Publish-Release.ps1", c, "github", utf16(
        "# Publishes the release artifacts to GitHub\n"
        "param([string]$Version = \"1.4.2\")\n"
        "$ErrorActionPreference = \"Stop\"\n"
        "$env:GITHUB_TOKEN = \"%s\"\n"
        "gh release create \"v$Version\" .\\dist\\*.zip --repo acme/desktop --notes-file CHANGELOG.md\n" % k.github(), True),
        "$env:GITHUB_TOKEN in a UTF-16LE (BOM) PowerShell script")
    put("windows/scripts/Register-Runner.ps1", c, "gitlab", utf16(
        "Set-Location C:\\GitLab-Runner\n"
        "$env:GITLAB_TOKEN = \"%s\"\n"
        ".\\gitlab-runner.exe register --non-interactive --url https://gitlab.com/ --executor shell\n" % k.gitlab(), True),
        "$env:GITLAB_TOKEN in a UTF-16LE (BOM) PowerShell script")
    kid, sec = k.aws()
    put("windows/scripts/Set-AwsProfile.ps1", c, "aws", utf16(
        "# backup job credentials\n"
        "$env:AWS_ACCESS_KEY_ID = \"%s\"\n"
        "$env:AWS_SECRET_ACCESS_KEY = \"%s\"\n"
        "$env:AWS_DEFAULT_REGION = \"eu-west-1\"\n"
        "aws s3 sync D:\\Backups s3://acme-win-backups/nightly\n" % (kid, sec), True),
        "AWS key pair in a UTF-16LE (BOM) PowerShell script")
    put("windows/registry/MailRelay.reg", c, "sendgrid", utf16(
        "Windows Registry Editor Version 5.00\n\n"
        "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Acme\\MailRelay]\n"
        "\"Server\"=\"smtp.sendgrid.net\"\n"
        "\"Port\"=dword:0000024b\n"
        "\"ApiKey\"=\"%s\"\n\n" % k.sendgrid(), True),
        "\"ApiKey\" in a regedit export (UTF-16LE, BOM)")
    put("windows/registry/ChatOps.reg", c, "slack", utf16(
        "Windows Registry Editor Version 5.00\n\n"
        "[HKEY_CURRENT_USER\\Software\\Acme\\ChatOps]\n"
        "\"Channel\"=\"#deploys\"\n"
        "\"BotToken\"=\"%s\"\n"
        "\"Enabled\"=dword:00000001\n\n" % k.slack_bot(), True),
        "\"BotToken\" in a regedit export (UTF-16LE, BOM)")
    put("windows/scripts/Publish-Release.template.ps1", c, None, utf16(
        "param([string]$Version)\n"
        "$env:GITHUB_TOKEN = \"<your-token>\"\n"
        "$env:GITLAB_TOKEN = \"${GITLAB_TOKEN}\"\n"
        "$env:AWS_ACCESS_KEY_ID = \"AKIAIOSFODNN7EXAMPLE\"\n"
        "gh release create \"v$Version\" .\\dist\\*.zip\n", True), "placeholders")
    put("windows/registry/Explorer.reg", c, None, utf16(
        "Windows Registry Editor Version 5.00\n\n"
        "[HKEY_CURRENT_USER\\Software\\Microsoft\\Windows\\CurrentVersion\\Explorer\\Advanced]\n"
        "\"HideFileExt\"=dword:00000000\n"
        "\"Hidden\"=dword:00000001\n"
        "\"LaunchTo\"=dword:00000001\n"
        "\"TaskbarGlomLevel\"=dword:00000002\n"
        "[HKEY_CURRENT_USER\\Software\\Acme\\Sync]\n"
        "\"InstallId\"=\"{%s}\"\n" % k.uuid().upper(), True), "ordinary settings and a GUID")

    # --- 2. UTF-16LE without BOM ---------------------------------------------------------------------------------------
    c = "utf16-nobom"
    put("windows/config/payments.txt", c, "stripe", utf16(
        "[payments]\nprovider=stripe\nSTRIPE_SECRET_KEY=%s\ncurrency=eur\n" % k.stripe(), False),
        "STRIPE_SECRET_KEY in a UTF-16LE text config without BOM")
    put("windows/config/assistant.txt", c, "openai", utf16(
        "model=gpt-4o-mini\nOPENAI_API_KEY=%s\ntemperature=0.2\n" % k.openai(), False),
        "OPENAI_API_KEY in a UTF-16LE text config without BOM")
    kid, sec = k.aws()
    put("windows/config/backup-agent.txt", c, "aws", utf16(
        "[s3]\nbucket=acme-backups\naws_access_key_id=%s\naws_secret_access_key=%s\nregion=us-east-2\n" % (kid, sec), False),
        "AWS key pair in a UTF-16LE text config without BOM")
    put("windows/config/updater.txt", c, "github", utf16(
        "repo=acme/desktop\nchannel=stable\ngithub_token=%s\n" % k.github(), False),
        "github_token in a UTF-16LE text config without BOM")
    put("windows/config/payments.example.txt", c, None, utf16(
        "[payments]\nprovider=stripe\nSTRIPE_SECRET_KEY=sk_live_XXXXXXXXXXXXXXXX\nOPENAI_API_KEY=<your-token>\n"
        "github_token=${GITHUB_TOKEN}\n", False), "placeholders")
    put("windows/config/locale.txt", c, None, utf16(
        "language=de-DE\ntimezone=W. Europe Standard Time\ndevice_id=%s\nlast_sync=2025-03-14T09:26:52Z\n" % k.uuid(), False),
        "ordinary settings")

    # --- 3. zip / jar / wheel --------------------------------------------------------------------------------------------
    c = "zip"
    put("dist/webapp-2.3.0.zip", c, "sendgrid", zip_bytes([
        ("app/__init__.py", ""),
        ("app/urls.py", "from django.urls import path\nurlpatterns = []\n"),
        ("app/settings.py", "DEBUG = False\nALLOWED_HOSTS = ['app.acme.io']\nEMAIL_BACKEND = 'sendgrid_backend.SendgridBackend'\n"
                            "SENDGRID_API_KEY = '%s'\nTIME_ZONE = 'UTC'\n" % k.sendgrid()),
        ("manage.py", "#!/usr/bin/env python\nimport sys\n")]), "app/settings.py in a zip")
    put("dist/billing-service-1.8.1.jar", c, "stripe", zip_bytes([
        ("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\r\nMain-Class: org.springframework.boot.loader.launch.JarLauncher\r\n"
                                 "Start-Class: io.acme.billing.BillingApplication\r\n\r\n"),
        ("BOOT-INF/classes/io/acme/billing/BillingApplication.class", b"\xca\xfe\xba\xbe\x00\x00\x00\x3d" + k.rbytes(300)),
        ("BOOT-INF/classes/application.properties", "server.port=8080\nspring.application.name=billing\n"
                                                    "stripe.api-key=%s\nstripe.webhook-path=/hooks/stripe\n" % k.stripe()),
        ("BOOT-INF/lib/", b"")]), "BOOT-INF/classes/application.properties in a Spring Boot jar")
    put("dist/acme_assistant-0.9.0-py3-none-any.whl", c, "openai", zip_bytes([
        ("acme_assistant/__init__.py", "__version__ = '0.9.0'\n"),
        ("acme_assistant/client.py", "import os\nfrom openai import OpenAI\nclient = OpenAI()\n"),
        ("acme_assistant/.env", "OPENAI_API_KEY=%s\nOPENAI_ORG=acme\n" % k.openai()),
        ("acme_assistant-0.9.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: acme-assistant\nVersion: 0.9.0\n"),
        ("acme_assistant-0.9.0.dist-info/WHEEL", "Wheel-Version: 1.0\nGenerator: setuptools (75.1.0)\nRoot-Is-Purelib: true\nTag: py3-none-any\n"),
        ("acme_assistant-0.9.0.dist-info/RECORD", "acme_assistant/__init__.py,sha256=%s,22\n" % base64.urlsafe_b64encode(k.rbytes(32)).decode().rstrip("="))]),
        ".env packaged in a wheel")
    put("dist/chatops-deploy.zip", c, "slack", zip_bytes([
        (".env", "SLACK_BOT_TOKEN=%s\nSLACK_CHANNEL=#deploys\n" % k.slack_bot()),
        ("deploy.sh", "#!/bin/sh\nset -e\n. ./.env\n./notify \"$SLACK_CHANNEL\"\n")]), ".env at the root of a zip")
    kid, sec = k.aws()
    put("dist/report-exporter-3.2.jar", c, "aws", zip_bytes([
        ("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\r\nMain-Class: io.acme.export.Main\r\n\r\n"),
        ("io/acme/export/Main.class", b"\xca\xfe\xba\xbe\x00\x00\x00\x37" + k.rbytes(200)),
        ("application.yml", "export:\n  bucket: acme-reports\naws:\n  access-key-id: %s\n  secret-access-key: %s\n" % (kid, sec))]),
        "application.yml in a jar (AWS pair)")
    put("dist/webapp-template.zip", c, None, zip_bytes([
        ("app/settings.py", "import os\nSENDGRID_API_KEY = os.environ['SENDGRID_API_KEY']\nSTRIPE_KEY = 'sk_live_XXXXXXXXXXXXXXXX'\n"
                            "GITHUB_TOKEN = '<your-token>'\n"),
        (".env", "GITHUB_TOKEN=${GITHUB_TOKEN}\nAWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\n")]), "placeholders")
    put("dist/catalog-service-1.0.jar", c, None, zip_bytes([
        ("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\r\nMain-Class: io.acme.catalog.Main\r\n\r\n"),
        ("BOOT-INF/classes/application.properties", "server.port=8081\nstripe.api-key=${STRIPE_API_KEY}\n"
                                                    "spring.datasource.url=jdbc:postgresql://db:5432/catalog\n"),
        ("BOOT-INF/classes/io/acme/catalog/Main.class", b"\xca\xfe\xba\xbe\x00\x00\x00\x3d" + k.rbytes(300))]),
        "env references and a class file")

    # --- 4. tar.gz, and a zip nested in a tar.gz ----------------------------------------------------------------------
    c = "tar.gz"
    put("backups/deploy-home-2025-03-14.tar.gz", c, "github", tar_bytes([
        ("home/deploy/", None), ("home/deploy/.bashrc", "export PATH=$HOME/bin:$PATH\n"),
        ("home/deploy/.git-credentials", "https://deploy-bot:%s@github.com\n" % k.github())], gz=True),
        ".git-credentials in a tar.gz home backup")
    put("backups/etc-chatbot.tar.gz", c, "slack", tar_bytes([
        ("etc/chatbot/", None), ("etc/chatbot/chatbot.env", "SLACK_BOT_TOKEN=%s\nLOG_LEVEL=info\n" % k.slack_bot())], gz=True),
        "env file in a tar.gz")
    put("releases/web-release-5.1.0.tar.gz", c, "openai", tar_bytes([
        ("release/", None), ("release/README.md", "# web 5.1.0\n\nUnpack and run `./install.sh`.\n"),
        ("release/install.sh", "#!/bin/sh\nunzip -o bundle.zip -d /opt/web\n"),
        ("release/bundle.zip", zip_bytes([("config/production.json", json.dumps(
            {"llm": {"provider": "openai", "model": "gpt-4o", "apiKey": k.openai()}, "port": 8080}, indent=2))]))], gz=True),
        "config/production.json in a zip nested in a tar.gz")
    put("releases/mailer-1.2.0.tgz", c, "sendgrid", tar_bytes([
        ("package/", None), ("package/package.json", '{"name": "@acme/mailer", "version": "1.2.0", "main": "index.js"}\n'),
        ("package/config.js", "module.exports = {\n  sendgridApiKey: '%s',\n  from: 'noreply@acme.io',\n};\n" % k.sendgrid())], gz=True),
        "config.js in an npm-style .tgz")
    put("releases/runner-config.tar.gz", c, "gitlab", tar_bytes([
        ("runner/", None), ("runner/register.sh", "#!/bin/sh\ngitlab-runner register --token \"%s\" --url https://gitlab.com\n" % k.gitlab())], gz=True),
        "shell script in a tar.gz")
    put("releases/web-release-template.tar.gz", c, None, tar_bytes([
        ("release/", None), ("release/.env.example", "OPENAI_API_KEY=<your-token>\nSTRIPE_KEY=sk_live_XXXXXXXXXXXXXXXX\n"),
        ("release/bundle.zip", zip_bytes([("config/production.json", json.dumps(
            {"llm": {"apiKey": "${OPENAI_API_KEY}"}, "aws": {"accessKeyId": "AKIAIOSFODNN7EXAMPLE"}}, indent=2))]))], gz=True),
        "placeholders, also in a nested zip")
    put("backups/etc-nginx.tar.gz", c, None, tar_bytes([
        ("etc/nginx/", None), ("etc/nginx/nginx.conf", "worker_processes auto;\nevents { worker_connections 1024; }\n"
                                                       "http { include mime.types; server { listen 80; root /srv/www; } }\n")], gz=True),
        "ordinary config")

    # --- 5. container images (docker save) ----------------------------------------------------------------------------
    c = "image"
    base = [("etc/os-release", 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n'),
            ("usr/local/bin/python3", b"\x7fELF\x02\x01\x01\x00" + k.rbytes(400))]
    path_env = "PATH=/usr/local/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
    kid, sec = k.aws()
    put("images/acme-api-1.4.2.tar", c, "aws", docker_save(
        "acme/api:1.4.2", [base, [("app/main.py", "from fastapi import FastAPI\napp = FastAPI()\n"),
                                  ("app/.env", "AWS_ACCESS_KEY_ID=%s\nAWS_SECRET_ACCESS_KEY=%s\nAWS_REGION=eu-west-1\n" % (kid, sec))]],
        [path_env, "PYTHONUNBUFFERED=1"], ["uvicorn", "main:app"],
        ["/bin/sh -c #(nop) ADD file:%s in / " % k.hexs(64), "COPY . /app # buildkit", "ENV PYTHONUNBUFFERED=1", "CMD [\"uvicorn\"]"]),
        "app/.env in a layer (classic docker save layout)")
    put("images/acme-worker-2.0.0.tar", c, "stripe", docker_save(
        "acme/worker:2.0.0", [base, [("app/worker.py", "import os\nimport stripe\nstripe.api_key = os.environ['STRIPE_KEY']\n")]],
        [path_env, "STRIPE_KEY=%s" % k.stripe(), "QUEUE=billing"], ["python3", "/app/worker.py"],
        ["/bin/sh -c #(nop) ADD file:%s in / " % k.hexs(64), "COPY worker.py /app/ # buildkit", "ENV QUEUE=billing", "CMD [\"python3\"]"]),
        "only in the image config Env")
    put("images/acme-builder-0.7.tar", c, "github", docker_save(
        "acme/builder:0.7", [base, [("build/deploy-token.env", "GITHUB_TOKEN=%s\n" % k.github())],
                             [("build/out/app.bin", b"\x7fELF\x02\x01\x01\x00" + k.rbytes(300)), ("build/.wh.deploy-token.env", "")]],
        [path_env], ["/build/out/app.bin"],
        ["/bin/sh -c #(nop) ADD file:%s in / " % k.hexs(64), "COPY deploy-token.env /build/ # buildkit",
         "RUN /bin/sh -c make && rm /build/deploy-token.env # buildkit", "CMD [\"/build/out/app.bin\"]"]),
        "in a layer file that a later layer deletes (whiteout): still in the image")
    put("images/acme-chatbot-3.1.tar", c, "slack", docker_save(
        "acme/chatbot:3.1", [base, [("etc/chatbot/config.yaml", "slack:\n  bot_token: %s\n  channel: '#ops'\n" % k.slack_bot())]],
        [path_env], ["chatbot", "--config", "/etc/chatbot/config.yaml"],
        ["/bin/sh -c #(nop) ADD file:%s in / " % k.hexs(64), "COPY config.yaml /etc/chatbot/ # buildkit", "CMD [\"chatbot\"]"], oci=True),
        "etc/chatbot/config.yaml in a layer (Docker 25+ OCI layout)")
    put("images/acme-mailer-1.1.tar", c, "sendgrid", docker_save(
        "acme/mailer:1.1", [base, [("app/mailer.py", "import os\nKEY = os.environ.get('SENDGRID_API_KEY')\n")]],
        [path_env], ["python3", "/app/mailer.py"],
        ["/bin/sh -c #(nop) ADD file:%s in / " % k.hexs(64),
         "RUN |1 SENDGRID_API_KEY=%s /bin/sh -c ./configure-mail.sh # buildkit" % k.sendgrid(), "CMD [\"python3\"]"]),
        "only in the build history (a build arg in created_by)")
    put("images/acme-web-template.tar", c, None, docker_save(
        "acme/web:template", [base, [("app/.env.example", "STRIPE_KEY=sk_live_XXXXXXXXXXXXXXXX\nGITHUB_TOKEN=<your-token>\n"
                                                          "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\n")]],
        [path_env, "STRIPE_KEY=sk_live_XXXXXXXXXXXXXXXX", "GITHUB_TOKEN=${GITHUB_TOKEN}"], ["nginx", "-g", "daemon off;"],
        ["/bin/sh -c #(nop) ADD file:%s in / " % k.hexs(64), "COPY .env.example /app/ # buildkit", "CMD [\"nginx\"]"]),
        "placeholders in a layer and in Env")
    put("images/acme-static-1.0.tar", c, None, docker_save(
        "acme/static:1.0", [base, [("srv/www/index.html", "<!doctype html><title>acme</title><p>hello</p>\n"),
                                   ("srv/www/assets/app.%s.js" % k.hexs(8), "console.log('ready');\n")]],
        [path_env, "NGINX_VERSION=1.27.4"], ["nginx"],
        ["/bin/sh -c #(nop) ADD file:%s in / " % k.hexs(64), "COPY www /srv/www # buildkit", "CMD [\"nginx\"]"], oci=True),
        "ordinary content (digests, hashes)")

    # --- 6. Terraform state -----------------------------------------------------------------------------------------------
    c = "tfstate"

    def tfstate(resources, outputs):
        return json.dumps({"version": 4, "terraform_version": "1.7.5", "serial": rng.randrange(3, 90), "lineage": k.uuid(),
                           "outputs": outputs, "resources": resources, "check_results": None}, indent=2) + "\n"

    def res(typ, name, provider, attrs, sensitive=()):
        return {"mode": "managed", "type": typ, "name": name, "provider": 'provider["registry.terraform.io/%s"]' % provider,
                "instances": [{"schema_version": 0, "attributes": attrs,
                               "sensitive_attributes": [[{"type": "get_attr", "value": s}] for s in sensitive],
                               "private": "bnVsbA=="}]}

    kid, sec = k.aws()
    put("infra/prod/terraform.tfstate", c, "aws", tfstate([
        res("aws_iam_user", "ci", "hashicorp/aws", {"arn": "arn:aws:iam::%d:user/ci-deployer" % rng.randrange(10 ** 11, 10 ** 12),
                                                    "name": "ci-deployer", "path": "/", "tags": {}}),
        res("aws_iam_access_key", "ci", "hashicorp/aws", {"create_date": "2025-03-14T09:26:52Z", "encrypted_secret": None,
                                                          "id": kid, "key_fingerprint": None, "pgp_key": None, "secret": sec,
                                                          "status": "Active", "user": "ci-deployer"}, ["secret"])], {}),
        "aws_iam_access_key id + secret attributes")
    put("infra/gitlab/terraform.tfstate", c, "gitlab", tfstate([
        res("gitlab_personal_access_token", "ci", "gitlabhq/gitlab", {"active": True, "created_at": "2025-03-14T09:26:52Z",
                                                                        "expires_at": "2026-03-14", "id": "42:%d" % rng.randrange(10 ** 6, 10 ** 7),
                                                                        "name": "ci", "revoked": False, "scopes": ["api"],
                                                                        "token": k.gitlab(), "user_id": 42}, ["token"])], {}),
        "gitlab_personal_access_token token attribute")
    put("infra/ci/terraform.tfstate", c, "github", tfstate([], {
        "bootstrap_github_token": {"value": k.github(), "type": "string", "sensitive": True},
        "repo_url": {"value": "https://github.com/acme/infra", "type": "string"}}), "sensitive output")
    put("infra/payments/terraform.tfstate", c, "stripe", tfstate([
        res("aws_ssm_parameter", "stripe_key_name", "hashicorp/aws", {"name": "/payments/stripe/key-name", "type": "String",
                                                                      "value": "payments-live"})], {
        "stripe_secret_key": {"value": k.stripe(), "type": "string", "sensitive": True}}), "sensitive output")
    put("infra/chatops/terraform.tfstate", c, "slack", tfstate([
        res("kubernetes_secret", "chatbot", "hashicorp/kubernetes", {"id": "ops/chatbot", "type": "Opaque",
                                                                     "data": {"SLACK_BOT_TOKEN": k.slack_bot()},
                                                                     "metadata": [{"name": "chatbot", "namespace": "ops"}]}, ["data"])], {}),
        "kubernetes_secret data attribute")
    put("infra/dev/terraform.tfstate", c, None, tfstate([
        res("aws_s3_bucket", "logs", "hashicorp/aws", {"arn": "arn:aws:s3:::acme-dev-logs", "bucket": "acme-dev-logs",
                                                       "id": "acme-dev-logs", "hosted_zone_id": "Z1BKCTXD74EZPE"}),
        res("random_id", "suffix", "hashicorp/random", {"b64_std": base64.b64encode(k.rbytes(8)).decode(), "hex": k.hexs(16), "id": "x"}),
        res("aws_iam_access_key", "example", "hashicorp/aws", {"id": "AKIAIOSFODNN7EXAMPLE", "secret": "<your-secret-key>",
                                                               "status": "Active", "user": "example"}, ["secret"])],
        {"bucket": {"value": "acme-dev-logs", "type": "string"}}), "ordinary resources, the AWS documentation key")

    # --- 7. kubeconfig -------------------------------------------------------------------------------------------------------
    c = "kubeconfig"

    def kubeconfig(cluster, server, user_block):
        return ("apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    certificate-authority-data: %s\n    server: %s\n"
                "  name: %s\ncontexts:\n- context:\n    cluster: %s\n    user: %s-admin\n  name: %s\ncurrent-context: %s\n"
                "preferences: {}\nusers:\n- name: %s-admin\n  user:\n%s") % (
            base64.b64encode(k.cert_pem().encode()).decode(), server, cluster, cluster, cluster, cluster, cluster, cluster, user_block)

    put("home/alice/.kube/config", c, "k8s-sa-token", kubeconfig(
        "prod-eu", "https://10.20.0.1:6443", "    token: %s\n" % k.k8s_sa_jwt("ci", "deployer")),
        "user token (service-account JWT)")
    put("deploy/staging/kubeconfig", c, "k8s-password", kubeconfig(
        "staging", "https://k8s-staging.acme.internal:6443", "    username: admin\n    password: %s\n" % k.password()),
        "basic-auth password")
    put("home/bob/.kube/config", c, "k8s-client-key", kubeconfig(
        "kind-dev", "https://127.0.0.1:39215", "    client-certificate-data: %s\n    client-key-data: %s\n" % (
            base64.b64encode(k.cert_pem().encode()).decode(), base64.b64encode(k.ec_key_pem().encode()).decode())),
        "client-key-data (base64 PEM EC key)")
    put("home/carol/.kube/config", c, "rancher-token", kubeconfig(
        "rancher-prod", "https://rancher.acme.io/k8s/clusters/c-m-%s" % k.s(string.ascii_lowercase + string.digits, 8),
        "    token: %s\n" % k.rancher()), "Rancher user token")
    put("home/dave/.kube/config", c, None, kubeconfig(
        "eks-prod", "https://%s.gr7.eu-west-1.eks.amazonaws.com" % k.hexs(32).upper(),
        "    exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n      command: aws\n"
        "      args: [eks, get-token, --cluster-name, prod]\n      env:\n      - name: AWS_PROFILE\n        value: prod\n"),
        "exec plugin and CA data only")
    put("deploy/template/kubeconfig", c, None, kubeconfig(
        "CLUSTER", "https://<api-server>:6443", "    token: <your-token>\n"), "placeholder token")

    # --- 8. SQLite ------------------------------------------------------------------------------------------------------------
    c = "sqlite"

    def db(rel, provider, ddl, rows, note):
        p = os.path.join(root, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        sqlite_bytes(p, ddl, rows)
        put(rel, c, provider, None, note)

    filler = [("INSERT INTO audit(at, msg) VALUES (?, ?)", ("2025-03-%02d" % (i + 1), "job %d finished in %d ms" % (i, rng.randrange(50, 900))))
              for i in range(20)]
    audit = "CREATE TABLE audit(id INTEGER PRIMARY KEY, at TEXT, msg TEXT)"
    db("data/ci.db", "github", [audit, "CREATE TABLE api_tokens(id INTEGER PRIMARY KEY, service TEXT, token TEXT, scopes TEXT)"],
       filler + [("INSERT INTO api_tokens(service, token, scopes) VALUES (?, ?, ?)", ("github", k.github(), "repo,workflow"))],
       "api_tokens row")
    db("data/integrations.sqlite", "slack", [audit, "CREATE TABLE settings(key TEXT PRIMARY KEY, value TEXT)"],
       filler + [("INSERT INTO settings VALUES (?, ?)", ("slack.channel", "#alerts")),
                 ("INSERT INTO settings VALUES (?, ?)", ("slack.bot_token", k.slack_bot()))], "settings key/value row")
    db("data/billing.sqlite3", "stripe", [audit, "CREATE TABLE accounts(id INTEGER PRIMARY KEY, name TEXT, stripe_secret_key TEXT)"],
       filler + [("INSERT INTO accounts(name, stripe_secret_key) VALUES (?, ?)", ("acme-eu", k.stripe()))], "accounts row")
    kid, sec = k.aws()
    db("data/backup-agent.db", "aws", [audit, "CREATE TABLE credentials(profile TEXT, access_key_id TEXT, secret_access_key TEXT)"],
       filler + [("INSERT INTO credentials VALUES (?, ?, ?)", ("default", kid, sec))], "credentials row (AWS pair)")
    db("data/assistant-cache.db", "openai", ["CREATE TABLE config(name TEXT, value TEXT)",
                                             "CREATE TABLE messages(id INTEGER PRIMARY KEY, role TEXT, content TEXT)"],
       [("INSERT INTO messages(role, content) VALUES (?, ?)", (r, "message %d about the quarterly report" % i)) for i, r in
        enumerate(["user", "assistant"] * 10)] + [("INSERT INTO config VALUES (?, ?)", ("openai_api_key", k.openai()))],
       "config row")
    db("data/catalog.db", None, ["CREATE TABLE products(sku TEXT, name TEXT, price_cents INTEGER, image_sha256 TEXT)"],
       [("INSERT INTO products VALUES (?, ?, ?, ?)", ("SKU-%05d" % i, "Product %d" % i, rng.randrange(100, 99999), k.hexs(64)))
        for i in range(40)], "ordinary rows with sha256 digests")
    db("data/settings-template.db", None, ["CREATE TABLE settings(key TEXT PRIMARY KEY, value TEXT)"],
       [("INSERT INTO settings VALUES (?, ?)", kv) for kv in [("github.token", "${GITHUB_TOKEN}"), ("slack.bot_token", "<your-token>"),
                                                              ("stripe.key", "sk_live_XXXXXXXXXXXXXXXX"), ("aws.key_id", "AKIAIOSFODNN7EXAMPLE")]],
       "placeholders")

    # --- 9. .pyc without its source: sourceless layout (pkg/mod.pyc) and a __pycache__ left behind -------------------
    def pyc(pkg, mod, context, provider, src, note):
        d = os.path.join(root, pkg)
        os.makedirs(d, exist_ok=True)
        py = os.path.join(d, mod + ".py")
        with open(py, "w") as fh:
            fh.write(src)
        if context == "pycache":   # PEP 3147 cache file (the .py was gitignored or deleted, the cache was not)
            rel = os.path.join(pkg, "__pycache__", "%s.%s.pyc" % (mod, sys.implementation.cache_tag))
        else:                      # sourceless distribution: the legacy layout `compileall -b` writes, importable alone
            rel = os.path.join(pkg, mod + ".pyc")
        # compile only (never imported or run); hash-based so the output does not depend on the source's mtime
        py_compile.compile(py, cfile=os.path.join(root, rel), dfile=os.path.join(pkg, mod + ".py"), doraise=True,
                           invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
        os.remove(py)
        put(rel, context, provider, None, note)

    c = "pyc"
    pyc("opt/release-tool/release_tool", "upload", c, "github",
        "import requests\n\nGITHUB_TOKEN = '%s'\n\n\ndef upload(repo, tag, path):\n"
        "    h = {'Authorization': 'token ' + GITHUB_TOKEN}\n"
        "    return requests.post('https://uploads.github.com/repos/%%s/releases/%%s/assets' %% (repo, tag), headers=h)\n" % k.github(),
        "module constant, sourceless .pyc")
    pyc("opt/billing/billing", "charges", c, "stripe",
        "import stripe\n\nstripe.api_key = '%s'\n\n\ndef charge(cents, customer):\n"
        "    return stripe.PaymentIntent.create(amount=cents, currency='eur', customer=customer)\n" % k.stripe(),
        "attribute assignment, sourceless .pyc")
    pyc("opt/chatops/chatops", "notify", c, "slack",
        "from slack_sdk import WebClient\n\nclient = WebClient(token='%s')\n\n\ndef say(text):\n"
        "    client.chat_postMessage(channel='#deploys', text=text)\n" % k.slack_bot(), "keyword argument, sourceless .pyc")
    kid, sec = k.aws()
    pyc("opt/backup/backup", "s3", c, "aws",
        "import boto3\n\ns3 = boto3.client(\n    's3',\n    aws_access_key_id='%s',\n    aws_secret_access_key='%s',\n)\n" % (kid, sec),
        "boto3.client arguments (AWS pair), sourceless .pyc")
    pyc("opt/release-tool/release_tool", "defaults", c, None,
        "import os\n\nGITHUB_TOKEN = os.environ.get('GITHUB_TOKEN', '<your-token>')\nSTRIPE_KEY = 'sk_live_XXXXXXXXXXXXXXXX'\n"
        "AWS_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE'\nSLACK_TOKEN = '${SLACK_TOKEN}'\n", "placeholders, sourceless .pyc")
    pyc("opt/backup/backup", "paths", c, None,
        "import hashlib\n\nMANIFEST_SHA256 = '%s'\nROOTS = ['/srv', '/etc']\n\n\ndef digest(b):\n"
        "    return hashlib.sha256(b).hexdigest()\n" % k.hexs(64), "ordinary module with a digest, sourceless .pyc")

    c = "pycache"
    pyc("build/lib/acme_ci", "gitlab_sync", c, "gitlab",
        "import requests\n\nGITLAB_URL = 'https://gitlab.com/api/v4'\nGITLAB_TOKEN = '%s'\n\n\ndef projects():\n"
        "    return requests.get(GITLAB_URL + '/projects', headers={'PRIVATE-TOKEN': GITLAB_TOKEN}).json()\n" % k.gitlab(),
        "module constant, __pycache__ without its source")
    pyc("build/lib/acme_ai", "llm", c, "openai",
        "from openai import OpenAI\n\nclient = OpenAI(api_key='%s')\n\n\ndef ask(q):\n"
        "    return client.chat.completions.create(model='gpt-4o-mini', messages=[{'role': 'user', 'content': q}])\n" % k.openai(),
        "keyword argument, __pycache__ without its source")
    kid, sec = k.aws()
    pyc("build/lib/acme_backup", "s3", c, "aws",
        "import boto3\n\nsession = boto3.Session(\n    aws_access_key_id='%s',\n    aws_secret_access_key='%s',\n"
        "    region_name='eu-west-1',\n)\ns3 = session.client('s3')\n" % (kid, sec),
        "boto3.Session arguments (AWS pair), __pycache__ without its source")
    pyc("build/lib/acme_mail", "settings", c, "sendgrid",
        "SENDGRID_API_KEY = '%s'\nDEFAULT_FROM = 'noreply@acme.io'\n" % k.sendgrid(),
        "settings constant, __pycache__ without its source")
    pyc("build/lib/acme_ai", "defaults", c, None,
        "import os\n\nOPENAI_API_KEY = os.environ.get('OPENAI_API_KEY', '<your-token>')\nGITHUB_TOKEN = '${GITHUB_TOKEN}'\n"
        "STRIPE_KEY = 'sk_live_XXXXXXXXXXXXXXXX'\nAWS_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE'\n", "placeholders, __pycache__")
    pyc("build/lib/acme_backup", "paths", c, None,
        "import hashlib\n\nMANIFEST_SHA256 = '%s'\nROOTS = ['/srv', '/etc']\n\n\ndef digest(b):\n"
        "    return hashlib.sha256(b).hexdigest()\n" % k.hexs(64), "ordinary module with a digest, __pycache__")

    # The corpus lives inside warden's own repository, whose .gitignore ignores `__pycache__/`; warden honours
    # the .gitignore files above what it scans (as ripgrep does), so without this it would not look there at all.
    with open(os.path.join(root, ".ignore"), "w") as fh:
        fh.write("!__pycache__/\n")
    with open(os.path.join(os.path.dirname(root), "labels.json"), "w") as fh:
        json.dump({"seed": SEED, "files": labels}, fh, indent=1)
        fh.write("\n")
    return labels


# ---------------------------------------------------------------------------------------------------------------
# tools
# ---------------------------------------------------------------------------------------------------------------
def run(argv, stdout_path, timeout, cwd=None):
    t0 = time.monotonic()
    with open(stdout_path, "wb") as so, open(stdout_path + ".stderr", "wb") as se:
        try:
            p = subprocess.run(argv, stdout=so, stderr=se, timeout=timeout, cwd=cwd)
            rc = p.returncode
        except subprocess.TimeoutExpired:
            rc = "timeout"
    return rc, time.monotonic() - t0


def container_of(path: str, corpus: str, known: set[str]) -> str | None:
    """Maps a reported location to the container file it lies in: the longest known corpus path that is the reported
    path or a prefix of it followed by an archive separator (`!`, `/`, `:`...)."""
    if not path:
        return None
    p = path.replace("\\", "/")
    a = os.path.abspath(p)   # absolute, or relative to the working directory
    for base in (os.path.realpath(corpus), os.path.abspath(corpus)):
        if a.startswith(base + "/"):
            p = a[len(base) + 1:]
            break
    else:
        p = p[2:] if p.startswith("./") else p   # relative to the scanned directory
    if p in known:
        return p
    best = None
    for f in known:
        if p.startswith(f) and len(p) > len(f) and not p[len(f)].isalnum() and p[len(f)] not in "._-":
            if best is None or len(f) > len(best):
                best = f
    return best


class Result:
    def __init__(self):
        self.status = None      # None: ok; otherwise a short note (n/a, exit code)
        self.found: dict[str, int] = {}   # container -> findings
        self.unmapped: list[str] = []
        self.seconds = 0.0
        self.version = ""


def version_of(argv) -> str:
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=30).stdout.split()
    except (OSError, subprocess.TimeoutExpired):
        return "?"
    return out[-1] if out else "?"


def run_warden(binary, corpus, labels, timeout) -> Result:
    r = Result()
    if not (os.path.isfile(binary) and os.access(binary, os.X_OK)):
        r.status = "n/a (no binary at %s)" % os.path.relpath(binary, REPO)
        return r
    r.version = version_of([binary, "--version"])
    known = {l["path"] for l in labels}
    out = os.path.join(OUT, "warden.json")
    jobs = [(None, [binary, "scan", corpus, "--only", "secrets", "--format", "json", "--output", out, "--no-progress"], out)]
    for l in labels:
        if l["context"] == "image":
            o = os.path.join(OUT, "warden-image-%s.json" % os.path.basename(l["path"]))
            jobs.append((l["path"], [binary, "scan", "--image", os.path.join(corpus, l["path"]), "--only", "secrets",
                                     "--format", "json", "--output", o, "--no-progress"], o))
    for owner, argv, o in jobs:
        if os.path.exists(o):
            os.remove(o)
        rc, secs = run(argv, o + ".log", timeout)
        r.seconds += secs
        if rc not in (0, 1) or not os.path.exists(o):
            r.status = "exit %s (%s; log %s.stderr)" % (rc, "scan DIR" if owner is None else "--image " + os.path.basename(owner),
                                                        os.path.relpath(o + ".log", REPO))
            return r
        with open(o) as fh:
            doc = json.load(fh)
        for f in doc.get("findings", []):
            path = (f.get("location") or {}).get("path") or ""
            cont = owner if owner is not None else container_of(path, corpus, known)
            if cont is None:
                r.unmapped.append(path)
            else:
                r.found[cont] = r.found.get(cont, 0) + 1
    return r


def kingfisher_bin():
    cands = sorted(glob.glob(os.path.join(HERE, ".venv", "lib", "python*", "site-packages", "kingfisher", "bin", "kingfisher")))
    return cands[0] if cands else shutil.which("kingfisher")


def run_kingfisher(corpus, labels, timeout) -> Result:
    r = Result()
    binary = kingfisher_bin()
    if not binary:
        r.status = "n/a (not installed: pip install kingfisher-bin)"
        return r
    r.version = version_of([binary, "--version"])
    known = {l["path"] for l in labels}
    out = os.path.join(OUT, "kingfisher.json")
    if os.path.exists(out):
        os.remove(out)
    rc, r.seconds = run([binary, "scan", corpus, "--no-validate", "--no-update-check", "-q", "--no-dedup", "-j", "2",
                         "--format", "json", "-o", out, "--git-history", "none"], out + ".log", timeout)
    if rc not in (0, 200, 205) or not os.path.exists(out):
        r.status = "exit %s (log %s.stderr)" % (rc, os.path.relpath(out + ".log", REPO))
        return r
    with open(out) as fh:
        doc = json.load(fh)
    for f in doc.get("findings", []):
        path = (f.get("finding") or {}).get("path") or ""
        cont = container_of(path, corpus, known)
        if cont is None:
            r.unmapped.append(path)
        else:
            r.found[cont] = r.found.get(cont, 0) + 1
    return r


def run_detect_secrets(corpus, labels, timeout) -> Result:
    r = Result()
    binary = os.path.join(VENV_BIN, "detect-secrets")
    if not os.path.exists(binary):
        binary = shutil.which("detect-secrets")
    if not binary:
        r.status = "n/a (not installed: pip install detect-secrets)"
        return r
    r.version = version_of([binary, "--version"])
    known = {l["path"] for l in labels}
    out = os.path.join(OUT, "detect-secrets.json")
    rc, r.seconds = run([binary, "scan", "--all-files", corpus], out, timeout)
    if rc != 0:
        r.status = "exit %s (log %s.stderr)" % (rc, os.path.relpath(out, REPO))
        return r
    with open(out) as fh:
        doc = json.load(fh)
    for path, items in doc.get("results", {}).items():
        cont = container_of(path, corpus, known)
        if cont is None:
            r.unmapped.append(path)
        else:
            r.found[cont] = r.found.get(cont, 0) + len(items)
    return r


# ---------------------------------------------------------------------------------------------------------------
# report
# ---------------------------------------------------------------------------------------------------------------
def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--warden", default=os.path.join(REPO, "target", "release", "warden"),
                    help="warden binary (default: target/release/warden)")
    ap.add_argument("--tools", default=",".join(ALL_TOOLS))
    ap.add_argument("--files", action="store_true", help="also print the per-file matrix")
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds per tool run")
    args = ap.parse_args()
    tools = [t.strip() for t in args.tools.split(",") if t.strip()]
    for t in tools:
        if t not in ALL_TOOLS:
            ap.error("unknown tool %r (known: %s)" % (t, ", ".join(ALL_TOOLS)))

    t0 = time.monotonic()
    labels = generate(CORPUS)
    os.makedirs(OUT, exist_ok=True)
    npos = sum(l["secret"] for l in labels)
    print("=== secrets in non-plain-text contexts: %s (%d files: %d with one credential each, %d decoys; seed %d)"
          % (os.path.relpath(CORPUS, REPO), len(labels), npos, len(labels) - npos, SEED))
    print("    a file counts as found when a tool reports a finding in it or in a member inside it")

    results: dict[str, Result] = {}
    for t in tools:
        if t == "warden":
            results[t] = run_warden(os.path.abspath(args.warden), CORPUS, labels, args.timeout)
        elif t == "kingfisher":
            results[t] = run_kingfisher(CORPUS, labels, args.timeout)
        elif t == "detect-secrets":
            results[t] = run_detect_secrets(CORPUS, labels, args.timeout)
        else:
            r = Result()
            th = os.path.join(VENV_BIN, "trufflehog")
            if os.path.exists(th) or shutil.which("trufflehog"):
                r.version = "2.x"
                r.status = "n/a (the PyPI trufflehog is 2.x: git repositories only; v3 is on neither PyPI nor crates.io)"
            else:
                r.status = "n/a (not installed)"
            results[t] = r

    w = 16
    hdr = "    %-12s %-5s" % ("context", "files") + "".join("  %-*s" % (w, t) for t in tools)
    print()
    print(hdr.rstrip())
    print("    %-12s %-5s" % ("-" * 12, "-" * 5) + "".join("  %-*s" % (w, "-" * w) for t in tools))
    for ctx in CONTEXTS:
        files = [l for l in labels if l["context"] == ctx]
        pos = [l for l in files if l["secret"]]
        neg = [l for l in files if not l["secret"]]
        cells = []
        for t in tools:
            r = results[t]
            if r.status:
                cells.append(r.status.split(" (")[0])   # "n/a" or "exit N"
                continue
            tp = sum(1 for l in pos if l["path"] in r.found)
            fp = sum(1 for l in neg if l["path"] in r.found)
            cells.append("%d/%d  fp %d/%d" % (tp, len(pos), fp, len(neg)))
        print(("    %-12s %2d+%-2d" % (ctx, len(pos), len(neg)) + "".join("  %-*s" % (w, c) for c in cells)).rstrip())
    print("    (found/positives, and fp = decoys flagged/decoys; files = positives+decoys)")
    if "warden" in tools and not results["warden"].status:
        print("    (warden: the directory scan plus one `scan --image` per image tarball, counted toward that tarball)")

    print()
    row = "    %-14s  %-8s  %3s  %3s  %3s  %7s  %9s  %5s  %s"
    print(row % ("tool", "version", "TP", "FP", "FN", "recall", "precision", "F1", "note"))
    print(row % ("-" * 14, "-" * 8, "-" * 3, "-" * 3, "-" * 3, "-" * 7, "-" * 9, "-" * 5, "-" * 20))
    for t in tools:
        r = results[t]
        if r.status:
            print((row % (t, r.version, "", "", "", "", "", "", r.status)).rstrip())
            continue
        tp = sum(1 for l in labels if l["secret"] and l["path"] in r.found)
        fp = sum(1 for l in labels if not l["secret"] and l["path"] in r.found)
        fn = npos - tp
        rec = tp / npos if npos else 0.0
        prec = tp / (tp + fp) if tp + fp else 0.0
        f1 = 2 * rec * prec / (rec + prec) if rec + prec else 0.0
        note = "%.1f s" % r.seconds
        if r.unmapped:
            note += "; %d finding(s) outside the corpus files" % len(r.unmapped)
        print(row % (t, r.version, tp, fp, fn, "%.1f%%" % (100 * rec), "%.1f%%" % (100 * prec), "%.3f" % f1, note))

    for t in tools:
        r = results[t]
        if r.status:
            continue
        miss = [l for l in labels if l["secret"] and l["path"] not in r.found]
        fps = [l for l in labels if not l["secret"] and l["path"] in r.found]
        if t == "warden" or args.files:
            print()
            print("    %s misses (%d)%s" % (t, len(miss), ":" if miss else ": none"))
            for l in miss:
                print("      %-12s %-58s %s" % (l["context"], l["path"], l["note"]))
            print("    %s decoys flagged (%d)%s" % (t, len(fps), ":" if fps else ": none"))
            for l in fps:
                print("      %-12s %-58s %s (%d findings)" % (l["context"], l["path"], l["note"], r.found[l["path"]]))
            for p in sorted(set(r.unmapped))[:5]:
                print("      unmapped finding path: %s" % p)

    if args.files:
        print()
        print("    per file: findings located in it (. none, - tool not run)")
        print(("    %-12s %-58s %-6s" % ("context", "file", "label") + "".join("  %-14s" % t for t in tools)).rstrip())
        for l in labels:
            print(("    %-12s %-58s %-6s" % (l["context"], l["path"], "secret" if l["secret"] else "decoy")
                   + "".join("  %-14s" % ("-" if results[t].status else str(results[t].found.get(l["path"], ".")))
                             for t in tools)).rstrip())
    print()
    print("    total %.0f s; labels in %s, raw outputs in %s, this report in %s" % (
        time.monotonic() - t0, os.path.relpath(LABELS, REPO), os.path.relpath(OUT, REPO), os.path.relpath(REPORT, REPO)))


class Tee:
    """stdout, also kept for bench/work/contexts/last-run.txt."""

    def __init__(self, stream):
        self.stream, self.buf = stream, io.StringIO()

    def write(self, s):
        self.buf.write(s)
        return self.stream.write(s)

    def flush(self):
        self.stream.flush()


if __name__ == "__main__":
    tee = Tee(sys.stdout)
    sys.stdout = tee
    try:
        main()
    finally:
        sys.stdout = tee.stream
        if os.path.isdir(WORK):
            with open(REPORT, "w") as fh:
                fh.write(tee.buf.getvalue())
