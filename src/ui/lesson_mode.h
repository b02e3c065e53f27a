/* Lesson mode: the normal UI on a lesson's world, led through its steps.
 *
 * The lesson's course through its one deterministic run is computed once
 * (lesson_plan_build: a cursor where each step starts, stops and reveals);
 * lesson mode only moves the UI's cursor along it and says what the step
 * says.  A step goes through phases:
 *
 *   PLAYING    the world plays from the step's start to its stop (at the
 *              play speed; Enter skips ahead; in --script and tests it
 *              jumps, since time does not pass there)
 *   NARRATION  the step's narration; Enter goes on (to the question, if
 *              the step has one, else to the next step)
 *   QUESTION   waits for an answer: a-f or 1-6 for a choice, digits,
 *              Backspace and Enter for a number
 *   REVEALING  plays on to the reveal point
 *   EXPLAINED  right / not quite, the engine's answer and the explanation;
 *              Enter goes on
 * and a lesson may begin with RESUME (the student left it at step N:
 * Enter resumes there, b starts over) and end with FINISHED.
 *
 * Free exploration works at every point with every key of the UI; "back
 * to the lesson" (R) leaves a fork by rebuilding the world from the
 * scenario and puts the cursor back where the lesson was.
 *
 * Enter is the "continue" action.  It used to open the inspector, which
 * `i` still does; outside a lesson Enter keeps doing that, and in a lesson
 * with the inspector open Enter closes it first, so that it never does two
 * things at once. */
#ifndef TCPVIZ_UI_LESSON_MODE_H
#define TCPVIZ_UI_LESSON_MODE_H

#include <stdbool.h>
#include <stddef.h>

#include "lesson/lesson.h"
#include "lesson/lesson_run.h"
#include "lesson/progress.h"
#include "ui/actions.h"
#include "ui/ui.h"

enum lesson_phase {
    LESSON_RESUME = 0,
    LESSON_PLAYING,
    LESSON_NARRATION,
    LESSON_QUESTION,
    LESSON_REVEALING,
    LESSON_EXPLAINED,
    LESSON_FINISHED,
};

#define LESSON_INPUT_MAX 20

struct lesson_mode {
    struct lesson lesson;         /* owned */
    struct lesson_plan plan;      /* owned */
    struct world *world;          /* owned; ui->world while the lesson is open */
    uint64_t seed;
    unsigned number, total;       /* "Lesson 3/18" */
    bool animate;                 /* play the steps (else jump to their stops) */

    size_t step;                  /* 0-based */
    enum lesson_phase phase;
    unsigned resume_step;         /* LESSON_RESUME: the step to resume at (1-based) */
    bool answered, right;
    int chosen;                   /* the option picked, 0 = A */
    char input[LESSON_INPUT_MAX]; /* the number being typed */
    size_t ninput;
    bool came_from_nopause;       /* the previous step went on by itself */

    struct progress *progress;    /* the course's, NULL: not saved */

    /* The pane's text scrolls when it does not fit (ui->narration_scroll);
     * a new step, phase or language starts it afresh at its default. */
    bool shown;                   /* the fields below say what was shown last */
    size_t shown_step;
    enum lesson_phase shown_phase;
    enum tv_lang shown_lang;
};

/* Open lesson l (moved into the mode; *l is left empty): a world on its
 * scenario and its plan.  Returns NULL with err on failure (l freed).
 * progress may be NULL. */
struct lesson_mode *lesson_mode_open(struct lesson *l, uint64_t seed, unsigned number,
                                     unsigned total, bool animate, struct progress *progress,
                                     char *err, size_t errlen);
void lesson_mode_free(struct lesson_mode *m);

/* Put the UI on the lesson: ui->world, ui->scn and ui->lesson, then the
 * first step (or the resume offer when the progress says the student left
 * it part-way). */
void lesson_mode_enter(struct lesson_mode *m, struct ui *ui);

/* Before each frame: phase changes while the world plays, and the text of
 * the narration pane. */
void lesson_mode_before_frame(struct ui *ui);
/* A key the lesson wants before the action table (an answer, the resume
 * offer's b); true when it took it. */
bool lesson_mode_key(struct ui *ui, int key);
/* The lesson actions (continue, again, lesson, prev-step; page-down and
 * page-up scroll the narration pane while its text does not fit, unless
 * the help or the inspector is up); true when it handled the action. */
bool lesson_mode_action(struct ui *ui, enum ui_action a);

/* The status line's title in at most `room` columns: "Lesson 3/18  When
 * the SYN is lost  step 2/7" (the title is shortened first). */
void lesson_mode_status(const struct ui *ui, int room, char *buf, size_t len);

/* The status line's right part in a lesson: the time and the player,
 * without the event counter, to leave the lesson's title its room. */
void lesson_mode_status_right(const struct ui *ui, char *buf, size_t len);

/* What the keys do now ("[Enter: next step]", "[press a letter from a to
 * c]"), for the narration pane's bottom border; "" when the text says it
 * (a number being typed, playing) or outside the steps. */
void lesson_mode_hint(const struct ui *ui, char *buf, size_t len);

/* The narration pane's inside at the current screen size (LINES x COLS):
 * false when the screen has no narration pane (too small). */
bool lesson_mode_pane_size(const struct ui *ui, int *h, int *w);

/* Go to step i (0-based) from its start. */
void lesson_mode_goto_step(struct ui *ui, size_t i);

#endif
