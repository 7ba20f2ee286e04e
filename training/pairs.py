"""Training pairs: the prompt text (source) and the canonical compact program text (target).

Source: `o: <offset> t: <terms...> n: <name words...>` followed by up to N neighbour programs
(`p: <target text>`) and up to M sequences with similar names (`s: <name words...> x: <program>`,
templates to edit; the markers cannot occur among name words), all whitespace-separated words so
that each small term is one token.
Target: one word per operation and operand, cells renumbered in order of first use, no comments,
`seq` calls written as `A000045`; `from_target` turns it back into a `Program`.
With number tags (`tag_numbers`) each number of the name is followed by a tag `K1`, `K2`... and
target constants equal to a tagged number are written as its tag, so the model copies a number
of the name by pointing at it, whatever its value.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from typing import Iterable, Sequence

from miner.lang.anumber import format_a_number
from miner.lang.compact import TargetError
from miner.search.retrieval import name_words

A_NUMBER = re.compile(r"A\d{6}")
# Placeholder letters: N neighbour, R A-number of the name, K tagged number of the name.
PLACEHOLDER_KINDS = "NRK"
PLACEHOLDER = re.compile(f"[{PLACEHOLDER_KINDS}]\\d")
# Terms with more digits are written as a shortened number; the checker, not the model, needs them exactly.
MAX_TERM_DIGITS = 12
# Words of a similar sequence's name shown with its program: enough to tell the family member apart.
MAX_EXAMPLE_NAME_WORDS = 24
MARKERS = ("o:", "t:", "n:", "p:", "s:", "x:")
# Name numbers from this value up are tagged: 0, 1 and 2 are in most programs for reasons of their own.
MIN_TAGGED = 3
NUMBER_TAGS = 9
NUMBER_TAG = re.compile(r"K\d")


@dataclass(frozen=True)
class Pair:
    """One training example: the sequence it is for, the prompt and the wanted program text."""

    a_number: int
    source: str
    target: str
    length: int  # executable operations in the target
    kind: str = "own"  # copy / edit of a shown neighbour, the sequence's own program, synthetic, formula, recurrence


def format_term(value: int) -> str:
    """One word per term; very long numbers keep their sign, leading digits and length."""
    text = str(value)
    digits = text.lstrip("-")
    if len(digits) <= MAX_TERM_DIGITS:
        return text
    return ("-" if value < 0 else "") + digits[:MAX_TERM_DIGITS] + f"e{len(digits)}"


def make_source(name: str, terms: Sequence[int], neighbours: Iterable[str] = (), offset: int = 0,
                num_terms: int = 16, examples: Iterable[tuple[str, str]] = ()) -> str:
    """The prompt: offset, the first `num_terms` terms, the name, then neighbour targets (`p: ...`)
    and (name, program) examples of similar sequences (`s: ... x: ...`)."""
    parts = ["o:", str(offset), "t:", *(format_term(t) for t in terms[:num_terms]), "n:", *name_words(name)]
    for text in neighbours:
        parts += ["p:", text]
    for example_name, text in examples:
        parts += ["s:", *name_words(example_name)[:MAX_EXAMPLE_NAME_WORDS], "x:", text]
    return " ".join(parts)


def with_near_miss(source: str, shown: str, neighbours: int) -> str:
    """The prompt with `shown` (a program's compact text, such as the best near miss of earlier tries)
    as its first neighbour, keeping at most `neighbours` of them: the model edits it as it learned to
    edit neighbours (`N1` inlines it)."""
    words = source.split()
    head: list[str] = []
    segments: list[list[str]] = []
    tail: list[str] = []
    for word in words:
        if word == "p:" and not tail:
            segments.append([])
        elif word in MARKERS and word != "p:" and segments:
            tail.append(word)
        elif tail:
            tail.append(word)
        elif segments:
            segments[-1].append(word)
        else:
            head.append(word)
    kept = [shown.split()] + [seg for seg in segments if seg != shown.split()]
    return " ".join(head + [w for seg in kept[:max(1, neighbours)] for w in ["p:", *seg]] + tail)


def _segments(source: str) -> tuple[list[str], list[list[str]]]:
    """The name's words and each neighbour's words (`p:` segments) of a prompt."""
    name: list[str] = []
    neighbours: list[list[str]] = []
    section = ""
    for word in source.split():
        if word in MARKERS:
            section = word
            if word == "p:":
                neighbours.append([])
            continue
        if section == "n:":
            name.append(word)
        elif section == "p:":
            neighbours[-1].append(word)
    return name, neighbours


def references(source: str) -> dict[str, str]:
    """What the placeholders of a target stand for in its prompt.

    `N1`, `N2`... in place of an operation: the 1st, 2nd... neighbour's whole program (`p:`); as the
    argument of `seq`: the A-number that neighbour calls. `R1`, `R2`...: the 1st, 2nd... A-number of
    the name. `K1`, `K2`...: the number of the name the tag follows (`tag_numbers`). So copying a
    neighbour is one word, and calling a sequence or using a number of the prompt is choosing among
    a few words instead of spelling a number piece by piece.
    """
    name, neighbours = _segments(source)
    refs: dict[str, str] = {}
    for word in name:
        if A_NUMBER.fullmatch(word) and word not in refs.values():
            refs[f"R{sum(k[0] == 'R' for k in refs) + 1}"] = word
    for word, tag in zip(name, name[1:]):
        if NUMBER_TAG.fullmatch(tag) and word.isdigit():
            refs.setdefault(tag, word)
    for number, words in enumerate(neighbours, 1):
        called = next((w for w in words if A_NUMBER.fullmatch(w)), None)
        if called:
            refs[f"N{number}"] = called
    return refs


def abstract(target: str, source: str) -> str:
    """The target with whole neighbour programs and the prompt's A-numbers replaced by placeholders."""
    _, neighbours = _segments(source)
    words = target.split()
    for number, shown in enumerate(neighbours, 1):
        if not shown:
            continue
        out, i = [], 0
        while i < len(words):
            if words[i:i + len(shown)] == shown:
                out.append(f"N{number}")
                i += len(shown)
            else:
                out.append(words[i])
                i += 1
        words = out
    refs = references(source)
    by_number: dict[str, str] = {}
    for key in sorted(refs, key=lambda k: (k[0] != "N", int(k[1:]))):
        by_number.setdefault(refs[key], key)
    numbers = {value: key for key, value in refs.items() if key[0] == "K"}
    return " ".join(by_number.get(w, w) if A_NUMBER.fullmatch(w) else numbers.get(w, w) for w in words)


def tag_numbers(source: str) -> str:
    """The prompt with each distinct number of the name (from MIN_TAGGED up, the first NUMBER_TAGS
    of them) followed by its tag `K1`, `K2`..., in order of first appearance; a tagged prompt stays."""
    words = source.split()
    if any(NUMBER_TAG.fullmatch(w) for w in _segments(source)[0]):
        return source
    out: list[str] = []
    tags: dict[str, str] = {}
    section = ""
    for word in words:
        out.append(word)
        if word in MARKERS:
            section = word
        elif section == "n:" and word.isdigit() and word == str(int(word)) and int(word) >= MIN_TAGGED:
            if word not in tags and len(tags) < NUMBER_TAGS:
                tags[word] = f"K{len(tags) + 1}"
            if word in tags:
                out.append(tags[word])
    return " ".join(out)


def tagged_pair(pair: Pair) -> Pair:
    """The pair with the name's numbers tagged in its source and its target's constants equal to
    one of them written as the tag."""
    source = tag_numbers(pair.source)
    return replace(pair, source=source, target=abstract(pair.target, source))


def expand(text: str, source: str) -> str:
    """Model output with placeholders replaced by what they stand for; TargetError if unknown."""
    words = text.split()
    if not any(PLACEHOLDER.fullmatch(w) for w in words):
        return text
    _, neighbours = _segments(source)
    refs = references(source)
    out: list[str] = []
    for i, word in enumerate(words):
        if not PLACEHOLDER.fullmatch(word):
            out.append(word)
        elif word[0] == "K":
            if word not in refs:
                raise TargetError(f"placeholder {word} tags no number of the prompt's name")
            out.append(refs[word])
        elif i >= 2 and words[i - 2] == "seq":
            if word not in refs:
                raise TargetError(f"placeholder {word} has no A-number in the prompt")
            out.append(refs[word])
        else:
            number = int(word[1:])
            if word[0] != "N" or not 1 <= number <= len(neighbours) or not neighbours[number - 1]:
                raise TargetError(f"placeholder {word} names no neighbour program in the prompt")
            out.extend(neighbours[number - 1])
    return " ".join(out)


def source_terms(source: str) -> tuple[str, ...]:
    """The terms a prompt shows, as `format_term` wrote them."""
    words = source.split()
    start = words.index("t:") + 1
    end = next((i for i in range(start, len(words)) if words[i] in MARKERS), len(words))
    return tuple(words[start:end])


def source_offset(source: str) -> int:
    """The offset a source was made with (0 when absent)."""
    words = source.split(maxsplit=2)
    if len(words) >= 2 and words[0] == "o:":
        try:
            return int(words[1])
        except ValueError:
            return 0
    return 0


def is_validation(a_number: int, fraction: float) -> bool:
    """Deterministic split by sequence id (a hash, stable across runs and retraining)."""
    digest = hashlib.sha256(f"loda-miner-split:{format_a_number(a_number)}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < fraction


def split_ids(ids: Iterable[int], fraction: float) -> tuple[list[int], list[int]]:
    """(train, validation) ids, each sorted."""
    train: list[int] = []
    valid: list[int] = []
    for a in sorted(ids):
        (valid if is_validation(a, fraction) else train).append(a)
    return train, valid


def dedupe(pairs: Iterable[Pair]) -> list[Pair]:
    """Pairs with a (source, target) seen before dropped, order kept."""
    seen: set[tuple[str, str]] = set()
    out = []
    for p in pairs:
        key = (p.source, p.target)
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out


SequenceInfo = tuple[str, list[int], int]  # (name, terms, offset)
