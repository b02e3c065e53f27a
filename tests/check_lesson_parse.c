/* Tests of the lesson file parser (docs/lesson-format.md): every keyword
 * into its fields, the text rules (openers, languages, paragraphs, prose
 * with quotes), plain scenarios through the lesson parser, the example of
 * docs/lesson-format.md read from the document itself, and a table of
 * broken lessons with the exact FILE:LINE message each must give. */
#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lesson/lesson.h"
#include "lesson/scenario_parse.h"
#include "tcp/segment.h"
#include "tcp/state.h"
#include "tcp/timer.h"

#include "check_main.h"

#define ERRLEN 512

/* Six lines every lesson below starts with; errors in the steps are
 * therefore on line 7 and later. */
#define HEAD                                                                                         \
    "lesson demo\n"                                                                                  \
    "title en \"Demo\"\n"                                                                            \
    "title zh \"演示\"\n"                                                                            \
    "topic connect\n"                                                                                \
    "host client 10.0.0.1 isn=1000\n"                                                                \
    "host server 10.0.0.2 isn=5000\n"

/* A complete step, for lessons whose point is elsewhere. */
#define STEP "step\nen Hello.\nzh 你好。\n"

static void parse_ok(const char *text, struct lesson *l)
{
    char err[ERRLEN];
    int rc = lesson_parse_buffer("t.lesson", text, strlen(text), l, err, sizeof err);
    ck_assert_msg(rc == 0, "unexpected error: %s", err);
}

/* text parses and its first step says en in English and zh in Chinese. */
static void expect_first_step_says(const char *text, const char *en, const char *zh)
{
    struct lesson l;
    parse_ok(text, &l);
    ck_assert_uint_ge(l.nsteps, 1);
    ck_assert_str_eq(l.steps[0].say.text[LANG_EN], en);
    ck_assert_str_eq(l.steps[0].say.text[LANG_ZH_CN], zh);
    lesson_free(&l);
}

/* The error message of a text that must not parse; the lesson must come
 * back empty. */
static const char *parse_err(const char *text)
{
    static char err[ERRLEN];
    struct lesson l;
    memset(err, 0, sizeof err);
    int rc = lesson_parse_buffer("t.lesson", text, strlen(text), &l, err, sizeof err);
    ck_assert_msg(rc == -1, "parsed, but should not have:\n%s", text);
    ck_assert_ptr_null(l.steps);
    ck_assert_uint_eq(l.nsteps, 0);
    ck_assert_ptr_null(l.scn.file);
    lesson_free(&l);   /* harmless on an empty lesson */
    return err;
}

/* ------------------------------------------------------------------------ */
/* The header                                                                */

START_TEST(test_header_fields)
{
    struct lesson l;
    parse_ok("# a comment before the lesson line is fine\n"
             "\n"
             "lesson syn-lost\n"
             "title en When the SYN is lost   # a comment\n"
             "title zh_CN \"SYN 丢失时\"\n"
             "topic congestion\n"
             "number 3\n"
             "minutes 12\n"
             "requires handshake why-three\n"
             "summary\n"
             "en First sentence,\n"
             "en continued.\n"
             "zh 第一句。\n"
             "duration 3s\n"
             "host client 10.0.0.1\n" STEP,
             &l);
    ck_assert(l.is_lesson);
    ck_assert_str_eq(l.id, "syn-lost");
    ck_assert_str_eq(l.title.text[LANG_EN], "When the SYN is lost");
    ck_assert_str_eq(l.title.text[LANG_ZH_CN], "SYN 丢失时");
    ck_assert_uint_eq(l.title.line, 4);
    ck_assert_int_eq(l.topic, TOPIC_CONGESTION);
    ck_assert_uint_eq(l.number, 3);
    ck_assert_uint_eq(l.minutes, 12);
    ck_assert_uint_eq(l.nrequires, 2);
    ck_assert_str_eq(l.requires[0], "handshake");
    ck_assert_str_eq(l.requires[1], "why-three");
    ck_assert_str_eq(l.summary.text[LANG_EN], "First sentence, continued.");
    ck_assert_str_eq(l.summary.text[LANG_ZH_CN], "第一句。");
    ck_assert_uint_eq(l.summary.line, 10);
    ck_assert_uint_eq(l.scn.duration, 3000000);
    ck_assert_uint_eq(l.scn.nhosts, 1);
    ck_assert_str_eq(l.scn.file, "t.lesson");
    ck_assert_ptr_null(l.scn.title);
    ck_assert_uint_eq(l.nsteps, 1);
    lesson_free(&l);
    ck_assert_ptr_null(l.steps);
    lesson_free(&l);   /* twice is harmless */
}
END_TEST

START_TEST(test_header_optional_parts)
{
    struct lesson l;
    parse_ok(HEAD STEP, &l);
    ck_assert_uint_eq(l.number, 0);
    ck_assert_uint_eq(l.minutes, 0);
    ck_assert_uint_eq(l.nrequires, 0);
    ck_assert_ptr_null(l.summary.text[LANG_EN]);
    ck_assert_ptr_null(l.summary.text[LANG_ZH_CN]);
    ck_assert_str_eq(lesson_text_get(&l.summary, LANG_ZH_CN), "");
    lesson_free(&l);
}
END_TEST

START_TEST(test_topics)
{
    static const char *const words[] = { "connect", "close", "idle", "reliability", "flow",
                                         "congestion", "segment" };
    ck_assert_int_eq(TOPIC_COUNT, 7);
    for (int t = 0; t < TOPIC_COUNT; t++) {
        ck_assert_str_eq(lesson_topic_word((enum lesson_topic)t), words[t]);
        ck_assert_int_eq(lesson_topic_from_word(words[t]), t);
        ck_assert_str_ne(lesson_topic_heading((enum lesson_topic)t, LANG_EN), "");
        ck_assert_str_ne(lesson_topic_heading((enum lesson_topic)t, LANG_ZH_CN), "");
    }
    ck_assert_str_eq(lesson_topic_heading(TOPIC_CONNECT, LANG_EN), "Opening a connection");
    ck_assert_str_eq(lesson_topic_heading(TOPIC_CONNECT, LANG_ZH_CN), "建立连接");
    ck_assert_str_eq(lesson_topic_heading(TOPIC_FLOW, LANG_ZH_CN), "流量控制");
    ck_assert_str_eq(lesson_topic_heading(TOPIC_SEGMENT, LANG_EN), "The segment");
    ck_assert_int_eq(lesson_topic_from_word("Connect"), -1);
    ck_assert_int_eq(lesson_topic_from_word(NULL), -1);
    ck_assert_str_eq(lesson_topic_word(TOPIC_COUNT), "");
}
END_TEST

/* ------------------------------------------------------------------------ */
/* Steps                                                                     */

START_TEST(test_step_text_and_runs)
{
    struct lesson l;
    parse_ok(HEAD
             "duration 10s\n"
             "step first\n"                                       /* 8 */
             "en One,\n"
             "en two.\n"
             "en \"\"\n"
             "en Three.\n"
             "zh 一，\n"
             "zh 二。\n"
             "run until client sent=SYN,ACK nth=2 data=no\n"      /* 15 */
             "step\n"                                             /* 16 */
             "run until 1.5s\n"
             "en \"A # kept\"   # and a comment\n"
             "zh_CN 乙\n"
             "nopause\n"
             "step\n"
             "en C\nzh 丙\n"
             "run for 250ms\n"
             "step\n"
             "run until end\n"
             "en D\nzh 丁\n"
             "step\n"
             "en E\nzh 戊\n",
             &l);
    ck_assert_uint_eq(l.nsteps, 5);
    const struct lesson_step *s = l.steps;
    ck_assert_str_eq(s[0].name, "first");
    ck_assert_uint_eq(s[0].line, 8);
    ck_assert_uint_eq(s[0].say.line, 8);
    ck_assert_str_eq(s[0].say.text[LANG_EN], "One, two.\nThree.");
    ck_assert_str_eq(s[0].say.text[LANG_ZH_CN], "一，二。");
    ck_assert(s[0].pause);
    ck_assert_int_eq(s[0].run.kind, RUN_UNTIL_EVENT);
    ck_assert_uint_eq(s[0].run.line, 15);
    ck_assert_int_eq(s[0].run.trigger.kind, TRIG_SENT);
    ck_assert_int_eq(s[0].run.trigger.host, 0);
    ck_assert_uint_eq(s[0].run.trigger.nth, 2);
    ck_assert_int_eq(s[0].run.trigger.match.from, 0);
    ck_assert_int_eq(s[0].run.trigger.match.data, 0);
    ck_assert(s[0].run.trigger.match.exact_flags);
    ck_assert_uint_eq(s[0].run.trigger.match.flags_set, TCP_SYN | TCP_ACK);
    ck_assert_int_eq(s[0].question.kind, QUESTION_NONE);

    ck_assert_str_eq(s[1].name, "");
    ck_assert_int_eq(s[1].run.kind, RUN_UNTIL_TIME);
    ck_assert_uint_eq(s[1].run.t, 1500000);
    ck_assert_str_eq(s[1].say.text[LANG_EN], "A # kept");
    ck_assert_str_eq(s[1].say.text[LANG_ZH_CN], "乙");
    ck_assert(!s[1].pause);

    ck_assert_int_eq(s[2].run.kind, RUN_FOR);
    ck_assert_uint_eq(s[2].run.t, 250000);
    ck_assert_int_eq(s[3].run.kind, RUN_TO_END);
    ck_assert_int_eq(s[4].run.kind, RUN_NONE);
    ck_assert_uint_eq(s[4].run.line, 0);
    lesson_free(&l);
}
END_TEST

/* Narration is prose: quotes in it belong to the writer. */
START_TEST(test_prose_quotes)
{
    expect_first_step_says(HEAD
                           "step\n"
                           "en A zero window means \"stop sending\"; it is not an error.\n"
                           "en \"Quoted\" at the start, and after.\n"
                           "en \"an \\\"escaped\\\" one\"\n"
                           "zh 意思是“先别发”。   # a comment after prose\n"
                           "zh \"#1 in quotes\" is not a comment, # but this is\n",
                           "A zero window means \"stop sending\"; it is not an error. "
                           "\"Quoted\" at the start, and after. an \"escaped\" one",
                           "意思是“先别发”。\"#1 in quotes\" is not a comment,");
}
END_TEST

START_TEST(test_paragraphs)
{
    expect_first_step_says(HEAD
                           "step\n"
                           "en \"\"\n"          /* a break before any text is ignored */
                           "en One.\n"
                           "zh 一。\n"
                           "en \"\"\n"
                           "en \"\"\n"          /* two breaks make one */
                           "zh \"\"\n"
                           "en Two.\n"
                           "zh 二。\n"
                           "en \"\"\n",         /* a break at the end is ignored */
                           "One.\nTwo.", "一。\n二。");
}
END_TEST

/* Chinese has no spaces between words: a line break next to Chinese text
 * joins without one; between two Latin pieces the space stays. */
START_TEST(test_chinese_lines_join_without_space)
{
    expect_first_step_says(HEAD
                           "step\n"
                           "en One,\n"
                           "en two.\n"
                           "zh 客户端发出\n"
                           "zh SYN，\n"
                           "zh 然后\n"
                           "zh 等待。\n"
                           "zh TCP\n"
                           "zh RFC\n",
                           "One, two.", "客户端发出SYN，然后等待。TCP RFC");
}
END_TEST

START_TEST(test_checkpoints)
{
    struct lesson l;
    parse_ok(HEAD STEP
             "expect client state=SYN_SENT retransmits>=1\n"   /* 10 */
             "seen server received=SYN nth=2\n"
             "unseen client sent=RST\n"
             "seen client timer=rto\n"
             "unseen server state=ESTABLISHED\n"
             "seen server eof\n"
             "expect server rcv_nxt=1001\n",
             &l);
    const struct lesson_step *s = &l.steps[0];
    ck_assert_uint_eq(s->nchecks, 7);
    ck_assert_int_eq(s->checks[0].kind, CHECK_EXPECT);
    ck_assert_uint_eq(s->checks[0].line, 10);
    ck_assert_int_eq(s->checks[0].expect.kind, ACT_EXPECT);
    ck_assert_int_eq(s->checks[0].expect.host, 0);
    ck_assert_uint_eq(s->checks[0].expect.nterms, 2);
    ck_assert_str_eq(s->checks[0].expect.terms[0].key, "state");
    ck_assert(s->checks[0].expect.terms[0].is_state);
    ck_assert_int_eq(s->checks[0].expect.terms[0].value, TCP_SYN_SENT);
    ck_assert_int_eq(s->checks[0].expect.terms[1].cmp, CMP_GE);
    ck_assert_uint_eq(s->checks[0].expect.origin.line, 10);
    ck_assert_ptr_eq(s->checks[0].expect.origin.file, l.scn.file);

    ck_assert_int_eq(s->checks[1].kind, CHECK_SEEN);
    ck_assert_int_eq(s->checks[1].event.kind, TRIG_RECEIVED);
    ck_assert_int_eq(s->checks[1].event.host, 1);
    ck_assert_int_eq(s->checks[1].event.match.to, 1);
    ck_assert_uint_eq(s->checks[1].event.nth, 2);
    ck_assert_int_eq(s->checks[1].event.match.data, -1);

    ck_assert_int_eq(s->checks[2].kind, CHECK_UNSEEN);
    ck_assert_int_eq(s->checks[2].event.kind, TRIG_SENT);
    ck_assert_uint_eq(s->checks[2].event.nth, 1);
    ck_assert_int_eq(s->checks[3].event.kind, TRIG_TIMER);
    ck_assert_int_eq(s->checks[3].event.value, TCP_TIMER_RTO);
    ck_assert_int_eq(s->checks[4].event.kind, TRIG_STATE);
    ck_assert_int_eq(s->checks[4].event.value, TCP_ESTABLISHED);
    ck_assert_int_eq(s->checks[5].event.kind, TRIG_EOF);
    ck_assert_str_eq(s->checks[6].expect.terms[0].key, "rcv_nxt");
    ck_assert_int_eq(s->checks[6].expect.terms[0].value, 1001);
    /* Lesson checkpoints are not scenario rules. */
    ck_assert_uint_eq(l.scn.nrules, 0);
    ck_assert_uint_eq(l.scn.nexpects, 0);
    lesson_free(&l);
}
END_TEST

/* `time OP DURATION`: one check per term, exact microseconds. */
START_TEST(test_time_checks)
{
    struct lesson l;
    parse_ok(HEAD "duration 3h\n" STEP
             "time=1.12s\n"                          /* 11 */
             "expect client state=SYN_SENT\n"
             "time>=2h time<2.5h\n"                  /* 13: two checks */
             "time!=0us\n"
             "time<=200ms\n"
             "time>1.1205s\n",
             &l);
    const struct lesson_step *s = &l.steps[0];
    ck_assert_uint_eq(s->nchecks, 7);
    ck_assert_int_eq(s->checks[0].kind, CHECK_TIME);
    ck_assert_uint_eq(s->checks[0].line, 11);
    ck_assert_int_eq(s->checks[0].time_cmp, CMP_EQ);
    ck_assert_uint_eq(s->checks[0].time_us, 1120000u);
    ck_assert_int_eq(s->checks[1].kind, CHECK_EXPECT);
    ck_assert_int_eq(s->checks[2].kind, CHECK_TIME);
    ck_assert_int_eq(s->checks[2].time_cmp, CMP_GE);
    ck_assert_uint_eq(s->checks[2].time_us, 7200000000u);
    ck_assert_int_eq(s->checks[3].kind, CHECK_TIME);
    ck_assert_uint_eq(s->checks[3].line, 13);
    ck_assert_int_eq(s->checks[3].time_cmp, CMP_LT);
    ck_assert_uint_eq(s->checks[3].time_us, 9000000000u);
    ck_assert_int_eq(s->checks[4].time_cmp, CMP_NE);
    ck_assert_uint_eq(s->checks[4].time_us, 0);
    ck_assert_int_eq(s->checks[5].time_cmp, CMP_LE);
    ck_assert_uint_eq(s->checks[5].time_us, 200000u);
    ck_assert_int_eq(s->checks[6].time_cmp, CMP_GT);
    ck_assert_uint_eq(s->checks[6].time_us, 1120500u);
    ck_assert_uint_eq(l.scn.nexpects, 0);
    lesson_free(&l);
}
END_TEST

START_TEST(test_choice_question)
{
    struct lesson l;
    parse_ok(HEAD STEP
             "question choice\n"                        /* 10 */
             "en Which?\nzh 哪个？\n"
             "option\n"                                 /* 13 */
             "en Nothing.\nzh 没有。\n"
             "option when client retransmits>=1 state=SYN_SENT\n"
             "en Again.\nzh 再来。\n"
             "option\nen Third.\nzh 第三。\n"
             "answer b\n"                               /* 22 */
             "reveal until client timer=rto\n"
             "explain\n"
             "en Because {answer}.\nzh 因为 {answer}。\n",
             &l);
    const struct lesson_question *q = &l.steps[0].question;
    ck_assert_int_eq(q->kind, QUESTION_CHOICE);
    ck_assert_uint_eq(q->line, 10);
    ck_assert_str_eq(q->text.text[LANG_EN], "Which?");
    ck_assert_str_eq(q->text.text[LANG_ZH_CN], "哪个？");
    ck_assert_uint_eq(q->noptions, 3);
    ck_assert_uint_eq(q->options[0].line, 13);
    ck_assert(!q->options[0].has_when);
    ck_assert_str_eq(q->options[0].label.text[LANG_EN], "Nothing.");
    ck_assert(q->options[1].has_when);
    ck_assert_int_eq(q->options[1].when.kind, ACT_EXPECT);
    ck_assert_int_eq(q->options[1].when.host, 0);
    ck_assert_uint_eq(q->options[1].when.nterms, 2);
    ck_assert_str_eq(q->options[1].label.text[LANG_ZH_CN], "再来。");
    ck_assert_str_eq(q->options[2].label.text[LANG_EN], "Third.");
    ck_assert_int_eq(q->answer_option, 1);
    ck_assert_uint_eq(q->answer_line, 22);
    ck_assert_int_eq(q->reveal.kind, RUN_UNTIL_EVENT);
    ck_assert_int_eq(q->reveal.trigger.kind, TRIG_TIMER);
    ck_assert_str_eq(q->explain.text[LANG_EN], "Because {answer}.");
    ck_assert_str_eq(q->explain.text[LANG_ZH_CN], "因为 {answer}。");
    /* The step's own narration is untouched by the question's text. */
    ck_assert_str_eq(l.steps[0].say.text[LANG_EN], "Hello.");
    lesson_free(&l);
}
END_TEST

START_TEST(test_number_question)
{
    struct lesson l;
    parse_ok(HEAD STEP
             "question number\n"
             "en How many?\nzh 多少？\n"
             "answer 1001 from server sent_ack\n"
             "step\nen Two\nzh 二\n"
             "question number\nen Q\nzh 问\n"
             "answer 14600 from client cwnd\n"
             "reveal for 2s\n",
             &l);
    const struct lesson_question *q = &l.steps[0].question;
    ck_assert_int_eq(q->kind, QUESTION_NUMBER);
    ck_assert_int_eq(q->answer_number, 1001);
    ck_assert_int_eq(q->answer_host, 1);
    ck_assert_str_eq(q->answer_key, "sent_ack");
    ck_assert_int_eq(q->reveal.kind, RUN_NONE);
    ck_assert_ptr_null(q->explain.text[LANG_EN]);
    q = &l.steps[1].question;
    ck_assert_int_eq(q->answer_number, 14600);
    ck_assert_int_eq(q->answer_host, 0);
    ck_assert_str_eq(q->answer_key, "cwnd");
    ck_assert_int_eq(q->reveal.kind, RUN_FOR);
    ck_assert_uint_eq(q->reveal.t, 2000000);
    lesson_free(&l);
}
END_TEST

/* Text goes to the last opener above it, even after other lines. */
START_TEST(test_text_after_other_lines)
{
    struct lesson l;
    parse_ok(HEAD
             "step\n"
             "run until client state=SYN_SENT\n"
             "expect client state=SYN_SENT\n"
             "en Late text.\nzh 后来的文字。\n",
             &l);
    ck_assert_str_eq(l.steps[0].say.text[LANG_EN], "Late text.");
    lesson_free(&l);
}
END_TEST

START_TEST(test_text_get)
{
    struct lesson_text t = { .text = { "english", NULL }, .line = 1 };
    ck_assert_str_eq(lesson_text_get(&t, LANG_EN), "english");
    ck_assert_str_eq(lesson_text_get(&t, LANG_ZH_CN), "english");   /* falls back */
    t.text[LANG_ZH_CN] = "中文";
    ck_assert_str_eq(lesson_text_get(&t, LANG_ZH_CN), "中文");
    struct lesson_text none = { .line = 0 };
    ck_assert_str_eq(lesson_text_get(&none, LANG_EN), "");
    ck_assert_str_eq(lesson_text_get(NULL, LANG_EN), "");
}
END_TEST

/* ------------------------------------------------------------------------ */
/* Plain scenarios and files                                                 */

START_TEST(test_plain_scenario)
{
    struct lesson l;
    parse_ok("# just a scenario\n"
             "title A plain \"scenario\" title\n"
             "host client 10.0.0.1\nhost server 10.0.0.2\n"
             "at 0s server listen 80\n"
             "at end expect server state=LISTEN\n",
             &l);
    ck_assert(!l.is_lesson);
    ck_assert_uint_eq(l.nsteps, 0);
    ck_assert_str_eq(l.scn.title, "A plain \"scenario\" title");
    ck_assert_uint_eq(l.scn.nhosts, 2);
    ck_assert_uint_eq(l.scn.nrules, 2);
    ck_assert_uint_eq(l.scn.nexpects, 1);
    ck_assert_uint_eq(l.scn.nlinks, 2);   /* default links added */
    lesson_free(&l);

    parse_ok("", &l);
    ck_assert(!l.is_lesson);
    lesson_free(&l);
}
END_TEST

/* A plain scenario's errors are the scenario parser's, word for word. */
START_TEST(test_plain_scenario_errors_unchanged)
{
    static const char *const texts[] = {
        "title x\nfrobnicate 3\n",
        "host client 10.0.0.1\nat 1s cleint close\n",
        "title \"unterminated\n",
        "duration 200\n",
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        char want[ERRLEN], got[ERRLEN];
        struct scenario s;
        struct lesson l;
        ck_assert_int_eq(scenario_parse_string("t.lesson", texts[i], &s, want, sizeof want), -1);
        ck_assert_int_eq(lesson_parse_buffer("t.lesson", texts[i], strlen(texts[i]), &l, got, sizeof got),
                         -1);
        ck_assert_str_eq(got, want);
    }
}
END_TEST

START_TEST(test_parse_file)
{
    char path[] = "/tmp/tcpviz-lesson-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    FILE *f = fdopen(fd, "w");
    ck_assert_ptr_nonnull(f);
    fputs("\xEF\xBB\xBF" HEAD STEP, f);   /* with a byte-order mark */
    fclose(f);
    struct lesson l;
    char err[ERRLEN];
    ck_assert_msg(lesson_parse_file(path, &l, err, sizeof err) == 0, "%s", err);
    ck_assert_str_eq(l.scn.file, path);
    ck_assert_str_eq(l.id, "demo");
    lesson_free(&l);
    remove(path);

    ck_assert_int_eq(lesson_parse_file(path, &l, err, sizeof err), -1);
    char want[ERRLEN];
    snprintf(want, sizeof want, "%s: cannot open: No such file or directory", path);
    ck_assert_str_eq(err, want);
    ck_assert_int_eq(lesson_parse_file(path, &l, NULL, 0), -1);
}
END_TEST

/* The example in docs/lesson-format.md, read from the document, so the
 * document cannot drift from the parser. */
static char *doc_example(void)
{
    const char *top = getenv("top_srcdir");
    char path[1024];
    snprintf(path, sizeof path, "%s/docs/lesson-format.md", top ? top : ".");
    FILE *f = fopen(path, "r");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    static char text[16384];
    size_t used = 0;
    char line[1024];
    enum { BEFORE, HEADING, INSIDE, DONE } where = BEFORE;
    while (where != DONE && fgets(line, sizeof line, f)) {
        if (where == BEFORE && strncmp(line, "## A complete small example", 27) == 0)
            where = HEADING;
        else if (where == HEADING && strcmp(line, "```\n") == 0)
            where = INSIDE;
        else if (where == INSIDE && strcmp(line, "```\n") == 0)
            where = DONE;
        else if (where == INSIDE) {
            size_t n = strlen(line);
            ck_assert_uint_lt(used + n, sizeof text);
            memcpy(text + used, line, n + 1);
            used += n;
        }
    }
    fclose(f);
    ck_assert_msg(where == DONE, "no complete example block in %s", path);
    return text;
}

START_TEST(test_doc_example)
{
    const char *text = doc_example();
    struct lesson l;
    char err[ERRLEN];
    int rc = lesson_parse_buffer("docs/lesson-format.md", text, strlen(text), &l, err, sizeof err);
    ck_assert_msg(rc == 0, "the documented example does not parse: %s", err);
    ck_assert(l.is_lesson);
    ck_assert_str_eq(l.id, "syn-lost");
    ck_assert_int_eq(l.topic, TOPIC_CONNECT);
    ck_assert_uint_eq(l.nrequires, 1);
    ck_assert_uint_ge(l.nsteps, 3);
    bool choice = false, number = false;
    for (size_t i = 0; i < l.nsteps; i++) {
        for (int lang = 0; lang < LANG_COUNT; lang++)
            ck_assert_str_ne(lesson_text_get(&l.steps[i].say, (enum tv_lang)lang), "");
        choice |= l.steps[i].question.kind == QUESTION_CHOICE;
        number |= l.steps[i].question.kind == QUESTION_NUMBER;
    }
    ck_assert(choice && number);
    lesson_free(&l);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* Broken lessons: the exact line and message                                */

static const struct {
    const char *text;
    const char *message;   /* the whole error */
} broken[] = {
    /* The header */
    { "host client 10.0.0.1\nlesson demo\n",
      "t.lesson:2: 'lesson ID' must be the first line that is not a comment (line 1 comes before it)" },
    { "# c\ntitle x\nstep\n",
      "t.lesson:3: 'step' is a lesson line: a lesson starts with 'lesson ID' as its first line that is "
      "not a comment" },
    { "title x\nen hello\n",
      "t.lesson:2: 'en' is a lesson line: a lesson starts with 'lesson ID' as its first line that is "
      "not a comment" },
    { "lesson demo\nlesson again\n", "t.lesson:2: lesson given twice (first at line 1)" },
    { "lesson\n", "t.lesson:1: lesson needs an id, like 'lesson syn-lost'" },
    { "lesson Demo\n",
      "t.lesson:1: bad lesson id 'Demo': expected lower-case letters, digits and '-', at most 31 "
      "characters, like syn-lost" },
    { "lesson demo extra\n", "t.lesson:1: unexpected 'extra' after the lesson id" },
    { "lesson demo\ntitle Plain title\n",
      "t.lesson:2: a lesson's title is given in both languages: write 'title en TEXT' and 'title zh TEXT'" },
    { "lesson demo\ntitle en A\ntitle en B\n", "t.lesson:3: title en given twice (first at line 2)" },
    { "lesson demo\ntitle zh A\ntitle zh_CN B\n", "t.lesson:3: title zh given twice (first at line 2)" },
    { "lesson demo\ntitle en \"\"\n", "t.lesson:2: title en needs some text after it" },
    { "lesson demo\ntitle en\n", "t.lesson:2: title en needs some text after it" },
    { "lesson demo\ntopic handshake\n",
      "t.lesson:2: unknown topic 'handshake' (topics: connect close idle reliability flow congestion "
      "segment)" },
    { "lesson demo\ntopic close\ntopic idle\n", "t.lesson:3: topic given twice (first at line 2)" },
    { "lesson demo\nnumber 1\nnumber 2\n", "t.lesson:3: number given twice (first at line 2)" },
    { "lesson demo\nnumber 0\n", "t.lesson:2: number must be at least 1" },
    { "lesson demo\nnumber three\n", "t.lesson:2: bad number 'three': expected a whole number" },
    { "lesson demo\nminutes 5\nminutes 6\n", "t.lesson:3: minutes given twice (first at line 2)" },
    { "lesson demo\nminutes 601\n", "t.lesson:2: bad minutes '601': at most 600" },
    { "lesson demo\nrequires a\nrequires b\n", "t.lesson:3: requires given twice (first at line 2)" },
    { "lesson demo\nrequires Hand_shake\n",
      "t.lesson:2: bad lesson id 'Hand_shake': expected lower-case letters, digits and '-', at most 31 "
      "characters, like syn-lost" },
    { "lesson demo\nrequires demo\n", "t.lesson:2: a lesson cannot require itself ('demo')" },
    { "lesson demo\nrequires a a\n", "t.lesson:2: 'a' is required twice" },
    { "lesson demo\nrequires a b c d e f g h i\n", "t.lesson:2: too many required lessons (at most 8)" },
    { "lesson demo\nsummary\nen S\nzh S\nsummary\n", "t.lesson:5: summary given twice (first at line 2)" },
    { "lesson demo\nsummary now\n",
      "t.lesson:2: unexpected 'now' after summary (its text goes on 'en' and 'zh' lines below it)" },
    { "lesson demo\nsummary\nen Only English.\n" STEP,
      "t.lesson:2: summary has English text but no Chinese (add a 'zh' line)" },
    { "lesson demo\nen Hello\n",
      "t.lesson:2: 'en' text belongs to nothing: text lines follow a step, question, option, explain "
      "or summary line" },
    { "lesson demo\nfrobnicate\n",
      "t.lesson:2: unknown keyword 'frobnicate' (expected one of: title, duration, seed, host, link, "
      "fault, at, on, lesson, topic, number, minutes, requires, summary, step, en, zh, zh_CN, run, "
      "expect, seen, unseen, time, nopause, question, option, answer, reveal, explain)" },
    /* What the end of the file tells */
    { "lesson demo\ntopic close\n" STEP,
      "t.lesson:1: lesson has no title (add 'title en TEXT' and 'title zh TEXT')" },
    { "lesson demo\ntitle en T\ntopic close\n" STEP,
      "t.lesson:2: title has English text but no Chinese (add 'title zh TEXT')" },
    { "lesson demo\ntitle zh T\ntopic close\n" STEP,
      "t.lesson:2: title has Chinese text but no English (add 'title en TEXT')" },
    { "lesson demo\ntitle en T\ntitle zh T\n" STEP,
      "t.lesson:1: lesson has no topic (add 'topic WORD', like 'topic connect')" },
    { HEAD, "t.lesson:1: lesson has no steps (add a 'step' line with 'en' and 'zh' text)" },
    /* Where lines may go */
    { HEAD STEP "host spare 10.0.0.3\n",
      "t.lesson:10: 'host' is a scenario line: scenario lines go before the first step" },
    { HEAD STEP "at 1s client close\n",
      "t.lesson:10: 'at' is a scenario line: scenario lines go before the first step" },
    { HEAD STEP "topic close\n", "t.lesson:10: 'topic' is a header line: put it before the first step" },
    { HEAD STEP "title en X\n", "t.lesson:10: 'title' is a header line: put it before the first step" },
    { HEAD "run until end\n", "t.lesson:7: 'run' belongs in a step: add a 'step' line above it" },
    { HEAD "expect client state=LISTEN\n",
      "t.lesson:7: 'expect' belongs in a step: add a 'step' line above it" },
    /* Steps and their text */
    { HEAD "step\n" STEP, "t.lesson:7: step has no text (add 'en' and 'zh' lines after it)" },
    { HEAD "step\nrun until end\n", "t.lesson:7: step has no text (add 'en' and 'zh' lines after it)" },
    { HEAD "step\nen Only English.\n" STEP,
      "t.lesson:7: step has English text but no Chinese (add a 'zh' line)" },
    { HEAD "step\nzh 只有中文。\n",
      "t.lesson:7: step has Chinese text but no English (add an 'en' line)" },
    { HEAD "step\nen \"\"\nzh \"\"\n", "t.lesson:7: step has no text (add 'en' and 'zh' lines after it)" },
    { HEAD "step\nen\n", "t.lesson:8: en needs some text after it" },
    { HEAD "step\nen bell \a here\n",
      "t.lesson:8: control character U+0007 in the text (expected plain text)" },
    { HEAD "step\nen csi \xC2\x9B here\n",
      "t.lesson:8: control character U+009B in the text (expected plain text)" },
    { HEAD "step\nen bad \xFF byte\n",
      "t.lesson:8: invalid UTF-8 at byte 8 of the line (expected UTF-8 text)" },
    { HEAD "step Bad_Name\n",
      "t.lesson:7: bad step name 'Bad_Name': expected lower-case letters, digits and '-', at most 31 "
      "characters, like syn-lost" },
    { HEAD "step one\nen a\nzh b\nstep one\n",
      "t.lesson:10: duplicate step name 'one' (first at line 7)" },
    { HEAD STEP "nopause\nnopause\n", "t.lesson:11: nopause given twice in one step" },
    { HEAD STEP "nopause now\n", "t.lesson:10: unexpected 'now' after nopause" },
    /* run */
    { HEAD STEP "run until end\nrun for 1s\n",
      "t.lesson:11: a step has one run line (the first is at line 10)" },
    { HEAD STEP "run\n",
      "t.lesson:10: expected 'run until HOST EVENT', 'run until TIME', 'run until end' or 'run for "
      "DURATION'" },
    { HEAD STEP "run to end\n",
      "t.lesson:10: expected 'run until HOST EVENT', 'run until TIME', 'run until end' or 'run for "
      "DURATION'" },
    { HEAD STEP "run for\n", "t.lesson:10: expected a duration, like 500ms or 1.5s" },
    { HEAD STEP "run for 5\n",
      "t.lesson:10: bad duration '5': expected a duration with a unit, like 200ms" },
    { HEAD STEP "run until 90s\n",
      "t.lesson:10: run until 90s: that is after the end of the run (see 'duration')" },
    { HEAD STEP "run until end now\n", "t.lesson:10: unexpected 'now' after end" },
    { HEAD STEP "run until cleint sent=SYN\n",
      "t.lesson:10: unknown host 'cleint' (hosts: client, server)" },
    { HEAD STEP "run until client\n",
      "t.lesson:10: expected HOST EVENT, like 'client sent=SYN' or 'server state=ESTABLISHED'" },
    { HEAD STEP "run until client sent=SYN after=1s\n",
      "t.lesson:10: unknown option 'after' after the event (options: nth data)" },
    { HEAD STEP "run until client state=LISTEN data=yes\n",
      "t.lesson:10: unknown option 'data' after the event (options: nth)" },
    { HEAD STEP "run until client sent=SYN do\n",
      "t.lesson:10: expected nth=N or data=yes/no after the event, got 'do'" },
    { HEAD STEP "run until client sent=SYN nth=0\n", "t.lesson:10: nth counts from 1" },
    { HEAD STEP "run until client timer=retransmit\n",
      "t.lesson:10: unknown timer 'retransmit' (timers: rto persist delack keepalive time-wait "
      "fin-wait-2)" },
    /* checkpoints */
    { HEAD STEP "expect client\n", "t.lesson:10: expect needs at least one check, like state=ESTABLISHED" },
    { HEAD STEP "expect client cwnd=lots\n", "t.lesson:10: bad cwnd 'lots': expected a whole number" },
    { HEAD STEP "seen client happy\n",
      "t.lesson:10: unknown event 'happy' (events: state=STATE timer=NAME sent=FLAGS received=FLAGS "
      "eof error)" },
    { HEAD STEP "unseen client sent=SYN nth=2\n",
      "t.lesson:10: unseen takes no nth= (it means the event did not happen at all during the step)" },
    { HEAD STEP "unseen\n",
      "t.lesson:10: expected HOST EVENT, like 'client sent=SYN' or 'server state=ESTABLISHED'" },
    /* questions */
    { HEAD STEP "question\n", "t.lesson:10: expected 'question choice' or 'question number'" },
    { HEAD STEP "question maybe\n", "t.lesson:10: expected 'question choice' or 'question number'" },
    { HEAD STEP "question number\nen Q\nzh 问\nanswer 1 from client cwnd\nquestion number\n",
      "t.lesson:14: a step asks one question (the first is at line 10)" },
    { HEAD STEP "question choice\nen Q\nzh 问\noption\nen A\nzh 甲\nanswer A\n",
      "t.lesson:10: a choice question needs at least 2 options (this one has 1)" },
    { HEAD STEP "question choice\nen Q\nzh 问\n"
           "option\nen A\nzh 甲\noption\nen B\nzh 乙\noption\nen C\nzh 丙\n"
           "option\nen D\nzh 丁\noption\nen E\nzh 戊\noption\nen F\nzh 己\noption\n",
      "t.lesson:31: too many options (at most 6)" },
    { HEAD STEP "question choice\nen Q\nzh 问\noption\nen A\nzh 甲\noption\nen B\nzh 乙\n",
      "t.lesson:10: choice question without an answer (add 'answer LETTER', like 'answer B')" },
    { HEAD STEP "question choice\nen Q\nzh 问\nanswer C\noption\nen A\nzh 甲\noption\nen B\nzh 乙\n",
      "t.lesson:13: answer C: the question has only 2 options (A to B)" },
    { HEAD STEP "question choice\nen Q\nzh 问\nanswer G\n",
      "t.lesson:13: answer G: expected a letter from A to F" },
    { HEAD STEP "question choice\nen Q\nzh 问\nanswer 1001 from server sent_ack\n",
      "t.lesson:13: a choice question is answered with a letter, like 'answer B'" },
    { HEAD STEP "question choice\nen Q\nzh 问\noption\nen A\nzh 甲\noption\nen B\n",
      "t.lesson:16: option has English text but no Chinese (add a 'zh' line)" },
    { HEAD STEP "question choice\nen Q\nzh 问\noption\noption\nen B\nzh 乙\n",
      "t.lesson:13: option has no text (add 'en' and 'zh' lines after it)" },
    { HEAD STEP "question choice\nen Q\nzh 问\noption if client cwnd>1\n",
      "t.lesson:13: expected 'option' alone or 'option when HOST CHECK ...', got 'if'" },
    { HEAD STEP "question choice\nen Q\nzh 问\noption when\n",
      "t.lesson:13: expected 'option when HOST CHECK ...', like 'option when client retransmits>=1'" },
    { HEAD STEP "question choice\nen Q\nzh 问\noption when client colour=red\n",
      "t.lesson:13: unknown expect key 'colour' (keys: state error bytes_read bytes_written retransmits "
      "accepted syn_queue accept_queue syn_dropped cookies_sent rst_sent segs_out segs_in cwnd ssthresh "
      "snd_una snd_nxt snd_wnd rcv_nxt rcv_wnd dupacks in_recovery rto srtt rttvar)" },
    { HEAD STEP "question number\nen Q\n",
      "t.lesson:10: question has English text but no Chinese (add a 'zh' line)" },
    { HEAD STEP "question number\nen Q\nzh 问\n",
      "t.lesson:10: number question without an answer (add 'answer NUMBER from HOST KEY', like "
      "'answer 1001 from server sent_ack')" },
    { HEAD STEP "question number\nen Q\nzh 问\nanswer B\n",
      "t.lesson:13: a number question is answered with 'answer NUMBER from HOST KEY', like "
      "'answer 1001 from server sent_ack'" },
    { HEAD STEP "question number\nen Q\nzh 问\nanswer 1001 server sent_ack\n",
      "t.lesson:13: a number question is answered with 'answer NUMBER from HOST KEY', like "
      "'answer 1001 from server sent_ack'" },
    { HEAD STEP "question number\nen Q\nzh 问\nanswer 1001 from server ack\n",
      "t.lesson:13: unknown answer key 'ack' (keys: bytes_read bytes_written retransmits accepted "
      "syn_queue accept_queue syn_dropped cookies_sent rst_sent segs_out segs_in cwnd ssthresh snd_una "
      "snd_nxt snd_wnd rcv_nxt rcv_wnd dupacks rto srtt rttvar sent_seq sent_ack sent_win sent_len)" },
    { HEAD STEP "question number\nen Q\nzh 问\nanswer 1 from server state\n",
      "t.lesson:13: unknown answer key 'state' (keys: bytes_read bytes_written retransmits accepted "
      "syn_queue accept_queue syn_dropped cookies_sent rst_sent segs_out segs_in cwnd ssthresh snd_una "
      "snd_nxt snd_wnd rcv_nxt rcv_wnd dupacks rto srtt rttvar sent_seq sent_ack sent_win sent_len)" },
    { HEAD STEP "question number\nen Q\nzh 问\nanswer 1 from nobody cwnd\n",
      "t.lesson:13: unknown host 'nobody' (hosts: client, server)" },
    { HEAD STEP "question number\nen Q\nzh 问\nanswer 1 from client cwnd extra\n",
      "t.lesson:13: unexpected 'extra' after the key" },
    { HEAD STEP "question number\nen Q\nzh 问\nanswer 99999999999999999999 from client cwnd\n",
      "t.lesson:13: bad answer '99999999999999999999': expected a whole number" },
    { HEAD STEP "question number\nen Q\nzh 问\nanswer 1 from client cwnd\nanswer 2 from client cwnd\n",
      "t.lesson:14: answer given twice (first at line 13)" },
    { HEAD STEP "question number\nen Q\nzh 问\noption\n",
      "t.lesson:13: options belong to a choice question (this one is a number question, line 10)" },
    { HEAD STEP "answer B\n",
      "t.lesson:10: 'answer' without a question: write 'question choice' or 'question number' above it" },
    { HEAD STEP "reveal until end\n",
      "t.lesson:10: 'reveal' without a question: write 'question choice' or 'question number' above it" },
    { HEAD STEP "explain\n",
      "t.lesson:10: 'explain' without a question: write 'question choice' or 'question number' above it" },
    { HEAD STEP "option\n",
      "t.lesson:10: 'option' without a question: write 'question choice' or 'question number' above it" },
    { HEAD STEP "question number\nen Q\nzh 问\nanswer 1 from client cwnd\nreveal for 1s\nreveal for 2s\n",
      "t.lesson:15: reveal given twice (first at line 14)" },
    { HEAD STEP "question number\nen Q\nzh 问\nanswer 1 from client cwnd\nreveal\n",
      "t.lesson:14: expected 'reveal until HOST EVENT', 'reveal until TIME', 'reveal until end' or "
      "'reveal for DURATION'" },
    { HEAD STEP "question number\nen Q\nzh 问\nanswer 1 from client cwnd\nexplain\nen E\nzh 解\nexplain\n",
      "t.lesson:17: explain given twice (first at line 14)" },
    { HEAD STEP "question number\nen Q\nzh 问\nanswer 1 from client cwnd\nexplain\nen Only English.\n",
      "t.lesson:14: explain has English text but no Chinese (add a 'zh' line)" },
    { HEAD STEP "question number\nen Q\nzh 问\nanswer 1 from client cwnd\nexplain\n" STEP,
      "t.lesson:14: explain has no text (add 'en' and 'zh' lines after it)" },
    /* Time checks */
    { HEAD STEP "time = 1s\n",
      "t.lesson:10: write a time check without spaces, like time=1.12s or time>=2h" },
    { HEAD STEP "time=>1s\n",
      "t.lesson:10: bad operator in 'time=>1s' (expected one of = != < <= > >=)" },
    { HEAD STEP "time<\n", "t.lesson:10: missing duration after 'time<', like time=1.12s" },
    { HEAD STEP "time=1.12\n",
      "t.lesson:10: bad time '1.12' in 'time=1.12': expected whole microseconds with a unit "
      "(us, ms, s, min, h), like time=1.12s" },
    { HEAD STEP "time>=0.0000005s\n",
      "t.lesson:10: bad time '0.0000005s' in 'time>=0.0000005s': expected whole microseconds with "
      "a unit (us, ms, s, min, h), like time=1.12s" },
    { HEAD STEP "time>=1s state=ESTABLISHED\n",
      "t.lesson:10: expected 'time OP DURATION' without spaces, like time=1.12s or time>=2h, got "
      "'state=ESTABLISHED'" },
    { HEAD "duration 2s\n" STEP "time=1s\ntime>2.5s\n",
      "t.lesson:12: time>2.5s: that is after the end of the run (see 'duration')" },
    { HEAD "time=1s\n" STEP, "t.lesson:7: 'time=1s' belongs in a step: add a 'step' line above it" },
    { "host client 10.0.0.1\ntime<1s\n",
      "t.lesson:2: 'time<1s' is a lesson line: a lesson starts with 'lesson ID' as its first line "
      "that is not a comment" },
    /* The scenario grammar's own rules still hold inside a lesson */
    { HEAD "step\nen ok\nzh ok\nexpect client state=\"X\n",
      "t.lesson:10: unexpected '\"' inside a word: put a space before a quoted string" },
    { HEAD "step\nen ok\nzh ok\nnote \"x\" y\n",
      "t.lesson:10: unknown keyword 'note' (expected one of: title, duration, seed, host, link, "
      "fault, at, on, lesson, topic, number, minutes, requires, summary, step, en, zh, zh_CN, run, "
      "expect, seen, unseen, time, nopause, question, option, answer, reveal, explain)" },
};

START_TEST(test_broken)
{
    const char *got = parse_err(broken[_i].text);
    ck_assert_msg(strcmp(got, broken[_i].message) == 0, "case %d:\n got: %s\nwant: %s", _i, got,
                  broken[_i].message);
}
END_TEST

/* A message never runs past the caller's buffer, and a tiny one is fine. */
START_TEST(test_small_error_buffer)
{
    char err[12];
    struct lesson l;
    const char *text = HEAD "step\nen Only English.\n";
    ck_assert_int_eq(lesson_parse_buffer("t.lesson", text, strlen(text), &l, err, sizeof err), -1);
    ck_assert_str_eq(err, "t.lesson:7:");
    ck_assert_int_eq(lesson_parse_buffer("t.lesson", text, strlen(text), &l, NULL, 0), -1);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* The scenario parser's extension hook, with an extension of its own         */

struct marks {
    unsigned count, last_line;
    uint64_t total;   /* of the durations on `mark DURATION` lines */
};

/* "mark DURATION" is handled here; "mark" alone is an error; every other
 * line goes on to the scenario grammar. */
static int mark_line(void *ctx, struct scenario_ext_line *line)
{
    struct marks *m = ctx;
    if (strcmp(scenario_ext_tok(line, 0), "mark") != 0)
        return 0;
    uint64_t d;
    if (!scenario_ext_tok(line, 1))
        return scenario_ext_fail(line, "mark needs a duration");
    if (scenario_ext_duration(line, 1, &d) < 0)
        return -1;
    m->count++;
    m->total += d;
    m->last_line = scenario_ext_lineno(line);
    return 1;
}

static int mark_finish(void *ctx, struct scenario_ext_line *line)
{
    const struct marks *m = ctx;
    if (m->count > 2)
        return scenario_ext_fail_at(line, m->last_line, "at most 2 marks (this is mark %u)", m->count);
    return 0;
}

static const char *mark_keyword(void *ctx, size_t i)
{
    (void)ctx;
    return i == 0 ? "mark" : NULL;
}

static int parse_with_marks(const char *text, struct marks *m, struct scenario *s, char *err)
{
    memset(m, 0, sizeof *m);
    const struct scenario_extension ext = {
        .ctx = m, .line = mark_line, .finish = mark_finish, .keyword = mark_keyword,
    };
    return scenario_parse_buffer_ext("m.scn", text, strlen(text), s, &ext, err, ERRLEN);
}

START_TEST(test_extension_hook)
{
    struct marks m;
    struct scenario s;
    char err[ERRLEN];
    ck_assert_int_eq(parse_with_marks("host a 10.0.0.1\nmark 1s\n# c\nmark 250ms\nduration 5s\n", &m, &s,
                                      err), 0);
    ck_assert_uint_eq(m.count, 2);
    ck_assert_uint_eq(m.total, 1250000);
    ck_assert_uint_eq(s.nhosts, 1);
    ck_assert_uint_eq(s.duration, 5000000);
    scenario_free(&s);

    ck_assert_int_eq(parse_with_marks("host a 10.0.0.1\nmark\n", &m, &s, err), -1);
    ck_assert_str_eq(err, "m.scn:2: mark needs a duration");
    ck_assert_ptr_null(s.file);
    ck_assert_int_eq(parse_with_marks("mark 5\n", &m, &s, err), -1);
    ck_assert_str_eq(err, "m.scn:1: bad duration '5': expected a duration with a unit, like 200ms");
    ck_assert_int_eq(parse_with_marks("mark 1s\nmark 1s\n\nmark 1s\nhost a 10.0.0.1\n", &m, &s, err), -1);
    ck_assert_str_eq(err, "m.scn:4: at most 2 marks (this is mark 3)");
    ck_assert_int_eq(parse_with_marks("mark 1s\nfrob\n", &m, &s, err), -1);
    ck_assert_str_eq(err, "m.scn:2: unknown keyword 'frob' (expected one of: title, duration, seed, host, "
                          "link, fault, at, on, mark)");

    /* The helpers behave like the scenario grammar they come from. */
    ck_assert(scenario_is_line_keyword("host"));
    ck_assert(!scenario_is_line_keyword("step"));
    ck_assert(!scenario_is_line_keyword(NULL));
    bool numeric = true;
    ck_assert_str_eq(scenario_expect_key(0, &numeric), "state");
    ck_assert(!numeric);
    ck_assert_ptr_null(scenario_expect_key(1000, NULL));
}
END_TEST

/* One validator for lesson ids and step names (the parser's and the
 * progress file's): ASCII only, whatever the locale. */
START_TEST(test_lesson_id_valid)
{
    ck_assert(lesson_id_valid("syn-lost"));
    ck_assert(lesson_id_valid("01-handshake"));
    ck_assert(lesson_id_valid("a"));
    char longest[LESSON_ID_MAX];
    memset(longest, 'a', sizeof longest - 1);
    longest[sizeof longest - 1] = '\0';
    ck_assert(lesson_id_valid(longest));
    char too_long[LESSON_ID_MAX + 1];
    memset(too_long, 'a', sizeof too_long - 1);
    too_long[sizeof too_long - 1] = '\0';
    ck_assert(!lesson_id_valid(too_long));
    ck_assert(!lesson_id_valid(""));
    ck_assert(!lesson_id_valid("-syn"));
    ck_assert(!lesson_id_valid("Syn"));
    ck_assert(!lesson_id_valid("syn_lost"));
    ck_assert(!lesson_id_valid("syn lost"));
    ck_assert(!lesson_id_valid("caf\xc3\xa9"));   /* é: a letter, not an ASCII one */
    ck_assert(!lesson_id_valid("\xe4\xb8\xad"));
}
END_TEST

static Suite *lesson_parse_suite(void)
{
    Suite *s = suite_create("lesson_parse");
    TCase *tc = tcase_create("parse");
    tcase_add_test(tc, test_header_fields);
    tcase_add_test(tc, test_lesson_id_valid);
    tcase_add_test(tc, test_header_optional_parts);
    tcase_add_test(tc, test_topics);
    tcase_add_test(tc, test_step_text_and_runs);
    tcase_add_test(tc, test_prose_quotes);
    tcase_add_test(tc, test_paragraphs);
    tcase_add_test(tc, test_chinese_lines_join_without_space);
    tcase_add_test(tc, test_checkpoints);
    tcase_add_test(tc, test_time_checks);
    tcase_add_test(tc, test_choice_question);
    tcase_add_test(tc, test_number_question);
    tcase_add_test(tc, test_text_after_other_lines);
    tcase_add_test(tc, test_text_get);
    tcase_add_test(tc, test_plain_scenario);
    tcase_add_test(tc, test_plain_scenario_errors_unchanged);
    tcase_add_test(tc, test_parse_file);
    tcase_add_test(tc, test_doc_example);
    tcase_add_loop_test(tc, test_broken, 0, (int)(sizeof broken / sizeof broken[0]));
    tcase_add_test(tc, test_small_error_buffer);
    tcase_add_test(tc, test_extension_hook);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return check_main_run(lesson_parse_suite());
}
