# po2c.awk: compile a gettext PO file into a C table for src/i18n.
#
#   awk -v source=po/zh_CN.po -v table=tv_catalog_zh_CN -f po2c.awk FILE.po > catalog.c
#
# Reads the subset of the PO format that tcpviz uses: comments, "#, fuzzy",
# msgid / msgstr with continuation strings, and the escapes \" \\ \n \t.
# Writes a const array of {msgid, msgstr} pairs (catalog.h) with every
# translated entry.  Left out: the header entry (msgid ""), fuzzy entries
# (a translator has not confirmed them; gettext ignores them too) and
# entries whose msgstr is empty (not translated yet).  msgctxt and plural
# forms are refused: nothing in tcpviz needs them yet, and silently
# ignoring them would drop translations.  Errors name the file and line
# and the exit status is 1.  POSIX awk only (Debian's default is mawk).

BEGIN {
    if (source == "") source = "(po file)"
    if (table == "") table = "tv_catalog_zh_CN"
    failed = 0
    count = 0
    # The bytes 1..31 (the C0 controls, tab included) and DEL.
    control_chars = ""
    for (i = 1; i < 32; i++) control_chars = control_chars sprintf("%c", i)
    control_chars = control_chars sprintf("%c", 127)
    reset_entry()
}

function fail(msg) {
    printf "%s:%d: %s\n", source, FNR, msg > "/dev/stderr"
    failed = 1
    exit 1
}

function reset_entry() {
    field = ""          # "msgid", "msgstr" or "" between entries
    msgid = ""
    msgstr = ""
    have_msgid = 0
    have_msgstr = 0
    fuzzy = 0
    entry_line = 0
}

# The text between the quotes of a PO string line, checked: only the
# escapes \" \\ \n \t, no bare quote, no control character.
function quoted(line,    s, i, c, n) {
    sub(/^[ \t]+/, "", line)
    sub(/[ \t\r]+$/, "", line)
    if (line !~ /^".*"$/ || length(line) < 2)
        fail("expected a string in double quotes")
    s = substr(line, 2, length(line) - 2)
    n = length(s)
    for (i = 1; i <= n; i++) {
        c = substr(s, i, 1)
        if (c == "\\") {
            if (i == n || index("\"\\nt", substr(s, i + 1, 1)) == 0)
                fail("unsupported escape (use \\\" \\\\ \\n or \\t)")
            i++
        } else if (c == "\"") {
            fail("a double quote inside a string must be written \\\"")
        } else if (index(control_chars, c) > 0) {
            fail("control character inside a string (write \\n or \\t)")
        }
    }
    return s
}

# Called when an entry ends: keep it if it is a real, confirmed translation.
function flush_entry() {
    if (!have_msgid) {
        reset_entry()
        return
    }
    if (!have_msgstr) {
        FNR = entry_line
        fail("msgid without a msgstr")
    }
    if (msgid != "" && msgstr != "" && !fuzzy) {
        if (msgid in seen) {
            FNR = entry_line
            fail("duplicate msgid (first at line " seen[msgid] ")")
        }
        seen[msgid] = entry_line
        count++
        ids[count] = msgid
        strs[count] = msgstr
    }
    reset_entry()
}

# C source for an escaped PO string.  PO escapes are C escapes; '?' is
# escaped so that "??" can never start a trigraph.
function c_literal(s) {
    gsub(/\?/, "\\?", s)
    return "\"" s "\""
}

/^[ \t]*$/ { flush_entry(); next }

/^#~/ { next }   # obsolete entries

/^#,/ {
    if (have_msgstr) flush_entry()
    if ($0 ~ /fuzzy/) fuzzy = 1
    next
}

/^#/ {
    if (have_msgstr) flush_entry()
    next
}

/^msgctxt[ \t]/ { fail("msgctxt is not supported by po2c.awk") }
/^msgid_plural[ \t]/ { fail("plural forms are not supported by po2c.awk") }
/^msgstr\[/ { fail("plural forms are not supported by po2c.awk") }

/^msgid[ \t]/ {
    if (have_msgstr) {
        flush_entry()
    } else if (have_msgid) {
        fail("msgid without a msgstr before this line")
    }
    line = $0
    sub(/^msgid[ \t]+/, "", line)
    msgid = quoted(line)
    have_msgid = 1
    entry_line = FNR
    field = "msgid"
    next
}

/^msgstr[ \t]/ {
    if (!have_msgid || have_msgstr) fail("msgstr without a msgid before it")
    line = $0
    sub(/^msgstr[ \t]+/, "", line)
    msgstr = quoted(line)
    have_msgstr = 1
    field = "msgstr"
    next
}

/^[ \t]*"/ {
    if (field == "msgid") msgid = msgid quoted($0)
    else if (field == "msgstr") msgstr = msgstr quoted($0)
    else fail("a continuation string outside msgid or msgstr")
    next
}

{ fail("expected msgid, msgstr, a string, a comment or a blank line") }

# A PO string (checked by quoted: only \" \\ \n \t) as the bytes the C
# compiler will make of it, for ordering.
function unescaped(s,    out, i, n, c) {
    out = ""
    n = length(s)
    for (i = 1; i <= n; i++) {
        c = substr(s, i, 1)
        if (c == "\\") {
            c = substr(s, ++i, 1)
            if (c == "n") c = "\n"
            else if (c == "t") c = "\t"
        }
        out = out c
    }
    return out
}

# The table is ordered by msgid, byte by byte as strcmp orders the
# compiled strings (the rule runs awk with LC_ALL=C), so that tv_tr can
# search it by halving.  Insertion sort: a few hundred entries, per build.
function sort_by_msgid(    i, j, id, str, key) {
    for (i = 1; i <= count; i++)
        keys[i] = unescaped(ids[i])
    for (i = 2; i <= count; i++) {
        id = ids[i]; str = strs[i]; key = keys[i]
        for (j = i - 1; j >= 1 && keys[j] > key; j--) {
            ids[j + 1] = ids[j]; strs[j + 1] = strs[j]; keys[j + 1] = keys[j]
        }
        ids[j + 1] = id; strs[j + 1] = str; keys[j + 1] = key
    }
}

END {
    if (failed) exit 1
    flush_entry()
    if (failed) exit 1
    print "/* Generated by build-aux/po2c.awk from " source ": do not edit. */"
    print "#include \"i18n/catalog.h\""
    print ""
    sort_by_msgid()
    print "const struct tv_catalog_entry " table "[] = {"
    for (i = 1; i <= count; i++)
        printf "    {%s,\n     %s},\n", c_literal(ids[i]), c_literal(strs[i])
    # An empty array is not C: a sentinel keeps the table valid and is
    # excluded from the length.
    print "    {\"\", \"\"}"
    print "};"
    print ""
    print "const size_t " table "_len = " count ";"
}
