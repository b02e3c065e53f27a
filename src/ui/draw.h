/* Drawing helpers every part of the UI shares.
 *
 * Text is UTF-8 in, measured in terminal columns with wcwidth (a Chinese
 * character is two columns), stripped of control characters, and clipped
 * to the width it is given: nothing here writes outside the cells asked
 * for.  Boxes use Unicode line drawing, or + - | when the locale is not
 * UTF-8 or --ascii is given.  Colours come from one role table with a
 * monochrome column, so no meaning is carried by colour alone.
 *
 * Callers include <curses.h> themselves (ncursesw, wide API). */
#ifndef TCPVIZ_UI_DRAW_H
#define TCPVIZ_UI_DRAW_H

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>

#include "ui/ui.h"

/* Set up one colour pair per role (call once after start_color, only when
 * colours are in use). */
void draw_init_colors(void);

/* The attributes for a role: its monochrome attribute (bold, reverse,
 * underline, dim) always, plus its colour pair when ui->color. */
attr_t draw_role_attr(const struct ui *ui, enum ui_role role);
/* The colour pair number of a role when ui->color, else 0. */
short draw_role_pair(const struct ui *ui, enum ui_role role);
/* A glyph that marks the role without colour ('x' for a drop, '*' for
 * the selected item, 'R' for a retransmission), 0 when the role needs none. */
char draw_role_glyph(enum ui_role role);

/* Copy src to dst (size dstlen, always terminated) without control
 * characters: C0, DEL, the C1 range, and bytes that are not valid UTF-8
 * (each becomes '?').  Returns the length of dst. */
size_t draw_sanitize(char *dst, size_t dstlen, const char *src);

/* Columns that s takes on the terminal after sanitising (invalid bytes
 * and unprintable characters count as one column each, as drawn). */
int draw_text_width(const char *s);

/* Draw s at (y, x) in at most `width` columns with attributes attr and
 * the role's colour pair `pair`; a wide character that does not fit is
 * replaced by a space.  Returns the columns drawn.  Nothing is drawn when
 * (y, x) is outside the window. */
int draw_text(WINDOW *win, int y, int x, int width, const char *s, attr_t attr, short pair);
/* The same with a role (attributes and pair from the table). */
int draw_text_role(const struct ui *ui, WINDOW *win, int y, int x, int width,
                   const char *s, enum ui_role role);
/* Wrapping.  One row of text laid out in a width: where it starts and
 * ends (bytes of the text) and where the next row's scan begins.  Text is
 * sanitised UTF-8 in which '\n' ends a paragraph.  Rows break at spaces
 * and between Chinese (CJK) characters, never before closing punctuation
 * (，。、；：？！）】」』》” and, after CJK text, , . ; : ? ! )) nor after an
 * opening bracket (（【「『《“‘): the character before moves down with it.
 * A no-break space (U+00A0) holds words together unless they do not fit
 * on a row together; a word longer than the row is cut by width. */
struct draw_row {
    size_t start;   /* the row's first byte (leading spaces skipped) */
    size_t end;     /* one past its last byte (trailing spaces left out) */
    size_t next;    /* where the following row's scan starts */
    int cols;       /* columns of [start, end) */
    bool clean;     /* it ended where text may end a row: the text's end, a
                     * paragraph's, a break point; false when it was cut */
};

/* Where rows may break. */
enum draw_wrap_mode {
    WRAP_PROSE,      /* sentences: the rules above */
    WRAP_AT_SPACES,  /* names and numbers ("触发：app-connect"): at spaces only */
};

/* The row of `text` that begins at byte `from` (a previous row's next),
 * in `width` columns.  False when no row is left: only spaces remain.
 * A row always advances: a character wider than the row goes alone. */
bool draw_wrap_row(const char *text, size_t from, int width, enum draw_wrap_mode mode,
                   struct draw_row *row);
/* How many rows text takes in `width` columns (0 when width <= 0). */
int draw_wrap_count(const char *text, int width, enum draw_wrap_mode mode);
/* Draw text wrapped into rows [y, y + h) of columns [x, x + width),
 * leaving out its first `skip` rows; each row drawn is blanked to the end
 * of its width (no-break spaces are drawn as spaces).  Returns the rows
 * drawn. */
int draw_wrapped(const struct ui *ui, WINDOW *win, int y, int x, int h, int width,
                 const char *text, int skip, enum draw_wrap_mode mode, enum ui_role role);

/* Fill `width` cells from (y, x) with blanks (clipped to the window). */
void draw_blank(WINDOW *win, int y, int x, int width);
/* Fill a rectangle with blanks (clipped to the window). */
void draw_blank_rect(WINDOW *win, int y, int x, int h, int w);

/* A box of h rows and w columns at (y, x) with an optional title on its
 * top border ("┌ title ───┐").  Boxes smaller than 2x2 are not drawn. */
void draw_box(const struct ui *ui, WINDOW *win, int y, int x, int h, int w, const char *title);
/* A horizontal line of `width` cells (─ or -). */
void draw_hline(const struct ui *ui, WINDOW *win, int y, int x, int width);

#endif
