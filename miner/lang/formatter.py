"""Print programs as canonical LODA text, the way loda-cpp's `ProgramUtil::print` does."""

from __future__ import annotations

from miner.lang.program import CONSTANT, OPS, Operation, Program


def format_operation(op: Operation) -> str:
    """One operation without indentation: `add $1,2`, `lpb $0`, `; comment` or `mov $0,1 ; note`."""
    info = OPS[op.op]
    if op.op == "nop":
        text = ""
    elif info.operands == 0:
        text = op.op
    elif info.operands == 1 or (op.op == "lpb" and op.source.kind == CONSTANT and op.source.value == 1):
        text = f"{op.op} {op.target}"
    else:
        text = f"{op.op} {op.target},{op.source}"
    if op.comment:
        text = f"{text} ; {op.comment}" if text else f"; {op.comment}"
    return text


def format_program(program: Program) -> str:
    """Canonical text: leading comments, directives (sorted) and a blank line, 2-space loop indent."""
    lines: list[str] = []
    ops = program.ops
    i = 0
    last_has_comment = False
    while i < len(ops) and ops[i].op == "nop":
        lines.append(format_operation(ops[i]))
        last_has_comment = bool(ops[i].comment)
        i += 1
    if program.directives:
        if i > 0 and last_has_comment:
            lines.append("")
        for name in sorted(program.directives):
            lines.append(f"#{name} {program.directives[name]}")
        lines.append("")
    indent = 0
    for op in ops[i:]:
        if op.op == "lpe":
            indent = max(indent - 2, 0)
        lines.append(" " * indent + format_operation(op))
        if op.op == "lpb":
            indent += 2
    return "".join(line + "\n" for line in lines)
