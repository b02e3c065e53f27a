/* Drawing helpers: sanitised, wcwidth-measured, clipped text; boxes with
 * an ASCII fallback; the colour role table (see draw.h).
 *
 * UTF-8 is decoded by util/utf8.h, the same way whatever the locale;
 * wcwidth then says how many columns the terminal will give each
 * character in this locale (-1, i.e. unprintable here, is drawn as '?'). */
#include "config.h"

#include "ui/draw.h"

#include <string.h>
#include <wchar.h>

#include "util/utf8.h"

/* ------------------------------------------------------------------ */
/* Colour roles: a foreground colour (-1 = the terminal's own) and the
 * attribute that carries the same meaning on a monochrome terminal, as
 * htop's colour schemes do.  The glyph column is what views put next to
 * an item so that the meaning survives even without attributes. */

struct role_style {
    short fg;
    attr_t mono;
    char glyph;
};

static const struct role_style role_styles[ROLE_COUNT] = {
    [ROLE_NORMAL]     = {-1,            A_NORMAL,    0},
    [ROLE_TITLE]      = {COLOR_CYAN,    A_BOLD,      0},
    [ROLE_CLIENT]     = {COLOR_GREEN,   A_NORMAL,    0},
    [ROLE_SERVER]     = {COLOR_MAGENTA, A_NORMAL,    0},
    [ROLE_DROP]       = {COLOR_RED,     A_BOLD,      'x'},
    [ROLE_RETRANSMIT] = {COLOR_YELLOW,  A_UNDERLINE, 'R'},
    [ROLE_SELECTED]   = {-1,            A_REVERSE,   '*'},
    [ROLE_DIM]        = {-1,            A_DIM,       0},
};

void draw_init_colors(void)
{
    /* -1 (the terminal's default) is only valid after use_default_colors. */
    bool defaults = use_default_colors() == OK;
    for (int r = 1; r < ROLE_COUNT; r++) {
        short fg = role_styles[r].fg;
        if (fg < 0 && !defaults)
            fg = COLOR_WHITE;
        init_pair((short)r, fg, defaults ? -1 : COLOR_BLACK);
    }
}

static bool role_valid(enum ui_role role)
{
    return (int)role >= 0 && role < ROLE_COUNT;
}

short draw_role_pair(const struct ui *ui, enum ui_role role)
{
    if (!ui->color || !role_valid(role) || role_styles[role].fg < 0)
        return 0;
    return (short)role;
}

attr_t draw_role_attr(const struct ui *ui, enum ui_role role)
{
    if (!role_valid(role))
        return A_NORMAL;
    return role_styles[role].mono | (attr_t)COLOR_PAIR(draw_role_pair(ui, role));
}

char draw_role_glyph(enum ui_role role)
{
    return role_valid(role) ? role_styles[role].glyph : 0;
}

size_t draw_sanitize(char *dst, size_t dstlen, const char *src)
{
    size_t used = 0;
    const char *s = src ? src : "";
    utf8_clean_append(dst, dstlen, &used, s, strlen(s), 0);
    return used;
}

/* The columns one decoded character takes as drawn: combining marks 0,
 * anything unprintable in this locale 1 (it is drawn as '?'). */
static int char_columns(int32_t cp)
{
    if (cp < 0)
        return 1;
    int w = wcwidth((wchar_t)cp);
    return w < 0 ? 1 : w;
}

int draw_text_width(const char *s)
{
    const char *p = s ? s : "";
    int cols = 0;
    for (size_t left = strlen(p); left > 0;) {
        int32_t cp;
        size_t n = utf8_decode(p, left, &cp);
        p += n, left -= n;
        if (utf8_is_control(cp))
            continue;
        cols += char_columns(cp);
    }
    return cols;
}

/* ------------------------------------------------------------------ */
/* Drawing text. */

/* One screen cell being built: a base character and the combining marks
 * that follow it (ncurses keeps up to CCHARW_MAX characters per cell). */
struct cell {
    wchar_t wc[CCHARW_MAX + 1];
    int len;
    int cols;
};

static void put_cell(WINDOW *win, int y, int x, const struct cell *c, attr_t attr, short pair)
{
    cchar_t cc;
    wchar_t wc[CCHARW_MAX + 1];
    memcpy(wc, c->wc, sizeof wc);
    wc[c->len] = L'\0';
    if (setcchar(&cc, wc, attr, pair, NULL) == OK)
        mvwadd_wch(win, y, x, &cc);
}

static void put_blank(WINDOW *win, int y, int x, attr_t attr, short pair)
{
    struct cell c = {.wc = {L' '}, .len = 1, .cols = 1};
    put_cell(win, y, x, &c, attr, pair);
}

int draw_text(WINDOW *win, int y, int x, int width, const char *s, attr_t attr, short pair)
{
    if (!win || y < 0 || x < 0 || y >= getmaxy(win) || x >= getmaxx(win))
        return 0;
    int room = getmaxx(win) - x;
    if (width > room)
        width = room;
    if (width <= 0)
        return 0;
    /* Colour goes in the pair argument, not in the attributes. */
    attr &= ~(attr_t)A_COLOR;

    const char *p = s ? s : "";
    int used = 0;
    struct cell c = {.len = 0};
    for (size_t left = strlen(p); left > 0;) {
        int32_t cp;
        size_t n = utf8_decode(p, left, &cp);
        p += n, left -= n;
        if (utf8_is_control(cp))
            continue;
        int cols = char_columns(cp);
        wchar_t wc = (cp < 0 || wcwidth((wchar_t)cp) < 0) ? L'?' : (wchar_t)cp;
        if (cols == 0) {
            /* A combining mark joins the cell before it, if any fits. */
            if (c.len > 0 && c.len < CCHARW_MAX)
                c.wc[c.len++] = wc;
            continue;
        }
        if (c.len > 0) {
            put_cell(win, y, x + used, &c, attr, pair);
            used += c.cols;
            c.len = 0;
        }
        if (used + cols > width) {
            /* A wide character that does not fit: a space keeps the
             * columns honest. */
            if (used < width)
                put_blank(win, y, x + used++, attr, pair);
            return used;
        }
        c.wc[0] = wc;
        c.len = 1;
        c.cols = cols;
    }
    if (c.len > 0) {
        put_cell(win, y, x + used, &c, attr, pair);
        used += c.cols;
    }
    return used;
}

int draw_text_role(const struct ui *ui, WINDOW *win, int y, int x, int width,
                   const char *s, enum ui_role role)
{
    return draw_text(win, y, x, width, s, draw_role_attr(ui, role), draw_role_pair(ui, role));
}

/* ------------------------------------------------------------------ */
/* Wrapping: line breaking by display width, with the Chinese rules of
 * where a row may not start or end (kinsoku). */

/* Punctuation that closes: a row never starts with it. */
static bool is_wide_closer(int32_t cp)
{
    static const int32_t closers[] = {
        0xFF0C, 0x3002, 0x3001, 0xFF1B, 0xFF1A, 0xFF1F, 0xFF01, /* ，。、；：？！ */
        0xFF09, 0x3011, 0x300D, 0x300F, 0x300B, 0x3009,         /* ）】」』》〉 */
        0x201D, 0x2019,                                         /* ” ’ */
    };
    for (size_t i = 0; i < sizeof closers / sizeof closers[0]; i++)
        if (closers[i] == cp)
            return true;
    return false;
}

/* Their ASCII counterparts, which only follow CJK text now and then. */
static bool is_ascii_closer(int32_t cp)
{
    return cp > 0 && cp < 0x80 && strchr(",.;:?!)", (int)cp);
}

/* Punctuation that opens: a row never ends with it. */
static bool is_opener(int32_t cp)
{
    static const int32_t openers[] = {
        0xFF08, 0x3010, 0x300C, 0x300E, 0x300A, 0x3008, /* （【「『《〈 */
        0x201C, 0x2018,                                 /* “ ‘ */
    };
    for (size_t i = 0; i < sizeof openers / sizeof openers[0]; i++)
        if (openers[i] == cp)
            return true;
    return false;
}

/* Text written without spaces between words, where a row may break
 * between any two characters: CJK, or anything two columns wide. */
static bool breaks_anywhere(int32_t cp, int cols)
{
    return cols == 2 || utf8_is_cjk(cp);
}

/* May a row end between prev and next? */
static bool may_break_between(enum draw_wrap_mode mode, int32_t prev, int prev_cols, int32_t next,
                              int next_cols)
{
    if (next_cols == 0)
        return false; /* a combining mark stays with its base */
    /* At spaces, after one or before one (so that a word that ends
     * exactly at the row's end stays on it). */
    if (mode == WRAP_AT_SPACES)
        return prev == ' ' || next == ' ';
    if (is_wide_closer(next) || is_opener(prev))
        return false;
    bool prev_cjk = breaks_anywhere(prev, prev_cols);
    if (prev_cjk && is_ascii_closer(next))
        return false;
    return prev == ' ' || next == ' ' || prev_cjk || breaks_anywhere(next, next_cols);
}

/* Leave trailing spaces and no-break spaces (one column each) out. */
static void trim_row_end(const char *text, struct draw_row *row)
{
    while (row->end > row->start) {
        const unsigned char *e = (const unsigned char *)text + row->end;
        if (e[-1] == ' ') {
            row->end--;
        } else if (row->end - row->start >= 2 && e[-2] == 0xC2 && e[-1] == 0xA0) {
            row->end -= 2;
        } else {
            break;
        }
        row->cols--;
    }
}

/* The last place so far where the row may end, and its columns. */
struct row_break {
    size_t at;
    int cols;
};

bool draw_wrap_row(const char *text, size_t from, int width, enum draw_wrap_mode mode,
                   struct draw_row *row)
{
    size_t len = from + strlen(text + from), at = from;
    while (at < len && text[at] == ' ')
        at++;
    if (at >= len)
        return false;
    row->start = at;
    struct row_break brk = {0, 0}, glue = {0, 0};
    int cols = 0, prev_cols = 0;
    int32_t prev = UTF8_INVALID;
    while (at < len && text[at] != '\n') {
        int32_t cp;
        size_t n = utf8_decode(text + at, len - at, &cp);
        int cw = char_columns(cp);
        if (at > row->start && may_break_between(mode, prev, prev_cols, cp, cw))
            brk = (struct row_break){at, cols};
        else if (at > row->start && prev == UTF8_NBSP && cw > 0)
            glue = (struct row_break){at, cols};
        if (cols + cw > width) {
            /* Full: end at the last break point; else between words held
             * by a no-break space; else cut (at least one character). */
            struct row_break end = brk.at ? brk : glue.at ? glue : (struct row_break){at, cols};
            if (end.at == row->start)
                end = (struct row_break){at + n, cw};
            *row = (struct draw_row){row->start, end.at, end.at, end.cols, brk.at != 0};
            trim_row_end(text, row);
            return true;
        }
        cols += cw;
        at += n;
        prev = cp;
        prev_cols = cw;
    }
    *row = (struct draw_row){row->start, at, at < len ? at + 1 : at, cols, true};
    trim_row_end(text, row);
    return true;
}

int draw_wrap_count(const char *text, int width, enum draw_wrap_mode mode)
{
    int rows = 0;
    struct draw_row r;
    if (!text || width <= 0)
        return 0;
    for (size_t at = 0; draw_wrap_row(text, at, width, mode, &r); at = r.next)
        rows++;
    return rows;
}

/* The bytes of a row as a string to draw, no-break spaces as spaces. */
static void row_copy(const char *text, const struct draw_row *r, char *out, size_t n)
{
    size_t used = 0;
    for (size_t at = r->start; at < r->end && used + 1 < n;) {
        const unsigned char *u = (const unsigned char *)text + at;
        bool nbsp = at + 1 < r->end && u[0] == 0xC2 && u[1] == 0xA0;
        out[used++] = nbsp ? ' ' : text[at];
        at += nbsp ? 2 : 1;
    }
    /* A character cut by a short buffer is drawn as '?', never past it. */
    out[used] = '\0';
}

int draw_wrapped(const struct ui *ui, WINDOW *win, int y, int x, int h, int width,
                 const char *text, int skip, enum draw_wrap_mode mode, enum ui_role role)
{
    int drawn = 0;
    struct draw_row r;
    if (!text || width <= 0)
        return 0;
    for (size_t at = 0; drawn < h && draw_wrap_row(text, at, width, mode, &r); at = r.next) {
        if (skip > 0) {
            skip--;
            continue;
        }
        char line[1024];
        row_copy(text, &r, line, sizeof line);
        int used = draw_text_role(ui, win, y + drawn, x, width, line, role);
        draw_blank(win, y + drawn, x + used, width - used);
        drawn++;
    }
    return drawn;
}

void draw_blank(WINDOW *win, int y, int x, int width)
{
    if (!win || y < 0 || y >= getmaxy(win) || x >= getmaxx(win))
        return;
    if (x < 0) {
        width += x;
        x = 0;
    }
    if (width > getmaxx(win) - x)
        width = getmaxx(win) - x;
    /* The wide-character call: it clears a wide character that the
     * blanks cut in half, where mvwhline(' ') can leave half of one. */
    cchar_t blank;
    static const wchar_t space[2] = {L' ', L'\0'};
    if (width > 0 && setcchar(&blank, space, A_NORMAL, 0, NULL) == OK)
        mvwhline_set(win, y, x, &blank, width);
}

void draw_blank_rect(WINDOW *win, int y, int x, int h, int w)
{
    for (int r = 0; r < h; r++)
        draw_blank(win, y + r, x, w);
}

/* ------------------------------------------------------------------ */
/* Boxes. */

/* Clip a line segment [from, from+len) to [0, limit). */
static int clip_span(int *from, int len, int limit)
{
    if (*from < 0) {
        len += *from;
        *from = 0;
    }
    if (*from + len > limit)
        len = limit - *from;
    return len;
}

void draw_hline(const struct ui *ui, WINDOW *win, int y, int x, int width)
{
    if (!win || y < 0 || y >= getmaxy(win))
        return;
    width = clip_span(&x, width, getmaxx(win));
    if (width <= 0)
        return;
    if (ui->utf8)
        mvwhline_set(win, y, x, WACS_HLINE, width);
    else
        mvwhline(win, y, x, '-', width);
}

static void draw_vline(const struct ui *ui, WINDOW *win, int y, int x, int height)
{
    if (!win || x < 0 || x >= getmaxx(win))
        return;
    height = clip_span(&y, height, getmaxy(win));
    if (height <= 0)
        return;
    if (ui->utf8)
        mvwvline_set(win, y, x, WACS_VLINE, height);
    else
        mvwvline(win, y, x, '|', height);
}

static void draw_corner(const struct ui *ui, WINDOW *win, int y, int x, const cchar_t *wide)
{
    if (y < 0 || x < 0 || y >= getmaxy(win) || x >= getmaxx(win))
        return;
    if (ui->utf8)
        mvwadd_wch(win, y, x, wide);
    else
        mvwaddch(win, y, x, '+');
}

void draw_box(const struct ui *ui, WINDOW *win, int y, int x, int h, int w, const char *title)
{
    if (!win || h < 2 || w < 2)
        return;
    draw_hline(ui, win, y, x + 1, w - 2);
    draw_hline(ui, win, y + h - 1, x + 1, w - 2);
    draw_vline(ui, win, y + 1, x, h - 2);
    draw_vline(ui, win, y + 1, x + w - 1, h - 2);
    draw_corner(ui, win, y, x, WACS_ULCORNER);
    draw_corner(ui, win, y, x + w - 1, WACS_URCORNER);
    draw_corner(ui, win, y + h - 1, x, WACS_LLCORNER);
    draw_corner(ui, win, y + h - 1, x + w - 1, WACS_LRCORNER);
    if (title && title[0] && w >= 5) {
        /* " title " after the corner and one line cell. */
        int room = w - 4;
        int used = draw_text(win, y, x + 2, 1, " ", A_NORMAL, 0);
        used += draw_text_role(ui, win, y, x + 2 + used, room - 2, title, ROLE_TITLE);
        draw_text(win, y, x + 2 + used, 1, " ", A_NORMAL, 0);
    }
}
