#!/bin/sh
# tcpviz --script: the real binary driven by a script of actions on a
# virtual screen, its dumps checked line by line (see src/ui/script.h).
# Run by make check with top_srcdir and top_builddir in the environment.
set -u

. "${top_srcdir:-.}/tests/lib.sh"
handshake=$top_srcdir/tests/scenarios/handshake.scn

scratch script
# The lesson menu keeps progress: in the test's own directory, never the
# user's.
XDG_STATE_HOME=$tmp/state
export XDG_STATE_HOME

# Three steps into the handshake on the default 100x30 screen.
script 0 "handshake steps" --ascii "$handshake" <<'END' &&
# the server listens, the client connects
step
step
key n
dump
END
{
    lines 30 "a dump is one screen of 30 rows"
    has '^ tcpviz  Three-way handshake +t=0\.100 s  event 4/[0-9]+\+?  \|\| paused' \
        "status line: title, virtual time, event, paused"
    has '^ n next  b back  space play .* \? help  q quit$' "key bar generated from the actions"
}

# Back to the start, then the end of the run.
script 0 "start and end" --ascii "$handshake" <<'END' &&
step
step
start
dump
end
dump
END
{
    lines 60 "two dumps"
    has 'event 1/[0-9]+' "start shows event 1"
    has 'event ([0-9]+)/\1  ' "end: the last event of a known total"
}

# The help screen at 80x24, and the too-small screen.
script 0 "help and too small" --ascii "$handshake" <<'END' &&
size 80x24
help
dump
key pgdn
dump
key esc
resize 40x10
dump
END
{
    lines 58 "24 + 24 + 10 rows"
    has '\| n right l +step one event forward' "help lists step with its keys"
    has 'j/k scroll' "the help says it scrolls at 80x24"
    has '\| q +quit' "help lists quit after a page down"
    has 'terminal too small' "too-small screen at 40x10"
    has 'have 40x10, need 80x24' "too-small screen says the sizes"
}

# quit ends the script: nothing after it runs.
script 0 "quit stops" "$handshake" <<'END' &&
quit
dump
END
lines 0 "no dump after quit"

# A bad line is an error with the script's name and line number.
script 2 "bad command" "$handshake" <<'END' &&
step

frobnicate
END
if grep -q "script:3: unknown command 'frobnicate'" "$tmp/err"; then
    pass "bad command names file and line"
else
    fail "bad command message"
fi

# No FILE: the lesson menu, whose s opens the blank sandbox.
script 0 "sandbox" --ascii <<'END' &&
key s
dump
END
has '^ tcpviz  Sandbox ' "s in the menu opens the sandbox"

# The sandbox's command line: a bad command is explained on the bottom
# row, a good one forks the run, a note reaches the narration with its
# Chinese characters two columns wide.
# Chinese is measured in a UTF-8 locale (in C it is drawn as '?').
utf8_locale=$(locale -a 2>/dev/null | grep -i '^c\.utf-\?8$' | head -n 1)
LC_ALL=${utf8_locale:-C} script 0 "sandbox commands" --ascii <<'END' &&
size 120x30
key s
key :
type frob 12
key enter
dump
command
type note "你好 世界 abc"
key enter
dump
key :
type client connect server:80
key enter
dump
seg-next
dump
END
{
    has "^ unknown command 'frob'; try client, server, link, inject, expect, note, drop" \
        "a bad command says what commands there are"
    if [ -n "$utf8_locale" ]; then
        has '^\|你好 世界 abc {105}\|$' "the note in the narration, border in its column"
    fi
    has '^ client connect port 80 at 0\.000000 s: the run goes on from here$' \
        "a command forks the run and says so"
    has '\|>? +0\.000 \|- S seq [0-9]+ win' "the sandbox's SYN on the ladder"
}

# A fate key on the segment in flight, then back before the fork and
# another fate: the second decision replaces the first.
script 0 "fate and fork" --ascii "$top_srcdir/tests/scenarios/syn_lost.scn" <<'END' &&
interesting-next
interesting-next
interesting-next
interesting-next
seg-next
drop
dump
step
dump
back
back
back
corrupt
end
dump
END
{
    has '^ client drop packet 1 at 1\.100000 s: the run goes on from here$' "d forks the run"
    has 'RTO\) -+x user' "the user's drop is marked where it happened"
    has 'checksum \(corrupted\) x\|' "after back and c: the corrupted copy dies at the receiver"
}

# NO_COLOR and a non-UTF-8 locale: the same screen in ASCII, no escape
# sequences for colour in the dump (a dump is text anyway: this checks
# that the run works and falls back to ASCII boxes without --ascii).
LANG=C LC_ALL=C NO_COLOR=1 script 0 "C locale" "$handshake" <<'END' &&
step
step
step
dump
END
{
    has '^\+- ladder -' "ASCII boxes in the C locale"
    lacks '─' "no Unicode line drawing in the C locale"
}

# The script from standard input.
printf 'step\ndump\n' | "$tcpviz" --script - --ascii "$handshake" >"$tmp/out" 2>"$tmp/err"
if [ $? -eq 0 ]; then has 'event 2/' "--script - reads standard input"; else fail "--script -"; fi

# Unicode boxes in a UTF-8 locale, ASCII with --ascii.
if locale -a 2>/dev/null | grep -qi '^c\.utf-\?8$'; then
    LC_ALL=C.UTF-8 script 0 "utf-8 boxes" "$handshake" <<'END' &&
help
dump
END
    has '┌─ help: \? or esc closes' "Unicode box drawing in a UTF-8 locale"
    LC_ALL=C.UTF-8 script 0 "ascii boxes" --ascii "$handshake" <<'END' &&
help
dump
END
    has '\+- help: \? or esc closes' "--ascii box drawing"
else
    echo "note: no C.UTF-8 locale; skipping the Unicode box check"
fi

finish
