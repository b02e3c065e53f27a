/* Printable names for the engine's enums.  These strings appear in traces,
 * JSON output and golden files, so they are part of the interface: change
 * one and the golden files change with it. */
#include <ctype.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "tcp/event.h"
#include "tcp/state.h"
#include "tcp/timer.h"

#define NAME_OR(table, i, n) ((unsigned)(i) < (n) ? (table)[i] : "?")
#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

static const char *const state_names[TCP_STATE_COUNT] = {
    "CLOSED", "LISTEN", "SYN_SENT", "SYN_RECEIVED", "ESTABLISHED",
    "FIN_WAIT_1", "FIN_WAIT_2", "CLOSE_WAIT", "CLOSING", "LAST_ACK", "TIME_WAIT",
};

const char *tcp_state_name(enum tcp_state s) { return NAME_OR(state_names, s, TCP_STATE_COUNT); }

/* Compare ignoring case and treating '-' like '_', so "syn-sent" works. */
static int name_equal(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char ca = (char)toupper((unsigned char)*a), cb = (char)toupper((unsigned char)*b);
        if (ca == '-') ca = '_';
        if (cb == '-') cb = '_';
        if (ca != cb) return 0;
    }
    return *a == *b;
}

static int index_of(const char *const *table, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (table[i] && name_equal(table[i], name)) return (int)i;
    return -1;
}

int tcp_state_from_name(const char *name) { return index_of(state_names, TCP_STATE_COUNT, name); }

static const char *const timer_names[TCP_TIMER_COUNT] = {
    "rto", "persist", "delack", "keepalive", "time-wait", "fin-wait-2",
};

const char *tcp_timer_name(enum tcp_timer t) { return NAME_OR(timer_names, t, TCP_TIMER_COUNT); }
int tcp_timer_from_name(const char *name) { return index_of(timer_names, TCP_TIMER_COUNT, name); }

static const char *const kind_names[EV_KIND_COUNT] = {
    "seg-out", "seg-in", "seg-drop", "state", "timer-set", "timer-cancel", "timer-fire",
    "retransmit", "app", "error", "rtt", "listen", "cwnd", "window", "dupack", "sack",
    "host", "checkpoint", "note", "user",
};
const char *tcp_event_kind_name(enum tcp_event_kind k) { return NAME_OR(kind_names, k, EV_KIND_COUNT); }

static const char *const drop_names[DROP_REASON_COUNT] = {
    "none", "malformed", "checksum", "no-socket", "out-of-window", "bad-ack",
    "rst-ignored", "challenged", "syn-queue-full", "accept-queue-full", "bad-cookie",
    "no-ack", "state", "host-down", "loss", "burst-loss", "queue-full", "fault",
    "user",
};
const char *tcp_drop_reason_name(enum tcp_drop_reason r) { return NAME_OR(drop_names, r, DROP_REASON_COUNT); }

static const char *const cause_names[CAUSE_COUNT] = {
    "app-connect", "app-listen", "app-close", "app-abort", "rcv-syn", "rcv-syn-ack",
    "rcv-ack", "rcv-fin", "rcv-fin-ack", "rcv-rst", "timeout", "time-wait-done",
    "fin-wait-2-done", "keepalive-dead", "host-crash",
};
const char *tcp_state_cause_name(enum tcp_state_cause c) { return NAME_OR(cause_names, c, CAUSE_COUNT); }

static const char *const retx_names[RETX_CAUSE_COUNT] = {
    "rto", "fast", "sack", "probe", "recovery", "dup-syn", "keepalive",
};
const char *tcp_retx_cause_name(enum tcp_retx_cause c) { return NAME_OR(retx_names, c, RETX_CAUSE_COUNT); }

static const char *const app_names[APP_CALL_COUNT] = {
    "listen", "connect", "accept", "send", "recv", "shutdown", "close", "abort", "bind",
};
const char *tcp_app_call_name(enum tcp_app_call c) { return NAME_OR(app_names, c, APP_CALL_COUNT); }

static const char *const error_names[TCP_ERR_COUNT] = {
    "none", "reset", "refused", "timeout", "keepalive", "address-in-use", "invalid",
    "no-buffer", "would-block", "closing", "address-not-available",
};
const char *tcp_error_name(enum tcp_error e) { return NAME_OR(error_names, e, TCP_ERR_COUNT); }

static const char *const listen_names[LISTEN_WHAT_COUNT] = {
    "syn-queued", "syn-dropped", "cookie-sent", "cookie-accepted", "accept-queued",
    "accept-dropped", "accepted", "syn-expired",
};
const char *tcp_listen_what_name(enum tcp_listen_what w) { return NAME_OR(listen_names, w, LISTEN_WHAT_COUNT); }

_Static_assert(COUNT_OF(state_names) == TCP_STATE_COUNT, "state names");
_Static_assert(COUNT_OF(drop_names) == DROP_REASON_COUNT, "drop names");
_Static_assert(COUNT_OF(error_names) == TCP_ERR_COUNT, "error names");
_Static_assert(COUNT_OF(retx_names) == RETX_CAUSE_COUNT, "retransmission causes");
