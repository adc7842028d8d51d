#!/usr/bin/env bash
# Rotates deploy keys across providers. Run from the ops bastion.
set -euo pipefail
TOKEN="$(cat /run/secrets/gh_admin_token)"
curl -fsS -H "Authorization: Bearer ${TOKEN}" https://api.github.com/orgs/larkspur/actions/secrets/public-key
curl -fsS -H 'Authorization: Bearer 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' https://api.github.com/repos/larkspur/api/keys
curl -fsS -H 'Authorization: Bearer w5gCadsX3EuiJnqf2XtdqQnj' https://api.vercel.com/v9/projects
curl -fsS -H "Authorization: Bearer HfLPVzFdrJ-_L-8bY8cSFER2iSI0oKvRxmSLbku0" "https://api.cloudflare.com/client/v4/user/tokens/verify"
curl -fsS -u 'ops@larkspur.app:ATATT3xFfGF0dERl13HnIiZBr57NkLigoMHxdWGD-MgVwMZrhVNFIfOmPRUSoT1NR18bWg-gixSqueP0PFeKQy3cBCCE1CxUxwok3CUs6glykNg7tmoFz0aypemde7h0Ac7YzgdsmV7FoNagRLjlEKO0awYRT4cwmxVdh7xchTDqY7qcM4DT8qe=C8S83BVI' https://larkspur.atlassian.net/rest/api/3/myself
curl -fsS -H "X-Vault-Token: hvs.CAESI2CDoF5UahiQa0UCYyJRoN0uOvcGxqIh2A19D5YymIbBSwNtlLtNq1-ezGyxub3uMWbpLq_8-2stk8XSPwxBs89" https://vault.lark.internal:8200/v1/sys/leases/tidy
export DOPPLER_TOKEN="dp.st.prd.CVVtKFtJfTYZIfBkeZScjloefhNw2Fk9tvBfv3Ls8H1"
export GRAFANA_TOKEN="$(vault kv get -field=token secret/ops/grafana)"
curl -fsS -H "Authorization: Bearer $GRAFANA_TOKEN" https://grafana.lark.internal/api/serviceaccounts/search
curl -fsS -H "Authorization: Bearer glsa_qj3bsvsMpmjzkVVZw8OVnjWIqueLOsMZ_3fabf8bb" https://grafana.lark.internal/api/health
curl -fsS -H "Api-Key: NRAK-1RBX68MNUN58VSFOMWHYWF8U1EZ" https://api.newrelic.com/graphql -d @query.json
echo "rotated at $(date -u +%FT%TZ) by ${USER}"
