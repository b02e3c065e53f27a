/* Lessons: a scenario plus a header and steps (docs/lesson-format.md).
 *
 * The lesson parser reads the same files as the scenario parser and more:
 * a file without a `lesson` line is a plain scenario (is_lesson false, no
 * steps), so the command line can hand any file to lesson_parse_file.
 *
 * Every error names the file and the line and says what was expected; on
 * failure the partial lesson is freed and *out is empty (lesson_free on it
 * again is harmless). */
#ifndef TCPVIZ_LESSON_LESSON_H
#define TCPVIZ_LESSON_LESSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "i18n/i18n.h"
#include "sim/scenario.h"

#define LESSON_ID_MAX 32
#define LESSON_MAX_OPTIONS 6
#define LESSON_MAX_REQUIRES 8

/* Text in every language: owned UTF-8, paragraphs separated by '\n',
 * never NULL after a successful parse (both languages are required). */
struct lesson_text {
    char *text[LANG_COUNT];
    unsigned line;            /* the opener's line */
};

/* Where a run (or a reveal) stops. */
enum lesson_run_kind {
    RUN_NONE = 0,     /* stay where the previous step stopped */
    RUN_UNTIL_EVENT,  /* until trigger happens (its nth counted from the step's start) */
    RUN_UNTIL_TIME,   /* the last event at or before `t` (absolute, µs) */
    RUN_FOR,          /* the last event at most `t` µs after the start */
    RUN_TO_END,       /* the last event of the run */
};

struct lesson_run {
    enum lesson_run_kind kind;
    struct scn_trigger trigger;   /* RUN_UNTIL_EVENT: kind TRIG_STATE/TIMER/SENT/RECEIVED/EOF/ERROR */
    uint64_t t;
    unsigned line;
};

enum lesson_check_kind {
    CHECK_EXPECT,     /* `expect HOST CHECK...` at the stopping point */
    CHECK_SEEN,       /* `seen HOST EVENT`: happened during the step's run (nth times) */
    CHECK_UNSEEN,     /* `unseen HOST EVENT`: did not happen during the step's run */
    CHECK_TIME,       /* `time OP DURATION`: the virtual time of the stopping point */
};

struct lesson_check {
    enum lesson_check_kind kind;
    struct scn_action expect;     /* CHECK_EXPECT: an ACT_EXPECT action */
    struct scn_trigger event;     /* CHECK_SEEN / CHECK_UNSEEN */
    enum scn_cmp time_cmp;        /* CHECK_TIME: t_stop OP time_us, exact microseconds */
    uint64_t time_us;
    unsigned line;
};

enum lesson_question_kind { QUESTION_NONE = 0, QUESTION_NUMBER, QUESTION_CHOICE };

struct lesson_option {
    struct lesson_text label;
    bool has_when;
    struct scn_action when;       /* an ACT_EXPECT action, checked at the reveal point */
    unsigned line;
};

struct lesson_question {
    enum lesson_question_kind kind;
    struct lesson_text text;
    /* QUESTION_CHOICE */
    size_t noptions;
    struct lesson_option options[LESSON_MAX_OPTIONS];
    int answer_option;            /* 0 = A */
    /* QUESTION_NUMBER: "answer NUMBER from HOST KEY" */
    int64_t answer_number;
    int answer_host;
    char answer_key[SCN_NAME_MAX]; /* an expect key, or sent_seq/sent_ack/sent_win/sent_len */
    unsigned answer_line;
    struct lesson_run reveal;     /* RUN_NONE: reveal at the stopping point */
    struct lesson_text explain;   /* text[] NULL when there is no explain block */
    unsigned line;
};

struct lesson_step {
    char name[LESSON_ID_MAX];     /* optional, "" if none */
    struct lesson_text say;
    struct lesson_run run;
    bool pause;                   /* wait for the student at the end (default true) */
    size_t nchecks;
    struct lesson_check *checks;  /* owned */
    struct lesson_question question;
    unsigned line;
};

/* The menu groups, in menu order. */
enum lesson_topic {
    TOPIC_CONNECT, TOPIC_CLOSE, TOPIC_IDLE, TOPIC_RELIABILITY, TOPIC_FLOW,
    TOPIC_CONGESTION, TOPIC_SEGMENT, TOPIC_COUNT
};

struct lesson {
    struct scenario scn;          /* the scenario part (scn.file is the path) */
    bool is_lesson;               /* the file has a `lesson` line */
    char id[LESSON_ID_MAX];
    struct lesson_text title;
    struct lesson_text summary;   /* text[] NULL when absent */
    enum lesson_topic topic;
    unsigned number;              /* place in the course; 0 = none given */
    unsigned minutes;
    size_t nrequires;
    char requires[LESSON_MAX_REQUIRES][LESSON_ID_MAX];
    size_t nsteps;
    struct lesson_step *steps;    /* owned */
};

/* 0 on success; -1 with err = "FILE:LINE: what was expected" (or
 * "FILE: cannot open: ..."). */
int lesson_parse_file(const char *path, struct lesson *out, char *err, size_t errlen);
int lesson_parse_buffer(const char *name, const char *text, size_t len, struct lesson *out,
                        char *err, size_t errlen);
void lesson_free(struct lesson *l);

/* Lesson ids and step names: lower-case ASCII letters, digits and '-', not
 * starting with '-', at most LESSON_ID_MAX - 1 of them, so that `tcpviz ID`
 * and file names stay simple (ASCII whatever the locale). */
bool lesson_id_valid(const char *id);

/* A text in a language, falling back to English; "" if absent. */
const char *lesson_text_get(const struct lesson_text *t, enum tv_lang lang);

/* Topic names: the word of the file ("connect") and the menu heading in a
 * language ("Opening a connection" / "建立连接"). */
const char *lesson_topic_word(enum lesson_topic t);
const char *lesson_topic_heading(enum lesson_topic t, enum tv_lang lang);
int lesson_topic_from_word(const char *word);   /* -1 if unknown */

#endif
