#!/usr/bin/env bash
# joins an agent to the edge k3s cluster
set -euo pipefail
K3S_TOKEN=K10fde0e8b3fc4e87823811b3a32adbb5261d040a314770b355a6ff9d61d11ae5d2::server:6c0246fe2e03d2ec0ec00210b3387fb3
curl -sfL https://get.k3s.io | K3S_URL=https://edge-0.tessera.ai:6443 K3S_TOKEN="$K3S_TOKEN" sh -

# old kubeadm cluster (kept for reference; the first command is the example from the kubeadm docs)
# kubeadm join 10.0.0.10:6443 --token abcdef.0123456789abcdef --discovery-token-unsafe-skip-ca-verification
kubeadm join 10.0.0.10:6443 --token evvaer.jidjpk54g19rinbg \
  --discovery-token-ca-cert-hash sha256:9de91b0495d77fde6a41c91b0fd3a00c7a0259ddb8b73150a5c356220c0476ec
