#!/usr/bin/env bash
set -euo pipefail
export VAULT_ADDR=https://vault.tessera.ai
# root token from the init ceremony; revoke after bootstrap!
export VAULT_TOKEN=hvs.dNwsjMY3OkikGR2LVcRnUndV

vault auth enable approle || true
vault write auth/approle/role/agent token_policies=agent token_ttl=1h
ROLE_ID="$(vault read -field=role_id auth/approle/role/agent/role-id)"
SECRET_ID="$(vault write -f -field=secret_id auth/approle/role/agent/secret-id)"
echo "$ROLE_ID" > /etc/vault-agent/role-id
