/* Running a lesson: one deterministic run of its scenario, cut into steps.
 *
 * The plan is built in two passes.  The first walks the run forward once,
 * event by event, and finds every step's stopping point and reveal point
 * (it never seeks, so counting "the nth SYN since the step began" is a
 * plain scan).  The second seeks to each point in turn and asks the
 * engine whether the lesson's claims hold there: the checkpoints, the
 * events seen or not seen, and the stated answers.  A lesson that says
 * something the engine did not do fails here, with file and line. */
#include "lesson/lesson_run.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "export/text.h"
#include "tcp/event.h"
#include "tcp/segment.h"
#include "tcp/state.h"
#include "tcp/timer.h"
#include "util/array.h"
#include "util/utf8.h"

/* ------------------------------------------------------------------ */
/* Small text helpers                                                   */

/* Append to buf (holding a string) without overflowing it. */
static void appendf(char *buf, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void appendf(char *buf, size_t n, const char *fmt, ...)
{
    size_t used = strlen(buf);
    if (used + 1 >= n)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + used, n - used, fmt, ap);
    va_end(ap);
}

/* "1.250 s" for whole milliseconds, "1.250125 s" otherwise. */
static void format_time(uint64_t us, char *buf, size_t n)
{
    uint64_t s = us / 1000000u, frac = us % 1000000u;
    if (frac % 1000u == 0)
        snprintf(buf, n, "%" PRIu64 ".%03" PRIu64 " s", s, frac / 1000u);
    else
        snprintf(buf, n, "%" PRIu64 ".%06" PRIu64 " s", s, frac);
}

/* A duration as a lesson writes it, shortest form: "2h", "5min",
 * "200ms", "1.12s", "1.1205s". */
static void format_duration(uint64_t us, char *buf, size_t n)
{
    const uint64_t second = 1000000u, minute = 60u * second, hour = 60u * minute;
    if (us >= hour && us % hour == 0) {
        snprintf(buf, n, "%" PRIu64 "h", us / hour);
    } else if (us >= minute && us % minute == 0) {
        snprintf(buf, n, "%" PRIu64 "min", us / minute);
    } else if (us > 0 && us < second && us % 1000u == 0) {
        snprintf(buf, n, "%" PRIu64 "ms", us / 1000u);
    } else {
        char frac[8];
        snprintf(frac, sizeof frac, "%06" PRIu64, us % second);
        size_t len = strlen(frac);
        while (len > 0 && frac[len - 1] == '0')
            frac[--len] = '\0';
        snprintf(buf, n, "%" PRIu64 "%s%ss", us / second, len ? "." : "", frac);
    }
}

/* "time=1.12s", as the lesson's line says it. */
static void describe_time(const struct lesson_check *c, char *buf, size_t n)
{
    char d[32];
    format_duration(c->time_us, d, sizeof d);
    snprintf(buf, n, "time%s%s", scn_cmp_text(c->time_cmp), d);
}

static const char *host_name(const struct lesson *l, int host)
{
    if (host < 0 || (unsigned)host >= l->scn.nhosts)
        return "?";
    return l->scn.hosts[host].name;
}

static const char *lesson_file(const struct lesson *l)
{
    return l->scn.file ? l->scn.file : "(lesson)";
}

/* "FILE:LINE: WHAT: WHY", cut to fit (a claim message is for people). */
static void claim_message(char *out, size_t n, const struct lesson *l, unsigned line,
                          const char *what, const char *why)
{
    out[0] = '\0';
    appendf(out, n, "%s:%u: %s: %s", lesson_file(l), line, what, why);
}

/* "client state=SYN_SENT cwnd>=2920", as an expect line says it. */
static void describe_expect(const struct lesson *l, const struct scn_action *a, char *buf,
                            size_t n)
{
    char terms[160];
    export_expect_text(a, terms, sizeof terms);
    buf[0] = '\0';
    appendf(buf, n, "%s%s%s", host_name(l, a->host), terms[0] ? " " : "", terms);
}

/* "client sent=SYN,ACK data=yes", as a run or seen line says it. */
static void describe_trigger(const struct lesson *l, const struct scn_trigger *t, char *buf,
                             size_t n)
{
    char flags[40];
    buf[0] = '\0';
    appendf(buf, n, "%s ", host_name(l, t->host));
    switch (t->kind) {
    case TRIG_STATE: appendf(buf, n, "state=%s", tcp_state_name((enum tcp_state)t->value)); break;
    case TRIG_TIMER: appendf(buf, n, "timer=%s", tcp_timer_name((enum tcp_timer)t->value)); break;
    case TRIG_SENT:
    case TRIG_RECEIVED:
        tcp_flags_words(t->match.flags_set, flags);
        appendf(buf, n, "%s=%s", t->kind == TRIG_SENT ? "sent" : "received",
                flags[0] ? flags : "none");
        if (t->match.data >= 0)
            appendf(buf, n, " data=%s", t->match.data ? "yes" : "no");
        break;
    case TRIG_EOF: appendf(buf, n, "eof"); break;
    case TRIG_ERROR: appendf(buf, n, "error"); break;
    default: appendf(buf, n, "(event %d)", (int)t->kind); break;
    }
    if (t->nth > 1)
        appendf(buf, n, " nth=%u", t->nth);
}

/* "run until client sent=SYN", "reveal for 0.200 s". */
static void describe_run(const struct lesson *l, const struct lesson_run *r, const char *verb,
                         char *buf, size_t n)
{
    char what[128], t[32];
    format_time(r->t, t, sizeof t);
    switch (r->kind) {
    case RUN_UNTIL_EVENT:
        describe_trigger(l, &r->trigger, what, sizeof what);
        snprintf(buf, n, "%s until %s", verb, what);
        break;
    case RUN_UNTIL_TIME: snprintf(buf, n, "%s until t=%s", verb, t); break;
    case RUN_FOR: snprintf(buf, n, "%s for %s", verb, t); break;
    case RUN_TO_END: snprintf(buf, n, "%s until end", verb); break;
    default: snprintf(buf, n, "%s", verb); break;
    }
}

/* ------------------------------------------------------------------ */
/* Pass one: walking the run forward                                    */

/* The end of a stream is not an event of the trace (the app notices it
 * at the end of a world step), so the walk notes where each one happened:
 * at `index`, the first event of that step.  A cursor anywhere in the step
 * shows the state after all of it, the app's EOF included, so that is the
 * first cursor at which it has happened. */
struct eof_mark {
    int host;
    size_t index;
};

struct walker {
    struct world *w;
    const struct lesson *l;
    unsigned eofs[SCN_MAX_HOSTS];   /* world_host_eof_count after the last step */
    struct eof_mark *marks;
    size_t nmarks, cap;
    bool oom;
};

/* After a world step whose first event (if it recorded any) is
 * step_first: note the ends of stream it brought. */
static void walker_note_eofs(struct walker *wk, size_t step_first)
{
    for (unsigned h = 0; h < wk->l->scn.nhosts && h < SCN_MAX_HOSTS; h++) {
        unsigned now = world_host_eof_count(wk->w, (int)h);
        for (; wk->eofs[h] < now; wk->eofs[h]++) {
            if (wk->nmarks == wk->cap) {
                struct eof_mark *m = array_grow(wk->marks, &wk->cap, sizeof *m, 8);
                if (!m) {
                    wk->oom = true;
                    return;
                }
                wk->marks = m;
            }
            wk->marks[wk->nmarks++] = (struct eof_mark){ .host = (int)h, .index = step_first };
        }
        /* A reboot forgets the host's connections: count afresh. */
        wk->eofs[h] = now;
    }
}

/* Step the world until trace event `index` exists; false if the run ends
 * first. */
static bool walker_reach(struct walker *wk, size_t index)
{
    while (world_trace_len(wk->w) <= index) {
        size_t first = world_trace_len(wk->w);
        bool more = world_step(wk->w);
        walker_note_eofs(wk, first);
        if (!more)
            return world_trace_len(wk->w) > index;
    }
    return true;
}

static void walker_run_to_end(struct walker *wk)
{
    for (;;) {
        size_t first = world_trace_len(wk->w);
        bool more = world_step(wk->w);
        walker_note_eofs(wk, first);
        if (!more)
            return;
    }
}

static unsigned eof_marks_at(const struct walker *wk, int host, size_t index)
{
    unsigned n = 0;
    for (size_t i = 0; i < wk->nmarks; i++)
        n += wk->marks[i].host == host && wk->marks[i].index == index;
    return n;
}

/* How many times trace event i counts as t's event (an eof may count
 * more than once at one index: two connections ending together). */
static unsigned occurrences_at(const struct walker *wk, const struct scn_trigger *t, size_t i)
{
    if (t->kind == TRIG_EOF)
        return eof_marks_at(wk, t->host, i);
    return world_trigger_matches(wk->w, t, &world_trace(wk->w)[i]) ? 1 : 0;
}

static size_t last_index(const struct world *w)
{
    size_t len = world_trace_len(w);
    return len ? len - 1 : 0;
}

/* Where a run stops, and whether the lesson's claim about it held. */
struct stop {
    size_t index;
    bool reached;
    char why[LESSON_FAILURE_MAX]; /* without "FILE:LINE: ", empty when reached */
};

/* "st" for 1, 21, 101; "nd" for 2, 22; "rd" for 3, 23; "th" for the rest,
 * 11, 12 and 13 among them. */
static const char *ordinal_suffix(unsigned n)
{
    if (n % 100 >= 11 && n % 100 <= 13)
        return "th";
    switch (n % 10) {
    case 1: return "st";
    case 2: return "nd";
    case 3: return "rd";
    default: return "th";
    }
}

/* The nth occurrence of the trigger at or after `from`. */
static void stop_at_event(struct walker *wk, const struct scn_trigger *t, size_t from,
                          struct stop *st)
{
    unsigned want = t->nth ? t->nth : 1, seen = 0;
    for (size_t i = from; walker_reach(wk, i); i++) {
        seen += occurrences_at(wk, t, i);
        if (seen >= want) {
            st->index = i;
            return;
        }
    }
    char end[32];
    st->index = last_index(wk->w);
    st->reached = false;
    format_time(world_now(wk->w), end, sizeof end);
    if (seen > 0)
        snprintf(st->why, sizeof st->why,
                 "it happened %u time%s, never the %u%s, before the run ended (t=%s)", seen,
                 seen == 1 ? "" : "s", want, ordinal_suffix(want), end);
    else
        snprintf(st->why, sizeof st->why, "its event never happened before the run ended (t=%s)",
                 end);
}

/* The last event at or before absolute time `until`, but never before
 * the step's start. */
static void stop_at_time(struct walker *wk, uint64_t until, size_t start, struct stop *st)
{
    size_t i = start;
    while (walker_reach(wk, i + 1) && world_trace(wk->w)[i + 1].t <= until)
        i++;
    st->index = i;
}

/* Pass one for one run (a step's or a reveal's) starting at cursor
 * `start`; from_beginning for the course's very first run, which counts
 * the run's first event too. */
static void find_stop(struct walker *wk, const struct lesson_run *r, size_t start,
                      bool from_beginning, struct stop *st)
{
    memset(st, 0, sizeof *st);
    st->index = start;
    st->reached = true;
    uint64_t t_start = from_beginning ? 0 : world_trace(wk->w)[start].t;
    switch (r->kind) {
    case RUN_NONE:
        break;
    case RUN_UNTIL_EVENT:
        stop_at_event(wk, &r->trigger, from_beginning ? start : start + 1, st);
        break;
    case RUN_UNTIL_TIME:
        if (r->t < t_start && !from_beginning) {
            char a[32], b[32];
            format_time(r->t, a, sizeof a);
            format_time(t_start, b, sizeof b);
            st->reached = false;
            snprintf(st->why, sizeof st->why,
                     "t=%s is before the step begins (t=%s): a run cannot go back", a, b);
            break;
        }
        stop_at_time(wk, r->t, start, st);
        break;
    case RUN_FOR:
        stop_at_time(wk, t_start > UINT64_MAX - r->t ? UINT64_MAX : t_start + r->t, start, st);
        break;
    case RUN_TO_END:
        walker_run_to_end(wk);
        st->index = last_index(wk->w);
        break;
    }
}

/* Runs that can fail are claims: the event must happen, the time must lie
 * ahead.  "for" and "end" always arrive. */
static bool run_is_claim(const struct lesson_run *r)
{
    return r->kind == RUN_UNTIL_EVENT || r->kind == RUN_UNTIL_TIME;
}

/* ------------------------------------------------------------------ */
/* Pass two: the claims at each point                                   */

/* Why one term of an expect fails, in words: "client is in ESTABLISHED",
 * "client's cwnd is 2920". */
static void explain_term(const struct lesson *l, const struct world *w, int host,
                         const struct scn_expect_term *t, char *buf, size_t n)
{
    const char *name = host_name(l, host);
    int64_t have;
    if (!world_host_value(w, host, t->key, &have)) {
        /* The estimator's keys read whole milliseconds only (world_rules.c):
         * with a connection to read, that is why the value is missing. */
        int64_t any;
        if (world_host_value(w, host, "snd_una", &any))
            appendf(buf, n, "%s's %s is not a whole number of milliseconds", name, t->key);
        else
            appendf(buf, n, "%s has no connection to read %s from", name, t->key);
        return;
    }
    if (t->is_state || !strcmp(t->key, "state"))
        appendf(buf, n, "%s is in %s", name, tcp_state_name((enum tcp_state)have));
    else if (!strcmp(t->key, "in_recovery"))
        appendf(buf, n, "%s is %sin fast recovery", name, have ? "" : "not ");
    else {
        char value[32];
        export_expect_value(t, have, value, sizeof value);
        appendf(buf, n, "%s's %s is %s", name, t->key, value);
    }
}

/* Does the expect hold now?  If not, why: every failing term, in words. */
static bool expect_holds(const struct lesson *l, const struct world *w,
                         const struct scn_action *a, char *why, size_t n)
{
    bool holds = true;
    why[0] = '\0';
    for (unsigned i = 0; i < a->nterms && i < SCN_EXPECT_MAX_TERMS; i++) {
        const struct scn_expect_term *t = &a->terms[i];
        int64_t have;
        if (world_host_value(w, a->host, t->key, &have) && scn_cmp_holds(have, t->cmp, t->value))
            continue;
        if (!holds)
            appendf(why, n, ", ");
        holds = false;
        explain_term(l, w, a->host, t, why, n);
    }
    return holds;
}

/* Which events lie within a step's run: [from, to]. */
struct span {
    size_t from, to;
};

static unsigned count_in_span(const struct walker *wk, const struct scn_trigger *t,
                              struct span sp, size_t *first_at)
{
    unsigned n = 0;
    for (size_t i = sp.from; i <= sp.to && i < world_trace_len(wk->w); i++) {
        unsigned k = occurrences_at(wk, t, i);
        if (k && n == 0)
            *first_at = i;
        n += k;
    }
    return n;
}

static void fail_claim(struct lesson_check_result *r, const struct lesson *l, unsigned line,
                       const char *what, const char *why)
{
    r->passed = false;
    claim_message(r->why, sizeof r->why, l, line, what, why);
}

static void check_seen(const struct walker *wk, const struct lesson *l,
                       const struct lesson_check *c, struct span sp,
                       struct lesson_check_result *r)
{
    char what[160], why[160], at[32];
    size_t first_at = sp.from;
    unsigned want = c->event.nth ? c->event.nth : 1;
    unsigned n = count_in_span(wk, &c->event, sp, &first_at);
    describe_trigger(l, &c->event, why, sizeof why);
    what[0] = '\0';
    appendf(what, sizeof what, "%s %s", c->kind == CHECK_SEEN ? "seen" : "unseen", why);
    r->passed = c->kind == CHECK_SEEN ? n >= want : n == 0;
    if (r->passed)
        return;
    if (c->kind == CHECK_UNSEEN) {
        format_time(world_trace(wk->w)[first_at].t, at, sizeof at);
        snprintf(why, sizeof why, "it happened during the step, first at t=%s", at);
    } else if (n == 0) {
        snprintf(why, sizeof why, "it did not happen during the step");
    } else {
        snprintf(why, sizeof why, "it happened %u time%s during the step, not %u", n,
                 n == 1 ? "" : "s", want);
    }
    fail_claim(r, l, c->line, what, why);
}

static void check_expect(const struct world *w, const struct lesson *l,
                         const struct lesson_check *c, struct lesson_check_result *r)
{
    char what[200], body[160], why[LESSON_FAILURE_MAX];
    describe_expect(l, &c->expect, body, sizeof body);
    snprintf(what, sizeof what, "expect %s", body);
    r->passed = expect_holds(l, w, &c->expect, why, sizeof why);
    if (!r->passed)
        fail_claim(r, l, c->line, what, why);
}

/* `time OP DURATION` against the stopping point's virtual time.  A run
 * is a pure function of its scenario, so `=` means the very microsecond. */
static void check_time(const struct lesson *l, const struct lesson_check *c, uint64_t t_stop,
                       struct lesson_check_result *r)
{
    char what[64], at[32], why[64];
    r->passed = t_stop <= INT64_MAX && c->time_us <= INT64_MAX &&
                scn_cmp_holds((int64_t)t_stop, c->time_cmp, (int64_t)c->time_us);
    if (r->passed)
        return;
    describe_time(c, what, sizeof what);
    format_time(t_stop, at, sizeof at);
    snprintf(why, sizeof why, "the step stops at %s", at);
    fail_claim(r, l, c->line, what, why);
}

/* A field of the last segment host sent at or before trace event `upto`:
 * the answer keys sent_seq, sent_ack, sent_win (the raw field), sent_len. */
static bool last_sent_value(const struct world *w, int host, const char *key, size_t upto,
                            int64_t *out)
{
    const struct trace_entry *tr = world_trace(w);
    for (size_t i = upto + 1; i-- > 0;) {
        if (i >= world_trace_len(w) || tr[i].ev.kind != EV_SEG_OUT || tr[i].ev.endpoint != host)
            continue;
        const struct tcp_event_seg *s = &tr[i].ev.u.seg;
        if (!strcmp(key, "sent_seq"))
            *out = s->seq;
        else if (!strcmp(key, "sent_ack"))
            *out = s->ack;
        else if (!strcmp(key, "sent_win"))
            *out = s->win;
        else
            *out = s->len;
        return true;
    }
    return false;
}

static bool is_sent_key(const char *key)
{
    return !strcmp(key, "sent_seq") || !strcmp(key, "sent_ack") || !strcmp(key, "sent_win") ||
           !strcmp(key, "sent_len");
}

static void check_number(const struct world *w, const struct lesson *l,
                         const struct lesson_question *q, struct lesson_step_plan *sp)
{
    char what[128], why[160];
    snprintf(what, sizeof what, "answer %" PRId64 " from %s %s", q->answer_number,
             host_name(l, q->answer_host), q->answer_key);
    bool sent = is_sent_key(q->answer_key);
    sp->answer_known = sent ? last_sent_value(w, q->answer_host, q->answer_key, sp->reveal,
                                              &sp->engine_number)
                            : world_host_value(w, q->answer_host, q->answer_key,
                                               &sp->engine_number);
    sp->answer_ok = sp->answer_known && sp->engine_number == q->answer_number;
    if (sp->answer_ok)
        return;
    if (!sp->answer_known)
        snprintf(why, sizeof why, sent ? "%s had sent no segment by then"
                                       : "%s has no connection to read it from",
                 host_name(l, q->answer_host));
    else
        snprintf(why, sizeof why, "the engine says %" PRId64, sp->engine_number);
    claim_message(sp->answer_why, sizeof sp->answer_why, l, q->answer_line, what, why);
}

static bool question_has_when(const struct lesson_question *q)
{
    for (size_t i = 0; i < q->noptions && i < LESSON_MAX_OPTIONS; i++)
        if (q->options[i].has_when)
            return true;
    return false;
}

/* A choice: the options with `when` are checked at the reveal point; the
 * stated one must hold and every other must fail.  Options without
 * `when` are about ideas, not values: they neither hold nor fail. */
static void check_choice(const struct world *w, const struct lesson *l,
                         const struct lesson_question *q, struct lesson_step_plan *sp)
{
    int stated = q->answer_option;
    size_t nopt = q->noptions < LESSON_MAX_OPTIONS ? q->noptions : LESSON_MAX_OPTIONS;
    int holding = -1, nholding = 0;
    bool stated_when = stated >= 0 && (size_t)stated < nopt && q->options[stated].has_when;
    char stated_why[160] = "", other[64] = "";
    for (size_t i = 0; i < nopt; i++) {
        const struct lesson_option *o = &q->options[i];
        char why[160];
        if (!o->has_when)
            continue;
        if (expect_holds(l, w, &o->when, why, sizeof why)) {
            if (nholding++ == 0)
                holding = (int)i;
            if ((int)i != stated)
                appendf(other, sizeof other, "%s%c", other[0] ? ", " : "", 'A' + (int)i);
        } else if ((int)i == stated) {
            snprintf(stated_why, sizeof stated_why, "%s", why);
        }
    }
    sp->engine_option = nholding == 1 ? holding : nholding == 0 && !stated_when ? stated : -1;
    sp->answer_known = sp->engine_option >= 0;
    sp->answer_ok = sp->engine_option == stated && sp->answer_known;
    if (sp->answer_ok)
        return;
    char why[LESSON_FAILURE_MAX] = "";
    if (stated_why[0])
        appendf(why, sizeof why, "option %c does not hold at the reveal point (%s)",
                'A' + stated, stated_why);
    if (other[0])
        appendf(why, sizeof why, "%sthe engine's run makes option%s %s true",
                why[0] ? "; " : "", strlen(other) > 1 ? "s" : "", other);
    char what[16];
    snprintf(what, sizeof what, "answer %c", 'A' + stated);
    claim_message(sp->answer_why, sizeof sp->answer_why, l, q->answer_line, what,
                  why[0] ? why : "no option holds at the reveal point");
}

/* ------------------------------------------------------------------ */
/* Building the plan                                                    */

static void count_claim(struct lesson_plan *p, bool passed)
{
    p->claims++;
    if (!passed)
        p->failed++;
}

static void stop_why(const struct lesson *l, const struct lesson_run *r, const char *verb,
                     const struct stop *st, char *out, size_t n)
{
    char what[160];
    describe_run(l, r, verb, what, sizeof what);
    claim_message(out, n, l, r->line, what, st->why);
}

/* Pass one for every step: where its run and its reveal stop. */
static void plan_stops(struct walker *wk, const struct lesson *l, struct lesson_plan *p)
{
    size_t cursor = 0;
    for (size_t i = 0; i < l->nsteps; i++) {
        const struct lesson_step *step = &l->steps[i];
        struct lesson_step_plan *sp = &p->steps[i];
        struct stop st;
        sp->start = cursor;
        find_stop(wk, &step->run, cursor, i == 0, &st);
        sp->stop = st.index;
        sp->reached = st.reached;
        if (!st.reached)
            stop_why(l, &step->run, "run", &st, sp->stop_why, sizeof sp->stop_why);
        sp->reveal = sp->stop;
        sp->reveal_reached = true;
        if (step->question.kind != QUESTION_NONE && step->question.reveal.kind != RUN_NONE) {
            find_stop(wk, &step->question.reveal, sp->stop, false, &st);
            sp->reveal = st.index;
            sp->reveal_reached = st.reached;
            if (!st.reached)
                stop_why(l, &step->question.reveal, "reveal", &st, sp->reveal_why,
                         sizeof sp->reveal_why);
        }
        cursor = sp->reveal;
    }
}

/* Pass two for one step: seek to its points and judge its claims. */
static void plan_judge_step(struct walker *wk, const struct lesson *l, size_t i,
                            struct lesson_plan *p)
{
    const struct lesson_step *step = &l->steps[i];
    struct lesson_step_plan *sp = &p->steps[i];
    struct world *w = wk->w;
    world_seek(w, sp->stop);
    sp->t_stop = world_trace(w)[sp->stop].t;
    sp->t_reveal = sp->t_stop;   /* reveal == stop until a question moves it */
    if (run_is_claim(&step->run))
        count_claim(p, sp->reached);
    struct span span = { .from = i == 0 ? 0 : sp->start + 1, .to = sp->stop };
    for (size_t c = 0; c < step->nchecks; c++) {
        const struct lesson_check *chk = &step->checks[c];
        if (chk->kind == CHECK_EXPECT)
            check_expect(w, l, chk, &sp->checks[c]);
        else if (chk->kind == CHECK_TIME)
            check_time(l, chk, sp->t_stop, &sp->checks[c]);
        else
            check_seen(wk, l, chk, span, &sp->checks[c]);
        count_claim(p, sp->checks[c].passed);
    }
    const struct lesson_question *q = &step->question;
    if (q->kind == QUESTION_NONE)
        return;
    if (sp->reveal != sp->stop)
        world_seek(w, sp->reveal);
    sp->t_reveal = world_trace(w)[sp->reveal].t;
    if (run_is_claim(&q->reveal))
        count_claim(p, sp->reveal_reached);
    if (q->kind == QUESTION_NUMBER) {
        check_number(w, l, q, sp);
        count_claim(p, sp->answer_ok);
    } else {
        check_choice(w, l, q, sp);
        if (question_has_when(q))
            count_claim(p, sp->answer_ok);
    }
}

/* A run that records nothing has no point to stop at: every stopping
 * point and every claim fails, saying so. */
static void plan_empty_run(const struct lesson *l, struct lesson_plan *p)
{
    for (size_t i = 0; i < l->nsteps; i++) {
        const struct lesson_step *step = &l->steps[i];
        struct lesson_step_plan *sp = &p->steps[i];
        sp->reached = sp->reveal_reached = false;
        snprintf(sp->stop_why, sizeof sp->stop_why, "%s:%u: step: the run records no events",
                 lesson_file(l), step->line);
        count_claim(p, false);
        for (size_t c = 0; c < step->nchecks; c++) {
            fail_claim(&sp->checks[c], l, step->checks[c].line, "checkpoint",
                       "the run records no events");
            count_claim(p, false);
        }
        if (step->question.kind != QUESTION_NONE) {
            snprintf(sp->answer_why, sizeof sp->answer_why,
                     "%s:%u: answer: the run records no events",
                     lesson_file(l), step->question.answer_line);
            sp->engine_option = -1;
            count_claim(p, false);
        }
    }
}

static int plan_alloc(const struct lesson *l, struct lesson_plan *p)
{
    p->nsteps = l->nsteps;
    p->steps = calloc(l->nsteps ? l->nsteps : 1, sizeof *p->steps);
    if (!p->steps)
        return -1;
    for (size_t i = 0; i < l->nsteps; i++) {
        p->steps[i].nchecks = l->steps[i].nchecks;
        p->steps[i].checks = calloc(l->steps[i].nchecks ? l->steps[i].nchecks : 1,
                                    sizeof *p->steps[i].checks);
        if (!p->steps[i].checks)
            return -1;
        for (size_t c = 0; c < l->steps[i].nchecks; c++)
            p->steps[i].checks[c].passed = true;
        p->steps[i].engine_option = -1;
    }
    return 0;
}

int lesson_plan_build(const struct lesson *l, struct world *w, struct lesson_plan *out,
                      char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (plan_alloc(l, out) < 0) {
        lesson_plan_free(out);
        snprintf(err, errlen, "%s: out of memory", lesson_file(l));
        return -1;
    }
    struct walker wk = { .w = w, .l = l };
    /* Start from the first event, whatever the world did before: pass one
     * must see every step of the run to notice every end of stream. */
    if (!world_seek(w, 0)) {
        if (world_trace_len(w) == 0 && world_done(w)) {
            plan_empty_run(l, out);
            return 0;
        }
        lesson_plan_free(out);
        snprintf(err, errlen, "%s: the world does not keep its trace and packets, "
                              "so a lesson cannot be run on it",
                 lesson_file(l));
        return -1;
    }
    /* The seek replayed the run's first step: its events start at 0. */
    walker_note_eofs(&wk, 0);
    plan_stops(&wk, l, out);
    for (size_t i = 0; i < l->nsteps && !wk.oom; i++)
        plan_judge_step(&wk, l, i, out);
    free(wk.marks);
    if (wk.oom) {
        lesson_plan_free(out);
        snprintf(err, errlen, "%s: out of memory", lesson_file(l));
        return -1;
    }
    if (l->nsteps)
        world_seek(w, out->steps[l->nsteps - 1].reveal);
    return 0;
}

void lesson_plan_free(struct lesson_plan *p)
{
    if (!p)
        return;
    for (size_t i = 0; p->steps && i < p->nsteps; i++)
        free(p->steps[i].checks);
    free(p->steps);
    memset(p, 0, sizeof *p);
}

void lesson_plan_print_failures(FILE *out, const struct lesson *l, const struct lesson_plan *p)
{
    for (size_t i = 0; i < p->nsteps && i < l->nsteps; i++) {
        const struct lesson_step_plan *sp = &p->steps[i];
        if (!sp->reached && sp->stop_why[0])
            fprintf(out, "%s\n", sp->stop_why);
        for (size_t c = 0; c < sp->nchecks; c++)
            if (!sp->checks[c].passed)
                fprintf(out, "%s\n", sp->checks[c].why);
        if (l->steps[i].question.kind == QUESTION_NONE)
            continue;
        if (!sp->reveal_reached && sp->reveal_why[0])
            fprintf(out, "%s\n", sp->reveal_why);
        if (!sp->answer_ok && sp->answer_why[0])
            fprintf(out, "%s\n", sp->answer_why);
    }
}

/* ------------------------------------------------------------------ */
/* Text for the student                                                 */

/* Lesson text reaches the terminal: control characters would let a file
 * drive it.  '\n' (a paragraph) stays, a tab is a space, the rest go. */
static bool copy_clean(const char *text, size_t len, char *out, size_t n, size_t *used)
{
    return utf8_clean_append(out, n, used, text, len, UTF8_KEEP_NEWLINE | UTF8_TAB_TO_SPACE);
}

/* The engine's answer as text: the number, or the option letter. */
static void answer_text(const struct lesson_question *q, const struct lesson_step_plan *sp,
                        char *buf, size_t n)
{
    if (!q) {
        snprintf(buf, n, "?");
    } else if (q->kind == QUESTION_NUMBER) {
        int64_t v = sp && sp->answer_known ? sp->engine_number : q->answer_number;
        snprintf(buf, n, "%" PRId64, v);
    } else if (q->kind == QUESTION_CHOICE) {
        int o = sp && sp->answer_known ? sp->engine_option : q->answer_option;
        snprintf(buf, n, "%c", o >= 0 && o < LESSON_MAX_OPTIONS ? 'A' + o : '?');
    } else {
        snprintf(buf, n, "?");
    }
}

void lesson_fill_answer(const char *text, const struct lesson_question *q,
                        const struct lesson_step_plan *sp, char *out, size_t n)
{
    static const char placeholder[] = "{answer}";
    if (n == 0)
        return;
    out[0] = '\0';
    if (!text)
        return;
    char answer[32];
    answer_text(q, sp, answer, sizeof answer);
    size_t used = 0;
    const char *p = text;
    /* Copy piece by piece: the text between placeholders goes through the
     * sanitiser on its own, so a placeholder cannot be forged from parts. */
    for (;;) {
        const char *hit = strstr(p, placeholder);
        size_t piece = hit ? (size_t)(hit - p) : strlen(p);
        if (!copy_clean(p, piece, out, n, &used) || !hit)
            break;
        if (!copy_clean(answer, strlen(answer), out, n, &used))
            break;
        p = hit + sizeof placeholder - 1;
    }
    out[used] = '\0';
}

/* ------------------------------------------------------------------ */
/* The transcript (tcpviz --batch LESSON)                               */

/* Text of the lesson, answer filled in, sanitised, each line indented by
 * `indent` (the first line by `first`). */
static void print_text_as(FILE *out, const char *first, const char *indent,
                          const struct lesson_text *t, enum tv_lang lang,
                          const struct lesson_question *q, const struct lesson_step_plan *sp)
{
    const char *text = lesson_text_get(t, lang);
    size_t n = strlen(text) * 2 + 64;
    char *buf = malloc(n);
    if (!buf)
        return;
    lesson_fill_answer(text, q, sp, buf, n);
    fputs(first, out);
    for (const char *c = buf; *c; c++) {
        fputc(*c, out);
        if (*c == '\n')
            fputs(indent, out);
    }
    fputc('\n', out);
    free(buf);
}

static void print_text(FILE *out, const char *indent, const struct lesson_text *t,
                       enum tv_lang lang, const struct lesson_question *q,
                       const struct lesson_step_plan *sp)
{
    print_text_as(out, indent, indent, t, lang, q, sp);
}

static void print_result(FILE *out, enum tv_lang lang, bool passed, const char *what)
{
    fprintf(out, "  [%s] %s\n", passed ? tv_tr(lang, "holds") : tv_tr(lang, "FAILS"), what);
}

static void print_checks(FILE *out, const struct lesson *l, const struct lesson_step *step,
                         const struct lesson_step_plan *sp, enum tv_lang lang)
{
    for (size_t c = 0; c < step->nchecks; c++) {
        const struct lesson_check *chk = &step->checks[c];
        char what[200], body[160];
        if (!sp->checks[c].passed) {
            print_result(out, lang, false, sp->checks[c].why);
            continue;
        }
        if (chk->kind == CHECK_EXPECT) {
            describe_expect(l, &chk->expect, body, sizeof body);
            snprintf(what, sizeof what, "expect %s", body);
        } else if (chk->kind == CHECK_TIME) {
            describe_time(chk, what, sizeof what);
        } else {
            describe_trigger(l, &chk->event, body, sizeof body);
            snprintf(what, sizeof what, "%s %s", chk->kind == CHECK_SEEN ? "seen" : "unseen",
                     body);
        }
        print_result(out, lang, true, what);
    }
}

static void print_question(FILE *out, const struct lesson *l, const struct lesson_step *step,
                           const struct lesson_step_plan *sp, enum tv_lang lang)
{
    const struct lesson_question *q = &step->question;
    char t[32], answer[32], what[160];
    fprintf(out, "\n  %s\n", tv_tr(lang, "Question:"));
    print_text(out, "  ", &q->text, lang, q, sp);
    for (size_t i = 0; q->kind == QUESTION_CHOICE && i < q->noptions; i++) {
        char label[8];
        snprintf(label, sizeof label, "  %c. ", 'A' + (int)i);
        print_text_as(out, label, "     ", &q->options[i].label, lang, q, sp);
    }
    if (q->reveal.kind != RUN_NONE && !sp->reveal_reached)
        print_result(out, lang, false, sp->reveal_why);
    format_time(sp->t_reveal, t, sizeof t);
    answer_text(q, sp, answer, sizeof answer);
    fprintf(out, "\n  %s (t=%s): %s\n", tv_tr(lang, "Answer"), t, answer);
    if (q->kind == QUESTION_NUMBER) {
        snprintf(what, sizeof what, "answer %" PRId64 " from %s %s", q->answer_number,
                 host_name(l, q->answer_host), q->answer_key);
        print_result(out, lang, sp->answer_ok, sp->answer_ok ? what : sp->answer_why);
    } else if (question_has_when(q)) {
        snprintf(what, sizeof what, "answer %c", 'A' + q->answer_option);
        print_result(out, lang, sp->answer_ok, sp->answer_ok ? what : sp->answer_why);
    }
    if (q->explain.text[LANG_EN] || q->explain.text[lang])
        print_text(out, "  ", &q->explain, lang, q, sp);
}

static void print_step(FILE *out, const struct lesson *l, size_t i,
                       const struct lesson_plan *p, enum tv_lang lang)
{
    const struct lesson_step *step = &l->steps[i];
    const struct lesson_step_plan *sp = &p->steps[i];
    char t[32], head[96];
    format_time(sp->t_stop, t, sizeof t);
    snprintf(head, sizeof head, tv_tr(lang, "Step %zu of %zu"), i + 1, l->nsteps);
    fprintf(out, "\n== %s (t=%s) ==\n", head, t);
    if (!sp->reached && sp->stop_why[0])
        print_result(out, lang, false, sp->stop_why);
    print_text(out, "", &step->say, lang, &step->question, sp);
    print_checks(out, l, step, sp, lang);
    if (step->question.kind != QUESTION_NONE)
        print_question(out, l, step, sp, lang);
}

static void print_header(FILE *out, const struct lesson *l, enum tv_lang lang)
{
    char title[512];
    lesson_fill_answer(lesson_text_get(&l->title, lang), NULL, NULL, title, sizeof title);
    if (l->number)
        fprintf(out, tv_tr(lang, "Lesson %u: %s"), l->number, title);
    else
        fprintf(out, tv_tr(lang, "Lesson: %s"), title);
    fprintf(out, "  [%s]\n", l->id);
    if (l->minutes)
        fprintf(out, tv_tr(lang, "Topic: %s. About %u minutes."),
                lesson_topic_heading(l->topic, lang), l->minutes);
    else
        fprintf(out, tv_tr(lang, "Topic: %s."), lesson_topic_heading(l->topic, lang));
    fputc('\n', out);
    if (l->summary.text[LANG_EN] || l->summary.text[lang])
        print_text(out, "", &l->summary, lang, NULL, NULL);
}

void lesson_print_transcript(FILE *out, const struct lesson *l, const struct lesson_plan *p,
                             enum tv_lang lang)
{
    print_header(out, l, lang);
    for (size_t i = 0; i < l->nsteps && i < p->nsteps; i++)
        print_step(out, l, i, p, lang);
    /* Untranslated on purpose: scripts and the test suite read this line. */
    fprintf(out, "\n%u claims, %u failed\n", p->claims, p->failed);
}
