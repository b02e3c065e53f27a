#!/bin/sh
# Every UI string marked for translation has a Chinese translation, and
# every translation is still used.
#
# The marked strings are the literals in tv_tr(LANG, "...") and N_("...")
# in the UI, lesson and main sources.  Adjacent literals ("a" "b") are
# joined as C joins them; anything else in a marked argument (a macro such
# as PRIu64 between literals) fails the test, because no catalog could
# hold the string the compiler would build.  Comments are skipped, so a
# comment may mention tv_tr("...") freely.
#
# Fails, listing them, on:
#   - a marked string with no non-empty, non-fuzzy msgstr in po/zh_CN.po;
#   - a po entry whose msgid no source marks any more (stale).
set -u
top_srcdir=${top_srcdir:-.}
po="$top_srcdir/po/zh_CN.po"
tmp=${TMPDIR:-/tmp}/i18n_coverage.$$
trap 'rm -f "$tmp".*' EXIT INT TERM

sources=$(ls "$top_srcdir"/src/ui/*.c "$top_srcdir"/src/ui/*.h "$top_srcdir"/src/ui/*.def \
              "$top_srcdir"/src/lesson/*.c "$top_srcdir"/src/main.c 2>/dev/null)
[ -n "$sources" ] || { echo "i18n_coverage: no sources under $top_srcdir/src" >&2; exit 1; }
[ -r "$po" ] || { echo "i18n_coverage: cannot read $po" >&2; exit 1; }

# --- the marked strings: "file:line<TAB>msgid" (msgid as escaped in C) ---
# shellcheck disable=SC2086
LC_ALL=C awk '
function add(type, value, line) { n++; ty[n] = type; va[n] = value; ln[n] = line }
# Tokenise one file: identifiers, string literals, single punctuation;
# comments, character literals and whitespace dropped.
function tokenise(text, file,    i, len, c, d, s, line, start) {
    n = 0; len = length(text); line = 1
    for (i = 1; i <= len; i++) {
        c = substr(text, i, 1)
        if (c == "\n") { line++; continue }
        d = substr(text, i + 1, 1)
        if (c == "/" && d == "*") {
            for (i += 2; i <= len && substr(text, i, 2) != "*/"; i++)
                if (substr(text, i, 1) == "\n") line++
            i++
            continue
        }
        if (c == "/" && d == "/") {
            while (i <= len && substr(text, i, 1) != "\n") i++
            line++
            continue
        }
        if (c == "\"" || c == "\047") {
            start = line; s = ""
            for (i++; i <= len; i++) {
                d = substr(text, i, 1)
                if (d == "\\") { s = s d substr(text, i + 1, 1); i++; continue }
                if (d == c || d == "\n") break
                s = s d
            }
            if (d == "\n") line++
            if (c == "\"") add("str", s, start)
            continue
        }
        if (c ~ /[A-Za-z_]/) {
            s = c
            while (substr(text, i + 1, 1) ~ /[A-Za-z0-9_]/) { i++; s = s substr(text, i, 1) }
            add("id", s, line)
            continue
        }
        if (c ~ /[ \t\r\f\\]/) continue
        add("punct", c, line)
    }
}
# The marked literal starting at token j (joined adjacent literals), or
# report why it is not one.
function literal_at(j, file,    s) {
    s = ""
    if (ty[j] != "str") return "\001"
    while (ty[j] == "str") { s = s va[j]; j++ }
    if (va[j] != ")" && va[j] != ",") {
        printf "%s:%d: marked string is not a plain literal (near %s)\n", file, ln[j], va[j] > "/dev/stderr"
        bad = 1
    }
    return s
}
function scan(file,    i, j, depth, s) {
    for (i = 1; i <= n; i++) {
        if (ty[i] != "id" || va[i + 1] != "(") continue
        if (va[i] == "N_") {
            s = literal_at(i + 2, file)
            if (s != "\001") print file ":" ln[i] "\t" s
        } else if (va[i] == "tv_tr") {
            depth = 0
            for (j = i + 1; j <= n; j++) {
                if (va[j] == "(") depth++
                else if (va[j] == ")" && --depth == 0) break
                else if (va[j] == "," && depth == 1) break
            }
            if (va[j] != ",") continue
            s = literal_at(j + 1, file)
            if (s != "\001") print file ":" ln[i] "\t" s
        }
    }
}
FNR == 1 && NR > 1 { tokenise(text, prev); scan(prev); text = "" }
{ text = text $0 "\n"; prev = FILENAME }
END {
    if (NR > 0) { tokenise(text, prev); scan(prev) }
    exit bad
}' $sources > "$tmp.marked"
extract_status=$?

# --- the catalog: "translated|untranslated<TAB>msgid" --------------------
LC_ALL=C awk '
function flush() {
    if (have && id != "") print ((str != "" && !fuzzy) ? "translated" : "untranslated") "\t" id
    have = 0; id = ""; str = ""; fuzzy = 0; field = ""
}
function q(s) { sub(/^[ \t]*"/, "", s); sub(/"[ \t\r]*$/, "", s); return s }
/^[ \t]*$/ { flush(); next }
/^#~/ { next }
/^#,.*fuzzy/ { if (field == "msgstr") flush(); fuzzy = 1; next }
/^#/ { if (field == "msgstr") flush(); next }
/^msgid[ \t]/ { if (field == "msgstr") flush(); sub(/^msgid[ \t]+/, ""); id = q($0); have = 1; field = "msgid"; next }
/^msgstr[ \t]/ { sub(/^msgstr[ \t]+/, ""); str = q($0); field = "msgstr"; next }
/^[ \t]*"/ { if (field == "msgid") id = id q($0); else if (field == "msgstr") str = str q($0); next }
END { flush() }' "$po" > "$tmp.po"

status=0
if [ "$extract_status" -ne 0 ]; then
    echo "i18n_coverage: some marked strings are not plain literals (listed above)"
    status=1
fi
missing=$(awk -F '\t' '
    NR == FNR { if ($1 == "translated") ok[$2] = 1; next }
    !($2 in ok) { print "  " $1 ": \"" $2 "\"" }' "$tmp.po" "$tmp.marked")
if [ -n "$missing" ]; then
    echo "i18n_coverage: marked strings without a translation in po/zh_CN.po:"
    printf "%s\n" "$missing"
    status=1
fi

stale=$(awk -F '\t' '
    NR == FNR { used[$2] = 1; next }
    !($2 in used) { print "  \"" $2 "\"" }' "$tmp.marked" "$tmp.po")
if [ -n "$stale" ]; then
    echo "i18n_coverage: po/zh_CN.po entries no source marks any more (stale):"
    printf "%s\n" "$stale"
    status=1
fi

marked=$(cut -f2 "$tmp.marked" | sort -u | wc -l)
echo "i18n_coverage: $marked distinct marked strings checked against po/zh_CN.po"
exit $status
