"""A tiny Llama model and tokenizer, generated from nothing: no download, a few hundred KB, loads in
well under a second. Its weights are random (seeded), so its output is gibberish, but real and
reproducible: every engine code path runs on it exactly as on a real model."""

from __future__ import annotations

import hashlib
from pathlib import Path

CHAT_TEMPLATE = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)

_CORPUS = [
    "The customer asked about the delivery of order 4711 to Berlin.",
    "Der Kunde fragt nach der Lieferung seiner Bestellung nach München.",
    "Le client demande où en est la livraison de sa commande à Paris.",
    "El cliente pregunta por el envío de su pedido a Madrid.",
    "Il cliente chiede informazioni sulla consegna del suo ordine a Roma.",
    "De klant vraagt naar de levering van zijn bestelling in Amsterdam.",
    "Hello, how can I help you today? Please describe the product you want to return.",
    "Thank you for your patience. Your refund of 49.99 EUR was issued yesterday.",
    "Größe, Farbe, Menge: ä ö ü ß é è ñ ç — 日本 ✓ 🙂",
]


def build_tiny_model(folder: Path, rare_eos: bool = True) -> Path:
    """Write a tiny Llama checkpoint, tokenizer and chat template into `folder`.

    With `rare_eos` the end-of-sequence token is (almost) never generated, so that generations run to
    their limit; without it, most generations end within a few hundred tokens.
    """
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import GenerationConfig, LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    folder.mkdir(parents=True, exist_ok=True)
    specials = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
    tokenizer = Tokenizer(models.BPE(unk_token=None))
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=512,
        special_tokens=specials,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tokenizer.train_from_iterator(_CORPUS * 4, trainer=trainer)
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tokenizer,
        bos_token="<|im_start|>",
        eos_token="<|im_end|>",
        unk_token="<|endoftext|>",
        pad_token="<|endoftext|>",
    )
    fast.save_pretrained(folder)
    eos = fast.convert_tokens_to_ids("<|im_end|>")
    config = LlamaConfig(
        vocab_size=len(fast),
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=2,
        num_key_value_heads=2,
        max_position_embeddings=1024,
        bos_token_id=fast.convert_tokens_to_ids("<|im_start|>"),
        eos_token_id=eos,
        pad_token_id=fast.convert_tokens_to_ids("<|endoftext|>"),
        tie_word_embeddings=False,
    )
    torch.manual_seed(1234)
    model = LlamaForCausalLM(config)
    # Larger weights than the default init give peaked, varied logits instead of near-uniform ones.
    with torch.no_grad():
        for parameter in model.parameters():
            if parameter.dim() > 1:
                parameter.normal_(0.0, 0.3)
        if rare_eos:
            # An end-of-sequence logit pinned at 0, mid-range, is almost never the pick.
            model.lm_head.weight[eos].zero_()
    model.generation_config = GenerationConfig(eos_token_id=eos, bos_token_id=config.bos_token_id)
    model.save_pretrained(folder)
    (folder / "chat_template.jinja").write_text(CHAT_TEMPLATE, encoding="utf-8")
    return folder


def manifest_yaml(folder: Path, build_id: str, jurisdiction: str, context_length: int = 1024) -> str:
    """A build manifest for the tiny model, pinning every file in `folder` (digests by hashlib here)."""
    lines = [
        f"id: {build_id}",
        f"jurisdiction: {jurisdiction}",
        "description: tiny random test model",
        "source:",
        "  kind: folder",
        f"  path: {folder}",
        "files:",
        *file_digests(folder),
        "chat_template: chat_template.jinja",
        f"context_length: {context_length}",
        "default_max_tokens: 24",
        "engine:",
        "  transformers:",
        "    dtype: float32",
        "  vllm:",
        "    dtype: float32",
        "    enforce_eager: true",
        "    max_lora_rank: 8",
        "    max_loras: 2",
    ]
    return "\n".join(lines) + "\n"


def file_digests(folder: Path) -> list[str]:
    """The `files:` entries of a manifest pinning every file in `folder`."""
    lines = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith(".")):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        lines += [f"  - path: {path.relative_to(folder).as_posix()}", f"    sha256: {digest}"]
    return lines


def build_tiny_adapter(folder: Path, model_dir: Path, rank: int = 8, seed: int = 99) -> Path:
    """Write a PEFT-format LoRA adapter for the tiny model into `folder`: every attention projection of
    every layer, with weights large enough (std 0.5) that it visibly changes the output."""
    import json

    import torch
    from safetensors.torch import save_file

    config = json.loads((model_dir / "config.json").read_text())
    hidden, layers = config["hidden_size"], config["num_hidden_layers"]
    head_dim = hidden // config["num_attention_heads"]
    kv = config["num_key_value_heads"] * head_dim
    shapes = {
        "q_proj": (hidden, hidden),
        "k_proj": (kv, hidden),
        "v_proj": (kv, hidden),
        "o_proj": (hidden, hidden),
    }
    generator = torch.Generator().manual_seed(seed)
    tensors = {}
    for layer in range(layers):
        for module, (out_features, in_features) in shapes.items():
            prefix = f"base_model.model.model.layers.{layer}.self_attn.{module}"
            tensors[f"{prefix}.lora_A.weight"] = torch.randn(rank, in_features, generator=generator) * 0.5
            tensors[f"{prefix}.lora_B.weight"] = torch.randn(out_features, rank, generator=generator) * 0.5
    folder.mkdir(parents=True, exist_ok=True)
    save_file(tensors, str(folder / "adapter_model.safetensors"))
    adapter_config = {
        "peft_type": "LORA",
        "task_type": "CAUSAL_LM",
        "base_model_name_or_path": "tiny",
        "r": rank,
        "lora_alpha": 2 * rank,
        "lora_dropout": 0.0,
        "bias": "none",
        "target_modules": sorted(shapes),
        "fan_in_fan_out": False,
        "modules_to_save": None,
        "use_rslora": False,
        "use_dora": False,
    }
    (folder / "adapter_config.json").write_text(json.dumps(adapter_config, indent=2) + "\n")
    return folder


def adapter_manifest_yaml(folder: Path, build_id: str, jurisdiction: str, base: str) -> str:
    """An adapter build manifest pinning every file of the adapter in `folder`."""
    lines = [
        "kind: lora-adapter",
        f"id: {build_id}",
        f"jurisdiction: {jurisdiction}",
        f"base: {base}",
        "description: tiny random test adapter",
        "source:",
        "  kind: folder",
        f"  path: {folder}",
        "files:",
        *file_digests(folder),
    ]
    return "\n".join(lines) + "\n"
