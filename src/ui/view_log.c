/* The event log: one line per event up to the cursor, the way the text
 * exporter prints them (so the screen and `tcpviz --batch` read the same),
 * newest at the bottom, the cursor's event marked.
 *
 * The lines stay in English in every language: they are the tcpdump-like
 * technical trace (export/text.c), the form the student will meet in real
 * tools; the narration pane says the same things in words. */
#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "export/text.h"
#include "ui/draw.h"
#include "ui/ui.h"

#define LOG_LINE_MAX 512
/* From this width on, segment lines keep their addresses. */
#define LOG_WIDE_COLS 140

/* The exporter's line for e, without its newline. */
static void log_line(const struct world *w, const struct trace_entry *e, char *buf, size_t n)
{
    buf[0] = '\0';
    FILE *f = fmemopen(buf, n, "w");
    if (!f)
        return;
    export_text_event(f, w, e);
    fflush(f);
    long len = ftell(f);
    fclose(f);
    if (len < 0)
        len = 0;
    if ((size_t)len >= n)
        len = (long)n - 1;
    buf[len] = '\0';
    char *nl = strchr(buf, '\n');
    if (nl)
        *nl = '\0';
}

/* "x 10.0.0.2.80 > 10.0.0.1.49152: Flags [S.], ..." becomes "x Flags [S.],
 * ...": on a narrow log the addresses (which the endpoint column already
 * names) would push the end of the line, where a drop's reason is, off
 * the screen. */
static void drop_addresses(char *line)
{
    char *flags = strstr(line, ": Flags [");
    if (!flags)
        return;
    char *p = flags;
    while (p > line && p[-1] != ' ')
        p--; /* the destination */
    if (p - line < 3 || strncmp(p - 3, " > ", 3) != 0)
        return;
    p -= 3;
    while (p > line && p[-1] != ' ')
        p--; /* the source */
    memmove(p, flags + 2, strlen(flags + 2) + 1);
}

/* "x Flags [S.], ... length 0 dropped (fault)" becomes "x dropped (fault)
 * Flags [S.], ... length 0": the reason first, where a narrow log shows it. */
static void reason_first(char *line)
{
    char *why = strstr(line, " dropped (");
    char *flags = strstr(line, "Flags [");
    if (!why || !flags || flags > why || strchr(why, ')') == NULL)
        return;
    char moved[64];
    size_t len = strlen(why + 1);
    if (len + 2 > sizeof moved)
        return;
    snprintf(moved, sizeof moved, "%s ", why + 1);
    *why = '\0';
    memmove(flags + len + 1, flags, strlen(flags) + 1);
    memcpy(flags, moved, len + 1);
}

/* The colour of a line says what kind of event it is; the text says it
 * too ("x ... dropped", "retransmit"), so nothing hangs on colour alone. */
static enum ui_role log_role(const struct trace_entry *e)
{
    switch ((enum tcp_event_kind)e->ev.kind) {
    case EV_SEG_DROP: case EV_ERROR: return ROLE_DROP;
    case EV_RETRANSMIT: return ROLE_RETRANSMIT;
    case EV_SEG_OUT: case EV_SEG_IN: case EV_STATE:
        return e->ev.endpoint == 0 ? ROLE_CLIENT : e->ev.endpoint == 1 ? ROLE_SERVER : ROLE_NORMAL;
    case EV_TIMER_SET: case EV_TIMER_CANCEL: case EV_WINDOW: return ROLE_DIM;
    default: return ROLE_NORMAL;
    }
}

static void log_draw(const struct ui *ui, WINDOW *win, int h, int w)
{
    if (h <= 0 || w <= 0)
        return;
    size_t len = world_trace_len(ui->world);
    size_t end = len == 0 ? 0 : (ui->cursor < len ? ui->cursor + 1 : len);
    size_t back = ui->log_scroll > 0 ? (size_t)ui->log_scroll : 0;
    /* Scrolled back at most until the first event is on the top row. */
    size_t shown_end = end;
    if (end > (size_t)h)
        shown_end = end - (back < end - (size_t)h ? back : end - (size_t)h);
    size_t first = shown_end > (size_t)h ? shown_end - (size_t)h : 0;
    const struct trace_entry *tr = world_trace(ui->world);
    for (int y = 0; y < h; y++) {
        size_t i = first + (size_t)y;
        int used = 0;
        if (i < shown_end) {
            bool at_cursor = i + 1 == end;
            char line[LOG_LINE_MAX + 2];
            line[0] = at_cursor ? '>' : ' ';
            log_line(ui->world, &tr[i], line + 1, LOG_LINE_MAX);
            if (w < LOG_WIDE_COLS) {
                drop_addresses(line);
                reason_first(line);
            }
            attr_t attr = draw_role_attr(ui, log_role(&tr[i]));
            if (at_cursor)
                attr |= draw_role_attr(ui, ROLE_SELECTED);
            used = draw_text(win, y, 0, w, line, attr, draw_role_pair(ui, log_role(&tr[i])));
            if (at_cursor && used < w) {
                /* The highlight runs the whole width, so the row is easy
                 * to find. */
                char pad[2] = " ";
                while (used < w)
                    used += draw_text(win, y, used, 1, pad, attr, 0);
            }
        } else if (y == 0 && end == 0) {
            used = draw_text_role(ui, win, 0, 0, w, tv_tr(ui->lang, "No events yet."), ROLE_DIM);
        }
        draw_blank(win, y, used, w - used);
    }
}

const struct ui_view ui_view_log = { N_("log"), log_draw };
