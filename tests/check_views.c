/* The ladder, inspector, log and narration views, and the trace index
 * they share.
 *
 * The index is tested without curses, against whole runs: what it says of
 * each packet must match the trace, whether it was built at once, event
 * by event, across a seek back, or after the trace was rewritten.  The
 * views draw into a window of a virtual screen (newterm on /dev/null, a
 * fixed size) and the rows are read back with mvwinnwstr. */
#define _XOPEN_SOURCE_EXTENDED 1
#include <check.h>
#include <curses.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "check_main.h"
#include "lesson/scenario_parse.h"
#include "sim/world.h"
#include "tcp/segment.h"
#include "ui/draw.h"
#include "ui/trace_index.h"
#include "ui/ui.h"

#define SCN_DIR "tests/scenarios/"

/* ------------------------------------------------------------------ */
/* Worlds */

struct run {
    struct scenario scn;
    struct world *w;
};

static const char *srcdir(void)
{
    const char *d = getenv("top_srcdir");
    return d && *d ? d : ".";
}

static void run_open_file(struct run *r, const char *name)
{
    char path[512], err[256];
    snprintf(path, sizeof path, "%s/" SCN_DIR "%s", srcdir(), name);
    memset(r, 0, sizeof *r);
    ck_assert_msg(scenario_parse_file(path, &r->scn, err, sizeof err) == 0, "%s", err);
    r->w = world_new(&r->scn, r->scn.seed);
    ck_assert_ptr_nonnull(r->w);
}

static void run_open_text(struct run *r, const char *text)
{
    char err[256];
    memset(r, 0, sizeof *r);
    ck_assert_msg(scenario_parse_string("test.scn", text, &r->scn, err, sizeof err) == 0, "%s",
                  err);
    r->w = world_new(&r->scn, 1);
    ck_assert_ptr_nonnull(r->w);
}

static void run_close(struct run *r)
{
    world_free(r->w);
    scenario_free(&r->scn);
}

/* The first trace index at or after `from` where pred holds; fails the
 * test if there is none. */
static size_t find_event(const struct world *w, size_t from, int kind, int endpoint,
                         uint8_t flags_set)
{
    const struct trace_entry *tr = world_trace(w);
    for (size_t i = from; i < world_trace_len(w); i++) {
        const struct tcp_event *ev = &tr[i].ev;
        if (ev->kind != kind || (endpoint >= 0 && ev->endpoint != endpoint))
            continue;
        if (flags_set && (ev->kind == EV_SEG_OUT || ev->kind == EV_SEG_IN) &&
            (ev->u.seg.flags & flags_set) != flags_set)
            continue;
        return i;
    }
    ck_abort_msg("no event of kind %d from %zu", kind, from);
    return 0;
}

/* The handshake with a long wire and a note halfway through the SYN's
 * trip: the cursor can stop there. */
static const char *const halfway_scn =
    "host client 10.0.0.1 isn=1000 msl=5s\n"
    "host server 10.0.0.2 isn=5000 msl=5s\n"
    "link client<->server delay=100ms\n"
    "duration 2s\n"
    "at 0s server listen 80\n"
    "at 100ms client connect server:80 port=49152\n"
    "at 150ms note \"halfway\"\n";

/* ------------------------------------------------------------------ */
/* The trace index */

START_TEST(index_handshake_loss_and_retransmissions)
{
    struct run r;
    run_open_file(&r, "synack_lost.scn");
    world_run(r.w);
    struct trace_index *ti = trace_index_new();
    ck_assert(trace_index_sync(ti, r.w));
    ck_assert_uint_eq(trace_index_events(ti), world_trace_len(r.w));
    size_t end = world_trace_len(r.w) - 1;

    /* SYN, SYN-ACK (lost), SYN again, SYN-ACK again twice, ACK, ACK. */
    ck_assert_uint_ge(trace_index_count(ti), 5);
    const struct ti_seg *syn = trace_index_seg(ti, 0);
    ck_assert_int_eq(syn->from, 0);
    ck_assert_int_eq(syn->to, 1);
    ck_assert_uint_eq(syn->seg.flags, TCP_SYN);
    ck_assert_uint_eq(syn->seg.seq, 1000);
    ck_assert_uint_eq(syn->t_out, 100000);
    ck_assert_uint_eq(syn->retx_index, TI_NONE);
    struct ti_fate_at f = trace_index_fate(syn, end);
    ck_assert_int_eq(f.fate, TI_ARRIVED);
    ck_assert_uint_eq(f.t, 120000);

    const struct ti_seg *synack = trace_index_seg(ti, 1);
    ck_assert_int_eq(synack->from, 1);
    ck_assert_uint_eq(synack->seg.flags, TCP_SYN | TCP_ACK);
    f = trace_index_fate(synack, end);
    ck_assert_int_eq(f.fate, TI_DROPPED);
    ck_assert_uint_eq(f.drop, DROP_FAULT);
    ck_assert(f.on_wire);
    /* Before the drop event the same packet was still in flight. */
    ck_assert_int_eq(trace_index_fate(synack, synack->out_index).fate, TI_IN_FLIGHT);
    ck_assert_int_eq(trace_index_fate(synack, synack->out_index - 1).fate, TI_UNSENT);

    const struct ti_seg *again = trace_index_seg(ti, 2);
    ck_assert_uint_eq(again->seg.flags, TCP_SYN);
    ck_assert_uint_ne(again->retx_index, TI_NONE);
    ck_assert_uint_eq(again->retx_cause, RETX_RTO);
    ck_assert_uint_eq(again->retx_attempt, 1);
    ck_assert_uint_eq(again->t_out, 1100000);

    /* The retransmitted SYN reaches a server in SYN_RECEIVED, which is not
     * a drop: the server answers it with its SYN-ACK again ("dup-syn"). */
    f = trace_index_fate(again, end);
    ck_assert_int_eq(f.fate, TI_ARRIVED);
    ck_assert_int_eq(trace_index_fate(again, again->in_index).fate, TI_ARRIVED);
    const struct ti_seg *answer = trace_index_seg(ti, 4); /* after the server's own RTO copy */
    ck_assert_uint_eq(answer->seg.flags, TCP_SYN | TCP_ACK);
    ck_assert_uint_ne(answer->retx_index, TI_NONE);
    ck_assert_uint_eq(answer->retx_cause, RETX_DUP_SYN);

    /* Packet ids find their segments; counts up to a cursor follow the
     * send events. */
    ck_assert_int_eq(trace_index_find(ti, synack->packet), 1);
    ck_assert_int_eq(trace_index_find(ti, 99999), -1);
    ck_assert_uint_eq(trace_index_count_upto(ti, syn->out_index - 1), 0);
    ck_assert_uint_eq(trace_index_count_upto(ti, syn->out_index), 1);
    ck_assert_uint_eq(trace_index_count_upto(ti, end), trace_index_count(ti));
    ck_assert_uint_eq(trace_index_talk(ti, 0, 1), trace_index_count(ti));
    trace_index_free(ti);
    run_close(&r);
}
END_TEST

/* Everything the index says of every segment, at a cursor. */
static void assert_same_index(const struct trace_index *a, const struct trace_index *b,
                              size_t cursor)
{
    ck_assert_uint_eq(trace_index_count_upto(a, cursor), trace_index_count_upto(b, cursor));
    for (size_t k = 0; k < trace_index_count_upto(a, cursor); k++) {
        const struct ti_seg *x = trace_index_seg(a, k), *y = trace_index_seg(b, k);
        ck_assert_uint_eq(x->packet, y->packet);
        ck_assert_uint_eq(x->out_index, y->out_index);
        ck_assert_uint_eq(x->retx_index, y->retx_index);
        struct ti_fate_at fx = trace_index_fate(x, cursor), fy = trace_index_fate(y, cursor);
        ck_assert_int_eq(fx.fate, fy.fate);
        ck_assert_uint_eq(fx.t, fy.t);
        ck_assert_uint_eq(fx.drop, fy.drop);
    }
}

START_TEST(index_incremental_equals_whole)
{
    struct run r;
    run_open_file(&r, "fast_retransmit.scn");
    struct trace_index *inc = trace_index_new();
    while (world_step(r.w))
        ck_assert(trace_index_sync(inc, r.w));
    struct trace_index *whole = trace_index_new();
    ck_assert(trace_index_sync(whole, r.w));
    size_t end = world_trace_len(r.w) - 1;
    ck_assert_uint_gt(trace_index_count(whole), 20);
    assert_same_index(inc, whole, end);
    assert_same_index(inc, whole, end / 2);

    /* A fast retransmission is marked with its cause. */
    bool fast = false;
    for (size_t k = 0; k < trace_index_count(whole); k++)
        fast = fast || (trace_index_seg(whole, k)->retx_index != TI_NONE &&
                         trace_index_seg(whole, k)->retx_cause == RETX_FAST);
    ck_assert(fast);
    trace_index_free(inc);
    trace_index_free(whole);
    run_close(&r);
}
END_TEST

START_TEST(index_survives_seek_back)
{
    struct run r;
    run_open_file(&r, "fast_retransmit.scn");
    world_run(r.w);
    size_t len = world_trace_len(r.w);
    struct trace_index *ti = trace_index_new();
    ck_assert(trace_index_sync(ti, r.w));
    size_t segs = trace_index_count(ti);
    /* Seeking back cuts the world's trace; the index keeps what it knows
     * (the replay makes the same events again). */
    ck_assert(world_seek(r.w, len / 3));
    ck_assert_uint_lt(world_trace_len(r.w), len);
    ck_assert(trace_index_sync(ti, r.w));
    ck_assert_uint_eq(trace_index_count(ti), segs);
    ck_assert_uint_eq(trace_index_events(ti), len);
    ck_assert(world_seek(r.w, len - 1));
    ck_assert(trace_index_sync(ti, r.w));
    struct trace_index *fresh = trace_index_new();
    ck_assert(trace_index_sync(fresh, r.w));
    assert_same_index(ti, fresh, len - 1);
    trace_index_free(fresh);
    trace_index_free(ti);
    run_close(&r);
}
END_TEST

START_TEST(index_truncate_then_resync)
{
    struct run r;
    run_open_file(&r, "synack_lost.scn");
    world_run(r.w);
    size_t end = world_trace_len(r.w) - 1;
    struct trace_index *ti = trace_index_new();
    ck_assert(trace_index_sync(ti, r.w));
    const struct ti_seg *syn = trace_index_seg(ti, 0);
    size_t cut = syn->in_index; /* forget the SYN's arrival and all after */
    trace_index_truncate(ti, cut);
    ck_assert_uint_eq(trace_index_events(ti), cut);
    ck_assert_uint_eq(trace_index_count(ti), 1);
    ck_assert_uint_eq(trace_index_seg(ti, 0)->in_index, TI_NONE);
    ck_assert_int_eq(trace_index_fate(trace_index_seg(ti, 0), end).fate, TI_IN_FLIGHT);
    ck_assert(trace_index_sync(ti, r.w));
    struct trace_index *fresh = trace_index_new();
    ck_assert(trace_index_sync(fresh, r.w));
    assert_same_index(ti, fresh, end);
    trace_index_free(fresh);
    trace_index_free(ti);
    run_close(&r);
}
END_TEST

/* A trace rewritten from some point on (as a fork does) is noticed and
 * undone: here the index first reads one run, then a different run whose
 * first events are the same. */
START_TEST(index_notices_rewritten_trace)
{
    struct run a, b;
    run_open_file(&a, "synack_lost.scn");
    run_open_file(&b, "handshake.scn");
    world_run(a.w);
    world_run(b.w);
    struct trace_index *ti = trace_index_new();
    ck_assert(trace_index_sync(ti, a.w));
    ck_assert(trace_index_sync(ti, b.w));
    struct trace_index *fresh = trace_index_new();
    ck_assert(trace_index_sync(fresh, b.w));
    size_t end = world_trace_len(b.w) - 1;
    ck_assert_uint_eq(trace_index_count_upto(ti, end), trace_index_count(fresh));
    assert_same_index(ti, fresh, end);
    /* In this run the SYN-ACK arrives. */
    ck_assert_int_eq(trace_index_fate(trace_index_seg(ti, 1), end).fate, TI_ARRIVED);
    trace_index_free(fresh);
    trace_index_free(ti);
    run_close(&a);
    run_close(&b);
}
END_TEST

START_TEST(index_progress_in_flight)
{
    struct run r;
    run_open_text(&r, halfway_scn);
    world_run(r.w);
    struct trace_index *ti = trace_index_new();
    ck_assert(trace_index_sync(ti, r.w));
    size_t note = find_event(r.w, 0, EV_NOTE, -1, 0);
    const struct ti_seg *syn = trace_index_seg(ti, 0);
    ck_assert_int_eq(trace_index_fate(syn, note).fate, TI_IN_FLIGHT);
    ck_assert_uint_eq(trace_index_progress(syn, &r.scn, 150000), 500);
    ck_assert_uint_eq(trace_index_progress(syn, &r.scn, 100000), 0);
    ck_assert_uint_eq(trace_index_progress(syn, &r.scn, 300000), 1000);
    ck_assert_uint_eq(trace_index_arrival(syn, &r.scn), 200000);
    trace_index_free(ti);
    run_close(&r);
}
END_TEST

/* Runs a handshake whose first SYN is corrupted on the wire and returns
 * the trace index of the server's checksum drop of it. */
static size_t run_with_corrupted_syn(struct run *r)
{
    run_open_text(r, "host client 10.0.0.1 isn=1000 msl=5s\n"
                     "host server 10.0.0.2 isn=5000 msl=5s\n"
                     "link client<->server delay=20ms\n"
                     "duration 3s\n"
                     "fault corrupt from=client flags=SYN nth=1\n"
                     "at 0s server listen 80\n"
                     "at 100ms client connect server:80 port=49152\n");
    world_run(r->w);
    return find_event(r->w, 0, EV_SEG_DROP, 1, 0);
}

/* A corrupted copy arrives under its own packet id: the index ties it to
 * the original and reports the checksum drop as that segment's fate. */
START_TEST(index_corrupted_copy)
{
    struct run r;
    size_t drop = run_with_corrupted_syn(&r);
    struct trace_index *ti = trace_index_new();
    ck_assert(trace_index_sync(ti, r.w));
    ck_assert_uint_eq(world_trace(r.w)[drop].ev.u.seg.drop, DROP_CHECKSUM);
    uint32_t copy = world_trace(r.w)[drop].ev.u.seg.packet;
    const struct ti_seg *syn = trace_index_seg(ti, 0);
    ck_assert_uint_ne(copy, syn->packet);
    ck_assert_int_eq(trace_index_find(ti, copy), 0);
    struct ti_fate_at f = trace_index_fate(syn, drop);
    ck_assert_int_eq(f.fate, TI_DROPPED);
    ck_assert_uint_eq(f.drop, DROP_CHECKSUM);
    ck_assert(f.corrupted);
    ck_assert(!f.on_wire);
    trace_index_free(ti);
    run_close(&r);
}
END_TEST

/* ------------------------------------------------------------------ */
/* The virtual screen */

struct screen {
    SCREEN *sp;
    FILE *out, *in;
    WINDOW *win;
    int h, w;
};

static void screen_open(struct screen *s, int h, int w)
{
    char lines[16], cols[16];
    snprintf(lines, sizeof lines, "%d", h + 2);
    snprintf(cols, sizeof cols, "%d", w + 2);
    setenv("LINES", lines, 1);
    setenv("COLUMNS", cols, 1);
    if (!getenv("TERM"))
        setenv("TERM", "xterm", 1);
    ck_assert_ptr_nonnull(setlocale(LC_ALL, "C.UTF-8"));
    use_env(TRUE);
    s->out = fopen("/dev/null", "w");
    s->in = fopen("/dev/null", "r");
    s->sp = newterm(NULL, s->out, s->in);
    ck_assert_ptr_nonnull(s->sp);
    s->h = h;
    s->w = w;
    /* A window inside the screen, as the layout would give a view. */
    s->win = newwin(h, w, 1, 1);
    ck_assert_ptr_nonnull(s->win);
    /* Something to overwrite: a view must draw every cell it owns. */
    for (int y = 0; y < h; y++)
        mvwhline(s->win, y, 0, '#', w);
}

static void screen_close(struct screen *s)
{
    delwin(s->win);
    endwin();
    delscreen(s->sp);
    fclose(s->out);
    fclose(s->in);
}

/* Row y of the window as UTF-8. */
static void screen_row(const struct screen *s, int y, char *out, size_t n)
{
    wchar_t wbuf[512];
    int got = mvwinnwstr(s->win, y, 0, wbuf, s->w < 511 ? s->w : 511);
    if (got < 0)
        got = 0;
    wbuf[got] = L'\0';
    size_t k = wcstombs(out, wbuf, n);
    if (k == (size_t)-1)
        out[0] = '\0';
    else if (k == n)
        out[n - 1] = '\0';
}

/* The first row containing needle, -1 if none. */
static int screen_find(const struct screen *s, const char *needle)
{
    char row[2048];
    for (int y = 0; y < s->h; y++) {
        screen_row(s, y, row, sizeof row);
        if (strstr(row, needle))
            return y;
    }
    return -1;
}

static bool screen_has_hash(const struct screen *s)
{
    return screen_find(s, "#") >= 0;
}

static void ui_init(struct ui *ui, struct run *r, size_t cursor)
{
    memset(ui, 0, sizeof *ui);
    ui->world = r->w;
    ui->scn = &r->scn;
    ui->utf8 = true;
    ui->selected_packet = -1;
    ui->cursor = cursor;
    ck_assert(world_seek(r->w, cursor));
}

/* The column of the first occurrence of the wide character c in row y. */
static int column_of(const struct screen *s, int y, wchar_t c)
{
    wchar_t wbuf[512];
    int got = mvwinnwstr(s->win, y, 0, wbuf, s->w < 511 ? s->w : 511);
    for (int x = 0; x < got; x++)
        if (wbuf[x] == c)
            return x;
    return -1;
}

/* ------------------------------------------------------------------ */
/* Ladder */

START_TEST(ladder_segment_in_flight_moves)
{
    struct run r;
    run_open_text(&r, halfway_scn);
    world_run(r.w);
    /* Seeking cuts the trace: find the events first. */
    size_t out = find_event(r.w, 0, EV_SEG_OUT, 0, TCP_SYN);
    size_t note = find_event(r.w, 0, EV_NOTE, -1, 0);
    size_t in = find_event(r.w, 0, EV_SEG_IN, 1, TCP_SYN);
    struct screen s;
    screen_open(&s, 10, 78);
    struct ui ui;
    ui_init(&ui, &r, out);
    ui_view_ladder.draw(&ui, s.win, s.h, s.w);
    ck_assert(!screen_has_hash(&s));
    char row[1024];
    screen_row(&s, 0, row, sizeof row);
    ck_assert_msg(strstr(row, "client 10.0.0.1:49152") && strstr(row, "server 10.0.0.2:80"), "%s",
                  row);
    screen_row(&s, 1, row, sizeof row);
    ck_assert_msg(strstr(row, "SYN_SENT") && strstr(row, "LISTEN"), "%s", row);
    int y = screen_find(&s, "S seq 1000 win 65535 <mss 1460>");
    ck_assert_int_eq(y, 2);
    int head_at_send = column_of(&s, y, L'▶');
    ck_assert_int_gt(head_at_send, 0);

    /* Halfway through its trip the head has moved towards the server,
     * and is not there yet. */
    ui_init(&ui, &r, note);
    ui_view_ladder.draw(&ui, s.win, s.h, s.w);
    int head_halfway = column_of(&s, y, L'▶');
    ck_assert_int_gt(head_halfway, head_at_send);
    ck_assert_int_lt(head_halfway, s.w - 2);

    /* Arrived: the head touches the server's line. */
    ui_init(&ui, &r, in);
    ui_view_ladder.draw(&ui, s.win, s.h, s.w);
    ck_assert_int_eq(column_of(&s, y, L'▶'), s.w - 2);
    screen_row(&s, 1, row, sizeof row);
    ck_assert_msg(strstr(row, "SYN_RECEIVED"), "%s", row);
    screen_close(&s);
    run_close(&r);
}
END_TEST

START_TEST(ladder_drop_and_retransmission)
{
    struct run r;
    run_open_file(&r, "synack_lost.scn");
    world_run(r.w);
    size_t end = world_trace_len(r.w) - 1;
    struct screen s;
    screen_open(&s, 12, 100);
    struct ui ui;
    ui_init(&ui, &r, end);
    ui_view_ladder.draw(&ui, s.win, s.h, s.w);
    ck_assert(!screen_has_hash(&s));
    char row[1024];
    int drop = screen_find(&s, "S. seq 5000 ack 1001");
    ck_assert_int_ge(drop, 0);
    screen_row(&s, drop, row, sizeof row);
    /* Right to left: the reason reads before the x, away from the label. */
    ck_assert_msg(strstr(row, "fault ✗─"), "%s", row);
    /* The label sits next to the server (the sender), on the right. */
    ck_assert_int_gt((int)(strstr(row, "S. seq") - row), (int)(strstr(row, "✗") - row));
    int rtx = screen_find(&s, "(retransmission, RTO)");
    ck_assert_int_gt(rtx, drop);
    screen_row(&s, rtx, row, sizeof row);
    ck_assert_msg(strstr(row, "S seq 1000"), "%s", row);
    ck_assert_int_ge(screen_find(&s, "(retransmission, dup SYN)"), 0);
    ck_assert_int_lt(screen_find(&s, "out-of-window ✗"), 0);
    /* Both ESTABLISHED in the header. */
    screen_row(&s, 1, row, sizeof row);
    ck_assert_ptr_nonnull(strstr(row, "ESTABLISHED"));
    ck_assert_ptr_ne(strstr(row, "ESTABLISHED"), strstr(row + 20, "ESTABLISHED"));
    screen_close(&s);
    run_close(&r);
}
END_TEST

START_TEST(ladder_ascii_and_selection)
{
    struct run r;
    run_open_file(&r, "handshake.scn");
    world_run(r.w);
    size_t end = world_trace_len(r.w) - 1;
    struct screen s;
    screen_open(&s, 8, 80);
    struct ui ui;
    ui_init(&ui, &r, end);
    ui.utf8 = false;
    /* j/k: from nothing to the newest, then back one. */
    int64_t newest = ladder_select_next(&ui, -1, 1);
    ck_assert_int_ge(newest, 0);
    int64_t before = ladder_select_next(&ui, newest, -1);
    ck_assert_int_ne(before, newest);
    ck_assert_int_eq(ladder_select_next(&ui, before, 1), newest);
    ui.selected_packet = before;
    ui_view_ladder.draw(&ui, s.win, s.h, s.w);
    char row[1024];
    int sel = screen_find(&s, "S. seq 5000");
    ck_assert_int_ge(sel, 0);
    screen_row(&s, sel, row, sizeof row);
    ck_assert_msg(row[0] == '>', "%s", row);
    ck_assert_msg(strstr(row, "<-"), "%s", row);
    ck_assert_msg(!strstr(row, "◀") && !strstr(row, "─"), "%s", row);
    /* Reverse video on the selected row. */
    chtype ch = mvwinch(s.win, sel, 5);
    ck_assert(ch & A_REVERSE);
    /* The SYN goes left to right. */
    int syn = screen_find(&s, "S seq 1000");
    screen_row(&s, syn, row, sizeof row);
    ck_assert_msg(strstr(row, "->|"), "%s", row);
    ck_assert(row[0] != '>');
    /* Mouse hits find the same rows. */
    ck_assert_int_eq(ladder_packet_at(&ui, s.h, s.w, sel), before);
    ck_assert_int_eq(ladder_packet_at(&ui, s.h, s.w, 0), -1);
    screen_close(&s);
    run_close(&r);
}
END_TEST

/* A long run: the cursor's row stays on screen, and every size down to
 * 1x1 draws without leaving a cell untouched. */
START_TEST(ladder_scrolls_and_fits_any_size)
{
    struct run r;
    run_open_file(&r, "fast_retransmit.scn");
    world_run(r.w);
    size_t end = world_trace_len(r.w) - 1;
    struct screen s;
    screen_open(&s, 10, 80);
    struct ui ui;
    ui_init(&ui, &r, end);
    ui_view_ladder.draw(&ui, s.win, s.h, s.w);
    /* The last segment sent is on the bottom row. */
    const struct trace_entry *tr = world_trace(r.w);
    size_t last = end;
    while (tr[last].ev.kind != EV_SEG_OUT)
        last--;
    ck_assert_int_eq(ladder_packet_at(&ui, s.h, s.w, s.h - 1), (int64_t)tr[last].ev.u.seg.packet);
    /* Scrolled back by 3 rows: what was 3 rows above the bottom is on
     * the bottom row. */
    int64_t bottom = ladder_packet_at(&ui, s.h, s.w, s.h - 1);
    int64_t third = ladder_packet_at(&ui, s.h, s.w, s.h - 4);
    ui.ladder_scroll = 3;
    ck_assert_int_ne(ladder_packet_at(&ui, s.h, s.w, s.h - 1), bottom);
    ck_assert_int_eq(ladder_packet_at(&ui, s.h, s.w, s.h - 1), third);
    ui.ladder_scroll = 0;
    screen_close(&s);

    static const int sizes[][2] = { { 1, 1 }, { 1, 10 }, { 2, 5 }, { 3, 20 }, { 5, 30 },
                                    { 24, 80 }, { 40, 200 } };
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        screen_open(&s, sizes[i][0], sizes[i][1]);
        ui_view_ladder.draw(&ui, s.win, s.h, s.w);
        ck_assert_msg(!screen_has_hash(&s), "%dx%d", s.h, s.w);
        screen_close(&s);
    }
    run_close(&r);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Inspector, log, narration */

START_TEST(inspector_fields_and_hex)
{
    struct run r;
    run_open_file(&r, "handshake.scn");
    world_run(r.w);
    struct screen s;
    screen_open(&s, 40, 78);
    struct ui ui;
    ui_init(&ui, &r, world_trace_len(r.w) - 1);
    size_t out = find_event(r.w, 0, EV_SEG_OUT, 0, TCP_SYN);
    ui.selected_packet = world_trace(r.w)[out].ev.u.seg.packet;
    ui_view_inspector.draw(&ui, s.win, s.h, s.w);
    ck_assert(!screen_has_hash(&s));
    ck_assert_int_ge(screen_find(&s, "version 4  IHL 5 (20 bytes)"), 0);
    ck_assert_int_ge(screen_find(&s, "flags DF"), 0);
    ck_assert_int_ge(screen_find(&s, "protocol 6 (TCP)"), 0);
    ck_assert_int_ge(screen_find(&s, "src 10.0.0.1  dst 10.0.0.2"), 0);
    ck_assert_int_ge(screen_find(&s, "src port 49152  dst port 80"), 0);
    ck_assert_int_ge(screen_find(&s, "seq 1000"), 0);
    ck_assert_int_ge(screen_find(&s, "flags SYN [S]"), 0);
    ck_assert_int_ge(screen_find(&s, "mss 1460"), 0);
    ck_assert_int_ge(screen_find(&s, "arrived 0.120000 s"), 0);
    int ipsum = screen_find(&s, "header checksum");
    int tcpsum = screen_find(&s, "  checksum 0x");
    char row[1024];
    screen_row(&s, ipsum, row, sizeof row);
    ck_assert_msg(strstr(row, "good"), "%s", row);
    screen_row(&s, tcpsum, row, sizeof row);
    ck_assert_msg(strstr(row, "good"), "%s", row);
    /* The hex dump starts with the IPv4 version/IHL byte. */
    int hex = screen_find(&s, "0000  45 00");
    ck_assert_int_ge(hex, 0);
    screen_close(&s);
    /* In a short window, scrolling moves the first line off the top, and
     * the last row says how much is left. */
    screen_open(&s, 8, 78);
    ui.inspector_scroll = 2;
    ui_view_inspector.draw(&ui, s.win, s.h, s.w);
    ck_assert_int_eq(screen_find(&s, "packet "), -1);
    ck_assert_int_eq(screen_find(&s, "IPv4"), 0);
    ck_assert_int_eq(screen_find(&s, "more lines"), s.h - 1);
    /* Scrolled past the end, it stops at the last line. */
    ui.inspector_scroll = 1000;
    ui_view_inspector.draw(&ui, s.win, s.h, s.w);
    ck_assert_int_eq(screen_find(&s, "more lines"), -1);
    ck_assert_int_ge(screen_find(&s, "0020 "), 0);
    screen_close(&s);
    run_close(&r);
}
END_TEST

START_TEST(inspector_bad_checksum)
{
    struct run r;
    size_t drop = run_with_corrupted_syn(&r);
    struct screen s;
    screen_open(&s, 30, 78);
    struct ui ui;
    ui_init(&ui, &r, drop);
    /* The corrupted copy itself, as the receiver got it. */
    ui.selected_packet = world_trace(r.w)[drop].ev.u.seg.packet;
    ui_view_inspector.draw(&ui, s.win, s.h, s.w);
    ck_assert_int_ge(screen_find(&s, "BAD"), 0);
    ck_assert_int_ge(screen_find(&s, "checksum (a corrupted copy)"), 0);
    screen_close(&s);
    run_close(&r);
}
END_TEST

START_TEST(inspector_nothing_selected)
{
    struct run r;
    run_open_file(&r, "handshake.scn");
    world_run(r.w);
    struct screen s;
    screen_open(&s, 5, 70);
    struct ui ui;
    ui_init(&ui, &r, 0);
    ui_view_inspector.draw(&ui, s.win, s.h, s.w);
    ck_assert(!screen_has_hash(&s));
    ck_assert_int_eq(screen_find(&s, "No segment selected"), 0);
    screen_close(&s);
    run_close(&r);
}
END_TEST

START_TEST(log_shows_up_to_cursor)
{
    struct run r;
    run_open_file(&r, "synack_lost.scn");
    world_run(r.w);
    size_t drop = find_event(r.w, 0, EV_SEG_DROP, 1, 0);
    struct screen s;
    screen_open(&s, 6, 160);
    struct ui ui;
    ui_init(&ui, &r, drop);
    ui_view_log.draw(&ui, s.win, s.h, s.w);
    ck_assert(!screen_has_hash(&s));
    char row[1024];
    screen_row(&s, s.h - 1, row, sizeof row);
    ck_assert_msg(row[0] == '>' && strstr(row, "dropped (fault)") && strstr(row, "0.120000"),
                  "%s", row);
    screen_row(&s, s.h - 2, row, sizeof row);
    ck_assert_msg(row[0] == ' ' && strstr(row, "Flags [S.]"), "%s", row);
    ck_assert_int_eq(screen_find(&s, "timer rto fired"), -1); /* the future */
    ck_assert(mvwinch(s.win, s.h - 1, 30) & A_REVERSE);
    /* Scrolled back one line: the cursor's line is below the window. */
    ui.log_scroll = 1;
    ui_view_log.draw(&ui, s.win, s.h, s.w);
    ck_assert_int_eq(screen_find(&s, "dropped (fault)"), -1);
    screen_row(&s, s.h - 1, row, sizeof row);
    ck_assert_msg(strstr(row, "Flags [S.]"), "%s", row);
    screen_close(&s);
    /* Narrow: no addresses, and a drop's reason comes first. */
    screen_open(&s, 6, 80);
    ui.log_scroll = 0;
    ui_view_log.draw(&ui, s.win, s.h, s.w);
    screen_row(&s, s.h - 1, row, sizeof row);
    ck_assert_msg(strstr(row, "server  x dropped (fault) Flags [S.], seq 5000"), "%s", row);
    screen_close(&s);
    run_close(&r);
}
END_TEST

START_TEST(narrate_state_and_drop)
{
    struct run r;
    run_open_file(&r, "synack_lost.scn");
    world_run(r.w);
    struct ui ui;
    memset(&ui, 0, sizeof ui);
    ui.world = r.w;
    char buf[512];
    const struct trace_entry *tr = world_trace(r.w);
    size_t st = find_event(r.w, 0, EV_STATE, 1, 0);
    st = find_event(r.w, st + 1, EV_STATE, 1, 0); /* LISTEN -> SYN_RECEIVED */
    narrate_event(&ui, &tr[st], buf, sizeof buf);
    ck_assert_str_eq(buf, "The server moved from LISTEN to SYN_RECEIVED because it received a "
                          "SYN (RFC 9293 3.10.7.2).");
    size_t drop = find_event(r.w, 0, EV_SEG_DROP, 1, 0);
    narrate_event(&ui, &tr[drop], buf, sizeof buf);
    ck_assert_str_eq(buf, "The segment was dropped by one of the scenario's fault rules.");
    size_t rx = find_event(r.w, 0, EV_RETRANSMIT, 0, 0);
    narrate_event(&ui, &tr[rx], buf, sizeof buf);
    ck_assert_msg(strstr(buf, "The client sends sequence number 1000 again because its "
                              "retransmission timer expired"), "%s", buf);
    size_t dup = find_event(r.w, 0, EV_RETRANSMIT, 1, 0); /* the server's RTO, then dup-syn */
    dup = find_event(r.w, dup + 1, EV_RETRANSMIT, 1, 0);
    ck_assert_uint_lt(dup, world_trace_len(r.w));
    ck_assert_uint_eq(tr[dup].ev.u.retx.cause, RETX_DUP_SYN);
    narrate_event(&ui, &tr[dup], buf, sizeof buf);
    ck_assert_msg(strstr(buf, "The server sends sequence number 5000 again because the peer "
                              "sent its SYN again"), "%s", buf);
    /* Never past the buffer. */
    char tiny[8];
    narrate_event(&ui, &tr[st], tiny, sizeof tiny);
    ck_assert_str_eq(tiny, "The ser");
    run_close(&r);
}
END_TEST

START_TEST(narration_wraps_by_width)
{
    struct run r;
    run_open_file(&r, "handshake.scn");
    world_run(r.w);
    struct screen s;
    screen_open(&s, 4, 10);
    struct ui ui;
    ui_init(&ui, &r, 0);
    /* Eight Chinese characters, 2 columns each: five rows' worth at 10
     * columns would be wrong; four fit a row of 10 (8 columns), never 5. */
    snprintf(ui.narration, sizeof ui.narration, "%s", "三次握手建立连接");
    ui_view_narration.draw(&ui, s.win, s.h, s.w);
    ck_assert(!screen_has_hash(&s));
    char row[256];
    screen_row(&s, 0, row, sizeof row);
    ck_assert_msg(!strncmp(row, "三次握手建", strlen("三次握手建")), "%s", row);
    screen_row(&s, 1, row, sizeof row);
    ck_assert_msg(!strncmp(row, "立连接", strlen("立连接")), "%s", row);
    /* English breaks at spaces, and control characters never reach the
     * screen. */
    snprintf(ui.narration, sizeof ui.narration, "%s", "one two\x1b[31m three four");
    ui_view_narration.draw(&ui, s.win, s.h, s.w);
    screen_row(&s, 0, row, sizeof row);
    ck_assert_msg(!strncmp(row, "one two[31m", 11) || !strncmp(row, "one       ", 10), "%s", row);
    ck_assert_int_eq(screen_find(&s, "\x1b"), -1);
    snprintf(ui.narration, sizeof ui.narration, "%s", "aaa bbb ccc");
    ui_view_narration.draw(&ui, s.win, s.h, s.w);
    screen_row(&s, 0, row, sizeof row);
    ck_assert_str_eq(row, "aaa bbb   ");
    screen_row(&s, 1, row, sizeof row);
    ck_assert_str_eq(row, "ccc       ");
    /* Empty: a sentence about the cursor's event. */
    ui.narration[0] = '\0';
    screen_close(&s);
    screen_open(&s, 4, 60);
    ui_view_narration.draw(&ui, s.win, s.h, s.w);
    screen_row(&s, 0, row, sizeof row);
    ck_assert_msg(!strncmp(row, "The server's application called bind()", 38), "%s", row);
    screen_close(&s);
    run_close(&r);
}
END_TEST

/* ================================================================ wrap == */

/* The rows text wraps into, joined by '|' ("aaa bbb|ccc"). */
static const char *wrap_all(const char *text, int width, enum draw_wrap_mode mode, char *out,
                            size_t n)
{
    size_t used = 0;
    struct draw_row r;
    out[0] = '\0';
    int rows = 0;
    for (size_t at = 0; draw_wrap_row(text, at, width, mode, &r); at = r.next) {
        ck_assert_uint_gt(r.next, at);   /* every row advances */
        used += (size_t)snprintf(out + used, n - used, "%s%.*s", rows ? "|" : "",
                                 (int)(r.end - r.start), text + r.start);
        ck_assert_uint_lt(used, n);
        rows++;
    }
    ck_assert_int_eq(draw_wrap_count(text, width, mode), rows);
    return out;
}

/* Text, a width, and the rows it must wrap into. */
struct wrap_case {
    const char *text;
    int width;
    const char *rows;
};

/* Each case wrapped as it says (in a UTF-8 locale: wcwidth measures). */
static void check_wraps(const struct wrap_case *c, size_t n, enum draw_wrap_mode mode)
{
    char out[256];
    ck_assert_ptr_nonnull(setlocale(LC_ALL, "C.UTF-8"));
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(!strcmp(wrap_all(c[i].text, c[i].width, mode, out, sizeof out), c[i].rows),
                      "'%s' in %d columns: '%s', expected '%s'", c[i].text, c[i].width, out,
                      c[i].rows);
}

/* The first row of text: whether it ended cleanly, and its columns. */
static void check_first_row(const char *text, int width, enum draw_wrap_mode mode, bool clean,
                            int cols)
{
    struct draw_row r;
    ck_assert_ptr_nonnull(setlocale(LC_ALL, "C.UTF-8"));
    ck_assert(draw_wrap_row(text, 0, width, mode, &r));
    ck_assert_msg(r.clean == clean && r.cols == cols, "'%s' in %d: clean %d cols %d", text, width,
                  r.clean, r.cols);
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

START_TEST(wrap_latin_breaks_at_spaces_and_cuts_long_words)
{
    static const struct wrap_case cases[] = {
        {"aaa bbb ccc", 8, "aaa bbb|ccc"},
        {"aaa bbb ccc", 7, "aaa bbb|ccc"},   /* a word may end a row exactly */
        {"aaa bbb ccc", 6, "aaa|bbb|ccc"},
        {"abcdefghij", 4, "abcd|efgh|ij"},   /* too long: cut by width */
        {"  lead and trailing   ", 40, "lead and trailing"},
        {"ab\ncd\n\nef", 10, "ab|cd||ef"},  /* '\n' ends a paragraph */
        {"", 10, ""},
    };
    check_wraps(cases, COUNT(cases), WRAP_PROSE);
    ck_assert_int_eq(draw_wrap_count("abc", 0, WRAP_PROSE), 0);
    check_first_row("aaa bbb", 5, WRAP_PROSE, true, 3);
    check_first_row("abcdefghij", 4, WRAP_PROSE, false, 4);
}
END_TEST

START_TEST(wrap_chinese_breaks_between_any_two_characters)
{
    static const struct wrap_case cases[] = {
        {"三次握手建立连接", 10, "三次握手建|立连接"},
        /* Between Chinese and Latin text too, never inside a Latin word. */
        {"使用cwnd控制", 6, "使用|cwnd控|制"},
        /* A character wider than the row goes alone. */
        {"中文", 1, "中|文"},
    };
    check_wraps(cases, COUNT(cases), WRAP_PROSE);
    check_first_row("三次握手", 4, WRAP_PROSE, true, 4);
}
END_TEST

START_TEST(wrap_never_starts_a_row_with_closing_punctuation)
{
    /* "一二三四" fills 8 columns; the closer may not start the next row,
     * so "四" goes down with it. */
    static const struct wrap_case cases[] = {
        {"一二三四。好", 8, "一二三|四。好"},
        {"一二三四，好", 8, "一二三|四，好"},
        {"一二三四、好", 8, "一二三|四、好"},
        {"一二三四！好", 8, "一二三|四！好"},
        {"一二三）。", 6, "一二|三）。"},   /* several closers stay together */
        {"一二三」", 6, "一二|三」"},
        {"一二三”", 6, "一二|三”"},
        {"一二三四,", 8, "一二三|四,"},     /* ASCII closers after Chinese */
        {"一二三四)", 8, "一二三|四)"},
        {"一二cwnd：", 8, "一二|cwnd："},   /* a full-width one after Latin */
    };
    check_wraps(cases, COUNT(cases), WRAP_PROSE);
}
END_TEST

START_TEST(wrap_never_ends_a_row_with_an_opening_bracket)
{
    static const struct wrap_case cases[] = {
        {"一二「三」", 6, "一二|「三」"},
        {"一二（三）", 6, "一二|（三）"},
        {"一二【三】", 6, "一二|【三】"},
        {"一二“三”", 5, "一二|“三”"},       /* one column wide here, same rule */
    };
    check_wraps(cases, COUNT(cases), WRAP_PROSE);
}
END_TEST

START_TEST(wrap_no_break_space_holds_words_together)
{
    static const struct wrap_case cases[] = {
        /* "a b" held by U+00A0 moves down whole ... */
        {"x a\xC2\xA0" "b c", 4, "x|a\xC2\xA0" "b|c"},
        /* ... and breaks only when it does not fit a row on its own. */
        {"aa\xC2\xA0" "bb", 3, "aa|bb"},
    };
    check_wraps(cases, COUNT(cases), WRAP_PROSE);
    check_first_row("aa\xC2\xA0" "bb", 3, WRAP_PROSE, false, 2);
}
END_TEST

START_TEST(wrap_at_spaces_only_keeps_names_whole)
{
    /* Prose may break after "："; names and numbers only at spaces. */
    static const struct wrap_case prose[] = {
        {"触发：app-connect", 10, "触发：|app-connec|t"},
    };
    static const struct wrap_case names[] = {
        {"触发：app-connect (RFC)", 20, "触发：app-connect|(RFC)"},
    };
    check_wraps(prose, COUNT(prose), WRAP_PROSE);
    check_wraps(names, COUNT(names), WRAP_AT_SPACES);
    check_first_row("触发：app-connect (RFC)", 10, WRAP_AT_SPACES, false, 10);
    check_first_row("触发：app-connect (RFC)", 20, WRAP_AT_SPACES, true, 17);
}
END_TEST

START_TEST(wrapped_draws_rows_skips_and_blanks)
{
    struct screen s;
    screen_open(&s, 3, 5);
    struct run r;
    run_open_file(&r, "handshake.scn");
    struct ui ui;
    ui_init(&ui, &r, 0);
    char row[64];
    for (int y = 0; y < 3; y++)
        draw_text(s.win, y, 0, 5, "#####", A_NORMAL, 0);
    /* The no-break space is drawn as a space; rows are blanked to the end. */
    ck_assert_int_eq(draw_wrapped(&ui, s.win, 0, 0, 3, 5, "a\xC2\xA0" "b cc", 0, WRAP_PROSE,
                                  ROLE_NORMAL), 2);
    screen_row(&s, 0, row, sizeof row);
    ck_assert_str_eq(row, "a b  ");
    screen_row(&s, 1, row, sizeof row);
    ck_assert_str_eq(row, "cc   ");
    screen_row(&s, 2, row, sizeof row);
    ck_assert_str_eq(row, "#####");
    /* Skipping the first row; at most h rows. */
    ck_assert_int_eq(draw_wrapped(&ui, s.win, 2, 1, 1, 4, "one two three", 1, WRAP_PROSE,
                                  ROLE_NORMAL), 1);
    screen_row(&s, 2, row, sizeof row);
    ck_assert_str_eq(row, "#two ");
    screen_close(&s);
    run_close(&r);
}
END_TEST

static Suite *views_suite(void)
{
    Suite *s = suite_create("views");
    TCase *ti = tcase_create("trace_index");
    tcase_add_test(ti, index_handshake_loss_and_retransmissions);
    tcase_add_test(ti, index_incremental_equals_whole);
    tcase_add_test(ti, index_survives_seek_back);
    tcase_add_test(ti, index_truncate_then_resync);
    tcase_add_test(ti, index_notices_rewritten_trace);
    tcase_add_test(ti, index_progress_in_flight);
    tcase_add_test(ti, index_corrupted_copy);
    suite_add_tcase(s, ti);
    TCase *lad = tcase_create("ladder");
    tcase_add_test(lad, ladder_segment_in_flight_moves);
    tcase_add_test(lad, ladder_drop_and_retransmission);
    tcase_add_test(lad, ladder_ascii_and_selection);
    tcase_add_test(lad, ladder_scrolls_and_fits_any_size);
    tcase_set_timeout(lad, 30);
    suite_add_tcase(s, lad);
    TCase *oth = tcase_create("inspector_log_narration");
    tcase_add_test(oth, inspector_fields_and_hex);
    tcase_add_test(oth, inspector_bad_checksum);
    tcase_add_test(oth, inspector_nothing_selected);
    tcase_add_test(oth, log_shows_up_to_cursor);
    tcase_add_test(oth, narrate_state_and_drop);
    tcase_add_test(oth, narration_wraps_by_width);
    suite_add_tcase(s, oth);
    TCase *wrap = tcase_create("wrap");
    tcase_add_test(wrap, wrap_latin_breaks_at_spaces_and_cuts_long_words);
    tcase_add_test(wrap, wrap_chinese_breaks_between_any_two_characters);
    tcase_add_test(wrap, wrap_never_starts_a_row_with_closing_punctuation);
    tcase_add_test(wrap, wrap_never_ends_a_row_with_an_opening_bracket);
    tcase_add_test(wrap, wrap_no_break_space_holds_words_together);
    tcase_add_test(wrap, wrap_at_spaces_only_keeps_names_whole);
    tcase_add_test(wrap, wrapped_draws_rows_skips_and_blanks);
    suite_add_tcase(s, wrap);
    return s;
}

int main(void)
{
    return check_main_run(views_suite());
}
