#!/bin/sh
# The command line: options, messages and exit statuses (see docs/tcpviz.1).
# Run by make check with top_srcdir and top_builddir in the environment.
set -u

. "${top_srcdir:-.}/tests/lib.sh"
scratch cli

# run STATUS DESCRIPTION ARGS...: run tcpviz, expect exit STATUS.
run() {
    want=$1; what=$2; shift 2
    "$tcpviz" "$@" >"$tmp/out" 2>"$tmp/err"
    got=$?
    if [ "$got" -ne "$want" ]; then
        fail "$what: tcpviz $*: exit $got, expected $want"
        return 1
    fi
    return 0
}

# expect FILE REGEX DESCRIPTION: FILE (out or err) has a line matching REGEX.
expect() {
    if grep -Eq -- "$2" "$tmp/$1"; then
        pass "$3"
    else
        fail "$3: std$1 has no line matching /$2/"
    fi
}

# --help: GNU style, on stdout, status 0.
if run 0 "--help" --help; then
    expect out '^Usage: tcpviz \[OPTION\]\.\.\. \[LESSON | FILE\]$' "--help starts with the usage line"
    expect out '--batch' "--help mentions --batch"
    expect out '--check' "--help mentions --check"
    [ -s "$tmp/err" ] && fail "--help wrote to stderr"
fi

# --version: "tcpviz 0.1.0" on the first line.
if run 0 "--version" --version; then
    first=$(head -n 1 "$tmp/out")
    if [ "$first" = "tcpviz 0.1.0" ]; then
        pass "--version prints 'tcpviz 0.1.0'"
    else
        fail "--version first line is '$first', expected 'tcpviz 0.1.0'"
    fi
fi

# Usage errors: status 2 and a pointer to --help on stderr.
if run 2 "unknown option" --no-such-option; then
    expect err "unrecognized option '--no-such-option'" "unknown option is named"
    expect err "Try 'tcpviz --help'" "unknown option points to --help"
    [ -s "$tmp/out" ] && fail "unknown option wrote to stdout"
fi
run 2 "unknown short option" -Z && expect err "Try 'tcpviz --help'" "-Z is refused"
run 2 "missing argument" --batch && expect err "requires an argument" "--batch needs FILE"
run 2 "argument to --help" --help=yes && expect err "allow an argument" "--help=yes is refused"
run 2 "bad seed" --seed 12x --batch x.scn && expect err "invalid seed" "--seed 12x is refused"
run 2 "negative seed" --seed -1 --batch x.scn && expect err "invalid seed" "--seed -1 is refused"
run 2 "huge seed" --seed 18446744073709551616 --batch x.scn &&
    expect err "invalid seed" "--seed 2^64 is refused"
run 2 "bad format" --format xml --batch x.scn && expect err "invalid format" "--format xml is refused"
run 2 "bad colour" --color=sometimes && expect err "invalid colour" "--color=sometimes is refused"
run 2 "--pcap alone" --pcap "$tmp/x.pcap" && expect err "needs --batch" "--pcap needs --batch"
run 2 "two operands" a.scn b.scn && expect err "extra operand" "two operands are refused"

# --check on a broken file: the parser's "FILE:LINE: message", status 2.
broken=$tmp/broken.scn
printf 'this line is not a scenario statement\n' >"$broken"
if run 2 "--check broken file" --check "$broken"; then
    expect err "^$broken:[0-9]+: " "--check reports FILE:LINE: for a broken file"
    [ -s "$tmp/out" ] && fail "--check of a broken file wrote to stdout"
fi

# --batch and --check on a file that does not exist: status 2, file named.
missing=$tmp/does-not-exist.scn
run 2 "--batch missing file" --batch "$missing" &&
    expect err "$missing" "--batch names the missing file"
run 2 "--check missing file" --check "$missing" &&
    expect err "$missing" "--check names the missing file"

# Plain tcpviz opens the curses UI; without a terminal (as here) it says
# so, points to --batch and --script, and exits 2 instead of drawing into
# a pipe.
if run 2 "no terminal"; then
    expect err "--batch" "without a terminal tcpviz points to --batch"
fi
if run 2 "--color=never without a terminal" --color=never; then
    expect err "--script" "without a terminal tcpviz points to --script"
fi

# A shipped scenario passes --check (when the scenarios are there).
good=$top_srcdir/tests/scenarios/handshake.scn
if [ -f "$good" ]; then
    run 0 "--check good file" --check "$good" &&
        expect out "^$good: ok \([0-9]+ hosts, [0-9]+ rules, [0-9]+ checkpoints\)$" \
            "--check accepts $good"
    # Whether its checkpoints hold is the golden tests' business; here the
    # exit status must agree with the summary: 0 if none failed, else 1.
    "$tcpviz" --batch "$good" --format jsonl --seed 7 >"$tmp/out" 2>"$tmp/err"
    got=$?
    last=$(tail -n 1 "$tmp/out")
    want=none
    if printf '%s\n' "$last" | grep -q '"ev":"summary"'; then
        if printf '%s\n' "$last" | grep -Eq '"checkpoints":\{[^}]*"failed":0[,}]'; then
            want=0
        else
            want=1
        fi
    fi
    if [ "$want" = none ]; then
        fail "--batch --format jsonl: last line is not the summary: $last"
    elif [ "$got" -ne "$want" ]; then
        fail "--batch --format jsonl: exit $got, but the summary says status $want: $last"
    else
        pass "--batch --format jsonl ends with the summary, exit status $got agrees"
    fi
else
    echo "note: $good not found; skipping the good-file checks"
fi

# Output errors must not look like success.
if [ -w /dev/full ]; then
    "$tcpviz" --help >/dev/full 2>"$tmp/err"
    got=$?
    : >"$tmp/out"
    if [ "$got" -eq 2 ] && grep -q "write error" "$tmp/err"; then
        pass "a write error on stdout gives status 2"
    else
        fail "tcpviz --help >/dev/full: exit $got, expected 2 with 'write error'"
    fi
fi

[ "$failures" -eq 0 ] && echo "all command-line checks passed"
finish
