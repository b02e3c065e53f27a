/* Running a lesson: where each step stops, and whether its claims hold.
 *
 * A lesson's steps only observe one deterministic run of its scenario, so
 * the whole course through a lesson is a list of trace indexes computed
 * once: the UI seeks to them (world_seek), the headless runner and the
 * tests print and verify them.  An index is a cursor in the UI's sense:
 * the world's state is the state right after the step that recorded that
 * trace event.
 *
 * lesson_plan_build runs the world forward from wherever it is (a fresh
 * world: from t=0) to the last stopping point, seeking back to each
 * stopping point to evaluate its checkpoints and answers there.  The world
 * must record its trace and packets (the defaults).  Afterwards the world
 * is at the last stopping point. */
#ifndef TCPVIZ_LESSON_LESSON_RUN_H
#define TCPVIZ_LESSON_LESSON_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lesson/lesson.h"
#include "sim/world.h"

#define LESSON_FAILURE_MAX 256

struct lesson_check_result {
    bool passed;
    char why[LESSON_FAILURE_MAX];  /* on failure: "FILE:LINE: expect client state=SYN_SENT:
                                    * client is in ESTABLISHED" */
};

struct lesson_step_plan {
    size_t start;             /* the cursor where the step begins: the previous step's end,
                               * which is its reveal point when it asks a question */
    size_t stop;              /* where its run stops: the narration's moment */
    size_t reveal;            /* where the question's reveal stops (== stop without one) */
    uint64_t t_stop, t_reveal;/* virtual times of those events, µs */
    bool reached;             /* the run's event happened (RUN_UNTIL_EVENT); else true */
    bool reveal_reached;
    size_t nchecks;           /* == step->nchecks */
    struct lesson_check_result *checks; /* owned */
    /* The question, as the engine answers it. */
    bool answer_known;        /* the engine had a value (number) / a single true option (choice) */
    int64_t engine_number;    /* QUESTION_NUMBER: KEY on HOST at the reveal point */
    int engine_option;        /* QUESTION_CHOICE: the option the engine's state picks
                               * (the stated one when no option has `when`) */
    bool answer_ok;           /* the lesson's stated answer equals the engine's */
    char answer_why[LESSON_FAILURE_MAX]; /* when !answer_ok */
    /* When !reached / !reveal_reached: "FILE:LINE: run until client
     * sent=SYN: its event never happened before the run ended (t=3.000 s)". */
    char stop_why[LESSON_FAILURE_MAX], reveal_why[LESSON_FAILURE_MAX];
};

struct lesson_plan {
    size_t nsteps;
    struct lesson_step_plan *steps; /* owned */
    unsigned claims, failed;  /* checkpoints + stated answers + stopping points, and failures */
};

/* 0 when the plan was built (failed claims are in the plan); -1 with err
 * when it could not be (out of memory, the world does not record). */
int lesson_plan_build(const struct lesson *l, struct world *w, struct lesson_plan *out,
                      char *err, size_t errlen);
void lesson_plan_free(struct lesson_plan *p);

/* Every failed claim of the plan, one "FILE:LINE: ..." line each, in file
 * order (what `tcpviz --check LESSON` prints). */
void lesson_plan_print_failures(FILE *out, const struct lesson *l, const struct lesson_plan *p);

/* The text with "{answer}" replaced by the engine's answer (a number, or
 * the option letter), sanitised of control characters except '\n'.
 * Writes at most n bytes with the terminator. */
void lesson_fill_answer(const char *text, const struct lesson_question *q,
                        const struct lesson_step_plan *sp, char *out, size_t n);

/* The lesson as a plain-text transcript in one language: header, each
 * step's narration, checkpoints with their results, questions, options,
 * the engine's answers and explanations, and a closing line
 * "N claims, N failed".  This is `tcpviz --batch LESSON`. */
void lesson_print_transcript(FILE *out, const struct lesson *l, const struct lesson_plan *p,
                             enum tv_lang lang);

#endif
