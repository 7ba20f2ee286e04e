"""Retrieval: an index of corpus programs by their first terms, matched under a*x+b.

A query's first L terms are compared with every indexed sequence's terms (shifted by 0 or 1
positions) after removing the first term, dividing by the gcd of the differences and fixing the
sign, so that `target = a*neighbour + b` sequences share a key. A hit carries the neighbour's
program adapted to the query (input shift, then the affine map), in the compact target form,
both with the neighbour's code inlined (`target`, the model-free baseline) and as a `seq` call of
the neighbour (`call`, what the model is shown: a few words to copy or to build on).

The same index also finds sequences by name (`similar`): OEIS families such as "Binomial
coefficients C(9,n)" and "C(77,n)" share their words and, often, their program up to a constant,
so a similar name's program is a template for the model to edit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from math import gcd, log, sqrt
from typing import Iterable, Mapping, Sequence

import structlog

from miner.core import progress
from miner.lang.anumber import format_a_number
from miner.lang.compact import to_target
from miner.lang.program import Program
from miner.search.matchers import affine_key

_log = structlog.get_logger(__name__)

# (prefix length, shift) keys, tried in this order: longest evidence first.
LEVELS: tuple[tuple[int, int], ...] = ((12, 0), (12, 1), (8, 0), (8, 1), (5, 0))
# Entries kept per key (the shortest programs); bounds memory and query time on common keys.
BUCKET_SIZE = 48
# Terms kept per entry to rank hits by how far the affine match goes on.
KEPT_TERMS = 40
# Name search: candidates are gathered from the query's rarest words up to this many entries.
MAX_NAME_CANDIDATES = 4000
# Least cosine similarity (tf-idf over name words) for a name to count as similar.
MIN_NAME_SIMILARITY = 0.3
# Programs longer than this (in compact words) are not offered as templates: they crowd the prompt.
MAX_EXAMPLE_WORDS = 90
# A-numbers stay whole (and upper-case, as targets write them in `seq` calls) so the model can copy them.
_WORD = re.compile(r"a\d{6}(?!\d)|[a-z]+|\d+|[^\sa-z\d]")
MAX_NAME_WORDS = 40


@dataclass(frozen=True)
class Hit:
    """A neighbour: its A-number, its program adapted to the query, and how it matched."""

    a_number: int
    target: str
    prefix: int
    shift: int
    extra: int  # query terms beyond the prefix that the adapted sequence also matches
    call: str = ""  # the same program calling the neighbour with `seq` instead of inlining its code


@dataclass(frozen=True)
class Example:
    """A sequence with a similar name: its A-number, name, program (compact text) and similarity."""

    a_number: int
    name: str
    target: str
    score: float


@dataclass
class _Entry:
    a_number: int
    terms: list[int]
    offset: int
    target: str
    length: int
    name: str = ""
    # The name's word ids and numbers, as tuples: 150k frozensets would cost several times the memory.
    words: tuple[int, ...] = ()
    numbers: tuple[str, ...] = ()


def name_words(name: str) -> list[str]:
    """Lower-case words, A-numbers, numbers and punctuation of a sequence name."""
    words = _WORD.findall(name.lower())[:MAX_NAME_WORDS]
    return [w.upper() if w[0] == "a" and w[1:].isdigit() else w for w in words]


def name_keys(name: str) -> tuple[set[str], set[str]]:
    """(words, numbers) of a name as the name search compares them: numbers only break ties."""
    words, numbers = set(), set()
    for w in name_words(name):
        if w.isdigit():
            numbers.add(w)
        elif w[0].isalpha():
            words.add(w)
    return words, numbers


def normalise(terms: Sequence[int]) -> tuple[tuple[int, ...], int, int]:
    """(key, scale, first): terms == first + scale*key elementwise; scale 0 for constant runs.

    The key is the matchers' `affine_key`, so both indexes group sequences the same way."""
    keyed = affine_key(terms)
    if keyed is None:
        return (0,) * len(terms), 0, terms[0]
    key, shape = keyed
    return key, shape.step, shape.base


def _key(key: tuple[int, ...]) -> int:
    return hash(key)


class Index:
    """Nearest corpus sequences under a*x+b of their first terms."""

    def __init__(self) -> None:
        self.entries: list[_Entry] = []
        self.buckets: dict[tuple[int, int, int], list[int]] = {}
        self.word_ids: dict[str, int] = {}
        self.postings: list[list[int]] = []  # per word id: entries whose name has it
        self.idf: list[float] = []
        self.top_idf = 0.0
        self.norms: list[float] = []
        self._added: set[tuple[int, int, int]] = set()  # buckets added to since `finish`

    def add(self, a_number: int, terms: Sequence[int], offset: int, target: str, name: str = "") -> None:
        """Index one sequence with its program's compact target text (and its name, for `similar`)."""
        entry = _Entry(a_number, list(terms[:KEPT_TERMS]), offset, target, len(target.split()))
        if name:
            words, numbers = name_keys(name)
            ids = tuple(sorted(self.word_ids.setdefault(w, len(self.word_ids)) for w in words))
            entry.name, entry.words, entry.numbers = name, ids, tuple(sorted(numbers))
        index = len(self.entries)
        self.entries.append(entry)
        for length, shift in LEVELS:
            window = entry.terms[shift:shift + length]
            if len(window) < length:
                continue
            key = (length, shift, _key(normalise(window)[0]))
            self.buckets.setdefault(key, []).append(index)
            self._added.add(key)

    def finish(self) -> "Index":
        """Keep the shortest programs per key and weigh the name words; call after the last `add`, and
        again after more: the index is then the one all of them at once would give."""
        for key in self._added:
            members = self.buckets[key]
            members.sort(key=lambda i: (self.entries[i].length, self.entries[i].a_number))
            del members[BUCKET_SIZE:]
        self._added.clear()
        self.postings = [[] for _ in self.word_ids]
        for i, e in enumerate(self.entries):
            for w in e.words:
                self.postings[w].append(i)
        named = max(1, sum(1 for e in self.entries if e.words))
        # Smoothed, so a word that every name has still counts (small indexes, one family).
        self.idf = [log(1 + named / len(p)) for p in self.postings]
        self.top_idf = max(self.idf, default=0.0)
        self.norms = [sqrt(sum(self.idf[w] ** 2 for w in e.words)) for e in self.entries]
        return self

    def __len__(self) -> int:
        return len(self.entries)

    def neighbours(self, terms: Sequence[int], offset: int, k: int = 1,
                   exclude: Iterable[int] = ()) -> list[Hit]:
        """Up to k hits, best first: longest matching prefix, then most extra terms, then shortest."""
        excluded = set(exclude)
        seen: set[int] = set()
        hits: list[Hit] = []
        for length, shift in LEVELS:
            if len(terms) < length:
                continue
            qkey, qscale, qfirst = normalise(terms[:length])
            level: list[tuple[int, int, Hit]] = []
            for i in self.buckets.get((length, shift, _key(qkey)), ()):
                e = self.entries[i]
                if e.a_number in excluded or e.a_number in seen:
                    continue
                hit = self._adapt(e, terms, offset, length, shift, qkey, qscale, qfirst)
                if hit is not None:
                    level.append((-hit.extra, e.length, hit))
            level.sort(key=lambda x: (x[0], x[1], x[2].a_number))
            for _, _, hit in level:
                seen.add(hit.a_number)
                hits.append(hit)
                if len(hits) >= k:
                    return hits
        return hits

    def similar(self, name: str, k: int = 1, exclude: Iterable[int] = (), near: int = 0,
                max_words: int = MAX_EXAMPLE_WORDS) -> list[Example]:
        """Up to k indexed sequences whose names share the most (tf-idf weighted) words with `name`
        (and whose programs have at most `max_words` compact words, 0: any).

        Ties (a family whose names differ only in numbers) go to shared numbers, then to the
        A-number nearest `near`: families are often submitted together.
        """
        words, numbers = name_keys(name)
        known = sorted((self.word_ids[w] for w in words if w in self.word_ids), key=lambda w: len(self.postings[w]))
        if not known:
            return []
        # Words never seen count as rarest: a name full of unknown words matches nothing well.
        unseen = len(words) - len(known)
        qnorm = sqrt(sum(self.idf[w] ** 2 for w in known) + unseen * self.top_idf ** 2)
        candidates: set[int] = set()
        for w in known:
            if candidates and len(candidates) + len(self.postings[w]) > MAX_NAME_CANDIDATES:
                break
            candidates.update(self.postings[w][:MAX_NAME_CANDIDATES])
        excluded = set(exclude)
        query = set(known)
        scored = []
        for i in candidates:
            e = self.entries[i]
            if e.a_number in excluded or (max_words and e.length > max_words) or not self.norms[i]:
                continue
            score = sum(self.idf[w] ** 2 for w in e.words if w in query) / (qnorm * self.norms[i])
            if score < MIN_NAME_SIMILARITY:
                continue
            common = sum(1 for x in e.numbers if x in numbers)
            shared = common / max(1, len(numbers) + len(e.numbers) - common)
            scored.append((-round(score, 6), -shared, abs(e.a_number - near), i))
        scored.sort()
        return [Example(self.entries[i].a_number, self.entries[i].name, self.entries[i].target, -s)
                for s, _, _, i in scored[:k]]

    @staticmethod
    def _adapt(e: _Entry, terms: Sequence[int], offset: int, length: int, shift: int,
               qkey: tuple[int, ...], qscale: int, qfirst: int) -> Hit | None:
        window = e.terms[shift:shift + length]
        ekey, escale, efirst = normalise(window)
        if ekey != qkey:  # a hash collision
            return None
        # query = qfirst + qscale * (x - efirst) / escale for the neighbour's value x.
        head: list[str] = []
        words: list[str] = []
        delta = e.offset + shift - offset
        if delta:
            head += ["add", "$0", str(delta)]
        if escale == 0:
            if qscale != 0:
                return None
            words = ["mov", "$0", str(qfirst)]  # a constant sequence: the neighbour's code is irrelevant
            mul, div = 1, 1
        else:
            mul, div = qscale, escale
            g = gcd(mul, div)
            mul, div = mul // g, div // g
            if div < 0:
                mul, div = -mul, -div
            if efirst and (mul != 1 or div != 1):
                words += ["sub", "$0", str(efirst)]
                base = qfirst
            else:
                base = qfirst - efirst if mul == 1 and div == 1 else qfirst
            if mul != 1:
                words += ["mul", "$0", str(mul)]
            if div != 1:
                words += ["div", "$0", str(div)]
            if base:
                words += ["add", "$0", str(base)]

        def mapped(x: int) -> int:
            if escale == 0:
                return qfirst
            v = (x - efirst) * mul
            q = abs(v) // div
            return qfirst + (q if v >= 0 else -q)  # LODA div truncates toward zero

        extra = 0
        for t, x in zip(terms[length:], e.terms[shift + length:]):
            if mapped(x) != t:
                break
            extra += 1
        if escale == 0:
            return Hit(e.a_number, " ".join(words), length, shift, extra, " ".join(words))
        inline = " ".join([*head, e.target, *words])
        call = " ".join([*head, "seq", "$0", format_a_number(e.a_number), *words])
        return Hit(e.a_number, inline, length, shift, extra, call)


def build_index(entries: Iterable[tuple], index: Index | None = None) -> Index:
    """An index over (a_number, terms, offset, target[, name]) records; with `index`, those added to it."""
    index = Index() if index is None else index
    for a, terms, offset, target, *name in entries:
        if terms:
            index.add(a, terms, offset, target, *name)
    return index.finish()


def corpus_programs(corpus, ids: Iterable[int] | None = None) -> dict[int, Program]:
    """{A-number: Program} for the given (default: all) visible ids of a `miner.lang.Corpus`; broken
    programs are skipped."""
    from miner.lang.parser import ParseError

    out = {}
    wanted = corpus.ids() if ids is None else list(ids)
    for a in progress.track(wanted, "parse programs", unit="program"):
        try:
            program = corpus.get(a)
        except ParseError as exc:
            _log.warning("program_skipped", seq=format_a_number(a), error=str(exc))
            continue
        if program is not None and program.code():
            out[a] = program
    return out


def index_for(programs: Mapping[int, Program], sequences: Mapping[int, tuple[str, Sequence[int], int]],
              index: Index | None = None) -> Index:
    """A retrieval index over the given programs, keyed by their sequences' (name, terms, offset); with
    `index`, those programs (of sequences it lacks) added to it."""
    return build_index(((a, sequences[a][1], p.offset, to_target(p), sequences[a][0])
                        for a, p in programs.items() if a in sequences), index)
