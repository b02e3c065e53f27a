#!/bin/sh
# Every shipped scenario writes a pcap that tshark reads back with no
# malformed packet and every IPv4 and TCP checksum verified good, holding
# exactly the packets the JSON Lines trace says left a sender.
#
# tshark is a test dependency (./bootstrap installs it): a missing tshark
# fails the test with a reason instead of skipping it, so that a machine
# without it cannot pass "make check" by accident.
set -u

top_srcdir=${top_srcdir:-$(dirname "$0")/..}
top_builddir=${top_builddir:-$top_srcdir}
tcpviz=$top_builddir/src/tcpviz

# configure exports TSHARK (possibly empty or "no" when it was not found).
tshark=${TSHARK:-}
if [ -z "$tshark" ] || ! command -v "$tshark" >/dev/null 2>&1; then
    tshark=$(command -v tshark 2>/dev/null || true)
fi
if [ -z "$tshark" ]; then
    echo "pcap_tshark: tshark not found; install it (./bootstrap does: apt-get install tshark)" >&2
    exit 1
fi
if [ ! -x "$tcpviz" ]; then
    echo "pcap_tshark: $tcpviz not built" >&2
    exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pcap_tshark.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM
# tshark reads and may create ~/.config/wireshark; keep the user's profile
# (and any preference that could hide a bad checksum) out of the test.
mkdir "$tmp/home"
# Payloads are test bytes, not HTTP or anything else: decoding every TCP
# port as plain data keeps an application dissector (HTTP on port 80 throws
# on binary bytes) from reporting "malformed" for what is a valid segment.
# The test judges the IPv4 and TCP layers, which are ours.
run_tshark() {
    HOME=$tmp/home XDG_CONFIG_HOME=$tmp/home "$tshark" -n -d 'tcp.port==1-65535,data' \
        -o tcp.check_checksum:TRUE -o ip.check_checksum:TRUE "$@"
}

status=0
count=0
for scn in "$top_srcdir"/tests/scenarios/*.scn; do
    [ -e "$scn" ] || continue
    name=$(basename "$scn")
    # The benchmark runs (100 MB each) belong to `make bench`; the lossy
    # transfer scenarios exercise the same code here at a readable size.
    case "$name" in bench_*) continue ;; esac
    count=$((count + 1))
    pcap=$tmp/run.pcap
    rm -f "$pcap"

    # Exit 1 (a checkpoint failed) is the business of other tests; here only
    # a usage or file error (2) or a crash counts.
    "$tcpviz" --batch "$scn" --format jsonl --pcap "$pcap" >"$tmp/run.jsonl" 2>"$tmp/run.err"
    rc=$?
    if [ $rc -ne 0 ] && [ $rc -ne 1 ]; then
        echo "FAIL $name: tcpviz exited with $rc" >&2
        cat "$tmp/run.err" >&2
        status=1
        continue
    fi
    if [ ! -s "$pcap" ]; then
        echo "FAIL $name: no pcap written" >&2
        status=1
        continue
    fi

    # Checksum status 1 is "Good" (0 is "Bad", 2 "Unverified"); anything
    # that is not IPv4 carrying TCP has no business in this file.
    if ! run_tshark -r "$pcap" -Y \
        '_ws.malformed || !ip || !tcp || ip.checksum.status != 1 || tcp.checksum.status != 1' \
        >"$tmp/bad.txt" 2>"$tmp/tshark.err"; then
        echo "FAIL $name: tshark could not read the pcap" >&2
        cat "$tmp/tshark.err" >&2
        status=1
        continue
    fi
    if [ -s "$tmp/bad.txt" ]; then
        echo "FAIL $name: malformed packets or bad checksums:" >&2
        cat "$tmp/bad.txt" >&2
        status=1
        continue
    fi

    frames=$(run_tshark -r "$pcap" -T fields -e frame.number 2>/dev/null | wc -l)
    # The pcap holds packets as they left a sender: one per seg-out event.
    # Corrupted copies made by the wire only appear in seg-in/seg-drop
    # events, never as seg-out, so they are not counted.
    sent=$(grep -c '"ev":"seg-out"' "$tmp/run.jsonl")
    if [ "$frames" -ne "$sent" ]; then
        echo "FAIL $name: pcap has $frames packets, trace has $sent seg-out events" >&2
        status=1
        continue
    fi
    echo "ok $name: $frames packets"
done

if [ $count -eq 0 ]; then
    echo "pcap_tshark: no scenarios in $top_srcdir/tests/scenarios" >&2
    exit 1
fi
exit $status
