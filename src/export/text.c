/* The text trace: one line per event, in the spirit of tcpdump so that what
 * students learn here reads the same as a real capture. */
#include "export/text.h"

#include <inttypes.h>
#include <string.h>

#include "export/digest.h"
#include "sim/stream_digest.h"
#include "tcp/cc.h"
#include "tcp/segment.h"
#include "tcp/stack.h"
#include "tcp/timer.h"

/* ------------------------------------------------------------------------
 * Shared helpers (also used by the JSON Lines exporter). */

void export_info_init(struct export_info *info, const char *ep)
{
    info->ep = ep ? ep : "?";
    info->file = NULL;
    info->line = 0;
    info->text = NULL;
    info->buf[0] = '\0';
}

const char *export_endpoint_name(const struct scenario *s, unsigned endpoint)
{
    if (endpoint == EXPORT_ENDPOINT_INJECT)
        return "inject";
    if (s && endpoint < s->nhosts)
        return s->hosts[endpoint].name;
    return "?";
}

const struct scn_rule *export_nth_rule(const struct scenario *s, enum scn_action_kind kind,
                                       uint32_t index)
{
    uint32_t seen = 0;
    for (size_t i = 0; s && i < s->nrules; i++) {
        if (s->rules[i].action.kind != kind)
            continue;
        if (seen++ == index)
            return &s->rules[i];
    }
    return NULL;
}

void export_expect_value(const struct scn_expect_term *t, int64_t v, char *buf, size_t len)
{
    if (t->is_state)
        snprintf(buf, len, "%s", tcp_state_name((enum tcp_state)v));
    else if (t->is_error)
        snprintf(buf, len, "%s", tcp_error_name((enum tcp_error)v));
    else if (strcmp(t->key, "in_recovery") == 0)
        /* A yes/no key: written as the file writes it. */
        snprintf(buf, len, "%s", v ? "yes" : "no");
    else
        snprintf(buf, len, "%" PRId64, v);
}

void export_expect_text(const struct scn_action *a, char *buf, size_t len)
{
    size_t used = 0;
    if (len == 0)
        return;
    buf[0] = '\0';
    for (unsigned i = 0; i < a->nterms && i < SCN_EXPECT_MAX_TERMS; i++) {
        const struct scn_expect_term *t = &a->terms[i];
        char value[32];
        export_expect_value(t, t->value, value, sizeof value);
        int n = snprintf(buf + used, len - used, "%s%.*s%s%s", i ? " " : "",
                         (int)sizeof t->key, t->key, scn_cmp_text(t->cmp), value);
        /* Keep whole terms only: a cut term could read as a different
         * expectation ("bytes_read>=1" from "bytes_read>=100"). */
        if (n < 0 || (size_t)n >= len - used) {
            buf[used] = '\0';
            return;
        }
        used += (size_t)n;
    }
}

void export_info_from_world(struct export_info *info, const struct world *w,
                            const struct trace_entry *e)
{
    const struct scenario *s = world_scenario(w);
    export_info_init(info, export_endpoint_name(s, e->ev.endpoint));
    if (e->ev.kind == EV_CHECKPOINT) {
        /* The world numbers checkpoints; it also knows which rule each is.
         * Whether it has been evaluated does not matter here: the event
         * itself carries the result. */
        const struct scn_action *a = NULL;
        bool passed;
        (void)world_checkpoint_result(w, e->ev.u.check.index, &passed, &a);
        if (a) {
            info->file = a->origin.file;
            info->line = a->origin.line;
            export_expect_text(a, info->buf, sizeof info->buf);
            info->text = info->buf;
        }
    } else if (e->ev.kind == EV_NOTE) {
        const struct scn_rule *r = export_nth_rule(s, ACT_NOTE, e->ev.u.note.index);
        if (r && r->action.text)
            info->text = r->action.text;
    } else if (e->ev.kind == EV_USER) {
        world_user_describe(w, e->ev.u.user.index, info->buf, sizeof info->buf);
        if (info->buf[0])
            info->text = info->buf;
    }
}

void export_ipv4(uint32_t addr, char out[EXPORT_IPV4_LEN])
{
    snprintf(out, EXPORT_IPV4_LEN, "%u.%u.%u.%u", (unsigned)(addr >> 24) & 0xffu,
             (unsigned)(addr >> 16) & 0xffu, (unsigned)(addr >> 8) & 0xffu,
             (unsigned)addr & 0xffu);
}

void export_put_sanitized(FILE *out, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    for (; *p; p++) {
        if (*p < 0x20 || *p == 0x7f)
            continue;
        /* U+0080..U+009F (C1 controls, e.g. CSI) are encoded C2 80..C2 9F. */
        if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
            p++;
            continue;
        }
        putc(*p, out);
    }
}

/* ------------------------------------------------------------------------
 * Events. */

/* Virtual µs as seconds with six decimals: exact, no floating point. */
static void put_seconds(FILE *out, uint64_t t)
{
    fprintf(out, "%" PRIu64 ".%06" PRIu64, t / 1000000u, t % 1000000u);
}

static void put_ms(FILE *out, uint64_t us)
{
    fprintf(out, "%" PRIu64 ".%03" PRIu64 " ms", us / 1000u, us % 1000u);
}

static void put_seg(FILE *out, char dir, const struct tcp_event_seg *s)
{
    char src[EXPORT_IPV4_LEN], dst[EXPORT_IPV4_LEN], flags[10];
    export_ipv4(s->src_addr, src);
    export_ipv4(s->dst_addr, dst);
    tcp_flags_short(s->flags, flags);
    fprintf(out, "%c %s.%u > %s.%u: Flags [%s], seq %" PRIu32, dir, src,
            (unsigned)s->src_port, dst, (unsigned)s->dst_port, flags, s->seq);
    /* tcpdump prints ack only when the ACK bit makes the field meaningful. */
    if (s->flags & TCP_ACK)
        fprintf(out, ", ack %" PRIu32, s->ack);
    fprintf(out, ", win %u", (unsigned)s->win);
    if (s->opts) {
        const char *sep = "";
        fputs(", options [", out);
        if (s->opts & TCP_EVOPT_MSS) {
            fprintf(out, "%smss %u", sep, (unsigned)s->mss);
            sep = ",";
        }
        if (s->opts & TCP_EVOPT_WSCALE) {
            fprintf(out, "%swscale", sep);
            sep = ",";
        }
        if (s->opts & TCP_EVOPT_SACK_OK) {
            fprintf(out, "%ssackOK", sep);
            sep = ",";
        }
        if (s->opts & TCP_EVOPT_SACK) {
            fprintf(out, "%ssack", sep);
            sep = ",";
        }
        if (s->opts & TCP_EVOPT_TS)
            fprintf(out, "%sTS", sep);
        putc(']', out);
    }
    fprintf(out, ", length %" PRIu32, s->len);
}

static void put_app(FILE *out, const struct tcp_event *ev)
{
    enum tcp_app_call call = (enum tcp_app_call)ev->u.app.call;
    fprintf(out, "app %s", tcp_app_call_name(call));
    /* Only the data calls have a meaningful requested size. */
    if (call == APP_SEND || call == APP_RECV)
        fprintf(out, " %" PRIu64, ev->u.app.bytes);
    if (ev->u.app.result < 0)
        fprintf(out, " -> %s", tcp_error_name((enum tcp_error)(-(int64_t)ev->u.app.result)));
    else
        fprintf(out, " -> %" PRId32, ev->u.app.result);
}

/* "cwnd 14600 ssthresh 29200 congestion-avoidance (ack)".  An ssthresh
 * still at its "arbitrarily high" start (RFC 5681 3.1) reads "inf". */
static void put_cwnd(FILE *out, const struct tcp_event *ev)
{
    fprintf(out, "cwnd %" PRIu32 " ssthresh ", ev->u.cwnd.cwnd);
    if (ev->u.cwnd.ssthresh == UINT32_MAX)
        fputs("inf", out);
    else
        fprintf(out, "%" PRIu32, ev->u.cwnd.ssthresh);
    fprintf(out, " %s (%s)", tcp_cc_phase_name((enum tcp_cc_phase)ev->u.cwnd.phase),
            tcp_cc_cause_name((enum tcp_cc_cause)ev->u.cwnd.cause));
}

/* "sack sent [1001-2461] [3921-5381] (dsack)": blocks as [left-right),
 * the way RFC 2018 writes them, at most the four an option can hold. */
static void put_sack(FILE *out, const struct tcp_event *ev)
{
    unsigned n = ev->u.sack.count;
    if (n > sizeof ev->u.sack.blocks / sizeof ev->u.sack.blocks[0])
        n = sizeof ev->u.sack.blocks / sizeof ev->u.sack.blocks[0];
    fputs(ev->u.sack.sent ? "sack sent" : "sack received", out);
    for (unsigned i = 0; i < n; i++)
        fprintf(out, " [%" PRIu32 "-%" PRIu32 "]", ev->u.sack.blocks[i].left,
                ev->u.sack.blocks[i].right);
    if (ev->u.sack.dsack)
        fputs(" (dsack)", out);
}

/* "user send 1000", "user drop packet 7", "user expect (1 check) held":
 * the world's words when it gave them, else the event's own. */
static void put_user(FILE *out, const struct export_info *info, const struct tcp_event *ev)
{
    fputs("user ", out);
    bool fate = ev->u.user.action == TCP_USER_FATE;
    if (info->text)
        export_put_sanitized(out, info->text);
    else if (fate)
        fprintf(out, "%s packet %" PRIu32, world_fate_name((enum world_fate)ev->u.user.fate),
                ev->u.user.packet);
    else
        fputs(world_action_name((enum scn_action_kind)ev->u.user.action), out);
    if (!fate && ev->u.user.action == ACT_EXPECT)
        fputs(ev->u.user.result ? " held" : " failed", out);
}

void export_text_event_info(FILE *out, const struct export_info *info, const struct trace_entry *e)
{
    const struct tcp_event *ev = &e->ev;
    /* Seconds right-aligned in three columns keeps a minute-long run in
     * straight columns, like the sample lines in the docs. */
    fprintf(out, "%3" PRIu64 ".%06" PRIu64 " ", e->t / 1000000u, e->t % 1000000u);
    /* Seven columns fit "client" and "server" with a space to spare. */
    size_t namelen = strlen(info->ep);
    export_put_sanitized(out, info->ep);
    for (size_t i = namelen; i < 7; i++)
        putc(' ', out);
    putc(' ', out);

    switch ((enum tcp_event_kind)ev->kind) {
    case EV_SEG_OUT:
        put_seg(out, '>', &ev->u.seg);
        break;
    case EV_SEG_IN:
        put_seg(out, '<', &ev->u.seg);
        break;
    case EV_SEG_DROP:
        put_seg(out, 'x', &ev->u.seg);
        fprintf(out, " dropped (%s)", tcp_drop_reason_name((enum tcp_drop_reason)ev->u.seg.drop));
        break;
    case EV_STATE:
        fprintf(out, "state %s -> %s (%s", tcp_state_name((enum tcp_state)ev->u.state.from),
                tcp_state_name((enum tcp_state)ev->u.state.to),
                tcp_state_cause_name((enum tcp_state_cause)ev->u.state.cause));
        if (ev->u.state.rfc)
            fprintf(out, ", %s", ev->u.state.rfc);
        putc(')', out);
        break;
    case EV_TIMER_SET:
        fprintf(out, "timer %s set ", tcp_timer_name((enum tcp_timer)ev->u.timer.timer));
        put_seconds(out, ev->u.timer.deadline);
        /* The interval is what the RFCs talk about (RTO 1 s, 2 MSL ...). */
        if (ev->u.timer.deadline >= e->t) {
            fputs(" (+", out);
            put_seconds(out, ev->u.timer.deadline - e->t);
            putc(')', out);
        }
        break;
    case EV_TIMER_CANCEL:
        fprintf(out, "timer %s cancelled", tcp_timer_name((enum tcp_timer)ev->u.timer.timer));
        break;
    case EV_TIMER_FIRE:
        fprintf(out, "timer %s fired", tcp_timer_name((enum tcp_timer)ev->u.timer.timer));
        break;
    case EV_RETRANSMIT:
        if (ev->u.retx.cause == RETX_KEEPALIVE) {
            /* Not a retransmission: an empty probe asking "still there?". */
            fprintf(out, "keepalive probe seq %" PRIu32 " attempt %" PRIu32 " interval ",
                    ev->u.retx.seq, ev->u.retx.attempt);
            put_seconds(out, ev->u.retx.rto);
            break;
        }
        fprintf(out, "retransmit %s seq %" PRIu32 " len %" PRIu32 " attempt %" PRIu32 " rto ",
                tcp_retx_cause_name((enum tcp_retx_cause)ev->u.retx.cause), ev->u.retx.seq,
                ev->u.retx.len, ev->u.retx.attempt);
        put_seconds(out, ev->u.retx.rto);
        break;
    case EV_APP:
        put_app(out, ev);
        break;
    case EV_ERROR:
        fprintf(out, "error %s", tcp_error_name((enum tcp_error)ev->u.error.err));
        break;
    case EV_RTT:
        fputs("rtt sample ", out);
        put_ms(out, ev->u.rtt.sample);
        fputs(" srtt ", out);
        put_ms(out, ev->u.rtt.srtt);
        fputs(" rttvar ", out);
        put_ms(out, ev->u.rtt.rttvar);
        fputs(" rto ", out);
        put_ms(out, ev->u.rtt.rto);
        break;
    case EV_LISTEN: {
        fprintf(out, "listen %s syn %" PRIu32 " accept %" PRIu32,
                tcp_listen_what_name((enum tcp_listen_what)ev->u.listen.what),
                ev->u.listen.syn_queue, ev->u.listen.accept_queue);
        if (ev->u.listen.peer_addr) {
            char peer[EXPORT_IPV4_LEN];
            export_ipv4(ev->u.listen.peer_addr, peer);
            fprintf(out, " peer %s.%u", peer, (unsigned)ev->u.listen.peer_port);
        }
        break;
    }
    case EV_CWND:
        put_cwnd(out, ev);
        break;
    case EV_WINDOW:
        fprintf(out, "window snd una %" PRIu32 " nxt %" PRIu32 " wnd %" PRIu32
                " rcv nxt %" PRIu32 " wnd %" PRIu32, ev->u.window.snd_una, ev->u.window.snd_nxt,
                ev->u.window.snd_wnd, ev->u.window.rcv_nxt, ev->u.window.rcv_wnd);
        break;
    case EV_DUPACK:
        fprintf(out, "dupack %" PRIu32 " ack %" PRIu32, ev->u.dupack.count, ev->u.dupack.ack);
        break;
    case EV_SACK:
        put_sack(out, ev);
        break;
    case EV_HOST:
        fputs(ev->u.host.up ? "host rebooted" : "host crashed", out);
        break;
    case EV_CHECKPOINT:
        fprintf(out, "checkpoint %" PRIu32 " %s", ev->u.check.index,
                ev->u.check.passed ? "PASS" : "FAIL");
        if (info->file) {
            putc(' ', out);
            export_put_sanitized(out, info->file);
            fprintf(out, ":%u", info->line);
        }
        if (info->text && info->text[0]) {
            putc(' ', out);
            export_put_sanitized(out, info->text);
        }
        if (ev->u.check.unreached)
            fputs(" (its trigger never happened)", out);
        break;
    case EV_NOTE:
        fputs("note", out);
        if (info->text) {
            putc(' ', out);
            export_put_sanitized(out, info->text);
        }
        break;
    case EV_USER:
        put_user(out, info, ev);
        break;
    case EV_KIND_COUNT:
    default:
        fprintf(out, "event %u", (unsigned)ev->kind);
        break;
    }
    putc('\n', out);
}

void export_text_event_named(FILE *out, const char *ep_name, const struct trace_entry *e)
{
    struct export_info info;
    export_info_init(&info, ep_name);
    export_text_event_info(out, &info, e);
}

void export_text_event(FILE *out, const struct world *w, const struct trace_entry *e)
{
    struct export_info info;
    export_info_from_world(&info, w, e);
    export_text_event_info(out, &info, e);
}

/* ------------------------------------------------------------------------
 * Summary. */

void export_summary_from_world(struct export_summary *sum, const struct world *w)
{
    const struct scenario *s = world_scenario(w);
    memset(sum, 0, sizeof *sum);
    sum->t = world_now(w);
    sum->nendpoints = s->nhosts < SCN_MAX_HOSTS ? s->nhosts : SCN_MAX_HOSTS;
    for (unsigned i = 0; i < sum->nendpoints; i++) {
        struct export_endpoint_summary *ep = &sum->ep[i];
        const struct tcp_stack *st = world_stack(w, (int)i);
        const struct host_app_stats *app = world_host_app(w, (int)i);
        ep->name = s->hosts[i].name;
        ep->up = world_host_up(w, (int)i);
        ep->state = TCP_CLOSED;
        ep->digest_written = ep->digest_read = stream_digest_of(NULL, 0);
        if (st) {
            /* The app's connection tells the story; a server that never
             * accepted still has its listener. */
            int sock = world_host_socket(w, (int)i);
            if (sock <= 0)
                sock = world_host_listener(w, (int)i);
            if (sock > 0)
                ep->state = tcp_sock_state(st, sock);
            const struct tcp_stack_stats *ss = tcp_stack_stats(st);
            if (ss) {
                ep->retransmits = ss->retransmits;
                ep->rst_sent = ss->rst_sent;
                for (int r = 0; r < DROP_REASON_COUNT; r++)
                    ep->drops[r] = ss->drops[r];
            }
        }
        for (int r = 0; r < DROP_REASON_COUNT; r++)
            ep->drops[r] += world_drops(w, (int)i, (enum tcp_drop_reason)r);
        if (app) {
            ep->bytes_written = app->bytes_written;
            ep->bytes_read = app->bytes_read;
            ep->digest_written = app->digest_written;
            ep->digest_read = app->digest_read;
        }
    }
    world_checkpoint_counts(w, &sum->passed, &sum->failed);
}

void export_text_summary_of(FILE *out, const struct export_summary *sum)
{
    fputs("summary at ", out);
    put_seconds(out, sum->t);
    putc('\n', out);
    for (unsigned i = 0; i < sum->nendpoints; i++) {
        const struct export_endpoint_summary *ep = &sum->ep[i];
        char dw[DIGEST_HEX_LEN], dr[DIGEST_HEX_LEN];
        digest_hex(ep->digest_written, dw);
        digest_hex(ep->digest_read, dr);
        fputs("  ", out);
        export_put_sanitized(out, ep->name);
        fprintf(out, ": state %s%s, written %" PRIu64 " (digest %s), read %" PRIu64
                " (digest %s), retransmits %" PRIu32 ", rst sent %" PRIu32 ", drops",
                tcp_state_name(ep->state), ep->up ? "" : " (host down)", ep->bytes_written, dw,
                ep->bytes_read, dr, ep->retransmits, ep->rst_sent);
        const char *sep = " ";
        for (int r = 0; r < DROP_REASON_COUNT; r++) {
            if (!ep->drops[r])
                continue;
            fprintf(out, "%s%s %" PRIu32, sep, tcp_drop_reason_name((enum tcp_drop_reason)r),
                    ep->drops[r]);
            sep = ", ";
        }
        if (sep[0] == ' ')
            fputs(" none", out);
        putc('\n', out);
    }
    fprintf(out, "checkpoints: %u passed, %u failed\n", sum->passed, sum->failed);
}

void export_text_summary(FILE *out, const struct world *w)
{
    struct export_summary sum;
    export_summary_from_world(&sum, w);
    export_text_summary_of(out, &sum);
}
