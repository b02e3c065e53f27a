/* The course in the UI (see course.h). */
#include "config.h"

#include "ui/course.h"

#include <curses.h>
#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lesson/scenario_parse.h"
#include "ui/app.h"
#include "ui/lesson_mode.h"
#include "ui/script.h"

enum { COURSE_EXIT_OK = 0, COURSE_EXIT_ERROR = 2 };

struct course *course_new(const struct course_config *cfg)
{
    struct course *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    if (catalog_load(&c->catalog, &cfg->env) != 0) {
        free(c);
        return NULL;
    }
    char err[512] = "";
    if (progress_load(&c->progress, cfg->progress_path, err, sizeof err) != 0)
        snprintf(c->startup_message, sizeof c->startup_message, "%s", err);
    menu_init(&c->menu, &c->catalog, &c->progress);
    c->sandbox_text = cfg->sandbox_text;
    c->sandbox_seed = cfg->sandbox_seed;
    c->animate = cfg->animate;
    return c;
}

static void close_sandbox(struct course *c)
{
    if (c->sandbox)
        world_free(c->sandbox);
    c->sandbox = NULL;
    scenario_free(&c->sandbox_scn);
    memset(&c->sandbox_scn, 0, sizeof c->sandbox_scn);
}

/* Leave whatever world the UI shows (the lesson's or the sandbox's). */
static void close_world(struct course *c)
{
    if (c->app) {
        ui_set_world(&c->app->ui, NULL, NULL);
        c->app->ui.lesson = NULL;
        /* The next frame draws every cell again, for a new picture. */
        c->app->screen.valid = false;
    }
    lesson_mode_free(c->lesson);
    c->lesson = NULL;
    close_sandbox(c);
}

void course_free(struct course *c)
{
    if (!c)
        return;
    close_world(c);
    if (c->app)
        c->app->ui.course = NULL;
    progress_free(&c->progress);
    catalog_free(&c->catalog);
    free(c);
}

/* "Lesson 3/18": the total is the course's size, at least the number. */
static unsigned course_total(const struct course *c, unsigned number)
{
    unsigned total = (unsigned)c->catalog.nlessons;
    return number > total ? number : total;
}

bool course_load_lesson(struct course *c, const char *path, char *err, size_t errlen)
{
    struct lesson l;
    memset(&l, 0, sizeof l);
    if (lesson_parse_file(path, &l, err, errlen) != 0)
        return false;
    if (!l.is_lesson) {
        snprintf(err, errlen, "%s: a scenario, not a lesson (it has no 'lesson' line)", path);
        lesson_free(&l);
        return false;
    }
    uint64_t seed = l.scn.has_seed ? l.scn.seed : 1;
    unsigned number = l.number;
    struct lesson_mode *m = lesson_mode_open(&l, seed, number, course_total(c, number),
                                             c->animate, &c->progress, err, errlen);
    if (!m)
        return false;
    close_world(c);
    c->lesson = m;
    c->mode = COURSE_LESSON;
    menu_select_path(&c->menu, path);
    return true;
}

static void enter_lesson(struct course *c)
{
    lesson_mode_enter(c->lesson, &c->app->ui);
    c->app->screen.valid = false;
}

bool course_open_selected(struct course *c)
{
    struct ui *ui = &c->app->ui;
    if (c->catalog.n == 0)
        return false;
    const struct catalog_entry *e = &c->catalog.entries[c->menu.selected];
    char err[512] = "";
    if (e->error) {
        snprintf(ui->message, sizeof ui->message, "%s", e->error);
        return false;
    }
    if (!course_load_lesson(c, e->path, err, sizeof err)) {
        snprintf(ui->message, sizeof ui->message, "%.250s", err);
        return false;
    }
    enter_lesson(c);
    return true;
}

bool course_open_sandbox(struct course *c)
{
    struct ui *ui = &c->app->ui;
    char err[512] = "";
    close_world(c);
    if (!c->sandbox_text ||
        scenario_parse_string("sandbox", c->sandbox_text, &c->sandbox_scn, err, sizeof err) != 0) {
        snprintf(ui->message, sizeof ui->message, "%s",
                 err[0] ? err : tv_tr(ui->lang, "no sandbox here"));
        return false;
    }
    c->sandbox = world_new(&c->sandbox_scn, c->sandbox_seed);
    if (!c->sandbox) {
        close_sandbox(c);
        snprintf(ui->message, sizeof ui->message, "%s",
                 tv_tr(ui->lang, "cannot set up the sandbox's world"));
        return false;
    }
    ui_set_world(ui, c->sandbox, &c->sandbox_scn);
    c->mode = COURSE_SANDBOX;
    c->app->screen.valid = false;
    return true;
}

void course_open_menu(struct course *c)
{
    close_world(c);
    c->mode = COURSE_MENU;
    if (c->app) {
        c->app->ui.help = false;
        werase(stdscr);
    }
}

void course_attach(struct course *c, struct ui_app *app)
{
    c->app = app;
    app->ui.course = c;
    if (c->startup_message[0])
        snprintf(app->ui.message, sizeof app->ui.message, "%s", c->startup_message);
    if (c->lesson)
        enter_lesson(c);
    else
        course_open_menu(c);
}

/* ------------------------------------------------------------------ */
/* The hooks */

bool course_frame(struct ui_app *app)
{
    struct course *c = app->ui.course;
    if (c->mode == COURSE_MENU) {
        menu_draw(&app->ui, &c->menu);
        return true;
    }
    if (c->mode == COURSE_LESSON) {
        lesson_mode_before_frame(&app->ui);
    }
    return false;
}

static void menu_command(struct course *c, enum menu_command cmd)
{
    struct ui *ui = &c->app->ui;
    switch (cmd) {
    case MENU_OPEN: course_open_selected(c); break;
    case MENU_SANDBOX: course_open_sandbox(c); break;
    case MENU_LANGUAGE: ui->lang = ui->lang == LANG_EN ? LANG_ZH_CN : LANG_EN; break;
    case MENU_QUIT: ui->quit = true; break;
    default: break;
    }
}

bool course_key(struct ui_app *app, int key)
{
    struct course *c = app->ui.course;
    struct ui *ui = &app->ui;
    if (key == KEY_RESIZE)
        return false;
    if (c->mode == COURSE_MENU) {
        ui->message[0] = '\0';
        if (key != KEY_MOUSE)
            menu_command(c, menu_key(&c->menu, key));
        return true;
    }
    if (c->mode == COURSE_LESSON && key != KEY_MOUSE) {
        ui->message[0] = '\0';
        return lesson_mode_key(ui, key);
    }
    return false;
}

bool course_action(struct ui *ui, enum ui_action a)
{
    struct course *c = ui->course;
    if (c->mode == COURSE_MENU) {
        /* Scripts name actions; in the menu only these mean something. */
        if (a == UI_ACT_QUIT)
            ui->quit = true;
        else if (a == UI_ACT_CONTINUE)
            course_open_selected(c);
        return true;
    }
    if (a == UI_ACT_MENU) {
        course_open_menu(c);
        return true;
    }
    if (c->mode == COURSE_LESSON)
        return lesson_mode_action(ui, a);
    return false;
}

/* ------------------------------------------------------------------ */
/* tcpviz [LESSON] */

bool ui_course_opens(const char *arg)
{
    struct stat st;
    if (stat(arg, &st) != 0)
        return true;
    struct lesson l;
    char err[512];
    memset(&l, 0, sizeof l);
    if (lesson_parse_file(arg, &l, err, sizeof err) != 0)
        return true;
    bool is_lesson = l.is_lesson;
    lesson_free(&l);
    return is_lesson;
}

static void config_from_process(struct course_config *cfg, char *progress_file, size_t n,
                                const char *sandbox_text, uint64_t seed, bool animate)
{
    memset(cfg, 0, sizeof *cfg);
    catalog_env_from_process(&cfg->env);
    if (progress_path(getenv("XDG_STATE_HOME"), getenv("HOME"), progress_file, n))
        cfg->progress_path = progress_file;
    cfg->sandbox_text = sandbox_text;
    cfg->sandbox_seed = seed;
    cfg->animate = animate;
}

/* The lesson that ARG names: a file, else an id or a number. */
static bool open_argument(struct course *c, const char *arg)
{
    char err[512] = "";
    const char *path = arg;
    struct stat st;
    if (stat(arg, &st) != 0) {
        const struct catalog_entry *e = catalog_resolve(&c->catalog, arg);
        if (!e) {
            fprintf(stderr, "tcpviz: %s: no such file, and no lesson has that id or number\n",
                    arg);
            return false;
        }
        path = e->path;
    }
    if (!course_load_lesson(c, path, err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        return false;
    }
    return true;
}

static int run_script(struct course *c, const struct ui_options *opt)
{
    bool from_stdin = strcmp(opt->script, "-") == 0;
    FILE *script = from_stdin ? stdin : fopen(opt->script, "r");
    if (!script) {
        fprintf(stderr, "tcpviz: %s: cannot open: %s\n", opt->script, strerror(errno));
        return COURSE_EXIT_ERROR;
    }
    struct ui_vterm vt;
    int status = COURSE_EXIT_ERROR;
    if (ui_vterm_open(&vt, UI_SCRIPT_COLS, UI_SCRIPT_LINES, NULL, NULL)) {
        struct ui_app app;
        ui_app_init(&app, NULL, NULL, opt);
        ui_app_attach(&app, vt.scr);
        course_attach(c, &app);
        status = ui_script_run(&app, script, opt->script, stdout);
        close_world(c);
        ui_app_detach(&app);
        c->app = NULL;
        ui_vterm_close(&vt);
    } else {
        fputs("tcpviz: cannot start a virtual terminal for --script\n", stderr);
    }
    if (!from_stdin)
        fclose(script);
    return status;
}

static int run_terminal(struct course *c, const struct ui_options *opt)
{
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        fputs(tv_tr(opt->lang, "tcpviz: the interactive view needs a terminal; for a headless "
                               "run use --batch FILE or --script FILE\n"),
              stderr);
        return COURSE_EXIT_ERROR;
    }
    SCREEN *scr = newterm(NULL, stdout, stdin);
    if (!scr) {
        fputs(tv_tr(opt->lang, "tcpviz: cannot start the terminal interface (is TERM set?)\n"),
              stderr);
        return COURSE_EXIT_ERROR;
    }
    struct ui_app app;
    ui_app_init(&app, NULL, NULL, opt);
    ui_app_attach(&app, scr);
    course_attach(c, &app);
    int status = ui_run_on(&app);
    close_world(c);
    ui_app_detach(&app);
    c->app = NULL;
    delscreen(scr);
    return status;
}

int ui_course_main(const char *arg, const char *sandbox_text, uint64_t sandbox_seed,
                   const struct ui_options *opt)
{
    setlocale(LC_ALL, "");
    char path[PROGRESS_PATH_MAX];
    struct course_config cfg;
    /* Scripts jump from stop to stop: time does not pass in a script. */
    config_from_process(&cfg, path, sizeof path, sandbox_text, sandbox_seed, !opt->script);
    struct course *c = course_new(&cfg);
    if (!c) {
        fputs("tcpviz: out of memory\n", stderr);
        return COURSE_EXIT_ERROR;
    }
    int status = COURSE_EXIT_ERROR;
    if (!arg || open_argument(c, arg))
        status = opt->script ? run_script(c, opt) : run_terminal(c, opt);
    course_free(c);
    return status;
}
