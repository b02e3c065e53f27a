/* The lesson menu: what `tcpviz` with no argument shows.
 *
 *  tcpviz  Lessons                              ✓ done  ▸ started  ✗ error
 * ┌ Opening a connection ─────────────────────────────────────────────┐
 * │> ✓  1  The three-way handshake                               5 min │
 * │  ▸  3  When the SYN is lost                                  4 min │
 * ...
 * ┌ about this lesson ─────────────────────────────────────────────────┐
 * │ The summary of the selected lesson, wrapped.                        │
 * │ Take first: 1 The three-way handshake                               │
 * └─────────────────────────────────────────────────────────────────────┘
 *  ↑↓ move  Enter open  L 中文  s sandbox  q quit
 *
 * Lessons are grouped under their topic's heading, in the UI language;
 * each row has a progress mark that is a glyph, never a colour alone (and
 * "[x]" "[>]" "[ ]" with --ascii), the number, the title and the minutes.
 * A file that did not load is listed with a mark and its error shown
 * below.  It fits 80x24 and grows with the terminal; below 80x24 it shows
 * the "terminal too small" screen like the rest of the UI. */
#ifndef TCPVIZ_UI_MENU_H
#define TCPVIZ_UI_MENU_H

#include <stdbool.h>
#include <stddef.h>

#include "lesson/catalog.h"
#include "lesson/progress.h"
#include "ui/ui.h"

struct menu {
    const struct catalog *catalog;
    const struct progress *progress;
    size_t selected;          /* index into catalog->entries */
    int top;                  /* first list row shown (kept by menu_draw) */
};

enum menu_command {
    MENU_NOTHING = 0,
    MENU_OPEN,                /* open the selected lesson */
    MENU_SANDBOX,
    MENU_LANGUAGE,            /* switch en <-> zh_CN */
    MENU_QUIT,
};

void menu_init(struct menu *m, const struct catalog *c, const struct progress *p);
/* Select the entry with this path (after a lesson closes). */
void menu_select_path(struct menu *m, const char *path);
/* A key: moves the selection or says what to do. */
enum menu_command menu_key(struct menu *m, int key);
/* The whole screen (stdscr), flushed. */
void menu_draw(const struct ui *ui, struct menu *m);
/* Rows of the list at the current screen size (for PgUp/PgDn). */
int menu_list_rows(int lines);

/* The progress mark of an entry as drawn: "✓" / "[x]" and so on. */
const char *menu_mark(const struct ui *ui, const struct catalog_entry *e,
                      const struct progress *p);

#endif
