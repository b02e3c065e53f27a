# What the shell tests share, sourced by each of them first:
#     . "${top_srcdir:-.}/tests/lib.sh"
# make check runs them with top_srcdir and top_builddir in the environment;
# by hand they default to the current directory.
#
# Sourcing it checks that tcpviz is built (exit 99, the automake harness's
# hard error, if not) and sets $tcpviz and $failures.  Then:
#   scratch NAME        $tmp: a private directory, removed on exit
#   pass MESSAGE        one check that held
#   fail MESSAGE        one that did not: the message, then `show`
#   count_failure MSG   the message alone
#   show                what a failure prints after its message: the last
#                       run's stdout and stderr ($tmp/out, $tmp/err); a test
#                       that wants something else defines its own after
#                       sourcing this file (ui_tmux.sh shows the screen)
#   script STATUS DESCRIPTION ARGS... < SCRIPT
#                       tcpviz --script (src/ui/script.h) with ARGS
#   has / lacks / has_err / lines   checks on what the last run wrote
#   finish              exit 1 if any check failed, else 0

: "${top_srcdir:=.}"
: "${top_builddir:=.}"
tcpviz=$top_builddir/src/tcpviz

if [ ! -x "$tcpviz" ]; then
    echo "FAIL: $tcpviz not built" >&2
    exit 99
fi

# scratch NAME: make $tmp (tcpviz-NAME.XXXXXX under $TMPDIR) and remove it
# when the test ends, however it ends.
scratch() {
    tmp=$(mktemp -d "${TMPDIR:-/tmp}/tcpviz-$1.XXXXXX") || exit 99
    trap 'rm -rf "$tmp"' EXIT INT TERM
}

failures=0
count_failure() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}
show() {
    echo "----- stdout:" >&2; cat "$tmp/out" >&2
    echo "----- stderr:" >&2; cat "$tmp/err" >&2
    echo "-----" >&2
}
fail() {
    count_failure "$@"
    show
}
pass() { echo "ok: $*"; }

# script STATUS DESCRIPTION ARGS... < SCRIPT: run the script (from stdin,
# copied to a file) with tcpviz --script FILE ARGS, expect exit STATUS.
script() {
    want=$1; what=$2; shift 2
    cat >"$tmp/script"
    "$tcpviz" --script "$tmp/script" "$@" >"$tmp/out" 2>"$tmp/err"
    got=$?
    if [ "$got" -ne "$want" ]; then
        fail "$what: exit $got, expected $want"
        return 1
    fi
    return 0
}

# has REGEX DESCRIPTION: some line of the dump matches REGEX (grep -E).
has() {
    if grep -Eq -- "$1" "$tmp/out"; then pass "$2"; else fail "$2: no line matches '$1'"; fi
}
# lacks REGEX DESCRIPTION: no line of the dump does.
lacks() {
    if grep -Eq -- "$1" "$tmp/out"; then fail "$2: a line matches '$1'"; else pass "$2"; fi
}
# has_err REGEX DESCRIPTION: some line of standard error matches REGEX.
has_err() {
    if grep -Eq -- "$1" "$tmp/err"; then pass "$2"; else fail "$2: stderr lacks '$1'"; fi
}
# lines N DESCRIPTION: the dump is N lines long.
lines() {
    n=$(wc -l <"$tmp/out")
    if [ "$n" -eq "$1" ]; then pass "$2"; else fail "$2: $n lines, expected $1"; fi
}

finish() {
    if [ "$failures" -ne 0 ]; then
        echo "$failures failure(s)" >&2
        exit 1
    fi
    exit 0
}
