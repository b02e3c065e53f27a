/* What the Check suites that drive the UI on a virtual screen share
 * (check_ui.c, check_lesson_ui.c): where the source tree is, reading and
 * writing small files, the screen read back as text, and golden screens.
 *
 * Golden screens live in tests/golden/screens/NAME.txt (plain text,
 * trailing blanks removed).  UPDATE_GOLDEN=1 in the environment rewrites
 * them instead of comparing; a mismatch leaves what the test got in
 * NAME.txt.actual in the current directory. */
#ifndef TCPVIZ_TESTS_UI_TEST_KIT_H
#define TCPVIZ_TESTS_UI_TEST_KIT_H

#include <check.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

/* The most a screen, a golden file or a file read back may hold. */
#define SCREEN_MAX 65536

/* $top_srcdir, or "." when unset (a run by hand from the source tree). */
const char *srcdir(void);

/* text into path, replacing it; a failure fails the test. */
void write_text(const char *path, const char *text);

/* The first SCREEN_MAX - 1 bytes of path, NUL-terminated, to be freed;
 * NULL when it cannot be opened. */
char *read_file(const char *path);

/* The whole virtual screen as text, rows joined by '\n'. */
void screen_text(char *buf, size_t len);

bool screen_contains(const char *needle);

/* Compare the screen with tests/golden/screens/NAME.txt (see above). */
void expect_golden(const char *name);

/* Fail, showing the screen, unless it contains needle.  A macro so that
 * the failure names the test's line. */
#define ck_screen_has(needle)                                                                   \
    do {                                                                                        \
        static char shown_[SCREEN_MAX];                                                         \
        screen_text(shown_, sizeof shown_);                                                     \
        ck_assert_msg(strstr(shown_, (needle)) != NULL, "screen lacks '%s':\n%s", (needle),     \
                      shown_);                                                                  \
    } while (0)

#endif
