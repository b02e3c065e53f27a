/* The layout: rectangles from LINES x COLS, the frame around the views
 * (status line, borders and titles, key bar), the overlays, and the
 * "terminal too small" screen.  See layout.h. */
#include "config.h"

#include "ui/layout.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "ui/actions.h"
#include "ui/draw.h"
#include "ui/lesson_mode.h"
#include "ui/timeline.h"

/* ------------------------------------------------------------------ */
/* Which view fills which pane.  A view joins this table when its file is
 * in libtcpviz_ui.a; panes without a view take no room. */

struct pane_view {
    const struct ui_view *view;
    enum layout_pane pane;
};

static const struct pane_view pane_views[] = {
    {&ui_view_ladder, PANE_LADDER},
    {&ui_view_states, PANE_STATES},
    {&ui_view_windows, PANE_WINDOWS},
    {&ui_view_cwnd, PANE_CWND},
    {&ui_view_timers, PANE_TIMERS},
    {&ui_view_log, PANE_LOG},
    {&ui_view_narration, PANE_NARRATION},
    {&ui_view_inspector, PANE_INSPECTOR},
    {NULL, PANE_COUNT} /* end */
};

const struct ui_view *layout_view(enum layout_pane pane)
{
    for (const struct pane_view *p = pane_views; p->view; p++)
        if (p->pane == pane)
            return p->view;
    return NULL;
}

bool layout_has_inspector(void)
{
    return layout_view(PANE_INSPECTOR) != NULL;
}

/* ------------------------------------------------------------------ */
/* Geometry. */

static struct layout_rect rect(int y, int x, int h, int w)
{
    struct layout_rect r = {y, x, h > 0 ? h : 0, w > 0 ? w : 0};
    return r;
}

/* Stack the present panes of `order` in r, top to bottom, sharing the
 * rows by weight; the last one takes what rounding leaves. */
static void stack(struct layout *l, struct layout_rect r, const enum layout_pane *order,
                  const int *weight, int n, const bool *present)
{
    int total = 0, count = 0;
    for (int i = 0; i < n; i++)
        if (present[order[i]]) {
            total += weight[i];
            count++;
        }
    int y = r.y, left = r.h, seen = 0;
    for (int i = 0; i < n; i++) {
        if (!present[order[i]])
            continue;
        seen++;
        int h = seen == count ? left : r.h * weight[i] / total;
        l->pane[order[i]] = rect(y, r.x, h, r.w);
        y += h;
        left -= h;
    }
}

static bool any(const bool *present, const enum layout_pane *panes, int n)
{
    for (int i = 0; i < n; i++)
        if (present[panes[i]])
            return true;
    return false;
}

/* Side views beside the ladder: one column, states on top. */
static void layout_wide(struct layout *l, struct layout_rect main, const bool *present)
{
    static const enum layout_pane side[] = {PANE_STATES, PANE_WINDOWS, PANE_CWND, PANE_TIMERS};
    static const int weight[] = {3, 3, 3, 2};
    int side_w = any(present, side, 4) ? main.w * 2 / 5 : 0;
    struct layout_rect left = rect(main.y, main.x, main.h, main.w - side_w);
    stack(l, rect(main.y, main.x + left.w, main.h, side_w), side, weight, 4, present);

    static const enum layout_pane ladder_log[] = {PANE_LADDER, PANE_LOG};
    static const int ladder_log_weight[] = {2, 1};
    /* The log is always there: a third of the left column. */
    stack(l, left, ladder_log, ladder_log_weight, 2, present);
}

/* Rows for the log in the tall layout: a fifth of the body, and at small
 * sizes (80x24) still a few lines, so that every view is on the screen. */
static int tall_log_rows(int body_h)
{
    if (body_h >= 40)
        return body_h / 5;
    int rows = 3 + (body_h - 18) / 5;
    return rows < 3 ? 3 : rows;
}

/* Rows for the views under the ladder: half the body, one less at small
 * sizes (their compact forms need two rows inside a border). */
static int tall_bottom_rows(int body_h)
{
    return body_h >= 40 ? body_h / 2 : body_h / 2 - 1;
}

/* Side views under the ladder, in two columns. */
static void layout_tall(struct layout *l, struct layout_rect main, const bool *present)
{
    static const enum layout_pane left_col[] = {PANE_STATES, PANE_TIMERS};
    static const enum layout_pane right_col[] = {PANE_WINDOWS, PANE_CWND};
    static const int left_weight[] = {3, 2};
    static const int right_weight[] = {1, 1};
    bool has_left = any(present, left_col, 2), has_right = any(present, right_col, 2);
    bool log = present[PANE_LOG];

    int bottom_h = has_left || has_right ? tall_bottom_rows(main.h) : 0;
    int log_h = log ? tall_log_rows(main.h) : 0;
    int ladder_h = main.h - bottom_h - log_h;
    if (present[PANE_LADDER])
        l->pane[PANE_LADDER] = rect(main.y, main.x, ladder_h, main.w);
    else
        log_h += ladder_h, ladder_h = 0;
    if (log)
        l->pane[PANE_LOG] = rect(main.y + ladder_h, main.x, log_h, main.w);

    int y = main.y + ladder_h + log_h;
    int left_w = has_left && has_right ? main.w / 2 : has_left ? main.w : 0;
    stack(l, rect(y, main.x, bottom_h, left_w), left_col, left_weight, 2, present);
    stack(l, rect(y, main.x + left_w, bottom_h, main.w - left_w), right_col, right_weight, 2,
          present);
}

static void layout_overlays(struct layout *l, const bool *present)
{
    int w = l->cols - 4 < 90 ? l->cols - 4 : 90;
    if (present[PANE_INSPECTOR])
        l->pane[PANE_INSPECTOR] = rect(2, (l->cols - w) / 2, l->lines - 4, w);
    /* The help lists one action a line: the whole height at 80x24. */
    int help_h = UI_ACT_COUNT + 2 < l->lines ? UI_ACT_COUNT + 2 : l->lines;
    int help_w = l->cols - 2 < 84 ? l->cols - 2 : 84;
    l->help = rect((l->lines - help_h) / 2, (l->cols - help_w) / 2, help_h, help_w);
}

void layout_compute(struct layout *l, int lines, int cols, const bool present[PANE_COUNT])
{
    bool built[PANE_COUNT];
    if (!present) {
        for (int p = 0; p < PANE_COUNT; p++)
            built[p] = layout_view((enum layout_pane)p) != NULL;
        present = built;
    }
    memset(l, 0, sizeof *l);
    l->lines = lines;
    l->cols = cols;
    l->too_small = lines < UI_MIN_LINES || cols < UI_MIN_COLS;
    if (l->too_small)
        return;
    l->wide = cols >= 120 && cols >= 2 * lines;

    /* Row 0 is the status line, the last row the key bar. */
    int body_top = 1, body_h = lines - 2;
    int narration_h = present[PANE_NARRATION] ? (lines >= 30 ? 5 : 4) : 0;
    if (narration_h)
        l->pane[PANE_NARRATION] = rect(body_top + body_h - narration_h, 0, narration_h, cols);
    struct layout_rect main = rect(body_top, 0, body_h - narration_h, cols);
    if (l->wide)
        layout_wide(l, main, present);
    else
        layout_tall(l, main, present);
    layout_overlays(l, present);
}

void layout_too_small_text(enum tv_lang lang, int lines, int cols, char *buf, size_t len)
{
    snprintf(buf, len, tv_tr(lang, "terminal too small (have %dx%d, need %dx%d)"), cols, lines,
             UI_MIN_COLS, UI_MIN_LINES);
}

/* ------------------------------------------------------------------ */
/* Windows. */

void layout_screen_init(struct layout_screen *s)
{
    memset(s, 0, sizeof *s);
}

static void drop_windows(struct layout_screen *s)
{
    for (int p = 0; p < PANE_COUNT; p++) {
        if (s->win[p])
            delwin(s->win[p]);
        if (s->frame[p])
            delwin(s->frame[p]);
        s->win[p] = s->frame[p] = NULL;
    }
    if (s->help)
        delwin(s->help);
    s->help = NULL;
}

void layout_screen_free(struct layout_screen *s)
{
    drop_windows(s);
    s->valid = false;
}

static WINDOW *window_for(struct layout_rect r, int inset)
{
    if (r.h - 2 * inset < 1 || r.w - 2 * inset < 1)
        return NULL;
    return newwin(r.h - 2 * inset, r.w - 2 * inset, r.y + inset, r.x + inset);
}

/* Make the windows for layout l (the old ones go). */
static void build_windows(struct layout_screen *s, const struct layout *l)
{
    drop_windows(s);
    s->cur = *l;
    s->valid = true;
    if (l->too_small)
        return;
    for (int p = 0; p < PANE_COUNT; p++) {
        s->win[p] = window_for(l->pane[p], 1);
        if (p == PANE_INSPECTOR)
            s->frame[p] = window_for(l->pane[p], 0);
    }
    s->help = window_for(l->help, 0);
}

static bool same_layout(const struct layout *a, const struct layout *b)
{
    return memcmp(a, b, sizeof *a) == 0;
}

/* ------------------------------------------------------------------ */
/* The too-small screen: every cell drawn, nothing outside, even at 1x1. */

static void draw_too_small(const struct ui *ui, int lines, int cols)
{
    char first[96], size[64];
    snprintf(first, sizeof first, "%s", tv_tr(ui->lang, "terminal too small"));
    snprintf(size, sizeof size, tv_tr(ui->lang, "have %dx%d, need %dx%d"), cols, lines,
             UI_MIN_COLS, UI_MIN_LINES);
    const char *text[3] = {first, size, tv_tr(ui->lang, "q quits")};
    char whole[128];
    layout_too_small_text(ui->lang, lines, cols, whole, sizeof whole);
    /* One line when it fits, else three. */
    int n = draw_text_width(whole) <= cols ? 1 : 3;
    if (n == 1)
        text[0] = whole;
    int top = lines > n ? (lines - n) / 2 : 0;
    for (int y = 0; y < lines; y++) {
        draw_blank(stdscr, y, 0, cols);
        int i = y - top;
        if (i < 0 || i >= n)
            continue;
        int w = draw_text_width(text[i]);
        int x = cols > w ? (cols - w) / 2 : 0;
        draw_text_role(ui, stdscr, y, x, cols - x, text[i], i == 0 ? ROLE_TITLE : ROLE_NORMAL);
    }
}

/* ------------------------------------------------------------------ */
/* The status line: what the run is, where the cursor is, and the last
 * message. */

static void format_status_right(const struct ui *ui, char *buf, size_t len)
{
    const struct trace_entry *e = timeline_current(ui);
    uint64_t t = e ? e->t : 0;
    size_t total = timeline_total(ui);
    size_t at = e ? ui->cursor + 1 : 0;
    const char *more = ui->end_known ? "" : "+";
    const char *glyph = ui->playing ? (ui->utf8 ? "▶" : ">") : (ui->utf8 ? "‖" : "||");
    const char *play = ui->playing ? tv_tr(ui->lang, "playing") : tv_tr(ui->lang, "paused");
    /* The time is a number and a unit in every language: only the words
     * around it are translated. */
    char when[48];
    snprintf(when, sizeof when, "t=%" PRIu64 ".%03" PRIu64 " s", t / 1000000, t / 1000 % 1000);
    snprintf(buf, len, tv_tr(ui->lang, "%s  event %zu/%zu%s  %s %s %u/s "), when, at, total, more,
             glyph, play, 1u << ui->speed);
}

static void draw_status_line(const struct ui *ui, int cols)
{
    char right[128], title[160];
    format_status_right(ui, right, sizeof right);
    /* A lesson's line needs its room for "Lesson 3/18  title  step 2/7". */
    if (ui->lesson)
        lesson_mode_status_right(ui, right, sizeof right);
    const char *name = ui->scn && ui->scn->title ? ui->scn->title : tv_tr(ui->lang, "sandbox");
    draw_sanitize(title, sizeof title, name);
    /* A lesson: "Lesson 3/18  <title>  step 2/7", fitted to the room. */
    if (ui->lesson)
        lesson_mode_status(ui, cols - 8 - draw_text_width(right) - 2, title, sizeof title);

    draw_blank(stdscr, 0, 0, cols);
    int x = draw_text_role(ui, stdscr, 0, 0, cols, " tcpviz ", ROLE_TITLE);
    int rw = draw_text_width(right);
    /* A blank on each side of the title or message. */
    int room = cols - x - rw - 2;
    if (room > 0)
        draw_text_role(ui, stdscr, 0, x + 1, room, title, ROLE_NORMAL);
    if (rw < cols)
        draw_text_role(ui, stdscr, 0, cols - rw, rw, right, ROLE_NORMAL);
}

/* ------------------------------------------------------------------ */
/* The key bar, generated from the action table: "n next  b back ...".
 * Help and quit are always shown; the others as long as they fit. */

static int keybar_item_width(const struct ui *ui, enum ui_action a)
{
    char key[32];
    ui_action_key_label(a, ui->utf8, key, sizeof key);
    return draw_text_width(key) + 1 + draw_text_width(tv_tr(ui->lang, ui_action_bar_label(a))) + 2;
}

static int draw_keybar_item(const struct ui *ui, int y, int x, int room, enum ui_action a)
{
    char key[32];
    ui_action_key_label(a, ui->utf8, key, sizeof key);
    int used = draw_text_role(ui, stdscr, y, x, room, key, ROLE_TITLE);
    used += draw_text_role(ui, stdscr, y, x + used, room - used, " ", ROLE_NORMAL);
    used += draw_text_role(ui, stdscr, y, x + used, room - used,
                           tv_tr(ui->lang, ui_action_bar_label(a)), ROLE_NORMAL);
    used += draw_text_role(ui, stdscr, y, x + used, room - used, "  ", ROLE_NORMAL);
    return used;
}

static void draw_keybar(const struct ui *ui, int y, int cols)
{
    draw_blank(stdscr, y, 0, cols);
    int reserved = keybar_item_width(ui, UI_ACT_HELP) + keybar_item_width(ui, UI_ACT_QUIT);
    int x = 1;
    /* In a lesson its keys come first; elsewhere they are not shown (the
     * menu's only where there is a menu). */
    for (int a = UI_ACT_CONTINUE; ui->lesson && a <= UI_ACT_MENU; a++) {
        int w = ui_action_bar_label((enum ui_action)a) ? keybar_item_width(ui, (enum ui_action)a)
                                                       : 0;
        if (w && x + w + reserved <= cols)
            x += draw_keybar_item(ui, y, x, cols - x, (enum ui_action)a);
    }
    for (int a = 0; a < UI_ACT_COUNT; a++) {
        if (!ui_action_bar_label((enum ui_action)a) || a == UI_ACT_HELP || a == UI_ACT_QUIT)
            continue;
        if (a >= UI_ACT_CONTINUE && a <= UI_ACT_MENU &&
            (ui->lesson || a != UI_ACT_MENU || !ui->course))
            continue;
        int w = keybar_item_width(ui, (enum ui_action)a);
        if (x + w + reserved > cols)
            continue;
        x += draw_keybar_item(ui, y, x, cols - x, (enum ui_action)a);
    }
    x += draw_keybar_item(ui, y, x, cols - x, UI_ACT_HELP);
    draw_keybar_item(ui, y, x, cols - x, UI_ACT_QUIT);
}

/* The last message ("end of the run", why a command failed) takes the
 * key bar's row, the whole width, until the next key: the status line has
 * no room for a sentence at 80 columns.  A message too long for the row
 * ends in "..." (">" in ASCII is ambiguous, so three dots either way). */
static void draw_message_line(const struct ui *ui, int y, int cols)
{
    char text[sizeof ui->message];
    draw_sanitize(text, sizeof text, ui->message);
    draw_blank(stdscr, y, 0, cols);
    int room = cols - 1;
    if (draw_text_width(text) <= room) {
        draw_text_role(ui, stdscr, y, 1, room, text, ROLE_TITLE);
        return;
    }
    int used = draw_text_role(ui, stdscr, y, 1, room > 3 ? room - 3 : 0, text, ROLE_TITLE);
    draw_text_role(ui, stdscr, y, 1 + used, room - used, "...", ROLE_TITLE);
}

/* The command line replaces the key bar while typing; the cursor is a
 * reversed blank after the text (the terminal's own cursor stays hidden). */
static void draw_command_line(const struct ui *ui, int y, int cols)
{
    char text[sizeof ui->cmd];
    draw_sanitize(text, sizeof text, ui->cmd);
    draw_blank(stdscr, y, 0, cols);
    int x = draw_text_role(ui, stdscr, y, 0, cols, ":", ROLE_TITLE);
    /* Keep the end of a long line in view. */
    const char *shown = text;
    while (draw_text_width(shown) > cols - x - 1 && *shown)
        shown++;
    x += draw_text_role(ui, stdscr, y, x, cols - x - 1, shown, ROLE_NORMAL);
    draw_text_role(ui, stdscr, y, x, cols - x, " ", ROLE_SELECTED);
}

/* ------------------------------------------------------------------ */
/* Overlays. */

/* One action a line; when they do not all fit (80x24), the help scrolls
 * and its title says how. */
static void draw_help(const struct ui *ui, WINDOW *win, struct layout_rect r)
{
    int rows = r.h - 2, inner = r.w - 2;
    int hidden = UI_ACT_COUNT - rows > 0 ? UI_ACT_COUNT - rows : 0;
    int first = ui->help_scroll < 0 ? 0 : ui->help_scroll > hidden ? hidden : ui->help_scroll;
    draw_box(ui, win, 0, 0, r.h, r.w,
             hidden ? tv_tr(ui->lang, "help: ? or esc closes, j/k scroll")
                    : tv_tr(ui->lang, "help: ? or esc closes"));
    int keys_w = inner > UI_HELP_KEYS_COLS + 8 ? UI_HELP_KEYS_COLS : inner / 3;
    for (int y = 0; y < rows; y++) {
        int a = first + y;
        draw_blank(win, 1 + y, 1, inner);
        if (a >= UI_ACT_COUNT)
            continue;
        char keys[64];
        ui_action_keys_text((enum ui_action)a, ui->utf8, keys, sizeof keys);
        draw_text_role(ui, win, 1 + y, 2, keys_w - 1, keys, ROLE_TITLE);
        draw_text_role(ui, win, 1 + y, 1 + keys_w, inner - keys_w - 1,
                       tv_tr(ui->lang, ui_action_help((enum ui_action)a)), ROLE_NORMAL);
    }
    /* What is out of view, on the bottom border. */
    if (hidden && r.w > 20) {
        char more[48];
        int below = UI_ACT_COUNT - first - rows, above = first;
        snprintf(more, sizeof more, tv_tr(ui->lang, " %d above, %d below "), above, below);
        draw_text_role(ui, win, r.h - 1, r.w - 2 - draw_text_width(more), draw_text_width(more),
                       more, ROLE_DIM);
    }
    wnoutrefresh(win);
}

static void draw_inspector(const struct ui *ui, struct layout_screen *s)
{
    const struct ui_view *v = layout_view(PANE_INSPECTOR);
    struct layout_rect r = s->cur.pane[PANE_INSPECTOR];
    WINDOW *frame = s->frame[PANE_INSPECTOR], *inner = s->win[PANE_INSPECTOR];
    if (!v || !frame || !inner)
        return;
    draw_box(ui, frame, 0, 0, r.h, r.w, tv_tr(ui->lang, v->name));
    wnoutrefresh(frame);
    v->draw(ui, inner, r.h - 2, r.w - 2);
    wnoutrefresh(inner);
}

/* ------------------------------------------------------------------ */
/* A frame. */

/* One mark on a border row, at its right end: " ▼ more below: PgDn ",
 * or the glyph alone when the words do not fit beside the `taken`
 * columns at the row's left (the title, the hint). */
static void draw_border_mark(const struct ui *ui, int y, struct layout_rect r, int taken,
                             const char *glyph, const char *words)
{
    char mark[128];
    snprintf(mark, sizeof mark, " %s %s ", glyph, words);
    int room = r.w - 2 - taken - 1, w = draw_text_width(mark);
    if (w > room) {
        snprintf(mark, sizeof mark, " %s ", glyph);
        w = draw_text_width(mark);
    }
    if (w <= room)
        draw_text_role(ui, stdscr, y, r.x + r.w - 2 - w, w, mark, ROLE_TITLE);
}

/* The lesson's text does not scroll by itself: when it has more than the
 * pane shows, the borders say so and name the key that shows it (the
 * pane never cuts text silently). */
static void draw_narration_marks(const struct ui *ui, struct layout_rect r, const char *title)
{
    int h = r.h - 2, w = r.w - 2;
    if (!ui->narration[0] || h <= 0 || w <= 0)
        return;
    /* The lesson's "[Enter: next step]" on the left of the bottom border,
     * leaving the mark its room on the right. */
    char hint[160] = "", padded[170];
    if (ui->lesson)
        lesson_mode_hint(ui, hint, sizeof hint);
    snprintf(padded, sizeof padded, " %s ", hint);
    int hint_w = hint[0] ? draw_text_width(padded) : 0;
    if (hint_w && 2 + hint_w + 6 <= r.w)
        draw_text_role(ui, stdscr, r.y + r.h - 1, r.x + 2, hint_w, padded, ROLE_TITLE);
    else
        hint_w = 0;
    int rows = narration_text_rows(ui->narration, w);
    int hidden = rows - h > 0 ? rows - h : 0;
    int first = ui->narration_scroll > hidden ? hidden : ui->narration_scroll;
    if (first < 0)
        first = 0;
    if (first > 0)
        draw_border_mark(ui, r.y, r, 4 + draw_text_width(title), ui->utf8 ? "▲" : "^",
                         tv_tr(ui->lang, "more above: PgUp"));
    if (first < hidden)
        draw_border_mark(ui, r.y + r.h - 1, r, hint_w ? 2 + hint_w : 0, ui->utf8 ? "▼" : "v",
                         tv_tr(ui->lang, "more below: PgDn"));
}

static void draw_panes(const struct ui *ui, struct layout_screen *s)
{
    for (int p = 0; p < PANE_COUNT; p++) {
        const struct ui_view *v = layout_view((enum layout_pane)p);
        struct layout_rect r = s->cur.pane[p];
        if (p == PANE_INSPECTOR || !v || r.h == 0)
            continue;
        draw_box(ui, stdscr, r.y, r.x, r.h, r.w, tv_tr(ui->lang, v->name));
        if (p == PANE_NARRATION)
            draw_narration_marks(ui, r, tv_tr(ui->lang, v->name));
    }
    wnoutrefresh(stdscr);
    for (int p = 0; p < PANE_COUNT; p++) {
        const struct ui_view *v = layout_view((enum layout_pane)p);
        WINDOW *win = s->win[p];
        if (p == PANE_INSPECTOR || !v || !win)
            continue;
        v->draw(ui, win, getmaxy(win), getmaxx(win));
        wnoutrefresh(win);
    }
}

/* After an overlay closes, what was under it must be sent again. */
static void touch_all(struct layout_screen *s)
{
    touchwin(stdscr);
    for (int p = 0; p < PANE_COUNT; p++)
        if (s->win[p])
            touchwin(s->win[p]);
}

/* A lesson's narration pane says more (narration, question, options,
 * explanation): it takes up to LAYOUT_LESSON_EXTRA rows from the event
 * log, all of the log when less would be left than a box shows. */
#define LAYOUT_LESSON_EXTRA 3

static void layout_grow_narration(struct layout *l)
{
    struct layout_rect *log = &l->pane[PANE_LOG], *nar = &l->pane[PANE_NARRATION];
    if (l->too_small || log->h == 0 || nar->h == 0)
        return;
    int take = log->h - LAYOUT_LESSON_EXTRA < 3 ? log->h : LAYOUT_LESSON_EXTRA;
    log->h -= take;
    if (log->h == 0)
        log->w = 0;
    nar->y -= take;
    nar->h += take;
    /* What sat below the log moves up with it; in the wide layout the
     * side column's bottom pane gives the rows instead. */
    for (int p = 0; p < PANE_COUNT; p++) {
        struct layout_rect *r = &l->pane[p];
        if (p == PANE_LOG || p == PANE_NARRATION || p == PANE_INSPECTOR || r->h == 0)
            continue;
        if (r->y >= log->y + log->h + take)
            r->y -= take;
        else if (r->y + r->h > nar->y)
            r->h -= r->y + r->h - nar->y;
    }
    /* A pane left too short for its box goes to the pane above it. */
    for (int p = 0; p < PANE_COUNT; p++) {
        struct layout_rect *r = &l->pane[p];
        if (p == PANE_INSPECTOR || r->h == 0 || r->h >= 3)
            continue;
        for (int q = 0; q < PANE_COUNT; q++) {
            struct layout_rect *up = &l->pane[q];
            if (q != p && up->h && up->x == r->x && up->w == r->w && up->y + up->h == r->y) {
                up->h += r->h;
                break;
            }
        }
        r->h = r->w = 0;
    }
}

void layout_compute_ui(struct layout *l, const struct ui *ui, int lines, int cols)
{
    layout_compute(l, lines, cols, NULL);
    if (ui->lesson)
        layout_grow_narration(l);
}

void layout_draw(const struct ui *ui, struct layout_screen *s)
{
    struct layout l;
    layout_compute_ui(&l, ui, LINES, COLS);
    if (!s->valid || !same_layout(&l, &s->cur)) {
        build_windows(s, &l);
        /* Old borders must not show through the new geometry; erasing the
         * buffer (not the terminal) costs only the cells that change. */
        werase(stdscr);
    }
    if (l.too_small) {
        draw_too_small(ui, LINES, COLS);
        wnoutrefresh(stdscr);
        doupdate();
        return;
    }
    if ((s->had_help && !ui->help) || (s->had_inspector && !ui->inspector))
        touch_all(s);
    s->had_help = ui->help;
    s->had_inspector = ui->inspector;

    draw_status_line(ui, COLS);
    if (ui->cmd_active)
        draw_command_line(ui, LINES - 1, COLS);
    else if (ui->message[0])
        draw_message_line(ui, LINES - 1, COLS);
    else
        draw_keybar(ui, LINES - 1, COLS);
    draw_panes(ui, s);
    /* While typing, the message (Tab's candidates, an error) goes on the
     * row above the command line, over the narration's bottom border,
     * which the next frame draws again. */
    if (ui->cmd_active && ui->message[0] && LINES >= 2) {
        draw_message_line(ui, LINES - 2, COLS);
        wnoutrefresh(stdscr);
    }
    if (ui->inspector)
        draw_inspector(ui, s);
    if (ui->help && s->help)
        draw_help(ui, s->help, s->cur.help);
    doupdate();
}

int64_t layout_packet_at(const struct ui *ui, const struct layout_screen *s, int y, int x)
{
    if (!s->valid || s->cur.too_small || ui->help || ui->inspector)
        return -1;
    struct layout_rect r = s->cur.pane[PANE_LADDER];
    if (y <= r.y || y >= r.y + r.h - 1 || x <= r.x || x >= r.x + r.w - 1)
        return -1;
    return ladder_packet_at(ui, r.h - 2, r.w - 2, y - r.y - 1);
}
