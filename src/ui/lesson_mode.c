/* Lesson mode (see lesson_mode.h). */
#include "config.h"

#include "ui/lesson_mode.h"

#include <curses.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui/app.h"
#include "ui/draw.h"
#include "ui/layout.h"
#include "ui/timeline.h"
#include "util/utf8.h"

/* ------------------------------------------------------------------ */
/* Opening and closing */

struct lesson_mode *lesson_mode_open(struct lesson *l, uint64_t seed, unsigned number,
                                     unsigned total, bool animate, struct progress *progress,
                                     char *err, size_t errlen)
{
    struct lesson_mode *m = calloc(1, sizeof *m);
    if (!m) {
        snprintf(err, errlen, "out of memory");
        lesson_free(l);
        return NULL;
    }
    /* The lesson moves in: its scenario must stay put while the world
     * lives, and the world keeps pointers into it. */
    m->lesson = *l;
    memset(l, 0, sizeof *l);
    m->seed = seed;
    m->number = number;
    m->total = total;
    m->animate = animate;
    m->progress = progress;
    m->world = world_new(&m->lesson.scn, seed);
    if (!m->world) {
        snprintf(err, errlen, "%s: cannot set up the world for this lesson", m->lesson.scn.file);
        lesson_mode_free(m);
        return NULL;
    }
    if (lesson_plan_build(&m->lesson, m->world, &m->plan, err, errlen) != 0) {
        lesson_mode_free(m);
        return NULL;
    }
    return m;
}

void lesson_mode_free(struct lesson_mode *m)
{
    if (!m)
        return;
    lesson_plan_free(&m->plan);
    if (m->world)
        world_free(m->world);
    lesson_free(&m->lesson);
    free(m);
}

/* ------------------------------------------------------------------ */
/* Small helpers */

static const struct lesson_step *cur_step(const struct lesson_mode *m)
{
    return &m->lesson.steps[m->step];
}

static const struct lesson_step_plan *cur_plan(const struct lesson_mode *m)
{
    return &m->plan.steps[m->step];
}

static const char *text_of(const struct ui *ui, const struct lesson_text *t)
{
    return lesson_text_get(t, ui->lang);
}

static void say(struct ui *ui, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void say(struct ui *ui, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ui->message, sizeof ui->message, fmt, ap);
    va_end(ap);
}

static void save_progress(struct ui *ui)
{
    struct lesson_mode *m = ui->lesson;
    if (!m->progress || !m->lesson.id[0])
        return;
    bool ok = m->phase == LESSON_FINISHED
                  ? progress_set_done(m->progress, m->lesson.id)
                  : progress_set_step(m->progress, m->lesson.id, (unsigned)m->step + 1);
    char err[512] = "";
    if (!ok)
        snprintf(err, sizeof err, "out of memory");
    else if (progress_save(m->progress, err, sizeof err) == 0)
        return;
    say(ui, tv_tr(ui->lang, "progress not saved: %s"), err);
}

/* The user forked the run (a fate key, a ':' command): the lesson's path
 * is the scenario's own run, so leave the fork by starting the world
 * again from the scenario. */
static bool leave_fork(struct ui *ui)
{
    struct lesson_mode *m = ui->lesson;
    if (world_user_action_count(m->world) == 0)
        return true;
    struct world *w = world_new(&m->lesson.scn, m->seed);
    if (!w) {
        say(ui, "%s", tv_tr(ui->lang, "cannot rebuild the lesson's world (out of memory)"));
        return false;
    }
    world_free(m->world);
    m->world = w;
    ui_set_world(ui, w, &m->lesson.scn);
    return true;
}

/* Where the lesson has the cursor in the current phase. */
static size_t lesson_position(const struct lesson_mode *m)
{
    const struct lesson_step_plan *sp = cur_plan(m);
    switch (m->phase) {
    case LESSON_RESUME:
    case LESSON_PLAYING:
        return sp->start;
    case LESSON_NARRATION:
    case LESSON_QUESTION:
        return sp->stop;
    default:
        return sp->reveal;
    }
}

static bool off_path(const struct ui *ui)
{
    const struct lesson_mode *m = ui->lesson;
    if (world_user_action_count(m->world) > 0)
        return true;
    /* Playing moves the cursor on the lesson's behalf. */
    if (m->phase == LESSON_PLAYING || m->phase == LESSON_REVEALING)
        return false;
    return ui->cursor != lesson_position(m);
}

static void seek(struct ui *ui, size_t index)
{
    ui->playing = false;
    ui->anim = false;
    if (ui->cursor != index)
        timeline_seek(ui, index);
}

/* ------------------------------------------------------------------ */
/* The flow of a step */

static void finish(struct ui *ui)
{
    struct lesson_mode *m = ui->lesson;
    m->phase = LESSON_FINISHED;
    save_progress(ui);
}

static void next_step(struct ui *ui, bool by_itself)
{
    struct lesson_mode *m = ui->lesson;
    if (m->step + 1 >= m->lesson.nsteps) {
        finish(ui);
        return;
    }
    lesson_mode_goto_step(ui, m->step + 1);
    m->came_from_nopause = by_itself;
}

static void at_stop(struct ui *ui)
{
    struct lesson_mode *m = ui->lesson;
    seek(ui, cur_plan(m)->stop);
    m->phase = LESSON_NARRATION;
    /* `nopause`: the next step follows at once (its narration then says
     * this one's too, so nothing is missed). */
    if (!cur_step(m)->pause && cur_step(m)->question.kind == QUESTION_NONE &&
        m->step + 1 < m->lesson.nsteps)
        next_step(ui, true);
}

static void at_reveal(struct ui *ui)
{
    struct lesson_mode *m = ui->lesson;
    seek(ui, cur_plan(m)->reveal);
    m->phase = LESSON_EXPLAINED;
    if (!cur_step(m)->pause && m->step + 1 < m->lesson.nsteps)
        next_step(ui, true);
}

/* Play from the cursor to `target` (or jump there when not animating);
 * done() runs when the cursor gets there. */
static void play_to(struct ui *ui, size_t target, void (*done)(struct ui *))
{
    struct lesson_mode *m = ui->lesson;
    if (m->animate && target > ui->cursor) {
        ui->playing = true;
        return;
    }
    done(ui);
}

void lesson_mode_goto_step(struct ui *ui, size_t i)
{
    struct lesson_mode *m = ui->lesson;
    if (i >= m->lesson.nsteps)
        return;
    leave_fork(ui);
    m->step = i;
    m->phase = LESSON_PLAYING;
    m->answered = m->right = false;
    m->chosen = -1;
    m->ninput = 0;
    m->input[0] = '\0';
    m->came_from_nopause = false;
    ui->inspector = false;
    seek(ui, cur_plan(m)->start);
    save_progress(ui);
    play_to(ui, cur_plan(m)->stop, at_stop);
}

void lesson_mode_enter(struct lesson_mode *m, struct ui *ui)
{
    ui_set_world(ui, m->world, &m->lesson.scn);
    ui->lesson = m;
    if (m->lesson.nsteps == 0) {
        m->phase = LESSON_FINISHED;
        return;
    }
    unsigned step = 0;
    if (m->progress && m->lesson.id[0] &&
        progress_get(m->progress, m->lesson.id, &step) == PROGRESS_STARTED && step > 1 &&
        step <= m->lesson.nsteps) {
        m->step = 0;
        m->phase = LESSON_RESUME;
        m->resume_step = step;
        return;
    }
    lesson_mode_goto_step(ui, 0);
}

/* The student answered: play on to the reveal point. */
static void answer(struct ui *ui, bool right)
{
    struct lesson_mode *m = ui->lesson;
    m->answered = true;
    m->right = right;
    m->phase = LESSON_REVEALING;
    play_to(ui, cur_plan(m)->reveal, at_reveal);
}

static int right_option(const struct lesson_mode *m)
{
    const struct lesson_step_plan *sp = cur_plan(m);
    return sp->answer_known ? sp->engine_option : cur_step(m)->question.answer_option;
}

static int64_t right_number(const struct lesson_mode *m)
{
    const struct lesson_step_plan *sp = cur_plan(m);
    return sp->answer_known ? sp->engine_number : cur_step(m)->question.answer_number;
}

static void choose(struct ui *ui, int option)
{
    struct lesson_mode *m = ui->lesson;
    m->chosen = option;
    answer(ui, option == right_option(m));
}

static void submit_number(struct ui *ui)
{
    struct lesson_mode *m = ui->lesson;
    if (m->ninput == 0 || (m->ninput == 1 && m->input[0] == '-')) {
        say(ui, "%s", tv_tr(ui->lang, "type a number first, then Enter"));
        return;
    }
    answer(ui, strtoll(m->input, NULL, 10) == right_number(m));
}

/* ------------------------------------------------------------------ */
/* Keys */

static bool is_backspace(int key)
{
    return key == KEY_BACKSPACE || key == 127 || key == 8;
}

static bool is_enter(int key)
{
    return key == '\n' || key == '\r' || key == KEY_ENTER;
}

static bool number_key(struct ui *ui, int key)
{
    struct lesson_mode *m = ui->lesson;
    if (key >= '0' && key <= '9') {
        if (m->ninput + 1 < LESSON_INPUT_MAX - 1) {
            m->input[m->ninput++] = (char)key;
            m->input[m->ninput] = '\0';
        }
        return true;
    }
    if (key == '-' && m->ninput == 0) {
        m->input[m->ninput++] = '-';
        m->input[m->ninput] = '\0';
        return true;
    }
    if (is_backspace(key)) {
        if (m->ninput > 0)
            m->input[--m->ninput] = '\0';
        return true;
    }
    if (is_enter(key)) {
        submit_number(ui);
        return true;
    }
    return false;
}

static bool choice_key(struct ui *ui, int key)
{
    struct lesson_mode *m = ui->lesson;
    int n = (int)cur_step(m)->question.noptions;
    int option = key >= 'a' && key <= 'f'   ? key - 'a'
                 : key >= 'A' && key <= 'F' ? key - 'A'
                 : key >= '1' && key <= '6' ? key - '1'
                                            : -1;
    if (option < 0)
        return false;
    if (option >= n) {
        /* Taken anyway: 'd' must not drop a segment by a slip of the
         * finger while a question waits. */
        say(ui, tv_tr(ui->lang, "answer with a letter from a to %c"), 'a' + n - 1);
        return true;
    }
    choose(ui, option);
    return true;
}

bool lesson_mode_key(struct ui *ui, int key)
{
    struct lesson_mode *m = ui->lesson;
    if (!m || ui->cmd_active || ui->help)
        return false;
    if (m->phase == LESSON_RESUME && key == 'b') {
        if (m->progress)
            progress_forget(m->progress, m->lesson.id);
        lesson_mode_goto_step(ui, 0);
        return true;
    }
    if (m->phase != LESSON_QUESTION || off_path(ui))
        return false;
    if (cur_step(m)->question.kind == QUESTION_NUMBER)
        return number_key(ui, key);
    return choice_key(ui, key);
}

/* ------------------------------------------------------------------ */
/* The narration pane's scroll */

bool lesson_mode_pane_size(const struct ui *ui, int *h, int *w)
{
    struct layout l;
    layout_compute_ui(&l, ui, LINES, COLS);
    const struct layout_rect *r = &l.pane[PANE_NARRATION];
    *h = r->h - 2;
    *w = r->w - 2;
    return !l.too_small && *h > 0 && *w > 0;
}

/* Where the pane opens for the text just composed: at its top, except for
 * a question that does not fit under its narration, where it opens with
 * the whole question in view and as much of the narration above it as
 * there is room for. */
static int default_scroll(const struct ui *ui)
{
    const struct lesson_mode *m = ui->lesson;
    int h, w;
    if (m->phase != LESSON_QUESTION || !lesson_mode_pane_size(ui, &h, &w))
        return 0;
    int rows = narration_text_rows(ui->narration, w);
    if (rows <= h)
        return 0;
    int question_row = narration_text_rows(text_of(ui, &cur_step(m)->say), w);
    return question_row < rows - h ? question_row : rows - h;
}

/* A page of the narration down (dir > 0) or up, when it has more than
 * the pane shows; false when it all fits (the key then pages the ladder,
 * as it does outside a lesson). */
static bool scroll_narration(struct ui *ui, int dir)
{
    int h, w;
    if (ui->help || ui->inspector || !lesson_mode_pane_size(ui, &h, &w))
        return false;
    int hidden = narration_text_rows(ui->narration, w) - h;
    if (hidden <= 0)
        return false;
    /* A page keeps one row of the last one, so that the eye finds its
     * place again. */
    int top = ui->narration_scroll + dir * (h > 2 ? h - 1 : 1);
    ui->narration_scroll = top < 0 ? 0 : top > hidden ? hidden : top;
    return true;
}

/* ------------------------------------------------------------------ */
/* Actions */

static void back_to_lesson(struct ui *ui, bool announce)
{
    struct lesson_mode *m = ui->lesson;
    if (!leave_fork(ui))
        return;
    if (m->phase == LESSON_PLAYING) {
        at_stop(ui);
    } else if (m->phase == LESSON_REVEALING) {
        at_reveal(ui);
    } else {
        seek(ui, lesson_position(m));
    }
    if (announce)
        say(ui, "%s", tv_tr(ui->lang, "back on the lesson's path"));
}

static void go_on(struct ui *ui)
{
    struct lesson_mode *m = ui->lesson;
    if (ui->inspector) {
        ui->inspector = false;
        return;
    }
    if (off_path(ui)) {
        back_to_lesson(ui, false);
        say(ui, "%s", tv_tr(ui->lang, "back on the lesson's path: Enter goes on"));
        return;
    }
    switch (m->phase) {
    case LESSON_RESUME:
        lesson_mode_goto_step(ui, m->resume_step - 1);
        break;
    case LESSON_PLAYING:
        at_stop(ui);
        break;
    case LESSON_NARRATION:
        if (cur_step(m)->question.kind != QUESTION_NONE)
            m->phase = LESSON_QUESTION;
        else
            next_step(ui, false);
        break;
    case LESSON_QUESTION:
        if (cur_step(m)->question.kind == QUESTION_NUMBER)
            submit_number(ui);
        else
            say(ui, tv_tr(ui->lang, "answer with a letter from a to %c"),
                'a' + (int)cur_step(m)->question.noptions - 1);
        break;
    case LESSON_REVEALING:
        at_reveal(ui);
        break;
    case LESSON_EXPLAINED:
        next_step(ui, false);
        break;
    case LESSON_FINISHED:
        say(ui, "%s", tv_tr(ui->lang, "the lesson is over: m for the menu, q to quit"));
        break;
    }
}

bool lesson_mode_action(struct ui *ui, enum ui_action a)
{
    struct lesson_mode *m = ui->lesson;
    if (!m)
        return false;
    switch (a) {
    case UI_ACT_CONTINUE:
        go_on(ui);
        return true;
    case UI_ACT_AGAIN:
        if (m->phase == LESSON_RESUME)
            lesson_mode_goto_step(ui, m->resume_step - 1);
        else
            lesson_mode_goto_step(ui, m->step);
        return true;
    case UI_ACT_LESSON:
        back_to_lesson(ui, true);
        return true;
    case UI_ACT_PAGE_DOWN:
        return scroll_narration(ui, 1);
    case UI_ACT_PAGE_UP:
        return scroll_narration(ui, -1);
    case UI_ACT_PREV_STEP:
        if (m->phase == LESSON_RESUME || m->step == 0) {
            say(ui, "%s", tv_tr(ui->lang, "this is the lesson's first step"));
            lesson_mode_goto_step(ui, 0);
        } else {
            lesson_mode_goto_step(ui, m->step - 1);
        }
        return true;
    default:
        return false;
    }
}

/* ------------------------------------------------------------------ */
/* What the narration pane says */

struct text_buf {
    char *out;
    size_t n, used;
};

static void put(struct text_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct text_buf *b, const char *fmt, ...)
{
    if (b->used + 1 >= b->n)
        return;
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(b->out + b->used, b->n - b->used, fmt, ap);
    va_end(ap);
    if (k > 0)
        b->used = b->used + (size_t)k < b->n ? b->used + (size_t)k : b->n - 1;
}

/* A new paragraph (the pane keeps '\n'). */
static void para(struct text_buf *b)
{
    if (b->used)
        put(b, "\n");
}

static void put_failure(struct text_buf *b, const struct ui *ui, const char *why)
{
    para(b);
    put(b, tv_tr(ui->lang, "This lesson's claim did not hold: %s"), why);
}

static void put_failures(struct text_buf *b, const struct ui *ui, bool at_reveal_point)
{
    const struct lesson_mode *m = ui->lesson;
    const struct lesson_step_plan *sp = cur_plan(m);
    if (!at_reveal_point) {
        if (!sp->reached)
            put_failure(b, ui, sp->stop_why);
        for (size_t i = 0; i < sp->nchecks; i++)
            if (!sp->checks[i].passed)
                put_failure(b, ui, sp->checks[i].why);
        return;
    }
    if (!sp->reveal_reached)
        put_failure(b, ui, sp->reveal_why);
    if (!sp->answer_ok)
        put_failure(b, ui, sp->answer_why);
}

static void put_question(struct text_buf *b, const struct ui *ui)
{
    const struct lesson_mode *m = ui->lesson;
    const struct lesson_question *q = &cur_step(m)->question;
    para(b);
    put(b, "%s", text_of(ui, &q->text));
    for (size_t i = 0; i < q->noptions; i++) {
        para(b);
        put(b, "%c) %s", 'A' + (int)i, text_of(ui, &q->options[i].label));
    }
}

/* While the answer plays out: the question and the answer given, not all
 * the options again (the pane must hold them with the player's line). */
static void put_answer_given(struct text_buf *b, const struct ui *ui)
{
    const struct lesson_mode *m = ui->lesson;
    const struct lesson_question *q = &cur_step(m)->question;
    para(b);
    put(b, "%s", text_of(ui, &q->text));
    para(b);
    if (q->kind == QUESTION_CHOICE && m->chosen >= 0 && (size_t)m->chosen < q->noptions)
        put(b, tv_tr(ui->lang, "Your answer: %c) %s"), 'A' + m->chosen,
            text_of(ui, &q->options[m->chosen].label));
    else
        put(b, tv_tr(ui->lang, "Your answer: %s"), m->input);
}

/* One more sentence after the text so far: after a space, except next to
 * Chinese, which puts none between sentences ("答对了：B。等了一秒…"). */
static void put_sentence(struct text_buf *b, const char *text)
{
    int32_t next;
    utf8_decode(text, strlen(text), &next);
    bool cjk = utf8_is_cjk(utf8_last(b->out, b->used)) || utf8_is_cjk(next);
    put(b, "%s%s", cjk ? "" : " ", text);
}

static void put_feedback(struct text_buf *b, const struct ui *ui)
{
    const struct lesson_mode *m = ui->lesson;
    const struct lesson_question *q = &cur_step(m)->question;
    para(b);
    if (q->kind == QUESTION_CHOICE) {
        int r = right_option(m);
        if (m->right)
            put(b, tv_tr(ui->lang, "Right: %c."), 'A' + r);
        else
            put(b, tv_tr(ui->lang, "Not quite: you chose %c; the engine's answer is %c."),
                'A' + m->chosen, 'A' + r);
    } else {
        char engine[24];
        snprintf(engine, sizeof engine, "%" PRId64, right_number(m));
        if (m->right)
            put(b, tv_tr(ui->lang, "Right: %s."), engine);
        else
            put(b, tv_tr(ui->lang, "Not quite: you said %s; the engine says %s."), m->input,
                engine);
    }
    const char *explain = text_of(ui, &q->explain);
    if (explain[0]) {
        char filled[2048];
        lesson_fill_answer(explain, q, cur_plan(m), filled, sizeof filled);
        put_sentence(b, filled);
    }
}

/* What Enter or a key does now, for the pane's bottom border
 * (lesson_mode_hint); NULL when the text itself says it. */
static const char *hint_of(const struct ui *ui)
{
    const struct lesson_mode *m = ui->lesson;
    if (m->lesson.nsteps == 0)
        return NULL;
    const struct lesson_question *q = &cur_step(m)->question;
    bool last = m->step + 1 >= m->lesson.nsteps;
    switch (m->phase) {
    case LESSON_NARRATION:
        return q->kind != QUESTION_NONE ? tv_tr(ui->lang, "[Enter: the question]")
               : last                   ? tv_tr(ui->lang, "[Enter: finish the lesson]")
                                        : tv_tr(ui->lang, "[Enter: next step]");
    case LESSON_EXPLAINED:
        return last ? tv_tr(ui->lang, "[Enter: finish the lesson]")
                    : tv_tr(ui->lang, "[Enter: next step]");
    default:
        return NULL;
    }
}

void lesson_mode_hint(const struct ui *ui, char *buf, size_t len)
{
    const struct lesson_mode *m = ui->lesson;
    const char *hint = m ? hint_of(ui) : NULL;
    if (m && !hint && m->phase == LESSON_QUESTION &&
        cur_step(m)->question.kind == QUESTION_CHOICE) {
        snprintf(buf, len, tv_tr(ui->lang, "[press a letter from a to %c]"),
                 'a' + (int)cur_step(m)->question.noptions - 1);
        return;
    }
    snprintf(buf, len, "%s", hint ? hint : "");
}

/* A number question's answer is typed in the text, where the student
 * looks; the other hints go on the border (lesson_mode_hint), so that the
 * lesson's words have all the pane's rows. */
static void put_input(struct text_buf *b, const struct ui *ui)
{
    const struct lesson_mode *m = ui->lesson;
    if (m->phase != LESSON_QUESTION || cur_step(m)->question.kind != QUESTION_NUMBER)
        return;
    para(b);
    put(b, tv_tr(ui->lang, "Your answer: %s_  [digits, Backspace, Enter]"), m->input);
}

static void compose(struct ui *ui, struct text_buf *b)
{
    struct lesson_mode *m = ui->lesson;
    const struct lesson_step *st = cur_step(m);
    switch (m->phase) {
    case LESSON_RESUME:
        put(b, tv_tr(ui->lang, "You left this lesson at step %u of %zu."), m->resume_step,
            m->lesson.nsteps);
        para(b);
        put(b, "%s", tv_tr(ui->lang, "[Enter: resume there]  [b: start from the beginning]"));
        return;
    case LESSON_PLAYING:
    case LESSON_REVEALING:
        if (m->phase == LESSON_REVEALING) {
            put_answer_given(b, ui);
        } else if (m->came_from_nopause && m->step > 0) {
            put(b, "%s", text_of(ui, &m->lesson.steps[m->step - 1].say));
        }
        para(b);
        put(b, "%s", ui->playing ? tv_tr(ui->lang, "Playing... [Enter: skip ahead]")
                                 : tv_tr(ui->lang, "Paused. [Enter: skip ahead]"));
        return;
    case LESSON_NARRATION:
        if (m->came_from_nopause && m->step > 0) {
            put(b, "%s", text_of(ui, &m->lesson.steps[m->step - 1].say));
            para(b);
        }
        put(b, "%s", text_of(ui, &st->say));
        put_input(b, ui);
        put_failures(b, ui, false);
        return;
    case LESSON_QUESTION:
        /* The situation above the question, to re-read while answering;
         * when both do not fit, the pane opens on the question
         * (default_scroll) and the narration is a page up. */
        put(b, "%s", text_of(ui, &st->say));
        put_question(b, ui);
        put_input(b, ui);
        return;
    case LESSON_EXPLAINED:
        put_feedback(b, ui);
        put_input(b, ui);
        put_failures(b, ui, true);
        return;
    case LESSON_FINISHED:
        put(b, "%s", tv_tr(ui->lang, "You have finished this lesson."));
        para(b);
        put(b, "%s", tv_tr(ui->lang, "[m: the menu]  [r: the last step again]  [q: quit]"));
        return;
    }
}

void lesson_mode_before_frame(struct ui *ui)
{
    struct lesson_mode *m = ui->lesson;
    if (!m)
        return;
    if (m->lesson.nsteps > 0 && world_user_action_count(m->world) == 0) {
        const struct lesson_step_plan *sp = cur_plan(m);
        if (m->phase == LESSON_PLAYING && ui->cursor >= sp->stop &&
            (ui->playing || ui->cursor == sp->stop))
            at_stop(ui);
        else if (m->phase == LESSON_REVEALING && ui->cursor >= sp->reveal &&
                 (ui->playing || ui->cursor == sp->reveal))
            at_reveal(ui);
    }
    struct text_buf b = {ui->narration, sizeof ui->narration, 0};
    ui->narration[0] = '\0';
    if (m->lesson.nsteps == 0) {
        put(&b, "%s", tv_tr(ui->lang, "This lesson has no steps."));
        return;
    }
    compose(ui, &b);
    if (off_path(ui)) {
        para(&b);
        put(&b, "%s", tv_tr(ui->lang, "[exploring: R goes back to the lesson]"));
    }
    if (!m->shown || m->shown_step != m->step || m->shown_phase != m->phase ||
        m->shown_lang != ui->lang) {
        ui->narration_scroll = default_scroll(ui);
        m->shown = true;
        m->shown_step = m->step;
        m->shown_phase = m->phase;
        m->shown_lang = ui->lang;
    }
}

/* ------------------------------------------------------------------ */
/* The status line */

void lesson_mode_status_right(const struct ui *ui, char *buf, size_t len)
{
    const struct trace_entry *e = timeline_current(ui);
    uint64_t t = e ? e->t : 0;
    const char *glyph = ui->playing ? (ui->utf8 ? "▶" : ">") : (ui->utf8 ? "‖" : "||");
    snprintf(buf, len, "t=%" PRIu64 ".%03" PRIu64 " s  %s %s %u/s ", t / 1000000,
             t / 1000 % 1000, glyph,
             ui->playing ? tv_tr(ui->lang, "playing") : tv_tr(ui->lang, "paused"),
             1u << ui->speed);
}

void lesson_mode_status(const struct ui *ui, int room, char *buf, size_t len)
{
    const struct lesson_mode *m = ui->lesson;
    char head[64] = "", tail[64] = "", title[256];
    if (m->number)
        snprintf(head, sizeof head, tv_tr(ui->lang, "Lesson %u/%u"), m->number, m->total);
    else
        snprintf(head, sizeof head, "%s", tv_tr(ui->lang, "Lesson"));
    if (m->lesson.nsteps)
        snprintf(tail, sizeof tail, tv_tr(ui->lang, "step %zu/%zu"), m->step + 1,
                 m->lesson.nsteps);
    draw_sanitize(title, sizeof title, text_of(ui, &m->lesson.title));
    /* Shorten the title, a character at a time, until the line fits. */
    int fixed = draw_text_width(head) + 2 + 2 + draw_text_width(tail);
    size_t tl = strlen(title);
    while (tl > 0 && draw_text_width(title) > room - fixed) {
        do
            tl--;
        while (tl > 0 && ((unsigned char)title[tl] & 0xC0) == 0x80);
        title[tl] = '\0';
    }
    snprintf(buf, len, "%s  %s%s%s", head, title, tl ? "  " : "", tail);
}
