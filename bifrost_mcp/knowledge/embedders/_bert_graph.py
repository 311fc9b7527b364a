"""Build the BERT encoder of a sentence-transformers checkpoint as an ONNX graph onnxruntime runs.

The graph uses onnxruntime's fused CPU kernels (com.microsoft EmbedLayerNormalization, Attention,
BiasGelu, SkipLayerNormalization): one node per step instead of dozens of small ones is what makes a
2-core machine fast enough. Inputs: input_ids, attention_mask (int32, [batch, seq], right-padded);
output: last_hidden_state (float32, [batch, seq, hidden]). Pooling happens outside the graph.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from bifrost_mcp.knowledge.embedders._onnx_proto import Graph, Parts, value_info

_MS = "com.microsoft"
_INT32, _FLOAT = 6, 1


def build_bert_graph(weights: dict[str, np.ndarray], config: dict[str, Any]) -> Parts:
    """Serialize the encoder described by HF `config.json` with `weights` (names without `bert.`).

    The model comes as a list of buffers: write them out in order (`write_model`) or join them.
    """
    hidden, heads, eps = int(config["hidden_size"]), int(config["num_attention_heads"]), float(config["layer_norm_eps"])
    if config.get("hidden_act", "gelu") != "gelu":
        raise ValueError(f"unsupported activation {config['hidden_act']!r}: only exact (erf) gelu is built")
    g = Graph("bert_encoder")
    g.inputs += [value_info(n, _INT32, ["batch", "seq"]) for n in ("input_ids", "attention_mask")]
    g.outputs.append(value_info("last_hidden_state", _FLOAT, ["batch", "seq", hidden]))

    def w(name: str) -> np.ndarray:
        return np.asarray(weights[name], dtype=np.float32)

    # token type is always 0 for single sentences: fold its embedding into every position row
    positions = w("embeddings.position_embeddings.weight") + w("embeddings.token_type_embeddings.weight")[0]
    x = g.node(
        "EmbedLayerNormalization",
        [
            "input_ids",
            "",
            g.constant("word_embeddings", w("embeddings.word_embeddings.weight")),
            g.constant("position_embeddings", positions),
            "",
            g.constant("embeddings_ln_gamma", w("embeddings.LayerNorm.weight")),
            g.constant("embeddings_ln_beta", w("embeddings.LayerNorm.bias")),
            "attention_mask",
        ],
        domain=_MS,
        n_outputs=2,
        epsilon=eps,
    )
    mask_index = f"{x}:1"  # per-row count of real tokens, what Attention expects for right padding
    for i in range(int(config["num_hidden_layers"])):
        p = f"encoder.layer.{i}."
        qkv_w = np.concatenate([w(f"{p}attention.self.{m}.weight").T for m in ("query", "key", "value")], axis=1)
        qkv_b = np.concatenate([w(f"{p}attention.self.{m}.bias") for m in ("query", "key", "value")])
        attn = g.node(
            "Attention",
            [x, g.constant(f"l{i}_qkv_w", qkv_w), g.constant(f"l{i}_qkv_b", qkv_b), mask_index],
            domain=_MS,
            num_heads=heads,
        )
        attn_out = g.node("MatMul", [attn, g.constant(f"l{i}_ao_w", w(f"{p}attention.output.dense.weight").T)])
        x = _skip_layer_norm(g, attn_out, x, w, f"{p}attention.output", f"l{i}_ao", eps)
        inter = g.node("MatMul", [x, g.constant(f"l{i}_in_w", w(f"{p}intermediate.dense.weight").T)])
        inter = g.node("BiasGelu", [inter, g.constant(f"l{i}_in_b", w(f"{p}intermediate.dense.bias"))], domain=_MS)
        out = g.node("MatMul", [inter, g.constant(f"l{i}_out_w", w(f"{p}output.dense.weight").T)])
        x = _skip_layer_norm(g, out, x, w, f"{p}output", f"l{i}_out", eps)
    g.node("Identity", [x], output="last_hidden_state")
    return g.serialize({"": 17, _MS: 1})


def _skip_layer_norm(g: Graph, x: str, skip: str, w: Any, prefix: str, name: str, eps: float) -> str:
    return g.node(
        "SkipLayerNormalization",
        [
            x,
            skip,
            g.constant(f"{name}_ln_gamma", w(f"{prefix}.LayerNorm.weight")),
            g.constant(f"{name}_ln_beta", w(f"{prefix}.LayerNorm.bias")),
            g.constant(f"{name}_b", w(f"{prefix}.dense.bias")),
        ],
        domain=_MS,
        epsilon=eps,
    )
