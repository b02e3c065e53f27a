/* The course in the curses UI on a virtual screen: the lesson menu and
 * lesson mode driven through every phase of tests/lessons/ui_fixture.lesson
 * (a small lesson of our own, stable, with a choice and a number question
 * in both languages), and golden screens at 80x24 of the menu and of one
 * lesson step, in English and in Chinese (tests/golden/screens/menu_*.txt,
 * lesson_step_*.txt; UPDATE_GOLDEN=1 rewrites them, as in check_ui.c).
 *
 * The catalog is a temporary copy of the fixture plus a temporary "user"
 * directory holding one broken lesson file; progress goes to a temporary
 * file.  The
 * goldens use --ascii boxes; the locale is C.UTF-8 so that Chinese is
 * measured two columns a character. */
#include <check.h>
#include <curses.h>
#include <dirent.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>

#include "lesson/catalog.h"
#include "lesson/progress.h"
#include "ui/actions.h"
#include "ui/app.h"
#include "ui/course.h"
#include "ui/lesson_mode.h"
#include "ui/menu.h"
#include "ui/timeline.h"

#include "check_main.h"
#include "ui_test_kit.h"


static const char sandbox_text[] =
    "title \"Sandbox\"\n"
    "duration 10s\n"
    "host client 10.0.0.1\n"
    "host server 10.0.0.2\n"
    "link client<->server delay=20ms\n"
    "at 0s server listen 80\n";

/* ============================================================ harness == */

struct harness {
    char root[256];
    char progress[512];
    struct course *course;
    struct ui_vterm vt;
    struct ui_app app;
};

static void fixture_path(char *out, size_t n)
{
    snprintf(out, n, "%s/tests/lessons/ui_fixture.lesson", srcdir());
}

/* A temporary root with a user lesson directory holding a broken lesson,
 * and the progress file's path (with `progress` in it when not NULL). */
static void make_dirs(struct harness *h, const char *progress)
{
    const char *base = getenv("TMPDIR");
    snprintf(h->root, sizeof h->root, "%s/tcpviz-lessonui.XXXXXX",
             base && base[0] ? base : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(h->root));
    char cmd[1600], path[600];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s/data/tcpviz/lessons'", h->root);
    ck_assert_int_eq(system(cmd), 0);
    /* The fixture alone, whatever else tests/lessons/ may hold one day. */
    char fixture[512];
    fixture_path(fixture, sizeof fixture);
    snprintf(cmd, sizeof cmd, "mkdir -p '%s/lessons' && cp '%s' '%s/lessons/'", h->root, fixture,
             h->root);
    ck_assert_int_eq(system(cmd), 0);
    snprintf(path, sizeof path, "%s/data/tcpviz/lessons/zz-broken.lesson", h->root);
    write_text(path, "lesson zz-broken\ntitle en \"Broken\"\ntitle zh \"坏的\"\ntopic nowhere\n");
    snprintf(h->progress, sizeof h->progress, "%s/state/tcpviz/progress", h->root);
    if (progress) {
        snprintf(cmd, sizeof cmd, "mkdir -p '%s/state/tcpviz'", h->root);
        ck_assert_int_eq(system(cmd), 0);
        write_text(h->progress, progress);
    }
}

/* The course on a cols x lines virtual screen: the menu, or `lesson` (a
 * path) when not NULL. */
static void open_course(struct harness *h, int cols, int lines, enum tv_lang lang,
                        const char *lesson, const char *progress)
{
    memset(h, 0, sizeof *h);
    setlocale(LC_ALL, "C.UTF-8");
    make_dirs(h, progress);
    char lessons[512], data[512];
    snprintf(lessons, sizeof lessons, "%s/lessons", h->root);
    snprintf(data, sizeof data, "%s/data", h->root);
    struct course_config cfg = {
        .env = {.lesson_dir = lessons, .xdg_data_home = data},
        .progress_path = h->progress,
        .sandbox_text = sandbox_text,
        .sandbox_seed = 1,
        .animate = false,
    };
    h->course = course_new(&cfg);
    ck_assert_ptr_nonnull(h->course);
    if (lesson) {
        char err[512] = "";
        ck_assert_msg(course_load_lesson(h->course, lesson, err, sizeof err), "%s", err);
    }
    ck_assert_msg(ui_vterm_open(&h->vt, cols, lines, NULL, NULL), "no virtual terminal");
    struct ui_options opt = {.color = UI_COLOR_NEVER, .ascii = true, .lang = lang};
    ui_app_init(&h->app, NULL, NULL, &opt);
    ui_app_attach(&h->app, h->vt.scr);
    course_attach(h->course, &h->app);
    ui_app_frame(&h->app);
}

static void open_fixture(struct harness *h, enum tv_lang lang, const char *progress)
{
    char path[512];
    fixture_path(path, sizeof path);
    open_course(h, 80, 24, lang, path, progress);
}

static void close_course(struct harness *h)
{
    course_free(h->course);
    ui_app_detach(&h->app);
    ui_vterm_close(&h->vt);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", h->root);
    ck_assert_int_eq(system(cmd), 0);
}

static void press(struct harness *h, int key)
{
    ui_app_key(&h->app, key);
    ui_app_frame(&h->app);
}

static void type(struct harness *h, const char *keys)
{
    for (const char *p = keys; *p; p++)
        press(h, (unsigned char)*p);
}

static void act(struct harness *h, enum ui_action a)
{
    h->app.ui.message[0] = '\0';
    ui_action_run(&h->app.ui, a);
    ui_app_frame(&h->app);
}

static struct lesson_mode *lesson_of(struct harness *h)
{
    ck_assert_ptr_nonnull(h->app.ui.lesson);
    return h->app.ui.lesson;
}

static const struct lesson_step_plan *plan_of(struct harness *h, size_t step)
{
    return &lesson_of(h)->plan.steps[step];
}

/* The lesson is at `step` in `phase`, the cursor on that step's stop. */
static void expect_at_stop(struct harness *h, size_t step, enum lesson_phase phase)
{
    struct lesson_mode *m = lesson_of(h);
    ck_assert_uint_eq(m->step, step);
    ck_assert_int_eq(m->phase, phase);
    ck_assert_uint_eq(h->app.ui.cursor, plan_of(h, step)->stop);
}

/* The progress file holds exactly `want`. */
static void expect_progress(const struct harness *h, const char *want)
{
    char *saved = read_file(h->progress);
    ck_assert_msg(saved != NULL, "no progress file %s", h->progress);
    ck_assert_str_eq(saved, want);
    free(saved);
}

/* The columns row y of the screen takes, and the column of its last
 * character (the right border when the row has one). */
static int row_width(int y)
{
    char row[2048];
    ck_assert(ui_vterm_row(y, row, sizeof row));
    wchar_t wide[1024];
    size_t n = mbstowcs(wide, row, 1023);
    ck_assert(n != (size_t)-1);
    int w = wcswidth(wide, n);
    ck_assert_int_ge(w, 0);
    return w;
}

/* Every row of the Chinese screen ends in the same column as the English
 * one's: wide characters take two columns and the borders do not move. */
static void expect_same_columns(const int *english)
{
    for (int y = 0; y < LINES; y++) {
        int w = row_width(y);
        ck_assert_int_le(w, COLS);
        if (english[y] == COLS)
            ck_assert_msg(w == COLS, "row %d ends at column %d, in English at %d", y, w,
                          english[y]);
    }
}

/* ============================================================ goldens == */

START_TEST(golden_menu_in_both_languages)
{
    struct harness h;
    open_course(&h, 80, 24, LANG_EN, NULL, "ui-fixture step 2\n");
    expect_golden("menu_en");
    int english[64];
    for (int y = 0; y < LINES; y++)
        english[y] = row_width(y);
    press(&h, 'L');
    ck_assert_int_eq(h.app.ui.lang, LANG_ZH_CN);
    expect_golden("menu_zh");
    expect_same_columns(english);
    close_course(&h);
}
END_TEST

/* Step 2 of the fixture with its question up: narration pane, options,
 * status line, key bar. */
START_TEST(golden_lesson_step_in_both_languages)
{
    int english[64];
    for (int lang = LANG_EN; lang <= LANG_ZH_CN; lang++) {
        struct harness h;
        open_fixture(&h, (enum tv_lang)lang, NULL);
        press(&h, '\n'); /* step 2 */
        press(&h, '\n'); /* its question */
        ck_assert_int_eq(lesson_of(&h)->phase, LESSON_QUESTION);
        expect_golden(lang == LANG_EN ? "lesson_step_en" : "lesson_step_zh");
        for (int y = 0; y < LINES; y++) {
            if (lang == LANG_EN)
                english[y] = row_width(y);
        }
        if (lang == LANG_ZH_CN)
            expect_same_columns(english);
        close_course(&h);
    }
}
END_TEST

/* ============================================================ the flow == */

START_TEST(narration_question_wrong_answer_reveal)
{
    struct harness h;
    open_fixture(&h, LANG_EN, NULL);
    struct ui *ui = &h.app.ui;
    struct lesson_mode *m = lesson_of(&h);
    expect_at_stop(&h, 0, LESSON_NARRATION);
    ck_screen_has("Its SYN leaves with sequence number 1000.");
    ck_screen_has("Lesson 3/3");
    ck_screen_has("step 1/3");

    press(&h, '\n');
    expect_at_stop(&h, 1, LESSON_NARRATION);
    ck_screen_has("The network loses the SYN.");
    ck_screen_has("[Enter: the question]");

    press(&h, '\n');
    ck_assert_int_eq(m->phase, LESSON_QUESTION);
    ck_screen_has("A) Nothing: it waits forever.");
    ck_screen_has("B) It sends the SYN again");
    /* A letter past the options is taken, not passed on: 'd' must not drop
     * a segment while a question waits. */
    press(&h, 'd');
    ck_assert_int_eq(m->phase, LESSON_QUESTION);
    ck_assert_uint_eq(world_user_action_count(ui->world), 0);
    ck_screen_has("answer with a letter from a to b");

    press(&h, 'a');
    ck_assert_int_eq(m->phase, LESSON_EXPLAINED);
    ck_assert(!m->right);
    ck_assert_uint_eq(ui->cursor, plan_of(&h, 1)->reveal);
    ck_assert_uint_gt(plan_of(&h, 1)->reveal, plan_of(&h, 1)->stop);
    ck_screen_has("Not quite: you chose A; the engine's answer is B.");
    ck_screen_has("the SYN goes out again.");
    close_course(&h);
}
END_TEST

START_TEST(right_answers_and_the_end)
{
    struct harness h;
    open_fixture(&h, LANG_EN, NULL);
    struct lesson_mode *m = lesson_of(&h);
    type(&h, "\n\n");
    press(&h, '2'); /* B, by its number */
    ck_assert(m->right);
    ck_screen_has("Right: B.");

    press(&h, '\n');
    ck_assert_uint_eq(m->step, 2);
    press(&h, '\n');
    ck_assert_int_eq(m->phase, LESSON_QUESTION);
    ck_screen_has("Your answer: _");
    /* Enter with nothing typed asks for a number. */
    press(&h, '\n');
    ck_assert_int_eq(m->phase, LESSON_QUESTION);
    type(&h, "17");
    press(&h, KEY_BACKSPACE);
    press(&h, KEY_BACKSPACE);
    type(&h, "1001");
    ck_screen_has("Your answer: 1001_");
    press(&h, '\n');
    ck_assert_int_eq(m->phase, LESSON_EXPLAINED);
    ck_assert(m->right);
    ck_assert_uint_eq(h.app.ui.cursor, plan_of(&h, 2)->reveal);
    ck_screen_has("Right: 1001.");
    /* {answer} is the engine's value. */
    ck_screen_has("1001: the client's ISN plus one");

    press(&h, '\n');
    ck_assert_int_eq(m->phase, LESSON_FINISHED);
    ck_screen_has("You have finished this lesson.");
    expect_progress(&h, "ui-fixture done\n");
    close_course(&h);
}
END_TEST

START_TEST(wrong_number_shows_the_engines_value)
{
    struct harness h;
    open_fixture(&h, LANG_ZH_CN, NULL);
    type(&h, "\n\nb\n\n");
    ck_assert_int_eq(lesson_of(&h)->phase, LESSON_QUESTION);
    type(&h, "5001\n");
    ck_assert(!lesson_of(&h)->right);
    ck_screen_has("1001");
    ck_screen_has("5001");
    ck_screen_has("客户端的 ISN 加一");
    close_course(&h);
}
END_TEST

/* Chinese puts no space between sentences: the explanation follows the
 * verdict's "。" directly (English keeps its space, right_answers_...). */
START_TEST(chinese_feedback_has_no_space_after_the_verdict)
{
    struct harness h;
    open_fixture(&h, LANG_ZH_CN, NULL);
    type(&h, "\n\nb");
    ck_assert(lesson_of(&h)->right);
    ck_screen_has("答对了：B。等了一秒");
    ck_assert_ptr_null(strstr(h.app.ui.narration, "。 "));
    close_course(&h);
}
END_TEST

/* "Show me again" rewinds to the step's start and plays it again; the
 * previous step key goes one back; progress says the step reached. */
START_TEST(show_me_again_and_previous_step)
{
    struct harness h;
    open_fixture(&h, LANG_EN, NULL);
    struct ui *ui = &h.app.ui;
    struct lesson_mode *m = lesson_of(&h);
    type(&h, "\n\na");
    ck_assert_int_eq(m->phase, LESSON_EXPLAINED);
    expect_progress(&h, "ui-fixture step 2\n");

    press(&h, 'r');
    expect_at_stop(&h, 1, LESSON_NARRATION);
    ck_assert(!m->answered);
    ck_screen_has("The network loses the SYN.");

    /* Animated, the step plays from its start: the cursor is there and
     * the player runs until the stop. */
    m->animate = true;
    act(&h, UI_ACT_AGAIN);
    ck_assert_int_eq(m->phase, LESSON_PLAYING);
    ck_assert(ui->playing);
    ck_assert_uint_eq(ui->cursor, plan_of(&h, 1)->start);
    ck_screen_has("Playing...");
    while (ui->playing) {
        ck_assert(timeline_step(ui, 1));
        ui_app_frame(&h.app);
    }
    ck_assert_int_eq(m->phase, LESSON_NARRATION);
    ck_assert_uint_eq(ui->cursor, plan_of(&h, 1)->stop);
    m->animate = false;

    press(&h, '<');
    ck_assert_uint_eq(m->step, 0);
    ck_assert_uint_eq(ui->cursor, plan_of(&h, 0)->stop);
    press(&h, '<');
    ck_assert_uint_eq(m->step, 0);
    ck_screen_has("this is the lesson's first step");
    close_course(&h);
}
END_TEST

/* Free exploration: step around, fork the run by dropping a segment;
 * "back to the lesson" rebuilds the world and returns to the stop. */
START_TEST(explore_fork_and_back_to_the_lesson)
{
    struct harness h;
    open_fixture(&h, LANG_EN, NULL);
    struct ui *ui = &h.app.ui;
    struct lesson_mode *m = lesson_of(&h);
    press(&h, '\n'); /* step 2: the SYN is gone */
    press(&h, '\n'); /* question */
    press(&h, 'b');  /* reveal: the RTO fires, the SYN goes out again */
    press(&h, '\n'); /* step 3 narration: the second SYN in flight */
    ck_assert_uint_eq(m->step, 2);
    size_t stop = plan_of(&h, 2)->stop;
    ck_assert_uint_eq(ui->cursor, stop);

    /* Stepping away and back. */
    press(&h, 'n');
    press(&h, 'n');
    ck_assert_uint_gt(ui->cursor, stop);
    ck_screen_has("[exploring: R goes back to the lesson]");
    press(&h, 'R');
    ck_assert_uint_eq(ui->cursor, stop);
    ck_assert(!screen_contains("[exploring"));

    /* A fork: drop the segment in flight.  The world is the lesson's own
     * again after R, with no user action. */
    press(&h, 'N'); /* to the second SYN, on its way */
    press(&h, 'd');
    ck_assert_msg(world_user_action_count(ui->world) > 0, "no fork: %s", ui->message);
    ck_screen_has("[exploring: R goes back to the lesson]");
    press(&h, 'R');
    ck_assert_uint_eq(world_user_action_count(ui->world), 0);
    ck_assert_ptr_eq(ui->world, m->world);
    ck_assert_uint_eq(ui->cursor, stop);
    ck_screen_has("back on the lesson's path");
    /* The run is the lesson's again: the question's reveal holds. */
    press(&h, '\n');
    type(&h, "1001\n");
    ck_assert(m->right);
    ck_assert_uint_eq(ui->cursor, plan_of(&h, 2)->reveal);

    /* Enter while off the path first brings the student back. */
    press(&h, 'g');
    ck_assert_uint_eq(ui->cursor, 0);
    press(&h, '\n');
    ck_assert_int_eq(m->phase, LESSON_EXPLAINED);
    ck_assert_uint_eq(ui->cursor, plan_of(&h, 2)->reveal);
    close_course(&h);
}
END_TEST

/* Enter closes the inspector first in a lesson; `i` still opens it. */
START_TEST(enter_and_the_inspector)
{
    struct harness h;
    open_fixture(&h, LANG_EN, NULL);
    struct ui *ui = &h.app.ui;
    press(&h, 'i');
    ck_assert(ui->inspector);
    press(&h, '\n');
    ck_assert(!ui->inspector);
    ck_assert_uint_eq(lesson_of(&h)->step, 0);
    press(&h, '\n');
    ck_assert_uint_eq(lesson_of(&h)->step, 1);
    close_course(&h);
}
END_TEST

START_TEST(resume_or_restart)
{
    struct harness h;
    open_fixture(&h, LANG_EN, "ui-fixture step 3\nother done\n");
    struct lesson_mode *m = lesson_of(&h);
    ck_assert_int_eq(m->phase, LESSON_RESUME);
    ck_screen_has("You left this lesson at step 3 of 3.");
    press(&h, '\n');
    expect_at_stop(&h, 2, LESSON_NARRATION);
    close_course(&h);

    open_fixture(&h, LANG_EN, "ui-fixture step 3\n");
    m = lesson_of(&h);
    press(&h, 'b');
    expect_at_stop(&h, 0, LESSON_NARRATION);
    expect_progress(&h, "ui-fixture step 1\n");
    close_course(&h);
}
END_TEST

/* A claim that does not hold is said in the narration pane, with its
 * file and line. */
START_TEST(failed_claims_are_shown)
{
    struct harness h;
    char path[600];
    open_course(&h, 80, 24, LANG_EN, NULL, NULL);
    snprintf(path, sizeof path, "%s/wrong.lesson", h.root);
    write_text(path,
               "lesson wrong\ntitle en \"Wrong\"\ntitle zh \"错\"\ntopic connect\n"
               "host client 10.0.0.1\nhost server 10.0.0.2\n"
               "link client<->server delay=20ms\n"
               "at 0s server listen 80\n"
               "at 100ms client connect server:80\n"
               "step\nen The SYN.\nzh SYN。\n"
               "run until client sent=SYN\n"
               "expect client state=ESTABLISHED\n");
    char err[512] = "";
    ck_assert_msg(course_load_lesson(h.course, path, err, sizeof err), "%s", err);
    course_attach(h.course, &h.app);
    ui_app_frame(&h.app);
    ck_screen_has("This lesson's claim did not hold:");
    ck_screen_has("wrong.lesson:14");
    close_course(&h);
}
END_TEST

/* ============================================================ the menu == */

START_TEST(menu_moves_opens_and_switches)
{
    struct harness h;
    open_course(&h, 80, 24, LANG_EN, NULL, NULL);
    struct ui *ui = &h.app.ui;
    struct course *c = h.course;
    ck_assert_int_eq(c->mode, COURSE_MENU);
    ck_assert_uint_eq(c->catalog.n, 2);
    ck_screen_has(">[ ]  3  UI fixture: a lost SYN");
    ck_screen_has("Take first: ui-first");
    ck_screen_has("A fixture for the UI tests");

    /* Down to the broken file: its error below, Enter says it again. */
    press(&h, KEY_DOWN);
    ck_assert_uint_eq(c->menu.selected, 1);
    ck_screen_has("[!]");
    ck_screen_has("zz-broken.lesson:4");
    press(&h, '\n');
    ck_assert_int_eq(c->mode, COURSE_MENU);
    ck_assert(strstr(ui->message, "zz-broken.lesson:4") != NULL);
    press(&h, KEY_DOWN);
    ck_assert_uint_eq(c->menu.selected, 1);
    press(&h, KEY_HOME);
    ck_assert_uint_eq(c->menu.selected, 0);
    press(&h, KEY_END);
    ck_assert_uint_eq(c->menu.selected, 1);
    press(&h, 'k');
    ck_assert_uint_eq(c->menu.selected, 0);
    press(&h, KEY_NPAGE);
    ck_assert_uint_eq(c->menu.selected, 1);
    press(&h, KEY_PPAGE);
    ck_assert_uint_eq(c->menu.selected, 0);

    /* The language, live. */
    press(&h, 'L');
    ck_screen_has("界面测试：丢失的 SYN");
    ck_screen_has("建立连接");
    press(&h, 'L');
    ck_screen_has("Opening a connection");

    /* Enter opens the lesson; m comes back, with the lesson selected and
     * marked as started. */
    press(&h, '\n');
    ck_assert_int_eq(c->mode, COURSE_LESSON);
    ck_assert_ptr_nonnull(ui->lesson);
    ck_screen_has("Lesson 3/3");
    press(&h, 'm');
    ck_assert_int_eq(c->mode, COURSE_MENU);
    ck_assert_ptr_null(ui->lesson);
    ck_assert_ptr_null(ui->world);
    ck_screen_has(">[>]  3  UI fixture");

    /* The sandbox: Enter is the inspector's there; m back again. */
    press(&h, 's');
    ck_assert_int_eq(c->mode, COURSE_SANDBOX);
    ck_assert_ptr_nonnull(ui->world);
    ck_screen_has("Sandbox");
    press(&h, 'n');
    press(&h, '\n');
    ck_assert(ui->inspector || ui->message[0]);
    press(&h, 27);
    press(&h, 'm');
    ck_assert_int_eq(c->mode, COURSE_MENU);
    /* Scripts' action names work in the menu too. */
    act(&h, UI_ACT_CONTINUE);
    ck_assert_int_eq(c->mode, COURSE_LESSON);
    act(&h, UI_ACT_MENU);
    ck_assert_int_eq(c->mode, COURSE_MENU);
    press(&h, 'q');
    ck_assert(ui->quit);
    close_course(&h);
}
END_TEST

START_TEST(menu_marks_in_unicode_and_too_small)
{
    struct harness h;
    open_course(&h, 80, 24, LANG_EN, NULL, "ui-fixture done\n");
    h.app.ui.utf8 = true;
    h.app.screen.valid = false;
    ui_app_frame(&h.app);
    ck_screen_has("> ✓   3  UI fixture");
    ck_screen_has("✗");
    ui_vterm_resize(60, 20);
    press(&h, KEY_RESIZE);
    ck_screen_has("terminal too small");
    ui_vterm_resize(120, 40);
    press(&h, KEY_RESIZE);
    ck_screen_has("UI fixture: a lost SYN");
    /* The key line stays on the last row of the bigger screen. */
    char last[512];
    ck_assert(ui_vterm_row(39, last, sizeof last));
    ck_assert_msg(strstr(last, "q quit") != NULL, "last row: %s", last);
    close_course(&h);
}
END_TEST

/* Outside a course the lesson keys say so, and Enter is the inspector's. */
START_TEST(lesson_keys_outside_a_lesson)
{
    struct harness h;
    open_course(&h, 80, 24, LANG_EN, NULL, NULL);
    press(&h, 's');
    h.app.ui.course = NULL; /* as a plain scenario runs */
    press(&h, 'r');
    ck_assert(strstr(h.app.ui.message, "not in a lesson") != NULL);
    press(&h, 'm');
    ck_assert(strstr(h.app.ui.message, "no lesson menu here") != NULL);
    h.app.ui.course = h.course;
    close_course(&h);
}
END_TEST

/* ===================================================== the pane's scroll == */

/* A lesson whose texts are longer than the 80x24 pane's five rows. */
static const char long_lesson[] =
    "lesson long\ntitle en \"Long\"\ntitle zh \"长\"\ntopic connect\n"
    "host client 10.0.0.1\nhost server 10.0.0.2\n"
    "link client<->server delay=20ms\n"
    "at 0s server listen 80\n"
    "at 100ms client connect server:80\n"
    "step\n"
    "en One. Two. Three. Four. Five. Six. Seven. Eight. Nine. Ten. Eleven. Twelve. "
    "Thirteen. Fourteen. Fifteen. Sixteen. Seventeen. Eighteen. Nineteen. Twenty. "
    "Twenty-one. Twenty-two. Twenty-three. Twenty-four. Twenty-five. Twenty-six. "
    "Twenty-seven. Twenty-eight. Twenty-nine. Thirty. Thirty-one. Thirty-two. "
    "Thirty-three. Thirty-four. Thirty-five. Thirty-six. Thirty-seven. Thirty-eight. "
    "Thirty-nine. Forty. Forty-one. Forty-two. Forty-three. Forty-four. Forty-five. "
    "Forty-six. Forty-seven. Forty-eight. Forty-nine. Fifty. The last words.\n"
    "zh 一。二。三。\n"
    "run until client sent=SYN\n"
    "question choice\n"
    "en Which way does the SYN go?\nzh SYN 往哪边走？\n"
    "option\nen Up.\nzh 上。\n"
    "option\nen Right, to the server.\nzh 向右，去服务器。\n"
    "option\nen Down.\nzh 下。\n"
    "answer B\n"
    "step\nen The end.\nzh 完。\n"
    "run until client state=ESTABLISHED\n";

static void open_long_lesson(struct harness *h)
{
    char path[600];
    open_course(h, 80, 24, LANG_EN, NULL, NULL);
    snprintf(path, sizeof path, "%s/long.lesson", h->root);
    write_text(path, long_lesson);
    char err[512] = "";
    ck_assert_msg(course_load_lesson(h->course, path, err, sizeof err), "%s", err);
    course_attach(h->course, &h->app);
    ui_app_frame(&h->app);
}

/* Text that does not fit is marked on the pane's border and scrolls with
 * PgDn / PgUp; the question opens in full view; a new step starts at the
 * top again. */
START_TEST(long_text_is_marked_and_scrolls)
{
    struct harness h;
    open_long_lesson(&h);
    struct ui *ui = &h.app.ui;
    struct lesson_mode *m = lesson_of(&h);
    ck_assert_int_eq(m->phase, LESSON_NARRATION);
    ck_assert_int_eq(ui->narration_scroll, 0);
    ck_screen_has("One. Two.");
    ck_screen_has("v more below: PgDn");
    ck_assert(!screen_contains("The last words."));
    ck_assert(!screen_contains("more above"));

    size_t cursor = ui->cursor;
    press(&h, KEY_NPAGE);
    ck_assert_int_gt(ui->narration_scroll, 0);
    ck_assert_uint_eq(ui->cursor, cursor); /* the ladder did not page */
    ck_screen_has("^ more above: PgUp");
    ck_screen_has("The last words.");
    ck_screen_has("[Enter: the question]");
    ck_assert(!screen_contains("more below"));
    /* At the end it stays there. */
    int bottom = ui->narration_scroll;
    press(&h, 'J');
    ck_assert_int_eq(ui->narration_scroll, bottom);
    press(&h, KEY_PPAGE);
    press(&h, 'K');
    ck_assert_int_eq(ui->narration_scroll, 0);
    ck_screen_has("One. Two.");

    /* The question: the narration is above it, a page up; the question,
     * its options and the prompt are in view. */
    press(&h, '\n');
    ck_assert_int_eq(m->phase, LESSON_QUESTION);
    ck_assert_int_gt(ui->narration_scroll, 0);
    ck_screen_has("Which way does the SYN go?");
    ck_screen_has("C) Down.");
    ck_screen_has("[press a letter from a to c]");
    ck_screen_has("^ more above: PgUp");
    ck_assert(!screen_contains("more below"));
    press(&h, KEY_PPAGE);
    ck_screen_has("more below");

    /* In Unicode the marks are arrows. */
    ui->utf8 = true;
    h.app.screen.valid = false;
    ui_app_frame(&h.app);
    ck_screen_has("▼ more below: PgDn");

    /* Chinese (as the menu's L leaves it): the language change starts
     * the pane afresh, and the short Chinese text fits with its question:
     * no marks. */
    ui->lang = LANG_ZH_CN;
    ui_app_frame(&h.app);
    ck_assert_int_eq(ui->narration_scroll, 0);
    ck_screen_has("一。二。三。");
    ck_screen_has("SYN 往哪边走？");
    ck_assert(!screen_contains("▼") && !screen_contains("▲"));
    /* With nothing to scroll, PgDn pages the ladder as it always did. */
    ck_assert(!lesson_mode_action(ui, UI_ACT_PAGE_DOWN));
    ui->lang = LANG_EN;

    press(&h, 'b');
    ck_assert_int_eq(m->phase, LESSON_EXPLAINED);
    ck_assert_int_eq(ui->narration_scroll, 0);
    press(&h, '\n');
    ck_assert_uint_eq(m->step, 1);
    ck_assert_int_eq(ui->narration_scroll, 0);
    ck_screen_has("The end.");
    close_course(&h);
}
END_TEST

/* ================================================ the shipped course fits == */

static const char *const phase_name[] = {
    [LESSON_RESUME] = "resume",       [LESSON_PLAYING] = "playing",
    [LESSON_NARRATION] = "narration", [LESSON_QUESTION] = "question",
    [LESSON_REVEALING] = "revealing", [LESSON_EXPLAINED] = "explanation",
    [LESSON_FINISHED] = "finished",
};

struct misfits {
    char text[16384];
    size_t used;
    unsigned count;
};

static void misfit(struct misfits *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void misfit(struct misfits *f, const char *fmt, ...)
{
    f->count++;
    if (f->used + 2 >= sizeof f->text)
        return;
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(f->text + f->used, sizeof f->text - f->used, fmt, ap);
    va_end(ap);
    if (k > 0)
        f->used = f->used + (size_t)k < sizeof f->text ? f->used + (size_t)k : sizeof f->text - 1;
}

/* The rows this phase must show at once: everything, except for a
 * question, where the narration above it may be a page up. */
static int rows_needed(const struct ui *ui, int w)
{
    const struct lesson_mode *m = ui->lesson;
    int rows = narration_text_rows(ui->narration, w);
    if (m->phase == LESSON_QUESTION)
        rows -= narration_text_rows(lesson_text_get(&m->lesson.steps[m->step].say, ui->lang), w);
    return rows;
}

/* One phase of one step on the screen: it fits the pane, no row is wider
 * than the screen, and no claim of the lesson failed. */
static void check_phase(struct harness *h, const char *file, struct misfits *f)
{
    const struct ui *ui = &h->app.ui;
    const struct lesson_mode *m = ui->lesson;
    const char *lang = ui->lang == LANG_EN ? "en" : "zh";
    unsigned line = m->phase == LESSON_FINISHED ? 0 : m->lesson.steps[m->step].line;
    int ph, pw;
    ck_assert(lesson_mode_pane_size(ui, &ph, &pw));
    int rows = rows_needed(ui, pw);
    if (rows > ph)
        misfit(f, "%s:%u: [%s] %s needs %d rows, the 80x24 pane has %d\n", file, line, lang,
               phase_name[m->phase], rows, ph);
    else if (m->phase != LESSON_QUESTION && (screen_contains("more below") || screen_contains("more above")))
        misfit(f, "%s:%u: [%s] %s fits but the pane says there is more\n", file, line, lang,
               phase_name[m->phase]);
    for (int y = 0; y < LINES; y++)
        if (row_width(y) > COLS)
            misfit(f, "%s:%u: [%s] %s: screen row %d is %d columns wide\n", file, line, lang,
                   phase_name[m->phase], y, row_width(y));
    if (strstr(ui->narration, "claim did not hold") || strstr(ui->narration, "论断与引擎不符"))
        misfit(f, "%s:%u: [%s] %s: %s\n", file, line, lang, phase_name[m->phase], ui->narration);
}

/* A wrong answer: its feedback is the longer one. */
static void answer_wrong(struct harness *h)
{
    const struct lesson_mode *m = h->app.ui.lesson;
    const struct lesson_question *q = &m->lesson.steps[m->step].question;
    const struct lesson_step_plan *sp = &m->plan.steps[m->step];
    if (q->kind == QUESTION_CHOICE) {
        int right = sp->answer_known ? sp->engine_option : q->answer_option;
        press(h, 'a' + (right + 1) % (int)q->noptions);
        return;
    }
    int64_t right = sp->answer_known ? sp->engine_number : q->answer_number;
    char typed[32];
    /* As many digits as the right answer, one off. */
    snprintf(typed, sizeof typed, "%lld\n", (long long)(right % 10 == 9 ? right - 1 : right + 1));
    type(h, typed);
}

/* Every step of one lesson, in every phase, played as a student does. */
static void walk_lesson(const char *path, const char *file, enum tv_lang lang, struct misfits *f)
{
    struct harness h;
    open_course(&h, 80, 24, lang, path, NULL);
    struct lesson_mode *m = lesson_of(&h);
    m->animate = true; /* the playing phases too; Enter skips them */
    for (int guard = 0; guard < 1000; guard++) {
        check_phase(&h, file, f);
        if (m->phase == LESSON_FINISHED)
            break;
        enum lesson_phase before = m->phase;
        size_t step = m->step;
        if (m->phase == LESSON_QUESTION)
            answer_wrong(&h);
        else
            press(&h, '\n');
        ck_assert_msg(m->phase != before || m->step != step, "%s: stuck at step %zu, %s", file,
                      step + 1, phase_name[before]);
    }
    ck_assert_msg(m->phase == LESSON_FINISHED, "%s never finished", file);
    close_course(&h);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void walk_course(enum tv_lang lang)
{
    char dir[512];
    snprintf(dir, sizeof dir, "%s/lessons", srcdir());
    DIR *d = opendir(dir);
    ck_assert_msg(d != NULL, "cannot open %s", dir);
    char *names[64];
    size_t n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        size_t len = strlen(e->d_name);
        if (len > 7 && strcmp(e->d_name + len - 7, ".lesson") == 0 && n < 64)
            names[n++] = strdup(e->d_name);
    }
    closedir(d);
    ck_assert_uint_ge(n, 18);
    qsort(names, n, sizeof names[0], by_name);
    static struct misfits f;
    memset(&f, 0, sizeof f);
    for (size_t i = 0; i < n; i++) {
        char path[1024], file[600];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        snprintf(file, sizeof file, "lessons/%s", names[i]);
        walk_lesson(path, file, lang, &f);
        free(names[i]);
    }
    /* All of them on stderr; check's message holds the first ones. */
    if (f.count)
        fprintf(stderr, "%s", f.text);
    ck_assert_msg(f.count == 0, "%u phases do not fit an 80x24 terminal:\n%.2000s", f.count,
                  f.text);
}

START_TEST(shipped_course_fits_80x24_in_english)
{
    walk_course(LANG_EN);
}
END_TEST

START_TEST(shipped_course_fits_80x24_in_chinese)
{
    walk_course(LANG_ZH_CN);
}
END_TEST

static Suite *lesson_ui_suite(void)
{
    Suite *s = suite_create("lesson_ui");
    TCase *golden = tcase_create("golden");
    tcase_set_timeout(golden, 60);
    tcase_add_test(golden, golden_menu_in_both_languages);
    tcase_add_test(golden, golden_lesson_step_in_both_languages);
    suite_add_tcase(s, golden);
    TCase *flow = tcase_create("flow");
    tcase_set_timeout(flow, 60);
    tcase_add_test(flow, narration_question_wrong_answer_reveal);
    tcase_add_test(flow, right_answers_and_the_end);
    tcase_add_test(flow, wrong_number_shows_the_engines_value);
    tcase_add_test(flow, chinese_feedback_has_no_space_after_the_verdict);
    tcase_add_test(flow, show_me_again_and_previous_step);
    tcase_add_test(flow, explore_fork_and_back_to_the_lesson);
    tcase_add_test(flow, enter_and_the_inspector);
    tcase_add_test(flow, resume_or_restart);
    tcase_add_test(flow, failed_claims_are_shown);
    suite_add_tcase(s, flow);
    TCase *menu = tcase_create("menu");
    tcase_set_timeout(menu, 60);
    tcase_add_test(menu, menu_moves_opens_and_switches);
    tcase_add_test(menu, menu_marks_in_unicode_and_too_small);
    tcase_add_test(menu, lesson_keys_outside_a_lesson);
    suite_add_tcase(s, menu);
    TCase *fit = tcase_create("fit");
    tcase_set_timeout(fit, 300);
    tcase_add_test(fit, long_text_is_marked_and_scrolls);
    tcase_add_test(fit, shipped_course_fits_80x24_in_english);
    tcase_add_test(fit, shipped_course_fits_80x24_in_chinese);
    suite_add_tcase(s, fit);
    return s;
}

int main(void)
{
    return check_main_run(lesson_ui_suite());
}
