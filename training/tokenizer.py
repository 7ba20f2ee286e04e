"""The tokenizer: a word-level BPE trained locally (with `tokenizers`) on the pairs' sources and targets.

Sources and targets are whitespace-separated words, so frequent words (operations, cells, small
numbers, common name words) become single tokens and rare ones split into pieces.
"""

from __future__ import annotations

from array import array
from pathlib import Path
from typing import Iterable

PAD, EOS, UNK = "<pad>", "</s>", "<unk>"
PAD_ID, EOS_ID, UNK_ID = 0, 1, 2
FILENAME = "tokenizer.json"
_SUFFIX = "</w>"


def train_tokenizer(texts: Iterable[str], vocab_size: int = 4000):
    """A `tokenizers.Tokenizer` trained on the given texts; pad=0, </s>=1, <unk>=2."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    tok = Tokenizer(models.BPE(unk_token=UNK, end_of_word_suffix=_SUFFIX))
    tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tok.decoder = decoders.BPEDecoder(suffix=_SUFFIX)
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size, special_tokens=[PAD, EOS, UNK], end_of_word_suffix=_SUFFIX,
        min_frequency=2, show_progress=False,
        initial_alphabet=list("0123456789-$abcdefghijklmnopqrstuvwxyzAeKNR"),
    )
    tok.train_from_iterator(texts, trainer=trainer)
    return tok


def single_token(tok, word: str) -> bool:
    """Whether the tokenizer encodes the word as one known token."""
    ids = tok.encode(word).ids
    return len(ids) == 1 and ids[0] != UNK_ID


def with_words(tok, words: Iterable[str]):
    """The tokenizer with each word it cannot encode as one token added as a whole-word BPE token
    (a merge of its characters), appended after the existing ids so that a model's embeddings only
    grow; the same tokenizer when nothing is missing."""
    import json

    from tokenizers import Tokenizer

    missing = sorted({w for w in words if not single_token(tok, w)})
    if not missing:
        return tok
    spec = json.loads(tok.to_str())
    vocab, merges = spec["model"]["vocab"], spec["model"]["merges"]
    as_text = bool(merges) and isinstance(merges[0], str)

    def add(token: str) -> None:
        if token not in vocab:
            vocab[token] = max(vocab.values()) + 1

    for word in missing:
        symbols = [*word[:-1], word[-1] + _SUFFIX]
        for symbol in symbols:
            add(symbol)
        # Merge left to right: each step joins the word so far with its next symbol.
        for i in range(1, len(symbols)):
            left, right = "".join(symbols[:i]), symbols[i]
            add(left + right)
            merges.append(f"{left} {right}" if as_text else [left, right])
    return Tokenizer.from_str(json.dumps(spec))


def save_tokenizer(tok, directory: str | Path) -> None:
    """Write tokenizer.json into the model folder."""
    tok.save(str(Path(directory) / FILENAME))


def load_tokenizer(directory: str | Path):
    """Read tokenizer.json from a model folder."""
    from tokenizers import Tokenizer

    path = Path(directory) / FILENAME
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no tokenizer in the model folder")
    return Tokenizer.from_file(str(path))


def encode(tok, texts: list[str], max_len: int, chunk: int = 4096) -> list[list[int]]:
    """Token ids of each text, cut to max_len - 1, then </s> (encoded in chunks to bound memory)."""
    out: list[list[int]] = []
    for start in range(0, len(texts), chunk):
        out.extend(enc.ids[:max_len - 1] + [EOS_ID] for enc in tok.encode_batch(texts[start:start + chunk]))
    return out


def encode_compact(tok, texts: list[str], max_len: int) -> list[array[int]]:
    """Like `encode`, as compact int arrays (for holding a whole training set in memory)."""
    out: list[array[int]] = []
    for start in range(0, len(texts), 4096):
        out.extend(array("I", ids) for ids in encode(tok, texts[start:start + 4096], max_len))
    return out


def decode(tok, ids: list[int]) -> str:
    """Text of ids up to the first </s>, padding dropped."""
    out = []
    for i in ids:
        if i == EOS_ID:
            break
        if i != PAD_ID:
            out.append(i)
    return tok.decode(out)
