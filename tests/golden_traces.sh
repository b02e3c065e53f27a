#!/bin/sh
# Golden event traces: every shipped scenario runs headless, all of its
# checkpoints must hold (exit status 0), and its text trace must equal the
# recorded one in tests/golden/NAME.trace byte for byte.  After a deliberate
# change of behaviour, regenerate with `make update-golden` and review the
# diff like code.
set -u
: "${top_srcdir:=.}"
: "${top_builddir:=.}"
tcpviz="$top_builddir/src/tcpviz"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0
checked=0
for scn in "$top_srcdir"/tests/scenarios/*.scn; do
    name=$(basename "$scn" .scn)
    case "$name" in bench_*) continue ;; esac
    golden="$top_srcdir/tests/golden/$name.trace"
    if [ ! -f "$golden" ]; then
        echo "FAIL $name: no golden trace $golden (make update-golden)"
        failed=$((failed + 1))
        continue
    fi
    "$tcpviz" --batch "$scn" --format text >"$tmp/$name.trace" 2>"$tmp/$name.err"
    rc=$?
    if [ "$rc" -ne 0 ]; then
        echo "FAIL $name: exit status $rc (a checkpoint failed or the file is bad)"
        grep -E 'FAIL|error' "$tmp/$name.trace" "$tmp/$name.err" | head -5
        failed=$((failed + 1))
        continue
    fi
    # The trace names the scenario by the path it was given; compare names.
    sed "s|$top_srcdir/tests/scenarios/|tests/scenarios/|g" "$tmp/$name.trace" >"$tmp/$name.norm"
    if ! diff -u "$golden" "$tmp/$name.norm" >"$tmp/$name.diff"; then
        echo "FAIL $name: trace differs from $golden"
        head -40 "$tmp/$name.diff"
        failed=$((failed + 1))
        continue
    fi
    checked=$((checked + 1))
done
echo "golden traces: $checked matched, $failed failed"
[ "$checked" -gt 0 ] && [ "$failed" -eq 0 ]
