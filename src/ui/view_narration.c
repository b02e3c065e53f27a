/* The narration pane: the lesson's text for this moment (ui->narration),
 * or, in the sandbox, one plain-language sentence about the event at the
 * cursor (narrate_event, which lessons reuse).
 *
 * Text is wrapped by display width, not by bytes (draw_wrapped): a Chinese
 * character takes two columns (wcwidth) and may be broken before or after,
 * since Chinese puts no spaces between words. */
#include <curses.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "export/text.h"
#include "tcp/cc.h"
#include "tcp/segment.h"
#include "ui/draw.h"
#include "ui/ui.h"

/* ------------------------------------------------------------------ */
/* The phrase tables: one entry per cause, so a new cause is one line.
 * Each entry is an English msgid (N_), translated where a sentence is
 * built; the sentences' formats are translated whole, and each takes its
 * arguments in an order that reads naturally in English and in Chinese
 * (no positional %1$s). */

static const char *const state_cause_phrase[CAUSE_COUNT] = {
    [CAUSE_APP_OPEN] = N_("its application called connect()"),
    [CAUSE_APP_LISTEN] = N_("its application called listen()"),
    [CAUSE_APP_CLOSE] = N_("its application closed the connection"),
    [CAUSE_APP_ABORT] = N_("its application aborted the connection"),
    [CAUSE_RCV_SYN] = N_("it received a SYN"),
    [CAUSE_RCV_SYN_ACK] = N_("it received a SYN-ACK"),
    [CAUSE_RCV_ACK] = N_("it received an ACK"),
    [CAUSE_RCV_FIN] = N_("it received a FIN"),
    [CAUSE_RCV_FIN_ACK] = N_("it received a FIN that also acknowledged its own"),
    [CAUSE_RCV_RST] = N_("it received a RST"),
    [CAUSE_TIMEOUT] = N_("its retransmissions ran out"),
    [CAUSE_TIME_WAIT_DONE] = N_("the 2MSL TIME_WAIT timer expired"),
    [CAUSE_FIN_WAIT_2_DONE] = N_("the FIN_WAIT_2 timer expired"),
    [CAUSE_KEEPALIVE_DEAD] = N_("its keepalive probes went unanswered"),
    [CAUSE_HOST_CRASH] = N_("the host crashed"),
};

/* %s is the host that dropped it (the receiver, or the sender for the
 * wire's reasons). */
static const char *const drop_phrase[DROP_REASON_COUNT] = {
    [DROP_NONE] = N_("The segment was dropped."),
    [DROP_MALFORMED] = N_("The %s could not parse the segment, so it discarded it."),
    [DROP_CHECKSUM] = N_("The %s discarded the segment because its checksum is wrong: it was "
                      "corrupted on the way."),
    [DROP_NO_SOCKET] = N_("No socket at the %s wants this segment, so it was discarded (a RST "
                       "answers it unless it was a RST itself, RFC 9293 3.10.7.1)."),
    [DROP_OUT_OF_WINDOW] = N_("The segment is outside the %s's receive window, so it was discarded "
                           "and answered with an ACK (RFC 9293 3.10.7.4)."),
    [DROP_BAD_ACK] = N_("The segment acknowledges data the %s never sent, so it was discarded "
                     "(RFC 9293 3.10.7.4)."),
    [DROP_RST_IGNORED] = N_("The RST is outside the %s's window, so it was ignored (RFC 5961 3.2)."),
    [DROP_CHALLENGED] = N_("The RST or SYN is in the %s's window but not exact, so it answered with "
                        "a challenge ACK instead (RFC 5961)."),
    [DROP_SYN_QUEUE_FULL] = N_("The %s's SYN queue is full, so the SYN was dropped."),
    [DROP_ACCEPT_QUEUE_FULL] = N_("The %s's accept queue is full, so the final ACK was ignored."),
    [DROP_BAD_COOKIE] = N_("The ACK does not carry a valid SYN cookie, so the %s dropped it."),
    [DROP_NO_ACK] = N_("A segment without the ACK flag means nothing in a synchronized state, so "
                    "the %s dropped it (RFC 9293 3.10.7.4)."),
    [DROP_STATE] = N_("The %s has nothing to do with this segment in its state, so it dropped it."),
    [DROP_HOST_DOWN] = N_("The %s has crashed: nobody was there to receive the segment."),
    [DROP_LOSS] = N_("The segment was lost on the wire (random loss)."),
    [DROP_BURST_LOSS] = N_("The segment was lost on the wire, in a burst of losses."),
    [DROP_QUEUE_FULL] = N_("The segment was dropped because the link's queue was full."),
    [DROP_FAULT] = N_("The segment was dropped by one of the scenario's fault rules."),
    [DROP_USER] = N_("You dropped the segment on its way."),
};

static const char *const retx_phrase[RETX_CAUSE_COUNT] = {
    [RETX_RTO] = N_("its retransmission timer expired"),
    [RETX_FAST] = N_("three duplicate ACKs announced a loss (fast retransmit, RFC 5681 3.2)"),
    [RETX_SACK] = N_("SACK blocks showed a hole (RFC 6675)"),
    [RETX_PROBE] = N_("it probes a peer that shows a zero window"),
    [RETX_RECOVERY] = N_("a partial ACK showed the next hole (NewReno, RFC 6582)"),
    [RETX_DUP_SYN] = N_("the peer sent its SYN again, so the SYN-ACK may have been lost"),
    [RETX_KEEPALIVE] = N_("it probes a peer that has been silent (keepalive)"),
};

static const char *const timer_phrase[TCP_TIMER_COUNT] = {
    [TCP_TIMER_RTO] = N_("retransmission"),
    [TCP_TIMER_PERSIST] = N_("persist"),
    [TCP_TIMER_DELACK] = N_("delayed-ACK"),
    [TCP_TIMER_KEEPALIVE] = N_("keepalive"),
    [TCP_TIMER_TIME_WAIT] = "TIME_WAIT (2MSL)",
    [TCP_TIMER_FIN_WAIT_2] = "FIN_WAIT_2",
};

static const char *const listen_phrase[LISTEN_WHAT_COUNT] = {
    [LISTEN_SYN_QUEUED] = N_("put a half-open connection in its SYN queue"),
    [LISTEN_SYN_DROPPED] = N_("dropped a SYN because its SYN queue is full"),
    [LISTEN_COOKIE_SENT] = N_("answered with a SYN cookie instead of queueing the SYN"),
    [LISTEN_COOKIE_ACCEPTED] = N_("accepted a valid SYN cookie and made the connection"),
    [LISTEN_ACCEPT_QUEUED] = N_("finished a handshake; the connection waits in the accept queue"),
    [LISTEN_ACCEPT_DROPPED] = N_("ignored a final ACK because its accept queue is full"),
    [LISTEN_ACCEPTED] = N_("handed a connection to its application (accept)"),
    [LISTEN_SYN_EXPIRED] = N_("gave up on a half-open connection"),
};

static const char *const cc_cause_phrase[CC_CAUSE_COUNT] = {
    [CC_CAUSE_INIT] = N_("the connection started (initial window, RFC 5681 3.1)"),
    [CC_CAUSE_ACK] = N_("new data was acknowledged"),
    [CC_CAUSE_DUPACK_INFLATE] = N_("a duplicate ACK during fast recovery (inflation)"),
    [CC_CAUSE_FAST_RETRANSMIT] = N_("a loss was detected by duplicate ACKs or SACK"),
    [CC_CAUSE_PARTIAL_ACK] = N_("a partial ACK (deflation, RFC 6582)"),
    [CC_CAUSE_RECOVERY_END] = N_("recovery ended: cwnd = ssthresh"),
    [CC_CAUSE_RTO] = N_("a timeout: cwnd falls to one segment (RFC 5681 3.1)"),
    [CC_CAUSE_IDLE] = N_("an idle period (restart window, RFC 5681 4.1)"),
};

/* The names of the congestion control phases as the trace prints them
 * (tcp_cc_phase_name); Chinese gets its textbook words. */
static const char *const cc_phase_phrase[CC_PHASE_COUNT] = {
    [CC_SLOW_START] = N_("slow-start"),
    [CC_CONGESTION_AVOIDANCE] = N_("congestion-avoidance"),
    [CC_FAST_RECOVERY] = N_("fast-recovery"),
    [CC_AFTER_RTO] = N_("after-rto"),
};

static const char *phrase(enum tv_lang lang, const char *const *table, unsigned n, unsigned i)
{
    return i < n && table[i] ? tv_tr(lang, table[i]) : "?";
}
#define PHRASE(table, i) \
    phrase(ui->lang, table, sizeof table / sizeof table[0], (unsigned)(i))

/* ------------------------------------------------------------------ */
/* Sentences */

/* "The client" for the usual names, else the name itself. */
static void host_subject(const struct ui *ui, unsigned endpoint, char *out, size_t n)
{
    const struct scenario *scn = world_scenario(ui->world);
    char name[SCN_NAME_MAX];
    draw_sanitize(name, sizeof name, export_endpoint_name(scn, endpoint));
    if (!strcmp(name, "client"))
        snprintf(out, n, "%s", tv_tr(ui->lang, "the client"));
    else if (!strcmp(name, "server"))
        snprintf(out, n, "%s", tv_tr(ui->lang, "the server"));
    else if (!strcmp(name, "inject"))
        snprintf(out, n, "%s", tv_tr(ui->lang, "a third party"));
    else
        snprintf(out, n, "%s", name);
}

/* Append to out (size n) at *used, never past the end. */
static void add(char *out, size_t n, size_t *used, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void add(char *out, size_t n, size_t *used, const char *fmt, ...)
{
    if (*used >= n)
        return;
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(out + *used, n - *used, fmt, ap);
    va_end(ap);
    if (k > 0)
        *used = *used + (size_t)k < n ? *used + (size_t)k : n - 1;
}

/* "a" or "an" before a word as it is read aloud: "an ACK", "an RST" (ar-es-tee), "a SYN". */
static bool takes_an(const char *word)
{
    bool vowel = word[0] && strchr("AEIOUaeiou", word[0]) != NULL;
    return vowel || strncmp(word, "RST", 3) == 0;
}

/* "a SYN segment (seq 1000, ack 5001, 10 bytes of data)": the article is
 * part of the msgid, since Chinese has none. */
static void seg_words(const struct ui *ui, const struct tcp_event_seg *s, char *out, size_t n)
{
    char words[40];
    tcp_flags_words(s->flags, words);
    size_t u = 0;
    out[0] = '\0';
    if (!words[0])
        add(out, n, &u, "%s", tv_tr(ui->lang, "a bare segment"));
    else if (takes_an(words))
        add(out, n, &u, tv_tr(ui->lang, "an %s segment"), words);
    else
        add(out, n, &u, tv_tr(ui->lang, "a %s segment"), words);
    add(out, n, &u, tv_tr(ui->lang, " (seq %u"), (unsigned)s->seq);
    if (s->flags & TCP_ACK)
        add(out, n, &u, tv_tr(ui->lang, ", ack %u"), (unsigned)s->ack);
    if (s->len)
        add(out, n, &u, tv_tr(ui->lang, ", %u bytes of data"), (unsigned)s->len);
    add(out, n, &u, "%s", tv_tr(ui->lang, ")"));
}

/* The host at the other end of a segment from `endpoint`'s side. */
static void peer_subject(const struct ui *ui, uint32_t addr, char *out, size_t n)
{
    const struct scenario *scn = world_scenario(ui->world);
    for (unsigned i = 0; scn && i < scn->nhosts; i++)
        if (scn->hosts[i].addr == addr) {
            host_subject(ui, i, out, n);
            return;
        }
    char a[EXPORT_IPV4_LEN];
    export_ipv4(addr, a);
    snprintf(out, n, "%s", a);
}

static void narrate_segment(const struct ui *ui, const struct trace_entry *e, const char *who,
                            char *out, size_t n, size_t *u)
{
    const struct tcp_event_seg *s = &e->ev.u.seg;
    char what[128], peer[48];
    seg_words(ui, s, what, sizeof what);
    switch ((enum tcp_event_kind)e->ev.kind) {
    case EV_SEG_OUT:
        peer_subject(ui, s->dst_addr, peer, sizeof peer);
        add(out, n, u, tv_tr(ui->lang, "%s sent %s to %s."), who, what, peer);
        break;
    case EV_SEG_IN:
        peer_subject(ui, s->src_addr, peer, sizeof peer);
        add(out, n, u, tv_tr(ui->lang, "%s received %s from %s."), who, what, peer);
        break;
    default: {
        /* The wire's reasons are told from the sender's side, the others
         * from the receiver's; the table's %s is that host. */
        const char *fmt = PHRASE(drop_phrase, s->drop);
        char host[48];
        snprintf(host, sizeof host, "%s", who);
        /* English only: "The %s's queue" wants "server", not "the server". */
        if (!strncmp(host, "the ", 4))
            memmove(host, host + 4, strlen(host + 4) + 1);
        const char *slot = strstr(fmt, "%s");
        if (slot)
            add(out, n, u, "%.*s%s%s", (int)(slot - fmt), fmt, host, slot + 2);
        else
            add(out, n, u, "%s", fmt);
        break;
    }
    }
}

/* A user action: a note typed on the ':' line is said as it is (the
 * sandbox's way to write on the screen); anything else is named. */
static void narrate_user(const struct ui *ui, const struct trace_entry *e, char *out, size_t n,
                         size_t *u)
{
    struct world_user_info info;
    size_t i = e->ev.u.user.index;
    if (world_user_action_get(ui->world, i, &info) && !info.is_fate && info.action &&
        info.action->kind == ACT_NOTE && info.action->text) {
        char text[512];
        draw_sanitize(text, sizeof text, info.action->text);
        add(out, n, u, "%s", text);
        return;
    }
    char what[160] = "";
    world_user_describe(ui->world, i, what, sizeof what);
    char clean[160];
    draw_sanitize(clean, sizeof clean, what);
    if (clean[0])
        add(out, n, u, tv_tr(ui->lang, "You changed the run here (%s); everything after this "
                                       "point follows from it."), clean);
    else
        add(out, n, u, "%s", tv_tr(ui->lang, "You changed the run here; everything after this "
                                             "point follows from it."));
}

/* "The client sent 2 SACK blocks.": one sentence per direction and number,
 * so that no language has to build a plural from an "s". */
static void narrate_sack(const struct ui *ui, const struct trace_entry *e, const char *who,
                         char *out, size_t n, size_t *u)
{
    const struct tcp_event *ev = &e->ev;
    const char *dsack = ev->u.sack.dsack
                            ? tv_tr(ui->lang, ", the first one reporting a duplicate (D-SACK)")
                            : "";
    unsigned count = (unsigned)ev->u.sack.count;
    if (ev->u.sack.sent && count == 1)
        add(out, n, u, tv_tr(ui->lang, "%s sent 1 SACK block%s."), who, dsack);
    else if (ev->u.sack.sent)
        add(out, n, u, tv_tr(ui->lang, "%s sent %u SACK blocks%s."), who, count, dsack);
    else if (count == 1)
        add(out, n, u, tv_tr(ui->lang, "%s received 1 SACK block%s."), who, dsack);
    else
        add(out, n, u, tv_tr(ui->lang, "%s received %u SACK blocks%s."), who, count, dsack);
}

static void narrate_other(const struct ui *ui, const struct trace_entry *e, const char *who,
                          char *out, size_t n, size_t *u)
{
    const struct tcp_event *ev = &e->ev;
    switch ((enum tcp_event_kind)ev->kind) {
    case EV_TIMER_SET: {
        uint64_t d = ev->u.timer.deadline > e->t ? ev->u.timer.deadline - e->t : 0;
        add(out, n, u, tv_tr(ui->lang, "%s armed its %s timer: it fires in %.3f s unless stopped "
                                       "first."), who,
            PHRASE(timer_phrase, ev->u.timer.timer), (double)d / 1e6);
        break;
    }
    case EV_TIMER_CANCEL:
        add(out, n, u, tv_tr(ui->lang, "%s stopped its %s timer: what it waited for has happened."),
            who,
            PHRASE(timer_phrase, ev->u.timer.timer));
        break;
    case EV_TIMER_FIRE:
        add(out, n, u, tv_tr(ui->lang, "%s's %s timer expired."), who,
            PHRASE(timer_phrase, ev->u.timer.timer));
        break;
    case EV_RETRANSMIT:
        if (ev->u.retx.cause == RETX_KEEPALIVE) {
            add(out, n, u, tv_tr(ui->lang, "%s sends keepalive probe %u: is the peer still there? "
                                           "(RFC 1122 4.2.3.6; the next in %.0f s)."),
                who, (unsigned)ev->u.retx.attempt, (double)ev->u.retx.rto / 1e6);
            break;
        }
        add(out, n, u, tv_tr(ui->lang, "%s sends sequence number %u again because %s (attempt %u; "
                                       "the timer is now %.3f s)."), who, (unsigned)ev->u.retx.seq,
            PHRASE(retx_phrase, ev->u.retx.cause), (unsigned)ev->u.retx.attempt,
            (double)ev->u.retx.rto / 1e6);
        break;
    case EV_APP:
        add(out, n, u, tv_tr(ui->lang, "%s's application called %s()"), who,
            tcp_app_call_name((enum tcp_app_call)ev->u.app.call));
        if (ev->u.app.result < 0)
            add(out, n, u, tv_tr(ui->lang, ", which failed: %s."),
                tcp_error_name((enum tcp_error)(-(int64_t)ev->u.app.result)));
        else
            add(out, n, u, tv_tr(ui->lang, ", which returned %d."), (int)ev->u.app.result);
        break;
    case EV_ERROR:
        add(out, n, u, tv_tr(ui->lang, "%s's connection reports an error to its application: %s."),
            who,
            tcp_error_name((enum tcp_error)ev->u.error.err));
        break;
    case EV_RTT:
        add(out, n, u, tv_tr(ui->lang, "%s measured a round trip of %.1f ms; now SRTT is %.1f ms "
                                       "and RTTVAR %.1f ms, so RTO = SRTT + 4 RTTVAR = %.1f ms "
                                       "(RFC 6298)."), who,
            (double)ev->u.rtt.sample / 1e3, (double)ev->u.rtt.srtt / 1e3,
            (double)ev->u.rtt.rttvar / 1e3, (double)ev->u.rtt.rto / 1e3);
        break;
    case EV_LISTEN:
        add(out, n, u, tv_tr(ui->lang, "%s's listener %s (SYN queue %u, accept queue %u)."), who,
            PHRASE(listen_phrase, ev->u.listen.what), (unsigned)ev->u.listen.syn_queue,
            (unsigned)ev->u.listen.accept_queue);
        break;
    case EV_CWND:
        add(out, n, u, tv_tr(ui->lang, "%s's congestion window is now %u bytes"), who,
            (unsigned)ev->u.cwnd.cwnd);
        if (ev->u.cwnd.ssthresh != UINT32_MAX)
            add(out, n, u, tv_tr(ui->lang, " (ssthresh %u)"), (unsigned)ev->u.cwnd.ssthresh);
        add(out, n, u, tv_tr(ui->lang, ", in %s, after %s."),
            PHRASE(cc_phase_phrase, ev->u.cwnd.phase), PHRASE(cc_cause_phrase, ev->u.cwnd.cause));
        break;
    case EV_WINDOW:
        add(out, n, u, tv_tr(ui->lang, "%s's windows: it may send up to SND.UNA + SND.WND = %u + "
                                       "%u, has sent up to SND.NXT = %u, and expects RCV.NXT = "
                                       "%u next."), who,
            (unsigned)ev->u.window.snd_una, (unsigned)ev->u.window.snd_wnd,
            (unsigned)ev->u.window.snd_nxt, (unsigned)ev->u.window.rcv_nxt);
        break;
    case EV_DUPACK:
        add(out, n, u, tv_tr(ui->lang, "%s counted duplicate ACK number %u for %u: the other side "
                                       "is still waiting for that byte."), who, (unsigned)ev->u.dupack.count,
            (unsigned)ev->u.dupack.ack);
        break;
    case EV_SACK:
        narrate_sack(ui, e, who, out, n, u);
        break;
    case EV_HOST:
        add(out, n, u, ev->u.host.up ? tv_tr(ui->lang, "%s rebooted: it remembers no connections.")
                                     : tv_tr(ui->lang, "%s crashed: it vanishes without a word."),
            who);
        break;
    case EV_CHECKPOINT:
        add(out, n, u, ev->u.check.passed ? tv_tr(ui->lang, "Checkpoint %u holds.")
                                          : tv_tr(ui->lang, "Checkpoint %u FAILED."),
            (unsigned)ev->u.check.index);
        break;
    case EV_NOTE: {
        struct export_info info;
        export_info_from_world(&info, ui->world, e);
        char text[256];
        draw_sanitize(text, sizeof text, info.text ? info.text : "");
        add(out, n, u, "%s", text);
        break;
    }
    case EV_USER:
        narrate_user(ui, e, out, n, u);
        break;
    default:
        add(out, n, u, "%s: %s.", who, tcp_event_kind_name((enum tcp_event_kind)ev->kind));
        break;
    }
}

static void capitalise(char *s)
{
    if (s[0] >= 'a' && s[0] <= 'z')
        s[0] = (char)(s[0] - 'a' + 'A');
}

void narrate_event(const struct ui *ui, const struct trace_entry *e, char *out, size_t n)
{
    if (!out || n == 0)
        return;
    out[0] = '\0';
    if (!e)
        return;
    char who[48];
    host_subject(ui, e->ev.endpoint, who, sizeof who);
    size_t u = 0;
    const struct tcp_event *ev = &e->ev;
    switch ((enum tcp_event_kind)ev->kind) {
    case EV_STATE: {
        char rfc[64] = "";
        if (ev->u.state.rfc)
            snprintf(rfc, sizeof rfc, tv_tr(ui->lang, " (%s)"), ev->u.state.rfc);
        add(out, n, &u, tv_tr(ui->lang, "%s moved from %s to %s because %s%s."), who,
            tcp_state_name((enum tcp_state)ev->u.state.from),
            tcp_state_name((enum tcp_state)ev->u.state.to),
            PHRASE(state_cause_phrase, ev->u.state.cause), rfc);
        break;
    }
    case EV_SEG_OUT: case EV_SEG_IN: case EV_SEG_DROP:
        narrate_segment(ui, e, who, out, n, &u);
        break;
    default:
        narrate_other(ui, e, who, out, n, &u);
        break;
    }
    capitalise(out);
}

/* The lesson's text as the pane shows it: newlines are its paragraphs,
 * kept; the rest of the control characters go. */
static void clean_paragraphs(char *out, size_t n, const char *raw)
{
    char para[sizeof ((struct ui *)0)->narration];
    snprintf(para, sizeof para, "%s", raw);
    size_t u = 0;
    out[0] = '\0';
    for (char *tok = para, *nl; tok; tok = nl ? nl + 1 : NULL) {
        nl = strchr(tok, '\n');
        if (nl)
            *nl = '\0';
        char clean[sizeof para];
        draw_sanitize(clean, sizeof clean, tok);
        add(out, n, &u, "%s%s", u ? "\n" : "", clean);
    }
}

int narration_text_rows(const char *text, int w)
{
    if (!text || w <= 0)
        return 0;
    char clean[sizeof ((struct ui *)0)->narration + 1];
    clean_paragraphs(clean, sizeof clean, text);
    return draw_wrap_count(clean, w, WRAP_PROSE);
}

static void narration_draw(const struct ui *ui, WINDOW *win, int h, int w)
{
    if (h <= 0 || w <= 0)
        return;
    char text[sizeof ui->narration + 1];
    int first = 0;
    if (ui->narration[0]) {
        clean_paragraphs(text, sizeof text, ui->narration);
        /* The lesson's scroll, kept inside the text (the language or the
         * screen may have changed since it was set). */
        int hidden = draw_wrap_count(text, w, WRAP_PROSE) - h;
        first = ui->narration_scroll > hidden ? hidden : ui->narration_scroll;
        if (first < 0)
            first = 0;
    } else {
        size_t len = world_trace_len(ui->world);
        const struct trace_entry *e =
            len ? &world_trace(ui->world)[ui->cursor < len ? ui->cursor : len - 1] : NULL;
        char raw[sizeof ui->narration];
        narrate_event(ui, e, raw, sizeof raw);
        draw_sanitize(text, sizeof text, raw);
    }
    int used = draw_wrapped(ui, win, 0, 0, h, w, text, first, WRAP_PROSE, ROLE_NORMAL);
    for (int y = used; y < h; y++)
        draw_blank(win, y, 0, w);
}

const struct ui_view ui_view_narration = { N_("narration"), narration_draw };
