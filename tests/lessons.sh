#!/bin/sh
# Every shipped lesson runs headless, in both languages, and every claim it
# makes holds (docs/lesson-format.md: "the engine decides").
#
# For each lessons/*.lesson:
#   - tcpviz --check FILE exits 0;
#   - tcpviz --batch FILE --lang en and --lang zh_CN exit 0 and end with
#     "N claims, 0 failed", N > 0;
#   - every step has narration in both languages, and each line of it is in
#     the transcript of its language.
# No lessons at all is a failure: the course is the point.
set -u

. "${top_srcdir:-.}/tests/lib.sh"
lessons=$top_srcdir/lessons

scratch lessons
count=0
# A failure shows the tail of the transcript, which can be long.
show() {
    echo "----- stdout (tail):" >&2; tail -n 15 "$tmp/out" >&2
    echo "----- stderr:" >&2; cat "$tmp/err" >&2
    echo "-----" >&2
}

# narration_missing LESSON TRANSCRIPT LANG: print each line of step
# narration in LANG that the transcript lacks, and each step without
# narration in LANG; exit 1 if there is any.  Text lines are "en TEXT",
# "zh TEXT" (or "zh_CN"), TEXT being the rest of the line or one quoted
# string; they belong to the last opener above them.  Spaces are compared
# collapsed, and "{answer}" (filled in by the engine) splits a line into
# pieces checked one by one.
narration_missing() {
    LC_ALL=C awk -v want="$3" '
    function squeeze(s) { gsub(/[ \t]+/, " ", s); sub(/^ /, "", s); sub(/ $/, "", s); return s }
    function unquote(s,    out, i, c) {
        out = ""
        for (i = 2; i <= length(s); i++) {
            c = substr(s, i, 1)
            if (c == "\\") { i++; out = out substr(s, i, 1); continue }
            if (c == "\"") break
            out = out c
        }
        return out
    }
    function text_of(line,    s) {
        s = line
        sub(/^[ \t]*[a-zA-Z_]+[ \t]*/, "", s)
        if (substr(s, 1, 1) == "\"") return unquote(s)
        sub(/#.*/, "", s)
        return s
    }
    function end_step() {
        if (step_line && !has_text)
            { printf "line %d: step has no %s narration\n", step_line, want; bad = 1 }
        step_line = 0
    }
    NR == FNR { out = out " " squeeze($0) " \n"; next }
    {
        word = $1
        if (word == "step" || word == "question" || word == "option" || word == "explain" ||
            word == "summary") {
            end_step()
            if (word == "step") { step_line = FNR; has_text = 0 }
            next
        }
        lang = word == "zh_CN" ? "zh" : word
        if (!step_line || lang != want) next
        text = squeeze(text_of($0))
        if (text == "") next
        has_text = 1
        n = split(text, piece, /\{answer\}/)
        for (i = 1; i <= n; i++) {
            p = squeeze(piece[i])
            if (p != "" && index(out, p) == 0)
                { printf "line %d: not in the transcript: %s\n", FNR, p; bad = 1 }
        }
    }
    END { end_step(); exit bad }
    ' "$2" "$1"
}

# The command line around lessons, on the first lesson there is.
first=$(ls "$lessons"/*.lesson 2>/dev/null | head -n 1)
if [ -n "$first" ]; then
    "$tcpviz" --batch "$first" --lang xx >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if [ "$rc" -ne 2 ] || ! grep -q "invalid language 'xx' (expected en or zh_CN)" "$tmp/err"; then
        fail "--lang xx: exit $rc, expected 2 and a message"
    fi
    "$tcpviz" --batch "$first" --format jsonl >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if [ "$rc" -ne 2 ] || ! grep -q "apply to scenarios only" "$tmp/err"; then
        fail "--format with a lesson: exit $rc, expected 2 and a message"
    fi
    # The default language comes from the environment, LC_ALL first.
    LC_ALL= LC_MESSAGES= LANG=zh_CN.UTF-8 "$tcpviz" --batch "$first" >"$tmp/out" 2>"$tmp/err"
    grep -q '^== 第 1 步' "$tmp/out" || count_failure "LANG=zh_CN.UTF-8 does not give a Chinese transcript"
    LC_ALL=C LANG=zh_CN.UTF-8 "$tcpviz" --batch "$first" >"$tmp/out" 2>"$tmp/err"
    grep -q '^== Step 1 of' "$tmp/out" || count_failure "LC_ALL=C does not give an English transcript"
    # A claim the engine does not bear out: --check names file and line.
    # Every shipped lesson says something at its first step; asking for an
    # impossible cwnd there must fail.
    awk '{ print } /^step/ && !done { print "expect client cwnd=1234567"; done = 1 }' \
        "$first" >"$tmp/broken.lesson"
    "$tcpviz" --check "$tmp/broken.lesson" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if [ "$rc" -ne 1 ] || ! grep -q "broken.lesson:[0-9]*: expect client cwnd=1234567: " "$tmp/err"
    then
        fail "--check on a lesson with a false claim: exit $rc, expected 1 and FILE:LINE"
    fi
fi

for lesson in "$lessons"/*.lesson; do
    [ -e "$lesson" ] || continue
    count=$((count + 1))
    name=$(basename "$lesson")

    "$tcpviz" --check "$lesson" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if [ "$rc" -ne 0 ]; then
        fail "$name: tcpviz --check: exit $rc, expected 0"
    fi

    # Installed and distributed only if Makefile.am lists it.
    if ! grep -Eq "^[[:space:]]*lessons/$name( |\\\\|\$)" "$top_srcdir/Makefile.am"; then
        count_failure "$name is not in nobase_dist_pkgdata_DATA in Makefile.am"
    fi

    for lang in en zh_CN; do
        before=$failures
        "$tcpviz" --batch "$lesson" --lang "$lang" >"$tmp/out" 2>"$tmp/err"
        rc=$?
        if [ "$rc" -ne 0 ]; then
            fail "$name --lang $lang: exit $rc, expected 0"
            continue
        fi
        last=$(tail -n 1 "$tmp/out")
        claims=$(printf '%s\n' "$last" | sed -n 's/^\([0-9][0-9]*\) claims, 0 failed$/\1/p')
        if [ -z "$claims" ]; then
            count_failure "$name --lang $lang: last line is '$last', expected 'N claims, 0 failed'"
        elif [ "$claims" -eq 0 ]; then
            count_failure "$name --lang $lang: the lesson makes no claim the engine can check"
        fi
        short=${lang%_CN}
        if ! narration_missing "$lesson" "$tmp/out" "$short" >"$tmp/missing"; then
            count_failure "$name --lang $lang: narration missing:"
            sed 's/^/    /' "$tmp/missing" >&2
        fi
        [ "$failures" -eq "$before" ] && echo "ok: $name --lang $lang ($claims claims)"
    done
done

if [ "$count" -eq 0 ]; then
    echo "FAIL: no lessons in $lessons" >&2
    exit 1
fi

# The worked example in docs/lesson-format.md is what teachers copy: its
# claims must hold too (check_lesson_parse only parses it).
awk '/^```$/ { if (inside) exit; inside = 1; next } inside' \
    "$top_srcdir/docs/lesson-format.md" >"$tmp/example.lesson"
if "$tcpviz" --check "$tmp/example.lesson" >"$tmp/out" 2>"$tmp/err"; then
    echo "ok: the example in docs/lesson-format.md holds"
else
    fail "the example in docs/lesson-format.md: --check failed"
fi
echo "$count lessons, $failures failures"
[ "$failures" -eq 0 ]
