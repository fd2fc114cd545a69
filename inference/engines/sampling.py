"""Next-token selection for the transformers engine: penalties, temperature, nucleus, seeded."""

from __future__ import annotations

import torch

from inference.engines.base import SamplingParams

# Below this temperature sampling is greedy, as in vLLM; dividing logits by less could overflow to inf.
GREEDY_BELOW = 1e-5


def new_generator(seed: int | None) -> torch.Generator:
    """A private random generator, so concurrent requests with seeds stay reproducible."""
    generator = torch.Generator(device="cpu")
    if seed is None:
        generator.seed()
    else:
        generator.manual_seed(seed)
    return generator


def pick_token(
    logits: torch.Tensor,
    params: SamplingParams,
    counts: dict[int, int],
    generator: torch.Generator,
) -> int:
    """Choose the next token from one row of logits (greedily at a temperature below `GREEDY_BELOW`).

    `counts` holds how often each token was generated so far (for the OpenAI presence and frequency
    penalties, which apply to generated tokens only).
    """
    scores = logits.float()
    if counts and (params.presence_penalty or params.frequency_penalty):
        ids = torch.tensor(list(counts), dtype=torch.long)
        seen = torch.tensor([float(c) for c in counts.values()])
        penalty = params.presence_penalty + params.frequency_penalty * seen
        scores = scores.clone()
        scores[ids] -= penalty
    if params.temperature < GREEDY_BELOW:
        return int(torch.argmax(scores))
    scores = scores / params.temperature
    probs = torch.softmax(scores, dim=-1)
    if params.top_p < 1.0:
        sorted_probs, order = torch.sort(probs, descending=True)
        cumulative = torch.cumsum(sorted_probs, dim=-1)
        # Keep the smallest set whose mass reaches top_p: drop a token once the mass before it does.
        drop = cumulative - sorted_probs >= params.top_p
        # The likeliest token always stays, however small top_p (5e-324 is 0 as a float32).
        drop[0] = False
        sorted_probs = sorted_probs.masked_fill(drop, 0.0)
        choice = torch.multinomial(sorted_probs, 1, generator=generator)
        return int(order[choice])
    return int(torch.multinomial(probs, 1, generator=generator))
