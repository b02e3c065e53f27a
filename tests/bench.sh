#!/bin/sh
# make bench: run the world benchmark on the long scenario and print the
# numbers (events per second, seek latency).  Nothing here fails on speed.
set -eu
: "${top_srcdir:=.}"
: "${top_builddir:=.}"
"$top_builddir/tests/bench_world" "$top_srcdir/tests/scenarios/bench_long.scn" 100000
