#!/usr/bin/env bash
set -euo pipefail
export DATABRICKS_TOKEN=dapi3767a984bcad7474db0c9cba03f7eddb
docker login -u acme -p dckr_pat_jlCe270ObtuOxoIv1pEXzX0ZjEe
curl -s -X POST -H "Authorization: Bearer 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" https://api.perplexity.ai/chat/completions
git clone https://x-access-token:ghs_Pi84IjEr8iXNmP4UUXCdDDyAJrn6DU0ZSCC6@github.com/acme/infra.git
curl -H "PRIVATE-TOKEN: ${GITLAB_TOKEN}" https://gitlab.com/api/v4/projects
echo "$HF_TOKEN" | huggingface-cli login --token-stdin
