"""The shared Python twin of compiled formulas: values equal to the compiled program's on real LODA runs
(errors where the program fails), the rolled-back last pass of sums and divisor sums, the readers' hooks
(a(i) told of rolled-back passes, `seq`, exactness of divisions, the budget of node evaluations), and
failures deferred from compiling to evaluating."""

from __future__ import annotations

import pytest

from miner.lang.errors import EvalError
from miner.lang.evaluator import evaluate_partial
from miner.search.formula import FormulaError, Node, compile_formula, parse_formula
from miner.search.twin import BudgetSpent, Fn, Hooks, Run, compiled

FORMULAS = ("n^2 - 3*n + 7", "(n+1)/2 - n/3", "(-n) mod 4 + floor(n/3)", "ceiling(n/4) + ceiling(-n/3)",
            "round(n/3) * round(7/2)", "sqrt(n*n+3) + abs(5-n)", "lcm(n, 6) + gcd(n, 4)", "binomial(n, 3) - C(2n, n)",
            "n! / (n-2)!", "n!! + (n+1)!!", "Sum_{k=1..n} k^2", "Product_{k=2..n} (k+1)", "Sum_{k=n..3} 1",
            "Sum_{k=0..n} binomial(n, k)*2^k", "Sum_{d|n} d^2", "sigma_0(n) * 2", "Sum_{k=1..n} Sum_{d|k} d",
            "log_2(n+1) + min(n, 4) - max(n, 3)", "12/(n-4)", "Sum_{k=1..n} 12/(k-3)", "Max_{d|n} ((d mod 4) - 7)*n/d",
            "Max_{d|n+2} floor((d-3)/2) - Sum_{d|n} 1", "ord(3, n+2) + ord(-2, 2*n+1) - ord(n, 6)")


def twin_values(fn: Fn, count: int) -> tuple[list[int], bool]:
    """fn at n = 0, 1, ... until the first error; whether one ended them."""
    out = []
    for n in range(count):
        try:
            out.append(fn(Run({"n": n})))
        except EvalError:
            return out, True
    return out, False


@pytest.mark.parametrize("text", FORMULAS)
def test_the_twin_computes_what_the_compiled_program_computes(text: str) -> None:
    node = parse_formula(text)
    expected, error = evaluate_partial(compile_formula(node), 12)
    assert twin_values(compiled(node, Hooks()), 12) == (expected, error is not None)


def test_a_sums_rolled_back_last_pass_runs_its_body_but_adds_nothing() -> None:
    seen: list[tuple[int, bool]] = []

    def at(r: Run, i: int) -> int:
        seen.append((i, r.discarded))
        return i

    node = parse_formula("Sum_{k=1..n} k")
    body = Node("sum", "k", (node.args[0], node.args[1], Node("at", None, (Node("var", "k"),))))
    assert compiled(body, Hooks(at=at))(Run({"n": 3})) == 6
    assert seen == [(1, False), (2, False), (3, False), (4, True)]
    seen.clear()
    assert compiled(body, Hooks(at=at, clamp_sum_index=True))(Run({"n": 3})) == 6
    assert seen == [(1, False), (2, False), (3, False), (3, True)]
    # the rolled-back pass's errors stand: k = 4 divides by 0 unless the index is clamped to 3
    node = parse_formula("Sum_{k=1..n} floor(12/(4-k))")
    with pytest.raises(EvalError):
        compiled(node, Hooks())(Run({"n": 3}))
    assert compiled(node, Hooks(clamp_sum_index=True))(Run({"n": 3})) == 4 + 6 + 12


def test_a_divisor_sums_last_pass_is_rolled_back_and_nested_passes_inherit_it() -> None:
    seen: list[tuple[int, int, bool]] = []

    def at(r: Run, i: int) -> int:
        seen.append((r.env["d"], i, r.discarded))
        return 1

    node = Node("dsum", "d", (Node("var", "n"), Node("at", None, (Node("var", "d"),))))
    assert compiled(node, Hooks(at=at))(Run({"n": 4})) == 3  # d = 4, 2, 1
    assert seen == [(4, 4, False), (3, 3, False), (2, 2, False), (1, 1, False), (1, 1, True)]
    run = Run({"n": 2})
    outer = Node("sum", "k", (Node("num", 1), Node("num", 2), node))
    seen.clear()
    assert compiled(outer, Hooks(at=at))(run) == 2 + 2  # the divisors 2 and 1 of n, for k = 1, 2
    assert [s[2] for s in seen] == [False, False, True] * 2 + [True] * 3
    assert run == Run({"n": 2})  # the bound variables and the flag restored


def test_divisions_outside_floor_ceiling_and_round_record_their_exactness() -> None:
    hooks = Hooks(exact=True)
    for text, exact in (("n/2", [True, False, True]), ("floor(n/3) + ceiling(n/3) + round(n/5)", [True] * 3),
                        ("(n+1)/2 + floor(n/2)", [False, True, False]), ("Sum_{k=1..2} n/2", [True, False, True])):
        fn = compiled(parse_formula(text), hooks)
        for n, flag in zip((2, 3, 4), exact):
            run = Run({"n": n})
            fn(run)
            assert run.exact is flag, (text, n)
    run = Run({"n": 3})
    compiled(parse_formula("n/2"), Hooks())(run)
    assert run.exact


def test_each_node_evaluation_spends_one_of_the_budget() -> None:
    node = parse_formula("Sum_{k=1..n} (k + 1)")  # the sum, its bounds, then k + 1 (3 nodes) a pass
    budget = [1 + 2 + 3 * 4]
    assert compiled(node, Hooks(budget=budget))(Run({"n": 3})) == 9
    assert budget == [0]
    budget = [1 + 2 + 3 * 4 - 1]
    with pytest.raises(BudgetSpent):
        compiled(node, Hooks(budget=budget))(Run({"n": 3}))
    # ceiling(x/y) evaluates x and y, not the quotient node
    budget = [3]
    assert compiled(parse_formula("ceiling(n/2)"), Hooks(budget=budget))(Run({"n": 3})) == 2
    assert budget == [0]


def test_what_no_hook_covers_fails_when_evaluated_not_when_compiled() -> None:
    lazy = compiled(parse_formula("n + Stirling2(n, 2) + A000045(n)"), Hooks())
    with pytest.raises(FormulaError, match="stirling2"):
        lazy(Run({"n": 3}))
    with pytest.raises(FormulaError, match="seq"):
        compiled(parse_formula("A000045(n)"), Hooks())(Run({"n": 3}))
    with pytest.raises(FormulaError, match="cannot evaluate at"):
        compiled(Node("at", None, (Node("var", "n"),)), Hooks())(Run({"n": 3}))
    calls: list[int] = []

    def seq(number: int, arg: Fn) -> Fn:
        def run(r: Run) -> int:
            calls.append(number)
            return arg(r) * 10
        return run

    assert compiled(parse_formula("A000045(n+1) + 1"), Hooks(seq=seq))(Run({"n": 3})) == 41
    assert calls == [45]


def test_digits_written_anew_compute_as_compiled() -> None:
    # squares of the digits of 7*n - 12 (negative below n = 2, zero at none): widths 1 and 2 mixed
    node = Node("call", "digitcat", (parse_formula("7*n - 12"), *(Node("num", d * d) for d in range(10))))
    expected, error = evaluate_partial(compile_formula(node), 40)
    assert error is None
    assert twin_values(compiled(node, Hooks()), 40) == (expected, False)
    assert (expected[0], expected[5], expected[12]) == (0, 49, 494)  # -12 has none; 23 -> "4" "9"; 72 -> "49" "4"
