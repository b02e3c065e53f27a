/* Drawing helpers: sanitised, wcwidth-measured, clipped text; boxes with
 * an ASCII fallback; the colour role table (see draw.h).
 *
 * UTF-8 is decoded here rather than with mbrtowc so that a file's bytes
 * are judged the same way whatever the locale; wcwidth then says how many
 * columns the terminal will give each character in this locale (-1, i.e.
 * unprintable here, is drawn as '?'). */
#include "config.h"

#include "ui/draw.h"

#include <string.h>
#include <wchar.h>

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

/* ------------------------------------------------------------------ */
/* UTF-8 decoding. */

/* Decode one character from s (NUL-terminated).  Returns the bytes used
 * (at least 1 unless *s is NUL) and *cp, or -1 in *cp for a byte that does
 * not start a valid, shortest-form sequence. */
static size_t utf8_decode(const unsigned char *s, long *cp)
{
    unsigned char b = s[0];
    size_t n;
    long v, min;
    if (b < 0x80) {
        *cp = b;
        return 1;
    } else if (b >= 0xC2 && b <= 0xDF) {
        n = 2, v = b & 0x1F, min = 0x80;
    } else if (b >= 0xE0 && b <= 0xEF) {
        n = 3, v = b & 0x0F, min = 0x800;
    } else if (b >= 0xF0 && b <= 0xF4) {
        n = 4, v = b & 0x07, min = 0x10000;
    } else {
        *cp = -1;
        return 1;
    }
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            *cp = -1;
            return 1;
        }
        v = (v << 6) | (s[i] & 0x3F);
    }
    bool surrogate = v >= 0xD800 && v <= 0xDFFF;
    *cp = (v < min || v > 0x10FFFF || surrogate) ? -1 : v;
    return *cp < 0 ? 1 : n;
}

/* C0, DEL and C1: characters that move the cursor or start escape
 * sequences, which text from a file must never do. */
static bool is_control(long cp)
{
    return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F);
}

size_t draw_sanitize(char *dst, size_t dstlen, const char *src)
{
    if (dstlen == 0)
        return 0;
    const unsigned char *s = (const unsigned char *)(src ? src : "");
    size_t out = 0;
    while (*s) {
        long cp;
        size_t n = utf8_decode(s, &cp);
        bool keep = cp >= 0 && !is_control(cp);
        size_t need = keep ? n : (cp < 0 ? 1 : 0);
        if (out + need >= dstlen)
            break;
        if (keep)
            memcpy(dst + out, s, n);
        else if (cp < 0)
            dst[out] = '?';
        out += need;
        s += n;
    }
    dst[out] = '\0';
    return out;
}

/* The columns one decoded character takes as drawn: combining marks 0,
 * anything unprintable in this locale 1 (it is drawn as '?'). */
static int char_columns(long cp)
{
    if (cp < 0)
        return 1;
    int w = wcwidth((wchar_t)cp);
    return w < 0 ? 1 : w;
}

int draw_text_width(const char *s)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    int cols = 0;
    while (*p) {
        long cp;
        p += utf8_decode(p, &cp);
        if (cp >= 0 && is_control(cp))
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

    const unsigned char *p = (const unsigned char *)(s ? s : "");
    int used = 0;
    struct cell c = {.len = 0};
    while (*p) {
        long cp;
        p += utf8_decode(p, &cp);
        if (cp >= 0 && is_control(cp))
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
