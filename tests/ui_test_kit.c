/* The shared helpers of the virtual-screen suites (see ui_test_kit.h). */
#include "ui_test_kit.h"

#include <curses.h>

#include <stdio.h>
#include <stdlib.h>

#include "ui/app.h"

const char *srcdir(void)
{
    const char *d = getenv("top_srcdir");
    return d && d[0] ? d : ".";
}

void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    ck_assert_msg(f != NULL, "cannot write %s", path);
    fputs(text, f);
    ck_assert_int_eq(fclose(f), 0);
}

char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = malloc(SCREEN_MAX);
    ck_assert_ptr_nonnull(buf);
    size_t n = fread(buf, 1, SCREEN_MAX - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

void screen_text(char *buf, size_t len)
{
    size_t out = 0;
    buf[0] = '\0';
    for (int y = 0; y < LINES; y++) {
        char row[2048];
        ck_assert(ui_vterm_row(y, row, sizeof row));
        int n = snprintf(buf + out, len - out, "%s\n", row);
        ck_assert_int_lt(n, (int)(len - out));
        out += (size_t)n;
    }
}

bool screen_contains(const char *needle)
{
    static char got[SCREEN_MAX];
    screen_text(got, sizeof got);
    return strstr(got, needle) != NULL;
}

/* Where the first difference is, for the failure message. */
static int first_diff_line(const char *a, const char *b)
{
    int line = 1;
    for (; *a && *a == *b; a++, b++)
        if (*a == '\n')
            line++;
    return line;
}

void expect_golden(const char *name)
{
    static char got[SCREEN_MAX];
    screen_text(got, sizeof got);
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/golden/screens/%s.txt", srcdir(), name);
    const char *update = getenv("UPDATE_GOLDEN");
    if (update && strcmp(update, "1") == 0) {
        write_text(path, got);
        return;
    }
    char *want = read_file(path);
    ck_assert_msg(want != NULL, "%s is missing (UPDATE_GOLDEN=1 makes it)", path);
    if (strcmp(want, got) != 0) {
        char actual[512];
        snprintf(actual, sizeof actual, "%s.txt.actual", name);
        write_text(actual, got);
        int line = first_diff_line(want, got);
        free(want);
        ck_abort_msg("screen %s differs from %s at line %d (got: %s)", name, path, line,
                     actual);
    }
    free(want);
}
