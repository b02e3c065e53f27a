/* Tests of the curses UI shell on a virtual screen.
 *
 * Each test runs the real UI (src/libtcpviz_ui.a) on a virtual terminal:
 * newterm of a fixed terminal type writing to /dev/null and reading from
 * /dev/null or from a pipe the test writes keys into, resized to a fixed
 * LINES x COLS.  The rows are read back from curses' idea of the screen
 * (mvwinnwstr on curscr) and compared with golden screens in
 * tests/golden/screens/NAME.txt (plain text, trailing blanks removed).
 *
 * After a deliberate change of what the screen shows, rewrite the golden
 * screens and review the diff:
 *
 *     UPDATE_GOLDEN=1 ./tests/check_ui      (from the build directory;
 *                                           top_srcdir=... if out of tree)
 *
 * A mismatch leaves the screen it got in NAME.txt.actual in the current
 * directory.  Golden screens are drawn with --ascii boxes so that they do
 * not depend on the locale of the machine that runs the tests. */
#include <check.h>
#include <curses.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>

#include "lesson/scenario_parse.h"
#include "sim/world.h"
#include "ui/actions.h"
#include "ui/app.h"
#include "ui/draw.h"
#include "ui/layout.h"
#include "ui/script.h"
#include "ui/timeline.h"

#include "check_main.h"
#include "ui_test_kit.h"

#define STORM_SIZES 400
#define MASH_KEYS 3000

/* ============================================================ harness == */

struct harness {
    struct scenario scn;
    struct world *w;
    struct ui_vterm vt;
    struct ui_app app;
};

static void load_scenario(struct scenario *s, const char *name)
{
    char path[1024], err[512] = "";
    snprintf(path, sizeof path, "%s/tests/scenarios/%s", srcdir(), name);
    ck_assert_msg(scenario_parse_file(path, s, err, sizeof err) == 0, "%s: %s", path, err);
}

/* The UI on scenario `name` on a cols x lines virtual screen, ASCII boxes,
 * colours as `color` says.  in: where keys come from (NULL: nowhere). */
static void open_ui_in(struct harness *h, const char *name, int cols, int lines,
                       enum ui_color_mode color, FILE *in)
{
    memset(h, 0, sizeof *h);
    /* wcwidth needs a UTF-8 locale to measure Chinese text; C.UTF-8 is on
     * every glibc system. */
    setlocale(LC_ALL, "C.UTF-8");
    load_scenario(&h->scn, name);
    h->w = world_new(&h->scn, h->scn.has_seed ? h->scn.seed : 1);
    ck_assert_ptr_nonnull(h->w);
    ck_assert_msg(ui_vterm_open(&h->vt, cols, lines, in, NULL), "no virtual terminal");
    struct ui_options opt = {.color = color, .ascii = true};
    ui_app_init(&h->app, h->w, &h->scn, &opt);
    ui_app_attach(&h->app, h->vt.scr);
    ui_app_frame(&h->app);
}

static void open_ui(struct harness *h, const char *name, int cols, int lines)
{
    open_ui_in(h, name, cols, lines, UI_COLOR_NEVER, NULL);
}

static void close_ui(struct harness *h)
{
    ui_app_detach(&h->app);
    ui_vterm_close(&h->vt);
    world_free(h->w);
    scenario_free(&h->scn);
}

/* A key as if typed, then the frame the main loop would draw. */
static void press(struct harness *h, int key)
{
    ui_app_key(&h->app, key);
    ui_app_frame(&h->app);
}

static void press_n(struct harness *h, int key, int n)
{
    for (int i = 0; i < n; i++)
        press(h, key);
}

static void resize(struct harness *h, int cols, int lines)
{
    ui_vterm_resize(cols, lines);
    press(h, KEY_RESIZE);
}

static void row_text(int y, char *buf, size_t len)
{
    ck_assert(ui_vterm_row(y, buf, len));
}

/* ============================================================ goldens == */

START_TEST(golden_handshake_mid_flight)
{
    struct harness h;
    open_ui(&h, "handshake.scn", 100, 30);
    /* Three segment events: the SYN sent, the SYN arrived, the SYN-ACK
     * sent and on its way. */
    press_n(&h, 'N', 3);
    const struct trace_entry *e = timeline_current(&h.app.ui);
    ck_assert_int_eq(e->ev.kind, EV_SEG_OUT);
    ck_assert_int_eq(e->ev.endpoint, 1);
    ck_assert_int_eq(h.app.ui.selected_packet, e->ev.u.seg.packet);
    expect_golden("handshake_mid_flight");
    close_ui(&h);
}
END_TEST

START_TEST(golden_drop_and_retransmission)
{
    struct harness h;
    open_ui(&h, "syn_lost.scn", 100, 30);
    /* ] goes from one interesting event to the next: the server's LISTEN,
     * the client's SYN_SENT, then the drop of the first SYN, then its
     * retransmission. */
    struct ui *ui = &h.app.ui;
    const struct trace_entry *e = NULL;
    for (int i = 0; i < 10 && !(e && e->ev.kind == EV_SEG_DROP); i++) {
        press(&h, ']');
        e = timeline_current(ui);
        ck_assert(timeline_is_interesting(e));
    }
    ck_assert_int_eq(e->ev.kind, EV_SEG_DROP);
    ck_assert_int_eq(e->ev.u.seg.drop, DROP_FAULT);
    expect_golden("syn_lost_drop");
    press(&h, ']');
    e = timeline_current(ui);
    ck_assert_int_eq(e->ev.kind, EV_RETRANSMIT);
    ck_assert_int_eq(e->ev.u.retx.cause, RETX_RTO);
    expect_golden("syn_lost_retransmission");
    close_ui(&h);
}
END_TEST

START_TEST(golden_windows_and_cwnd)
{
    struct harness h;
    /* Wide enough for the side views in a right-hand column. */
    open_ui(&h, "slow_start.scn", 160, 48);
    press_n(&h, 'N', 60);
    expect_golden("slow_start_windows_cwnd");
    close_ui(&h);
}
END_TEST

START_TEST(golden_inspector)
{
    struct harness h;
    open_ui(&h, "handshake.scn", 100, 30);
    press(&h, 'N');
    press(&h, 'i');
    ck_assert_int_eq(h.app.ui.inspector, layout_has_inspector());
    expect_golden("handshake_inspector");
    close_ui(&h);
}
END_TEST

START_TEST(golden_help)
{
    struct harness h;
    open_ui(&h, "handshake.scn", 80, 24);
    press(&h, '?');
    ck_assert(h.app.ui.help);
    expect_golden("help_80x24");
    /* Every action is on the help screen, with its help text: at 80x24
     * some after a page down. */
    for (int a = 0; a < UI_ACT_COUNT; a++) {
        char want[128];
        snprintf(want, sizeof want, "%.40s", ui_action_help((enum ui_action)a));
        for (int pages = 0; pages < 3 && !screen_contains(want); pages++)
            press(&h, KEY_NPAGE);
        ck_assert_msg(screen_contains(want), "help lacks '%s'", want);
    }
    press(&h, 27);
    ck_assert(!h.app.ui.help);
    ck_assert(!screen_contains("help: ? or esc closes"));
    close_ui(&h);
}
END_TEST

START_TEST(golden_too_small)
{
    struct harness h;
    open_ui(&h, "handshake.scn", 40, 10);
    expect_golden("too_small_40x10");
    ck_assert(screen_contains("need 80x24"));
    /* Back to a usable size: the full screen returns. */
    resize(&h, 80, 24);
    ck_assert(!screen_contains("too small"));
    char row[256];
    row_text(0, row, sizeof row);
    ck_assert_msg(strncmp(row, " tcpviz", 7) == 0, "status line: '%s'", row);
    close_ui(&h);
}
END_TEST

/* Does any cell of the screen use a colour pair? */
static bool any_colour(void)
{
    for (int y = 0; y < LINES; y++)
        for (int x = 0; x < COLS; x++) {
            cchar_t cc;
            wchar_t wc[CCHARW_MAX + 1];
            attr_t attr;
            short pair;
            if (mvwin_wch(curscr, y, x, &cc) == OK &&
                getcchar(&cc, wc, &attr, &pair, NULL) == OK && pair != 0)
                return true;
        }
    return false;
}

START_TEST(golden_no_color)
{
    struct harness h;
    setenv("NO_COLOR", "1", 1);
    open_ui_in(&h, "handshake.scn", 80, 24, UI_COLOR_AUTO, NULL);
    press_n(&h, 'n', 3);
    ck_assert(!h.app.ui.color);
    ck_assert(!any_colour());
    expect_golden("handshake_no_color");
    close_ui(&h);
    unsetenv("NO_COLOR");

    /* The same screen with colours: same text, and colour pairs in use. */
    open_ui_in(&h, "handshake.scn", 80, 24, UI_COLOR_ALWAYS, NULL);
    press_n(&h, 'n', 3);
    ck_assert(h.app.ui.color);
    ck_assert(any_colour());
    expect_golden("handshake_no_color");
    close_ui(&h);
}
END_TEST

/* ============================================================ keys == */

/* Keys written into a pipe reach the real main loop through getch,
 * escape sequences included. */
START_TEST(keys_through_a_pipe)
{
    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    FILE *in = fdopen(fds[0], "r");
    ck_assert_ptr_nonnull(in);
    /* n n, then right arrow as xterm sends it in keypad mode, then b, q. */
    const char keys[] = "nn\033OCbq";
    ck_assert_int_eq(write(fds[1], keys, sizeof keys - 1), (ssize_t)(sizeof keys - 1));
    close(fds[1]);

    struct harness h;
    open_ui_in(&h, "handshake.scn", 100, 30, UI_COLOR_NEVER, in);
    ck_assert_int_eq(ui_run_on(&h.app), 0);
    ck_assert(h.app.ui.quit);
    ck_assert_uint_eq(h.app.ui.cursor, 2);
    char row[256];
    row_text(0, row, sizeof row);
    ck_assert_msg(strstr(row, "event 3/") != NULL, "status line: '%s'", row);
    close_ui(&h);
    fclose(in);
}
END_TEST

/* A mouse click (xterm's SGR report, through the pipe) on a segment of
 * the ladder selects it. */
START_TEST(click_selects_a_segment)
{
    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    FILE *in = fdopen(fds[0], "r");
    ck_assert_ptr_nonnull(in);
    /* Three segment events (the SYN-ACK is selected), then a click on the
     * SYN's row (screen row 4, column 30; SGR counts from 1), then q. */
    const char keys[] = "NNN\033[<0;31;5M\033[<0;31;5mq";
    ck_assert_int_eq(write(fds[1], keys, sizeof keys - 1), (ssize_t)(sizeof keys - 1));
    close(fds[1]);

    struct harness h;
    open_ui_in(&h, "handshake.scn", 100, 30, UI_COLOR_NEVER, in);
    ck_assert_int_eq(ui_run_on(&h.app), 0);
    char row[256];
    row_text(4, row, sizeof row);
    ck_assert_msg(strstr(row, "S seq 1000") != NULL, "row 4: '%s'", row);
    ck_assert_int_eq(h.app.ui.selected_packet, 0);
    close_ui(&h);
    fclose(in);
}
END_TEST

/* The input going away must end the loop, not spin. */
START_TEST(closed_input_ends_the_loop)
{
    struct harness h;
    open_ui(&h, "handshake.scn", 100, 30);
    ck_assert_int_ne(ui_run_on(&h.app), 0);
    close_ui(&h);
}
END_TEST

START_TEST(command_line_typing)
{
    struct harness h;
    open_ui(&h, "handshake.scn", 100, 30);
    press(&h, ':');
    ck_assert(h.app.ui.cmd_active);
    const char *typed = "client send 1\033[31m";
    for (const char *p = typed; *p; p++)
        if (*p != '\033')
            press(&h, (unsigned char)*p);
    ck_assert_str_eq(h.app.ui.cmd, "client send 1[31m");
    press_n(&h, KEY_BACKSPACE, 4);
    ck_assert_str_eq(h.app.ui.cmd, "client send 1");
    char row[256];
    row_text(LINES - 1, row, sizeof row);
    ck_assert_str_eq(row, ":client send 1");
    press(&h, 27);
    ck_assert(!h.app.ui.cmd_active);
    close_ui(&h);
}
END_TEST

/* ============================================================ robustness == */

START_TEST(resize_storm)
{
    struct harness h;
    open_ui(&h, "syn_lost.scn", 100, 30);
    srand(4242);
    for (int i = 0; i < STORM_SIZES; i++) {
        int cols = i % 50 == 0 ? 1 : 1 + rand() % 260;
        int lines = i % 50 == 0 ? 1 : 1 + rand() % 90;
        if (i % 7 == 0)
            press(&h, '?');
        if (i % 11 == 0)
            press(&h, 'N');
        resize(&h, cols, lines);
        ck_assert_int_eq(LINES, lines);
        ck_assert_int_eq(COLS, cols);
    }
    resize(&h, 1, 1);
    char row[16];
    row_text(0, row, sizeof row);
    ck_assert_uint_le(strlen(row), 1);
    resize(&h, 100, 30);
    h.app.ui.help = false;
    press(&h, KEY_RESIZE);
    row_text(0, row, sizeof row);
    ck_assert_msg(strncmp(row, " tcpviz", 7) == 0, "status line: '%s'", row);
    close_ui(&h);
}
END_TEST

START_TEST(key_mashing)
{
    static const int keys[] = {
        'n', 'b', 'N', 'B', ' ', '+', '-', 'g', 'G', ']', '[', 'j', 'k', 'i', '\n',
        'd', 'D', 'u', 'c', ':', 27, '?', 'q', KEY_LEFT, KEY_RIGHT, KEY_UP, KEY_DOWN,
        KEY_HOME, KEY_END, KEY_SLEFT, KEY_SRIGHT, KEY_F(1), KEY_BACKSPACE, '\t', 'x', 0xE4,
        KEY_RESIZE, KEY_MOUSE, KEY_NPAGE, KEY_PPAGE, 'J', 'K', '{', '}', 'p',
    };
    struct harness h;
    open_ui(&h, "syn_lost.scn", 100, 30);
    srand(77);
    for (int i = 0; i < MASH_KEYS; i++) {
        int key = keys[rand() % (int)(sizeof keys / sizeof keys[0])];
        if (key == KEY_RESIZE)
            ui_vterm_resize(1 + rand() % 200, 1 + rand() % 60);
        press(&h, key);
        struct ui *ui = &h.app.ui;
        ck_assert_uint_lt(ui->cursor, timeline_total(ui) + 1);
        ck_assert_uint_lt(ui->cmd_len, sizeof ui->cmd);
        ck_assert_uint_le(ui->speed, TIMELINE_SPEED_MAX);
        ui->quit = false;
    }
    close_ui(&h);
}
END_TEST

/* ============================================================ timeline == */

START_TEST(step_forward_and_back_agree)
{
    struct harness h;
    open_ui(&h, "syn_lost.scn", 100, 30);
    struct ui *ui = &h.app.ui;
    enum { N = 25 };
    struct trace_entry seen[N];
    for (int i = 0; i < N; i++) {
        seen[i] = *timeline_current(ui);
        ck_assert(timeline_step(ui, 1));
    }
    for (int i = N - 1; i >= 0; i--) {
        ck_assert(timeline_step(ui, -1));
        ck_assert_uint_eq(ui->cursor, (size_t)i);
        const struct trace_entry *e = timeline_current(ui);
        ck_assert_uint_eq(e->t, seen[i].t);
        ck_assert_int_eq(e->ev.kind, seen[i].ev.kind);
        /* The world is where the cursor is: nothing after its step. */
        ck_assert_uint_gt(world_trace_len(ui->world), ui->cursor);
    }
    ck_assert(!timeline_step(ui, -1));
    ck_assert_str_eq(ui->message, "at the first event");
    /* The run is known to be at least as long as what was seen. */
    ck_assert_uint_ge(timeline_total(ui), (size_t)N);
    close_ui(&h);
}
END_TEST

START_TEST(segment_and_interesting_jumps)
{
    struct harness h;
    open_ui(&h, "syn_lost.scn", 100, 30);
    struct ui *ui = &h.app.ui;
    for (int i = 0; i < 5; i++) {
        ck_assert(timeline_step_segment(ui, 1));
        ck_assert(timeline_is_segment(timeline_current(ui)));
        ck_assert_int_eq(ui->selected_packet, timeline_current(ui)->ev.u.seg.packet);
    }
    size_t at = ui->cursor;
    ck_assert(timeline_step_segment(ui, -1));
    ck_assert_uint_lt(ui->cursor, at);
    ck_assert(timeline_is_segment(timeline_current(ui)));

    ck_assert(timeline_start(ui));
    ck_assert_uint_eq(ui->cursor, 0);
    ck_assert(timeline_interesting(ui, 1));
    ck_assert(timeline_is_interesting(timeline_current(ui)));
    size_t first = ui->cursor;
    ck_assert(timeline_interesting(ui, 1));
    ck_assert_uint_gt(ui->cursor, first);
    ck_assert(timeline_interesting(ui, -1));
    ck_assert_uint_eq(ui->cursor, first);
    close_ui(&h);
}
END_TEST

START_TEST(end_is_the_end)
{
    struct harness h;
    open_ui(&h, "handshake.scn", 100, 30);
    struct ui *ui = &h.app.ui;
    ck_assert(!ui->end_known);
    ck_assert(timeline_end(ui));
    ck_assert(ui->end_known);
    ck_assert(timeline_at_end(ui));
    size_t total = timeline_total(ui);
    ck_assert_uint_eq(ui->cursor + 1, total);
    ck_assert(!timeline_step(ui, 1));
    ck_assert_str_eq(ui->message, "end of the run");
    /* Back to the start: the total stays known although the trace is cut. */
    ck_assert(timeline_start(ui));
    ck_assert_uint_eq(timeline_total(ui), total);
    char row[256];
    snprintf(row, sizeof row, "event 1/%zu ", total);
    ui_app_frame(&h.app);
    ck_assert_msg(screen_contains(row), "no '%s' on the status line", row);
    close_ui(&h);
}
END_TEST

START_TEST(idle_stretch_is_announced)
{
    struct harness h;
    open_ui(&h, "keepalive_dead_peer.scn", 100, 30);
    struct ui *ui = &h.app.ui;
    bool announced = false;
    for (int i = 0; i < 500 && !announced; i++) {
        press(&h, 'n');
        announced = strstr(ui->message, "of idle time") != NULL;
    }
    ck_assert_msg(announced, "no idle stretch announced");
    ck_assert(strncmp(ui->message, "skipped ", 8) == 0);
    ck_assert(screen_contains("of idle time"));
    /* The next key clears it. */
    press(&h, 'b');
    ck_assert(!screen_contains("of idle time"));
    close_ui(&h);
}
END_TEST

START_TEST(play_steps_and_stops_at_the_end)
{
    struct harness h;
    open_ui(&h, "handshake.scn", 100, 30);
    struct ui *ui = &h.app.ui;
    press(&h, ' ');
    ck_assert(ui->playing);
    ck_assert_int_eq(timeline_play_interval_ms(ui), 1000 >> TIMELINE_SPEED_DEFAULT);
    press(&h, '+');
    ck_assert_int_eq(timeline_play_interval_ms(ui), 1000 >> (TIMELINE_SPEED_DEFAULT + 1));
    ck_assert(ui->playing);
    press(&h, 'n');
    ck_assert(!ui->playing); /* stepping by hand pauses */
    press_n(&h, '-', 20);
    ck_assert_uint_eq(ui->speed, 0);
    ck_assert_int_eq(timeline_play_interval_ms(ui), 1000);
    press(&h, 'G');
    press(&h, ' ');
    ck_assert(!ui->playing);
    ck_assert(strstr(ui->message, "end of the run") != NULL);
    close_ui(&h);
}
END_TEST

START_TEST(selection_moves_over_sent_segments)
{
    struct harness h;
    open_ui(&h, "handshake.scn", 100, 30);
    struct ui *ui = &h.app.ui;
    ck_assert(timeline_end(ui));
    ui->selected_packet = -1;
    ck_assert(timeline_select_segment(ui, 1));
    int64_t newest = ui->selected_packet;
    ck_assert_int_ge(newest, 0);
    ck_assert(timeline_select_segment(ui, -1));
    ck_assert_int_ne(ui->selected_packet, newest);
    ck_assert(timeline_select_segment(ui, 1));
    ck_assert_int_eq(ui->selected_packet, newest);
    ck_assert(!timeline_select_segment(ui, 1));
    close_ui(&h);
}
END_TEST

/* ============================================================ pieces == */

START_TEST(action_table_is_consistent)
{
    for (int a = 0; a < UI_ACT_COUNT; a++) {
        enum ui_action act = (enum ui_action)a;
        ck_assert_int_eq(ui_action_by_name(ui_action_name(act)), act);
        ck_assert_uint_gt(strlen(ui_action_help(act)), 0);
        char keys[64];
        ui_action_keys_text(act, false, keys, sizeof keys);
        ck_assert_msg(keys[0] != '\0', "%s has no key", ui_action_name(act));
        /* Help lines fit beside the key column on an 80-column screen. */
        ck_assert_int_le(draw_text_width(ui_action_help(act)), 80 - 2 - UI_HELP_KEYS_COLS - 2);
    }
    /* No key does two things. */
    for (int a = 0; a < UI_ACT_COUNT; a++)
        for (int i = 0; i < 3; i++) {
            int key = ui_action_key((enum ui_action)a, i);
            if (key)
                ck_assert_msg(ui_action_for_key(key) == (enum ui_action)a,
                              "key %d of %s is bound twice", key,
                              ui_action_name((enum ui_action)a));
        }
    ck_assert_int_eq(ui_action_for_key('n'), UI_ACT_STEP);
    ck_assert_int_eq(ui_action_for_key(KEY_F(1)), UI_ACT_HELP);
    ck_assert_int_eq(ui_action_for_key('Z'), UI_ACT_NONE);
    ck_assert_int_eq(ui_key_by_name("space"), ' ');
    ck_assert_int_eq(ui_key_by_name("f12"), KEY_F(12));
    ck_assert_int_eq(ui_key_by_name("F1"), KEY_F(1));
    ck_assert_int_eq(ui_key_by_name("x"), 'x');
    ck_assert_int_eq(ui_key_by_name("nosuchkey"), -1);
}
END_TEST

START_TEST(colour_choice)
{
    ck_assert(ui_color_wanted(UI_COLOR_AUTO, NULL, true));
    ck_assert(ui_color_wanted(UI_COLOR_AUTO, "", true));
    ck_assert(!ui_color_wanted(UI_COLOR_AUTO, "1", true));
    ck_assert(!ui_color_wanted(UI_COLOR_NEVER, NULL, true));
    ck_assert(ui_color_wanted(UI_COLOR_ALWAYS, "1", true));
    ck_assert(!ui_color_wanted(UI_COLOR_ALWAYS, NULL, false));
}
END_TEST

START_TEST(text_is_measured_and_sanitised)
{
    setlocale(LC_ALL, "C.UTF-8");
    ck_assert_int_eq(draw_text_width("abc"), 3);
    ck_assert_int_eq(draw_text_width("握手"), 4);
    ck_assert_int_eq(draw_text_width("a\033[31mb"), 6);
    char buf[64];
    draw_sanitize(buf, sizeof buf, "a\033[31mb\x7f\xc2\x9b" "c\xff");
    ck_assert_str_eq(buf, "a[31mbc?");
    draw_sanitize(buf, 4, "abcdef");
    ck_assert_str_eq(buf, "abc");
    /* A character split by the buffer's end is left out whole. */
    draw_sanitize(buf, 3, "a握");
    ck_assert_str_eq(buf, "a");

    struct ui_vterm vt;
    ck_assert(ui_vterm_open(&vt, 20, 3, NULL, NULL));
    WINDOW *win = newwin(1, 10, 0, 0);
    ck_assert_ptr_nonnull(win);
    draw_blank(win, 0, 0, 10);
    /* "ab握手" is 6 columns; in 5 the second wide one becomes a space. */
    ck_assert_int_eq(draw_text(win, 0, 0, 5, "ab握手!", A_NORMAL, 0), 5);
    ck_assert_int_eq(draw_text(win, 0, 8, 99, "xyz", A_NORMAL, 0), 2);
    ck_assert_int_eq(draw_text(win, 0, 10, 5, "x", A_NORMAL, 0), 0);
    ck_assert_int_eq(draw_text(win, 1, 0, 5, "x", A_NORMAL, 0), 0);
    wnoutrefresh(win);
    doupdate();
    char row[64];
    ck_assert(ui_vterm_row(0, row, sizeof row));
    ck_assert_str_eq(row, "ab握    xy");
    delwin(win);
    ui_vterm_close(&vt);
}
END_TEST

static bool overlaps(struct layout_rect a, struct layout_rect b)
{
    return a.h && a.w && b.h && b.w && a.x < b.x + b.w && b.x < a.x + a.w &&
           a.y < b.y + b.h && b.y < a.y + a.h;
}

/* Every pane inside the body (between the status line and the key bar),
 * none overlapping, and together they cover the body: no cell is left
 * that no view draws. */
START_TEST(layout_tiles_the_screen)
{
    bool all[PANE_COUNT];
    for (int p = 0; p < PANE_COUNT; p++)
        all[p] = true;
    for (int lines = UI_MIN_LINES; lines <= 90; lines += 3) {
        for (int cols = UI_MIN_COLS; cols <= 260; cols += 7) {
            struct layout l;
            layout_compute(&l, lines, cols, all);
            ck_assert(!l.too_small);
            long cells = 0;
            for (int p = 0; p < PANE_INSPECTOR; p++) {
                struct layout_rect r = l.pane[p];
                ck_assert_msg(r.h >= 3 && r.w >= 10, "pane %d at %dx%d: %dx%d", p, cols,
                                  lines, r.w, r.h);
                ck_assert(r.y >= 1 && r.y + r.h <= lines - 1);
                ck_assert(r.x >= 0 && r.x + r.w <= cols);
                cells += (long)r.h * r.w;
                for (int q = 0; q < p; q++)
                    ck_assert_msg(!overlaps(r, l.pane[q]), "panes %d and %d overlap at %dx%d",
                                  p, q, cols, lines);
            }
            ck_assert_int_eq(cells, (long)(lines - 2) * cols);
            struct layout_rect help = l.help;
            ck_assert(help.y >= 0 && help.y + help.h <= lines && help.x >= 0 &&
                      help.x + help.w <= cols);
        }
    }
    struct layout l;
    layout_compute(&l, 23, 200, all);
    ck_assert(l.too_small);
    layout_compute(&l, 1, 1, all);
    ck_assert(l.too_small);
}
END_TEST

START_TEST(script_runs_and_reports_bad_lines)
{
    struct harness h;
    open_ui(&h, "handshake.scn", 100, 30);
    char good[] = "# comment\n\nstep\nkey n\nkey right\nwait 1s\nresize 90x26\nsize 100x30\n";
    FILE *f = fmemopen(good, strlen(good), "r");
    ck_assert_int_eq(ui_script_run(&h.app, f, "good", stdout), 0);
    fclose(f);
    ck_assert_uint_eq(h.app.ui.cursor, 3);
    ck_assert_int_eq(COLS, 100);

    static const char *const bad[] = {"jump\n", "key nosuchkey\n", "resize 80by24\n",
                                      "step 3\n", "resize 0x10\n"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char text[64];
        snprintf(text, sizeof text, "%s", bad[i]);
        f = fmemopen(text, strlen(text), "r");
        ck_assert_msg(ui_script_run(&h.app, f, "bad", stdout) == 2, "'%s' accepted", bad[i]);
        fclose(f);
    }
    close_ui(&h);
}
END_TEST

/* ============================================================ acceptance == */

/* Move with ] and N to the retransmitted SYN of syn_lost on its way: the
 * cursor on its EV_SEG_OUT, the segment selected. */
static uint32_t to_retransmitted_syn(struct harness *h)
{
    struct ui *ui = &h->app.ui;
    const struct trace_entry *e = NULL;
    for (int i = 0; i < 20 && !(e && e->ev.kind == EV_RETRANSMIT); i++) {
        press(h, ']');
        e = timeline_current(ui);
    }
    ck_assert_int_eq(e->ev.kind, EV_RETRANSMIT);
    press(h, 'N');
    e = timeline_current(ui);
    ck_assert_int_eq(e->ev.kind, EV_SEG_OUT);
    ck_assert_int_eq(ui->selected_packet, e->ev.u.seg.packet);
    return e->ev.u.seg.packet;
}

/* Did the run (its trace from the start to the end) drop `packet` for
 * `reason`? */
static bool run_drops(struct harness *h, uint32_t packet, enum tcp_drop_reason reason)
{
    struct ui *ui = &h->app.ui;
    timeline_end(ui);
    const struct trace_entry *tr = world_trace(ui->world);
    for (size_t i = 0; i < world_trace_len(ui->world); i++)
        if (tr[i].ev.kind == EV_SEG_DROP && tr[i].ev.u.seg.drop == reason &&
            (reason == DROP_CHECKSUM || tr[i].ev.u.seg.packet == packet))
            return true;
    return false;
}

/* d on a segment in flight forks the run: the segment dies where it was,
 * "user" says why.  Stepping back before the fork and choosing again (c)
 * replaces the decision: the run then has a corrupted segment and no drop
 * by the user. */
START_TEST(fate_key_forks_and_can_be_chosen_again)
{
    struct harness h;
    open_ui(&h, "syn_lost.scn", 100, 30);
    struct ui *ui = &h.app.ui;
    uint32_t syn = to_retransmitted_syn(&h);
    size_t fork_at = ui->cursor;

    press(&h, 'd');
    ck_assert_msg(strstr(ui->message, "drop packet") != NULL, "%s", ui->message);
    ck_assert_int_eq(timeline_current(ui)->ev.kind, EV_USER);
    ck_assert_uint_eq(world_user_action_count(ui->world), 1);
    press(&h, 'n');
    const struct trace_entry *e = timeline_current(ui);
    ck_assert_int_eq(e->ev.kind, EV_SEG_DROP);
    ck_assert_int_eq(e->ev.u.seg.drop, DROP_USER);
    ck_assert_uint_eq(e->ev.u.seg.packet, syn);
    ck_assert_msg(screen_contains("x user"), "the ladder does not mark the drop");

    /* Back before the fork: the segment is on its way again. */
    while (ui->cursor > fork_at)
        press(&h, 'b');
    ck_assert_uint_eq(ui->cursor, fork_at);
    ck_assert_int_eq(ui->selected_packet, syn);
    ck_assert(!screen_contains("x user"));
    press(&h, 'c');
    ck_assert_msg(strstr(ui->message, "corrupt packet") != NULL, "%s", ui->message);
    ck_assert_uint_eq(world_user_action_count(ui->world), 1);
    struct world_user_info info;
    ck_assert(world_user_action_get(ui->world, 0, &info));
    ck_assert(info.is_fate);
    ck_assert_int_eq(info.fate, FATE_CORRUPT);
    ck_assert(run_drops(&h, syn, DROP_CHECKSUM));
    ck_assert(!run_drops(&h, syn, DROP_USER));
    close_ui(&h);
}
END_TEST

/* A fate key on a segment that has already arrived says why nothing
 * happened, and the run stays as it was. */
START_TEST(fate_key_needs_a_segment_in_flight)
{
    struct harness h;
    open_ui(&h, "handshake.scn", 100, 30);
    struct ui *ui = &h.app.ui;
    press_n(&h, 'N', 2); /* the SYN has arrived */
    ck_assert_int_eq(timeline_current(ui)->ev.kind, EV_SEG_IN);
    size_t len = world_trace_len(ui->world), at = ui->cursor;
    ck_assert_int_eq(ui->selected_packet, 0);
    press(&h, 'd');
    ck_assert_msg(strstr(ui->message, "not in flight") != NULL, "%s", ui->message);
    ck_assert_uint_eq(world_user_action_count(ui->world), 0);
    ck_assert_uint_eq(world_trace_len(ui->world), len);
    ck_assert_uint_eq(ui->cursor, at);
    char row[512];
    row_text(LINES - 1, row, sizeof row);
    ck_assert_msg(strcmp(row + 1, ui->message) == 0, "bottom row: '%s'", row);
    close_ui(&h);
}
END_TEST

static void type_command(struct harness *h, const char *text)
{
    press(h, ':');
    for (const char *p = text; *p; p++)
        press(h, (unsigned char)*p);
    press(h, '\n');
}

/* A command that is no command says so in full on the bottom row; a
 * misspelt host keeps the parser's words; the run is unchanged. */
START_TEST(bad_command_is_explained)
{
    struct harness h;
    open_ui(&h, "handshake.scn", 140, 30);
    struct ui *ui = &h.app.ui;
    size_t len = world_trace_len(ui->world);
    type_command(&h, "frob 12");
    ck_assert(!ui->cmd_active);
    ck_assert_msg(strncmp(ui->message, "unknown command 'frob'; try client, server, link",
                          48) == 0, "%s", ui->message);
    ck_assert(strstr(ui->message, "drop") && strstr(ui->message, "Tab completes"));
    char row[512];
    row_text(LINES - 1, row, sizeof row);
    ck_assert_msg(strcmp(row + 1, ui->message) == 0, "bottom row: '%s'", row);
    ck_assert_uint_eq(world_user_action_count(ui->world), 0);
    ck_assert_uint_eq(world_trace_len(ui->world), len);

    type_command(&h, "cleint send 1");
    ck_assert_str_eq(ui->message, "unknown host 'cleint' (hosts: client, server)");
    /* At 80 columns the message is cut with dots, its start kept. */
    resize(&h, 80, 24);
    type_command(&h, "frob");
    row_text(LINES - 1, row, sizeof row);
    ck_assert_msg(strncmp(row, " unknown command 'frob'", 23) == 0, "'%s'", row);
    ck_assert_int_eq(draw_text_width(row), 80);
    ck_assert(strcmp(row + strlen(row) - 3, "...") == 0);
    /* The next key brings the key bar back. */
    press(&h, 'n');
    row_text(LINES - 1, row, sizeof row);
    ck_assert_msg(strncmp(row, " n next", 7) == 0, "'%s'", row);
    close_ui(&h);
}
END_TEST

/* Tab while typing a command: one candidate completes the word, several
 * are listed on the row above the command line, and go at the next key. */
START_TEST(tab_completes_and_lists_candidates)
{
    struct harness h;
    open_ui(&h, "handshake.scn", 100, 30);
    struct ui *ui = &h.app.ui;
    press(&h, ':');
    press(&h, 'c');
    press(&h, 'l');
    press(&h, '\t');
    ck_assert_str_eq(ui->cmd, "client ");
    press(&h, 's');
    press(&h, '\t');
    char row[512];
    row_text(LINES - 2, row, sizeof row);
    ck_assert_msg(strstr(row, "send") && strstr(row, "shutdown") && strstr(row, "set"),
                  "candidates row: '%s'", row);
    row_text(LINES - 1, row, sizeof row);
    ck_assert_str_eq(row, ":client s");
    press(&h, 'e');
    row_text(LINES - 2, row, sizeof row);
    ck_assert_msg(strstr(row, "shutdown") == NULL, "candidates stay: '%s'", row);
    press(&h, 27);
    close_ui(&h);
}
END_TEST

/* + and - change the speed within its limits; the status line shows it. */
START_TEST(speed_up_and_down)
{
    struct harness h;
    open_ui(&h, "handshake.scn", 100, 30);
    struct ui *ui = &h.app.ui;
    press(&h, '+');
    ck_assert_uint_eq(ui->speed, TIMELINE_SPEED_DEFAULT + 1);
    ck_assert_str_eq(ui->message, "speed: 8 events per second");
    ck_assert(screen_contains("paused 8/s"));
    press_n(&h, '+', 20);
    ck_assert_uint_eq(ui->speed, TIMELINE_SPEED_MAX);
    ck_assert(screen_contains("paused 1024/s"));
    press_n(&h, '-', 30);
    ck_assert_uint_eq(ui->speed, 0);
    ck_assert(screen_contains("paused 1/s"));
    ck_assert_int_eq(timeline_play_interval_ms(ui), 1000);
    close_ui(&h);
}
END_TEST

/* The column of the ladder's arrow head on the row showing `needle`
 * (-1: none). */
static int arrow_head_column(const char *needle)
{
    for (int y = 0; y < LINES; y++) {
        char row[1024];
        row_text(y, row, sizeof row);
        if (!strstr(row, needle))
            continue;
        const char *head = strrchr(row, '>');
        return head && head > strstr(row, needle) ? (int)(head - row) : -1;
    }
    return -1;
}

/* While playing, the player glides the ladder from the previous event's
 * moment to the cursor's: a segment that arrives at the cursor's event is
 * drawn part of the way, then all of it. */
START_TEST(ladder_glides_while_playing)
{
    struct harness h;
    open_ui(&h, "handshake.scn", 100, 30);
    struct ui *ui = &h.app.ui;
    press(&h, 'N'); /* the SYN sent */
    uint64_t sent = timeline_current(ui)->t;
    press(&h, 'N'); /* the SYN arrived */
    ck_assert_int_eq(timeline_current(ui)->ev.kind, EV_SEG_IN);
    ck_assert_uint_gt(timeline_current(ui)->t, sent);
    int full = arrow_head_column("S seq 1000");
    ck_assert_int_gt(full, 0);

    ui_app_glide(ui, sent, 0);
    ck_assert(ui->anim);
    ui_app_frame(&h.app);
    int start = arrow_head_column("S seq 1000");
    ui_app_glide(ui, sent, 500);
    ui_app_frame(&h.app);
    int half = arrow_head_column("S seq 1000");
    ck_assert_msg(start > 0 && start < half && half < full, "heads: %d %d %d", start, half,
                  full);
    ui_app_glide(ui, sent, 1000);
    ck_assert(!ui->anim);
    ui_app_frame(&h.app);
    ck_assert_int_eq(arrow_head_column("S seq 1000"), full);

    /* A key ends a glide: the moment as it is. */
    ui_app_glide(ui, sent, 300);
    press(&h, 'i');
    ck_assert(!ui->anim);
    close_ui(&h);
}
END_TEST

/* PgDn / PgUp scroll the inspector's long hex dump and the help at 80x24;
 * { and } the event log; p switches the cwnd pane's chart. */
START_TEST(pages_scroll_what_is_open)
{
    struct harness h;
    open_ui(&h, "slow_start.scn", 80, 24);
    struct ui *ui = &h.app.ui;
    /* A full-sized data segment: 92 lines of hex at 80 columns. */
    for (int i = 0; i < 200; i++) {
        press(&h, 'N');
        const struct trace_entry *e = timeline_current(ui);
        if (e->ev.kind == EV_SEG_OUT && e->ev.u.seg.len > 1000)
            break;
    }
    ck_assert_int_gt(timeline_current(ui)->ev.u.seg.len, 1000);
    press(&h, 'i');
    ck_assert(screen_contains("more lines"));
    ck_assert(screen_contains("IPv4"));
    press(&h, KEY_NPAGE);
    ck_assert_int_gt(ui->inspector_scroll, 0);
    ck_assert(!screen_contains("IPv4"));
    press_n(&h, KEY_NPAGE, 50);
    ck_assert(!screen_contains("more lines"));
    int bottom = ui->inspector_scroll;
    press(&h, KEY_NPAGE);
    ck_assert_int_eq(ui->inspector_scroll, bottom); /* no scrolling past the end */
    press_n(&h, KEY_PPAGE, 50);
    ck_assert_int_eq(ui->inspector_scroll, 0);
    ck_assert(screen_contains("IPv4"));
    press(&h, 'i');

    /* The help at 80x24 cannot show every action at once: it scrolls. */
    press(&h, '?');
    const char *last = ui_action_help((enum ui_action)(UI_ACT_COUNT - 1));
    ck_assert(!screen_contains(last));
    ck_assert(screen_contains("j/k scroll"));
    press(&h, KEY_NPAGE);
    ck_assert(screen_contains(last));
    ck_assert(!screen_contains(ui_action_help((enum ui_action)0)));
    press(&h, 'k');
    press_n(&h, KEY_PPAGE, 3);
    ck_assert(screen_contains(ui_action_help((enum ui_action)0)));
    press(&h, 27);

    /* The ladder: a page up moves the selection back over several
     * segments, and the ladder scrolls to keep it in view. */
    press(&h, 'G');
    press(&h, 'B'); /* the last segment event: its segment selected */
    int64_t newest = ui->selected_packet;
    press(&h, KEY_PPAGE);
    press(&h, KEY_PPAGE);
    ck_assert_int_lt(ui->selected_packet, newest - 3);
    ck_assert(screen_contains("|>  "));
    int64_t back = ui->selected_packet;
    press(&h, KEY_NPAGE);
    ck_assert_int_gt(ui->selected_packet, back);

    /* The log: back a page, and forward again to the cursor. */
    press(&h, '{');
    ck_assert_int_gt(ui->log_scroll, 0);
    press_n(&h, '}', 3);
    ck_assert_int_eq(ui->log_scroll, 0);
    press(&h, 'p');
    ck_assert(ui->plot_seq_time);
    ck_assert(strstr(ui->message, "seq-vs-time") != NULL);
    press(&h, 'p');
    ck_assert(!ui->plot_seq_time);
    close_ui(&h);
}
END_TEST

/* Every view has a pane at 80x24, the log included. */
START_TEST(every_view_at_80x24)
{
    struct harness h;
    open_ui(&h, "syn_lost.scn", 80, 24);
    press_n(&h, 'N', 3);
    static const char *const titles[] = {"- ladder ", "- state ", "- windows ", "- cwnd ",
                                         "- timers ", "- log ", "- narration "};
    for (size_t i = 0; i < sizeof titles / sizeof titles[0]; i++)
        ck_assert_msg(screen_contains(titles[i]), "no '%s' pane at 80x24", titles[i]);
    /* The log shows the cursor's event, marked. */
    ck_assert(screen_contains("|>  1.100000 client  > Flags [S]"));
    /* The ladder keeps four segment rows under one header row. */
    ck_assert(screen_contains("|          client SYN_SENT"));
    close_ui(&h);
}
END_TEST

/* A note typed in the sandbox reaches the narration; Chinese characters
 * take two columns each and the pane's border stays in its column. */
START_TEST(chinese_note_in_the_narration)
{
    struct harness h;
    open_ui(&h, "handshake.scn", 100, 30);
    type_command(&h, "note \"你好 世界 abc\"");
    ck_assert_msg(strstr(h.app.ui.message, "note 你好 世界 abc") != NULL, "%s",
                  h.app.ui.message);
    bool found = false;
    for (int y = 0; y < LINES; y++) {
        char row[1024];
        row_text(y, row, sizeof row);
        if (strncmp(row, "|你好 世界 abc", strlen("|你好 世界 abc")) != 0)
            continue;
        found = true;
        ck_assert_int_eq(draw_text_width(row), COLS);
        ck_assert_int_eq(row[strlen(row) - 1], '|');
    }
    ck_assert_msg(found, "the note is not in the narration");
    close_ui(&h);
}
END_TEST

/* Segments are narrated with the right article. */
START_TEST(narration_says_an_ack)
{
    struct harness h;
    open_ui(&h, "handshake.scn", 100, 30);
    ck_assert(timeline_end(&h.app.ui));
    ui_app_frame(&h.app);
    bool seen = false;
    for (int i = 0; i < 40 && !seen; i++) {
        seen = screen_contains("received an ACK segment");
        ck_assert(!screen_contains(" a ACK "));
        press(&h, 'b');
    }
    ck_assert(seen);
    close_ui(&h);
}
END_TEST

/* The text of section `name` of the man page (troff's "\-" made "-"),
 * in buf; false if there is no such section. */
static bool man_section(const char *man, const char *name, char *buf, size_t len)
{
    char head[64];
    snprintf(head, sizeof head, "\n.SH %s\n", name);
    const char *from = strstr(man, head);
    if (!from)
        return false;
    const char *to = strstr(from + 1, "\n.SH ");
    size_t out = 0;
    for (const char *p = from; *p && p != to && out + 2 < len; p++) {
        if (p[0] == '\\' && p[1] == '-')
            p++;
        buf[out++] = *p;
    }
    buf[out++] = '\n';
    buf[out] = '\0';
    return true;
}

/* The man page lists every action: in KEYS by the keys the help screen
 * shows (in ASCII), one ".B keys" line each; in SCRIPTS by its name. */
START_TEST(man_page_lists_every_key)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/docs/tcpviz.1", srcdir());
    char *man = read_file(path);
    ck_assert_msg(man != NULL, "cannot read %s", path);
    static char keys[SCREEN_MAX], scripts[SCREEN_MAX];
    ck_assert(man_section(man, "KEYS", keys, sizeof keys));
    ck_assert(man_section(man, "SCRIPTS", scripts, sizeof scripts));
    for (int a = 0; a < UI_ACT_COUNT; a++) {
        char want[96], shown[64];
        const char *name = ui_action_name((enum ui_action)a);
        ui_action_keys_text((enum ui_action)a, false, shown, sizeof shown);
        snprintf(want, sizeof want, "\n.B %s\n", shown);
        ck_assert_msg(strstr(keys, want) != NULL, "KEYS in tcpviz.1 lacks '.B %s' (%s)", shown,
                      name);
        char listed[2][96];
        snprintf(listed[0], sizeof listed[0], "\n.BR %s ,\n", name);
        snprintf(listed[1], sizeof listed[1], "\n.BR %s .\n", name);
        ck_assert_msg(strstr(scripts, listed[0]) || strstr(scripts, listed[1]),
                      "SCRIPTS in tcpviz.1 lacks the action '%s'", name);
    }
    free(man);
}
END_TEST

/* ======================================================= translation == */

/* The UI in Simplified Chinese (--lang zh_CN) on a scenario. */
static void open_ui_chinese_on(struct harness *h, const char *name, int cols, int lines)
{
    memset(h, 0, sizeof *h);
    setlocale(LC_ALL, "C.UTF-8");
    load_scenario(&h->scn, name);
    h->w = world_new(&h->scn, h->scn.has_seed ? h->scn.seed : 1);
    ck_assert_ptr_nonnull(h->w);
    ck_assert_msg(ui_vterm_open(&h->vt, cols, lines, NULL, NULL), "no virtual terminal");
    struct ui_options opt = {.color = UI_COLOR_NEVER, .ascii = true, .lang = LANG_ZH_CN};
    ui_app_init(&h->app, h->w, &h->scn, &opt);
    ck_assert_int_eq(h->app.ui.lang, LANG_ZH_CN);
    ui_app_attach(&h->app, h->vt.scr);
    ui_app_frame(&h->app);
}

static void open_ui_chinese(struct harness *h)
{
    open_ui_chinese_on(h, "handshake.scn", 80, 24);
}

/* Every row of the screen takes exactly the terminal's width when it
 * ends in a border: a wide character counted as one column (or a byte as
 * one) would push the right border out of its column. */
static void expect_borders_aligned(void)
{
    for (int y = 0; y < LINES; y++) {
        char row[2048];
        row_text(y, row, sizeof row);
        int w = draw_text_width(row);
        ck_assert_msg(w <= COLS, "row %d is %d columns wide: %s", y, w, row);
        size_t n = strlen(row);
        if (n > 0 && (row[n - 1] == '|' || row[n - 1] == '+'))
            ck_assert_msg(w == COLS, "row %d ends its border at column %d: %s", y, w, row);
    }
}

/* The byte that shows at display column col (0-based) of a screen row,
 * counting a wide character as two columns; 0 past the end or in the
 * right half of a wide character. */
static char byte_at_column(const char *row, int col)
{
    mbstate_t st;
    memset(&st, 0, sizeof st);
    int x = 0;
    for (const char *p = row; *p;) {
        wchar_t wc;
        size_t n = mbrtowc(&wc, p, strlen(p), &st);
        ck_assert_msg(n != (size_t)-1 && n != (size_t)-2 && n != 0, "bad UTF-8 in %s", row);
        int w = wcwidth(wc);
        if (x == col)
            return n == 1 ? *p : '?';
        x += w > 0 ? w : 0;
        if (x > col)
            return 0;
        p += n;
    }
    return 0;
}

START_TEST(golden_chinese_80x24)
{
    struct harness h;
    open_ui_chinese(&h);
    /* The SYN-ACK on its way, as in handshake_mid_flight. */
    press_n(&h, 'N', 3);
    ck_assert(screen_contains("时序图"));          /* a view title */
    ck_assert(screen_contains("解说"));
    ck_assert(screen_contains("已暂停"));          /* the status line */
    ck_assert(screen_contains("下一步"));          /* the key bar */
    ck_assert(screen_contains("SYN_RECEIVED"));    /* state names stay */
    expect_borders_aligned();
    expect_golden("handshake_zh");
    close_ui(&h);
}
END_TEST

/* The help screen and the too-small screen in Chinese: translated, and
 * still inside their frames. */
START_TEST(chinese_help_and_too_small)
{
    struct harness h;
    open_ui_chinese(&h);
    press(&h, '?');
    ck_assert(screen_contains("帮助：按 ? 或 esc 关闭"));
    ck_assert(screen_contains("前进一个事件"));
    /* The overlay's right border is in its column on every row. */
    struct layout l;
    layout_compute(&l, LINES, COLS, NULL);
    for (int y = l.help.y; y < l.help.y + l.help.h; y++) {
        char row[2048];
        row_text(y, row, sizeof row);
        char right = byte_at_column(row, l.help.x + l.help.w - 1);
        ck_assert_msg(right == '|' || right == '+', "row %d: help border not at column %d: %s",
                      y, l.help.x + l.help.w, row);
    }
    press(&h, '?');
    resize(&h, 40, 10);
    ck_assert(screen_contains("终端太小"));
    for (int y = 0; y < LINES; y++) {
        char row[512];
        row_text(y, row, sizeof row);
        ck_assert_int_le(draw_text_width(row), COLS);
    }
    close_ui(&h);
}
END_TEST

/* Frame after frame, Chinese text replaces Chinese text one or two
 * columns off; no row may grow past its border (ncurses' narrow blanks
 * once left half a wide character behind and pushed the row out). */
START_TEST(chinese_frames_stay_aligned)
{
    static const char *const scenarios[] = {"syn_lost.scn", "slow_start.scn",
                                            "fast_retransmit.scn", "close_4way.scn"};
    for (size_t i = 0; i < sizeof scenarios / sizeof scenarios[0]; i++) {
        struct harness h;
        open_ui_chinese_on(&h, scenarios[i], i % 2 ? 100 : 80, i % 2 ? 30 : 24);
        for (int step = 0; step < 120; step++) {
            press(&h, 'n');
            expect_borders_aligned();
        }
        close_ui(&h);
    }
}
END_TEST

/* English is the msgids themselves: nothing Chinese on the screen. */
START_TEST(english_has_no_chinese)
{
    struct harness h;
    open_ui(&h, "handshake.scn", 80, 24);
    press_n(&h, 'N', 3);
    ck_assert_int_eq(h.app.ui.lang, LANG_EN);
    ck_assert(!screen_contains("时序图"));
    ck_assert(screen_contains("ladder"));
    close_ui(&h);
}
END_TEST

static Suite *ui_suite(void)
{
    Suite *s = suite_create("ui");
    TCase *golden = tcase_create("golden");
    tcase_add_test(golden, golden_handshake_mid_flight);
    tcase_add_test(golden, golden_drop_and_retransmission);
    tcase_add_test(golden, golden_windows_and_cwnd);
    tcase_add_test(golden, golden_inspector);
    tcase_add_test(golden, golden_help);
    tcase_add_test(golden, golden_too_small);
    tcase_add_test(golden, golden_no_color);
    suite_add_tcase(s, golden);

    TCase *keys = tcase_create("keys");
    tcase_add_test(keys, keys_through_a_pipe);
    tcase_add_test(keys, click_selects_a_segment);
    tcase_add_test(keys, closed_input_ends_the_loop);
    tcase_add_test(keys, command_line_typing);
    suite_add_tcase(s, keys);

    TCase *robust = tcase_create("robustness");
    tcase_set_timeout(robust, 120);
    tcase_add_test(robust, resize_storm);
    tcase_add_test(robust, key_mashing);
    suite_add_tcase(s, robust);

    TCase *timeline = tcase_create("timeline");
    tcase_set_timeout(timeline, 60);
    tcase_add_test(timeline, step_forward_and_back_agree);
    tcase_add_test(timeline, segment_and_interesting_jumps);
    tcase_add_test(timeline, end_is_the_end);
    tcase_add_test(timeline, idle_stretch_is_announced);
    tcase_add_test(timeline, play_steps_and_stops_at_the_end);
    tcase_add_test(timeline, selection_moves_over_sent_segments);
    suite_add_tcase(s, timeline);

    TCase *accept = tcase_create("acceptance");
    tcase_set_timeout(accept, 60);
    tcase_add_test(accept, fate_key_forks_and_can_be_chosen_again);
    tcase_add_test(accept, fate_key_needs_a_segment_in_flight);
    tcase_add_test(accept, bad_command_is_explained);
    tcase_add_test(accept, tab_completes_and_lists_candidates);
    tcase_add_test(accept, speed_up_and_down);
    tcase_add_test(accept, ladder_glides_while_playing);
    tcase_add_test(accept, pages_scroll_what_is_open);
    tcase_add_test(accept, every_view_at_80x24);
    tcase_add_test(accept, chinese_note_in_the_narration);
    tcase_add_test(accept, narration_says_an_ack);
    tcase_add_test(accept, man_page_lists_every_key);
    suite_add_tcase(s, accept);

    TCase *i18n = tcase_create("i18n");
    tcase_add_test(i18n, golden_chinese_80x24);
    tcase_add_test(i18n, chinese_help_and_too_small);
    tcase_add_test(i18n, english_has_no_chinese);
    tcase_add_test(i18n, chinese_frames_stay_aligned);
    tcase_set_timeout(i18n, 60);
    suite_add_tcase(s, i18n);

    TCase *pieces = tcase_create("pieces");
    tcase_add_test(pieces, action_table_is_consistent);
    tcase_add_test(pieces, colour_choice);
    tcase_add_test(pieces, text_is_measured_and_sanitised);
    tcase_add_test(pieces, layout_tiles_the_screen);
    tcase_add_test(pieces, script_runs_and_reports_bad_lines);
    suite_add_tcase(s, pieces);
    return s;
}

int main(void)
{
    return check_main_run(ui_suite());
}
