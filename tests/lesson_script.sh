#!/bin/sh
# The lesson menu and lesson mode of the real binary, driven by --script
# (src/ui/script.h): tcpviz alone opens the menu; tcpviz LESSON opens a
# lesson by file, id or number; progress is kept under XDG_STATE_HOME.
# The catalog is the test fixture's directory (TCPVIZ_LESSON_DIR), an
# empty XDG_DATA_HOME and the source tree's lessons (none are installed in
# a build tree), so the checks below look for the fixture's rows, not for
# whole screens.  Run by make check with top_srcdir and top_builddir set.
set -u

. "${top_srcdir:-.}/tests/lib.sh"
fixture=$top_srcdir/tests/lessons/ui_fixture.lesson

scratch lesson
TCPVIZ_LESSON_DIR=$top_srcdir/tests/lessons
XDG_DATA_HOME=$tmp/data
XDG_STATE_HOME=$tmp/state
export TCPVIZ_LESSON_DIR XDG_DATA_HOME XDG_STATE_HOME
utf8_locale=$(locale -a 2>/dev/null | grep -i '^c\.utf-\?8$' | head -n 1)
LC_ALL=${utf8_locale:-C}
export LC_ALL

# The menu: the fixture's row among the lessons; then the fixture by its
# id, answered, and back to the menu.
script 0 "menu" --ascii <<'END' &&
size 80x24
dump
key down
key end
key home
dump
key q
END
{
    has '^ tcpviz  Lessons ' "tcpviz alone opens the lesson menu"
    has '^\| Opening a connection' "lessons grouped under their topic"
    has '^\| \[ \]  3  UI fixture: a lost SYN +4 min \|$' "a row: mark, number, title, minutes"
    has '^\|>\[ \]  1  ' "Home selects the first lesson"
}
script 0 "lesson and back" --ascii ui-fixture <<'END' &&
size 80x24
dump
continue
continue
key b
dump
menu
dump
END
{
    has 'Lesson 3/[0-9]+  UI fixture' "the lesson's status line"
    has '^\|Right: B\. After one second' "a right answer and the explanation"
    has '^\|>\[>\]  3  UI fixture' "back in the menu, the lesson is selected and marked started"
}
if [ "$(cat "$tmp/state/tcpviz/progress" 2>/dev/null)" = "ui-fixture step 2" ]; then
    pass "progress saved under XDG_STATE_HOME"
else
    fail "progress file: $(cat "$tmp/state/tcpviz/progress" 2>&1)"
fi

# By id and by number; a started lesson offers to resume.
script 0 "by id" --ascii ui-fixture <<'END' &&
size 80x24
dump
key b
dump
END
{
    has 'You left this lesson at step 2 of 3\.' "the resume offer"
    has '^\|The client calls connect\(\)\.' "b starts from the beginning"
}
script 0 "by number" --ascii 3 <<'END' &&
size 80x24
dump
END
has '^ tcpviz  Lesson 3/' "tcpviz 3 opens lesson number 3"

script 0 "by file, in Chinese" --ascii --lang zh_CN "$fixture" <<'END' &&
size 80x24
key enter
key enter
dump
END
has '^\|客户端会怎么做？ +\|$' "the question in Chinese, border in its column"

# `key 3` is the key 3: in a number question it types the digit, as
# `type` does (a one-character key name is that character).
script 0 "digits by key" --ascii ui-fixture <<'END' &&
size 80x24
key b
continue
continue
key b
continue
continue
key 3
dump
key backspace
key 1
key 0
type 01
key enter
dump
END
{
    has '^\|Your answer: 3_ ' "key 3 types a digit into a number question"
    has '^\|Right: 1001\. ' "digits by key and by type make one answer"
}

# Neither a file nor a lesson.
script 2 "unknown lesson" --ascii no-such-lesson </dev/null &&
has_err 'no-such-lesson: no such file, and no lesson has that id or number' \
    "an unknown lesson is named"

# A broken lesson file: the parser's FILE:LINE on standard error.
printf 'lesson broken\ntitle en "B"\ntitle zh "B"\ntopic nowhere\n' >"$tmp/broken.lesson"
script 2 "broken lesson" --ascii "$tmp/broken.lesson" </dev/null &&
has_err 'broken\.lesson:4' "a broken lesson says file and line"

finish
