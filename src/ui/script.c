/* --script: the UI driven by a file of commands (see script.h). */
#include "config.h"

#include "ui/script.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "ui/actions.h"
#include "ui/app.h"

enum { SCRIPT_OK = 0, SCRIPT_ERROR = 2 };

/* Longest script line we read; longer ones are an error, not a surprise. */
#define SCRIPT_LINE_MAX 1024

static int script_error(const char *name, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int script_error(const char *name, unsigned line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s:%u: ", name, line);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return SCRIPT_ERROR;
}

void ui_script_dump(FILE *out)
{
    char row[4096];
    for (int y = 0; y < LINES; y++) {
        ui_vterm_row(y, row, sizeof row);
        fprintf(out, "%s\n", row);
    }
}

/* "100x30" -> cols, lines (each 1..9999). */
static bool parse_size(const char *s, int *cols, int *lines)
{
    char *end;
    errno = 0;
    long c = strtol(s, &end, 10);
    if (end == s || *end != 'x' || errno)
        return false;
    const char *l = end + 1;
    long r = strtol(l, &end, 10);
    if (end == l || *end != '\0' || errno || c < 1 || r < 1 || c > 9999 || r > 9999)
        return false;
    *cols = (int)c;
    *lines = (int)r;
    return true;
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

/* Split "word rest" in place: returns rest ("" if none). */
static char *split_word(char *s)
{
    char *p = s;
    while (*p && !isspace((unsigned char)*p))
        p++;
    if (*p)
        *p++ = '\0';
    return trim(p);
}

/* One command; returns SCRIPT_OK or an error already printed. */
static int run_line(struct ui_app *app, char *cmd, const char *name, unsigned line, FILE *out)
{
    char *arg = split_word(cmd);
    if (strcmp(cmd, "dump") == 0) {
        ui_script_dump(out);
    } else if (strcmp(cmd, "wait") == 0) {
        /* Time does not pass in a script: nothing to wait for. */
    } else if (strcmp(cmd, "resize") == 0 || strcmp(cmd, "size") == 0) {
        int cols, lines;
        if (!parse_size(arg, &cols, &lines))
            return script_error(name, line, "bad size '%s' (expected COLSxLINES, e.g. 100x30)",
                                arg);
        ui_vterm_resize(cols, lines);
        ui_app_key(app, KEY_RESIZE);
    } else if (strcmp(cmd, "key") == 0) {
        int key = ui_key_by_name(arg);
        if (key < 0)
            return script_error(name, line, "unknown key '%s'", arg);
        ui_app_key(app, key);
    } else if (strcmp(cmd, "type") == 0) {
        for (const char *p = arg; *p && !app->ui.quit; p++)
            ui_app_key(app, (unsigned char)*p);
    } else {
        enum ui_action a = ui_action_by_name(cmd);
        if (a == UI_ACT_NONE)
            return script_error(name, line,
                                "unknown command '%s' (an action such as step, or key, type, "
                                "resize, size, dump, wait)", cmd);
        if (*arg)
            return script_error(name, line, "'%s' takes no argument", cmd);
        /* As its key would: the last message goes first. */
        app->ui.message[0] = '\0';
        app->ui.anim = false;
        ui_action_run(&app->ui, a);
    }
    return SCRIPT_OK;
}

int ui_script_run(struct ui_app *app, FILE *script, const char *name, FILE *out)
{
    char buf[SCRIPT_LINE_MAX];
    unsigned line = 0;
    ui_app_frame(app);
    while (!app->ui.quit && fgets(buf, sizeof buf, script)) {
        line++;
        if (!strchr(buf, '\n') && !feof(script))
            return script_error(name, line, "line longer than %d bytes", SCRIPT_LINE_MAX - 1);
        char *cmd = trim(buf);
        if (*cmd == '\0' || *cmd == '#')
            continue;
        int status = run_line(app, cmd, name, line, out);
        if (status != SCRIPT_OK)
            return status;
        ui_app_frame(app);
    }
    if (ferror(script)) {
        fprintf(stderr, "%s: read error\n", name);
        return SCRIPT_ERROR;
    }
    return SCRIPT_OK;
}

int ui_script_main(struct world *w, const struct scenario *s, const struct ui_options *opt)
{
    bool from_stdin = strcmp(opt->script, "-") == 0;
    FILE *script = from_stdin ? stdin : fopen(opt->script, "r");
    if (!script) {
        fprintf(stderr, "tcpviz: %s: cannot open: %s\n", opt->script, strerror(errno));
        return SCRIPT_ERROR;
    }
    struct ui_vterm vt;
    if (!ui_vterm_open(&vt, UI_SCRIPT_COLS, UI_SCRIPT_LINES, NULL, NULL)) {
        fputs("tcpviz: cannot start a virtual terminal for --script\n", stderr);
        if (!from_stdin)
            fclose(script);
        return SCRIPT_ERROR;
    }
    struct ui_app app;
    ui_app_init(&app, w, s, opt);
    ui_app_attach(&app, vt.scr);
    int status = ui_script_run(&app, script, opt->script, stdout);
    ui_app_detach(&app);
    ui_vterm_close(&vt);
    if (!from_stdin)
        fclose(script);
    return status;
}
