#!/usr/bin/env bash
set -euo pipefail
export DATABRICKS_TOKEN=dapi2bda15c5d6817fe70965bd2082267b4b
docker login -u acme -p dckr_pat_fRIuaeppvF6GHBSGotu72OF8xva
curl -s -X POST -H "Authorization: Bearer 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" https://api.perplexity.ai/chat/completions
git clone https://x-access-token:ghs_IALWGXZnG7iyQ6vcdQ9vDj9hMuHZOs40V0Nq@github.com/acme/infra.git
curl -H "PRIVATE-TOKEN: ${GITLAB_TOKEN}" https://gitlab.com/api/v4/projects
echo "$HF_TOKEN" | huggingface-cli login --token-stdin
