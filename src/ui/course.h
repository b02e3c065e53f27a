/* The course in the UI: the lesson menu, lesson mode and the sandbox the
 * menu opens, switched inside one running UI application.
 *
 * The application (app.c) asks the course first: course_frame before each
 * frame (the menu draws itself; a lesson updates its phase and text),
 * course_key before the key table (the menu's keys, a lesson's answers),
 * course_action before an action runs (continue, again, back to the
 * lesson, previous step, menu).  A plain scenario file runs without a
 * course (ui->course NULL), exactly as before. */
#ifndef TCPVIZ_UI_COURSE_H
#define TCPVIZ_UI_COURSE_H

#include <stdbool.h>
#include <stdint.h>

#include "lesson/catalog.h"
#include "lesson/progress.h"
#include "ui/actions.h"
#include "ui/menu.h"
#include "ui/ui.h"

struct ui_app;
struct lesson_mode;

enum course_mode { COURSE_MENU = 0, COURSE_LESSON, COURSE_SANDBOX };

struct course_config {
    struct catalog_env env;       /* where lessons are */
    const char *progress_path;    /* NULL or "": progress is not saved */
    const char *sandbox_text;     /* the sandbox's scenario (main.c's) */
    uint64_t sandbox_seed;
    bool animate;                 /* play lesson steps (interactive) or jump (scripts, tests) */
};

struct course {
    struct catalog catalog;
    struct progress progress;
    struct menu menu;
    enum course_mode mode;
    struct lesson_mode *lesson;   /* COURSE_LESSON */
    struct scenario sandbox_scn;  /* COURSE_SANDBOX */
    struct world *sandbox;
    const char *sandbox_text;
    uint64_t sandbox_seed;
    bool animate;
    char startup_message[200];    /* shown in the menu once (a progress file we cannot read) */
    struct ui_app *app;
};

/* NULL when out of memory. */
struct course *course_new(const struct course_config *cfg);
void course_free(struct course *c);

/* Load a lesson file to open when the course is attached (tcpviz LESSON).
 * false with err ("FILE:LINE: ...") when it does not parse or is not a
 * lesson. */
bool course_load_lesson(struct course *c, const char *path, char *err, size_t errlen);

/* Tie the course to an application made with ui_app_init(app, NULL, NULL,
 * opt) and attached to its screen: the loaded lesson, else the menu. */
void course_attach(struct course *c, struct ui_app *app);

/* The hooks of app.c and actions.c (see the top of this file); each
 * returns true when the course took the frame, key or action. */
bool course_frame(struct ui_app *app);
bool course_key(struct ui_app *app, int key);
bool course_action(struct ui *ui, enum ui_action a);

/* The menu's Enter on its selected lesson, and 's'. */
bool course_open_selected(struct course *c);
bool course_open_sandbox(struct course *c);
void course_open_menu(struct course *c);

/* Whether `tcpviz ARG` opens the course: a lesson file (it has a
 * `lesson` line, or does not parse: the lesson parser then says why), or
 * no file at all (a lesson's id or number).  false for a file that is a
 * plain scenario, which runs as before. */
bool ui_course_opens(const char *arg);

/* `tcpviz [LESSON]` in the terminal or under --script: arg is NULL for the
 * menu, or a lesson file, id or number.  Returns the exit status. */
int ui_course_main(const char *arg, const char *sandbox_text, uint64_t sandbox_seed,
                   const struct ui_options *opt);

#endif
