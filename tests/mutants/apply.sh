#!/usr/bin/env bash
# apply.sh MUTANT ROOT - apply one deliberate bug (a tests/mutants/*.mutant file) to the source
# tree at ROOT, in place. Fails loudly, changing nothing, when a snippet is not found exactly the
# number of times the mutant says (once unless `@@@ find N`): the code it targets has changed,
# and whoever changed it refreshes the mutant (see tests/mutants/README.md).
#
# Format (plain text, one mutant per file):
#   # what the bug is (the first comment line is its description)
#   tests: test_gradcheck test_golden     CTest names that must kill it in the fast drill
#   equivalent: why no test can kill it  (optional: a survivor so marked is reported, not failed)
#   file: src/core/model.c                the file the following hunks change
#   @@@ find            (or `@@@ find 2`: the snippet occurs exactly twice, every occurrence replaced)
#   <exact lines of the original>
#   @@@ replace
#   <the lines that replace them>
#   @@@ end
# Any number of file: lines and hunks; text outside hunks that is not a header is an error.
set -euo pipefail
shopt -u patsub_replacement 2>/dev/null || true

die() { echo "apply.sh: $MUTANT: $*" >&2; exit 2; }

[ $# -eq 2 ] || { echo "usage: apply.sh MUTANT ROOT" >&2; exit 2; }
MUTANT=$1
ROOT=$2
[ -f "$MUTANT" ] || die "no such mutant file"

# Pass 1: parse into parallel arrays of hunks.
files=() finds=() repls=() counts=()
state=header file="" find="" repl="" count=1 lineno=0
while IFS= read -r line || [ -n "$line" ]; do
    lineno=$((lineno + 1))
    case $state in
    header)
        case $line in
        '#'* | '' | 'tests:'* | 'equivalent:'*) ;;
        'file: '*) file=${line#file: } ;;
        '@@@ find'*)
            [ -n "$file" ] || die "line $lineno: a hunk before any file: line"
            count=${line#@@@ find}
            count=${count// /}
            count=${count:-1}
            [[ $count =~ ^[1-9][0-9]*$ ]] || die "line $lineno: bad count in '$line'"
            state=find find="" ;;
        *) die "line $lineno: unexpected text outside a hunk: $line" ;;
        esac ;;
    find)
        if [ "$line" = "@@@ replace" ]; then state=replace repl=""
        else find+="$line"$'\n'; fi ;;
    replace)
        if [ "$line" = "@@@ end" ]; then
            [ -n "$find" ] || die "line $lineno: empty find snippet"
            files+=("$file") finds+=("$find") repls+=("$repl") counts+=("$count")
            state=header
        else repl+="$line"$'\n'; fi ;;
    esac
done < "$MUTANT"
[ "$state" = header ] || die "unterminated hunk (missing @@@ replace / @@@ end)"
[ ${#files[@]} -gt 0 ] || die "no hunks"

# Pass 2: check every hunk against the current text (hunks of one file apply in order), then write.
declare -A text
for i in "${!files[@]}"; do
    f=${files[$i]}
    [ -f "$ROOT/$f" ] || die "file $f does not exist"
    if [ -z "${text[$f]+set}" ]; then
        IFS= read -r -d '' content < "$ROOT/$f" || true
        text[$f]=$content
    fi
    content=${text[$f]}
    snippet=${finds[$i]}
    # occurrences (non-overlapping)
    n=0 rest=$content
    while [[ $rest == *"$snippet"* ]]; do
        n=$((n + 1))
        rest=${rest#*"$snippet"}
    done
    if [ "$n" -ne "${counts[$i]}" ]; then
        printf '%s' "$snippet" | head -3 | sed 's/^/    | /' >&2
        die "$f: the snippet above occurs $n times, expected ${counts[$i]}: refresh this mutant"
    fi
    out="" rest=$content
    for ((k = 0; k < n; k++)); do
        out+=${rest%%"$snippet"*}${repls[$i]}
        rest=${rest#*"$snippet"}
    done
    text[$f]=$out$rest
done
for f in "${!text[@]}"; do
    printf '%s' "${text[$f]}" > "$ROOT/$f"
done
