/* Where everything goes on a LINES x COLS screen, recomputed every frame.
 *
 * At 80x24 and up: a status line on top, the key bar (or the command
 * line) at the bottom, the narration above it, the ladder as the large
 * pane, and the state, window, cwnd and timer views beside it (a wide
 * terminal: a right-hand column) or under it (a tall or narrow one: two
 * columns), the event log when there is room.  The help screen and the
 * inspector are centered overlays.  Below 80x24 a "terminal too small"
 * screen says so instead (ncdu's habit), down to 1x1.
 *
 * Only panes whose view is built take room: the table in layout.c pairs
 * each view with its place, and grows as views are written. */
#ifndef TCPVIZ_UI_LAYOUT_H
#define TCPVIZ_UI_LAYOUT_H

#include <curses.h>
#include <stdbool.h>
#include <stdint.h>

#include "ui/ui.h"

enum layout_pane {
    PANE_LADDER = 0,
    PANE_STATES,
    PANE_WINDOWS,
    PANE_CWND,
    PANE_TIMERS,
    PANE_LOG,
    PANE_NARRATION,
    PANE_INSPECTOR,   /* an overlay, shown while ui->inspector */
    PANE_COUNT
};

/* A rectangle of the screen; h == 0 or w == 0: not shown. */
struct layout_rect {
    int y, x, h, w;
};

struct layout {
    int lines, cols;
    bool too_small;
    bool wide;                          /* side views in a right-hand column */
    struct layout_rect pane[PANE_COUNT]; /* with the border */
    struct layout_rect help;            /* the help overlay, with its border */
};

/* The view built for a pane, NULL while it is not. */
const struct ui_view *layout_view(enum layout_pane pane);
bool layout_has_inspector(void);

/* Compute the layout for a screen size; `present` says which panes have a
 * view (NULL: the built ones).  Pure: no curses calls. */
void layout_compute(struct layout *l, int lines, int cols, const bool present[PANE_COUNT]);

/* The layout layout_draw makes for this UI: in a lesson the narration pane
 * takes rows from the event log (layout.c).  Pure: no curses calls. */
void layout_compute_ui(struct layout *l, const struct ui *ui, int lines, int cols);

/* The text of the too-small screen, for a size. */
void layout_too_small_text(enum tv_lang lang, int lines, int cols, char *buf, size_t len);

/* The curses side: one window per pane interior, kept across frames and
 * made again when the geometry changes. */
struct layout_screen {
    struct layout cur;
    bool valid;                 /* cur and the windows match the screen */
    WINDOW *win[PANE_COUNT];    /* pane interiors */
    WINDOW *frame[PANE_COUNT];  /* overlay frames (the inspector) */
    WINDOW *help;
    bool had_help, had_inspector;
};

void layout_screen_init(struct layout_screen *s);
void layout_screen_free(struct layout_screen *s);

/* Draw one whole frame of the UI and flush it (wnoutrefresh of each
 * window, one doupdate). */
void layout_draw(const struct ui *ui, struct layout_screen *s);

/* The packet under a mouse click at screen (y, x), -1 if none. */
int64_t layout_packet_at(const struct ui *ui, const struct layout_screen *s, int y, int x);

#endif
