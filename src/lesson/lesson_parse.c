/* Lesson file parser (docs/lesson-format.md).
 *
 * A lesson is a scenario file with more kinds of lines, so this parser is
 * an extension of the scenario parser rather than a second one: the
 * scenario parser reads the file, cuts each line into tokens and shows it
 * here first (lesson_line); what is not a lesson line goes on to the
 * scenario grammar.  That keeps one tokenizer, one set of rules for
 * comments, quotes and UTF-8, and one FILE:LINE error style.
 *
 * Text lines (`en`, `zh`) belong to the last *opener* above them (step,
 * question, option, explain, summary).  An opener is checked for both
 * languages when the next one opens and at the end of the file, and the
 * error names the opener's line, which is where the teacher will look. */
#include "lesson/lesson.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lesson/scenario_parse.h"
#include "util/array.h"
#include "util/utf8.h"

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

#define LESSON_NUMBER_MAX 999u
#define LESSON_MINUTES_MAX 600u

/* Where in the file the parser is. */
enum lesson_part {
    PART_START,     /* nothing but comments so far */
    PART_SCENARIO,  /* a plain scenario file: no `lesson` line came first */
    PART_HEADER,    /* after `lesson`: header and scenario lines */
    PART_STEPS,     /* after the first `step` */
};

/* The opener that text lines currently belong to. */
enum opener {
    OPEN_NONE, OPEN_SUMMARY, OPEN_STEP, OPEN_QUESTION, OPEN_OPTION, OPEN_EXPLAIN,
};

static const char *const opener_names[] = {
    [OPEN_NONE] = "", [OPEN_SUMMARY] = "summary", [OPEN_STEP] = "step",
    [OPEN_QUESTION] = "question", [OPEN_OPTION] = "option", [OPEN_EXPLAIN] = "explain",
};

struct lesson_parser {
    struct lesson *l;
    enum lesson_part part;
    unsigned first_line;          /* the first line that is not a comment */
    unsigned lesson_line;
    unsigned title_line[LANG_COUNT];
    unsigned topic_line, number_line, minutes_line, requires_line, summary_line;
    size_t steps_cap, checks_cap; /* checks_cap: of the last step */
    enum opener open;
    bool paragraph_pending[LANG_COUNT]; /* an empty text line asked for a new paragraph */
    unsigned answer_letter_line;  /* for the range check when the step ends */
};

/* ------------------------------------------------------------------------ */
/* Small checks                                                              */

bool lesson_id_valid(const char *id)
{
    size_t len = strlen(id);
    if (len == 0 || len >= LESSON_ID_MAX || id[0] == '-')
        return false;
    for (size_t i = 0; i < len; i++)
        if (!((id[i] >= 'a' && id[i] <= 'z') || (id[i] >= '0' && id[i] <= '9') || id[i] == '-'))
            return false;
    return true;
}

static int need_id(struct scenario_ext_line *line, const char *text, const char *what, char *out)
{
    if (!lesson_id_valid(text))
        return scenario_ext_fail(line, "bad %s '%.60s': expected lower-case letters, digits and '-', "
                                       "at most %d characters, like syn-lost",
                                 what, text, LESSON_ID_MAX - 1);
    memcpy(out, text, strlen(text) + 1);
    return 0;
}

static int once(struct scenario_ext_line *line, unsigned *seen_at, const char *what)
{
    if (*seen_at)
        return scenario_ext_fail(line, "%s given twice (first at line %u)", what, *seen_at);
    *seen_at = scenario_ext_lineno(line);
    return 0;
}

/* "en", "zh" or "zh_CN"; -1 for anything else. */
static int lang_word(const char *word)
{
    if (!word)
        return -1;
    if (strcmp(word, "en") == 0)
        return LANG_EN;
    if (strcmp(word, "zh") == 0 || strcmp(word, "zh_CN") == 0)
        return LANG_ZH_CN;
    return -1;
}

/* Text reaches the terminal, so control characters (C0, DEL and the C1
 * range, which UTF-8 writes as C2 80..C2 9F) are refused here; a tab is
 * allowed and laid out as a space by whoever draws it. */
static int need_plain_text(struct scenario_ext_line *line, const char *text)
{
    size_t len = strlen(text);
    for (size_t at = 0; at < len;) {
        int32_t cp;
        at += utf8_decode(text + at, len - at, &cp);
        if (cp != '\t' && utf8_is_control(cp))
            return scenario_ext_fail(line, "control character U+%04X in the text (expected plain text)",
                                     (unsigned)cp);
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Text in two languages                                                     */

static struct lesson_step *last_step(struct lesson_parser *lp)
{
    return lp->l->nsteps ? &lp->l->steps[lp->l->nsteps - 1] : NULL;
}

/* The text the current opener collects.  Resolved each time, because the
 * steps array moves when it grows. */
static struct lesson_text *open_text(struct lesson_parser *lp)
{
    struct lesson_step *st = last_step(lp);
    switch (lp->open) {
    case OPEN_SUMMARY:
        return &lp->l->summary;
    case OPEN_STEP:
        return &st->say;
    case OPEN_QUESTION:
        return &st->question.text;
    case OPEN_OPTION:
        return &st->question.options[st->question.noptions - 1].label;
    case OPEN_EXPLAIN:
        return &st->question.explain;
    default:
        return NULL;
    }
}

static bool has_text(const struct lesson_text *t, int lang)
{
    return t->text[lang] && t->text[lang][0];
}

/* An opener is complete when it has text in every language. */
static int close_opener(struct lesson_parser *lp, struct scenario_ext_line *line)
{
    const struct lesson_text *t = open_text(lp);
    const char *what = opener_names[lp->open];
    lp->open = OPEN_NONE;
    if (!t)
        return 0;
    bool en = has_text(t, LANG_EN), zh = has_text(t, LANG_ZH_CN);
    if (!en && !zh)
        return scenario_ext_fail_at(line, t->line, "%s has no text (add 'en' and 'zh' lines after it)",
                                    what);
    if (!zh)
        return scenario_ext_fail_at(line, t->line, "%s has English text but no Chinese (add a 'zh' line)",
                                    what);
    if (!en)
        return scenario_ext_fail_at(line, t->line,
                                    "%s has Chinese text but no English (add an 'en' line)", what);
    return 0;
}

static int open_opener(struct lesson_parser *lp, struct scenario_ext_line *line, enum opener which)
{
    if (close_opener(lp, line) < 0)
        return -1;
    lp->open = which;
    for (int i = 0; i < LANG_COUNT; i++)
        lp->paragraph_pending[i] = false;
    open_text(lp)->line = scenario_ext_lineno(line);
    return 0;
}

/* Does text begin with a Chinese or Japanese character? */
static bool starts_cjk(const char *text, size_t len)
{
    int32_t cp;
    utf8_decode(text, len, &cp);
    return utf8_is_cjk(cp);
}

/* Lines of one language join with a space, but none between two pieces of
 * Chinese: it is written without spaces between words (utf8_is_cjk).  An
 * empty line starts a new paragraph ('\n') before the next text, never at
 * the start or the end. */
static int append_text(struct lesson_parser *lp, struct scenario_ext_line *line,
                       struct lesson_text *t, int lang, const char *piece)
{
    if (!piece[0]) {
        lp->paragraph_pending[lang] = has_text(t, lang);
        return 0;
    }
    char **dst = &t->text[lang];
    size_t old = *dst ? strlen(*dst) : 0, add = strlen(piece);
    char *grown = realloc(*dst, old + 1 + add + 1);
    if (!grown)
        return scenario_ext_fail(line, "out of memory");
    if (old && lp->paragraph_pending[lang])
        grown[old++] = '\n';
    else if (old && !utf8_is_cjk(utf8_last(grown, old)) && !starts_cjk(piece, add))
        grown[old++] = ' ';
    memcpy(grown + old, piece, add + 1);
    *dst = grown;
    lp->paragraph_pending[lang] = false;
    return 0;
}

static int text_line(struct lesson_parser *lp, struct scenario_ext_line *line)
{
    const char *word = scenario_ext_tok(line, 0);
    int lang = lang_word(word);
    struct lesson_text *t = open_text(lp);
    if (!t)
        return scenario_ext_fail(line, "'%s' text belongs to nothing: text lines follow a step, question, "
                                       "option, explain or summary line", word);
    char *piece;
    if (scenario_ext_text(line, 1, word, &piece) < 0)
        return -1;
    int rc = need_plain_text(line, piece);
    if (rc == 0)
        rc = append_text(lp, line, t, lang, piece);
    free(piece);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* The header                                                                */

static int header_lesson(struct lesson_parser *lp, struct scenario_ext_line *line)
{
    if (once(line, &lp->lesson_line, "lesson") < 0)
        return -1;
    if (!scenario_ext_tok(line, 1))
        return scenario_ext_fail(line, "lesson needs an id, like 'lesson syn-lost'");
    if (need_id(line, scenario_ext_tok(line, 1), "lesson id", lp->l->id) < 0)
        return -1;
    return scenario_ext_no_more(line, 2, "the lesson id");
}

static int header_title(struct lesson_parser *lp, struct scenario_ext_line *line)
{
    int lang = lang_word(scenario_ext_tok(line, 1));
    if (lang < 0)
        return scenario_ext_fail(line, "a lesson's title is given in both languages: write 'title en TEXT' "
                                       "and 'title zh TEXT'");
    char what[16];
    snprintf(what, sizeof what, "title %s", scenario_ext_tok(line, 1));
    if (once(line, &lp->title_line[lang], lang == LANG_EN ? "title en" : "title zh") < 0)
        return -1;
    char *text;
    if (scenario_ext_text(line, 2, what, &text) < 0)
        return -1;
    lp->l->title.text[lang] = text;
    if (!text[0])
        return scenario_ext_fail(line, "%s needs some text after it", what);
    if (!lp->l->title.line)
        lp->l->title.line = scenario_ext_lineno(line);
    return need_plain_text(line, text);
}

static int header_topic(struct lesson_parser *lp, struct scenario_ext_line *line)
{
    if (once(line, &lp->topic_line, "topic") < 0)
        return -1;
    const char *word = scenario_ext_tok(line, 1);
    int t = lesson_topic_from_word(word);
    if (t < 0) {
        char known[128] = "";
        for (int k = 0; k < TOPIC_COUNT; k++) {
            size_t used = strlen(known);
            snprintf(known + used, sizeof known - used, "%s%s", k ? " " : "",
                     lesson_topic_word((enum lesson_topic)k));
        }
        return scenario_ext_fail(line, "%s topic '%.60s' (topics: %s)", word ? "unknown" : "missing",
                                 word ? word : "", known);
    }
    lp->l->topic = (enum lesson_topic)t;
    return scenario_ext_no_more(line, 2, "the topic");
}

static int header_count(struct scenario_ext_line *line, unsigned *seen_at, const char *what,
                        unsigned max, unsigned *out)
{
    uint64_t n;
    if (once(line, seen_at, what) < 0 || scenario_ext_count(line, 1, what, max, &n) < 0)
        return -1;
    if (n == 0)
        return scenario_ext_fail(line, "%s must be at least 1", what);
    *out = (unsigned)n;
    return scenario_ext_no_more(line, 2, what);
}

static int header_number(struct lesson_parser *lp, struct scenario_ext_line *line)
{
    return header_count(line, &lp->number_line, "number", LESSON_NUMBER_MAX, &lp->l->number);
}

static int header_minutes(struct lesson_parser *lp, struct scenario_ext_line *line)
{
    return header_count(line, &lp->minutes_line, "minutes", LESSON_MINUTES_MAX, &lp->l->minutes);
}

static int header_requires(struct lesson_parser *lp, struct scenario_ext_line *line)
{
    struct lesson *l = lp->l;
    if (once(line, &lp->requires_line, "requires") < 0)
        return -1;
    if (!scenario_ext_tok(line, 1))
        return scenario_ext_fail(line, "requires needs lesson ids, like 'requires handshake'");
    for (size_t i = 1; scenario_ext_tok(line, i); i++) {
        const char *id = scenario_ext_tok(line, i);
        if (l->nrequires >= LESSON_MAX_REQUIRES)
            return scenario_ext_fail(line, "too many required lessons (at most %d)", LESSON_MAX_REQUIRES);
        if (need_id(line, id, "lesson id", l->requires[l->nrequires]) < 0)
            return -1;
        if (strcmp(id, l->id) == 0)
            return scenario_ext_fail(line, "a lesson cannot require itself ('%s')", id);
        for (size_t k = 0; k < l->nrequires; k++)
            if (strcmp(l->requires[k], id) == 0)
                return scenario_ext_fail(line, "'%s' is required twice", id);
        l->nrequires++;
    }
    return 0;
}

static int header_summary(struct lesson_parser *lp, struct scenario_ext_line *line)
{
    if (once(line, &lp->summary_line, "summary") < 0 ||
        scenario_ext_no_more(line, 1, "summary (its text goes on 'en' and 'zh' lines below it)") < 0)
        return -1;
    return open_opener(lp, line, OPEN_SUMMARY);
}

/* ------------------------------------------------------------------------ */
/* Where a run stops: until EVENT, until TIME, until end, for DURATION         */

static int parse_run(struct scenario_ext_line *line, const char *what, struct lesson_run *run)
{
    const char *how = scenario_ext_tok(line, 1), *where = scenario_ext_tok(line, 2);
    memset(run, 0, sizeof *run);
    run->line = scenario_ext_lineno(line);
    if (how && strcmp(how, "for") == 0) {
        run->kind = RUN_FOR;
        if (scenario_ext_duration(line, 2, &run->t) < 0)
            return -1;
        return scenario_ext_no_more(line, 3, "the duration");
    }
    if (!how || strcmp(how, "until") != 0 || !where)
        return scenario_ext_fail(line, "expected '%s until HOST EVENT', '%s until TIME', '%s until end' "
                                       "or '%s for DURATION'", what, what, what, what);
    if (strcmp(where, "end") == 0) {
        run->kind = RUN_TO_END;
        return scenario_ext_no_more(line, 3, "end");
    }
    if (isdigit((unsigned char)where[0])) {
        run->kind = RUN_UNTIL_TIME;
        if (scenario_ext_duration(line, 2, &run->t) < 0 ||
            scenario_ext_no_more(line, 3, "the time") < 0)
            return -1;
        if (run->t > scenario_ext_scenario(line)->duration)
            return scenario_ext_fail(line, "%s until %s: that is after the end of the run (see 'duration')",
                                     what, where);
        return 0;
    }
    run->kind = RUN_UNTIL_EVENT;
    return scenario_ext_event(line, 2, &run->trigger);
}

/* ------------------------------------------------------------------------ */
/* Steps                                                                     */

/* A finished question must be answerable. */
static int check_question(struct lesson_parser *lp, struct scenario_ext_line *line,
                          const struct lesson_question *q)
{
    if (q->kind == QUESTION_CHOICE) {
        if (q->noptions < 2)
            return scenario_ext_fail_at(line, q->line, "a choice question needs at least 2 options "
                                                       "(this one has %zu)", q->noptions);
        if (!q->answer_line)
            return scenario_ext_fail_at(line, q->line, "choice question without an answer "
                                                       "(add 'answer LETTER', like 'answer B')");
        if ((size_t)q->answer_option >= q->noptions)
            return scenario_ext_fail_at(line, lp->answer_letter_line,
                                        "answer %c: the question has only %zu options (A to %c)",
                                        'A' + q->answer_option, q->noptions,
                                        (int)('A' + q->noptions - 1));
    } else if (q->kind == QUESTION_NUMBER && !q->answer_line) {
        return scenario_ext_fail_at(line, q->line, "number question without an answer (add "
                                                   "'answer NUMBER from HOST KEY', like "
                                                   "'answer 1001 from server sent_ack')");
    }
    return 0;
}

static int close_step(struct lesson_parser *lp, struct scenario_ext_line *line)
{
    struct lesson_step *st = last_step(lp);
    if (close_opener(lp, line) < 0)
        return -1;
    return st ? check_question(lp, line, &st->question) : 0;
}

static int step_start(struct lesson_parser *lp, struct scenario_ext_line *line)
{
    struct lesson *l = lp->l;
    if (close_step(lp, line) < 0)
        return -1;
    if (l->nsteps == lp->steps_cap) {
        struct lesson_step *grown = array_grow(l->steps, &lp->steps_cap, sizeof *grown, 16);
        if (!grown)
            return scenario_ext_fail(line, "out of memory");
        l->steps = grown;
    }
    struct lesson_step *st = &l->steps[l->nsteps++];
    memset(st, 0, sizeof *st);
    st->pause = true;
    st->line = scenario_ext_lineno(line);
    lp->checks_cap = 0;
    lp->part = PART_STEPS;
    const char *name = scenario_ext_tok(line, 1);
    if (name) {
        if (need_id(line, name, "step name", st->name) < 0 ||
            scenario_ext_no_more(line, 2, "the step name") < 0)
            return -1;
        for (size_t i = 0; i + 1 < l->nsteps; i++)
            if (strcmp(l->steps[i].name, name) == 0)
                return scenario_ext_fail(line, "duplicate step name '%s' (first at line %u)", name,
                                         l->steps[i].line);
    }
    return open_opener(lp, line, OPEN_STEP);
}

static int step_run(struct lesson_parser *lp, struct scenario_ext_line *line)
{
    struct lesson_step *st = last_step(lp);
    if (st->run.line)
        return scenario_ext_fail(line, "a step has one run line (the first is at line %u)", st->run.line);
    return parse_run(line, "run", &st->run);
}

static struct lesson_check *new_check(struct lesson_parser *lp, struct scenario_ext_line *line,
                                      enum lesson_check_kind kind)
{
    struct lesson_step *st = last_step(lp);
    if (st->nchecks == lp->checks_cap) {
        struct lesson_check *grown = array_grow(st->checks, &lp->checks_cap, sizeof *grown, 4);
        if (!grown) {
            scenario_ext_fail(line, "out of memory");
            return NULL;
        }
        st->checks = grown;
    }
    struct lesson_check *c = &st->checks[st->nchecks++];
    memset(c, 0, sizeof *c);
    c->kind = kind;
    c->line = scenario_ext_lineno(line);
    return c;
}

static int step_expect(struct lesson_parser *lp, struct scenario_ext_line *line)
{
    struct lesson_check *c = new_check(lp, line, CHECK_EXPECT);
    return c ? scenario_ext_expect(line, 1, &c->expect) : -1;
}

static int step_seen(struct lesson_parser *lp, struct scenario_ext_line *line)
{
    bool seen = strcmp(scenario_ext_tok(line, 0), "seen") == 0;
    struct lesson_check *c = new_check(lp, line, seen ? CHECK_SEEN : CHECK_UNSEEN);
    if (!c || scenario_ext_event(line, 1, &c->event) < 0)
        return -1;
    /* "Not even once" is the only count unseen can mean. */
    if (!seen && c->event.nth != 1)
        return scenario_ext_fail(line, "unseen takes no nth= (it means the event did not happen "
                                       "at all during the step)");
    return 0;
}

/* "=", "<=" ... at the start of text: its comparison and length, or 0. */
static size_t comparison_at(const char *text, enum scn_cmp *cmp)
{
    static const enum scn_cmp all[] = { CMP_EQ, CMP_NE, CMP_LT, CMP_LE, CMP_GT, CMP_GE };
    size_t len = strspn(text, "=!<>");
    for (size_t i = 0; i < COUNT_OF(all); i++) {
        const char *op = scn_cmp_text(all[i]);
        if (strlen(op) == len && strncmp(op, text, len) == 0) {
            *cmp = all[i];
            return len;
        }
    }
    return 0;
}

/* Is word a time check ("time=1.12s", "time>=2h")?  It is one token,
 * written without spaces like the terms of an expect line. */
static bool is_time_term(const char *word)
{
    return strncmp(word, "time", 4) == 0 && word[4] && strchr("=!<>", word[4]);
}

/* One "timeOPDURATION" term into a CHECK_TIME. */
static int parse_time_term(struct scenario_ext_line *line, const char *term,
                           struct lesson_check *c)
{
    if (!is_time_term(term))
        return scenario_ext_fail(line, "expected 'time OP DURATION' without spaces, like time=1.12s "
                                       "or time>=2h, got '%.60s'", term);
    size_t op_len = comparison_at(term + 4, &c->time_cmp);
    if (op_len == 0)
        return scenario_ext_fail(line, "bad operator in '%.60s' (expected one of = != < <= > >=)", term);
    const char *value = term + 4 + op_len;
    if (!*value)
        return scenario_ext_fail(line, "missing duration after '%.60s', like time=1.12s", term);
    if (scenario_parse_duration(value, &c->time_us) < 0)
        return scenario_ext_fail(line, "bad time '%.60s' in '%.60s': expected whole microseconds with a "
                                       "unit (us, ms, s, min, h), like time=1.12s", value, term);
    /* A stopping point lies within the run: a time after its end can
     * never be reached, which is a mistake in writing, not in the engine. */
    uint64_t end = scenario_ext_scenario(line)->duration;
    bool needs_later = c->time_cmp == CMP_EQ || c->time_cmp == CMP_GE || c->time_cmp == CMP_GT;
    if (needs_later && c->time_us > end)
        return scenario_ext_fail(line, "%.60s: that is after the end of the run (see 'duration')", term);
    return 0;
}

/* `time=1.12s`: a checkpoint on the virtual time of the step's stopping
 * point.  Several terms may share the line (time>=1.1s time<1.2s); each
 * is a check of its own. */
static int step_time(struct lesson_parser *lp, struct scenario_ext_line *line)
{
    if (strcmp(scenario_ext_tok(line, 0), "time") == 0)
        return scenario_ext_fail(line, "write a time check without spaces, like time=1.12s or "
                                       "time>=2h");
    for (size_t i = 0; scenario_ext_tok(line, i); i++) {
        struct lesson_check *c = new_check(lp, line, CHECK_TIME);
        if (!c || parse_time_term(line, scenario_ext_tok(line, i), c) < 0)
            return -1;
    }
    return 0;
}

static int step_nopause(struct lesson_parser *lp, struct scenario_ext_line *line)
{
    struct lesson_step *st = last_step(lp);
    if (!st->pause)
        return scenario_ext_fail(line, "nopause given twice in one step");
    st->pause = false;
    return scenario_ext_no_more(line, 1, "nopause");
}

static int step_question(struct lesson_parser *lp, struct scenario_ext_line *line)
{
    struct lesson_question *q = &last_step(lp)->question;
    const char *kind = scenario_ext_tok(line, 1);
    if (q->kind != QUESTION_NONE)
        return scenario_ext_fail(line, "a step asks one question (the first is at line %u)", q->line);
    if (kind && strcmp(kind, "choice") == 0)
        q->kind = QUESTION_CHOICE;
    else if (kind && strcmp(kind, "number") == 0)
        q->kind = QUESTION_NUMBER;
    else
        return scenario_ext_fail(line, "expected 'question choice' or 'question number'");
    q->line = scenario_ext_lineno(line);
    q->answer_host = -1;
    if (scenario_ext_no_more(line, 2, "the kind of question") < 0)
        return -1;
    return open_opener(lp, line, OPEN_QUESTION);
}

/* The lines that only make sense inside a question. */
static struct lesson_question *need_question(struct lesson_parser *lp,
                                             struct scenario_ext_line *line)
{
    struct lesson_question *q = &last_step(lp)->question;
    if (q->kind != QUESTION_NONE)
        return q;
    scenario_ext_fail(line, "'%s' without a question: write 'question choice' or 'question number' "
                            "above it", scenario_ext_tok(line, 0));
    return NULL;
}

static int step_option(struct lesson_parser *lp, struct scenario_ext_line *line)
{
    struct lesson_question *q = need_question(lp, line);
    if (!q)
        return -1;
    if (q->kind != QUESTION_CHOICE)
        return scenario_ext_fail(line, "options belong to a choice question (this one is a number "
                                       "question, line %u)", q->line);
    if (q->noptions >= LESSON_MAX_OPTIONS)
        return scenario_ext_fail(line, "too many options (at most %d)", LESSON_MAX_OPTIONS);
    /* The previous option is found through noptions: close it first. */
    if (close_opener(lp, line) < 0)
        return -1;
    struct lesson_option *o = &q->options[q->noptions++];
    memset(o, 0, sizeof *o);
    o->line = scenario_ext_lineno(line);
    const char *when = scenario_ext_tok(line, 1);
    if (when) {
        if (strcmp(when, "when") != 0)
            return scenario_ext_fail(line, "expected 'option' alone or 'option when HOST CHECK ...', "
                                           "got '%.60s'", when);
        if (!scenario_ext_tok(line, 2))
            return scenario_ext_fail(line, "expected 'option when HOST CHECK ...', like "
                                           "'option when client retransmits>=1'");
        o->has_when = true;
        if (scenario_ext_expect(line, 2, &o->when) < 0)
            return -1;
    }
    return open_opener(lp, line, OPEN_OPTION);
}

/* The keys a number question may read: every numeric expect key, and
 * fields of the last segment the host sent. */
static const char *const segment_answer_keys[] = { "sent_seq", "sent_ack", "sent_win", "sent_len" };

static bool answer_key_known(const char *key)
{
    bool numeric;
    const char *k;
    for (size_t i = 0; (k = scenario_expect_key(i, &numeric)); i++)
        if (numeric && strcmp(k, key) == 0)
            return true;
    for (size_t i = 0; i < COUNT_OF(segment_answer_keys); i++)
        if (strcmp(segment_answer_keys[i], key) == 0)
            return true;
    return false;
}

static int unknown_answer_key(struct scenario_ext_line *line, const char *key)
{
    char known[512] = "";
    bool numeric;
    const char *k;
    for (size_t i = 0; (k = scenario_expect_key(i, &numeric)); i++) {
        size_t used = strlen(known);
        if (numeric)
            snprintf(known + used, sizeof known - used, "%s%s", used ? " " : "", k);
    }
    for (size_t i = 0; i < COUNT_OF(segment_answer_keys); i++) {
        size_t used = strlen(known);
        snprintf(known + used, sizeof known - used, " %s", segment_answer_keys[i]);
    }
    return scenario_ext_fail(line, "unknown answer key '%.60s' (keys: %s)", key, known);
}

static int answer_letter(struct lesson_parser *lp, struct scenario_ext_line *line,
                         struct lesson_question *q)
{
    const char *letter = scenario_ext_tok(line, 1);
    if (!letter || strlen(letter) != 1 || !isalpha((unsigned char)letter[0]))
        return scenario_ext_fail(line, "a choice question is answered with a letter, like 'answer B'");
    int index = toupper((unsigned char)letter[0]) - 'A';
    if (index >= LESSON_MAX_OPTIONS)
        return scenario_ext_fail(line, "answer %c: expected a letter from A to %c", letter[0],
                                 'A' + LESSON_MAX_OPTIONS - 1);
    q->answer_option = index;
    lp->answer_letter_line = scenario_ext_lineno(line);
    return scenario_ext_no_more(line, 2, "the answer");
}

static int answer_number(struct scenario_ext_line *line, struct lesson_question *q)
{
    static const char form[] = "a number question is answered with 'answer NUMBER from HOST KEY', "
                               "like 'answer 1001 from server sent_ack'";
    const char *from = scenario_ext_tok(line, 2), *key = scenario_ext_tok(line, 4);
    const char *number = scenario_ext_tok(line, 1);
    if (!number || !isdigit((unsigned char)number[0]) || !from || strcmp(from, "from") != 0 || !key)
        return scenario_ext_fail(line, "%s", form);
    uint64_t n;
    if (scenario_ext_count(line, 1, "answer", INT64_MAX, &n) < 0 ||
        scenario_ext_host(line, 3, &q->answer_host) < 0)
        return -1;
    if (!answer_key_known(key))
        return unknown_answer_key(line, key);
    q->answer_number = (int64_t)n;
    memcpy(q->answer_key, key, strlen(key) + 1);
    return scenario_ext_no_more(line, 5, "the key");
}

static int step_answer(struct lesson_parser *lp, struct scenario_ext_line *line)
{
    struct lesson_question *q = need_question(lp, line);
    if (!q)
        return -1;
    if (q->answer_line)
        return scenario_ext_fail(line, "answer given twice (first at line %u)", q->answer_line);
    int rc = q->kind == QUESTION_CHOICE ? answer_letter(lp, line, q) : answer_number(line, q);
    if (rc == 0)
        q->answer_line = scenario_ext_lineno(line);
    return rc;
}

static int step_reveal(struct lesson_parser *lp, struct scenario_ext_line *line)
{
    struct lesson_question *q = need_question(lp, line);
    if (!q)
        return -1;
    if (q->reveal.line)
        return scenario_ext_fail(line, "reveal given twice (first at line %u)", q->reveal.line);
    return parse_run(line, "reveal", &q->reveal);
}

static int step_explain(struct lesson_parser *lp, struct scenario_ext_line *line)
{
    struct lesson_question *q = need_question(lp, line);
    if (!q)
        return -1;
    if (q->explain.line)
        return scenario_ext_fail(line, "explain given twice (first at line %u)", q->explain.line);
    if (scenario_ext_no_more(line, 1, "explain (its text goes on 'en' and 'zh' lines below it)") < 0)
        return -1;
    return open_opener(lp, line, OPEN_EXPLAIN);
}

/* ------------------------------------------------------------------------ */
/* Lines                                                                     */

enum where { IN_HEADER, IN_STEP, ANYWHERE };

typedef int (*lesson_line_handler)(struct lesson_parser *lp, struct scenario_ext_line *line);

static const struct {
    const char *keyword;
    enum where where;
    lesson_line_handler parse;
} lesson_keywords[] = {
    { "lesson", IN_HEADER, header_lesson },   { "topic", IN_HEADER, header_topic },
    { "number", IN_HEADER, header_number },   { "minutes", IN_HEADER, header_minutes },
    { "requires", IN_HEADER, header_requires }, { "summary", IN_HEADER, header_summary },
    { "step", ANYWHERE, step_start },         { "en", ANYWHERE, text_line },
    { "zh", ANYWHERE, text_line },            { "zh_CN", ANYWHERE, text_line },
    { "run", IN_STEP, step_run },             { "expect", IN_STEP, step_expect },
    { "seen", IN_STEP, step_seen },           { "unseen", IN_STEP, step_seen },
    { "time", IN_STEP, step_time },
    { "nopause", IN_STEP, step_nopause },     { "question", IN_STEP, step_question },
    { "option", IN_STEP, step_option },       { "answer", IN_STEP, step_answer },
    { "reveal", IN_STEP, step_reveal },       { "explain", IN_STEP, step_explain },
};

/* The entry of lesson_keywords for a line's first word; a time check is
 * one token ("time=1.12s"), so its keyword is only the word's start. */
static int find_keyword(const char *word)
{
    if (is_time_term(word))
        word = "time";
    for (size_t i = 0; i < COUNT_OF(lesson_keywords); i++)
        if (strcmp(lesson_keywords[i].keyword, word) == 0)
            return (int)i;
    return -1;
}

/* A file whose first line is not `lesson` is a plain scenario; the lesson
 * words then only earn a hint. */
static int scenario_file_line(struct lesson_parser *lp, struct scenario_ext_line *line,
                              const char *word)
{
    if (strcmp(word, "lesson") == 0)
        return scenario_ext_fail(line, "'lesson ID' must be the first line that is not a comment "
                                       "(line %u comes before it)", lp->first_line);
    if (find_keyword(word) >= 0)
        return scenario_ext_fail(line, "'%s' is a lesson line: a lesson starts with 'lesson ID' as its "
                                       "first line that is not a comment", word);
    return 0;
}

static int lesson_line(void *ctx, struct scenario_ext_line *line)
{
    struct lesson_parser *lp = ctx;
    const char *word = scenario_ext_tok(line, 0);
    if (lp->part == PART_START) {
        lp->first_line = scenario_ext_lineno(line);
        lp->part = strcmp(word, "lesson") == 0 ? PART_HEADER : PART_SCENARIO;
        lp->l->is_lesson = lp->part == PART_HEADER;
    }
    if (lp->part == PART_SCENARIO)
        return scenario_file_line(lp, line, word);
    int k = find_keyword(word);
    if (k >= 0) {
        if (lesson_keywords[k].where == IN_HEADER && lp->part == PART_STEPS)
            return scenario_ext_fail(line, "'%s' is a header line: put it before the first step", word);
        if (lesson_keywords[k].where == IN_STEP && lp->part != PART_STEPS)
            return scenario_ext_fail(line, "'%s' belongs in a step: add a 'step' line above it", word);
        return lesson_keywords[k].parse(lp, line) < 0 ? -1 : 1;
    }
    if (strcmp(word, "title") == 0) {
        if (lp->part == PART_STEPS)
            return scenario_ext_fail(line, "'title' is a header line: put it before the first step");
        return header_title(lp, line) < 0 ? -1 : 1;
    }
    if (lp->part == PART_STEPS && scenario_is_line_keyword(word))
        return scenario_ext_fail(line, "'%s' is a scenario line: scenario lines go before the first step",
                                 word);
    return 0;
}

/* The whole file has been read: what only the end can tell. */
static int lesson_finish(void *ctx, struct scenario_ext_line *line)
{
    struct lesson_parser *lp = ctx;
    struct lesson *l = lp->l;
    if (!l->is_lesson)
        return 0;
    if (close_step(lp, line) < 0)
        return -1;
    if (!lp->title_line[LANG_EN] && !lp->title_line[LANG_ZH_CN])
        return scenario_ext_fail_at(line, lp->lesson_line, "lesson has no title (add 'title en TEXT' "
                                                           "and 'title zh TEXT')");
    if (!lp->title_line[LANG_ZH_CN])
        return scenario_ext_fail_at(line, lp->title_line[LANG_EN], "title has English text but no "
                                                                   "Chinese (add 'title zh TEXT')");
    if (!lp->title_line[LANG_EN])
        return scenario_ext_fail_at(line, lp->title_line[LANG_ZH_CN], "title has Chinese text but no "
                                                                      "English (add 'title en TEXT')");
    if (!lp->topic_line)
        return scenario_ext_fail_at(line, lp->lesson_line, "lesson has no topic (add 'topic WORD', like "
                                                           "'topic connect')");
    if (l->nsteps == 0)
        return scenario_ext_fail_at(line, lp->lesson_line, "lesson has no steps (add a 'step' line with "
                                                           "'en' and 'zh' text)");
    return 0;
}

/* The lesson words, for the scenario parser's "unknown keyword" message;
 * none in a plain scenario, whose messages stay the scenario parser's. */
static const char *lesson_keyword(void *ctx, size_t i)
{
    const struct lesson_parser *lp = ctx;
    if (!lp->l->is_lesson || i >= COUNT_OF(lesson_keywords))
        return NULL;
    return lesson_keywords[i].keyword;
}

/* In a lesson, the text after `en`, `zh` and `title en` is prose: quotes
 * in it are the writer's, not the tokenizer's. */
static bool lesson_prose_after(void *ctx, const struct scenario_ext_line *line)
{
    const struct lesson_parser *lp = ctx;
    if (!lp->l->is_lesson)
        return false;
    size_t n = scenario_ext_ntok(line);
    if (n == 1)
        return lang_word(scenario_ext_tok(line, 0)) >= 0;
    return n == 2 && strcmp(scenario_ext_tok(line, 0), "title") == 0 &&
           lang_word(scenario_ext_tok(line, 1)) >= 0;
}

/* ------------------------------------------------------------------------ */
/* Entry points                                                              */

int lesson_parse_buffer(const char *name, const char *text, size_t len, struct lesson *out,
                        char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    struct lesson_parser lp = { .l = out };
    const struct scenario_extension ext = {
        .ctx = &lp, .line = lesson_line, .finish = lesson_finish, .keyword = lesson_keyword,
        .prose_after = lesson_prose_after,
    };
    /* The scenario parser clears *scn first; the lesson's own fields are
     * filled through lp during the parse. */
    if (scenario_parse_buffer_ext(name, text, len, &out->scn, &ext, err, errlen) < 0) {
        lesson_free(out);
        return -1;
    }
    return 0;
}

int lesson_parse_file(const char *path, struct lesson *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (err && errlen)
        err[0] = '\0';
    char scratch[1];
    if (!err || errlen == 0) {
        err = scratch;
        errlen = sizeof scratch;
    }
    size_t len;
    char *text = scenario_read_file(path, &len, err, errlen);
    if (!text)
        return -1;
    int rc = lesson_parse_buffer(path, text, len, out, err, errlen);
    free(text);
    return rc;
}

static void text_free(struct lesson_text *t)
{
    for (int i = 0; i < LANG_COUNT; i++) {
        free(t->text[i]);
        t->text[i] = NULL;
    }
}

static void step_free(struct lesson_step *st)
{
    text_free(&st->say);
    text_free(&st->question.text);
    text_free(&st->question.explain);
    for (size_t i = 0; i < st->question.noptions; i++)
        text_free(&st->question.options[i].label);
    free(st->checks);
}

void lesson_free(struct lesson *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->nsteps; i++)
        step_free(&l->steps[i]);
    free(l->steps);
    text_free(&l->title);
    text_free(&l->summary);
    scenario_free(&l->scn);
    memset(l, 0, sizeof *l);
}

const char *lesson_text_get(const struct lesson_text *t, enum tv_lang lang)
{
    if (!t)
        return "";
    if ((unsigned)lang < LANG_COUNT && t->text[lang])
        return t->text[lang];
    return t->text[LANG_EN] ? t->text[LANG_EN] : "";
}
