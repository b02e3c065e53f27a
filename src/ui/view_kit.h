/* What the state, window, cwnd and timer views share: which connection of
 * a host they describe, the time at the cursor, the trace up to it, and
 * text drawing (through draw.h) that never writes outside the columns it
 * is given.
 *
 * Every function here only reads the world; drawing functions write the
 * cells they are asked to and nothing else. */
#ifndef TCPVIZ_UI_VIEW_KIT_H
#define TCPVIZ_UI_VIEW_KIT_H

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tcp/event.h"
#include "tcp/tcb.h"
#include "ui/draw.h"
#include "ui/ui.h"

/* The views show at most the first two hosts: the client and the server. */
#define VK_MAX_SIDES 2

/* One endpoint at the cursor. */
struct vk_side {
    int host;
    const char *name;         /* scenario host name (sanitised when drawn) */
    bool up;                  /* false: the host has crashed */
    const struct tcp_stack *stack; /* NULL while crashed */
    int sock;                 /* the connection the views describe, 0 if none */
    const struct tcb *tcb;    /* its TCB (read only), NULL if none */
};

/* How many sides the views show (hosts in the scenario, at most 2). */
int vk_side_count(const struct ui *ui);
/* The connection a view talks about, chosen as the scenario checkpoints
 * choose it: the app's connection; before the app has one, the host's
 * newest live connection; else its listener. */
void vk_side_at(const struct ui *ui, int host, struct vk_side *out);
/* The same for the world's current moment, without a ui. */
void vk_side_of_world(const struct world *w, int host, struct vk_side *out);

/* The trace entries up to and including the cursor: [0, vk_trace_end). */
size_t vk_trace_end(const struct ui *ui);
/* Virtual time at the cursor, µs. */
uint64_t vk_now(const struct ui *ui);
/* The newest event of this kind by host at or before the cursor; conn 0
 * matches any connection.  NULL if none. */
const struct trace_entry *vk_last_event(const struct ui *ui, int host, uint32_t conn,
                                        enum tcp_event_kind kind);

/* A length of time: "40.331 ms", "0.350 s", "2:00:00.000" (fits 24 bytes). */
void vk_format_duration(uint64_t usec, char *buf, size_t len);
/* A moment of virtual time, always in seconds as the status line and the
 * trace print it: "0.140 s" (fits 24 bytes). */
void vk_format_time(uint64_t usec, char *buf, size_t len);

/* Glyphs that have a Unicode and an ASCII form. */
const char *vk_glyph(const struct ui *ui, const char *utf8, const char *ascii);

/* Text drawing on top of draw.h (wcwidth, sanitising, the role table):
 * columns [x, lim) of row y, nothing at or beyond lim. */
/* Draw UTF-8 text at (y, x); returns the column after the last cell. */
int vk_text(const struct ui *ui, WINDOW *win, int y, int x, int lim, enum ui_role role,
            const char *s);
/* Spaces from x up to (not including) lim. */
void vk_blank(WINDOW *win, int y, int x, int lim);
/* Columns [x, lim) of row y: the formatted text, then spaces. */
void vk_line(const struct ui *ui, WINDOW *win, int y, int x, int lim, enum ui_role role,
             const char *fmt, ...) __attribute__((format(printf, 7, 8)));
/* Blank rows [from, h) of a w-column window. */
void vk_blank_rows(WINDOW *win, int from, int h, int w);
/* One cell: the glyph (one UTF-8 character, one column) at (y, x) if
 * 0 <= x < lim. */
void vk_cell(const struct ui *ui, WINDOW *win, int y, int x, int lim, enum ui_role role,
             const char *glyph);

#endif
