/* JSON Lines: written by hand with fprintf.  The key order is fixed by the
 * order of the calls below, which is what lets tests and golden files
 * compare lines as text. */
#include "export/jsonl.h"

#include <inttypes.h>
#include <stdbool.h>

#include "export/digest.h"
#include "tcp/cc.h"
#include "tcp/segment.h"
#include "tcp/timer.h"

/* Length of the well-formed UTF-8 sequence at p (RFC 3629 table 3.9 of
 * Unicode: no overlongs, no surrogates, nothing above U+10FFFF), 0 if the
 * bytes there are not one.  Reads no further than the NUL terminator,
 * because every continuation byte is checked before the next is read. */
static size_t utf8_len(const unsigned char *p)
{
    unsigned char c = p[0];
    unsigned char lo = 0x80, hi = 0xbf;
    size_t n;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf)
        n = 2;
    else if (c >= 0xe0 && c <= 0xef) {
        n = 3;
        if (c == 0xe0) lo = 0xa0;     /* overlong */
        if (c == 0xed) hi = 0x9f;     /* surrogates */
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4;
        if (c == 0xf0) lo = 0x90;     /* overlong */
        if (c == 0xf4) hi = 0x8f;     /* above U+10FFFF */
    } else
        return 0;
    if (p[1] < lo || p[1] > hi)
        return 0;
    for (size_t i = 2; i < n; i++)
        if (p[i] < 0x80 || p[i] > 0xbf)
            return 0;
    return n;
}

void export_json_string(FILE *out, const char *s)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    putc('"', out);
    while (*p) {
        unsigned char c = *p;
        switch (c) {
        case '"': fputs("\\\"", out); p++; continue;
        case '\\': fputs("\\\\", out); p++; continue;
        case '\n': fputs("\\n", out); p++; continue;
        case '\r': fputs("\\r", out); p++; continue;
        case '\t': fputs("\\t", out); p++; continue;
        case '\b': fputs("\\b", out); p++; continue;
        case '\f': fputs("\\f", out); p++; continue;
        default: break;
        }
        /* DEL is legal JSON but escaping it keeps the file safe to cat. */
        if (c < 0x20 || c == 0x7f) {
            fprintf(out, "\\u%04x", (unsigned)c);
            p++;
            continue;
        }
        size_t n = utf8_len(p);
        if (n == 0) {
            fputs("\\ufffd", out);
            p++;
            continue;
        }
        fwrite(p, 1, n, out);
        p += n;
    }
    putc('"', out);
}

static void key_str(FILE *out, const char *key, const char *value)
{
    fprintf(out, ",\"%s\":", key);
    export_json_string(out, value);
}

static void key_u64(FILE *out, const char *key, uint64_t v)
{
    fprintf(out, ",\"%s\":%" PRIu64, key, v);
}

static void key_i64(FILE *out, const char *key, int64_t v)
{
    fprintf(out, ",\"%s\":%" PRId64, key, v);
}

static void key_bool(FILE *out, const char *key, bool v)
{
    fprintf(out, ",\"%s\":%s", key, v ? "true" : "false");
}

static void key_endpoint(FILE *out, const char *key, uint32_t addr, uint16_t port)
{
    char ip[EXPORT_IPV4_LEN];
    export_ipv4(addr, ip);
    fprintf(out, ",\"%s\":\"%s:%u\"", key, ip, (unsigned)port);
}

static void put_seg(FILE *out, const struct tcp_event_seg *s)
{
    static const struct {
        uint8_t bit;
        const char *name;
    } opts[] = {
        { TCP_EVOPT_MSS, "mss" }, { TCP_EVOPT_WSCALE, "wscale" },
        { TCP_EVOPT_SACK_OK, "sackOK" }, { TCP_EVOPT_SACK, "sack" }, { TCP_EVOPT_TS, "TS" },
    };
    char flags[10];
    tcp_flags_short(s->flags, flags);
    key_u64(out, "seq", s->seq);
    key_u64(out, "ack", s->ack);
    key_str(out, "flags", flags);
    key_u64(out, "flagbits", s->flags);
    key_u64(out, "win", s->win);
    key_u64(out, "len", s->len);
    key_endpoint(out, "src", s->src_addr, s->src_port);
    key_endpoint(out, "dst", s->dst_addr, s->dst_port);
    fputs(",\"options\":[", out);
    const char *sep = "";
    for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++) {
        if (s->opts & opts[i].bit) {
            fprintf(out, "%s\"%s\"", sep, opts[i].name);
            sep = ",";
        }
    }
    putc(']', out);
    if (s->opts & TCP_EVOPT_MSS)
        key_u64(out, "mss", s->mss);
    key_u64(out, "packet", s->packet);
}

/* "sent", "dsack" and "blocks":[[left,right],...] (at most four). */
static void put_sack(FILE *out, const struct tcp_event *ev)
{
    unsigned n = ev->u.sack.count;
    if (n > sizeof ev->u.sack.blocks / sizeof ev->u.sack.blocks[0])
        n = sizeof ev->u.sack.blocks / sizeof ev->u.sack.blocks[0];
    key_bool(out, "sent", ev->u.sack.sent);
    key_bool(out, "dsack", ev->u.sack.dsack);
    fputs(",\"blocks\":[", out);
    for (unsigned i = 0; i < n; i++)
        fprintf(out, "%s[%" PRIu32 ",%" PRIu32 "]", i ? "," : "", ev->u.sack.blocks[i].left,
                ev->u.sack.blocks[i].right);
    putc(']', out);
}

static void put_user(FILE *out, const struct export_info *info, const struct tcp_event *ev)
{
    key_u64(out, "index", ev->u.user.index);
    if (ev->u.user.action == TCP_USER_FATE) {
        key_str(out, "fate", world_fate_name((enum world_fate)ev->u.user.fate));
        key_u64(out, "packet", ev->u.user.packet);
        if (ev->u.user.fate == FATE_DELAY)
            key_u64(out, "delay", ev->u.user.value);
    } else {
        key_str(out, "action", world_action_name((enum scn_action_kind)ev->u.user.action));
        if (ev->u.user.action == ACT_EXPECT)
            key_bool(out, "passed", ev->u.user.result);
    }
    if (info->text)
        key_str(out, "text", info->text);
}

void export_jsonl_event_info(FILE *out, const struct export_info *info, const struct trace_entry *e)
{
    const struct tcp_event *ev = &e->ev;
    fprintf(out, "{\"t\":%" PRIu64, e->t);
    key_str(out, "ev", tcp_event_kind_name((enum tcp_event_kind)ev->kind));
    key_str(out, "ep", info->ep);
    key_u64(out, "conn", ev->conn);

    switch ((enum tcp_event_kind)ev->kind) {
    case EV_SEG_OUT:
    case EV_SEG_IN:
        put_seg(out, &ev->u.seg);
        break;
    case EV_SEG_DROP:
        put_seg(out, &ev->u.seg);
        key_str(out, "reason", tcp_drop_reason_name((enum tcp_drop_reason)ev->u.seg.drop));
        break;
    case EV_STATE:
        key_str(out, "from", tcp_state_name((enum tcp_state)ev->u.state.from));
        key_str(out, "to", tcp_state_name((enum tcp_state)ev->u.state.to));
        key_str(out, "cause", tcp_state_cause_name((enum tcp_state_cause)ev->u.state.cause));
        if (ev->u.state.rfc)
            key_str(out, "rfc", ev->u.state.rfc);
        else
            fputs(",\"rfc\":null", out);
        break;
    case EV_TIMER_SET:
    case EV_TIMER_CANCEL:
    case EV_TIMER_FIRE:
        key_str(out, "timer", tcp_timer_name((enum tcp_timer)ev->u.timer.timer));
        /* A cancelled timer may carry TCP_TIME_NEVER; JSON readers should not
         * have to know that sentinel. */
        if (ev->u.timer.deadline == TCP_TIME_NEVER)
            fputs(",\"deadline\":null", out);
        else
            key_u64(out, "deadline", ev->u.timer.deadline);
        key_u64(out, "count", ev->u.timer.count);
        break;
    case EV_RETRANSMIT:
        key_str(out, "cause", tcp_retx_cause_name((enum tcp_retx_cause)ev->u.retx.cause));
        key_u64(out, "seq", ev->u.retx.seq);
        key_u64(out, "len", ev->u.retx.len);
        key_u64(out, "attempt", ev->u.retx.attempt);
        key_u64(out, "rto", ev->u.retx.rto);
        break;
    case EV_APP:
        key_str(out, "call", tcp_app_call_name((enum tcp_app_call)ev->u.app.call));
        key_i64(out, "result", ev->u.app.result);
        key_u64(out, "bytes", ev->u.app.bytes);
        if (ev->u.app.result < 0)
            key_str(out, "error", tcp_error_name((enum tcp_error)(-(int64_t)ev->u.app.result)));
        break;
    case EV_ERROR:
        key_str(out, "error", tcp_error_name((enum tcp_error)ev->u.error.err));
        break;
    case EV_RTT:
        key_u64(out, "sample", ev->u.rtt.sample);
        key_u64(out, "srtt", ev->u.rtt.srtt);
        key_u64(out, "rttvar", ev->u.rtt.rttvar);
        key_u64(out, "rto", ev->u.rtt.rto);
        break;
    case EV_LISTEN:
        key_str(out, "what", tcp_listen_what_name((enum tcp_listen_what)ev->u.listen.what));
        key_u64(out, "syn_queue", ev->u.listen.syn_queue);
        key_u64(out, "accept_queue", ev->u.listen.accept_queue);
        if (ev->u.listen.peer_addr)
            key_endpoint(out, "peer", ev->u.listen.peer_addr, ev->u.listen.peer_port);
        break;
    case EV_CWND:
        key_u64(out, "cwnd", ev->u.cwnd.cwnd);
        key_u64(out, "ssthresh", ev->u.cwnd.ssthresh);
        key_str(out, "phase", tcp_cc_phase_name((enum tcp_cc_phase)ev->u.cwnd.phase));
        key_str(out, "cause", tcp_cc_cause_name((enum tcp_cc_cause)ev->u.cwnd.cause));
        break;
    case EV_WINDOW:
        key_u64(out, "snd_una", ev->u.window.snd_una);
        key_u64(out, "snd_nxt", ev->u.window.snd_nxt);
        key_u64(out, "snd_wnd", ev->u.window.snd_wnd);
        key_u64(out, "rcv_nxt", ev->u.window.rcv_nxt);
        key_u64(out, "rcv_wnd", ev->u.window.rcv_wnd);
        break;
    case EV_DUPACK:
        key_u64(out, "ack", ev->u.dupack.ack);
        key_u64(out, "count", ev->u.dupack.count);
        break;
    case EV_SACK:
        put_sack(out, ev);
        break;
    case EV_HOST:
        key_bool(out, "up", ev->u.host.up);
        break;
    case EV_CHECKPOINT:
        key_u64(out, "index", ev->u.check.index);
        key_bool(out, "passed", ev->u.check.passed);
        if (ev->u.check.unreached)
            key_bool(out, "unreached", true);
        if (info->file)
            key_str(out, "file", info->file);
        if (info->line)
            key_u64(out, "line", info->line);
        if (info->text)
            key_str(out, "text", info->text);
        break;
    case EV_NOTE:
        key_u64(out, "index", ev->u.note.index);
        if (info->text)
            key_str(out, "text", info->text);
        break;
    case EV_USER:
        put_user(out, info, ev);
        break;
    case EV_KIND_COUNT:
    default:
        break;
    }
    fputs("}\n", out);
}

void export_jsonl_event(FILE *out, const struct world *w, const struct trace_entry *e)
{
    struct export_info info;
    export_info_from_world(&info, w, e);
    export_jsonl_event_info(out, &info, e);
}

void export_jsonl_summary_of(FILE *out, const struct export_summary *sum)
{
    fprintf(out, "{\"ev\":\"summary\",\"t\":%" PRIu64 ",\"endpoints\":[", sum->t);
    for (unsigned i = 0; i < sum->nendpoints; i++) {
        const struct export_endpoint_summary *ep = &sum->ep[i];
        char dw[DIGEST_HEX_LEN], dr[DIGEST_HEX_LEN];
        digest_hex(ep->digest_written, dw);
        digest_hex(ep->digest_read, dr);
        fputs(i ? ",{\"ep\":" : "{\"ep\":", out);
        export_json_string(out, ep->name);
        key_str(out, "state", tcp_state_name(ep->state));
        key_bool(out, "up", ep->up);
        key_u64(out, "bytes_written", ep->bytes_written);
        key_u64(out, "bytes_read", ep->bytes_read);
        key_str(out, "digest_written", dw);
        key_str(out, "digest_read", dr);
        key_u64(out, "retransmits", ep->retransmits);
        key_u64(out, "rst_sent", ep->rst_sent);
        fputs(",\"drops\":{", out);
        const char *sep = "";
        for (int r = 0; r < DROP_REASON_COUNT; r++) {
            if (!ep->drops[r])
                continue;
            fprintf(out, "%s\"%s\":%" PRIu32, sep, tcp_drop_reason_name((enum tcp_drop_reason)r),
                    ep->drops[r]);
            sep = ",";
        }
        fputs("}}", out);
    }
    fprintf(out, "],\"checkpoints\":{\"passed\":%u,\"failed\":%u}}\n", sum->passed, sum->failed);
}

void export_jsonl_summary(FILE *out, const struct world *w)
{
    struct export_summary sum;
    export_summary_from_world(&sum, w);
    export_jsonl_summary_of(out, &sum);
}
