#!/bin/sh
# End to end in a real terminal: tcpviz in a detached tmux session of
# 100x30, keys sent with send-keys, the screen read with capture-pane.
# tmux is installed by ./bootstrap; without it this test fails (it does
# not skip), so that a CI machine that lacks it is noticed.
# Run by make check with top_srcdir and top_builddir in the environment.
set -u

. "${top_srcdir:-.}/tests/lib.sh"
handshake=$top_srcdir/tests/scenarios/handshake.scn

if ! command -v tmux >/dev/null 2>&1; then
    echo "FAIL: tmux is not installed (./bootstrap installs it)" >&2
    exit 1
fi

scratch tmux
# A server of our own on a private socket, without the user's config.
tm() { tmux -S "$tmp/socket" -f /dev/null "$@"; }
cleanup() {
    tm kill-server >/dev/null 2>&1
    rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

# A failure here shows the last capture of the pane.
show() {
    echo "----- screen:" >&2; cat "$tmp/screen" >&2
    echo "-----" >&2
}

# wait_for REGEX DESCRIPTION: poll the pane (up to 10 s) until a line
# matches; the last capture stays in $tmp/screen.
wait_for() {
    i=0
    while [ $i -lt 100 ]; do
        tm capture-pane -p -t tcpviz >"$tmp/screen" 2>/dev/null
        if grep -Eq -- "$1" "$tmp/screen"; then
            pass "$2"
            return 0
        fi
        sleep 0.1
        i=$((i + 1))
    done
    fail "$2: no line matches '$1'"
    return 1
}
wait_gone() {
    i=0
    while [ $i -lt 100 ]; do
        tm capture-pane -p -t tcpviz >"$tmp/screen" 2>/dev/null || return 0
        if ! grep -Eq -- "$1" "$tmp/screen"; then
            pass "$2"
            return 0
        fi
        sleep 0.1
        i=$((i + 1))
    done
    fail "$2: still shows '$1'"
    return 1
}

# The absolute paths survive tmux starting the command in another directory.
abs() { (cd "$(dirname "$1")" && printf '%s/%s' "$(pwd)" "$(basename "$1")"); }
bin=$(abs "$tcpviz")
scn=$(abs "$handshake")

tm new-session -d -s tcpviz -x 100 -y 30 \
    "LC_ALL=C.UTF-8 '$bin' '$scn'; echo \$? >'$tmp/status'" || {
    echo "FAIL: tmux new-session" >&2
    exit 1
}

wait_for '^ tcpviz  Three-way handshake .*event 1/' "first frame: title and event 1"
wait_for ' n next  b back  space play' "key bar"

tm send-keys -t tcpviz n n n
wait_for 'event 4/' "three steps with n"

tm send-keys -t tcpviz Left
wait_for 'event 3/' "the left arrow steps back"

tm send-keys -t tcpviz '?'
wait_for 'step one event forward' "? opens the help"
tm send-keys -t tcpviz Escape
wait_gone 'step one event forward' "esc closes the help"

tm resize-window -t tcpviz -x 60 -y 20
wait_for 'terminal too small' "too-small screen after a resize to 60x20"
tm resize-window -t tcpviz -x 100 -y 30
wait_for '^ tcpviz  Three-way handshake .*event 3/' "back to 100x30: the same moment"

# Play: the cursor moves on by itself (4 events a second), space pauses.
tm send-keys -t tcpviz Space
wait_for 'playing' "space plays"
wait_for 'event ([6-9]|[1-9][0-9]+)/' "playing moves the cursor"
tm send-keys -t tcpviz Space
wait_for 'paused' "space pauses"

tm send-keys -t tcpviz q
i=0
while [ ! -s "$tmp/status" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
if [ -s "$tmp/status" ] && [ "$(cat "$tmp/status")" = 0 ]; then
    pass "q quits with status 0"
else
    fail "q did not quit with status 0 (status: $(cat "$tmp/status" 2>/dev/null))"
fi

# A second session on syn_lost at 100x30, for what needs a real terminal:
# the glide of a segment in flight while playing, a mouse click, the fate
# key and the command line.
syn_lost=$(abs "$top_srcdir/tests/scenarios/syn_lost.scn")
rm -f "$tmp/status"
tm new-session -d -s tcpviz -x 100 -y 30 \
    "LC_ALL=C.UTF-8 '$bin' '$syn_lost'; echo \$? >'$tmp/status'" || {
    echo "FAIL: tmux new-session (syn_lost)" >&2
    exit 1
}
wait_for '^ tcpviz  Handshake: the SYN is lost .*event 1/' "syn_lost: first frame"
# Sixteen steps: the retransmitted SYN has just left (event 17).
i=0
while [ $i -lt 16 ]; do tm send-keys -t tcpviz n; i=$((i + 1)); done
wait_for 'event 17/' "at the retransmitted SYN"
wait_for '^│>   1\.100 │─ S seq 1000 .*\(retransmission, RTO\) ▶ ' "the SYN just left, selected"

# Played at one event a second, the SYN glides across: some frame shows
# its head part of the way, neither at the start nor at the end.
tm send-keys -t tcpviz - -
wait_for 'paused 1/s' "slower twice: one event a second"
tm send-keys -t tcpviz Space
wait_for 'RTO\) ─+▶ {3,}' "the segment glides while playing"
tm send-keys -t tcpviz Space
wait_for 'paused 1/s' "paused again"

# A click (X10 mouse report: press and release) on the first SYN's row
# (screen row 4, column 20) selects it.
tm send-keys -t tcpviz -H 1b 5b 4d 20 35 25 1b 5b 4d 23 35 25
wait_for '^│>   0\.100 │─ S seq 1000' "a click selects the segment under it"

# Back to the SYN in flight; d forks the run there.
tm send-keys -t tcpviz g
i=0
while [ $i -lt 16 ]; do tm send-keys -t tcpviz n; i=$((i + 1)); done
wait_for 'event 17/' "back at the retransmitted SYN"
tm send-keys -t tcpviz d
wait_for '^ client drop packet 1 at 1\.100000 s: the run goes on from here' "d forks the run"
tm send-keys -t tcpviz n
wait_for 'RTO\) ─+✗ user' "the dropped segment ends where it died, with why"

# A bad command is explained on the bottom row.
tm send-keys -t tcpviz : 'frob 12' Enter
wait_for "^ unknown command 'frob'; try client, server" "a bad command is explained"

# At 80x24 every view has its pane, the log included.
tm resize-window -t tcpviz -x 80 -y 24
wait_for '^┌─ log ─' "80x24: the log pane"
wait_for '^┌─ timers ─.*┌─ cwnd ─' "80x24: timers and cwnd"
tm send-keys -t tcpviz q
i=0
while [ ! -s "$tmp/status" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
if [ -s "$tmp/status" ] && [ "$(cat "$tmp/status")" = 0 ]; then
    pass "syn_lost: q quits with status 0"
else
    fail "syn_lost: q did not quit with status 0"
fi

finish
