"""Ramanujan's mock theta functions a name states, part of `theta`: "Coefficients of the 3rd-order mock theta
function f(q)", "Coefficient of q^(2n) in ... f(q)", "Expansion of f(-q) ... where f() is a 3rd order mock
theta function", the partitions of n of even or odd rank, (p(n) +- f_n)/2 by Dyson's identity, and by the size
of their Durfee square. Each function is a q-hypergeometric sum, T_m = c^m q^e(m) Product_{k<=m} F(k), computed
to q^N in memory arrays: T_m from T_(m-1) by a shift and one pass per factor (1 +- q^d)^(+-1), added to the sum
while e(m) <= N.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from miner.lang.parser import parse
from miner.lang.program import Program
from miner.search.build import at_offset


@dataclass(frozen=True)
class Mock:
    """Sum over m >= m0 of sign^m q^e(m) Product_{k=k0..m} F(k), e(m) = (a m^2 + b m)/den + c and F(k) the
    product of (1 + s q^(alpha k + beta))^power over `factors` (s, alpha, beta, power)."""

    e: tuple[int, int, int, int]
    factors: tuple[tuple[int, int, int, int], ...]
    k0: int = 1
    m0: int = 0
    sign: int = 1
    most: int = 0  # the largest m summed (0: every m)
    weighted: bool = False  # each T_m counted m times


# Watson's and Andrews' definitions; the key is (order, name as OEIS writes it).
FUNCTIONS: dict[tuple[int, str], Mock] = {
    (3, "f"): Mock((1, 0, 1, 0), ((1, 1, 0, -2),)),
    (3, "phi"): Mock((1, 0, 1, 0), ((1, 2, 0, -1),)),
    (3, "psi"): Mock((1, 0, 1, 0), ((-1, 2, -1, -1),), m0=1),
    (3, "chi"): Mock((1, 0, 1, 0), ((1, 1, 0, 1), (1, 3, 0, -1))),
    (3, "omega"): Mock((2, 2, 1, 0), ((-1, 2, 1, -2),), k0=0),
    (3, "nu"): Mock((1, 1, 1, 0), ((1, 2, 1, -1),), k0=0),
    (3, "rho"): Mock((2, 2, 1, 0), ((-1, 2, 1, 1), (-1, 6, 3, -1)), k0=0),
    (5, "f0"): Mock((1, 0, 1, 0), ((1, 1, 0, -1),)),
    (5, "f1"): Mock((1, 1, 1, 0), ((1, 1, 0, -1),)),
    (5, "F0"): Mock((2, 0, 1, 0), ((-1, 2, -1, -1),)),
    (5, "F1"): Mock((2, 2, 1, 0), ((-1, 2, 1, -1),), k0=0),
    (5, "phi0"): Mock((1, 0, 1, 0), ((1, 2, -1, 1),)),
    (5, "phi1"): Mock((1, 2, 1, 1), ((1, 2, -1, 1),)),
    (5, "psi0"): Mock((1, 3, 2, 1), ((1, 1, 0, 1),)),
    (5, "psi1"): Mock((1, 1, 2, 0), ((1, 1, 0, 1),)),
}

_ORDER = r"(?:'?(?P<order>\d)(?:st|nd|rd|th)[- ]order'? )?"
_FUNCTION = r"(?P<fn>[A-Za-z]+)(?:_?(?P<sub>[01]))?"
# "Coefficients of the 3rd-order mock theta function f(q)", "Coefficient of q^(2n-1) in the series expansion
# of Ramanujan's mock theta function f(q)"
_COEFFICIENTS = re.compile(r"^(?:Coefficients? (?:of|in) (?:q\^\((?P<a>\d*)\*?n ?(?P<b>[-+] ?\d+)?\) in )?(?:the )?"
                           r"(?:(?:series )?expansion of )?|Expansion of )(?:Ramanujan's )?(?:the )?" + _ORDER
                           + r"mock theta function " + _FUNCTION + r"\((?P<arg>-?)q\)(?: in powers of q)?\.?$")
# "Expansion of f(-q) in powers of q where f() is a 3rd order mock theta function"
_WHERE = re.compile(r"^Expansion of " + _FUNCTION + r"\((?P<arg>-?)q\) in powers of q,? where (?P=fn)(?:_?(?P=sub))?\(\) "
                    r"is (?:a|the) " + _ORDER + r"mock theta function\.?$")
# Dyson's rank: f(q) = Sum (N_even(n) - N_odd(n)) q^n
_RANK = re.compile(r"^Number of (?:integer )?partitions of n (?:of|with|having) (?P<which>even|odd|positive odd) rank\b")
# Partitions by their Durfee square m: q^(m^2) / (q;q)_m^2
_DURFEE = Mock((1, 0, 1, 0), ((-1, 1, 0, -2),))
_DURFEE_AT_MOST = re.compile(r"^(?:a\(n\) is )?the number of partitions of n with (?:a )?Durfee square of size <= (\d+)\.?$", re.I)
_DURFEE_SIZES = re.compile(r"^Sum of the sizes of the Durfee squares of all partitions of n\.?$")

_BASE = 32  # the arrays, interleaved: T[i] at BASE + stride*i, the sum at +1, p(n) at +2


@dataclass(frozen=True)
class Reading:
    """The term at n is (p(N) * p_factor + sign(N) * coefficient of q^N) / divisor, N = a*n + b."""

    mock: Mock
    a: int = 1
    b: int = 0
    alternating: bool = False
    p_factor: int = 0
    divisor: int = 1


def _function(order: str | None, fn: str, sub: str | None) -> Mock | None:
    key = fn + (sub or "")
    orders = [int(order)] if order else [3, 5]
    return next((FUNCTIONS[o, key] for o in orders if (o, key) in FUNCTIONS), None)


def parse_name(name: str) -> Reading | None:
    """The reading of a name that states a mock theta function's coefficients or partitions by rank parity."""
    if m := _DURFEE_AT_MOST.match(name.strip()):
        return Reading(replace(_DURFEE, most=int(m[1])))
    if _DURFEE_SIZES.match(name.strip()):
        return Reading(replace(_DURFEE, weighted=True))
    if m := _RANK.match(name):
        p_factor, divisor = {"even": (1, 2), "odd": (-1, -2), "positive odd": (-1, -4)}[m["which"]]
        return Reading(FUNCTIONS[3, "f"], p_factor=p_factor, divisor=divisor)
    m = _COEFFICIENTS.match(name) or _WHERE.match(name)
    if m is None or (mock := _function(m["order"], m["fn"], m["sub"])) is None:
        return None
    groups = m.groupdict()
    a, b = int(groups.get("a") or 1), int((groups.get("b") or "0").replace(" ", ""))
    return Reading(mock, a, b, alternating=m["arg"] == "-")


def _e(mock: Mock, m: int) -> int:
    a, b, den, c = mock.e
    return (a * m * m + b * m) // den + c


def _apply(series: list[int], s: int, d: int, power: int) -> None:
    """series times (1 + s q^d)^power, in place (power +-1 or +-2)."""
    for _ in range(abs(power)):
        if power > 0:
            for i in range(len(series) - 1, d - 1, -1):
                series[i] += s * series[i - d]
        else:
            for i in range(d, len(series)):
                series[i] -= s * series[i - d]


def coefficients(mock: Mock, count: int) -> list[int]:
    """The first `count` coefficients of the sum, term by term as the program computes them."""
    t = [0] * count
    total = [0] * count
    if count == 0:
        return total
    t[0] = mock.sign ** mock.m0
    for k in range(mock.k0, mock.m0 + 1):
        for s, alpha, beta, power in mock.factors:
            _apply(t, s, alpha * k + beta, power)
    m = mock.m0
    shift = _e(mock, m)
    while shift < count:
        t = [0] * shift + t[: count - shift]
        total = [x + (m if mock.weighted else 1) * y for x, y in zip(total, t)]
        m += 1
        shift = _e(mock, m) - _e(mock, m - 1)
        if _e(mock, m) >= count or mock.most and m > mock.most:
            break
        t = [mock.sign * x for x in t]
        for s, alpha, beta, power in mock.factors:
            _apply(t, s, alpha * m + beta, power)
    return total


def partitions(count: int) -> list[int]:
    p = [1] + [0] * (count - 1)
    for k in range(1, count):
        _apply(p, -1, k, -1)
    return p


def values(reading: Reading, count: int) -> list[int | None]:
    """The reading's terms at n = 0 .. count-1 (None where N < 0 or the division is not exact)."""
    top = max(reading.a * (count - 1) + reading.b, 0) + 1
    c = coefficients(reading.mock, top)
    p = partitions(top) if reading.p_factor else [0] * top
    out: list[int | None] = []
    for n in range(count):
        big_n = reading.a * n + reading.b
        if big_n < 0:
            out.append(None)
            continue
        v = (-1) ** big_n * c[big_n] if reading.alternating else c[big_n]
        v += reading.p_factor * p[big_n]
        out.append(v // reading.divisor if v % reading.divisor == 0 else None)
    return out


def _pass(arr: int, stride: int, op: str, s: int) -> str:
    """One pass over array `arr` with d in $10: `mul` times (1 + s q^d) (descending), `div` by it (ascending)."""
    first, step = ("$0", "sub") if op == "mul" else ("$10", "add")
    sign = s if op == "mul" else -s
    return f"""mov $20,{first}
mov $21,$0
sub $21,$10
add $21,1
lpb $21
  sub $21,1
  mov $22,$20
  mul $22,{stride}
  add $22,{_BASE + arr}
  mov $23,$22
  mov $24,$10
  mul $24,{stride}
  sub $23,$24
  max $23,0
  mov $25,$$23
  mul $25,{sign}
  add $$22,$25
  {step} $20,1
lpe
"""


def _factors(mock: Mock, stride: int, k_cell: str) -> str:
    code = ""
    for s, alpha, beta, power in mock.factors:
        code += f"mov $10,{k_cell}\nmul $10,{alpha}\nadd $10,{beta}\n"
        code += _pass(0, stride, "mul" if power > 0 else "div", s) * abs(power)
    return code


def _shift(stride: int) -> str:
    """T times q^E, E in $11: T[i] = T[i-E] from the top down, then zeros below E."""
    return f"""mov $20,$0
mov $21,$0
sub $21,$11
add $21,1
lpb $21
  sub $21,1
  mov $22,$20
  mul $22,{stride}
  add $22,{_BASE}
  mov $23,$11
  mul $23,{stride}
  mov $24,$22
  sub $24,$23
  max $24,0
  mov $$22,$$24
  sub $20,1
lpe
""" + _each(stride, "  mov $$22,0\n", "mov $21,$0\nadd $21,1\nmin $21,$11\n")


def _each(stride: int, body: str, count: str = "mov $21,$0\nadd $21,1\n") -> str:
    """`body` for i = 0 .. N (or as many as `count` puts in $21), with $22 the address of T[i]."""
    return f"""mov $20,0
{count}lpb $21
  sub $21,1
  mov $22,$20
  mul $22,{stride}
  add $22,{_BASE}
{body}  add $20,1
lpe
"""


def _e_code(mock: Mock, m_cell: str, out: int, delta: int = 0) -> str:
    """e(m + delta) into $out (m in `m_cell`), through $13 and $14."""
    a, b, den, c = mock.e
    return f"mov $14,{m_cell}\nadd $14,{delta}\nmov ${out},$14\nmul ${out},$14\nmul ${out},{a}\nmov $13,$14\n" \
           f"mul $13,{b}\nadd ${out},$13\ndiv ${out},{den}\nadd ${out},{c}\n"


def program(reading: Reading, offset: int) -> Program:
    """The reading's program: the sum to q^N in memory, then its coefficient (and p(N)) combined."""
    mock = reading.mock
    stride = 3 if reading.p_factor else 2
    sum_into = "  mov $27,$$22\n" + ("  mul $27,$1\n" if mock.weighted else "") + "  mov $26,$22\n  add $26,1\n  add $$26,$27\n"
    cap = f"mov $15,{mock.most}\nsub $15,$1\nmin $2,$15\n" if mock.most else ""
    negate = "  mul $$22,-1\n"
    code = f"mul $0,{reading.a}\nadd $0,{reading.a * offset + reading.b}\nmov ${_BASE},{mock.sign ** mock.m0}\nmov $1,{mock.m0}\n"
    for k in range(mock.k0, mock.m0 + 1):
        code += _factors(mock, stride, str(k))
    code += _e_code(mock, str(mock.m0), 11) + _shift(stride) + _each(stride, sum_into)
    # m in $1; the loop runs while e(m) <= N (and m <= most), its counter N - e(m) falling as e grows
    code += "mov $2,$0\n" + _e_code(mock, "$1", 12) + "sub $2,$12\n" + cap + "add $2,1\nlpb $2\n  add $1,1\n"
    code += _e_code(mock, "$1", 11) + _e_code(mock, "$1", 12, -1) + "sub $11,$12\n"
    if mock.sign < 0:
        code += _each(stride, negate)
    code += _factors(mock, stride, "$1") + _shift(stride) + _each(stride, sum_into)
    code += "mov $2,$0\n" + _e_code(mock, "$1", 12) + "sub $2,$12\n" + cap + "lpe\n"
    code += f"mov $3,$0\nmul $3,{stride}\nadd $3,{_BASE + 1}\nmov $4,$$3\n"
    if reading.alternating:
        code += "mov $5,$0\nmod $5,2\nmul $5,-2\nadd $5,1\nmul $4,$5\n"
    if reading.p_factor:
        code += _partitions(stride) + f"mov $3,$0\nmul $3,{stride}\nadd $3,{_BASE + 2}\nmov $5,$$3\n" \
                f"mul $5,{reading.p_factor}\nadd $4,$5\ndiv $4,{reading.divisor}\n"
    return at_offset(parse(code + "mov $0,$4\n").code(), offset)


def _partitions(stride: int) -> str:
    """p(0..N) in the third array: 1 divided by (1 - q^k) for k = 1 .. N."""
    return f"mov ${_BASE + 2},1\nmov $15,1\nmov $16,$0\nlpb $16\n  sub $16,1\n  mov $10,$15\n" + _pass(2, stride, "div", -1) \
        + "  add $15,1\nlpe\n"


def programs_for(terms: list[int], name: str, offset: int) -> list[Program]:
    """The program of the mock theta reading the name states, when its values are the known terms."""
    reading = parse_name(name)
    if reading is None or not terms:
        return []
    if values(reading, offset + len(terms))[offset:] != terms:
        return []
    return [program(reading, offset)]
