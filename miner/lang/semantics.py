"""The arithmetic of LODA operations on Python ints, exactly as loda-cpp's `Semantics` defines it.

Values are integers with |x| < 2^3840 (loda-cpp's BigNumber size); a result outside that range,
or an undefined one (division by zero, ...), raises instead of producing `inf`, because the
interpreter fails on every attempt to store `inf` in a cell. Division truncates toward zero (C++).
"""

from __future__ import annotations

from math import comb as _comb
from math import gcd as _gcd

from miner.lang import clock
from miner.lang.errors import NumberTooLargeError, UndefinedError

LIMIT = 1 << 3840
NEG_LIMIT = -LIMIT
_BITS = 3840
# Operands past this many bits make nrt, dgs, lex, dir and log take up to milliseconds (thousands of
# big-number steps): their loops then look at the evaluation's clock as they go (log once before).
_SLOW_BITS = 512
# bin and fac with a k past this make k big-number products: they look at the clock before.
_SLOW_K = 256


def overflow(value: int) -> int:
    """Raise because `value` is past the size limit (helper for inline checks)."""
    raise NumberTooLargeError(f"number too large ({value.bit_length()} bits; LODA's limit is {_BITS})")


def undefined(what: str) -> int:
    raise UndefinedError(f"undefined result: {what}")


def _chk(v: int) -> int:
    if NEG_LIMIT < v < LIMIT:
        return v
    return overflow(v)


def _tdiv(a: int, b: int) -> int:
    if b > 0:
        return a // b if a >= 0 else -(-a // b)
    return -(a // -b) if a >= 0 else -a // -b


def mov(a: int, b: int) -> int:
    return b


def add(a: int, b: int) -> int:
    return _chk(a + b)


def sub(a: int, b: int) -> int:
    return _chk(a - b)


def trn(a: int, b: int) -> int:
    d = _chk(a - b)
    return d if d > 0 else 0


def mul(a: int, b: int) -> int:
    return _chk(a * b)


def div(a: int, b: int) -> int:
    if b == 0:
        return undefined(f"div {a},0")
    return _tdiv(a, b)


def mod(a: int, b: int) -> int:
    if b == 0:
        return undefined(f"mod {a},0")
    r = abs(a) % abs(b)
    return -r if a < 0 else r


def _dif(a: int, b: int) -> int:
    if b == 0:
        return a
    d = _tdiv(a, b)
    return d if a == b * d else a


def dif(a: int, b: int) -> int:
    return _dif(a, b)


def dir(a: int, b: int) -> int:  # noqa: A001 - the LODA operation's name
    slow = a >> _SLOW_BITS if a > 0 else -a >> _SLOW_BITS
    while True:
        r = _dif(a, b)
        if abs(r) == abs(a):
            return a
        a = r
        if slow:
            clock.check()


def _pow(base: int, exp: int) -> int | None:
    """base^exp, or None where loda-cpp gives inf."""
    if base == 1:
        return 1
    if base == -1:
        return -1 if exp & 1 else 1
    if base == 0:
        if exp > 0:
            return 0
        return 1 if exp == 0 else None
    if exp < 0:
        return 0
    if (abs(base).bit_length() - 1) * exp >= _BITS:
        return None
    r = base ** exp
    return r if NEG_LIMIT < r < LIMIT else None


def pow(a: int, b: int) -> int:  # noqa: A001
    r = _pow(a, b)
    if r is None:
        if a == 0:
            return undefined(f"pow 0,{b}")
        return overflow(LIMIT)
    return r


def gcd(a: int, b: int) -> int:
    return _gcd(a, b)


def lex(a: int, b: int) -> int:
    if b == 0 or b == 1:
        return 0
    a, b = abs(a), abs(b)
    r = 0
    slow = a >> _SLOW_BITS
    while True:
        x = _dif(a, b)
        if x == a:
            return r
        a = x
        r += 1
        if slow:
            clock.check()


def bin(n: int, k: int) -> int:  # noqa: A001
    sign = 1
    if n < 0:
        if k >= 0:
            sign = -1 if k & 1 else 1
            n = _chk(k - _chk(n + 1))
        elif n >= k:
            sign = -1 if (n - k) & 1 else 1
            n, k = _chk(-_chk(k + 1)), n - k
        else:
            return 0
    if k < 0 or n < k:
        return 0
    if n < 2 * k < LIMIT:  # loda-cpp: 2k overflowing to inf compares false
        k = n - k
    if k >= (1 << 64):
        return overflow(LIMIT)
    if k == 0:
        return sign
    if k > _SLOW_K:
        clock.check()  # C(n, k) for k in the thousands takes up to a millisecond
    if k > _BITS or k * n.bit_length() > 4 * _BITS:
        # math.comb would first build an exact value of up to k * bits(n) bits (minutes for a k near
        # 2^63); loda-cpp's loop stops at the first product past the limit, within ~_BITS steps.
        return sign * _bin_steps(n, k)
    # loda-cpp multiplies r = C(n, i) by (n - i) before dividing by i + 1; with k <= n/2 these products
    # grow with i, so the last, C(n, k) * k, is the largest and decides the overflow.
    r = _comb(n, k)
    if r * k < LIMIT:
        return sign * r
    _bin_steps(n, k)  # overflows: find the first product that does, for the same message
    return overflow(LIMIT)


def _bin_steps(n: int, k: int) -> int:
    """C(n, k) for 0 < k <= n/2 in loda-cpp's order (multiply, check the size, divide). Since
    C(n, i) >= 2^i there, it overflows by i = _BITS at the latest, so it never runs long."""
    r = 1
    for i in range(k):
        r = r * (n - i)
        if not r < LIMIT:
            return overflow(r)
        r = r // (i + 1)
    return r


def fac(n: int, k: int) -> int:
    d = 1
    if k < 0:
        k, d = -k, -1
    if k > _SLOW_K:
        clock.check()
    res = 1
    i = 0
    while i < k:
        res *= n
        if res == 0:
            return 0
        if not NEG_LIMIT < res < LIMIT:
            return overflow(res)
        n = _chk(n + d)
        i += 1
    return res


def log(a: int, b: int) -> int:
    if a < 1 or b < 2:
        return undefined(f"log {a},{b}")
    if a == 1:
        return 0
    if a >> _SLOW_BITS:
        clock.check()  # up to 3,840 big multiplications follow
    m, r = 1, 0
    while m < a:
        m *= b
        r += 1
        if not m < LIMIT:
            # loda-cpp's m becomes inf: `m < a` and `m == a` are then false.
            return r - 1
    return r if m == a else r - 1


def nrt(a: int, b: int) -> int:
    if a < 0 or b < 1:
        return undefined(f"nrt {a},{b}")
    if a == 0 or a == 1 or b == 1:
        return a
    r, lo, hi = 1, 0, a
    slow = a >> _SLOW_BITS
    while lo < hi:
        m = (lo + hi) // 2
        p = _pow(m, b)
        if p == a:
            return m
        if p is not None and p < a:
            lo = m
        else:
            hi = m
        if r == m:
            break
        r = m
        if slow:
            clock.check()
    return r


def dgs(a: int, b: int) -> int:
    if b < 2:
        return undefined(f"dgs {a},{b}")
    sign = -1 if a < 0 else 1
    a = abs(a)
    r = 0
    if a >> _SLOW_BITS:
        while a >> _SLOW_BITS:
            a, d = divmod(a, b)
            r += d
            clock.check()
    while a > 0:
        a, d = divmod(a, b)
        r += d
    return sign * r


def dgr(a: int, b: int) -> int:
    if b < 2:
        return undefined(f"dgr {a},{b}")
    if a == 0:
        return 0
    return (-1 if a < 0 else 1) * (1 + (abs(a) - 1) % (b - 1))


def equ(a: int, b: int) -> int:
    return 1 if a == b else 0


def neq(a: int, b: int) -> int:
    return 1 if a != b else 0


def leq(a: int, b: int) -> int:
    return 1 if a <= b else 0


def geq(a: int, b: int) -> int:
    return 1 if a >= b else 0


def min(a: int, b: int) -> int:  # noqa: A001
    return a if a < b else b


def max(a: int, b: int) -> int:  # noqa: A001
    return b if a < b else a


def ban(a: int, b: int) -> int:
    return a & b


def bor(a: int, b: int) -> int:
    return a | b


def bxo(a: int, b: int) -> int:
    return a ^ b


# Operation name -> f(target, source) for every arithmetic operation.
FUNCTIONS = {
    name: globals()[name]
    for name in ("mov", "add", "sub", "trn", "mul", "div", "dif", "dir", "mod", "pow", "gcd", "lex",
                 "bin", "fac", "log", "nrt", "dgs", "dgr", "equ", "neq", "leq", "geq", "min", "max",
                 "ban", "bor", "bxo")
}
