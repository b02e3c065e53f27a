#!/bin/sh
# make bench: print the numbers, never fail on speed.
#
# 1. The world benchmark of issue 2 on the long scenario: events per second
#    and seek latency (a full world: trace, packets, snapshots).
# 2. The speed-and-fidelity benchmark of issue 3: each 100 MB transfer in
#    its own process (so peak RSS is per run) in a lean world, as a table.
#    The exit status is 1 if a transfer did not deliver its bytes intact.
set -eu
: "${top_srcdir:=.}"
: "${top_builddir:=.}"
"$top_builddir/tests/bench_world" "$top_srcdir/tests/scenarios/bench_long.scn" 100000

echo
echo "100 MB transfers, 100 Mbit/s, 10 ms one way, NewReno, IW 10, delayed ACK, 1 MiB rcvbuf"
echo "(last byte: when the receiving app read it; limit: link time of every segment + handshake + delay)"
"$top_builddir/tests/bench_transfer" --header
status=0
for name in loss0 loss05 loss2 sack; do
    "$top_builddir/tests/bench_transfer" --row \
        "$top_srcdir/tests/scenarios/bench_100mb_$name.scn" || status=1
done
exit $status
