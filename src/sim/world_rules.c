/* Scripted rules: triggers ("at 1s", "on client state=CLOSE_WAIT"), the
 * actions they run, forged segments and checkpoints.
 *
 * Triggers are matched as events are recorded, which happens inside the
 * engine's callbacks, so a trigger never acts inline: it schedules its
 * action as an eventq item (at now + after) and the step loop runs it. */
#include "sim/world_internal.h"

#include <stdlib.h>
#include <string.h>

#include "tcp/segment.h"
#include "tcp/tcb.h"

/* A forged segment's source port when the scenario asks for a random one:
 * somewhere in the unprivileged range. */
#define INJECT_PORT_BASE 1024u
#define INJECT_PORT_SPAN 64512u
/* Delay of an injected segment when no link leads to its destination. */
#define INJECT_DEFAULT_DELAY (10 * TCP_USEC_PER_MS)

bool world_rules_init(struct world *w)
{
    const struct scenario *s = w->s;
    size_t n = s->nrules ? s->nrules : 1;
    w->st.rule_counts = calloc(n, sizeof *w->st.rule_counts);
    w->checkpoint_of_rule = calloc(n, sizeof *w->checkpoint_of_rule);
    w->note_of_rule = calloc(n, sizeof *w->note_of_rule);
    if (!w->st.rule_counts || !w->checkpoint_of_rule || !w->note_of_rule)
        return false;
    unsigned notes = 0;
    for (size_t i = 0; i < s->nrules; i++) {
        if (s->rules[i].action.kind == ACT_EXPECT)
            w->checkpoint_of_rule[i] = w->ncheckpoints++;
        else if (s->rules[i].action.kind == ACT_NOTE)
            w->note_of_rule[i] = notes++;
    }
    w->st.checks = calloc(w->ncheckpoints ? w->ncheckpoints : 1, sizeof *w->st.checks);
    return w->st.checks != NULL;
}

bool world_seg_match(const struct scn_seg_match *m, int from, int to,
                     uint8_t flags, uint32_t paylen)
{
    if (m->from >= 0 && m->from != from)
        return false;
    if (m->to >= 0 && m->to != to)
        return false;
    /* PSH is in neither mask (the format says it is ignored): an exact
     * "flags=ACK" also matches a [P.] segment. */
    uint8_t compared = (uint8_t)(flags & ~TCP_PSH);
    if (m->exact_flags ? compared != m->flags_set : (compared & m->flags_set) != m->flags_set)
        return false;
    if (flags & m->flags_clear)
        return false;
    if (m->data == 1 && paylen == 0)
        return false;
    if (m->data == 0 && paylen != 0)
        return false;
    return true;
}

/* Does event ev (already stamped with its endpoint) count for trigger t? */
static bool trigger_matches(const struct world *w, const struct scn_trigger *t,
                            const struct tcp_event *ev)
{
    if (ev->endpoint != t->host)
        return false;
    const struct tcp_event_seg *seg = &ev->u.seg;
    switch (t->kind) {
    case TRIG_STATE:
        return ev->kind == EV_STATE && ev->u.state.to == t->value;
    case TRIG_TIMER:
        return ev->kind == EV_TIMER_FIRE && (t->value < 0 || ev->u.timer.timer == t->value);
    case TRIG_SENT:
        return ev->kind == EV_SEG_OUT &&
               world_seg_match(&t->match, t->host, world_host_by_addr(w, seg->dst_addr),
                               seg->flags, seg->len);
    case TRIG_RECEIVED:
        return ev->kind == EV_SEG_IN &&
               world_seg_match(&t->match, world_host_by_addr(w, seg->src_addr), t->host,
                               seg->flags, seg->len);
    case TRIG_ERROR:
        return ev->kind == EV_ERROR;
    default:
        return false;
    }
}

/* Count one occurrence for rule i; on the nth, schedule its action. */
static void rule_occurred(struct world *w, size_t i)
{
    const struct scn_trigger *t = &w->s->rules[i].trigger;
    unsigned nth = t->nth ? t->nth : 1;
    if (++w->st.rule_counts[i] == nth)
        world_schedule(w, w->st.now + t->after, WI_RULE, (uint32_t)i, 0);
}

/* The event kind trigger_matches looks for with a trigger of kind k (keep
 * the two in step); -1 when no event matches one (at, end and eof rules
 * run otherwise). */
static int trigger_event_kind(enum scn_trigger_kind k)
{
    switch (k) {
    case TRIG_STATE: return EV_STATE;
    case TRIG_TIMER: return EV_TIMER_FIRE;
    case TRIG_SENT: return EV_SEG_OUT;
    case TRIG_RECEIVED: return EV_SEG_IN;
    case TRIG_ERROR: return EV_ERROR;
    default: return -1;
    }
}

uint32_t world_rules_event_kinds(const struct scenario *s)
{
    uint32_t kinds = 0;
    for (size_t i = 0; i < s->nrules; i++) {
        int k = trigger_event_kind(s->rules[i].trigger.kind);
        if (k >= 0)
            kinds |= WORLD_EV_BIT(k);
    }
    return kinds;
}

void world_rules_on_event(struct world *w, const struct tcp_event *ev)
{
    /* The engine reports ten kinds of events and a scenario's rules wait
     * for one or two: the rest pass at once instead of meeting every
     * rule (a bulk transfer has half a million of them). */
    if (!(w->rule_kinds & WORLD_EV_BIT(ev->kind)))
        return;
    for (size_t i = 0; i < w->s->nrules; i++) {
        const struct scn_trigger *t = &w->s->rules[i].trigger;
        if (t->kind == TRIG_AT || t->kind == TRIG_END || t->kind == TRIG_EOF)
            continue;
        if (trigger_matches(w, t, ev))
            rule_occurred(w, i);
    }
}

void world_rules_on_eof(struct world *w, int host)
{
    for (size_t i = 0; i < w->s->nrules; i++) {
        const struct scn_trigger *t = &w->s->rules[i].trigger;
        if (t->kind == TRIG_EOF && t->host == host)
            rule_occurred(w, i);
    }
}

static void record_expect(struct world *w, size_t rule, bool passed, bool unreached);

void world_rules_run_end(struct world *w)
{
    for (size_t i = 0; i < w->s->nrules; i++)
        if (w->s->rules[i].trigger.kind == TRIG_END)
            world_rule_run(w, i);
    /* A checkpoint whose trigger never happened did not hold: the run did
     * not do what the scenario claims, so it fails (and says why). */
    for (size_t i = 0; i < w->s->nrules; i++)
        if (w->s->rules[i].action.kind == ACT_EXPECT &&
            !w->st.checks[w->checkpoint_of_rule[i]].evaluated)
            record_expect(w, i, false, true);
}

/* ------------------------------------------------------------------ */
/* Checkpoints                                                          */

/* The socket a close talks about: the app's connection, else its listener. */
static int host_main_socket(const struct host_state *h)
{
    return h->app.sock > 0 ? h->app.sock : h->app.listener;
}

/* The connection an expectation talks about: the app's connection; before
 * the app has one (a server whose handshake is under way, a connection
 * nobody accepts), the host's newest live connection; else the listener. */
static int host_expect_socket(const struct host_state *h)
{
    if (h->app.sock > 0 || !h->stack)
        return h->app.sock;
    for (int s = tcp_sock_max(h->stack); s >= 1; s--) {
        if (s == h->app.listener)
            continue;
        enum tcp_state st = tcp_sock_state(h->stack, s);
        if (st != TCP_CLOSED && st != TCP_LISTEN)
            return s;
    }
    return h->app.listener;
}

/* A duration of the RTO estimator in the unit `expect` speaks for it:
 * whole milliseconds.  The engine keeps microseconds and RFC 6298's 1/8
 * and 1/4 gains can leave a fraction; such a value is not rounded (a
 * check would then pass or fail on a value the engine does not hold): it
 * cannot be read, and the check fails. */
static bool whole_ms(uint64_t us, int64_t *out)
{
    if (us % TCP_USEC_PER_MS != 0)
        return false;
    *out = (int64_t)(us / TCP_USEC_PER_MS);
    return true;
}

/* The value of a connection variable (struct tcb, read only); false when
 * the key is not one, or when there is no connection to read it from. */
static bool expect_tcb_value(const struct host_state *h, const char *key, int64_t *out)
{
    static const char *const keys[] = {
        "cwnd", "ssthresh", "snd_una", "snd_nxt", "snd_wnd", "rcv_nxt", "rcv_wnd",
        "dupacks", "in_recovery", "rto", "srtt", "rttvar",
    };
    size_t k = 0;
    while (k < sizeof keys / sizeof keys[0] && strcmp(keys[k], key) != 0)
        k++;
    if (k == sizeof keys / sizeof keys[0])
        return false;
    int sock = host_expect_socket(h);
    const struct tcb *t = h->stack && sock > 0 ? tcp_sock_tcb(h->stack, sock) : NULL;
    if (!t)
        return false;
    switch (k) {
    case 0: *out = t->cc.cwnd; break;
    case 1: *out = t->cc.ssthresh; break;
    case 2: *out = t->snd_una; break;
    case 3: *out = t->snd_nxt; break;
    case 4: *out = t->snd_wnd; break;
    case 5: *out = t->rcv_nxt; break;
    /* The free receive buffer: the window the receiver could offer now. */
    case 6: *out = (int64_t)ring_space(&t->rcvbuf); break;
    case 7: *out = t->dupacks; break;
    case 8: *out = t->in_recovery; break;
    /* The RTO in force: the estimator's, doubled by each timeout since the
     * last sample (RFC 6298 5.5); the one the next timer is armed with. */
    case 9: return whole_ms(t->rto_current, out);
    /* RFC 6298 2: both are 0 until the first sample. */
    case 10: return whole_ms(t->rtt.srtt, out);
    default: return whole_ms(t->rtt.rttvar, out);
    }
    return true;
}

/* The error the application was told of: its connection's; or, while it
 * has none because its last connect failed, the error that call returned
 * (bind: address-in-use).  `sock` is the connection expectations read. */
static enum tcp_error expect_error(const struct host_state *h, int sock)
{
    if (h->app.sock <= 0 && h->app.call_error != TCP_OK)
        return h->app.call_error;
    return (h->stack && sock > 0) ? tcp_sock_error(h->stack, sock) : TCP_OK;
}

/* The value of `key` on the host; false when the key is unknown. */
static bool expect_value(const struct host_state *h, const char *key, int64_t *out)
{
    if (expect_tcb_value(h, key, out))
        return true;
    const struct tcp_stack *st = h->stack;
    int sock = host_expect_socket(h);
    const struct host_app_stats *a = &h->app.stats;
    static const struct tcp_stack_stats no_stats;
    const struct tcp_stack_stats *ss = st ? tcp_stack_stats(st) : &no_stats;
    struct tcp_listen_stats ls;
    memset(&ls, 0, sizeof ls);
    if (st && h->app.listener > 0 && tcp_listen_stats(st, h->app.listener, &ls) < 0)
        memset(&ls, 0, sizeof ls);

    if (!strcmp(key, "state"))
        *out = (st && sock > 0) ? tcp_sock_state(st, sock) : TCP_CLOSED;
    else if (!strcmp(key, "error"))
        *out = expect_error(h, sock);
    else if (!strcmp(key, "up"))
        *out = h->up;
    else if (!strcmp(key, "bytes_read"))
        *out = (int64_t)a->bytes_read;
    else if (!strcmp(key, "bytes_written"))
        *out = (int64_t)a->bytes_written;
    else if (!strcmp(key, "accepted"))
        *out = a->accepted;
    else if (!strcmp(key, "retransmits"))
        *out = ss->retransmits;
    else if (!strcmp(key, "rst_sent"))
        *out = ss->rst_sent;
    else if (!strcmp(key, "segs_out"))
        *out = ss->segs_out;
    else if (!strcmp(key, "segs_in"))
        *out = ss->segs_in;
    else if (!strcmp(key, "syn_queue"))
        *out = ls.syn_queue;
    else if (!strcmp(key, "accept_queue"))
        *out = ls.accept_queue;
    else if (!strcmp(key, "syn_dropped"))
        *out = ls.syn_dropped;
    else if (!strcmp(key, "cookies_sent"))
        *out = ls.cookies_sent;
    else
        return false;
    return true;
}

bool world_expect_holds(const struct world *w, const struct scn_action *a)
{
    bool passed = a->host >= 0 && (unsigned)a->host < w->s->nhosts;
    for (unsigned i = 0; passed && i < a->nterms && i < SCN_EXPECT_MAX_TERMS; i++) {
        int64_t have;
        passed = expect_value(&w->st.hosts[a->host], a->terms[i].key, &have) &&
                 scn_cmp_holds(have, a->terms[i].cmp, a->terms[i].value);
    }
    return passed;
}

bool world_host_value(const struct world *w, int host, const char *key, int64_t *out)
{
    if (host < 0 || (unsigned)host >= w->s->nhosts)
        return false;
    return expect_value(&w->st.hosts[host], key, out);
}

bool world_trigger_matches(const struct world *w, const struct scn_trigger *t,
                           const struct trace_entry *e)
{
    return trigger_matches(w, t, &e->ev);
}

unsigned world_host_eof_count(const struct world *w, int host)
{
    if (host < 0 || (unsigned)host >= w->s->nhosts)
        return 0;
    const struct app_state *app = &w->st.hosts[host].app;
    unsigned n = 0;
    for (size_t i = 0; i < app->nconns; i++)
        n += app->conns[i].eof_seen;
    return n;
}

static void record_expect(struct world *w, size_t rule, bool passed, bool unreached)
{
    const struct scn_action *a = &w->s->rules[rule].action;
    unsigned idx = w->checkpoint_of_rule[rule];
    w->st.checks[idx] = (struct checkpoint_result){ .evaluated = true, .passed = passed };
    if (passed)
        w->st.passed++;
    else
        w->st.failed++;
    struct tcp_event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = EV_CHECKPOINT;
    ev.endpoint = (uint16_t)(a->host >= 0 ? a->host : 0);
    ev.u.check.index = idx;
    ev.u.check.passed = passed;
    ev.u.check.unreached = unreached;
    world_record(w, &ev);
}

static void run_expect(struct world *w, size_t rule)
{
    record_expect(w, rule, world_expect_holds(w, &w->s->rules[rule].action), false);
}

bool world_checkpoint_result(const struct world *w, unsigned index, bool *passed,
                             const struct scn_action **expect)
{
    if (index >= w->ncheckpoints)
        return false;
    if (expect) {
        *expect = NULL;
        for (size_t i = 0; i < w->s->nrules; i++)
            if (w->s->rules[i].action.kind == ACT_EXPECT && w->checkpoint_of_rule[i] == index)
                *expect = &w->s->rules[i].action;
    }
    if (passed)
        *passed = w->st.checks[index].passed;
    return w->st.checks[index].evaluated;
}

/* ------------------------------------------------------------------ */
/* Forged segments                                                      */

static uint64_t inject_delay(const struct world *w, int to)
{
    for (size_t i = 0; i < w->s->nlinks; i++)
        if (w->s->links[i].to == to)
            return w->s->links[i].params.delay;
    return INJECT_DEFAULT_DELAY;
}

void world_inject_run(struct world *w, size_t rule, unsigned copy)
{
    world_inject_send(w, &w->s->rules[rule].action.inject, copy, WI_INJECT, (uint32_t)rule);
}

/* Build copy number `copy` of the forged segment, record it as sent by a
 * third party and schedule its arrival; then schedule the next copy. */
void world_inject_send(struct world *w, const struct scn_inject *in, unsigned copy,
                       uint32_t kind, uint32_t item_a)
{
    struct tcp_segment seg;
    memset(&seg, 0, sizeof seg);
    seg.src_addr = in->src_addr;
    seg.src_port = in->src_port;
    if (in->src_random) {
        seg.src_addr = prng_u32(&w->st.rng);
        seg.src_port = (uint16_t)(INJECT_PORT_BASE + prng_below(&w->st.rng, INJECT_PORT_SPAN));
    }
    seg.dst_addr = in->dst_addr;
    seg.dst_port = in->dst_port;
    seg.seq = in->seq_random ? prng_u32(&w->st.rng) : in->seq;
    seg.ack = in->ack;
    seg.flags = in->flags;
    seg.window = in->win;
    seg.ttl = 64;
    if (in->mss && (in->flags & TCP_SYN)) {
        seg.opt.has_mss = true;
        seg.opt.mss = in->mss;
    }
    size_t paylen = in->len;
    if (paylen > TCP_PACKET_MAX - IPV4_HEADER_LEN - TCP_HEADER_MIN_LEN - TCP_OPTIONS_MAX_LEN)
        paylen = TCP_PACKET_MAX - IPV4_HEADER_LEN - TCP_HEADER_MIN_LEN - TCP_OPTIONS_MAX_LEN;
    uint8_t *zeros = calloc(paylen ? paylen : 1, 1);
    if (!zeros) {
        w->oom = true;
        return;
    }
    seg.payload = zeros;
    seg.payload_len = paylen;
    /* The scratch buffer is free here: injects run from the step loop,
     * never while a packet is being delivered. */
    size_t len = tcp_segment_encode(&seg, w->scratch, TCP_PACKET_MAX);
    free(zeros);
    if (len == 0)
        return;
    uint32_t id = world_store_packet(w, w->scratch, len, false);
    if (id == WORLD_NO_PACKET)
        return;
    struct tcp_event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = EV_SEG_OUT;
    ev.endpoint = WORLD_THIRD_PARTY;
    world_seg_from_packet(w->scratch, len, &ev.u.seg);
    ev.u.seg.packet = id;
    world_record(w, &ev);
    int to = world_host_by_addr(w, seg.dst_addr);
    if (to >= 0)
        world_schedule(w, w->st.now + inject_delay(w, to), WI_DELIVER, (uint32_t)to, id);
    unsigned count = in->count ? in->count : 1;
    if (copy + 1 < count)
        world_schedule(w, w->st.now + in->interval, kind, item_a, copy + 1);
}

/* ------------------------------------------------------------------ */
/* Actions                                                              */

/* A new socket carrying the host's current settings. */
static int host_socket(struct host_state *h)
{
    int sock = tcp_socket(h->stack);
    if (sock > 0 && h->cfg_changed)
        tcp_set_config(h->stack, sock, &h->cfg);
    return sock;
}

static void act_listen(struct world *w, struct host_state *h, const struct scn_action *a)
{
    int sock = host_socket(h);
    if (sock <= 0)
        return;
    uint64_t now = w->st.now;
    tcp_bind(h->stack, sock, a->port, now);
    tcp_listen(h->stack, sock, a->backlog ? a->backlog : h->cfg.syn_backlog, now);
    h->app.listener = sock;
}

/* What a program does: socket(), bind() when it asks for a local port,
 * then connect().  When bind fails (EADDRINUSE: TIME_WAIT still holds the
 * port and SO_REUSEADDR is off) or connect does (the 4-tuple is taken),
 * there is no connection: the program closes the socket it could not use,
 * keeps the error its call returned (EV_APP already reports the call with
 * its result) and has no current connection until it connects again. */
static void act_connect(struct world *w, struct host_state *h, const struct scn_action *a)
{
    int sock = host_socket(h);
    if (sock <= 0)
        return;
    uint64_t now = w->st.now;
    h->app.sock = 0;
    h->app.send_blocked = false;
    int rc = a->local_port ? tcp_bind(h->stack, sock, a->local_port, now) : 0;
    if (rc == 0)
        rc = tcp_connect(h->stack, sock, a->peer_addr, a->port, now);
    if (rc < 0) {
        h->app.call_error = (enum tcp_error)-rc;
        tcp_release(h->stack, sock);
        return;
    }
    h->app.call_error = TCP_OK;
    h->app.sock = sock;
    world_app_own(w, &h->app, sock);
}

static void act_accept(struct world *w, struct host_state *h)
{
    if (h->app.listener <= 0)
        return;
    int c = tcp_accept(h->stack, h->app.listener, w->st.now);
    if (c <= 0)
        return;
    h->app.sock = c;
    h->app.stats.accepted++;
    world_app_own(w, &h->app, c);
}

/* Copy into dst the fields `changed` names from src (all of it when it
 * names none), so an action changes only what its line wrote. */
static void copy_changed(void *dst, const void *src, size_t size,
                         const struct scn_field_set *changed)
{
    if (changed->count == 0) {
        memcpy(dst, src, size);
        return;
    }
    for (unsigned i = 0; i < changed->count && i < SCN_SET_MAX_FIELDS; i++) {
        size_t off = changed->field[i].offset, len = changed->field[i].size;
        if (off <= size && len <= size - off)
            memcpy((char *)dst + off, (const char *)src + off, len);
    }
}

static void act_set(struct host_state *h, const struct scn_action *a)
{
    copy_changed(&h->cfg, &a->cfg, sizeof h->cfg, &a->changed);
    h->cfg_changed = true;
    for (size_t i = 0; i < h->app.nconns; i++)
        tcp_set_config(h->stack, h->app.conns[i].sock, &h->cfg);
    if (h->app.listener > 0)
        tcp_set_config(h->stack, h->app.listener, &h->cfg);
}

static void act_note(struct world *w, size_t rule, const struct scn_action *a)
{
    struct tcp_event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = EV_NOTE;
    ev.endpoint = (uint16_t)(a->host >= 0 ? (unsigned)a->host : WORLD_THIRD_PARTY);
    ev.u.note.index = w->note_of_rule[rule];
    world_record(w, &ev);
}

/* Actions that act on a running host's sockets. */
static void run_host_action(struct world *w, int host, const struct scn_action *a)
{
    struct host_state *h = &w->st.hosts[host];
    uint64_t now = w->st.now;
    int sock = host_main_socket(h);
    switch (a->kind) {
    case ACT_LISTEN: act_listen(w, h, a); break;
    case ACT_CONNECT: act_connect(w, h, a); break;
    case ACT_ACCEPT: act_accept(w, h); break;
    case ACT_SEND: world_app_queue_send(w, host, a->text, a->bytes, a->rate_bps); break;
    case ACT_READ:
        if (a->every)
            world_app_start_slow_reader(w, host, a->bytes, a->every);
        else if (h->app.sock > 0)
            world_app_read(w, host, h->app.sock, a->bytes);
        break;
    case ACT_RESPOND: world_app_start_responder(w, host, a->request, a->response); break;
    case ACT_SHUTDOWN:
        if (sock > 0 && !world_app_defer_close(w, host, false))
            tcp_shutdown(h->stack, sock, now);
        break;
    case ACT_CLOSE:
        if (sock > 0 && !world_app_defer_close(w, host, true))
            tcp_close(h->stack, sock, now);
        break;
    case ACT_ABORT:
        /* An abort throws away what the app still meant to write, and any
         * close that was waiting for it. */
        h->app.npend = 0;
        h->app.close_pending = h->app.shutdown_pending = false;
        if (sock > 0)
            tcp_abort(h->stack, sock, now);
        break;
    case ACT_SET: act_set(h, a); break;
    default: break;
    }
}

void world_rule_run(struct world *w, size_t rule)
{
    const struct scn_action *a = &w->s->rules[rule].action;
    switch (a->kind) {
    case ACT_EXPECT: run_expect(w, rule); return;
    case ACT_NOTE: act_note(w, rule, a); return;
    case ACT_INJECT: world_inject_run(w, rule, 0); return;
    default: world_action_apply(w, a); return;
    }
}

void world_action_apply(struct world *w, const struct scn_action *a)
{
    bool host_valid = a->host >= 0 && (unsigned)a->host < w->s->nhosts;
    switch (a->kind) {
    case ACT_LINK:
        if (a->link >= 0 && (size_t)a->link < w->s->nlinks) {
            struct wire_params p = w->st.wires[a->link].p;
            copy_changed(&p, &a->link_params, sizeof p, &a->changed);
            wire_set_params(&w->st.wires[a->link], &p);
        }
        return;
    case ACT_CRASH:
        if (host_valid)
            world_host_crash(w, a->host);
        return;
    case ACT_REBOOT:
        if (host_valid)
            world_host_reboot(w, a->host);
        return;
    default:
        break;
    }
    /* A crashed host's app is gone with it: its scripted calls do nothing. */
    if (host_valid && w->st.hosts[a->host].up)
        run_host_action(w, a->host, a);
}
