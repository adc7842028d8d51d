#!/usr/bin/env python3
"""Writes the HELD-OUT labeled accuracy corpus: bench/accuracy-holdout/corpus/ + labels.json.

This corpus was written independently of warden's rules and was never tuned against warden's results
(see bench/README.md). It covers different contexts from the dev corpus (bench/accuracy/): Terraform
tfvars/tfstate, Ansible inventories and group_vars, Helm values, Kubernetes Secrets/ConfigMaps,
SOPS/sealed-secrets/ansible-vault files, compose env_file, GitHub Actions/GitLab CI/CircleCI/Jenkins/
Azure Pipelines, Spring/.NET/Rails/Laravel/WordPress config, Go/Rust/Ruby/PHP/C#/Kotlin/TS/Python
code, shell/PowerShell, notebooks, dotfiles (.netrc, .git-credentials, .pgpass, .my.cnf, .npmrc,
.pypirc, gem credentials, docker config), private keys and many decoys.

All keys are FAKE: random values from a fixed-seed generator, in the real shape of each provider
(prefix, length, alphabet; GitHub ghp_/gho_/ghu_/ghs_/ghr_ and npm_ tokens carry a valid CRC32/base62
checksum; PEM/OpenSSH/PGP blocks carry real DER/openssh structure around random bytes).

Labels: one entry per labeled line or span: path, line, [end_line], kind (secret|decoy), provider,
context. Lines without a label are ordinary content; a tool reporting them is charged a false positive.

Usage: python3 bench/accuracy-holdout/make_corpus.py   (rewrites corpus/ and labels.json)
"""
import base64
import json
import os
import random
import shutil
import string
import struct
import sys
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "corpus")
SEED = 0x5EC2E7  # fixed: output is committed; rerun only on purpose

R = random.Random(SEED)
DIG = string.digits
UP = string.ascii_uppercase
LO = string.ascii_lowercase
HEX = "0123456789abcdef"
ALNUM = UP + LO + DIG
B62 = DIG + UP + LO
B64 = UP + LO + DIG + "+/"
B64URL = UP + LO + DIG + "-_"
BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def rs(alpha, n):
    return "".join(R.choice(alpha) for _ in range(n))


def rbytes(n):
    return bytes(R.getrandbits(8) for _ in range(n))


def hexs(n):
    return rs(HEX, n)


def uuid4():
    h = hexs(32)
    h = h[:12] + "4" + h[13:16] + R.choice("89ab") + h[17:]
    return "%s-%s-%s-%s-%s" % (h[:8], h[8:12], h[12:16], h[16:20], h[20:])


def b64(b):
    return base64.b64encode(b).decode()


def b64u(b):
    return base64.urlsafe_b64encode(b).decode().rstrip("=")


# ---------------------------------------------------------------------------------------------
# credential shapes
# ---------------------------------------------------------------------------------------------
def base62(n, width=6):
    s = ""
    while n:
        n, r = divmod(n, 62)
        s = B62[r] + s
    return s.rjust(width, "0")


def gh(prefix, n=30):
    """GitHub ghp_/gho_/ghu_/ghs_/ghr_ (and npm_): n random base62 + CRC32 of them in 6 base62 chars."""
    body = rs(ALNUM, n)
    return prefix + body + base62(zlib.crc32(body.encode()) & 0xFFFFFFFF)


def gh_fine():
    return "github_pat_" + rs(ALNUM, 22) + "_" + rs(ALNUM, 59)


def aws_id(prefix="AKIA"):
    return prefix + rs(UP + "234567", 16)


def aws_secret():
    return rs(ALNUM + "+/", 40)


def aws_session():
    return "IQoJb3JpZ2luX2VjE" + rs(ALNUM, 3) + "aCXVzLWVhc3QtMSJHMEUCI" + rs(B64, 580) + "=="


def openai(kind):
    # sk-proj-/sk-svcacct-/sk-admin- : 74 + "T3BlbkFJ" + 74 of [A-Za-z0-9_-]
    return "sk-%s-%sT3BlbkFJ%s" % (kind, rs(ALNUM + "-_", 74), rs(ALNUM + "-_", 74))


def anthropic(kind="api03"):
    return "sk-ant-%s-%sAA" % (kind, rs(ALNUM + "-_", 93))


def hf():
    return "hf_" + rs(UP + LO, 34)


def stripe(prefix):
    return prefix + "51" + rs(DIG, 1) + rs(ALNUM, 96)


def slack_bot():
    return "xoxb-%s-%s-%s" % (rs(DIG, 12), rs(DIG, 13), rs(ALNUM, 24))


def slack_user():
    return "xoxp-%s-%s-%s-%s" % (rs(DIG, 12), rs(DIG, 12), rs(DIG, 13), hexs(32))


def slack_app():
    return "xapp-1-A%s-%s-%s" % (rs(UP + DIG, 10), rs(DIG, 13), hexs(64))


def slack_webhook():
    return "https://hooks.slack.com/services/T%s/B%s/%s" % (rs(UP + DIG, 10), rs(UP + DIG, 10), rs(ALNUM, 24))


def discord_webhook():
    return "https://discord.com/api/webhooks/%s/%s" % ("1" + rs(DIG, 18), rs(ALNUM + "-_", 68))


def teams_webhook(org):
    return "https://%s.webhook.office.com/webhookb2/%s@%s/IncomingWebhook/%s/%s" % (org, uuid4(), uuid4(), hexs(32), uuid4())


def sendgrid():
    return "SG.%s.%s" % (rs(ALNUM + "-_", 22), rs(ALNUM + "-_", 43))


def pem_wrap(der, width=64):
    s = b64(der)
    return [s[i:i + width] for i in range(0, len(s), width)]


def rsa_pkcs1_der():
    return bytes.fromhex("308204a40201000282010100") + rbytes(0x4A4 + 4 - 12)


def rsa_pkcs8_der():
    return bytes.fromhex("308204bd020100300d06092a864886f70d0101010500048204a7308204a30201000282010100") + rbytes(0x4BD + 4 - 38)


def ec_der():
    return (bytes.fromhex("307702010104") + b"\x20" + rbytes(32) + bytes.fromhex("a00a06082a8648ce3d030107a144034200")
            + b"\x04" + rbytes(64))


def cert_der():
    return bytes.fromhex("3082037730820" + "25fa003020102021413") + rbytes(0x377 + 4 - 16)


def pubkey_der():
    return bytes.fromhex("30820122300d06092a864886f70d01010105000382010f003082010a0282010100") + rbytes(0x122 + 4 - 33)


def pem(kind, der):
    return ["-----BEGIN %s-----" % kind] + pem_wrap(der) + ["-----END %s-----" % kind]


def sshstr(b):
    return struct.pack(">I", len(b)) + b


def openssh_ed25519(comment):
    pub = rbytes(32)
    pubblob = sshstr(b"ssh-ed25519") + sshstr(pub)
    chk = rbytes(4)
    priv = chk + chk + sshstr(b"ssh-ed25519") + sshstr(pub) + sshstr(rbytes(32) + pub) + sshstr(comment.encode())
    i = 1
    while len(priv) % 8:
        priv += bytes([i])
        i += 1
    blob = b"openssh-key-v1\x00" + sshstr(b"none") + sshstr(b"none") + sshstr(b"") + struct.pack(">I", 1) + sshstr(pubblob) + sshstr(priv)
    s = b64(blob)
    lines = ["-----BEGIN OPENSSH PRIVATE KEY-----"] + [s[i:i + 70] for i in range(0, len(s), 70)] + ["-----END OPENSSH PRIVATE KEY-----"]
    return lines, "ssh-ed25519 %s %s" % (b64(pubblob), comment)


def crc24(data):
    crc = 0xB704CE
    for b in data:
        crc ^= b << 16
        for _ in range(8):
            crc <<= 1
            if crc & 0x1000000:
                crc ^= 0x1864CFB
    return crc & 0xFFFFFF


def pgp_block(kind, first):
    data = first + rbytes(1800 if "PRIVATE" in kind else 1100)
    body = pem_wrap(data)
    return (["-----BEGIN PGP %s BLOCK-----" % kind, ""] + body + ["=" + b64(crc24(data).to_bytes(3, "big")),
            "-----END PGP %s BLOCK-----" % kind])


def jwt(payload, alg="HS256"):
    h = b64u(json.dumps({"alg": alg, "typ": "JWT"}, separators=(",", ":")).encode())
    p = b64u(json.dumps(payload, separators=(",", ":")).encode())
    return "%s.%s.%s" % (h, p, rs(B64URL, 43 if alg == "HS256" else 342))


def azure_storage_key():
    return b64(rbytes(64))


def sas_sig():
    return b64(rbytes(32)).replace("+", "%2B").replace("/", "%2F").replace("=", "%3D")


def pw(n=20, punct="!#%^*-_+="):
    """A human-chosen-looking but strong password."""
    return rs(ALNUM, n - 3) + R.choice(punct) + rs(DIG, 2)


def pypi():
    return "pypi-AgEIcHlwaS5vcmc" + rs(B64URL, 4) + "DA" + rs(B64URL, 150)


def sha1():
    return hexs(40)


def sha256h():
    return hexs(64)


def sri512():
    return "sha512-" + b64(rbytes(64))


# ---------------------------------------------------------------------------------------------
# file builder with labels
# ---------------------------------------------------------------------------------------------
FILES = []
LABELS = []


class F:
    def __init__(self, path, context):
        self.path, self.ctx, self.lines = path, context, []
        FILES.append(self)

    def t(self, text):
        """Plain (unlabeled) lines, written as given (absolute indentation); a leading newline is dropped."""
        if text.startswith("\n"):
            text = text[1:]
        if text.endswith("\n"):
            text = text[:-1]
        self.lines.extend(text.split("\n"))
        return self

    def _lab(self, text, kind, provider):
        parts = text.split("\n") if isinstance(text, str) else list(text)
        start = len(self.lines) + 1
        self.lines.extend(parts)
        lab = {"path": self.path, "line": start, "kind": kind, "provider": provider, "context": self.ctx}
        if len(parts) > 1:
            lab["end_line"] = start + len(parts) - 1
        LABELS.append(lab)
        return self

    def s(self, text, provider):
        return self._lab(text, "secret", provider)

    def d(self, text, provider):
        return self._lab(text, "decoy", provider)


# =============================================================================================
# Terraform
# =============================================================================================
f = F("infra/terraform/envs/prod/terraform.tfvars", "terraform-tfvars")
f.t('''
# Production inputs. Applied by the platform team from their laptops (TODO: move to TFC workspace vars)
environment        = "prod"
aws_region         = "eu-west-1"
vpc_cidr           = "10.40.0.0/16"''')
f.d('bastion_ami_id     = "ami-0c1a7f89451184c8b"', "aws-resource-id")
f.d('kms_key_arn        = "arn:aws:kms:eu-west-1:481516234200:key/%s"' % uuid4(), "uuid")
f.t('')
f.t('# observability')
f.s('datadog_api_key = "%s"' % hexs(32), "datadog")
f.s('datadog_app_key = "%s"' % hexs(40), "datadog")
f.s('cloudflare_api_token = "%s"' % rs(ALNUM + "_-", 40), "cloudflare")
f.d('cloudflare_zone_id   = "%s"' % hexs(32), "resource-id")
f.t('')
f.s('digitalocean_token = "dop_v1_%s"' % hexs(64), "digitalocean")
f.s('github_token       = "%s"' % gh("ghp_"), "github-classic")
f.s('rds_master_password = "%s"' % pw(22), "generic-password")
f.d('acm_certificate_arn = "arn:aws:acm:us-east-1:481516234200:certificate/%s"' % uuid4(), "uuid")

f = F("infra/terraform/envs/prod/terraform.tfstate", "terraform-state")
ak_id, ak_sec = aws_id(), aws_secret()
f.t('''
{
  "version": 4,
  "terraform_version": "1.7.5",
  "serial": 118,''')
f.d('  "lineage": "%s",' % uuid4(), "uuid")
f.t('''
  "outputs": {
    "db_admin_password": {''')
f.s('      "value": "%s",' % pw(24), "generic-password")
f.t('''
      "type": "string",
      "sensitive": true
    }
  },
  "resources": [
    {
      "mode": "managed",
      "type": "aws_iam_access_key",
      "name": "ci_deployer",
      "provider": "provider[\\"registry.terraform.io/hashicorp/aws\\"]",
      "instances": [
        {
          "schema_version": 0,
          "attributes": {
            "create_date": "2025-03-04T09:12:44Z",
            "encrypted_secret": null,
            "encrypted_ses_smtp_password_v4": null,''')
f.s(['            "id": "%s",' % ak_id,
     '            "key_fingerprint": null,',
     '            "pgp_key": null,',
     '            "secret": "%s",' % ak_sec], "aws")
f.s('            "ses_smtp_password_v4": "B%s",' % rs(ALNUM + "+/", 43), "aws-ses-smtp")
f.t('''
            "status": "Active",
            "user": "ci-deployer"
          },
          "sensitive_attributes": []
        }
      ]
    },
    {
      "mode": "managed",
      "type": "tls_private_key",
      "name": "bastion",
      "provider": "provider[\\"registry.terraform.io/hashicorp/tls\\"]",
      "instances": [
        {
          "schema_version": 1,
          "attributes": {
            "algorithm": "RSA",
            "ecdsa_curve": "P224",''')
f.d('            "id": "%s",' % sha1(), "sha1")
f.s('            "private_key_pem": "%s",' % "\\n".join(pem("RSA PRIVATE KEY", rsa_pkcs1_der())), "private-key")
f.d('            "public_key_fingerprint_sha256": "SHA256:%s",' % b64(rbytes(32)).rstrip("="), "fingerprint")
f.d('            "public_key_openssh": "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ%s\\n",' % rs(B64, 340), "public-key")
f.t('''
            "rsa_bits": 2048
          },
          "sensitive_attributes": []
        }
      ]
    },
    {
      "mode": "managed",
      "type": "aws_lambda_function",
      "name": "thumbnailer",
      "provider": "provider[\\"registry.terraform.io/hashicorp/aws\\"]",
      "instances": [
        {
          "schema_version": 0,
          "attributes": {
            "arn": "arn:aws:lambda:eu-west-1:481516234200:function:thumbnailer",
            "function_name": "thumbnailer",''')
f.d('            "source_code_hash": "%s",' % b64(rbytes(32)), "sha256-base64")
f.d('            "code_sha256": "%s",' % b64(rbytes(32)), "sha256-base64")
f.t('''
            "runtime": "python3.12"
          },
          "sensitive_attributes": []
        }
      ]
    },
    {
      "mode": "managed",
      "type": "random_password",
      "name": "grafana_admin",
      "provider": "provider[\\"registry.terraform.io/hashicorp/random\\"]",
      "instances": [
        {
          "schema_version": 3,
          "attributes": {
            "id": "none",
            "length": 32,''')
f.s('            "result": "%s",' % rs(ALNUM + "!@#%&*()-_=+[]{}<>:?", 32), "generic-password")
f.t('''
            "special": true
          },
          "sensitive_attributes": []
        }
      ]
    }
  ],
  "check_results": null
}''')

f = F("infra/terraform/modules/alerts/main.tf", "terraform")
f.t('''
variable "pagerduty_token" {
  type      = string
  sensitive = true
}

resource "aws_lambda_function" "notifier" {
  function_name    = "alerts-notifier"
  filename         = "${path.module}/build/notifier.zip"''')
f.d('  source_code_hash = filebase64sha256("${path.module}/build/notifier.zip")', "template")
f.t('''
  handler          = "main.handler"
  runtime          = "python3.12"
  role             = aws_iam_role.notifier.arn

  environment {
    variables = {''')
f.s('      SLACK_WEBHOOK_URL   = "%s"' % slack_webhook(), "slack-webhook")
f.s('      PAGERDUTY_ROUTING   = "%s"' % ("R0" + rs(UP + DIG, 30)), "pagerduty")
f.d('      PAGERDUTY_API_TOKEN = var.pagerduty_token', "template")
f.d('      OPSGENIE_KEY        = data.aws_ssm_parameter.opsgenie.value', "vault-reference")
f.t('''
    }
  }
}

provider "pagerduty" {''')
f.d('  token = "${var.pagerduty_token}"', "template")
f.t('}')

# =============================================================================================
# Ansible
# =============================================================================================
f = F("ansible/inventories/production/hosts.ini", "ansible-inventory")
f.t('''
[webservers]
web-01.lark.internal ansible_host=10.40.1.11
web-02.lark.internal ansible_host=10.40.1.12

[dbservers]''')
f.s('db-01.lark.internal ansible_host=10.40.2.21 ansible_user=postgres ansible_ssh_pass=%s' % pw(16), "generic-password")
f.t('')
f.t('[legacy]')
f.s('ftp-legacy ansible_host=192.0.2.44 ansible_user=admin ansible_password=%s ansible_become_pass=%s' % (pw(14), pw(14)), "generic-password")
f.t('')
f.t('[all:vars]')
f.d('ansible_ssh_private_key_file=~/.ssh/ansible_deploy_ed25519', "path")
f.d("ansible_become_password='{{ vault_become_password }}'", "template")

f = F("ansible/inventories/production/group_vars/all/vault.yml", "ansible-vault")
f.d(["$ANSIBLE_VAULT;1.1;AES256"] + [hexs(80) for _ in range(14)] + [hexs(34)], "ansible-vault")

f = F("ansible/inventories/production/group_vars/webservers.yml", "ansible-group-vars")
f.t('''
---
nginx_worker_processes: auto
app_release: "2025.03.2"''')
f.d('app_release_sha: "%s"' % sha1(), "sha1")
f.t('')
f.t('app_db_user: webapp')
f.d('app_db_password: "{{ vault_app_db_password }}"', "template")
f.d('app_session_secret: "{{ lookup(\'env\', \'SESSION_SECRET\') }}"', "template")
f.t('')
f.t('# TODO(kris): move these into vault.yml before the audit')
f.s('mysql_root_password: "%s"' % pw(18), "generic-password")
f.s('newrelic_license_key: "%sNRAL"' % hexs(36), "newrelic")
f.s('sendgrid_api_key: "%s"' % sendgrid(), "sendgrid")
f.t('''
newrelic_app_name: "lark-web (prod)"
logrotate_days: 14''')

f = F("ansible/roles/app/templates/app.env.j2", "jinja-template")
f.t('# {{ ansible_managed }}')
f.d('DATABASE_URL=postgres://{{ app_db_user }}:{{ app_db_password }}@{{ db_host }}:5432/lark', "template")
f.d('SESSION_SECRET={{ app_session_secret }}', "template")
f.d('STRIPE_SECRET_KEY={{ vault_stripe_secret_key | default("") }}', "template")
f.t('LOG_LEVEL={{ app_log_level | default("info") }}')

# =============================================================================================
# Helm / Kubernetes
# =============================================================================================
f = F("deploy/helm/payments/values.yaml", "helm-values")
f.t('''
replicaCount: 3
image:
  repository: ghcr.io/larkspur/payments''')
f.d('  digest: sha256:%s' % sha256h(), "sha256")
f.t('''
  pullPolicy: IfNotPresent

payments:
  currency: EUR
  stripe:''')
f.s('    secretKey: %s' % stripe("sk_live_"), "stripe")
f.s('    webhookSecret: whsec_%s' % rs(ALNUM, 32), "stripe-webhook")
f.d('    publishableKey: %s' % stripe("pk_live_"), "public-key")
f.t('''
  adyen:
    merchantAccount: LarkspurECOM''')
f.d('    apiKey: ""  # set via --set-file at deploy time', "placeholder")
f.t('''
redis:
  enabled: true
  auth:''')
f.s('    password: "%s"' % pw(20), "generic-password")
f.t('''
  master:
    persistence:
      size: 8Gi

postgresql:
  auth:''')
f.d('    existingSecret: payments-postgres', "placeholder")
f.d('    password: changeme', "placeholder")
f.t('''
resources:
  limits:
    cpu: 500m
    memory: 512Mi''')

f = F("deploy/helm/payments/values-staging.yaml", "helm-values")
f.t('''
payments:
  observability:
    sentry:
      dsnEnvironment: staging''')
f.s('      authToken: sntryu_%s' % hexs(64), "sentry")
f.t('  database:')
f.s('    url: postgresql://payments:%s@payments-db.staging.lark.internal:5432/payments?sslmode=require' % pw(18, "!-_"), "postgres-uri")
f.d('    replicaUrl: postgresql://payments:${REPLICA_PASSWORD}@payments-ro.staging.lark.internal:5432/payments', "template")
f.t('  featureFlags:')
f.d('    launchDarklyClientSideId: "%s"' % hexs(24), "public-id")

f = F("deploy/helm/payments/templates/secret.yaml", "helm-template")
f.t('''
apiVersion: v1
kind: Secret
metadata:
  name: {{ include "payments.fullname" . }}
type: Opaque
data:''')
f.d('  STRIPE_SECRET_KEY: {{ .Values.payments.stripe.secretKey | b64enc | quote }}', "template")
f.d('  STRIPE_WEBHOOK_SECRET: {{ .Values.payments.stripe.webhookSecret | b64enc | quote }}', "template")
f.d('  REDIS_PASSWORD: {{ required "redis.auth.password is required" .Values.redis.auth.password | b64enc }}', "template")

f = F("deploy/k8s/base/ml-gateway-secret.yaml", "k8s-secret-stringdata")
f.t('''
apiVersion: v1
kind: Secret
metadata:
  name: ml-gateway-providers
  namespace: ml
type: Opaque
stringData:''')
f.s('  OPENAI_API_KEY: "%s"' % openai("proj"), "openai-project")
f.s('  ANTHROPIC_API_KEY: "%s"' % anthropic(), "anthropic")
f.s('  HF_TOKEN: "%s"' % hf(), "huggingface")
f.s('  MISTRAL_API_KEY: "%s"' % rs(ALNUM, 32), "mistral")
f.s('  COHERE_API_KEY: "%s"' % rs(ALNUM, 40), "cohere")
f.d('  OPENAI_ORG_ID: "org-%s"' % rs(ALNUM, 24), "public-id")
f.t('  DEFAULT_MODEL: "gpt-4o-mini"')

reg_auth = b64(("larkspur-bot:" + gh("ghp_")).encode())
dockercfg = json.dumps({"auths": {"ghcr.io": {"username": "larkspur-bot", "auth": reg_auth}}}, separators=(",", ":"))
f = F("deploy/k8s/base/registry-pull-secret.yaml", "k8s-secret-dockerconfigjson")
f.t('''
apiVersion: v1
kind: Secret
metadata:
  name: ghcr-pull
  namespace: apps
type: kubernetes.io/dockerconfigjson
data:''')
f.s('  .dockerconfigjson: %s' % b64(dockercfg.encode()), "docker-auth-b64")

ec_key = "\n".join(pem("EC PRIVATE KEY", ec_der())) + "\n"
ssh_lines, ssh_pub = openssh_ed25519("gitops@lark")
f = F("deploy/k8s/base/ingress-tls-secret.yaml", "k8s-secret-data")
f.t('''
apiVersion: v1
kind: Secret
metadata:
  name: edge-tls
  namespace: ingress
type: kubernetes.io/tls
data:''')
f.d('  tls.crt: %s' % b64(("\n".join(pem("CERTIFICATE", cert_der())) + "\n").encode()), "certificate-b64")
f.s('  tls.key: %s' % b64(ec_key.encode()), "private-key-b64")
f.d('  ca.crt: %s' % b64(("\n".join(pem("CERTIFICATE", cert_der())) + "\n").encode()), "certificate-b64")
f.t('---')
f.t('''
apiVersion: v1
kind: Secret
metadata:
  name: flux-git-auth
  namespace: flux-system
type: Opaque
data:''')
f.s('  identity: %s' % b64(("\n".join(ssh_lines) + "\n").encode()), "private-key-b64")
f.d('  identity.pub: %s' % b64((ssh_pub + "\n").encode()), "public-key-b64")
f.d('  known_hosts: %s' % b64(("github.com ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBB" + rs(B64, 88) + "=\n").encode()), "public-key-b64")
f.t('---')
f.t('''
apiVersion: v1
kind: Secret
metadata:
  name: backup-s3
  namespace: velero
type: Opaque
data:''')
f.d('  AWS_REGION: %s' % b64(b"eu-west-1"), "base64-nonsecret")
f.d('  BUCKET: %s' % b64(b"lark-velero-backups-prod"), "base64-nonsecret")
f.s(['  AWS_ACCESS_KEY_ID: %s' % b64(aws_id().encode()),
     '  AWS_SECRET_ACCESS_KEY: %s' % b64(aws_secret().encode())], "aws-b64")

f = F("deploy/k8s/base/app-configmap.yaml", "k8s-configmap")
f.t('''
apiVersion: v1
kind: ConfigMap
metadata:
  name: web-config
  namespace: apps
data:
  LOG_LEVEL: info
  FEATURE_FLAGS: "checkout_v2,search_rerank"''')
f.d('  TENANT_ID: "%s"' % uuid4(), "uuid")
f.d('  BUILD_COMMIT: "%s"' % sha1(), "sha1")
f.s('  SLACK_BOT_TOKEN: "%s"' % slack_bot(), "slack-bot")
f.s('  MAPBOX_SECRET_TOKEN: "sk.%s.%s"' % (b64u(json.dumps({"u": "larkspur", "a": "cl" + rs(LO + DIG, 23)}, separators=(",", ":")).encode()), rs(ALNUM + "-_", 22)), "mapbox")
f.d('  MAPBOX_PUBLIC_TOKEN: "pk.%s.%s"' % (b64u(json.dumps({"u": "larkspur", "a": "cl" + rs(LO + DIG, 23)}, separators=(",", ":")).encode()), rs(ALNUM + "-_", 22)), "public-key")
f.d('  DEFAULT_THEME_B64: "%s"' % b64(json.dumps({"primary": "#2f6f4f", "radius": 6, "font": "Inter"}).encode()), "base64-nonsecret")

f = F("deploy/k8s/overlays/prod/sealed-db-credentials.yaml", "sealed-secret")
f.t('''
apiVersion: bitnami.com/v1alpha1
kind: SealedSecret
metadata:
  name: db-credentials
  namespace: apps
spec:
  encryptedData:''')
f.d('    DB_PASSWORD: AgB%s' % rs(B64, 681) + "=", "sealed-secret")
f.d('    DB_USER: AgA%s' % rs(B64, 681) + "=", "sealed-secret")
f.d('    REPLICATION_PASSWORD: AgC%s' % rs(B64, 681) + "=", "sealed-secret")
f.t('''
  template:
    metadata:
      name: db-credentials
      namespace: apps''')


def sops_enc(n):
    return "ENC[AES256_GCM,data:%s,iv:%s,tag:%s,type:str]" % (b64(rbytes(n)), b64(rbytes(32)), b64(rbytes(16)))


f = F("deploy/k8s/overlays/prod/payments.enc.yaml", "sops")
f.t('''
apiVersion: v1
kind: Secret
metadata:
    name: payments-keys
    namespace: apps
type: Opaque
stringData:''')
f.d('    STRIPE_SECRET_KEY: %s' % sops_enc(107), "sops")
f.d('    STRIPE_WEBHOOK_SECRET: %s' % sops_enc(38), "sops")
f.d('    ADYEN_API_KEY: %s' % sops_enc(72), "sops")
f.t('''
sops:
    kms: []
    gcp_kms: []
    azure_kv: []
    hc_vault: []
    age:''')
f.d('        - recipient: age1%s' % rs(BECH32, 58), "public-key")
f.t('          enc: |')
f.d(['            -----BEGIN AGE ENCRYPTED FILE-----'] + ['            ' + rs(B64, 64) for _ in range(4)]
    + ['            ' + rs(B64, 20) + "=="] + ['            -----END AGE ENCRYPTED FILE-----'], "encrypted")
f.t('    lastmodified: "2025-02-11T16:40:02Z"')
f.d('    mac: %s' % sops_enc(32), "sops")
f.t('''
    pgp: []
    unencrypted_suffix: _unencrypted
    version: 3.9.4''')

# =============================================================================================
# docker compose
# =============================================================================================
f = F("deploy/compose/docker-compose.prod.yml", "docker-compose")
f.t('''
services:
  api:''')
f.d('    image: ghcr.io/larkspur/api@sha256:%s' % sha256h(), "sha256")
f.t('''
    env_file:
      - .env.production
    environment:''')
f.d('      DATABASE_URL: postgres://api:${POSTGRES_PASSWORD}@db:5432/api', "template")
f.d('      REDIS_PASSWORD: ${REDIS_PASSWORD:?set REDIS_PASSWORD}', "template")
f.t('''
    secrets:
      - jwt_signing_key
  db:
    image: postgres:16.2
    environment:
      POSTGRES_USER: api''')
f.s('      POSTGRES_PASSWORD: %s' % pw(19), "generic-password")
f.t('''
  minio:
    image: quay.io/minio/minio:RELEASE.2024-06-13T22-53-53Z
    command: server /data --console-address ":9001"
    environment:
      MINIO_ROOT_USER: lark-admin''')
f.s('      MINIO_ROOT_PASSWORD: "%s"' % pw(24), "generic-password")
f.t('''
secrets:
  jwt_signing_key:
    file: ./secrets/jwt_signing_key.pem''')

f = F("deploy/compose/.env.production", "dotenv")
f.t('''
# loaded by docker-compose.prod.yml (env_file)
NODE_ENV=production
PORT=8080''')
f.s('MAILGUN_API_KEY=%s-%s-%s' % (hexs(32), hexs(8), hexs(8)), "mailgun")
f.t('MAILGUN_DOMAIN=mg.larkspur.app')
f.s(['TWILIO_ACCOUNT_SID=AC%s' % hexs(32), 'TWILIO_AUTH_TOKEN=%s' % hexs(32)], "twilio")
f.s('REDIS_URL=rediss://default:%s@redis-prod.lark.internal:6380/0' % rs(ALNUM, 32), "redis-uri")
f.s('AMQP_URL=amqps://orders:%s@b-4c1d.mq.eu-west-1.amazonaws.com:5671' % pw(18, "-_"), "amqp-uri")
f.s('SUPABASE_SERVICE_ROLE_KEY=%s' % jwt({"iss": "supabase", "ref": rs(LO, 20), "role": "service_role", "iat": 1709251200, "exp": 2024827200}), "jwt")
f.d('SUPABASE_URL=https://%s.supabase.co' % rs(LO, 20), "url")
f.s('SUPABASE_ACCESS_TOKEN=sbp_%s' % hexs(40), "supabase")
f.d('SENTRY_RELEASE=%s' % sha1(), "sha1")
f.d('STRIPE_PUBLISHABLE_KEY=%s' % stripe("pk_live_"), "public-key")
f.s('JWT_SECRET=%s' % b64(rbytes(48)), "generic-secret")

# =============================================================================================
# CI
# =============================================================================================
f = F(".github/workflows/release.yml", "github-actions")
f.t('''
name: release
on:
  push:
    tags: ["v*"]

env:
  REGISTRY: ghcr.io''')
f.s('  NPM_TOKEN: %s' % gh("npm_"), "npm")
f.d('  GH_TOKEN: ${{ secrets.GITHUB_TOKEN }}', "template")
f.t('''
jobs:
  publish:
    runs-on: ubuntu-latest
    steps:''')
f.d('      - uses: actions/checkout@%s # v4.1.7' % sha1(), "sha1")
f.t('        with:')
f.s('          token: %s' % gh("ghp_"), "github-classic")
f.t('          fetch-depth: 0')
f.d('      - uses: docker/login-action@%s # v3.3.0' % sha1(), "sha1")
f.t('''
        with:
          registry: docker.io
          username: larkspurci''')
f.s('          password: dckr_pat_%s' % rs(ALNUM + "-_", 27), "dockerhub")
f.d('      - uses: docker/login-action@%s # v3.3.0' % sha1(), "sha1")
f.t('''
        with:
          registry: ${{ env.REGISTRY }}
          username: ${{ github.actor }}''')
f.d('          password: ${{ secrets.GITHUB_TOKEN }}', "template")
f.t('''
      - name: publish
        run: npm publish --provenance
        env:''')
f.d('          NODE_AUTH_TOKEN: ${{ secrets.NPM_TOKEN }}', "template")

f = F(".github/workflows/nightly-eval.yml", "github-actions")
f.t('''
name: nightly-eval
on:
  schedule:
    - cron: "17 3 * * *"
jobs:
  eval:
    runs-on: ubuntu-latest
    env:''')
f.d('      OPENAI_API_KEY: ${{ secrets.OPENAI_API_KEY }}', "template")
f.s('      WANDB_API_KEY: %s' % hexs(40), "wandb")
f.s('      HF_TOKEN: %s' % hf(), "huggingface")
f.s('      LANGSMITH_API_KEY: lsv2_pt_%s_%s' % (hexs(32), hexs(10)), "langsmith")
f.t('      LANGSMITH_PROJECT: nightly-eval')
f.t('''
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"''')
f.d('          cache-dependency-path: requirements.lock  # %s' % sha256h(), "sha256")
f.t('      - run: pip install -r requirements.lock && python -m evals.run --suite nightly')

f = F(".gitlab-ci.yml", "gitlab-ci")
f.t('''
stages: [build, deploy]

variables:
  DOCKER_DRIVER: overlay2''')
f.d('  CI_REGISTRY_PASSWORD: $CI_JOB_TOKEN', "template")
f.s('  DEPLOY_TOKEN: gldt-%s' % rs(ALNUM + "-_", 20), "gitlab-deploy")
f.s(['  AWS_ACCESS_KEY_ID: %s' % aws_id(), '  AWS_SECRET_ACCESS_KEY: %s' % aws_secret()], "aws")
f.t('''
build:
  stage: build
  image: docker:26
  script:''')
f.d('    - echo "$CI_REGISTRY_PASSWORD" | docker login -u "$CI_REGISTRY_USER" --password-stdin "$CI_REGISTRY"', "template")
f.t('''
    - docker build -t "$CI_REGISTRY_IMAGE:$CI_COMMIT_SHA" .

register-runner:
  stage: deploy
  when: manual
  script:''')
f.s('    - gitlab-runner register --non-interactive --url https://gitlab.larkspur.dev --token glrt-%s --executor docker' % rs(ALNUM + "-_", 20), "gitlab-runner")
f.t('''
deploy:
  stage: deploy
  script:''')
f.s('    - git push https://oauth2:glpat-%s@gitlab.larkspur.dev/ops/manifests.git HEAD:main' % rs(ALNUM + "-_", 20), "gitlab-pat")

f = F(".circleci/config.yml", "circleci")
f.t('''
version: 2.1
orbs:
  node: circleci/node@5.2.0
jobs:
  test:
    docker:
      - image: cimg/node:20.11''')
f.t('        auth:')
f.t('          username: larkspurci')
f.s('          password: dckr_pat_%s' % rs(ALNUM + "-_", 27), "dockerhub")
f.t('    environment:')
f.s('      TFE_TOKEN: %s.atlasv1.%s' % (rs(ALNUM, 14), rs(ALNUM + "-_", 67)), "terraform-cloud")
f.s('      CODECOV_TOKEN: %s' % uuid4(), "codecov")
f.d('      CI_SEED: %s' % uuid4(), "uuid")
f.t('    steps:')
f.t('      - checkout')
f.t('      - restore_cache:')
f.t('          keys:')
f.d('            - v2-deps-{{ checksum "package-lock.json" }}', "template")
f.t('      - run: npm ci && npm test')

f = F("Jenkinsfile", "jenkinsfile")
f.t('''
pipeline {
  agent { label 'linux' }
  environment {''')
f.d("    REGISTRY_CREDS = credentials('%s')" % uuid4(), "uuid")
f.s("    SONAR_TOKEN = 'squ_%s'" % hexs(40), "sonarqube")
f.s("    ARTIFACTORY_API_KEY = 'AKCp%s'" % rs(ALNUM, 69), "artifactory")
f.t('''
  }
  stages {
    stage('build') {
      steps {
        sh './gradlew build'
      }
    }
    stage('notify') {
      steps {''')
f.s("        sh \"curl -s -X POST -H 'Content-Type: application/json' -d @msg.json %s\"" % teams_webhook("larkspur"), "teams-webhook")
f.d("        withCredentials([string(credentialsId: 'slack-webhook', variable: 'SLACK_URL')]) {", "placeholder")
f.d('          sh \'curl -s -X POST --data @msg.json "$SLACK_URL"\'', "template")
f.t('''
        }
      }
    }
  }
}''')

f = F("azure/pipelines/azure-pipelines.yml", "azure-pipelines")
f.t('''
trigger:
  branches:
    include: [main]
pool:
  vmImage: ubuntu-latest
variables:
  buildConfiguration: Release''')
acct = "larkartifacts"
f.s('  ARTIFACTS_CONNECTION: "DefaultEndpointsProtocol=https;AccountName=%s;AccountKey=%s;EndpointSuffix=core.windows.net"' % (acct, azure_storage_key()), "azure-storage")
f.d('  SYSTEM_ACCESSTOKEN: $(System.AccessToken)', "template")
f.t('steps:')
f.t('  - script: dotnet build --configuration $(buildConfiguration)')
f.s("  - script: az storage blob upload-batch -d drops -s out --account-name %s --sas-token 'sv=2022-11-02&ss=b&srt=co&sp=rwdlac&se=2026-12-31T23:59:59Z&st=2025-01-01T00:00:00Z&spr=https&sig=%s'" % (acct, sas_sig()), "azure-sas")

f = F("azure/scripts/Publish-Artifacts.ps1", "powershell")
f.t('''
param([string]$Path = "./out")
$ErrorActionPreference = "Stop"''')
f.d('$kvSecret = Get-AzKeyVaultSecret -VaultName "lark-kv" -Name "artifacts-sas" -AsPlainText', "vault-reference")
f.s('$sasUrl = "https://%s.blob.core.windows.net/drops?sp=racwl&st=2025-02-01T08:00:00Z&se=2026-02-01T16:00:00Z&spr=https&sv=2022-11-02&sr=c&sig=%s"' % (acct, sas_sig()), "azure-sas")
f.s('$sbConn = "Endpoint=sb://lark-events.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=%s"' % b64(rbytes(32)), "azure-servicebus")
f.d('$placeholder = "Endpoint=sb://<namespace>.servicebus.windows.net/;SharedAccessKeyName=<key-name>;SharedAccessKey=<key>"', "placeholder")
f.t('azcopy copy "$Path/*" $sasUrl --recursive')

# =============================================================================================
# JVM / .NET
# =============================================================================================
f = F("services/billing/src/main/resources/application.properties", "java-properties")
f.t('''
spring.application.name=billing
server.port=8081
spring.datasource.url=jdbc:postgresql://billing-db.lark.internal:5432/billing
spring.datasource.username=billing''')
f.s('spring.datasource.password=%s' % pw(17), "generic-password")
f.t('spring.mail.host=smtp.sendgrid.net')
f.t('spring.mail.username=apikey')
f.s('spring.mail.password=%s' % sendgrid(), "sendgrid")
f.d('billing.legacy.db.password=ENC(%s)' % b64(rbytes(24)), "encrypted")
f.d('billing.reporting.password=${REPORTING_DB_PASSWORD}', "template")
f.d('billing.export.password=%(password)s', "template")
f.s('billing.stripe.restricted-key=%s' % stripe("rk_live_"), "stripe")

f = F("services/billing/src/main/resources/application-prod.yml", "spring-yaml")
f.t('''
spring:
  security:
    oauth2:
      client:
        registration:
          github:
''')
f.d('            client-id: Iv1.%s' % hexs(16), "public-id")
f.s('            client-secret: %s' % hexs(40), "github-oauth-secret")
f.t('          okta:')
f.d('            client-id: 0oa%s' % rs(ALNUM, 17), "public-id")
f.s('            client-secret: %s' % rs(ALNUM + "-_", 64), "okta-client-secret")
f.t('          google:')
f.d('            client-id: %s-%s.apps.googleusercontent.com' % (rs(DIG, 12), rs(LO + DIG, 32)), "public-id")
f.s('            client-secret: GOCSPX-%s' % rs(ALNUM + "-_", 28), "google-oauth")
f.t('''
  cloud:
    config:''')
f.d("      password: '{cipher}%s'" % hexs(96), "encrypted")
f.t('billing:')
f.t('  jwt:')
f.s('    signing-secret: %s' % b64(rbytes(64)), "generic-secret")
f.d('    issuer-uri: ${OKTA_ISSUER:https://lark.okta.com/oauth2/default}', "template")
f.t('  okta:')
f.s('    api-token: 00%s' % rs(ALNUM + "-_", 40), "okta")

f = F("services/billing/src/main/kotlin/app/lark/billing/PaymentsConfig.kt", "kotlin")
f.t('''
package app.lark.billing

import org.springframework.context.annotation.Configuration

@Configuration
class PaymentsConfig {
    companion object {''')
f.s('        private const val BRAINTREE_PRIVATE_KEY = "%s"' % hexs(32), "braintree")
f.d('        private const val BRAINTREE_MERCHANT_ID = "%s"' % rs(LO + DIG, 16), "public-id")
f.d('        const val BUILD_SHA = "%s"' % sha1(), "sha1")
f.d('        const val SCHEMA_CHECKSUM = "%s"' % sha256h(), "sha256")
f.s('        private const val SHOPIFY_ADMIN_TOKEN = "shpat_%s"' % hexs(32), "shopify")
f.t('''
    }

    fun webhookSecret(): String = System.getenv("BILLING_WEBHOOK_SECRET") ?: error("missing")
}''')

f = F("services/identity/Identity.Api/appsettings.Production.json", "dotnet-appsettings")
f.t('''
{
  "Logging": { "LogLevel": { "Default": "Warning" } },
  "ConnectionStrings": {''')
f.s('    "IdentityDb": "Server=tcp:lark-sql-prod.database.windows.net,1433;Initial Catalog=identity;User ID=identity_app;Password=%s;Encrypt=True;TrustServerCertificate=False;",' % pw(20, "!#%^*"), "mssql-connection")
f.s('    "Redis": "lark-prod.redis.cache.windows.net:6380,password=%s=,ssl=True,abortConnect=False",' % rs(ALNUM, 43), "redis-connection")
f.s('    "Events": "Endpoint=sb://lark-identity.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccessKey=%s"' % b64(rbytes(32)), "azure-servicebus")
f.t('''
  },
  "AzureAd": {
    "Instance": "https://login.microsoftonline.com/",''')
f.d('    "TenantId": "%s",' % uuid4(), "uuid")
f.d('    "ClientId": "%s",' % uuid4(), "uuid")
f.s('    "ClientSecret": "%s%sQ~%s"' % (rs(ALNUM, 3), R.choice("78"), rs(ALNUM + "_~.-", 34)), "azure-ad-secret")
f.t('''
  },
  "KeyVault": {''')
f.d('    "SigningCert": "@Microsoft.KeyVault(SecretUri=https://lark-kv.vault.azure.net/secrets/signing-cert/)"', "vault-reference")
f.t('''
  },
  "Cosmos": {''')
f.s('    "ConnectionString": "AccountEndpoint=https://lark-identity.documents.azure.com:443/;AccountKey=%s;"' % azure_storage_key(), "azure-cosmos")
f.t('''
  }
}''')

f = F("services/identity/Identity.Api/appsettings.Development.json", "dotnet-appsettings")
f.t('''
{
  "ConnectionStrings": {''')
f.d('    "IdentityDb": "Server=(localdb)\\\\mssqllocaldb;Database=identity-dev;Trusted_Connection=True;MultipleActiveResultSets=true",', "placeholder")
f.d('    "Docker": "Server=localhost,1433;Database=identity;User Id=sa;Password=<YourStrong@Passw0rd>;TrustServerCertificate=True",', "placeholder")
f.d('    "Storage": "UseDevelopmentStorage=true"', "placeholder")
f.t('''
  },
  "AzureAd": {''')
f.d('    "ClientSecret": "<client-secret-from-portal>"', "placeholder")
f.t('''
  }
}''')

f = F("services/identity/Identity.Api/Services/EmailSender.cs", "csharp")
f.t('''
using SendGrid;
using SendGrid.Helpers.Mail;

namespace Identity.Api.Services;

public class EmailSender : IEmailSender
{''')
f.s('    private const string ApiKey = "%s";' % sendgrid(), "sendgrid")
f.d('    private readonly string _fallbackKey = Environment.GetEnvironmentVariable("SENDGRID_API_KEY") ?? "";', "env-lookup")
f.s('    private static readonly string PostmarkToken = "%s";' % uuid4(), "postmark")
f.t('''

    public async Task SendAsync(string to, string subject, string html)
    {
        var client = new SendGridClient(ApiKey);
        var msg = MailHelper.CreateSingleEmail(new EmailAddress("no-reply@larkspur.app"), new EmailAddress(to), subject, null, html);
        await client.SendEmailAsync(msg);
    }
}''')

f = F("services/identity/nuget.config", "nuget-config")
f.t('''
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
    <add key="lark" value="https://nuget.pkg.github.com/larkspur/index.json" />
  </packageSources>
  <packageSourceCredentials>
    <lark>
      <add key="Username" value="larkspur-ci" />''')
f.s('      <add key="ClearTextPassword" value="%s" />' % gh("ghp_"), "github-classic")
f.t('''
    </lark>
    <azure>''')
f.d('      <add key="ClearTextPassword" value="%NUGET_FEED_PAT%" />', "template")
f.t('''
    </azure>
  </packageSourceCredentials>
  <apikeys>''')
f.s('    <add key="https://www.nuget.org/api/v2/package" value="oy2%s" />' % rs(LO + DIG, 43), "nuget")
f.t('''
  </apikeys>
</configuration>''')

# =============================================================================================
# Go / Rust / Ruby / PHP
# =============================================================================================
f = F("services/notify/cmd/notify/main.go", "go")
tg = "%s:AA%s" % (rs(DIG, 10), rs(ALNUM + "-_", 33))
discord_uid = "1" + rs(DIG, 18)
f.t('''
package main

import (
	"log"
	"os"

	"github.com/larkspur/notify/internal/channels"
)

const (''')
f.s('	telegramBotToken = "%s"' % tg, "telegram")
f.s('	discordBotToken  = "%s.%s.%s"' % (b64(discord_uid.encode()).rstrip("="), rs(ALNUM + "-_", 6), rs(ALNUM + "-_", 38)), "discord-bot")
f.s('	discordAlerts    = "%s"' % discord_webhook(), "discord-webhook")
f.d('	buildCommit      = "%s"' % sha1(), "sha1")
f.t(''')

func main() {''')
f.d('	twilioSID := os.Getenv("TWILIO_ACCOUNT_SID")', "env-lookup")
f.s('	twilio := channels.NewTwilio(twilioSID, "SK%s", "%s")' % (hexs(32), rs(ALNUM, 32)), "twilio-api-key")
f.t('''
	if err := channels.Run(twilio); err != nil {
		log.Fatal(err)
	}
}''')

f = F("services/notify/go.sum", "go-sum")
for mod, ver in [("github.com/go-chi/chi/v5", "v5.0.12"), ("github.com/jackc/pgx/v5", "v5.5.5"),
                 ("golang.org/x/crypto", "v0.22.0"), ("google.golang.org/protobuf", "v1.33.0")]:
    f.d("%s %s h1:%s=" % (mod, ver, b64(rbytes(32))[:-1]), "go-sum")
    f.d("%s %s/go.mod h1:%s=" % (mod, ver, b64(rbytes(32))[:-1]), "go-sum")

f = F("services/edge/src/config.rs", "rust")
f.t('''
//! Edge worker configuration.
use std::env;
''')
f.s('const LINEAR_API_KEY: &str = "lin_api_%s";' % rs(ALNUM, 40), "linear")
f.s('const FIGMA_TOKEN: &str = "figd_%s";' % rs(ALNUM + "-_", 40), "figma")
f.s('const AIRTABLE_PAT: &str = "pat%s.%s";' % (rs(ALNUM, 14), hexs(64)), "airtable")
f.d('/// SHA-256("abc"), FIPS 180-2 test vector', "comment")
f.d('const SHA256_ABC: &str = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";', "test-vector")
f.d('const FNV_OFFSET: u64 = 0xcbf29ce484222325;', "constant")
f.t('''

pub fn notion_token() -> String {''')
f.d('    env::var("NOTION_TOKEN").unwrap_or_default()', "env-lookup")
f.t('}')
f.t('''

#[cfg(test)]
mod tests {
    #[test]
    fn parses_token() {''')
f.d('        let fake = "ntn_00000000000XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX";', "fake-fixture")
f.t('''
        assert!(super::looks_like_notion(fake));
    }
}''')

f = F("services/edge/Cargo.lock", "cargo-lock")
f.t('''
# This file is automatically @generated by Cargo.
# It is not intended for manual editing.
version = 3
''')
for name, ver in [("aho-corasick", "1.1.3"), ("bytes", "1.6.0"), ("hyper", "1.3.1"), ("serde", "1.0.203")]:
    f.t('''
[[package]]
name = "%s"
version = "%s"
source = "registry+https://github.com/rust-lang/crates.io-index"''' % (name, ver))
    f.d('checksum = "%s"' % sha256h(), "cargo-checksum")
    f.t('')

f = F("services/storefront/config/initializers/stripe.rb", "ruby")
f.t('# frozen_string_literal: true')
f.t('')
f.d("Stripe.api_key = ENV.fetch('STRIPE_SECRET_KEY')", "env-lookup")
f.s("Stripe.api_key = '%s' if Rails.env.production? && ENV['STRIPE_SECRET_KEY'].blank?" % stripe("sk_live_"), "stripe")
f.t("Stripe.api_version = '2024-06-20'")
f.t('')
f.s("Rails.configuration.x.notion_token = 'ntn_%s%s'" % (rs(DIG, 11), rs(ALNUM, 35)), "notion")
f.s("Rails.configuration.x.postman_key = 'PMAK-%s-%s'" % (hexs(24), hexs(34)), "postman")

f = F("services/storefront/config/database.yml", "rails-database-yml")
f.t('''
default: &default
  adapter: postgresql
  encoding: unicode
  pool: <%= ENV.fetch("RAILS_MAX_THREADS") { 5 } %>

development:
  <<: *default
  database: storefront_development''')
f.d('  password: <%= ENV["DATABASE_PASSWORD"] %>', "template")
f.t('''
production:
  <<: *default
  database: storefront_production
  username: storefront''')
f.s('  password: %s' % pw(21), "generic-password")
f.t('  host: storefront-db.lark.internal')

f = F("services/storefront/config/master.key", "rails-master-key")
f.s(hexs(32), "rails-master-key")

f = F("services/storefront/config/credentials.yml.enc", "rails-credentials-enc")
f.d("%s--%s--%s" % (b64(rbytes(420)), b64(rbytes(12)), b64(rbytes(16))), "encrypted")

f = F("services/shop-php/.env", "laravel-dotenv")
f.t('''
APP_NAME=LarkShop
APP_ENV=production''')
f.s('APP_KEY=base64:%s' % b64(rbytes(32)), "laravel-app-key")
f.t('''
APP_DEBUG=false
APP_URL=https://shop.larkspur.app

DB_CONNECTION=mysql
DB_HOST=shop-db.lark.internal
DB_PORT=3306
DB_DATABASE=shop
DB_USERNAME=shop''')
f.s('DB_PASSWORD=%s' % pw(18), "generic-password")
f.t('')
f.s('PAYPAL_CLIENT_SECRET=E%s' % rs(ALNUM + "-_", 79), "paypal")
f.t('PAYPAL_MODE=live')
f.d('MAIL_PASSWORD=null', "placeholder")
f.d('PUSHER_APP_KEY=%s' % hexs(20), "public-id")

f = F("services/shop-php/wp/wp-config.php", "php")
f.t('''
<?php
/** WordPress base configuration (blog.larkspur.app) */
define( 'DB_NAME', 'wp_blog' );
define( 'DB_USER', 'wp_blog' );''')
f.s("define( 'DB_PASSWORD', '%s' );" % pw(16), "generic-password")
f.t("define( 'DB_HOST', 'blog-db.lark.internal' );")
f.t('')
WPSALT = string.ascii_letters + string.digits + "!@#$%^&*()-_=+[]{}<>~`+=,.;:/?|"
for k in ("AUTH_KEY", "SECURE_AUTH_KEY", "LOGGED_IN_KEY"):
    f.s("define( '%s',%s'%s' );" % (k, " " * (17 - len(k)), rs(WPSALT.replace("'", ""), 64)), "wordpress-salt")
f.d("define( 'NONCE_KEY',        'put your unique phrase here' );", "placeholder")
f.t('''
$table_prefix = 'wp_';
define( 'WP_DEBUG', false );
require_once ABSPATH . 'wp-settings.php';''')

f = F("services/shop-php/src/Payments/MolliePayments.php", "php")
f.t('''
<?php
namespace Lark\\Shop\\Payments;

final class MolliePayments
{''')
f.s("    private const API_KEY = 'live_%s';" % rs(ALNUM, 30), "mollie")
f.d("    private const TEST_KEY_PLACEHOLDER = 'test_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx';", "placeholder")
f.t('''

    public function client(): \\Mollie\\Api\\MollieApiClient
    {
        $c = new \\Mollie\\Api\\MollieApiClient();''')
f.d("        $c->setApiKey(getenv('MOLLIE_API_KEY') ?: self::API_KEY);", "env-lookup")
f.t('''
        return $c;
    }
}''')

# =============================================================================================
# shell
# =============================================================================================
f = F("scripts/ops/rotate-keys.sh", "shell")
f.t('''
#!/usr/bin/env bash
# Rotates deploy keys across providers. Run from the ops bastion.
set -euo pipefail
''')
f.d('TOKEN="$(cat /run/secrets/gh_admin_token)"', "placeholder")
f.d('curl -fsS -H "Authorization: Bearer ${TOKEN}" https://api.github.com/orgs/larkspur/actions/secrets/public-key', "template")
f.s("curl -fsS -H 'Authorization: Bearer %s' https://api.github.com/repos/larkspur/api/keys" % gh_fine(), "github-fine-grained")
f.s("curl -fsS -H 'Authorization: Bearer %s' https://api.vercel.com/v9/projects" % rs(ALNUM, 24), "vercel")
f.s('curl -fsS -H "Authorization: Bearer %s" "https://api.cloudflare.com/client/v4/user/tokens/verify"' % rs(ALNUM + "_-", 40), "cloudflare")
f.s("curl -fsS -u 'ops@larkspur.app:ATATT3xFfGF0%s=%s' https://larkspur.atlassian.net/rest/api/3/myself" % (rs(ALNUM + "-_", 171), rs(UP + DIG, 8)), "atlassian")
f.s('curl -fsS -H "X-Vault-Token: hvs.CAESI%s" https://vault.lark.internal:8200/v1/sys/leases/tidy' % rs(ALNUM + "-_", 86), "vault-token")
f.s('export DOPPLER_TOKEN="dp.st.prd.%s"' % rs(ALNUM, 43), "doppler")
f.d('export GRAFANA_TOKEN="$(vault kv get -field=token secret/ops/grafana)"', "vault-reference")
f.d('curl -fsS -H "Authorization: Bearer $GRAFANA_TOKEN" https://grafana.lark.internal/api/serviceaccounts/search', "template")
f.s('curl -fsS -H "Authorization: Bearer glsa_%s_%s" https://grafana.lark.internal/api/health' % (rs(ALNUM, 32), hexs(8)), "grafana")
f.s('curl -fsS -H "Api-Key: NRAK-%s" https://api.newrelic.com/graphql -d @query.json' % rs(UP + DIG, 27), "newrelic")
f.d('echo "rotated at $(date -u +%FT%TZ) by ${USER}"', "template")

f = F("scripts/ops/backup-db.sh", "shell")
f.t('''
#!/bin/sh
# nightly logical backup -> s3
set -eu''')
f.s("export PGPASSWORD='%s'" % pw(20), "generic-password")
f.t('pg_dump -h billing-db.lark.internal -U billing billing | gzip > /backup/billing-$(date +%F).sql.gz')
f.s("mysqldump -h shop-db.lark.internal -u shop -p'%s' shop | gzip > /backup/shop-$(date +%%F).sql.gz" % pw(16), "generic-password")
f.d('MONGO_PASSWORD="$(aws ssm get-parameter --with-decryption --name /prod/mongo/password --query Parameter.Value --output text)"', "vault-reference")
f.s('mongodump --uri "mongodb+srv://backup:%s@cluster0.%s.mongodb.net/orders" --archive=/backup/orders.archive' % (pw(18, "-_"), rs(LO + DIG, 5)), "mongodb-uri")
f.d('mongodump --uri "mongodb+srv://backup:${MONGO_PASSWORD}@cluster0.x7k2p.mongodb.net/orders" --archive=/backup/orders2.archive', "template")
f.t('aws s3 sync /backup s3://lark-db-backups/$(hostname)/ --sse aws:kms')

f = F("scripts/ci/assume-role.env", "shell-exports")
f.t('# output of `aws sts assume-role ... | jq -r` pasted for the hotfix deploy, 2025-03-02')
f.s(["export AWS_ACCESS_KEY_ID=%s" % aws_id("ASIA"),
     "export AWS_SECRET_ACCESS_KEY=%s" % aws_secret(),
     "export AWS_SESSION_TOKEN=%s" % aws_session()], "aws")
f.t('export AWS_REGION=eu-west-1')

# =============================================================================================
# AI / notebooks
# =============================================================================================
def nb(f, cells):
    """cells: list of (cell_type, [(line_text, label)], outputs_lines). label = None | ('secret'|'decoy', provider)."""
    f.t('{')
    f.t(' "cells": [')
    for ci, (ctype, src, outputs) in enumerate(cells):
        f.t('  {')
        f.t('   "cell_type": "%s",' % ctype)
        if ctype == "code":
            f.t('   "execution_count": %d,' % (ci + 1))
        f.t('   "metadata": {},')
        if ctype == "code":
            if outputs:
                f.t('   "outputs": [')
                for oi, (olabel, olines) in enumerate(outputs):
                    for j, ol in enumerate(olines):
                        if olabel and j == olabel[2]:
                            f._lab(ol, olabel[0], olabel[1])
                        else:
                            f.t(ol)
                    if oi < len(outputs) - 1:
                        f.lines[-1] += ","
                f.t('   ],')
            else:
                f.t('   "outputs": [],')
        f.t('   "source": [')
        for li, (text, lab) in enumerate(src):
            enc = json.dumps(text + ("\n" if li < len(src) - 1 else ""))
            line = '    ' + enc + ("," if li < len(src) - 1 else "")
            if lab:
                f._lab(line, lab[0], lab[1])
            else:
                f.t(line)
        f.t('   ]')
        f.t('  }' + ("," if ci < len(cells) - 1 else ""))
    f.t(''' ],
 "metadata": {
  "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
  "language_info": {"name": "python", "version": "3.11.7"}
 },
 "nbformat": 4,
 "nbformat_minor": 5
}''')


f = F("notebooks/rag-eval.ipynb", "jupyter")
S, D = "secret", "decoy"
png = "iVBORw0KGgoAAAANSUhEUgAAAoAAAAHgCAYAAAA10dzkAAAAOXRFWHRTb2Z0d2FyZQBNYXRwbG90bGliIHZlcnNpb24zLjguMiwgaHR0cHM6Ly9tYXRwbG90bGliLm9yZy8g" + rs(B64, 1400) + "=="
nb(f, [
    ("markdown", [("# RAG eval: reranker A/B", None), ("Set your keys below (do **not** commit real keys).", None)], None),
    ("code", [("import os", None),
              ("from openai import OpenAI", None),
              ("from pinecone import Pinecone", None),
              ("import cohere", None),
              ("", None),
              ('os.environ["OPENAI_API_KEY"] = "%s"' % openai("proj"), (S, "openai-project")),
              ('pc = Pinecone(api_key="pcsk_%s_%s")' % (rs(ALNUM, 6), rs(ALNUM, 63)), (S, "pinecone")),
              ('co = cohere.Client("%s")' % rs(ALNUM, 40), (S, "cohere")),
              ('# openai_key = "sk-..."  # paste yours', (D, "placeholder")),
              ('index = pc.Index(host=os.environ.get("PINECONE_HOST", "https://docs-%s.svc.aped-4627-b74a.pinecone.io"))' % hexs(7), (D, "env-lookup"))], None),
    ("code", [("df = run_eval(index, co, k=20)", None), ("df.plot.bar(x='reranker', y='ndcg@10')", None)],
     [((D, "base64-nonsecret", 2), [
         '    {',
         '     "data": {',
         '      "image/png": ' + json.dumps(png) + ',',
         '      "text/plain": ["<Figure size 640x480 with 1 Axes>"]',
         '     },',
         '     "metadata": {},',
         '     "output_type": "display_data"',
         '    }']),
      ((D, "uuid", 3), [
         '    {',
         '     "name": "stdout",',
         '     "output_type": "stream",',
         '     "text": ["run_id=%s\\n"]' % uuid4(),
         '    }'])]),
])

f = F("notebooks/finetune-llama.ipynb", "jupyter")
nb(f, [
    ("code", [("from huggingface_hub import login", None),
              ('login(token="%s")' % hf(), (S, "huggingface")),
              ("import wandb", None),
              ('wandb.login(key="%s")' % hexs(40), (S, "wandb")),
              ("from together import Together", None),
              ('client = Together(api_key="tgp_v1_%s")' % rs(B64URL, 43), (S, "together")),
              ("from google.colab import userdata", None),
              ("replicate_token = userdata.get('REPLICATE_API_TOKEN')", (D, "env-lookup"))], None),
    ("code", [("import replicate", None),
              ('os.environ["REPLICATE_API_TOKEN"] = "r8_%s"' % rs(ALNUM, 37), (S, "replicate")),
              ("torch.manual_seed(3407)", None),
              ('SEED_HEX = "%s"  # numpy bit generator state, not a key' % hexs(32), (D, "random-seed"))], None),
])

f = F("ai/agents/langchain_app.py", "python-langchain")
f.t('''
"""Support agent: LangChain + Anthropic, with Groq for cheap classification."""
import os

from langchain_anthropic import ChatAnthropic
from langchain_groq import ChatGroq
from langchain_mistralai import ChatMistralAI
''')
f.s('os.environ["LANGCHAIN_API_KEY"] = "lsv2_pt_%s_%s"' % (hexs(32), hexs(10)), "langsmith")
f.t('os.environ["LANGCHAIN_TRACING_V2"] = "true"')
f.t('')
f.s('llm = ChatAnthropic(model="claude-3-5-sonnet-latest", api_key="%s")' % anthropic(), "anthropic")
f.s('router = ChatGroq(model="llama-3.1-8b-instant", groq_api_key="gsk_%s")' % rs(ALNUM, 52), "groq")
f.s('fallback = ChatMistralAI(model="mistral-large-latest", mistral_api_key="%s")' % rs(ALNUM, 32), "mistral")
f.d('judge = ChatAnthropic(model="claude-3-5-haiku-latest", api_key=os.environ["ANTHROPIC_API_KEY"])', "env-lookup")
f.d('backup = ChatGroq(api_key=os.getenv("GROQ_API_KEY", "gsk_your_key_here"))', "placeholder")
f.t('')
f.t('')
f.t('def answer(q: str) -> str:')
f.t('    return llm.invoke(q).content')

f = F("ai/agents/llamaindex_pipeline.py", "python-llamaindex")
f.t('''
from llama_index.core import Settings, VectorStoreIndex
from llama_index.llms.openrouter import OpenRouter
from llama_index.llms.perplexity import Perplexity
from llama_index.llms.fireworks import Fireworks

# Example:
#     llm = OpenRouter(api_key="<OPENROUTER_API_KEY>", model="...")''')
f.d('#     pplx = Perplexity(api_key="pplx-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")', "placeholder")
f.t('')
f.s('Settings.llm = OpenRouter(api_key="sk-or-v1-%s", model="openai/gpt-4o")' % hexs(64), "openrouter")
f.s('pplx = Perplexity(api_key="pplx-%s", model="sonar-pro")' % rs(ALNUM, 48), "perplexity")
f.s('fw = Fireworks(api_key="fw_%s", model="accounts/fireworks/models/llama-v3p1-70b-instruct")' % rs(ALNUM, 24), "fireworks")
f.s('XAI_API_KEY = "xai-%s"' % rs(ALNUM, 80), "xai")
f.s('DEEPSEEK_API_KEY = "sk-%s"' % hexs(32), "deepseek")
f.d('EMBED_CACHE_KEY = "%s"  # sha256 of the corpus manifest' % sha256h(), "sha256")
f.t('')
f.t('index = VectorStoreIndex.from_documents(load_docs())')

f = F("ai/agents/src/clients.ts", "typescript")
f.t('''
import OpenAI from "openai";
import Anthropic from "@anthropic-ai/sdk";
import { GoogleGenerativeAI } from "@google/generative-ai";
''')
f.s('export const openai = new OpenAI({ apiKey: "%s" });' % openai("svcacct"), "openai-service-account")
f.s('export const openaiAdmin = new OpenAI({ apiKey: "%s" });' % openai("admin"), "openai-admin")
f.s('export const anthropicAdmin = new Anthropic({ apiKey: "%s" });' % anthropic("admin01"), "anthropic-admin")
f.s('export const gemini = new GoogleGenerativeAI("AIza%s");' % rs(ALNUM + "-_", 35), "google-api-key")
f.d('export const anthropic = new Anthropic({ apiKey: process.env.ANTHROPIC_API_KEY });', "env-lookup")
f.d('export const legacy = new OpenAI({ apiKey: process.env.OPENAI_API_KEY ?? "sk-..." });', "placeholder")
f.s('export const ELEVENLABS_KEY = "sk_%s";' % hexs(48), "elevenlabs")

f = F("ai/eval/providers.toml", "toml")
f.t('''
[defaults]
temperature = 0.0
max_tokens = 1024

[databricks]
host = "https://adb-%s.%s.azuredatabricks.net"''' % (rs(DIG, 16), rs(DIG, 2)))
f.s('token = "dapi%s-2"' % hexs(32), "databricks")
f.t('''
[azure_openai]
endpoint = "https://lark-eastus2.openai.azure.com/"''')
f.s('api_key = "%s"' % hexs(32), "azure-openai")
f.t('api_version = "2024-10-21"')
f.t('')
f.t('[openai]')
f.s('api_key = "sk-%sT3BlbkFJ%s"' % (rs(ALNUM, 20), rs(ALNUM, 20)), "openai-legacy")
f.d('organization = "org-%s"' % rs(ALNUM, 24), "public-id")
f.t('')
f.t('[anthropic]')
f.d('api_key = "${ANTHROPIC_API_KEY}"', "template")
f.t('')
f.t('[vertex]')
f.d('project = "lark-ml-%s"' % rs(LO + DIG, 6), "resource-id")
f.d('credentials = "vault:secret/data/ml/vertex#service_account"', "vault-reference")

# =============================================================================================
# dotfiles / home directory of a deploy user
# =============================================================================================
f = F("home/deploy/.netrc", "netrc")
f.s('machine github.com login larkspur-bot password %s' % gh("gho_"), "github-oauth")
f.s('machine api.heroku.com login ops@larkspur.app password HRKU-AA%s' % rs(ALNUM + "-_", 58), "heroku")
f.s('machine artifactory.lark.internal login ci password %s' % pw(18), "generic-password")
f.d('machine example.com login anonymous password anonymous', "placeholder")

f = F("home/deploy/.git-credentials", "git-credentials")
f.s('https://x-access-token:%s@github.com' % gh("ghs_"), "github-app")
f.s('https://kris-lark:glpat-%s@gitlab.larkspur.dev' % rs(ALNUM + "-_", 20), "gitlab-pat")
f.s('https://lark-ci:ATBB%s%s@bitbucket.org' % (rs(ALNUM, 24), rs(UP + DIG, 8)), "bitbucket")
f.s('https://ops:%s@git.lark.internal' % pw(15, "!-_"), "generic-url-password")

f = F("home/deploy/.pgpass", "pgpass")
f.d('# hostname:port:database:username:password', "comment")
f.s('billing-db.lark.internal:5432:billing:billing:%s' % pw(20, "!#%^-_+"), "pgpass")
f.s('*:5432:*:replicator:%s' % pw(18, "!#%^-_+"), "pgpass")
f.d('localhost:5432:*:postgres:postgres', "placeholder")

f = F("home/deploy/.my.cnf", "mysql-cnf")
f.t('''
[client]
user=shop
host=shop-db.lark.internal''')
f.s('password="%s"' % pw(17), "generic-password")
f.t('')
f.t('[mysqldump]')
f.t('single-transaction')

f = F("home/deploy/.ssh/id_ed25519_deploy", "openssh-key")
ssh2_lines, ssh2_pub = openssh_ed25519("deploy@ci-runner-07")
f.s(ssh2_lines, "private-key")

f = F("home/deploy/.ssh/id_ed25519_deploy.pub", "ssh-public-key")
f.d(ssh2_pub, "public-key")

f = F("home/deploy/.ssh/authorized_keys", "ssh-authorized-keys")
f.d(openssh_ed25519("kris@laptop")[1], "public-key")
f.d('ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABgQ%s ops-break-glass' % rs(B64, 530), "public-key")

f = F("home/deploy/.ssh/known_hosts", "ssh-known-hosts")
for h in ("github.com", "gitlab.larkspur.dev", "10.40.1.11"):
    f.d('%s ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI%s' % (h, rs(B64, 43)), "public-key")

f = F("home/deploy/.gnupg/release-signing-secret.asc", "pgp-private-key")
f.t('# exported with: gpg --export-secret-keys --armor releases@larkspur.app')
f.s(pgp_block("PRIVATE KEY", b"\x95\x03\x98\x04" + rbytes(4) + b"\x01\x0c\x00"), "pgp-private-key")

f = F("home/deploy/.gnupg/release-signing-public.asc", "pgp-public-key")
f.d(pgp_block("PUBLIC KEY", b"\x99\x01\x8d\x04" + rbytes(4) + b"\x01\x0c\x00"), "public-key")

sa_email = "ci-deployer@lark-prod-%s.iam.gserviceaccount.com" % rs(DIG, 6)
f = F("home/deploy/.config/gcloud/ci-deployer.json", "gcp-service-account")
f.t('{')
f.t('  "type": "service_account",')
f.t('  "project_id": "%s",' % sa_email.split("@")[1].split(".")[0])
f.s(['  "private_key_id": "%s",' % hexs(40),
     '  "private_key": "%s\\n",' % "\\n".join(pem("PRIVATE KEY", rsa_pkcs8_der()))], "gcp-service-account")
f.t('  "client_email": "%s",' % sa_email)
f.d('  "client_id": "1%s",' % rs(DIG, 20), "public-id")
f.t('''
  "auth_uri": "https://accounts.google.com/o/oauth2/auth",
  "token_uri": "https://oauth2.googleapis.com/token",
  "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",''')
f.t('  "client_x509_cert_url": "https://www.googleapis.com/robot/v1/metadata/x509/%s",' % sa_email.replace("@", "%40"))
f.t('  "universe_domain": "googleapis.com"')
f.t('}')

f = F("home/deploy/.docker/config.json", "docker-config")
f.t('{')
f.t('  "auths": {')
f.t('    "registry.lark.internal:5000": {')
f.s('      "auth": "%s"' % b64(("ci:" + pw(20)).encode()), "docker-auth")
f.t('    },')
f.t('    "https://index.docker.io/v1/": {')
f.s('      "auth": "%s"' % b64(("larkspurci:dckr_pat_" + rs(ALNUM + "-_", 27)).encode()), "dockerhub-b64")
f.t('    },')
f.t('    "lark.azurecr.io": {')
f.s('      "identitytoken": "%s"' % jwt({"jti": uuid4(), "sub": "ci@larkspur.app", "aud": "lark.azurecr.io", "exp": 1767225600, "grant_type": "refresh_token", "tenant": uuid4(), "version": "1.0"}, alg="RS256"), "azure-acr-refresh-token")
f.t('    }')
f.t('  },')
f.d('  "credsStore": "desktop",', "placeholder")
f.d('  "credHelpers": { "481516234200.dkr.ecr.eu-west-1.amazonaws.com": "ecr-login" }', "placeholder")
f.t('}')

f = F("home/deploy/.npmrc", "npmrc")
f.s('//registry.npmjs.org/:_authToken=%s' % gh("npm_"), "npm")
f.s('//npm.pkg.github.com/:_authToken=%s' % gh("ghp_"), "github-classic")
f.d('//npm.lark.internal/:_authToken=${LARK_NPM_TOKEN}', "template")
f.t('@larkspur:registry=https://npm.pkg.github.com')
f.t('always-auth=true')

f = F("home/deploy/.pypirc", "pypirc")
f.t('''
[distutils]
index-servers =
    pypi
    lark

[pypi]''')
f.d('username = __token__', "placeholder")
f.s('password = %s' % pypi(), "pypi")
f.t('''
[lark]
repository = https://pypi.lark.internal/simple/
username = ci''')
f.s('password = %s' % pw(19), "generic-password")

f = F("home/deploy/.gem/credentials", "gem-credentials")
f.t('---')
f.s(':rubygems_api_key: rubygems_%s' % hexs(48), "rubygems")
f.s(':github: Bearer %s' % gh("ghp_"), "github-classic")

f = F("home/deploy/.config/age/keys.txt", "age-key")
f.t('# created: 2025-01-09T11:02:17+01:00')
f.d('# public key: age1%s' % rs(BECH32, 58), "public-key")
f.s('AGE-SECRET-KEY-1%s' % rs(BECH32.upper(), 58), "age")

f = F("home/deploy/.config/gh/hosts.yml", "gh-cli")
f.t('github.com:')
f.t('    users:')
f.t('        larkspur-bot:')
f.s('            oauth_token: %s' % gh("gho_"), "github-oauth")
f.t('    git_protocol: https')
f.t('    user: larkspur-bot')
f.t('github.lark.internal:')
f.s('    oauth_token: %s' % gh("ghu_"), "github-user-to-server")
f.t('    user: ci')

f = F("home/deploy/.config/gh-app/refresh.json", "json")
f.t('{')
f.d('  "installation_id": 51234087,', "public-id")
f.s('  "refresh_token": "%s",' % gh("ghr_", 70), "github-refresh")
f.d('  "expires_at": "2025-09-01T00:00:00Z"', "placeholder")
f.t('}')

f = F("deploy/keys/legacy-sftp.key", "pem-file")
f.s(pem("RSA PRIVATE KEY", rsa_pkcs1_der()), "private-key")

f = F("deploy/keys/putty-admin.ppk", "putty-key")
# the whole file is one private key: a single span
f.s(['PuTTY-User-Key-File-3: ssh-rsa', 'Encryption: none', 'Comment: rsa-key-20240514-admin', 'Public-Lines: 6']
    + [rs(B64, 64) for _ in range(5)] + [rs(B64, 20)] + ['Private-Lines: 14']
    + [rs(B64, 64) for _ in range(13)] + [rs(B64, 40) + "=="] + ['Private-MAC: %s' % sha256h()], "private-key")

f = F("deploy/keys/signing.pub.pem", "pem-public")
f.d(pem("PUBLIC KEY", pubkey_der()), "public-key")

f = F("deploy/keys/edge-chain.pem", "pem-certificate")
f.d(pem("CERTIFICATE", cert_der()), "certificate")
f.d(pem("CERTIFICATE", cert_der()), "certificate")

# =============================================================================================
# alerting / monitoring configs
# =============================================================================================
f = F("ops/alertmanager/alertmanager.yml", "alertmanager")
f.t('''
global:
  resolve_timeout: 5m''')
f.s('  slack_api_url: %s' % slack_webhook(), "slack-webhook")
f.t('''
route:
  receiver: oncall
receivers:
  - name: oncall
    pagerduty_configs:''')
f.s('      - routing_key: %s' % hexs(32), "pagerduty")
f.t('    opsgenie_configs:')
f.s('      - api_key: %s' % uuid4(), "opsgenie")
f.t('    webhook_configs:')
f.d('      - url: http://alert-relay.monitoring.svc:8080/hook', "url")
f.t('  - name: platform')
f.t('    slack_configs:')
f.d('      - api_url_file: /etc/alertmanager/secrets/slack-platform-url', "path")
f.t('        channel: "#platform-alerts"')

f = F("ops/grafana/provisioning/datasources/datasources.yaml", "grafana-provisioning")
f.t('''
apiVersion: 1
datasources:
  - name: Loki
    type: loki
    url: http://loki.monitoring.svc:3100
    basicAuth: true
    basicAuthUser: grafana''')
f.t('    secureJsonData:')
f.s('      basicAuthPassword: %s' % pw(22), "generic-password")
f.t('  - name: Mimir')
f.t('    type: prometheus')
f.t('    secureJsonData:')
f.d('      basicAuthPassword: $__env{MIMIR_PASSWORD}', "template")
f.t('  - name: Cloud')
f.t('    type: prometheus')
f.t('    secureJsonData:')
f.s('      httpHeaderValue1: "Bearer glc_%s"' % b64(json.dumps({"o": rs(DIG, 6), "n": "stack-%s-read" % rs(DIG, 6), "k": rs(ALNUM, 24), "m": {"r": "prod-eu-west-2"}}, separators=(",", ":")).encode()).rstrip("="), "grafana-cloud")

f = F("ops/slack-bot/manifest.env", "dotenv")
f.s('SLACK_APP_TOKEN=%s' % slack_app(), "slack-app")
f.s('SLACK_USER_TOKEN=%s' % slack_user(), "slack-user")
f.s('SLACK_SIGNING_SECRET=%s' % hexs(32), "slack-signing-secret")
f.d('SLACK_BOT_TOKEN=xoxb-your-bot-token', "placeholder")
f.d('SLACK_TEAM_ID=T%s' % rs(UP + DIG, 10), "public-id")

# =============================================================================================
# docs, frontend build output, lock files, tests: mostly decoys
# =============================================================================================
f = F("docs/runbooks/aws-access.md", "markdown")
f.t('''
# AWS access for on-call

Use SSO (`aws sso login --profile lark-prod`). Never create long-lived keys. If a tool insists on
static credentials, the format looks like this (AWS documentation example values):

```ini
[default]''')
f.d('aws_access_key_id = AKIAIOSFODNN7EXAMPLE', "aws-example")
f.d('aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', "aws-example")
f.t('```')
f.t('')
f.t('Session credentials also carry a token:')
f.t('')
f.t('```bash')
f.d('export AWS_ACCESS_KEY_ID=ASIAIOSFODNN7EXAMPLE', "aws-example")
f.d('export AWS_SESSION_TOKEN=<session-token-from-sts>', "placeholder")
f.t('```')
f.t('')
f.t('The break-glass role is `arn:aws:iam::481516234200:role/BreakGlass`, approved in PagerDuty.')

f = F("docs/integrations/webhooks.md", "markdown")
f.t('''
# Outgoing webhooks and payment keys

## Slack

Create an incoming webhook and put its URL in the `SLACK_WEBHOOK_URL` secret. It looks like:
''')
f.d('    https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX', "slack-doc-example")
f.t('')
f.t('## Stripe')
f.t('')
f.t("Local development uses Stripe's public documentation test key:")
f.t('')
f.d('    export STRIPE_SECRET_KEY=sk_test_4eC39HqLyjWDarjtT1zdp7dc', "stripe-doc-example")
f.t('')
f.t('Production keys live in Vault at `secret/payments/stripe` (never paste them here).')
f.t('')
f.t('## Microsoft Teams')
f.t('')
f.t('The on-call channel connector (rotated after the 2025-01 incident? check with Kris):')
f.t('')
f.s('    %s' % teams_webhook("larkspur"), "teams-webhook")
f.t('')
f.t('## GitHub')
f.t('')
f.d('Tokens look like `ghp_XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX` or `github_pat_<22 chars>_<59 chars>`.', "placeholder")

f = F("docs/adr/0007-secret-management.md", "markdown")
f.t('''
# ADR 0007: secret management

Status: accepted (2024-11-02), supersedes ADR 0003 (commit %s).

We use Vault for runtime secrets and SOPS+age for GitOps. Example reference in a Helm chart:
''' % sha1())
f.t('```yaml')
f.d('password: "vault:secret/data/apps/payments#db_password"', "vault-reference")
f.d('apiKey: "{{ .Values.global.apiKey }}"', "template")
f.d('token: "***"', "placeholder")
f.d('clientSecret: "<your-client-secret>"', "placeholder")
f.d('api_key: YOUR_API_KEY', "placeholder")
f.d('webhook_secret: xxxxxxxxxxxxxxxxxxxxxxxx', "placeholder")
f.t('```')
f.t('')
f.t('Related: the rotation job (`scripts/ops/rotate-keys.sh`) and the pre-commit hook.')

f = F("frontend/build/asset-manifest.json", "asset-manifest")
f.t('{')
f.t('  "files": {')
for name, ext in [("main", "js"), ("main", "css"), ("vendors", "js"), ("runtime", "js")]:
    h = hexs(8)
    f.d('    "%s.%s": "/static/%s/%s.%s.%s",' % (name, ext, ext, name, h, ext), "asset-hash")
f.d('    "index.html": "/index.html?v=%s"' % hexs(20), "asset-hash")
f.t('  },')
f.d('  "buildId": "%s"' % rs(ALNUM + "-_", 21), "build-id")
f.t('}')

f = F("frontend/build/static/js/main.min.js", "minified-js")
ident = lambda: R.choice(LO) + rs(ALNUM, R.randint(1, 2))
f.d('"use strict";(self.webpackChunklark=self.webpackChunklark||[]).push([[179],{%d:function(e,t,n){var r=n(%d),o=n(%d);function %s(e){return r.createElement("div",{className:"%s"},e.children)}t.Z=%s},' % (R.randint(1000, 9999), R.randint(1000, 9999), R.randint(1000, 9999), ident(), "css-" + rs(LO + DIG, 7), ident()) , "minified-js")
f.d('%d:function(e,t,n){n.d(t,{Z:function(){return %s}});var %s="data:image/svg+xml;base64,%s";function %s(){return %s}},' % (R.randint(1000, 9999), ident(), ident(), b64(b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><path d="M12 2L2 7l10 5 10-5-10-5z"/></svg>'), ident(), ident()), "base64-nonsecret")
f.d('%d:function(e){e.exports={integrity:"%s",chunk:"%s"}}}]);' % (R.randint(1000, 9999), sri512(), hexs(20)), "integrity-hash")
f.t('//# sourceMappingURL=main.%s.js.map' % hexs(8))

f = F("frontend/src/config.ts", "typescript")
f.d('export const POSTHOG_KEY = "phc_%s"; // public project key, safe in the browser' % rs(ALNUM, 43), "public-key")
f.d('export const STRIPE_PK = import.meta.env.VITE_STRIPE_PUBLISHABLE_KEY;', "env-lookup")
f.d('export const SENTRY_RELEASE = "%s";' % sha1(), "sha1")
f.d('export const CSP_NONCE_SEED = "__CSP_NONCE__"; // replaced at build time', "placeholder")
f.t('export const API_BASE = "https://api.larkspur.app";')

f = F("frontend/package-lock.json", "package-lock")
f.t('''
{
  "name": "lark-frontend",
  "version": "3.4.0",
  "lockfileVersion": 3,
  "requires": true,
  "packages": {''')
pk = [("react", "18.3.1"), ("react-dom", "18.3.1"), ("scheduler", "0.23.2"), ("zod", "3.23.8"), ("clsx", "2.1.1")]
for i, (name, ver) in enumerate(pk):
    f.t('    "node_modules/%s": {' % name)
    f.t('      "version": "%s",' % ver)
    f.t('      "resolved": "https://registry.npmjs.org/%s/-/%s-%s.tgz",' % (name, name, ver))
    f.d('      "integrity": "%s",' % sri512(), "integrity-hash")
    f.t('      "license": "MIT"')
    f.t('    }' + ("," if i < len(pk) - 1 else ""))
f.t('  }')
f.t('}')

f = F("ai/eval/requirements.lock", "pip-hashes")
for name, ver in [("numpy", "1.26.4"), ("openai", "1.35.3"), ("anthropic", "0.29.0"), ("tiktoken", "0.7.0")]:
    f.t('%s==%s \\' % (name, ver))
    f.d('    --hash=sha256:%s \\' % sha256h(), "pip-hash")
    f.d('    --hash=sha256:%s' % sha256h(), "pip-hash")

f = F("tests/fixtures/fake_credentials.py", "test-fixture")
f.t('"""Obviously fake credentials for parser unit tests. None of these are real."""')
f.t('')
f.d('FAKE_GITHUB = "ghp_" + "x" * 36', "fake-fixture")
f.d('FAKE_AWS_ID = "AKIAXXXXXXXXXXXXXXXX"', "fake-fixture")
f.d('FAKE_AWS_SECRET = "0000000000000000000000000000000000000000"', "fake-fixture")
f.d('FAKE_SLACK = "xoxb-000000000000-0000000000000-XXXXXXXXXXXXXXXXXXXXXXXX"', "fake-fixture")
f.d('FAKE_ANTHROPIC = "sk-ant-api03-" + "A" * 93 + "AA"', "fake-fixture")
f.d('FAKE_STRIPE = "sk_live_" + "0" * 24', "fake-fixture")
f.d('FAKE_PASSWORD = "hunter2"', "fake-fixture")
f.d('FAKE_DSN = "postgres://user:password@localhost:5432/test"', "fake-fixture")
f.d('FAKE_HF = "hf_abcdefghijklmnopqrstuvwxyzABCDEFGH"', "fake-fixture")
f.d('FAKE_JWT = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ0ZXN0In0."', "fake-fixture")

f = F("tests/test_hashing.py", "python-test")
f.t('import hashlib')
f.t('import random')
f.t('')
f.d('RNG_SEED = 0x9E3779B97F4A7C15', "random-seed")
f.d('FUZZ_SEED = "%s"' % hexs(32), "random-seed")
f.t('')
f.t('')
f.t('def test_known_digests():')
f.d('    assert hashlib.sha1(b"abc").hexdigest() == "a9993e364706816aba3e25717850c26c9cd0d89d"', "test-vector")
f.d('    assert hashlib.md5(b"").hexdigest() == "d41d8cd98f00b204e9800998ecf8427e"', "test-vector")
f.d('    assert hashlib.sha256(b"").hexdigest() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"', "test-vector")
f.t('')
f.t('')
f.t('def test_b64_roundtrip():')
f.d('    blob = "TG9yZW0gaXBzdW0gZG9sb3Igc2l0IGFtZXQsIGNvbnNlY3RldHVyIGFkaXBpc2NpbmcgZWxpdA=="', "base64-nonsecret")
f.t('    assert decode(blob).startswith(b"Lorem ipsum")')
f.t('')
f.t('')
f.t('def test_password_hashing():')
f.d('    hashed = "$argon2id$v=19$m=65536,t=3,p=4$%s$%s"' % (b64(rbytes(16)).rstrip("="), b64(rbytes(32)).rstrip("=")), "password-hash")
f.t('    assert verify(hashed, "correct horse battery staple")')

f = F("CHANGELOG.md", "markdown")
f.t('# Changelog')
f.t('')
f.t('## 3.4.0 (2025-03-10)')
f.t('')
for msg in ("fix(payments): retry idempotent refunds", "feat(identity): passkeys", "chore(deps): bump hyper to 1.3.1"):
    f.d('- %s (%s)' % (msg, sha1()), "sha1")
f.d('- Release image: `ghcr.io/larkspur/api@sha256:%s`' % sha256h(), "sha256")
f.t('- Full diff: https://github.com/larkspur/monorepo/compare/v3.3.2...v3.4.0')

f = F("services/notify/internal/channels/ids.go", "go")
f.t('''
package channels

// Well-known IDs (not secrets).
const (''')
f.d('	DefaultTenant  = "%s"' % uuid4(), "uuid")
f.d('	SystemActorID  = "%s"' % uuid4(), "uuid")
f.d('	TraceNamespace = "%s"' % uuid4(), "uuid")
f.d('	SchemaHash     = "%s"' % sha256h(), "sha256")
f.t(')')


# ---------------------------------------------------------------------------------------------
def main():
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    seen = set()
    for fl in FILES:
        assert fl.path not in seen, fl.path
        seen.add(fl.path)
        p = os.path.join(OUT, fl.path)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w", newline="\n") as fh:
            fh.write("\n".join(fl.lines) + "\n")
        if fl.path.endswith((".json", ".ipynb", ".tfstate")):
            with open(p) as fh:
                json.load(fh)  # must be valid
    for lab in LABELS:
        assert lab["line"] >= 1
    # no two labels may overlap
    spans = {}
    for lab in LABELS:
        for ln in range(lab["line"], lab.get("end_line", lab["line"]) + 1):
            k = (lab["path"], ln)
            assert k not in spans, k
            spans[k] = lab
    labels = sorted(LABELS, key=lambda l: (l["path"], l["line"]))
    with open(os.path.join(HERE, "labels.json"), "w") as fh:
        json.dump(labels, fh, indent=1)
        fh.write("\n")
    sec = [l for l in labels if l["kind"] == "secret"]
    dec = [l for l in labels if l["kind"] == "decoy"]
    print("wrote %d files, %d secret labels (%d providers), %d decoy labels -> %s"
          % (len(FILES), len(sec), len({l['provider'] for l in sec}), len(dec), os.path.relpath(OUT)), file=sys.stderr)


if __name__ == "__main__":
    main()
