/* Tests of the state, window, cwnd and timer views: a real scenario run,
 * the cursor put on a chosen event, the view drawn into a curses window on
 * a virtual screen (newterm on /dev/null, fixed LINES and COLUMNS), and
 * the rows read back with mvwinnwstr.
 *
 * Set VIEWS2_DUMP=1 to see every screen a test reads on stderr. */
#include <check.h>
#include <curses.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "lesson/scenario_parse.h"
#include "sim/world.h"
#include "tcp/event.h"
#include "tcp/state.h"
#include "ui/ui.h"

#include "check_main.h"

#define CLIENT 0
#define SERVER 1
#define SCREEN_LINES 60
#define SCREEN_COLS 200
#define ROW_MAX 1024

/* ============================================================ screens == */

struct vscreen {
    FILE *out, *in;
    SCREEN *screen;
};

static void vscreen_open(struct vscreen *v)
{
    ck_assert_ptr_nonnull(setlocale(LC_ALL, "C.UTF-8"));
    setenv("TERM", "xterm", 1);
    setenv("LINES", "60", 1);
    setenv("COLUMNS", "200", 1);
    v->out = fopen("/dev/null", "w");
    v->in = fopen("/dev/null", "r");
    ck_assert_ptr_nonnull(v->out);
    ck_assert_ptr_nonnull(v->in);
    v->screen = newterm(NULL, v->out, v->in);
    ck_assert_ptr_nonnull(v->screen);
    set_term(v->screen);
    ck_assert_int_eq(LINES, SCREEN_LINES);
    ck_assert_int_eq(COLS, SCREEN_COLS);
}

static void vscreen_close(struct vscreen *v)
{
    endwin();
    delscreen(v->screen);
    fclose(v->out);
    fclose(v->in);
}

/* Row y of win as UTF-8, trailing blanks kept. */
static void row_text(WINDOW *win, int y, char *out, size_t len)
{
    wchar_t wbuf[ROW_MAX];
    int n = mvwinnwstr(win, y, 0, wbuf, ROW_MAX - 1);
    ck_assert_int_ne(n, ERR);
    wbuf[n] = L'\0';
    size_t bytes = wcstombs(out, wbuf, len);
    ck_assert_uint_ne(bytes, (size_t)-1);
    out[len - 1] = '\0';
}

static void dump(WINDOW *win, const char *what)
{
    if (!getenv("VIEWS2_DUMP"))
        return;
    fprintf(stderr, "---- %s (%dx%d)\n", what, getmaxy(win), getmaxx(win));
    for (int y = 0; y < getmaxy(win); y++) {
        char row[ROW_MAX * 4];
        row_text(win, y, row, sizeof row);
        fprintf(stderr, "|%s|\n", row);
    }
}

/* The first row containing needle, -1 if none. */
static int find_row(WINDOW *win, const char *needle)
{
    for (int y = 0; y < getmaxy(win); y++) {
        char row[ROW_MAX * 4];
        row_text(win, y, row, sizeof row);
        if (strstr(row, needle))
            return y;
    }
    return -1;
}

static void assert_has(WINDOW *win, const char *needle)
{
    ck_assert_msg(find_row(win, needle) >= 0, "no row contains \"%s\"", needle);
}

static int count_char(const char *s, char c)
{
    int n = 0;
    for (; *s; s++)
        n += *s == c;
    return n;
}

/* ============================================================== worlds == */

struct run {
    struct scenario scn;
    struct world *w;
    struct ui ui;
};

static void run_open(struct run *r, const char *name)
{
    const char *top = getenv("top_srcdir");
    char path[512], err[256];
    snprintf(path, sizeof path, "%s/tests/scenarios/%s", top ? top : ".", name);
    ck_assert_msg(scenario_parse_file(path, &r->scn, err, sizeof err) == 0, "%s", err);
    r->w = world_new(&r->scn, r->scn.has_seed ? r->scn.seed : 1);
    ck_assert_ptr_nonnull(r->w);
    world_run(r->w);
    memset(&r->ui, 0, sizeof r->ui);
    r->ui.world = r->w;
    r->ui.scn = &r->scn;
    r->ui.selected_packet = -1;
}

static void run_close(struct run *r)
{
    world_free(r->w);
    scenario_free(&r->scn);
}

static void run_at(struct run *r, size_t cursor)
{
    ck_assert(world_seek(r->w, cursor));
    r->ui.cursor = cursor;
}

/* Trace index of the nth (1-based) event of this kind by host for which
 * match() holds (NULL: every one). */
static size_t find_event(struct run *r, int host, enum tcp_event_kind kind, unsigned nth,
                         bool (*match)(const struct tcp_event *ev, long arg), long arg)
{
    /* Seeking back cut the trace at the cursor: run to the end again. */
    world_run(r->w);
    const struct trace_entry *tr = world_trace(r->w);
    for (size_t i = 0; i < world_trace_len(r->w); i++) {
        const struct tcp_event *ev = &tr[i].ev;
        if (ev->kind == kind && ev->endpoint == host && (!match || match(ev, arg)) && --nth == 0)
            return i;
    }
    ck_abort_msg("event not found");
    return 0;
}

static bool state_to(const struct tcp_event *ev, long to)
{
    return ev->u.state.to == to;
}

static bool timer_is(const struct tcp_event *ev, long timer)
{
    return ev->u.timer.timer == timer;
}

static WINDOW *draw_view(const struct ui_view *view, struct run *r, int h, int w)
{
    WINDOW *win = newwin(h, w, 0, 0);
    ck_assert_ptr_nonnull(win);
    view->draw(&r->ui, win, h, w);
    dump(win, view->name);
    return win;
}

/* ============================================================== states == */

START_TEST(test_states_compact_handshake)
{
    struct vscreen v;
    struct run r;
    vscreen_open(&v);
    run_open(&r, "handshake.scn");
    run_at(&r, find_event(&r, CLIENT, EV_STATE, 1, state_to, TCP_SYN_SENT));
    /* Two rows a side at a small pane's width: the essential part first,
     * the trigger and the whole RFC section on the row below. */
    WINDOW *win = draw_view(&ui_view_states, &r, 4, 46);
    char row[ROW_MAX];
    row_text(win, 0, row, sizeof row);
    ck_assert_msg(strncmp(row, "client SYN_SENT <- CLOSED ", 26) == 0, "%s", row);
    row_text(win, 1, row, sizeof row);
    ck_assert_msg(strncmp(row, "  on app-connect (RFC 9293 3.10.1) ", 35) == 0, "%s", row);
    row_text(win, 2, row, sizeof row);
    ck_assert_msg(strncmp(row, "server LISTEN <- CLOSED ", 24) == 0, "%s", row);
    row_text(win, 3, row, sizeof row);
    ck_assert_msg(strncmp(row, "  on app-listen (RFC 9293 3.10.1) ", 34) == 0, "%s", row);
    /* The state is in reverse video. */
    ck_assert(mvwinch(win, 0, 7) & A_REVERSE);
    ck_assert(!(mvwinch(win, 0, 0) & A_REVERSE));
    delwin(win);

    /* Too narrow for the trigger on the second row: it wraps to a third,
     * the RFC section whole on a row of its own. */
    win = draw_view(&ui_view_states, &r, 6, 26);
    row_text(win, 1, row, sizeof row);
    ck_assert_msg(strncmp(row, "  on app-connect ", 17) == 0, "%s", row);
    row_text(win, 2, row, sizeof row);
    ck_assert_msg(strncmp(row, "  (RFC 9293 3.10.1) ", 20) == 0, "%s", row);
    delwin(win);

    /* Three rows a side: the path taken below the trigger. */
    win = draw_view(&ui_view_states, &r, 6, 60);
    row_text(win, 2, row, sizeof row);
    ck_assert_msg(strncmp(row, "  path: CLOSED > SYN_SENT ", 26) == 0, "%s", row);
    delwin(win);

    /* One row a side: the trigger follows on the same row when it fits,
     * and is left out whole (not cut) when it does not. */
    win = draw_view(&ui_view_states, &r, 2, 80);
    row_text(win, 0, row, sizeof row);
    ck_assert_msg(strncmp(row, "client SYN_SENT <- CLOSED on app-connect (RFC 9293 3.10.1) ", 59) == 0,
                  "%s", row);
    delwin(win);
    win = draw_view(&ui_view_states, &r, 2, 38);
    row_text(win, 0, row, sizeof row);
    ck_assert_msg(strcmp(row, "client SYN_SENT <- CLOSED             ") == 0, "[%s]", row);
    row_text(win, 1, row, sizeof row);
    ck_assert_msg(strcmp(row, "server LISTEN <- CLOSED on app-listen ") == 0, "[%s]", row);
    delwin(win);
    run_close(&r);
    vscreen_close(&v);
}
END_TEST

/* Row and column of the first ">NAME<" on the window, -1 if none. */
static int find_marked(WINDOW *win, const char *name, int from_row, int *col)
{
    char marked[40];
    snprintf(marked, sizeof marked, ">%s<", name);
    for (int y = from_row; y < getmaxy(win); y++) {
        char row[ROW_MAX * 4];
        row_text(win, y, row, sizeof row);
        char *p = strstr(row, marked);
        if (p) {
            *col = (int)(p - row);
            return y;
        }
    }
    return -1;
}

START_TEST(test_states_diagram_stacked_and_side_by_side)
{
    struct vscreen v;
    struct run r;
    vscreen_open(&v);
    run_open(&r, "handshake.scn");
    /* The client is ESTABLISHED, the server still SYN_RECEIVED. */
    run_at(&r, find_event(&r, CLIENT, EV_STATE, 1, state_to, TCP_ESTABLISHED));
    WINDOW *win = draw_view(&ui_view_states, &r, 40, 70);
    assert_has(win, "client 10.0.0.1:49152 -> 10.0.0.2:80  ESTABLISHED");
    assert_has(win, "last: SYN_SENT -> ESTABLISHED on rcv-syn-ack, RFC 9293 3.10.7.3");
    assert_has(win, "last: LISTEN -> SYN_RECEIVED on rcv-syn, RFC 9293 3.10.7.2");
    int col, y = find_marked(win, "ESTABLISHED", 0, &col);
    ck_assert_int_ge(y, 0);
    ck_assert(mvwinch(win, y, col + 1) & A_REVERSE);
    int server_top = find_row(win, "server ");
    ck_assert_int_gt(server_top, y);
    ck_assert_int_gt(find_marked(win, "SYN_RECEIVED", server_top, &col), server_top);
    /* Exactly one state is marked per machine. */
    int marks = 0;
    for (int k = 0; k < 40; k++) {
        char row[ROW_MAX];
        row_text(win, k, row, sizeof row);
        marks += count_char(row, '>') - (strstr(row, "-->") ? 1 : 0) -
                 (strstr(row, " -> ") ? 1 : 0);
    }
    ck_assert_int_eq(marks, 2);
    delwin(win);

    /* Wide and short: side by side, same content. */
    win = draw_view(&ui_view_states, &r, 17, 130);
    y = find_marked(win, "ESTABLISHED", 0, &col);
    ck_assert_int_ge(y, 0);
    ck_assert_int_lt(col, 65);
    y = find_marked(win, "SYN_RECEIVED", 0, &col);
    ck_assert_int_ge(y, 0);
    ck_assert_int_ge(col, 58);
    delwin(win);
    run_close(&r);
    vscreen_close(&v);
}
END_TEST

START_TEST(test_states_closed_after_time_wait)
{
    struct vscreen v;
    struct run r;
    vscreen_open(&v);
    run_open(&r, "close_4way.scn");
    size_t closed = find_event(&r, CLIENT, EV_STATE, 1, state_to, TCP_TIME_WAIT);
    run_at(&r, closed);
    WINDOW *win = draw_view(&ui_view_states, &r, 40, 60);
    int col, y = find_marked(win, "TIME_WAIT", 0, &col);
    ck_assert_int_ge(y, 0);
    delwin(win);
    /* After 2MSL the client's connection ends on the bottom CLOSED, below
     * TIME_WAIT, not on the top one. */
    run_at(&r, find_event(&r, CLIENT, EV_STATE, 1, state_to, TCP_CLOSED));
    win = draw_view(&ui_view_states, &r, 40, 60);
    int y2 = find_marked(win, "CLOSED", 0, &col);
    ck_assert_int_eq(y2, y);
    assert_has(win, "last: TIME_WAIT -> CLOSED on time-wait-done");
    delwin(win);
    run_close(&r);
    vscreen_close(&v);
}
END_TEST

/* ============================================================= windows == */

/* Cells of a bar row between its brackets. */
static void bar_of(const char *row, char *out, size_t len)
{
    const char *open = strchr(row, '[');
    const char *close = strrchr(row, ']');
    ck_assert_ptr_nonnull(open);
    ck_assert_ptr_nonnull(close);
    size_t n = (size_t)(close - open - 1);
    ck_assert_uint_lt(n, len);
    memcpy(out, open + 1, n);
    out[n] = '\0';
}

START_TEST(test_windows_fast_retransmit)
{
    struct vscreen v;
    struct run r;
    vscreen_open(&v);
    run_open(&r, "fast_retransmit.scn");
    /* Right after the fast retransmit of 3921: 2920 bytes acked, 11680 in
     * flight, cwnd 10220 below the flight: nothing usable.  The server
     * holds the 7 segments after the hole out of order. */
    run_at(&r, find_event(&r, CLIENT, EV_RETRANSMIT, 1, NULL, 0));
    WINDOW *win = draw_view(&ui_view_windows, &r, 20, 100);
    assert_has(win, "acked 2920  in flight 11680  usable 0  not yet allowed 0  (cwnd limits)");
    assert_has(win, "SND.UNA 3921 (ISS+2921)  SND.NXT 15601 (ISS+14601)  SND.WND 64076  "
                    "cwnd 10220  ISS 1000");
    assert_has(win, "RCV.NXT 3921 (IRS+2921)  RCV.WND 64076  unread 0  out of order 10220 "
                    "in 1 block  IRS 1000");
    /* Too long for one row of 100: a row per group, no unit cut. */
    assert_has(win, "send: # acked  = in flight  . usable  - not yet allowed ");
    assert_has(win, "recv: # read  = unread  o out of order  . free ");

    char row[ROW_MAX], bar[ROW_MAX];
    int y = find_row(win, "send [");
    ck_assert_int_ge(y, 0);
    row_text(win, y, row, sizeof row);
    bar_of(row, bar, sizeof bar);
    /* 2920 : 11680 bytes is 1 : 4, within a cell of rounding. */
    int acked = count_char(bar, '#'), flight = count_char(bar, '=');
    ck_assert_int_eq(acked + flight, (int)strlen(bar));
    ck_assert_int_le(abs(flight - 4 * acked), 4);
    /* The markers point at the boundaries. */
    row_text(win, y + 1, row, sizeof row);
    const char *caret = strchr(row, '^');
    ck_assert_ptr_nonnull(caret);
    ck_assert_int_eq((int)(caret - row), (int)strlen("send [") + acked);
    ck_assert_ptr_nonnull(strstr(row, "SND.UNA"));

    /* The server's receive bar: read, the window up to the hole, then the
     * out-of-order block. */
    y = find_row(win, "server ");
    ck_assert_int_ge(y, 0);
    row_text(win, y + 5, row, sizeof row);
    ck_assert_msg(strncmp(row, "recv [", 6) == 0, "%s", row);
    bar_of(row, bar, sizeof bar);
    ck_assert_ptr_nonnull(strstr(bar, "#."));
    ck_assert_ptr_nonnull(strstr(bar, ".o"));
    ck_assert_ptr_nonnull(strstr(bar, "o."));
    delwin(win);

    /* Unicode blocks when the terminal has them. */
    r.ui.utf8 = true;
    win = draw_view(&ui_view_windows, &r, 20, 100);
    assert_has(win, "send [\u2588");
    assert_has(win, "\u2593\u2593]");
    delwin(win);
    run_close(&r);
    vscreen_close(&v);
}
END_TEST

START_TEST(test_windows_small_forms)
{
    struct vscreen v;
    struct run r;
    vscreen_open(&v);
    run_open(&r, "fast_retransmit.scn");
    run_at(&r, find_event(&r, CLIENT, EV_RETRANSMIT, 1, NULL, 0));
    /* Four rows: a bar each way per side. */
    WINDOW *win = draw_view(&ui_view_windows, &r, 4, 80);
    char row[ROW_MAX];
    row_text(win, 0, row, sizeof row);
    ck_assert_msg(strncmp(row, "client snd [", 12) == 0, "%s", row);
    row_text(win, 3, row, sizeof row);
    ck_assert_msg(strncmp(row, "server rcv [", 12) == 0, "%s", row);
    delwin(win);
    /* Two rows: a summary per side. */
    win = draw_view(&ui_view_windows, &r, 2, 100);
    row_text(win, 0, row, sizeof row);
    ck_assert_msg(strncmp(row, "client snd una=ISS+2921 nxt=ISS+14601 wnd 64076 cwnd 10220 | "
                               "rcv nxt=IRS+1 wnd 65535 ooo 0 ", 88) == 0, "%s", row);
    delwin(win);
    /* The legend at a small pane's width: short wording, whole units. */
    win = draw_view(&ui_view_windows, &r, 6, 46);
    row_text(win, 0, row, sizeof row);
    ck_assert_msg(strcmp(row, "snd # acked  = flight  . usable  - not allowed") == 0 ||
                  strcmp(row, "snd \u2588 acked  \u2593 flight  \u2591 usable  \u00b7 not allowed") == 0,
                  "[%s]", row);
    row_text(win, 1, row, sizeof row);
    ck_assert_msg(strstr(row, "rcv ") == row && strstr(row, " free"), "[%s]", row);
    delwin(win);
    /* Wide enough: the long wording on one row. */
    win = draw_view(&ui_view_windows, &r, 5, 120);
    row_text(win, 0, row, sizeof row);
    ck_assert_msg(strstr(row, "not yet allowed  recv: ") && strstr(row, " free "), "[%s]", row);
    delwin(win);
    /* Before the handshake is through: the state, not numbers that read 0. */
    run_at(&r, find_event(&r, CLIENT, EV_STATE, 1, state_to, TCP_SYN_SENT));
    win = draw_view(&ui_view_windows, &r, 2, 100);
    row_text(win, 0, row, sizeof row);
    ck_assert_msg(strncmp(row, "client: SYN_SENT (no connection yet) ", 37) == 0, "%s", row);
    ck_assert_msg(!strstr(row, "una="), "%s", row);
    delwin(win);
    /* Before the connection: the client has none, the server listens. */
    run_at(&r, find_event(&r, SERVER, EV_STATE, 1, state_to, TCP_LISTEN));
    win = draw_view(&ui_view_windows, &r, 20, 80);
    assert_has(win, "client: no connection");
    assert_has(win, "server: listening: no windows until a connection");
    delwin(win);
    run_close(&r);
    vscreen_close(&v);
}
END_TEST

/* ================================================================ cwnd == */

START_TEST(test_cwnd_chart_fast_retransmit)
{
    struct vscreen v;
    struct run r;
    vscreen_open(&v);
    run_open(&r, "fast_retransmit.scn");
    size_t last = world_trace_len(r.w) - 1;
    run_at(&r, last);
    /* 12 rows: one chart, cwnd by default. */
    WINDOW *win = draw_view(&ui_view_cwnd, &r, 12, 100);
    assert_has(win, "client: cwnd * 2.0 MSS (2920 B)  ssthresh - 4.0 MSS  "
                    "congestion-avoidance  (MSS 1460 B)");
    /* The run idles from 0.287 s to its end at 2 s: the axis stops a
     * quarter of the active span after the last segment, and says where
     * the cursor is. */
    assert_has(win, "0.334 s > now 2.000 s");
    int axis = find_row(win, "+--");
    ck_assert_int_ge(axis, 0);
    char row[ROW_MAX];
    row_text(win, axis, row, sizeof row);
    ck_assert_int_eq(count_char(row, '!'), 1);
    ck_assert_int_eq(count_char(row, 'T'), 0);
    /* Phases in time order: slow start, fast recovery, then avoidance. */
    row_text(win, axis + 1, row, sizeof row);
    char *s = strchr(row, 's'), *f = strchr(row, 'f'), *a = strchr(row, 'a');
    ck_assert(s && f && a && s < f && f < a);
    /* The top of the chart is the peak cwnd: 16060 B = 11 MSS. */
    row_text(win, 1, row, sizeof row);
    ck_assert_msg(strncmp(row, "11|", 3) == 0, "%s", row);
    ck_assert_int_ge(count_char(row, '*'), 1);
    delwin(win);

    /* The same height with the toggle: the Stevens plot. */
    r.ui.plot_seq_time = true;
    win = draw_view(&ui_view_cwnd, &r, 12, 100);
    assert_has(win, "seq vs time of client (bytes from ISS 1000)");
    delwin(win);

    /* Tall: both, with the drop and the retransmission on the plot. */
    r.ui.plot_seq_time = false;
    win = draw_view(&ui_view_cwnd, &r, 30, 100);
    int top = find_row(win, "client: cwnd * ");
    int bottom = find_row(win, "seq vs time");
    ck_assert(top == 0 && bottom > top);
    int xs = 0, rs = 0, pluses = 0;
    for (int y = bottom + 1; y < 30; y++) {
        row_text(win, y, row, sizeof row);
        xs += count_char(row, 'x');
        rs += count_char(row, 'R');
        pluses += count_char(row, '+');
    }
    ck_assert_int_eq(xs, 1);
    ck_assert_int_eq(rs, 1);
    ck_assert_int_ge(pluses, 3);
    assert_has(win, "new data 14600 B, resent 1460 B");
    delwin(win);
    /* A small pane: the first line is a shorter wording that fits whole. */
    win = draw_view(&ui_view_cwnd, &r, 12, 46);
    row_text(win, 0, row, sizeof row);
    ck_assert_msg(strcmp(row, "client: cwnd * 2.0 MSS  ssthresh - 4.0 MSS    ") == 0, "[%s]", row);
    delwin(win);
    win = draw_view(&ui_view_cwnd, &r, 12, 30);
    row_text(win, 0, row, sizeof row);
    ck_assert_msg(strcmp(row, "cwnd * 2.0  ssthresh - 4.0    ") == 0, "[%s]", row);
    delwin(win);
    /* Before any congestion window, at a small pane's width. */
    run_at(&r, 0);
    win = draw_view(&ui_view_cwnd, &r, 12, 46);
    row_text(win, 0, row, sizeof row);
    ck_assert_msg(strstr(row, "no congestion window yet") && !strstr(row, "ssthresh - :"),
                  "[%s]", row);
    delwin(win);
    run_close(&r);
    vscreen_close(&v);
}
END_TEST

START_TEST(test_cwnd_follows_cursor)
{
    struct vscreen v;
    struct run r;
    vscreen_open(&v);
    run_open(&r, "fast_retransmit.scn");
    /* Before the loss: no '!' yet, and the chart ends in slow start. */
    run_at(&r, find_event(&r, CLIENT, EV_DUPACK, 2, NULL, 0));
    WINDOW *win = draw_view(&ui_view_cwnd, &r, 12, 100);
    assert_has(win, "client: cwnd * 11.0 MSS (16060 B)  ssthresh - inf  slow-start");
    int axis = find_row(win, "+--");
    char row[ROW_MAX];
    row_text(win, axis, row, sizeof row);
    ck_assert_int_eq(count_char(row, '!'), 0);
    row_text(win, axis + 1, row, sizeof row);
    ck_assert_ptr_null(strchr(row, 'f'));
    delwin(win);
    /* Too small for a chart: text. */
    win = draw_view(&ui_view_cwnd, &r, 2, 100);
    row_text(win, 0, row, sizeof row);
    ck_assert_msg(strncmp(row, "client: cwnd 11.0 MSS", 21) == 0, "%s", row);
    row_text(win, 1, row, sizeof row);
    ck_assert_msg(strncmp(row, "  losses: 0 fast retransmits, 0 RTOs", 36) == 0, "%s", row);
    delwin(win);
    run_close(&r);
    vscreen_close(&v);
}
END_TEST

/* ============================================================== timers == */

START_TEST(test_timers_countdown)
{
    struct vscreen v;
    struct run r;
    vscreen_open(&v);
    run_open(&r, "handshake.scn");
    /* The SYN's RTO was just armed: the whole second to run. */
    run_at(&r, find_event(&r, CLIENT, EV_TIMER_SET, 1, timer_is, TCP_TIMER_RTO));
    WINDOW *win = draw_view(&ui_view_timers, &r, 20, 100);
    assert_has(win, "client  SYN_SENT  at 0.100 s");
    assert_has(win, "  RTO            1.000 s left  [##########]  due 1.100 s  backoff 0");
    assert_has(win, "no RTT sample yet: RTO 1.000 s (RFC 6298 2.1)");
    delwin(win);
    /* 20 ms later the server armed its own; the client's counts down. */
    run_at(&r, find_event(&r, SERVER, EV_TIMER_SET, 1, timer_is, TCP_TIMER_RTO));
    win = draw_view(&ui_view_timers, &r, 20, 100);
    assert_has(win, "  RTO         980.000 ms left  [##########]  due 1.100 s");
    assert_has(win, "  RTO            1.000 s left  [##########]  due 1.120 s");
    delwin(win);
    /* Handshake over: no timer, the estimator has its first sample. */
    run_at(&r, find_event(&r, SERVER, EV_STATE, 1, state_to, TCP_ESTABLISHED));
    win = draw_view(&ui_view_timers, &r, 20, 100);
    assert_has(win, "no timer armed");
    assert_has(win, "SRTT 40.000 ms  RTTVAR 20.000 ms  RTO 200.000 ms (in force 200.000 ms)");
    assert_has(win, "last sample 40.000 ms at 0.140 s");
    delwin(win);
    /* Two rows: one line per side. */
    run_at(&r, find_event(&r, SERVER, EV_TIMER_SET, 1, timer_is, TCP_TIMER_RTO));
    win = draw_view(&ui_view_timers, &r, 2, 100);
    char row[ROW_MAX];
    row_text(win, 0, row, sizeof row);
    ck_assert_msg(strncmp(row, "client: RTO 980.000 ms left ", 28) == 0, "%s", row);
    delwin(win);
    run_close(&r);
    vscreen_close(&v);
}
END_TEST

static bool checkpoint_is(const struct tcp_event *ev, long index)
{
    return ev->u.check.index == index;
}

START_TEST(test_timers_partial_bar)
{
    struct vscreen v;
    struct run r;
    vscreen_open(&v);
    run_open(&r, "close_4way.scn");
    /* TIME_WAIT began at 1.52 s for 2 x MSL = 10 s; at the checkpoint at
     * 11 s, 0.52 s is left: one cell of ten. */
    run_at(&r, find_event(&r, CLIENT, EV_CHECKPOINT, 1, checkpoint_is, 6));
    WINDOW *win = draw_view(&ui_view_timers, &r, 20, 100);
    assert_has(win, "client  TIME_WAIT  at 11.000 s");
    assert_has(win, "  2MSL        520.000 ms left  [#.........]  due 11.520 s  2 x MSL = 10.000 s");
    /* The server's connection is gone: its listener is what is left. */
    assert_has(win, "server  LISTEN  at 11.000 s");
    delwin(win);
    /* Right after it was armed: all ten. */
    run_at(&r, find_event(&r, CLIENT, EV_TIMER_SET, 1, timer_is, TCP_TIMER_TIME_WAIT));
    win = draw_view(&ui_view_timers, &r, 20, 100);
    assert_has(win, "  2MSL          10.000 s left  [##########]  due 11.520 s");
    delwin(win);
    run_close(&r);
    vscreen_close(&v);
}
END_TEST

START_TEST(test_rto_backoff_timers_and_chart)
{
    struct vscreen v;
    struct run r;
    vscreen_open(&v);
    run_open(&r, "rto_backoff.scn");
    /* On the second timeout's EV_RETRANSMIT: the state shown is the one
     * after the whole step, so the RTO is already re-armed, doubled twice,
     * and its bar (from the EV_TIMER_SET later in the step) is full. */
    run_at(&r, find_event(&r, CLIENT, EV_RETRANSMIT, 2, NULL, 0));
    WINDOW *win = draw_view(&ui_view_timers, &r, 12, 100);
    assert_has(win, "  RTO         800.000 ms left  [##########]  due 1.600 s  backoff 2  "
                    "RTO in force 800.000 ms");
    delwin(win);
    /* At the end: four timeouts on the axis, each in its own column. */
    world_run(r.w);
    run_at(&r, world_trace_len(r.w) - 1);
    win = draw_view(&ui_view_cwnd, &r, 12, 100);
    assert_has(win, "ssthresh - 2.0 MSS  after-rto");
    char row[ROW_MAX];
    row_text(win, find_row(win, "+--"), row, sizeof row);
    ck_assert_int_eq(count_char(row, 'T'), 4);
    ck_assert_int_eq(count_char(row, '!'), 0);
    delwin(win);
    run_close(&r);
    vscreen_close(&v);
}
END_TEST

/* =========================================================== any size == */

#define SENTINEL 'Z'

/* Every cell of the view's window drawn, none outside it: the view is
 * drawn into a derived window inside a parent full of sentinels. */
static void check_fits(const struct ui_view *view, struct run *r, int h, int w)
{
    WINDOW *parent = newwin(h + 2, w + 2, 0, 0);
    ck_assert_ptr_nonnull(parent);
    for (int y = 0; y < h + 2; y++)
        for (int x = 0; x < w + 2; x++)
            mvwaddch(parent, y, x, SENTINEL);
    WINDOW *win = derwin(parent, h, w, 1, 1);
    ck_assert_ptr_nonnull(win);
    view->draw(&r->ui, win, h, w);
    /* One assertion per window: Check reports every assertion through a
     * pipe, which would dominate the run if done per cell. */
    int bad_y = -1, bad_x = -1;
    for (int y = 0; y < h + 2 && bad_y < 0; y++)
        for (int x = 0; x < w + 2 && bad_y < 0; x++) {
            bool inside = y >= 1 && y <= h && x >= 1 && x <= w;
            bool sentinel = (mvwinch(parent, y, x) & A_CHARTEXT) == SENTINEL;
            if (inside == sentinel) {
                bad_y = y;
                bad_x = x;
            }
        }
    ck_assert_msg(bad_y < 0, "%s %dx%d: cell %d,%d (1-based in the frame) %s", view->name, h,
                  w, bad_y, bad_x,
                  bad_y >= 1 && bad_y <= h && bad_x >= 1 && bad_x <= w ? "not drawn"
                                                                     : "written outside");
    delwin(win);
    delwin(parent);
}

static const struct ui_view *const all_views[] = {
    &ui_view_states, &ui_view_windows, &ui_view_cwnd, &ui_view_timers,
};

/* Heights on both sides of each place a view changes form (7, 14, 17/18,
 * 35 rows), tiny ones, and a tall one; widths tiny, around the thresholds
 * (56, 114) and wide.  Kept to what matters: under AddressSanitizer every
 * size costs a full draw of four views. */
static void check_all_sizes(struct run *r)
{
    static const int heights[] = { 1, 2, 3, 4, 5, 7, 9, 10, 14, 17, 18, 19, 35, 44 };
    static const int widths[] = { 1, 2, 5, 34, 55, 56, 80, 114, 197 };
    for (size_t v = 0; v < sizeof all_views / sizeof all_views[0]; v++)
        for (size_t i = 0; i < sizeof heights / sizeof heights[0]; i++)
            for (size_t k = 0; k < sizeof widths / sizeof widths[0]; k++)
                check_fits(all_views[v], r, heights[i], widths[k]);
}

START_TEST(test_every_size_fills_its_cells)
{
    static const char *const files[] = { "fast_retransmit.scn", "close_4way.scn" };
    struct vscreen v;
    vscreen_open(&v);
    for (size_t f = 0; f < sizeof files / sizeof files[0]; f++) {
        struct run r;
        run_open(&r, files[f]);
        size_t len = world_trace_len(r.w);
        size_t cursors[] = { 0, len / 3, len - 1 };
        for (size_t c = 0; c < sizeof cursors / sizeof cursors[0]; c++) {
            run_at(&r, cursors[c]);
            r.ui.utf8 = false;
            check_all_sizes(&r);
        }
        /* Unicode glyphs are one column each, like their ASCII forms. */
        r.ui.utf8 = true;
        check_all_sizes(&r);
        run_close(&r);
    }
    vscreen_close(&v);
}
END_TEST

static Suite *views2_suite(void)
{
    Suite *s = suite_create("views2");
    TCase *tc = tcase_create("views");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_states_compact_handshake);
    tcase_add_test(tc, test_states_diagram_stacked_and_side_by_side);
    tcase_add_test(tc, test_states_closed_after_time_wait);
    tcase_add_test(tc, test_windows_fast_retransmit);
    tcase_add_test(tc, test_windows_small_forms);
    tcase_add_test(tc, test_cwnd_chart_fast_retransmit);
    tcase_add_test(tc, test_cwnd_follows_cursor);
    tcase_add_test(tc, test_timers_countdown);
    tcase_add_test(tc, test_timers_partial_bar);
    tcase_add_test(tc, test_rto_backoff_timers_and_chart);
    tcase_add_test(tc, test_every_size_fills_its_cells);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return check_main_run(views2_suite());
}
