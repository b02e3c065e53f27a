/* Tests of the lesson runner: where each step stops, and whether the claims
 * a lesson makes are judged against what the engine really did.
 *
 * Every lesson here is a small file written inline and parsed with
 * lesson_parse_buffer, so each test shows the lines it depends on.  The
 * scenarios fix both ISNs, so sequence numbers are known in advance. */
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lesson/lesson.h"
#include "lesson/lesson_run.h"
#include "sim/world.h"
#include "tcp/segment.h"
#include "tcp/settings.h"

#include "check_main.h"

#define MS TCP_USEC_PER_MS
#define SEC TCP_USEC_PER_SEC
#define SERVER 1

/* A handshake: SYN at 100 ms, SYN-ACK at 120 ms, ACK at 140 ms. */
#define HEADER                                      \
    "lesson t\n"                                    \
    "title en \"T\"\n"                              \
    "title zh \"T\"\n"                              \
    "topic connect\n"                               \
    "duration 10s\n"                                \
    "host client 10.0.0.1 isn=1000\n"               \
    "host server 10.0.0.2 isn=5000\n"               \
    "link client<->server delay=20ms\n"             \
    "at 0s server listen 80\n"                      \
    "at 100ms client connect server:80 port=49152\n"
/* HEADER is this many lines: a lesson's first own line is line 11. */
#define HEADER_LINES 10
/* Every SYN is lost: the client sends it at 0.1 s, 1.1 s, 3.1 s, 7.1 s. */
#define SYN_LOST "fault drop from=client flags=SYN\n"

#define STEP(en, zh) "step\nen " en "\nzh " zh "\n"

struct fixture {
    struct lesson l;
    struct world *w;
    struct lesson_plan p;
};

/* The lesson in text, as t.lesson, and a world for it: no plan yet. */
static void parse(struct fixture *f, const char *text)
{
    char err[512] = "";
    memset(f, 0, sizeof *f);
    int rc = lesson_parse_buffer("t.lesson", text, strlen(text), &f->l, err, sizeof err);
    ck_assert_msg(rc == 0, "the test lesson does not parse: %s", err);
    f->w = world_new(&f->l.scn, 1);
    ck_assert_ptr_nonnull(f->w);
}

static void build(struct fixture *f, const char *text)
{
    char err[512] = "";
    parse(f, text);
    int rc = lesson_plan_build(&f->l, f->w, &f->p, err, sizeof err);
    ck_assert_msg(rc == 0, "no plan: %s", err);
    ck_assert_uint_eq(f->p.nsteps, f->l.nsteps);
}

static void release(struct fixture *f)
{
    lesson_plan_free(&f->p);
    world_free(f->w);
    lesson_free(&f->l);
}

static const struct trace_entry *entry(struct fixture *f, size_t index)
{
    ck_assert_msg(world_seek(f->w, index), "the run has no event %zu", index);
    return &world_trace(f->w)[index];
}

/* ======================================================= stopping points == */

START_TEST(run_until_event_stops_on_that_event)
{
    struct fixture f;
    build(&f, HEADER STEP("The server answers.", "服务器应答。")
                  "run until server sent=SYN,ACK\n");
    const struct lesson_step_plan *sp = &f.p.steps[0];
    ck_assert(sp->reached);
    ck_assert_uint_eq(sp->t_stop, 120 * MS);
    /* The plan leaves the world at the last stopping point. */
    ck_assert_uint_gt(world_trace_len(f.w), sp->stop);
    const struct trace_entry *e = entry(&f, sp->stop);
    ck_assert_int_eq(e->ev.kind, EV_SEG_OUT);
    ck_assert_int_eq(e->ev.endpoint, SERVER);
    ck_assert_int_eq(e->ev.u.seg.flags & (TCP_SYN | TCP_ACK), TCP_SYN | TCP_ACK);
    ck_assert_uint_eq(f.p.claims, 1);
    ck_assert_uint_eq(f.p.failed, 0);
    release(&f);
}
END_TEST

START_TEST(first_step_without_run_stops_at_the_first_event)
{
    struct fixture f;
    build(&f, HEADER STEP("Before anything.", "开始之前。"));
    ck_assert_uint_eq(f.p.steps[0].stop, 0);
    ck_assert_uint_eq(f.p.steps[0].start, 0);
    ck_assert(f.p.steps[0].reached);
    ck_assert_uint_eq(f.p.claims, 0);
    release(&f);
}
END_TEST

/* lesson_run.h: without a question, the reveal is the stopping point, and
 * so is its time (a UI that shows "t=" at the reveal must not show 0). */
START_TEST(a_step_without_a_question_reveals_where_it_stops)
{
    struct fixture f;
    build(&f, HEADER STEP("Hello.", "你好。") "run until server sent=SYN,ACK\n");
    const struct lesson_step_plan *sp = &f.p.steps[0];
    ck_assert_uint_eq(sp->reveal, sp->stop);
    ck_assert_uint_eq(sp->t_stop, 120 * MS);
    ck_assert_uint_eq(sp->t_reveal, sp->t_stop);
    release(&f);
}
END_TEST

START_TEST(nth_counts_from_the_steps_start)
{
    struct fixture f;
    build(&f, HEADER SYN_LOST
              STEP("The first SYN.", "第一个 SYN。") "run until client sent=SYN\n"
              STEP("Two more SYNs.", "又两个 SYN。") "run until client sent=SYN nth=2\n");
    ck_assert_uint_eq(f.p.steps[0].t_stop, 100 * MS);
    ck_assert_uint_eq(f.p.steps[1].start, f.p.steps[0].stop);
    /* The second SYN of step two is the third of the run: after 1 s and
     * 2 s of backed-off RTO.  Counted from t=0 it would be at 1.1 s. */
    ck_assert_uint_eq(f.p.steps[1].t_stop, 3100 * MS);
    ck_assert(f.p.steps[1].reached);
    release(&f);
}
END_TEST

START_TEST(run_until_time_stops_at_the_last_event_at_or_before_it)
{
    struct fixture f;
    build(&f, HEADER SYN_LOST STEP("Waiting.", "等待。") "run until 2s\n");
    size_t stop = f.p.steps[0].stop;
    ck_assert_uint_eq(f.p.steps[0].t_stop, 1100 * MS);
    ck_assert_uint_le(entry(&f, stop)->t, 2 * SEC);
    ck_assert_uint_gt(entry(&f, stop + 1)->t, 2 * SEC);
    ck_assert_uint_eq(f.p.failed, 0);
    release(&f);
}
END_TEST

START_TEST(run_for_counts_from_the_steps_start)
{
    struct fixture f;
    build(&f, HEADER SYN_LOST
              STEP("The first SYN.", "第一个 SYN。") "run until client sent=SYN\n"
              STEP("Three seconds later.", "三秒之后。") "run for 3s\n");
    /* 0.1 s + 3 s reaches the third SYN at 3.1 s; from t=0 it would not. */
    ck_assert_uint_eq(f.p.steps[1].t_stop, 3100 * MS);
    release(&f);
}
END_TEST

START_TEST(run_until_end_stops_at_the_last_event)
{
    struct fixture f;
    build(&f, HEADER STEP("All of it.", "全部。") "run until end\n");
    size_t stop = f.p.steps[0].stop;
    world_run(f.w);
    ck_assert_uint_eq(stop, world_trace_len(f.w) - 1);
    release(&f);
}
END_TEST

START_TEST(time_before_the_step_is_a_failed_claim)
{
    struct fixture f;
    build(&f, HEADER SYN_LOST
              STEP("Late.", "晚了。") "run until 3s\n"
              STEP("Back?", "回去？") "run until 1s\n");
    ck_assert(!f.p.steps[1].reached);
    ck_assert_uint_eq(f.p.steps[1].stop, f.p.steps[1].start);
    ck_assert_ptr_nonnull(strstr(f.p.steps[1].stop_why, "t.lesson:19: run until t=1.000 s"));
    ck_assert_uint_eq(f.p.failed, 1);
    release(&f);
}
END_TEST

START_TEST(unreached_event_is_a_failed_claim)
{
    struct fixture f;
    build(&f, HEADER STEP("Never.", "永不。") "run until server state=CLOSE_WAIT\n");
    const struct lesson_step_plan *sp = &f.p.steps[0];
    ck_assert(!sp->reached);
    size_t stop = sp->stop;
    world_run(f.w);
    ck_assert_uint_eq(stop, world_trace_len(f.w) - 1);
    ck_assert_str_eq(sp->stop_why, "t.lesson:14: run until server state=CLOSE_WAIT: its event "
                                   "never happened before the run ended (t=10.000 s)");
    ck_assert_uint_eq(f.p.claims, 1);
    ck_assert_uint_eq(f.p.failed, 1);
    release(&f);
}
END_TEST

/* "never the 21st": English ordinals, 11th to 13th included. */
START_TEST(unreached_nth_names_the_ordinal)
{
    static const struct {
        unsigned nth;
        const char *said;
    } cases[] = {
        {5, "5th"}, {11, "11th"}, {12, "12th"}, {13, "13th"},
        {21, "21st"}, {22, "22nd"}, {23, "23rd"}, {101, "101st"}, {111, "111th"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct fixture f;
        char text[1024], want[200];
        snprintf(text, sizeof text, "%s%s%srun until client sent=SYN nth=%u\n", HEADER, SYN_LOST,
                 STEP("Many SYNs.", "很多 SYN。"), cases[i].nth);
        build(&f, text);
        const struct lesson_step_plan *sp = &f.p.steps[0];
        ck_assert(!sp->reached);
        snprintf(want, sizeof want, "it happened 4 times, never the %s, before the run ended",
                 cases[i].said);
        ck_assert_msg(strstr(sp->stop_why, want), "%s", sp->stop_why);
        release(&f);
    }
}
END_TEST

START_TEST(the_end_of_a_stream_is_an_event_to_stop_at)
{
    struct fixture f;
    build(&f, HEADER "at 1s client send 100\n"
                     "at 1s client close\n"
              STEP("Data, then a FIN.", "数据，然后 FIN。") "run until server eof\n"
              "seen server eof\n"
              "expect server state=CLOSE_WAIT bytes_read=100\n");
    const struct lesson_step_plan *sp = &f.p.steps[0];
    ck_assert(sp->reached);
    /* The FIN left with the data at 1 s and arrives 20 ms later. */
    ck_assert_uint_eq(sp->t_stop, 1020 * MS);
    ck_assert_msg(sp->checks[0].passed, "%s", sp->checks[0].why);
    ck_assert_msg(sp->checks[1].passed, "%s", sp->checks[1].why);
    ck_assert_uint_eq(f.p.failed, 0);
    release(&f);
}
END_TEST

/* ========================================================== checkpoints == */

START_TEST(checkpoints_hold_where_the_step_stops)
{
    struct fixture f;
    build(&f, HEADER STEP("SYN sent.", "SYN 已发出。") "run until client sent=SYN\n"
              "expect client state=SYN_SENT snd_nxt=1001\n"
              "expect server state=LISTEN\n");
    ck_assert(f.p.steps[0].checks[0].passed);
    ck_assert(f.p.steps[0].checks[1].passed);
    ck_assert_uint_eq(f.p.claims, 3);
    ck_assert_uint_eq(f.p.failed, 0);
    release(&f);
}
END_TEST

START_TEST(a_wrong_checkpoint_fails_saying_what_the_engine_has)
{
    struct fixture f;
    build(&f, HEADER STEP("SYN sent.", "SYN 已发出。") "run until client sent=SYN\n"
              "expect client state=ESTABLISHED\n"
              "expect client cwnd>=99999 snd_nxt=1001\n"
              "expect server state=SYN_RECEIVED rcv_nxt=1001\n");
    const struct lesson_step_plan *sp = &f.p.steps[0];
    ck_assert(!sp->checks[0].passed);
    ck_assert_str_eq(sp->checks[0].why,
                     "t.lesson:15: expect client state=ESTABLISHED: client is in SYN_SENT");
    ck_assert(!sp->checks[1].passed);
    ck_assert_str_eq(sp->checks[1].why, "t.lesson:16: expect client cwnd>=99999 snd_nxt=1001: "
                                        "client's cwnd is 14600");
    /* Every failing term is named; the server has only its listener. */
    ck_assert(!sp->checks[2].passed);
    ck_assert_str_eq(sp->checks[2].why, "t.lesson:17: expect server state=SYN_RECEIVED "
                                        "rcv_nxt=1001: server is in LISTEN, server's rcv_nxt "
                                        "is 0");
    ck_assert_uint_eq(f.p.claims, 4);
    ck_assert_uint_eq(f.p.failed, 3);
    release(&f);
}
END_TEST

START_TEST(a_checkpoint_on_a_host_without_a_connection_says_so)
{
    struct fixture f;
    /* The first step stops at the first event: the server's listen. */
    build(&f, HEADER STEP("Nothing yet.", "还什么都没有。") "expect client cwnd>=1\n");
    ck_assert(!f.p.steps[0].checks[0].passed);
    ck_assert_str_eq(f.p.steps[0].checks[0].why, "t.lesson:14: expect client cwnd>=1: client "
                                                 "has no connection to read cwnd from");
    release(&f);
}
END_TEST

START_TEST(seen_and_unseen_look_only_at_the_steps_own_run)
{
    struct fixture f;
    build(&f, HEADER SYN_LOST
              STEP("The first SYN.", "第一个 SYN。") "run until client sent=SYN\n"
              STEP("Silence.", "安静。") "run until 2s\n"
              "seen client sent=SYN\n"          /* 20: the retransmission at 1.1 s */
              "unseen server received=SYN\n"    /* 21 */
              "seen client sent=SYN nth=2\n"    /* 22: only one in this step */
              "unseen client timer=rto\n"       /* 23: it fired at 1.1 s */
              "seen server sent=SYN,ACK\n");    /* 24 */
    const struct lesson_check_result *r = f.p.steps[1].checks;
    ck_assert_msg(r[0].passed, "%s", r[0].why);
    ck_assert_msg(r[1].passed, "%s", r[1].why);
    ck_assert(!r[2].passed);
    ck_assert_str_eq(r[2].why, "t.lesson:22: seen client sent=SYN nth=2: it happened 1 time "
                               "during the step, not 2");
    ck_assert(!r[3].passed);
    ck_assert_str_eq(r[3].why, "t.lesson:23: unseen client timer=rto: it happened during the "
                               "step, first at t=1.100 s");
    ck_assert(!r[4].passed);
    ck_assert_str_eq(r[4].why, "t.lesson:24: seen server sent=SYN,ACK: it did not happen "
                               "during the step");
    release(&f);
}
END_TEST

/* ============================================================ questions == */

#define ACK_QUESTION(stated)                                    \
    "question number\n"                                          \
    "en What ack number will the SYN-ACK carry?\n"               \
    "zh SYN-ACK 会带什么确认号？\n"                               \
    "answer " stated " from server sent_ack\n"                   \
    "reveal until server sent=SYN,ACK\n"                         \
    "explain\n"                                                  \
    "en {answer}: the ISN plus one.\n"                           \
    "zh {answer}：ISN 加一。\n"

/* ================================================================ time == */

START_TEST(time_checks_hold_at_the_stopping_point)
{
    struct fixture f;
    /* The second SYN leaves at 1.1 s: one initial RTO after the first. */
    build(&f, HEADER SYN_LOST STEP("The SYN again, at 1.1 s.", "1.1 秒时再发 SYN。")
              "run until client sent=SYN nth=2\n"
              "time=1.1s\n"
              "time>=1s time<1.2s\n"
              "time!=100ms\n"
              "time<=1100000us time>1.099999s\n");
    const struct lesson_step_plan *sp = &f.p.steps[0];
    ck_assert_uint_eq(sp->t_stop, 1100 * MS);
    ck_assert_uint_eq(sp->nchecks, 6);
    for (size_t c = 0; c < sp->nchecks; c++)
        ck_assert_msg(sp->checks[c].passed, "check %zu: %s", c, sp->checks[c].why);
    ck_assert_uint_eq(f.p.claims, 7);
    ck_assert_uint_eq(f.p.failed, 0);
    release(&f);
}
END_TEST

START_TEST(a_wrong_time_fails_saying_where_the_step_stops)
{
    struct fixture f;
    build(&f, HEADER SYN_LOST STEP("The SYN again.", "再发 SYN。")
              "run until client sent=SYN nth=2\n"
              "time=1.12s\n"                    /* 16 */
              "time<1.1s\n"
              "time>9s\n"
              "time!=1.1s\n"
              "time=1100001us\n");
    const struct lesson_step_plan *sp = &f.p.steps[0];
    ck_assert_str_eq(sp->checks[0].why, "t.lesson:16: time=1.12s: the step stops at 1.100 s");
    ck_assert_str_eq(sp->checks[1].why, "t.lesson:17: time<1.1s: the step stops at 1.100 s");
    ck_assert_str_eq(sp->checks[2].why, "t.lesson:18: time>9s: the step stops at 1.100 s");
    ck_assert_str_eq(sp->checks[3].why, "t.lesson:19: time!=1.1s: the step stops at 1.100 s");
    /* Exact to the microsecond: one too many is wrong. */
    ck_assert_str_eq(sp->checks[4].why, "t.lesson:20: time=1.100001s: the step stops at 1.100 s");
    ck_assert_uint_eq(f.p.claims, 6);
    ck_assert_uint_eq(f.p.failed, 5);
    release(&f);
}
END_TEST

/* A stop that is not on a whole millisecond is shown to the microsecond,
 * so the writer sees what `=` must say. */
START_TEST(a_wrong_time_shows_the_microseconds)
{
    struct fixture f;
    build(&f, "lesson t\ntitle en \"T\"\ntitle zh \"T\"\ntopic connect\nduration 3s\n"
              "host client 10.0.0.1 isn=1000\nhost server 10.0.0.2 isn=5000\n"
              "link client<->server delay=20500us\n"
              "at 0s server listen 80\nat 1s client connect server:80 port=49152\n"
              STEP("The SYN-ACK.", "SYN-ACK。") "run until server sent=SYN,ACK\n"
              "time=1.02s\n"
              "time=1.0205s\n");
    const struct lesson_step_plan *sp = &f.p.steps[0];
    ck_assert_uint_eq(sp->t_stop, 1020500);
    ck_assert_str_eq(sp->checks[0].why, "t.lesson:15: time=1.02s: the step stops at 1.020500 s");
    ck_assert(sp->checks[1].passed);
    release(&f);
}
END_TEST

/* The time is the stopping point's, not the reveal's; a step without a
 * run stands where the previous one stopped. */
START_TEST(time_is_the_stopping_points_not_the_reveals)
{
    struct fixture f;
    build(&f, HEADER STEP("The SYN.", "SYN。") "run until client sent=SYN\n"
              "time=100ms\n" ACK_QUESTION("1001")
              STEP("Still here.", "还在这里。") "time=120ms\n");
    ck_assert(f.p.steps[0].checks[0].passed);
    ck_assert_uint_eq(f.p.steps[0].t_reveal, 120 * MS);
    ck_assert(f.p.steps[1].checks[0].passed);
    ck_assert_uint_eq(f.p.failed, 0);
    release(&f);
}
END_TEST

START_TEST(a_number_answer_is_read_from_the_engine)
{
    struct fixture f;
    build(&f, HEADER STEP("SYN sent.", "SYN 已发出。") "run until client sent=SYN\n"
              ACK_QUESTION("1001"));
    const struct lesson_step_plan *sp = &f.p.steps[0];
    ck_assert(sp->answer_known);
    ck_assert_int_eq(sp->engine_number, 1001);
    ck_assert(sp->answer_ok);
    ck_assert_uint_eq(sp->t_reveal, 120 * MS);
    ck_assert_uint_gt(sp->reveal, sp->stop);
    /* The run goes on from the reveal point. */
    ck_assert_uint_eq(f.p.claims, 3);
    ck_assert_uint_eq(f.p.failed, 0);
    release(&f);
}
END_TEST

START_TEST(a_wrong_number_answer_fails_naming_the_engines_value)
{
    struct fixture f;
    build(&f, HEADER STEP("SYN sent.", "SYN 已发出。") "run until client sent=SYN\n"
              ACK_QUESTION("5001"));
    const struct lesson_step_plan *sp = &f.p.steps[0];
    ck_assert(sp->answer_known);
    ck_assert(!sp->answer_ok);
    ck_assert_int_eq(sp->engine_number, 1001);
    ck_assert_str_eq(sp->answer_why,
                     "t.lesson:18: answer 5001 from server sent_ack: the engine says 1001");
    ck_assert_uint_eq(f.p.failed, 1);
    release(&f);
}
END_TEST

START_TEST(a_number_answer_may_be_any_expect_key)
{
    struct fixture f;
    build(&f, HEADER STEP("Connected.", "已连接。") "run until client state=ESTABLISHED\n"
              "question number\nen Next sequence number?\nzh 下一个序列号？\n"
              "answer 1001 from client snd_nxt\n");
    const struct lesson_step_plan *sp = &f.p.steps[0];
    ck_assert_uint_eq(sp->reveal, sp->stop);
    ck_assert(sp->answer_ok);
    ck_assert_int_eq(sp->engine_number, 1001);
    release(&f);
}
END_TEST

START_TEST(a_number_answer_may_read_the_rto_estimator)
{
    /* The SYN-ACK comes back 40 ms after the SYN: SRTT 40, RTTVAR 20, and
     * RTO 40 + 4 x 20 = 120 ms, raised to the 200 ms minimum (RFC 6298
     * 2.2, 2.4); the answer is in milliseconds, and a wrong one is told
     * the engine's value. */
    struct fixture f;
    build(&f, HEADER STEP("Connected.", "已连接。") "run until client state=ESTABLISHED\n"
              "expect client srtt=40 rttvar=20\n"
              "question number\nen RTO in ms?\nzh RTO 是多少毫秒？\n"
              "answer 200 from client rto\n"
              STEP("Again.", "再来。")
              "question number\nen RTO in ms?\nzh RTO 是多少毫秒？\n"
              "answer 120 from client rto\n");
    ck_assert(f.p.steps[0].answer_ok);
    ck_assert_int_eq(f.p.steps[0].engine_number, 200);
    ck_assert(!f.p.steps[1].answer_ok);
    ck_assert_int_eq(f.p.steps[1].engine_number, 200);
    ck_assert_ptr_nonnull(strstr(f.p.steps[1].answer_why,
                                 "answer 120 from client rto: the engine says 200"));
    ck_assert_uint_eq(f.p.failed, 1);
    release(&f);
}
END_TEST

#define CHOICE(stated, when_a, when_b)                      \
    "question choice\nen What next?\nzh 接下来？\n"          \
    "option " when_a "\nen Option A.\nzh 选项 A。\n"         \
    "option " when_b "\nen Option B.\nzh 选项 B。\n"         \
    "option\nen Option C.\nzh 选项 C。\n"                    \
    "answer " stated "\n"                                    \
    "reveal until client state=ESTABLISHED\n"

START_TEST(a_choice_holds_when_only_the_stated_option_does)
{
    struct fixture f;
    build(&f, HEADER STEP("SYN sent.", "SYN 已发出。") "run until client sent=SYN\n"
              CHOICE("B", "when client state=SYN_SENT", "when client state=ESTABLISHED"));
    const struct lesson_step_plan *sp = &f.p.steps[0];
    ck_assert_msg(sp->answer_ok, "%s", sp->answer_why);
    ck_assert(sp->answer_known);
    ck_assert_int_eq(sp->engine_option, 1);
    ck_assert_uint_eq(sp->t_reveal, 140 * MS);
    release(&f);
}
END_TEST

START_TEST(a_choice_fails_when_the_stated_option_does_not_hold)
{
    struct fixture f;
    build(&f, HEADER STEP("SYN sent.", "SYN 已发出。") "run until client sent=SYN\n"
              CHOICE("A", "when client state=SYN_SENT", "when client state=ESTABLISHED"));
    const struct lesson_step_plan *sp = &f.p.steps[0];
    ck_assert(!sp->answer_ok);
    ck_assert_int_eq(sp->engine_option, 1);
    ck_assert_ptr_nonnull(strstr(sp->answer_why, "answer A: option A does not hold at the "
                                                 "reveal point (client is in ESTABLISHED)"));
    ck_assert_ptr_nonnull(strstr(sp->answer_why, "option B true"));
    ck_assert_uint_eq(f.p.failed, 1);
    release(&f);
}
END_TEST

START_TEST(a_choice_fails_when_two_options_hold)
{
    struct fixture f;
    build(&f, HEADER STEP("SYN sent.", "SYN 已发出。") "run until client sent=SYN\n"
              CHOICE("B", "when client retransmits=0", "when client state=ESTABLISHED"));
    const struct lesson_step_plan *sp = &f.p.steps[0];
    ck_assert(!sp->answer_ok);
    ck_assert(!sp->answer_known);
    ck_assert_ptr_nonnull(strstr(sp->answer_why, "option A true"));
    release(&f);
}
END_TEST

START_TEST(a_choice_without_when_stands_as_stated)
{
    struct fixture f;
    build(&f, HEADER STEP("Why?", "为什么？")
              "question choice\nen Why three?\nzh 为什么是三次？\n"
              "option\nen Tradition.\nzh 传统。\n"
              "option\nen Both sides learn the other's ISN.\nzh 双方都得知对方的 ISN。\n"
              "answer B\n");
    const struct lesson_step_plan *sp = &f.p.steps[0];
    ck_assert(sp->answer_ok);
    ck_assert_int_eq(sp->engine_option, 1);
    /* Nothing the engine could contradict: not a claim. */
    ck_assert_uint_eq(f.p.claims, 0);
    release(&f);
}
END_TEST

/* ============================================================ text out == */

START_TEST(fill_answer_puts_in_the_engines_value_and_cleans_the_text)
{
    struct fixture f;
    build(&f, HEADER STEP("SYN sent.", "SYN 已发出。") "run until client sent=SYN\n"
              ACK_QUESTION("1001"));
    const struct lesson_question *q = &f.l.steps[0].question;
    const struct lesson_step_plan *sp = &f.p.steps[0];
    char out[64];
    lesson_fill_answer("ack {answer}, again {answer}\x1b[2J\tend\nnext", q, sp, out, sizeof out);
    ck_assert_str_eq(out, "ack 1001, again 1001[2J end\nnext");
    /* C1 controls (U+009B is a CSI of its own) go too. */
    lesson_fill_answer("a\xc2\x9b" "b\xc2\xa0" "c", q, sp, out, sizeof out);
    ck_assert_str_eq(out, "ab\xc2\xa0" "c");
    /* Cut to fit, and never in the middle of a character. */
    lesson_fill_answer("ack {answer}", q, sp, out, 6);
    ck_assert_str_eq(out, "ack 1");
    lesson_fill_answer("答案{answer}", q, sp, out, 5);
    ck_assert_str_eq(out, "答");
    lesson_fill_answer(NULL, q, sp, out, sizeof out);
    ck_assert_str_eq(out, "");
    release(&f);
}
END_TEST

START_TEST(fill_answer_gives_the_option_letter)
{
    struct fixture f;
    build(&f, HEADER STEP("SYN sent.", "SYN 已发出。") "run until client sent=SYN\n"
              CHOICE("B", "when client state=SYN_SENT", "when client state=ESTABLISHED"));
    char out[32];
    lesson_fill_answer("It is {answer}.", &f.l.steps[0].question, &f.p.steps[0], out,
                       sizeof out);
    ck_assert_str_eq(out, "It is B.");
    release(&f);
}
END_TEST

/* What lesson_print_transcript (lang) or, with failures_only,
 * lesson_plan_print_failures writes; to be freed. */
static char *printed(const struct fixture *f, enum tv_lang lang, bool failures_only)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    ck_assert_ptr_nonnull(mem);
    if (failures_only)
        lesson_plan_print_failures(mem, &f->l, &f->p);
    else
        lesson_print_transcript(mem, &f->l, &f->p, lang);
    ck_assert_int_eq(fclose(mem), 0);
    return buf;
}

static char *transcript(const struct fixture *f, enum tv_lang lang)
{
    return printed(f, lang, false);
}

static const char *last_line(const char *text)
{
    size_t n = strlen(text);
    while (n > 0 && text[n - 1] == '\n')
        n--;
    while (n > 0 && text[n - 1] != '\n')
        n--;
    return text + n;
}

#define TWO_STEPS                                                         \
    HEADER STEP("The client says hello.", "客户端打招呼。")               \
    "run until client sent=SYN\nexpect client state=SYN_SENT\n"           \
    ACK_QUESTION("1001")                                                  \
    STEP("Connected at last.", "终于连上了。")                            \
    "run until client state=ESTABLISHED\n"

/* The transcript of TWO_STEPS in lang has every line of said (up to a
 * NULL), lacks unsaid (the other language) and ends with the tally. */
static void expect_two_steps_transcript(enum tv_lang lang, const char *const *said,
                                        const char *unsaid)
{
    struct fixture f;
    build(&f, TWO_STEPS);
    char *t = transcript(&f, lang);
    for (const char *const *line = said; *line; line++)
        ck_assert_msg(strstr(t, *line) != NULL, "the transcript lacks '%s':\n%s", *line, t);
    ck_assert_ptr_null(strstr(t, unsaid));
    ck_assert_str_eq(last_line(t), "5 claims, 0 failed\n");
    free(t);
    release(&f);
}

START_TEST(transcript_in_english_has_every_step)
{
    static const char *const said[] = {
        "The client says hello.", "Connected at last.", "What ack number will the SYN-ACK carry?",
        "1001: the ISN plus one.", "t=0.100 s", "expect client state=SYN_SENT", NULL,
    };
    expect_two_steps_transcript(LANG_EN, said, "客户端");
}
END_TEST

START_TEST(transcript_in_chinese_has_every_step)
{
    static const char *const said[] = {
        "客户端打招呼。", "终于连上了。", "SYN-ACK 会带什么确认号？", "1001：ISN 加一。", NULL,
    };
    expect_two_steps_transcript(LANG_ZH_CN, said, "The client says hello.");
}
END_TEST

START_TEST(transcript_reports_failed_claims)
{
    struct fixture f;
    build(&f, HEADER STEP("SYN sent.", "SYN 已发出。") "run until client sent=SYN\n"
              "expect client state=ESTABLISHED\n" ACK_QUESTION("5001"));
    char *t = transcript(&f, LANG_EN);
    ck_assert_ptr_nonnull(strstr(t, "t.lesson:15: expect client state=ESTABLISHED: "
                                    "client is in SYN_SENT"));
    ck_assert_ptr_nonnull(strstr(t, "the engine says 1001"));
    ck_assert_str_eq(last_line(t), "4 claims, 2 failed\n");
    free(t);
    release(&f);
}
END_TEST

START_TEST(transcript_shows_time_checks)
{
    struct fixture f;
    build(&f, HEADER SYN_LOST STEP("The SYN again.", "再发 SYN。")
              "run until client sent=SYN nth=2\n"
              "time=1.1s time=1.2s\n");
    char *t = transcript(&f, LANG_EN);
    ck_assert_msg(strstr(t, "  [holds] time=1.1s\n") != NULL, "%s", t);
    ck_assert_msg(strstr(t, "  [FAILS] t.lesson:16: time=1.2s: the step stops at 1.100 s\n") != NULL,
                  "%s", t);
    ck_assert_str_eq(last_line(t), "3 claims, 1 failed\n");
    free(t);
    release(&f);
}
END_TEST

START_TEST(print_failures_lists_each_failed_claim)
{
    struct fixture f;
    build(&f, HEADER STEP("SYN sent.", "SYN 已发出。") "run until client sent=SYN\n"
              "expect client state=ESTABLISHED\n" ACK_QUESTION("5001")
              STEP("Never.", "永不。") "run until server state=CLOSE_WAIT\n");
    char *buf = printed(&f, LANG_EN, true);
    ck_assert_str_eq(buf,
                     "t.lesson:15: expect client state=ESTABLISHED: client is in SYN_SENT\n"
                     "t.lesson:19: answer 5001 from server sent_ack: the engine says 1001\n"
                     "t.lesson:27: run until server state=CLOSE_WAIT: its event never "
                     "happened before the run ended (t=10.000 s)\n");
    free(buf);
    release(&f);
}
END_TEST

/* ============================================================== limits == */

START_TEST(a_world_without_its_trace_cannot_run_a_lesson)
{
    static const char text[] = HEADER STEP("Hello.", "你好。") "run until client sent=SYN\n";
    struct lesson l;
    char err[512] = "";
    ck_assert_int_eq(lesson_parse_buffer("t.lesson", text, strlen(text), &l, err, sizeof err), 0);
    struct world_options o;
    world_options_default(&o);
    o.record_trace = o.keep_packets = false;
    struct world *w = world_new_with(&l.scn, 1, &o);
    ck_assert_ptr_nonnull(w);
    struct lesson_plan p;
    ck_assert_int_eq(lesson_plan_build(&l, w, &p, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "t.lesson: "));
    ck_assert_ptr_null(p.steps);
    lesson_plan_free(&p);
    world_free(w);
    lesson_free(&l);
}
END_TEST

START_TEST(a_plan_may_start_from_a_world_that_has_run)
{
    struct fixture fresh, used;
    build(&fresh, TWO_STEPS);
    /* The same lesson on a world that has already run to its end: the plan
     * starts over from the first event and finds the same points. */
    char err[512] = "";
    parse(&used, TWO_STEPS);
    world_run(used.w);
    ck_assert_int_eq(lesson_plan_build(&used.l, used.w, &used.p, err, sizeof err), 0);
    for (size_t i = 0; i < fresh.p.nsteps; i++) {
        ck_assert_uint_eq(used.p.steps[i].stop, fresh.p.steps[i].stop);
        ck_assert_uint_eq(used.p.steps[i].reveal, fresh.p.steps[i].reveal);
    }
    ck_assert_uint_eq(used.p.claims, fresh.p.claims);
    ck_assert_uint_eq(used.p.failed, 0);
    release(&fresh);
    release(&used);
}
END_TEST

START_TEST(a_plain_scenario_has_an_empty_plan)
{
    static const char text[] = "duration 1s\nhost a 10.0.0.1\nhost b 10.0.0.2\n";
    struct fixture f;
    build(&f, text);
    ck_assert(!f.l.is_lesson);
    ck_assert_uint_eq(f.p.nsteps, 0);
    ck_assert_uint_eq(f.p.claims, 0);
    release(&f);
}
END_TEST

static Suite *lesson_run_suite(void)
{
    Suite *s = suite_create("lesson_run");

    TCase *stops = tcase_create("stops");
    tcase_set_timeout(stops, 30);
    tcase_add_test(stops, run_until_event_stops_on_that_event);
    tcase_add_test(stops, first_step_without_run_stops_at_the_first_event);
    tcase_add_test(stops, a_step_without_a_question_reveals_where_it_stops);
    tcase_add_test(stops, nth_counts_from_the_steps_start);
    tcase_add_test(stops, run_until_time_stops_at_the_last_event_at_or_before_it);
    tcase_add_test(stops, run_for_counts_from_the_steps_start);
    tcase_add_test(stops, run_until_end_stops_at_the_last_event);
    tcase_add_test(stops, time_before_the_step_is_a_failed_claim);
    tcase_add_test(stops, unreached_event_is_a_failed_claim);
    tcase_add_test(stops, unreached_nth_names_the_ordinal);
    tcase_add_test(stops, the_end_of_a_stream_is_an_event_to_stop_at);
    suite_add_tcase(s, stops);

    TCase *checks = tcase_create("checks");
    tcase_set_timeout(checks, 30);
    tcase_add_test(checks, checkpoints_hold_where_the_step_stops);
    tcase_add_test(checks, a_wrong_checkpoint_fails_saying_what_the_engine_has);
    tcase_add_test(checks, a_checkpoint_on_a_host_without_a_connection_says_so);
    tcase_add_test(checks, seen_and_unseen_look_only_at_the_steps_own_run);
    tcase_add_test(checks, time_checks_hold_at_the_stopping_point);
    tcase_add_test(checks, a_wrong_time_fails_saying_where_the_step_stops);
    tcase_add_test(checks, a_wrong_time_shows_the_microseconds);
    tcase_add_test(checks, time_is_the_stopping_points_not_the_reveals);
    suite_add_tcase(s, checks);

    TCase *questions = tcase_create("questions");
    tcase_set_timeout(questions, 30);
    tcase_add_test(questions, a_number_answer_is_read_from_the_engine);
    tcase_add_test(questions, a_wrong_number_answer_fails_naming_the_engines_value);
    tcase_add_test(questions, a_number_answer_may_be_any_expect_key);
    tcase_add_test(questions, a_number_answer_may_read_the_rto_estimator);
    tcase_add_test(questions, a_choice_holds_when_only_the_stated_option_does);
    tcase_add_test(questions, a_choice_fails_when_the_stated_option_does_not_hold);
    tcase_add_test(questions, a_choice_fails_when_two_options_hold);
    tcase_add_test(questions, a_choice_without_when_stands_as_stated);
    suite_add_tcase(s, questions);

    TCase *text = tcase_create("text");
    tcase_set_timeout(text, 30);
    tcase_add_test(text, fill_answer_puts_in_the_engines_value_and_cleans_the_text);
    tcase_add_test(text, fill_answer_gives_the_option_letter);
    tcase_add_test(text, transcript_in_english_has_every_step);
    tcase_add_test(text, transcript_in_chinese_has_every_step);
    tcase_add_test(text, transcript_reports_failed_claims);
    tcase_add_test(text, transcript_shows_time_checks);
    tcase_add_test(text, print_failures_lists_each_failed_claim);
    suite_add_tcase(s, text);

    TCase *limits = tcase_create("limits");
    tcase_set_timeout(limits, 30);
    tcase_add_test(limits, a_world_without_its_trace_cannot_run_a_lesson);
    tcase_add_test(limits, a_plan_may_start_from_a_world_that_has_run);
    tcase_add_test(limits, a_plain_scenario_has_an_empty_plan);
    suite_add_tcase(s, limits);
    return s;
}

int main(void)
{
    return check_main_run(lesson_run_suite());
}
