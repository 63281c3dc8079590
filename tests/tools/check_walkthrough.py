#!/usr/bin/env python3
"""Runs a Markdown walkthrough and checks it against what its commands print.

Usage: check_walkthrough.py DOC.md WORKDIR

Every ```sh block runs, in document order, with bash -e in WORKDIR (the caller prepares it:
gat on PATH, the data folders linked in). Each ```output block is checked against the
output (stdout and stderr) of the sh block before it: its lines must appear in that output
in the same order (other lines may come between), each matching one output line word for
word, except that numbers are compared numerically and `*` in the expected line stands for
any one number. Every inline code span of the prose that is just a number (`0.4083`) must
equal some number the commands printed. Numbers agree when they differ by at most one unit
of the expected number's last printed digit, or 1 % of its value, whichever is larger.
Exits 1 with one line per failure; prints how long each command took."""
import os
import re
import subprocess
import sys
import time

NUM = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")


def tolerance(text):
    frac = text.split("e")[0].split("E")[0]
    unit = 10.0 ** -(len(frac.split(".")[1])) if "." in frac else 1.0
    return max(unit, 0.01 * abs(float(text)))


def skeleton(line, wildcard):
    """The line with numbers (and, for expected lines, *) replaced by #, and its numbers."""
    nums = []

    def sub(m):
        nums.append(m.group(0))
        return "#"
    pattern = re.compile(r"\*|" + NUM.pattern) if wildcard else NUM
    sk = pattern.sub(sub, line)
    return " ".join(sk.split()), nums


def line_matches(expected, actual):
    es, en = skeleton(expected, True)
    as_, an = skeleton(actual, False)
    if es != as_ or len(en) != len(an):
        return False
    return all(e == "*" or abs(float(e) - float(a)) <= tolerance(e) for e, a in zip(en, an))


def blocks(text):
    """(kind, content, line number) of the fenced blocks, and the prose between them."""
    out, prose, cur, kind, start = [], [], None, None, 0
    for no, line in enumerate(text.split("\n"), 1):
        m = re.match(r"^```(\S*)\s*$", line)
        if cur is None and m:
            cur, kind, start = [], m.group(1), no
        elif cur is not None and line.startswith("```"):
            out.append((kind, "\n".join(cur), start))
            cur = None
        elif cur is not None:
            cur.append(line)
        else:
            prose.append((no, line))
    return out, prose


def main():
    doc, work = sys.argv[1], sys.argv[2]
    text = open(doc, encoding="utf-8").read()
    bl, prose = blocks(text)
    failures, printed, last = [], [], None
    t_all = time.time()
    for kind, content, no in bl:
        if kind == "sh":
            t0 = time.time()
            p = subprocess.run(["bash", "-e", "-c", content], cwd=work, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
            print("%6.2f s  line %d: %s" % (time.time() - t0, no, content.strip().split("\n")[-1][:90]))
            last = p.stdout
            printed += NUM.findall(p.stdout)
            if p.returncode:
                failures.append("%s:%d: the sh block exits %d:\n%s" % (doc, no, p.returncode, p.stdout[-2000:]))
        elif kind == "output":
            if last is None:
                failures.append("%s:%d: an output block with no sh block before it" % (doc, no))
                continue
            lines, k = last.split("\n"), 0
            for exp in content.split("\n"):
                if not exp.strip():
                    continue
                while k < len(lines) and not line_matches(exp, lines[k]):
                    k += 1
                if k == len(lines):
                    failures.append("%s:%d: expected output line not printed (in this order): %s" % (doc, no, exp))
                    break
                k += 1
    values = [float(v) for v in printed]
    n_quoted = 0
    for no, line in prose:
        for span in re.findall(r"`([^`]+)`", line):
            if not re.fullmatch(NUM.pattern, span.strip()):
                continue
            n_quoted += 1
            v, tol = float(span), tolerance(span.strip())
            if not any(abs(v - p) <= tol for p in values):
                failures.append("%s:%d: the quoted number %s is not among the numbers the commands printed" % (doc, no, span))
    n_sh = sum(1 for b in bl if b[0] == "sh")
    n_out = sum(1 for b in bl if b[0] == "output")
    print("%d sh blocks, %d output blocks, %d quoted numbers checked in %.1f s" % (n_sh, n_out, n_quoted,
                                                                                    time.time() - t_all))
    for f in failures:
        print("FAIL: " + f)
    return 1 if failures or n_sh == 0 or n_out == 0 or n_quoted == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
