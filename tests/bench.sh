#!/bin/sh
# make bench: print the numbers, never fail on speed.
#
# 1. The world benchmark of issue 2 on the long scenario: events per second
#    and seek latency (a full world: trace, packets, snapshots).
# 2. The speed-and-fidelity benchmark of issue 3: each 100 MB transfer in
#    its own process (so peak RSS is per run) in a lean world, as a table.
#    The exit status is 1 if a transfer did not deliver its bytes intact.
# 3. The speed of the curses UI (issue 4), targets in brackets: CPU while
#    paused, measured on the real binary in tmux; step and back-step
#    latency, bytes per frame and the first frame (tests/bench_ui.c).
set -eu
: "${top_srcdir:=.}"
: "${top_builddir:=.}"
: "${transfer_runs:=5}"    # runs per 100 MB scenario; the median is reported

# utime + stime of process $1 in clock ticks (/proc/PID/stat fields 14 and
# 15, counted after the command name, which may hold spaces).
cpu_ticks() {
    sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'
}

# Voluntary context switches of process $1: each is a wake-up.
wakeups() {
    awk '/^voluntary_ctxt_switches/ { print $2 }' "/proc/$1/status"
}

# The real binary, paused, in a 200x60 tmux pane for 10 s: the CPU it
# uses should be none (it blocks in getch).  Its own tmux server on a
# private socket, without the user's configuration.
paused_cpu() {
    if ! command -v tmux >/dev/null 2>&1; then
        echo "[0 %] CPU while paused: not measured (tmux is not installed; ./bootstrap installs it)"
        return 0
    fi
    tmp=$(mktemp -d "${TMPDIR:-/tmp}/tcpviz-bench.XXXXXX")
    tm() { tmux -S "$tmp/socket" -f /dev/null "$@"; }
    bin=$(cd "$top_builddir/src" && pwd)/tcpviz
    scn=$(cd "$top_srcdir/tests/scenarios" && pwd)/handshake.scn
    # exec: the pane's process is tcpviz itself, not a shell around it.
    tm new-session -d -s bench -x 200 -y 60 "exec env LC_ALL=C.UTF-8 '$bin' '$scn'"
    pid=$(tm display-message -p -t bench '#{pane_pid}')
    sleep 1
    ticks0=$(cpu_ticks "$pid"); wake0=$(wakeups "$pid"); t0=$(date +%s.%N)
    sleep 10
    alive=no
    if [ -r "/proc/$pid/stat" ]; then
        alive=yes
        ticks1=$(cpu_ticks "$pid"); wake1=$(wakeups "$pid"); t1=$(date +%s.%N)
    fi
    tm send-keys -t bench q
    sleep 0.2
    tm kill-server >/dev/null 2>&1 || true
    rm -rf "$tmp"
    if [ $alive = no ]; then
        echo "[0 %] CPU while paused: not measured, tcpviz exited within 10 s"
        return 1
    fi
    awk -v d="$((ticks1 - ticks0))" -v hz="$(getconf CLK_TCK)" -v t0="$t0" -v t1="$t1" \
        -v w="$((wake1 - wake0))" 'BEGIN {
        printf "[0 %%] CPU while paused at 200x60 in tmux: %.2f %% over %.1f s " \
               "(%d ticks of 1/%d s; %d wake-ups)\n", 100 * d / hz / (t1 - t0), t1 - t0, d, hz, w
    }'
}

"$top_builddir/tests/bench_world" "$top_srcdir/tests/scenarios/bench_long.scn" 100000

echo
echo "100 MB transfers, 100 Mbit/s, 10 ms one way, NewReno, IW 10, delayed ACK, 1 MiB rcvbuf"
echo "(last byte: when the receiving app read it; limit: link time of every segment + handshake + delay)"
echo "(each row is the median run of $transfer_runs by CPU time; every run is listed below the table)"
"$top_builddir/tests/bench_transfer" --header
status=0
all_runs=
for name in loss0 loss05 loss2 sack; do
    # One process per run: CPU time and peak RSS are the process's own.
    # A single run swings by a few ms with the machine's other work, so
    # the row shown is the median of several.
    rows=
    for _ in $(seq "$transfer_runs"); do
        row=$("$top_builddir/tests/bench_transfer" --row \
              "$top_srcdir/tests/scenarios/bench_100mb_$name.scn") || status=1
        rows="$rows$row
"
    done
    printf '%s' "$rows" | sort -k2,2n | sed -n "$(( (transfer_runs + 1) / 2 ))p"
    all_runs="$all_runs$name cpu ms: $(printf '%s' "$rows" | awk '{printf "%s ", $2}')
"
done
printf '%s' "$all_runs"

echo
echo "The curses UI (issue 4's targets in brackets; wall clock includes other processes' turns)"
ui_bench() { "$top_builddir/tests/bench_ui" "$@" || status=1; }
scenarios=$top_srcdir/tests/scenarios
paused_cpu || status=1
echo "[<= 5 ms] step latency:"
ui_bench latency "$scenarios/bench_long.scn" 200x60 2000 0
ui_bench latency "$scenarios/bench_long.scn" 200x60 2000 100000
echo "[<= 16 ms] back-step latency:"
ui_bench back "$scenarios/bench_long.scn" 100000 50
echo "[median <= 4 KB] bytes written per frame while playing:"
ui_bench bytes "$scenarios/bottleneck_sawtooth.scn" 500
echo "[<= 50 ms] first frame:"
ui_bench first "$top_builddir/src/tcpviz" "$scenarios/handshake.scn" 20
exit $status
