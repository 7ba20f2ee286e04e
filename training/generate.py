"""Generation: candidate programs from a loaded model by beam search or sampling."""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from training.model import LoadedModel
from training.pairs import expand, make_source, source_offset, tag_numbers
from miner.lang.compact import TargetError, from_target
from training.tokenizer import PAD_ID, decode, encode


def to_loda(text: str, source: str) -> str | None:
    """A model output for a prompt as a LODA program (placeholders expanded, the prompt's offset),
    or None when it is not a well-formed program."""
    from miner.lang import format_program

    try:
        return format_program(from_target(expand(text, source), source_offset(source)))
    except (TargetError, ValueError):
        return None


def uses_retrieval(meta: Mapping[str, Any], name: str, terms: Sequence[int]) -> bool:
    """Whether a prompt of this model for this name and terms shows anything from the retrieval
    index (so callers build the index only when it is needed)."""
    return bool((terms and int(meta.get("neighbours", 0))) or (name and int(meta.get("similar_names", 0))))


def source_for(meta: Mapping[str, Any], name: str, terms: Sequence[int], offset: int = 0, index=None,
               a_number: int = 0, matched: Sequence[str] = ()) -> str:
    """The prompt a model (given by its metadata) was trained on for a sequence: with its retrieved
    neighbours and similar-name examples when the model uses them and an index (see
    `miner.search.retrieval.index_for`) is given; sequence `a_number` is never its own neighbour.

    `matched`: programs (LODA text) a term matcher found for the sequence, shown before the index's
    neighbours when the model was trained so (`matched_neighbours`). The name's numbers are tagged
    for models trained with `number_tags`.
    """
    from training.data import matched_hits, merge_hits
    from training.targets import shown_examples, shown_text

    neighbours: Sequence[str] = ()
    examples: Sequence[tuple[str, str]] = ()
    k, m = int(meta.get("neighbours", 0)), int(meta.get("similar_names", 0))
    if index is not None:
        exclude = {a_number} if a_number else set()
        if k and terms:
            hits = index.neighbours(terms, offset, k=k, exclude=exclude)
            if meta.get("matched_neighbours") and matched:
                hits = merge_hits(matched_hits(matched), hits)
            neighbours = shown_text(hits[:k])
        if m and name:
            examples = shown_examples(index.similar(name, k=m, exclude=exclude, near=a_number))
    source = make_source(name, terms, neighbours, offset=offset, num_terms=int(meta.get("num_terms", 16)),
                         examples=examples)
    return tag_numbers(source) if meta.get("number_tags") else source


def _unresolvable(tokenizer, sources: Sequence[str]) -> list[list[int]]:
    """Per source, the token ids of placeholders its prompt gives no meaning (N2 with one neighbour,
    K3 with two tagged numbers...)."""
    from training.pairs import PLACEHOLDER_KINDS, references

    ids = {}
    for kind in PLACEHOLDER_KINDS:
        for number in range(1, 10):
            token = tokenizer.token_to_id(f"{kind}{number}</w>")
            if token is not None:
                ids[f"{kind}{number}"] = token
    out = []
    for source in sources:
        known = references(source)
        known.update({f"N{i}": "" for i in range(1, source.split().count("p:") + 1)})
        out.append([token for word, token in ids.items() if word not in known])
    return out


def _placeholder_filter(banned: list[list[int]], group: int):
    """A logits processor that never lets row r (of source r // group) write a banned placeholder."""
    import torch
    from transformers import LogitsProcessor

    class PromptPlaceholders(LogitsProcessor):
        mask = None  # built on the first step, when the vocabulary width is known; the same every step

        def __call__(self, input_ids, scores):
            if self.mask is None:
                self.mask = torch.zeros_like(scores, dtype=torch.bool)
                for row in range(scores.shape[0]):
                    self.mask[row, banned[row // group]] = True
            return scores.masked_fill(self.mask, float("-inf"))

    return PromptPlaceholders()


def generate_targets(loaded: LoadedModel, sources: Sequence[str], k: int, mode: str = "beam",
                     temperature: float = 1.0, batch_size: int = 8,
                     max_new_tokens: int | None = None) -> list[list[str]]:
    """Per source, k raw target texts (compact form), best first, as the model wrote them."""
    import torch
    from transformers import LogitsProcessorList

    if mode not in ("beam", "sample"):
        raise ValueError(f"generation mode must be 'beam' or 'sample', not {mode!r}")
    meta = loaded.meta
    max_source = int(meta.get("max_source_len", 256))
    max_target = int(max_new_tokens or meta.get("max_target_len", 128))
    device = next(loaded.model.parameters()).device
    out: list[list[str]] = []
    for start in range(0, len(sources), batch_size):
        chunk = list(sources[start:start + batch_size])
        ids = encode(loaded.tokenizer, chunk, max_source)
        width = max(len(x) for x in ids)
        input_ids = torch.tensor([x + [PAD_ID] * (width - len(x)) for x in ids], device=device)
        mask = (input_ids != PAD_ID).long()
        kwargs: dict[str, Any] = dict(max_new_tokens=max_target, num_return_sequences=k)
        if mode == "beam":
            kwargs.update(num_beams=k, do_sample=False, early_stopping=True)
        else:
            kwargs.update(do_sample=True, temperature=temperature, top_k=0, num_beams=1)
        # Placeholders the prompt cannot resolve would only waste beams on invalid programs.
        banned = _unresolvable(loaded.tokenizer, chunk)
        if any(banned):
            kwargs["logits_processor"] = LogitsProcessorList([_placeholder_filter(banned, k)])
        with torch.no_grad():
            seqs = loaded.model.generate(input_ids=input_ids, attention_mask=mask, **kwargs)
        rows = seqs.tolist()
        for i in range(len(chunk)):
            out.append([decode(loaded.tokenizer, r) for r in rows[i * k:(i + 1) * k]])
    return out


def generate(loaded: LoadedModel, sources: Sequence[str], k: int, mode: str = "beam",
             temperature: float = 1.0, batch_size: int = 8) -> list[list[str]]:
    """Per source, up to k programs in LODA syntax (parsed and formatted), deduplicated, best first.

    Placeholders become the A-numbers of the source (`training.pairs.expand`); outputs that do not
    parse are dropped; each program gets the `#offset` its source names.
    """
    raw = generate_targets(loaded, sources, k, mode, temperature, batch_size)
    result = []
    for source, texts in zip(sources, raw):
        seen: set[str] = set()
        programs = []
        for text in texts:
            program = to_loda(text, source)
            if program is not None and program not in seen:
                seen.add(program)
                programs.append(program)
        result.append(programs)
    return result
