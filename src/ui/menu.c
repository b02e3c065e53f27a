/* The lesson menu (see menu.h). */
#include "config.h"

#include "ui/menu.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "ui/draw.h"
#include "ui/layout.h"

/* Rows under the list: the box about the selected lesson (three lines of
 * text in its border) and the key line. */
#define MENU_ABOUT_ROWS 5
#define MENU_ABOUT_LINES (MENU_ABOUT_ROWS - 2)
/* Columns of a row before the title: cursor, mark, number. */
#define MENU_MARK_COLS 3

void menu_init(struct menu *m, const struct catalog *c, const struct progress *p)
{
    memset(m, 0, sizeof *m);
    m->catalog = c;
    m->progress = p;
}

void menu_select_path(struct menu *m, const char *path)
{
    for (size_t i = 0; path && i < m->catalog->n; i++)
        if (strcmp(m->catalog->entries[i].path, path) == 0)
            m->selected = i;
}

int menu_list_rows(int lines)
{
    /* Title row, the list's border, the about box, the key line. */
    int rows = lines - 1 - 2 - MENU_ABOUT_ROWS - 1;
    return rows > 1 ? rows : 1;
}

/* ------------------------------------------------------------------ */
/* Rows: a heading where the topic changes, then its lessons. */

struct menu_row {
    bool heading;
    int topic;                /* TOPIC_COUNT: the broken files' heading */
    size_t entry;             /* !heading */
};

static int entry_group(const struct catalog_entry *e)
{
    return e->error ? TOPIC_COUNT : (int)e->topic;
}

/* The rows of the list (at most max); returns how many there are. */
static size_t menu_rows(const struct menu *m, struct menu_row *rows, size_t max)
{
    size_t n = 0;
    int group = -1;
    for (size_t i = 0; i < m->catalog->n; i++) {
        int g = entry_group(&m->catalog->entries[i]);
        if (g != group) {
            if (n < max)
                rows[n] = (struct menu_row){true, g, 0};
            n++;
            group = g;
        }
        if (n < max)
            rows[n] = (struct menu_row){false, g, i};
        n++;
    }
    return n;
}

static size_t row_of_selected(const struct menu *m, const struct menu_row *rows, size_t n)
{
    for (size_t r = 0; r < n; r++)
        if (!rows[r].heading && rows[r].entry == m->selected)
            return r;
    return 0;
}

/* ------------------------------------------------------------------ */
/* Keys */

static void move_selection(struct menu *m, long delta)
{
    if (m->catalog->n == 0)
        return;
    long s = (long)m->selected + delta;
    long last = (long)m->catalog->n - 1;
    m->selected = (size_t)(s < 0 ? 0 : s > last ? last : s);
}

enum menu_command menu_key(struct menu *m, int key)
{
    int page = menu_list_rows(LINES) - 1;
    switch (key) {
    case KEY_UP: case 'k': move_selection(m, -1); break;
    case KEY_DOWN: case 'j': move_selection(m, 1); break;
    case KEY_PPAGE: case 'K': move_selection(m, -(page > 1 ? page : 1)); break;
    case KEY_NPAGE: case 'J': move_selection(m, page > 1 ? page : 1); break;
    case KEY_HOME: case 'g': m->selected = 0; break;
    case KEY_END: case 'G': move_selection(m, (long)m->catalog->n); break;
    case '\n': case '\r': case KEY_ENTER:
        return m->catalog->n ? MENU_OPEN : MENU_NOTHING;
    case 'L': return MENU_LANGUAGE;
    case 's': return MENU_SANDBOX;
    case 'q': return MENU_QUIT;
    default: break;
    }
    return MENU_NOTHING;
}

/* ------------------------------------------------------------------ */
/* Drawing */

const char *menu_mark(const struct ui *ui, const struct catalog_entry *e,
                      const struct progress *p)
{
    if (e->error)
        return ui->utf8 ? " ✗ " : "[!]";
    switch (progress_get(p, e->id, NULL)) {
    case PROGRESS_DONE: return ui->utf8 ? " ✓ " : "[x]";
    case PROGRESS_STARTED: return ui->utf8 ? " ▸ " : "[>]";
    default: return ui->utf8 ? "   " : "[ ]";
    }
}

static const char *heading(const struct ui *ui, int group)
{
    if (group == TOPIC_COUNT)
        return tv_tr(ui->lang, "Lesson files with errors");
    return lesson_topic_heading((enum lesson_topic)group, ui->lang);
}

/* Cut s (sanitised UTF-8) to at most cols columns, whole characters. */
static void cut_to_width(char *s, int cols)
{
    size_t n = strlen(s);
    while (n > 0 && draw_text_width(s) > cols) {
        do
            n--;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80);
        s[n] = '\0';
    }
}

/* One lesson row, one bar across the box: "> ✓   3  When the SYN is
 * lost ......... 4 min". */
static void draw_entry(const struct ui *ui, const struct menu *m, int y, int x, int w,
                       const struct catalog_entry *e, bool selected)
{
    enum ui_role role = selected ? ROLE_SELECTED : e->error ? ROLE_DROP : ROLE_NORMAL;
    char minutes[32] = "", title[256], num[16], row[1024];
    if (!e->error && e->minutes)
        snprintf(minutes, sizeof minutes, tv_tr(ui->lang, "%u min"), e->minutes);
    if (e->number)
        snprintf(num, sizeof num, "%3u  ", e->number);
    else
        snprintf(num, sizeof num, "     ");
    draw_sanitize(title, sizeof title, e->title[ui->lang] ? e->title[ui->lang] : "");
    /* The cursor is a glyph too, so that the selection shows without
     * reverse video (and in text dumps). */
    int k = snprintf(row, sizeof row, "%s%s%s", selected ? ">" : " ", menu_mark(ui, e, m->progress),
                     num);
    int lead = draw_text_width(row), mw = draw_text_width(minutes);
    int room = w - lead - mw - 2;
    cut_to_width(title, room > 0 ? room : 0);
    int pad = room - draw_text_width(title);
    snprintf(row + k, sizeof row - (size_t)k, "%s%*s %s ", title, pad > 0 ? pad : 0, "", minutes);
    draw_blank(stdscr, y, x, w);
    draw_text_role(ui, stdscr, y, x, w, row, role);
}

static void draw_list(const struct ui *ui, struct menu *m, int y, int h, int w)
{
    struct menu_row rows[2 * 256];
    size_t n = menu_rows(m, rows, sizeof rows / sizeof rows[0]);
    if (n > sizeof rows / sizeof rows[0])
        n = sizeof rows / sizeof rows[0];
    int inner = h - 2;
    draw_box(ui, stdscr, y, 0, h, w, tv_tr(ui->lang, "lessons"));
    if (inner < 1)
        return;
    /* Keep the selection in view, with its heading when it is the first
     * lesson of its group. */
    int sel = (int)row_of_selected(m, rows, n);
    int want_top = sel > 0 && rows[sel - 1].heading ? sel - 1 : sel;
    if (want_top < m->top)
        m->top = want_top;
    if (sel >= m->top + inner)
        m->top = sel - inner + 1;
    if (m->top < 0)
        m->top = 0;
    for (int r = 0; r < inner; r++) {
        size_t i = (size_t)(m->top + r);
        int row_y = y + 1 + r;
        draw_blank(stdscr, row_y, 1, w - 2);
        if (i >= n)
            continue;
        if (rows[i].heading)
            draw_text_role(ui, stdscr, row_y, 2, w - 4, heading(ui, rows[i].topic), ROLE_TITLE);
        else
            draw_entry(ui, m, row_y, 1, w - 2, &m->catalog->entries[rows[i].entry],
                       rows[i].entry == m->selected);
    }
    if (n == 0)
        draw_text_role(ui, stdscr, y + 1, 2, w - 4,
                       tv_tr(ui->lang, "No lessons found (see FILES in tcpviz(1))."),
                       ROLE_DIM);
}

/* "Take first: 1 The three-way handshake, 2 Why three" for the lessons
 * it requires that are not done yet. */
static void unmet_requirements(const struct ui *ui, const struct menu *m,
                               const struct catalog_entry *e, char *out, size_t n)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < e->nrequires; i++) {
        if (progress_get(m->progress, e->requires[i], NULL) == PROGRESS_DONE)
            continue;
        const struct catalog_entry *r = catalog_find_id(m->catalog, e->requires[i]);
        char one[320];
        if (r && r->number)
            snprintf(one, sizeof one, "%u %s", r->number, r->title[ui->lang]);
        else
            snprintf(one, sizeof one, "%s", r ? r->title[ui->lang] : e->requires[i]);
        int k = snprintf(out + used, n - used, "%s%s",
                         used ? ", " : tv_tr(ui->lang, "Take first: "), one);
        if (k < 0 || (size_t)k >= n - used)
            break;
        used += (size_t)k;
    }
}

static void draw_about(const struct ui *ui, const struct menu *m, int y, int w)
{
    draw_box(ui, stdscr, y, 0, MENU_ABOUT_ROWS, w, tv_tr(ui->lang, "about this lesson"));
    for (int r = 1; r < MENU_ABOUT_ROWS - 1; r++)
        draw_blank(stdscr, y + r, 1, w - 2);
    if (m->catalog->n == 0)
        return;
    const struct catalog_entry *e = &m->catalog->entries[m->selected];
    char text[2048];
    if (e->error) {
        draw_sanitize(text, sizeof text, e->error);
        draw_wrapped(ui, stdscr, y + 1, 2, MENU_ABOUT_LINES, w - 4, text, 0, WRAP_PROSE, ROLE_DROP);
        return;
    }
    char need[1024];
    unmet_requirements(ui, m, e, need, sizeof need);
    int room = MENU_ABOUT_LINES - (need[0] ? 1 : 0);
    draw_sanitize(text, sizeof text, e->summary[ui->lang] ? e->summary[ui->lang] : "");
    draw_wrapped(ui, stdscr, y + 1, 2, room, w - 4, text, 0, WRAP_PROSE, ROLE_NORMAL);
    if (need[0]) {
        draw_sanitize(text, sizeof text, need);
        draw_wrapped(ui, stdscr, y + MENU_ABOUT_ROWS - 2, 2, 1, w - 4, text, 0, WRAP_PROSE, ROLE_DIM);
    }
}

static void draw_title(const struct ui *ui, int cols)
{
    draw_blank(stdscr, 0, 0, cols);
    int x = draw_text_role(ui, stdscr, 0, 0, cols, " tcpviz ", ROLE_TITLE);
    x += draw_text_role(ui, stdscr, 0, x + 1, cols - x - 1, tv_tr(ui->lang, "Lessons"),
                        ROLE_NORMAL) + 1;
    char legend[160];
    snprintf(legend, sizeof legend, "%s %s  %s %s  %s %s ", ui->utf8 ? "✓" : "[x]",
             tv_tr(ui->lang, "done"), ui->utf8 ? "▸" : "[>]", tv_tr(ui->lang, "started"),
             ui->utf8 ? "✗" : "[!]", tv_tr(ui->lang, "error"));
    int lw = draw_text_width(legend);
    if (x + 2 + lw <= cols)
        draw_text_role(ui, stdscr, 0, cols - lw, lw, legend, ROLE_NORMAL);
}

static void draw_keys(const struct ui *ui, int y, int cols)
{
    draw_blank(stdscr, y, 0, cols);
    char text[512];
    if (ui->message[0]) {
        draw_sanitize(text, sizeof text, ui->message);
        draw_text_role(ui, stdscr, y, 1, cols - 1, text, ROLE_TITLE);
        return;
    }
    /* The other language is named in itself, so that a student who cannot
     * read this one still finds theirs. */
    snprintf(text, sizeof text, tv_tr(ui->lang, "%s move  Enter open  L %s  s sandbox  q quit"),
             ui->utf8 ? "↑↓" : "up/down", ui->lang == LANG_EN ? "中文" : "English");
    if (!ui->utf8 && ui->lang == LANG_EN)
        snprintf(text, sizeof text, "%s",
                 tv_tr(ui->lang, "up/down move  Enter open  L Chinese  s sandbox  q quit"));
    draw_text_role(ui, stdscr, y, 1, cols - 1, text, ROLE_NORMAL);
}

static void draw_too_small(const struct ui *ui)
{
    char text[128];
    layout_too_small_text(ui->lang, LINES, COLS, text, sizeof text);
    for (int y = 0; y < LINES; y++)
        draw_blank(stdscr, y, 0, COLS);
    int w = draw_text_width(text);
    draw_text_role(ui, stdscr, LINES / 2, COLS > w ? (COLS - w) / 2 : 0, COLS, text, ROLE_TITLE);
}

void menu_draw(const struct ui *ui, struct menu *m)
{
    if (LINES < UI_MIN_LINES || COLS < UI_MIN_COLS) {
        draw_too_small(ui);
    } else {
        int list_h = menu_list_rows(LINES) + 2;
        draw_title(ui, COLS);
        draw_list(ui, m, 1, list_h, COLS);
        draw_about(ui, m, 1 + list_h, COLS);
        draw_keys(ui, LINES - 1, COLS);
    }
    wnoutrefresh(stdscr);
    doupdate();
}
