/* The UI application: curses set-up, frames, keys and the main loop, split
 * so that the tests and --script can drive the same code on a virtual
 * screen (newterm on /dev/null) that no terminal ever sees. */
#ifndef TCPVIZ_UI_APP_H
#define TCPVIZ_UI_APP_H

#include <curses.h>
#include <stdbool.h>
#include <stdio.h>

#include "ui/layout.h"
#include "ui/ui.h"

struct ui_app {
    struct ui ui;
    struct layout_screen screen;
    SCREEN *scr;       /* the curses screen in use */
    WINDOW *input;     /* a 1x1 window never drawn on: getch on it never refreshes */
};

/* Whether to use colours: --color, then NO_COLOR (non-empty means never,
 * for auto only: an explicit --color=always wins), then the terminal. */
bool ui_color_wanted(enum ui_color_mode mode, const char *no_color, bool terminal_has_colors);

/* Set up the model on a world (cursor on the first event). */
void ui_app_init(struct ui_app *app, struct world *w, const struct scenario *s,
                 const struct ui_options *opt);
/* Put the model on another world (a lesson opened from the menu, a
 * lesson's world rebuilt after a fork): cursor on its first event, the
 * selection, scrolls and overlays reset; colours, language and the course
 * stay.  w may be NULL (the menu shows no world). */
void ui_set_world(struct ui *ui, struct world *w, const struct scenario *s);
/* Take over curses screen scr (already made by newterm and current):
 * modes, colours, the input window.  Call before the first frame. */
void ui_app_attach(struct ui_app *app, SCREEN *scr);
/* Leave curses (endwin) and free the windows; the SCREEN stays the
 * caller's to delscreen. */
void ui_app_detach(struct ui_app *app);

/* Draw one frame. */
void ui_app_frame(struct ui_app *app);
/* Handle one key code from getch (KEY_RESIZE and KEY_MOUSE included). */
void ui_app_key(struct ui_app *app, int key);
/* The ladder's glide while playing: the player just moved the cursor
 * from an event at virtual time from_t; draw the segments as of the time
 * permille/1000 of the way from from_t to the cursor's event.  1000 (or a
 * cursor not later than from_t) ends the glide. */
void ui_app_glide(struct ui *ui, uint64_t from_t, unsigned permille);
/* Run until quit: draw, wait for a key (blocking while paused, with a
 * timeout while playing), handle it.  Returns the exit status. */
int ui_run_on(struct ui_app *app);

/* A virtual terminal for tests and --script: newterm of a fixed terminal
 * type writing to `out` (NULL: /dev/null) and reading from `in` (NULL:
 * /dev/null), resized to cols x lines and made current.  Nothing it shows
 * reaches a real terminal; ui_vterm_row reads it back. */
struct ui_vterm {
    SCREEN *scr;
    FILE *in, *out;
    bool own_in, own_out;   /* opened here, closed by ui_vterm_close */
};
bool ui_vterm_open(struct ui_vterm *vt, int cols, int lines, FILE *in, FILE *out);
void ui_vterm_close(struct ui_vterm *vt);
/* Resize the current screen (as a terminal's SIGWINCH would). */
void ui_vterm_resize(int cols, int lines);
/* Row y of what the terminal shows now, as UTF-8 without trailing blanks.
 * Returns false when y is outside the screen. */
bool ui_vterm_row(int y, char *buf, size_t len);

#endif
