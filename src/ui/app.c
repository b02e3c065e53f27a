/* The UI application: curses set-up, the main loop, the play timer, and
 * the virtual terminal the tests and --script use (see app.h).
 *
 * Manners (DESIGN.md): wait for keys in a blocking getch while paused, so
 * an idle tcpviz uses no CPU; while playing, wait only until the next
 * tick.  Every frame is recomputed from LINES/COLS and flushed once with
 * doupdate, so a resize is just another frame. */
#include "config.h"

#include "ui/app.h"

#include <langinfo.h>
#include <limits.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#include "ui/actions.h"
#include "ui/course.h"
#include "ui/draw.h"
#include "ui/script.h"
#include "ui/timeline.h"
#include "ui/trace_index.h"

/* Exit statuses, as main.c's. */
enum { UI_EXIT_OK = 0, UI_EXIT_ERROR = 2 };

/* How long a lone ESC waits for the rest of an escape sequence: short, so
 * that ESC closes the help at once, long enough for SSH and tmux. */
#define UI_ESCDELAY_MS 25
/* Any of these selects what is under the pointer: terminals and ncurses'
 * click resolution report a click in one of these forms. */
#define UI_CLICK_EVENTS (BUTTON1_PRESSED | BUTTON1_RELEASED | BUTTON1_CLICKED)
/* While playing, the ladder's segments glide between two events in frames
 * this far apart (25 a second), when a tick is at least this long (at 8
 * events a second and faster the events themselves move them). */
#define UI_GLIDE_FRAME_MS 40
#define UI_GLIDE_MIN_TICK_MS 120
/* Blocking reads that fail in a row before we decide the input is gone
 * (a closed terminal) instead of spinning. */
#define UI_MAX_READ_ERRORS 100

bool ui_color_wanted(enum ui_color_mode mode, const char *no_color, bool terminal_has_colors)
{
    if (!terminal_has_colors || mode == UI_COLOR_NEVER)
        return false;
    if (mode == UI_COLOR_ALWAYS)
        return true;
    /* https://no-color.org: set and not empty means no colour. */
    return !(no_color && no_color[0]);
}

static bool locale_is_utf8(void)
{
    const char *cs = nl_langinfo(CODESET);
    return cs && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
}

void ui_app_init(struct ui_app *app, struct world *w, const struct scenario *s,
                 const struct ui_options *opt)
{
    memset(app, 0, sizeof *app);
    struct ui *ui = &app->ui;
    ui->world = w;
    ui->scn = s;
    if (opt)
        ui->opt = *opt;
    ui->lang = ui->opt.lang;
    ui->selected_packet = -1;
    ui->speed = TIMELINE_SPEED_DEFAULT;
    layout_screen_init(&app->screen);
    /* No world yet: the lesson menu comes first (course.c). */
    if (w)
        timeline_init(ui);
}

void ui_set_world(struct ui *ui, struct world *w, const struct scenario *s)
{
    ui->world = w;
    ui->scn = s;
    ui->playing = false;
    ui->anim = false;
    ui->selected_packet = -1;
    ui->ladder_scroll = ui->log_scroll = ui->inspector_scroll = 0;
    ui->inspector = false;
    ui->cmd_active = false;
    ui->narration[0] = '\0';
    /* The segment index describes the old trace: start it again. */
    if (ui->trace_index)
        trace_index_truncate(ui->trace_index, 0);
    if (w)
        timeline_init(ui);
}

void ui_app_attach(struct ui_app *app, SCREEN *scr)
{
    struct ui *ui = &app->ui;
    app->scr = scr;
    set_term(scr);
    cbreak();
    noecho();
    curs_set(0);
    set_escdelay(UI_ESCDELAY_MS);
    /* Keys are read from a window nobody draws on: getch refreshes the
     * window it reads from when that window changed, which would flush
     * half a frame. */
    app->input = newwin(1, 1, 0, 0);
    if (app->input)
        keypad(app->input, TRUE);
    keypad(stdscr, TRUE);
    mousemask(UI_CLICK_EVENTS, NULL);
    ui->utf8 = !ui->opt.ascii && locale_is_utf8();
    ui->color = ui_color_wanted(ui->opt.color, getenv("NO_COLOR"), has_colors());
    if (ui->color && start_color() == OK)
        draw_init_colors();
    else
        ui->color = false;
    layout_screen_init(&app->screen);
    /* The views' segment index, kept across frames: it then reads only the
     * events added since the last frame, where a temporary one would read
     * the whole trace every frame.  NULL (out of memory): the views build
     * temporary ones, slower but right. */
    trace_index_free(ui->trace_index);
    ui->trace_index = trace_index_new();
}

void ui_app_detach(struct ui_app *app)
{
    trace_index_free(app->ui.trace_index);
    app->ui.trace_index = NULL;
    layout_screen_free(&app->screen);
    if (app->input)
        delwin(app->input);
    app->input = NULL;
    endwin();
}

void ui_app_frame(struct ui_app *app)
{
    /* The lesson menu draws itself; lesson mode updates its phase and
     * text before the views draw (course.c). */
    if (app->ui.course && course_frame(app))
        return;
    layout_draw(&app->ui, &app->screen);
}

static void click(struct ui_app *app)
{
    MEVENT ev;
    if (getmouse(&ev) != OK || !(ev.bstate & UI_CLICK_EVENTS))
        return;
    int64_t packet = layout_packet_at(&app->ui, &app->screen, ev.y, ev.x);
    if (packet >= 0)
        app->ui.selected_packet = packet;
}

void ui_app_key(struct ui_app *app, int key)
{
    /* A key shows the moment as it is: no glide left half-way. */
    if (key != KEY_RESIZE)
        app->ui.anim = false;
    /* The menu's keys, and a lesson's answers, come before the table. */
    if (app->ui.course && course_key(app, key))
        return;
    switch (key) {
    case KEY_RESIZE:
        /* LINES and COLS are new; the next frame lays itself out again. */
        break;
    case KEY_MOUSE:
        app->ui.message[0] = '\0';
        click(app);
        break;
    default:
        ui_key(&app->ui, key);
        break;
    }
}

/* ------------------------------------------------------------------ */
/* The main loop. */

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void ui_app_glide(struct ui *ui, uint64_t from_t, unsigned permille)
{
    const struct trace_entry *e = timeline_current(ui);
    if (!e || e->t <= from_t || permille >= 1000) {
        ui->anim = false;
        return;
    }
    ui->anim = true;
    ui->anim_t = from_t + (e->t - from_t) * permille / 1000;
}

/* The player: one event a tick, and between ticks the frames of the
 * ladder's glide from the previous event's moment to the new one's. */
struct player {
    int64_t next_tick;      /* when the next event is due; 0: not playing */
    int64_t glide_start;    /* when the current glide began */
    uint64_t glide_from;    /* the virtual time it starts from */
};

/* One tick of the player: the next event, or stop at the end; a glide
 * when the virtual time moved on and a tick is long enough to show it. */
static void play_tick(struct ui *ui, struct player *p, int64_t now)
{
    const struct trace_entry *e = timeline_current(ui);
    uint64_t before = e ? e->t : 0;
    if (!timeline_step(ui, 1)) {
        ui->playing = false;
        ui->anim = false;
        return;
    }
    if (timeline_play_interval_ms(ui) >= UI_GLIDE_MIN_TICK_MS) {
        p->glide_start = now;
        p->glide_from = before;
        ui_app_glide(ui, before, 0);
    } else {
        ui->anim = false;
    }
}

/* The glide takes most of a tick, so that the segments rest a moment at
 * each event before the next one. */
static void glide_frame(struct ui *ui, const struct player *p, int64_t now)
{
    int64_t span = timeline_play_interval_ms(ui) * 3 / 4;
    int64_t done = now - p->glide_start;
    unsigned permille = span <= 0 || done >= span ? 1000 : (unsigned)(done * 1000 / span);
    ui_app_glide(ui, p->glide_from, permille);
}

/* How long to wait for a key: forever while paused (no CPU while idle),
 * else until the next tick or glide frame. */
static int wait_ms(const struct ui *ui, struct player *p, int64_t now)
{
    if (!ui->playing) {
        p->next_tick = 0;
        return -1;
    }
    if (p->next_tick == 0)
        p->next_tick = now + timeline_play_interval_ms(ui);
    int64_t until = p->next_tick;
    if (ui->anim && now + UI_GLIDE_FRAME_MS < until)
        until = now + UI_GLIDE_FRAME_MS;
    return until > now ? (int)(until - now) : 0;
}

int ui_run_on(struct ui_app *app)
{
    struct ui *ui = &app->ui;
    WINDOW *in = app->input ? app->input : stdscr;
    struct player p = {0};
    int errors = 0;
    while (!ui->quit) {
        ui_app_frame(app);
        wtimeout(in, wait_ms(ui, &p, now_ms()));
        int key = wgetch(in);
        if (key != ERR) {
            errors = 0;
            ui_app_key(app, key);
        } else if (ui->playing) {
            int64_t now = now_ms();
            if (now >= p.next_tick) {
                play_tick(ui, &p, now);
                p.next_tick += timeline_play_interval_ms(ui);
                /* Fell behind (a slow step): start counting from now. */
                if (p.next_tick < now_ms())
                    p.next_tick = now_ms() + timeline_play_interval_ms(ui);
            } else if (ui->anim) {
                glide_frame(ui, &p, now);
            }
        } else if (++errors > UI_MAX_READ_ERRORS) {
            return UI_EXIT_ERROR;
        }
    }
    return UI_EXIT_OK;
}

int ui_main(struct world *w, const struct scenario *s, const struct ui_options *opt)
{
    setlocale(LC_ALL, "");
    if (opt && opt->script)
        return ui_script_main(w, s, opt);
    /* Drawing a screen into a pipe or a file helps nobody: say what does. */
    enum tv_lang lang = opt ? opt->lang : LANG_EN;
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        fputs(tv_tr(lang, "tcpviz: the interactive view needs a terminal; for a headless run use\n"
                          "  tcpviz --batch FILE    (the trace as text)\n"
                          "  tcpviz --script FILE   (the view driven by a script, screens as text)\n"),
              stderr);
        return UI_EXIT_ERROR;
    }
    SCREEN *scr = newterm(NULL, stdout, stdin);
    if (!scr) {
        fputs(tv_tr(lang, "tcpviz: cannot start the terminal interface (is TERM set?)\n"), stderr);
        return UI_EXIT_ERROR;
    }
    struct ui_app app;
    ui_app_init(&app, w, s, opt);
    ui_app_attach(&app, scr);
    int status = ui_run_on(&app);
    ui_app_detach(&app);
    delscreen(scr);
    return status;
}

/* ------------------------------------------------------------------ */
/* The virtual terminal. */

bool ui_vterm_open(struct ui_vterm *vt, int cols, int lines, FILE *in, FILE *out)
{
    memset(vt, 0, sizeof *vt);
    vt->in = in ? in : fopen("/dev/null", "r");
    vt->out = out ? out : fopen("/dev/null", "w");
    vt->own_in = !in;
    vt->own_out = !out;
    if (!vt->in || !vt->out) {
        ui_vterm_close(vt);
        return false;
    }
    /* A fixed terminal type, so that screens do not depend on $TERM. */
    static const char *const types[] = {"xterm-256color", "xterm", "vt100"};
    for (size_t i = 0; i < sizeof types / sizeof types[0] && !vt->scr; i++)
        vt->scr = newterm(types[i], vt->out, vt->in);
    if (!vt->scr) {
        ui_vterm_close(vt);
        return false;
    }
    set_term(vt->scr);
    ui_vterm_resize(cols, lines);
    return true;
}

void ui_vterm_close(struct ui_vterm *vt)
{
    if (vt->scr) {
        set_term(vt->scr);
        endwin();
        delscreen(vt->scr);
    }
    if (vt->own_in && vt->in)
        fclose(vt->in);
    if (vt->own_out && vt->out)
        fclose(vt->out);
    memset(vt, 0, sizeof *vt);
}

void ui_vterm_resize(int cols, int lines)
{
    resize_term(lines > 0 ? lines : 1, cols > 0 ? cols : 1);
}

bool ui_vterm_row(int y, char *buf, size_t len)
{
    if (len == 0)
        return false;
    buf[0] = '\0';
    if (y < 0 || y >= LINES)
        return false;
    wchar_t wide[1024];
    /* Read a copy: reading curscr itself in the middle of a run of
     * updates was seen to change how the next update of wide characters
     * is made, so a test's dump changed the screen that followed it. */
    WINDOW *copy = dupwin(curscr);
    if (!copy)
        return false;
    int n = mvwinnwstr(copy, y, 0, wide, COLS < 1023 ? COLS : 1023);
    delwin(copy);
    if (n == ERR)
        return false;
    size_t out = 0;
    mbstate_t st;
    memset(&st, 0, sizeof st);
    for (int i = 0; i < n && wide[i]; i++) {
        char mb[MB_LEN_MAX];
        size_t k = wcrtomb(mb, wide[i], &st);
        if (k == (size_t)-1) {
            mb[0] = '?';
            k = 1;
            memset(&st, 0, sizeof st);
        }
        if (out + k >= len)
            break;
        memcpy(buf + out, mb, k);
        out += k;
    }
    while (out > 0 && buf[out - 1] == ' ')
        out--;
    buf[out] = '\0';
    return true;
}
