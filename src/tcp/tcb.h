/* The transmission control block and the stack internals shared by the
 * engine's files (input, output, timers, listener).  Nothing outside
 * src/tcp/ includes this except read-only views (the UI reads struct tcb
 * through tcp_sock_tcb()). */
#ifndef TCPVIZ_TCP_TCB_H
#define TCPVIZ_TCP_TCB_H

#include <stdbool.h>
#include <stdint.h>

#include "tcp/buffer.h"
#include "tcp/cc.h"
#include "tcp/reasm.h"
#include "tcp/scoreboard.h"
#include "tcp/settings.h"
#include "tcp/event.h"
#include "tcp/rtt.h"
#include "tcp/segment.h"
#include "tcp/seq.h"
#include "tcp/stack.h"
#include "tcp/state.h"
#include "tcp/timer.h"

/* RFC 9293 3.7.1: without an MSS option, assume 536. */
#define TCP_DEFAULT_PEER_MSS 536u
#define TCP_EPHEMERAL_FIRST 49152u

/* A listening socket's queues (the "two queues" of the SYN-flood lesson). */
struct tcp_listener {
    unsigned accept_max;        /* listen() backlog: accept queue bound */
    int *accept_queue;          /* handles, FIFO */
    unsigned accept_len;
    unsigned syn_len;           /* children in SYN_RECEIVED */
    struct tcp_listen_stats stats;
};

struct tcb {
    uint32_t id;                /* connection id in events */
    int sock;                   /* handle */
    enum tcp_state state;
    struct tcp_config cfg;
    enum tcp_error error;       /* reported to the app once it happened */

    /* The connection's 4-tuple. */
    uint32_t local_addr, remote_addr;
    uint16_t local_port, remote_port;
    bool bound;

    /* Send sequence variables (RFC 9293 3.3.1). */
    tcp_seq iss;
    tcp_seq snd_una;
    tcp_seq snd_nxt;
    tcp_seq snd_max;            /* highest sequence number sent + 1 */
    uint32_t snd_wnd;           /* peer's window, scaled */
    tcp_seq snd_wl1, snd_wl2;
    uint16_t snd_mss;           /* effective send MSS */

    /* Receive sequence variables. */
    tcp_seq irs;
    tcp_seq rcv_nxt;
    uint32_t rcv_wnd;

    /* Negotiated options (RFC 7323, RFC 2018). */
    bool wscale_ok, sack_ok, ts_ok;
    uint8_t snd_wscale, rcv_wscale;
    uint32_t ts_recent;

    /* Data.  The send ring holds bytes from snd_buf_seq on. */
    struct byte_ring sndbuf;
    tcp_seq snd_buf_seq;
    struct byte_ring rcvbuf;

    /* Closing. */
    bool fin_queued;            /* app closed its sending side */
    bool fin_sent;
    tcp_seq fin_seq;            /* sequence number of our FIN */
    bool fin_rcvd;              /* peer's FIN processed (in order) */
    bool app_closed;            /* close(), not just shutdown(): orphaned */
    bool passive;               /* created by a listener */
    bool from_cookie;           /* made from a returning SYN cookie: never in the SYN queue */

    /* Retransmission and RTT (RFC 6298). */
    struct rtt_estimator rtt;
    uint64_t rto_current;       /* RTO in force, after backoff */
    unsigned backoff;           /* consecutive expirations */
    bool rtt_timing;            /* a segment is being timed (Karn) */
    tcp_seq rtt_seq;
    uint64_t rtt_sent_at;

    /* Congestion control (RFC 5681, RFC 6582; cc.h) and loss recovery. */
    struct tcp_cc cc;
    const struct tcp_cc_ops *cc_ops;
    unsigned dupacks;           /* consecutive duplicate ACKs (RFC 5681 2) */
    bool in_recovery;           /* fast recovery (Reno family or RFC 6675) */
    bool sack_recovery;         /* the current recovery is RFC 6675 SACK-based */
    struct tcp_scoreboard sb;   /* what the peer has SACKed */

    /* Receiver side: out-of-order queue, and the right edge we last
     * advertised, which never moves left (RFC 9293 3.8.6.2.2). */
    struct tcp_reasm reasm;
    tcp_seq rcv_adv;

    /* Zero-window probing (RFC 9293 3.8.6.1). */
    unsigned persist_backoff;
    bool probe_unresent;        /* a refused probe byte lies below SND.MAX, not yet re-sent */
    bool partial_ack_seen;      /* this NewReno recovery had a partial ACK (RFC 6582 3.2 step 3) */
    uint32_t max_snd_wnd;       /* largest window the peer offered (SWS, RFC 1122 4.2.3.4) */

    /* A FIN that arrived beyond a gap, processed once the gap fills. */
    bool ooo_fin;
    tcp_seq ooo_fin_seq;

    /* What EV_CWND and EV_WINDOW last reported, so only changes are. */
    uint32_t shown_cwnd, shown_ssthresh;
    uint8_t shown_phase;
    uint32_t shown_snd_una, shown_snd_nxt, shown_snd_wnd, shown_rcv_nxt, shown_rcv_wnd;

    /* Delayed ACK (RFC 1122 4.2.3.2). */
    unsigned unacked_segments;
    bool ack_pending;

    /* Keepalive (RFC 1122 4.2.3.6). */
    uint64_t last_rcv;
    unsigned keepalive_sent;

    uint64_t timer[TCP_TIMER_COUNT];
    uint32_t retransmits;

    /* Listener linkage. */
    int parent;                 /* listening handle of a passive child, 0 if none */
    bool accepted;              /* the app owns it (connect() or accept()) */
    struct tcp_listener *listener; /* only in LISTEN */
};

struct tcp_stack {
    uint32_t addr;
    struct tcp_config defaults;
    struct tcp_stack_ops ops;
    void *ctx;
    struct tcb **socks;         /* indexed by handle; [0] unused */
    int nsocks;                 /* slots used: handles are 1..nsocks-1 */
    int cap;
    uint32_t next_conn_id;
    uint16_t next_ephemeral;
    uint32_t cookie_secret;
    struct tcp_stack_stats stats;
    uint8_t *scratch;           /* TCP_PACKET_MAX bytes for building packets */
    uint64_t now;               /* time of the current call */
    /* The earliest timer of the connections in socks: what
     * tcp_stack_next_deadline answers, asked after every step of the
     * world.  Kept up to date by tcp_stack_timer_moved and by attaching
     * and destroying connections, instead of scanning every timer of
     * every connection at each question. */
    uint64_t next_deadline;
    uint64_t unobserved;        /* events of kinds ops.observed leaves out */
    /* Set only while a SYN that reopens a TIME-WAIT 4-tuple is handed to
     * the listener: the ISS the new connection must take (RFC 9293 3.6.1
     * (1): above every sequence number the old incarnation used). */
    bool reopen_pending;
    tcp_seq reopen_iss;
};

/* stack.c: one of t's timers went from deadline `was` to `is` (only the
 * connections in socks count towards next_deadline). */
void tcp_stack_timer_moved(struct tcp_stack *st, const struct tcb *t, uint64_t was, uint64_t is);
/* stack.c: a connection left socks: find next_deadline again. */
void tcp_stack_rescan_deadline(struct tcp_stack *st);

/* tcb.c: lifetime, events, states, timers. */
struct tcb *tcb_new(struct tcp_stack *st, const struct tcp_config *cfg);
void tcb_destroy(struct tcp_stack *st, struct tcb *t);
struct tcb *tcb_clone(const struct tcb *t);
void tcb_observe(struct tcp_stack *st, const struct tcb *t, struct tcp_event *ev);
void tcb_set_state(struct tcp_stack *st, struct tcb *t, enum tcp_state to,
                   enum tcp_state_cause cause, const char *rfc);
void tcb_timer_set(struct tcp_stack *st, struct tcb *t, enum tcp_timer which, uint64_t deadline);
void tcb_timer_cancel(struct tcp_stack *st, struct tcb *t, enum tcp_timer which);
void tcb_report_error(struct tcp_stack *st, struct tcb *t, enum tcp_error err);
/* The connection is over: CLOSED, timers cancelled; freed at once unless
 * the app still holds its handle. */
void tcb_close(struct tcp_stack *st, struct tcb *t, enum tcp_state_cause cause, const char *rfc);
void tcb_init_sequence(struct tcp_stack *st, struct tcb *t);
bool tcb_app_owns(const struct tcb *t);

/* Report cwnd/ssthresh/phase and the window variables if they changed. */
void tcb_report_cc(struct tcp_stack *st, struct tcb *t, enum tcp_cc_cause cause);
void tcb_report_window(struct tcp_stack *st, struct tcb *t);
/* (Re)start congestion control for the effective MSS (RFC 5681 3.1). */
void tcb_cc_init(struct tcp_stack *st, struct tcb *t);

/* output.c */
void tcp_output(struct tcp_stack *st, struct tcb *t);
uint32_t tcp_transmit(struct tcp_stack *st, struct tcb *t, tcp_seq seq, uint32_t len,
                      enum tcp_retx_cause cause, bool probe);
uint32_t tcp_unsent_bytes(const struct tcb *t);
uint32_t tcp_receive_window(const struct tcb *t);
bool tcp_window_update_due(const struct tcb *t);
void tcp_persist_expired(struct tcp_stack *st, struct tcb *t);
void tcp_send_syn(struct tcp_stack *st, struct tcb *t, bool with_ack);
void tcp_answer_duplicate_syn(struct tcp_stack *st, struct tcb *t);
void tcp_send_ack(struct tcp_stack *st, struct tcb *t);
void tcp_send_rst_for(struct tcp_stack *st, const struct tcp_segment *in);
void tcp_send_rst(struct tcp_stack *st, struct tcb *t);
void tcp_send_keepalive_probe(struct tcp_stack *st, struct tcb *t);
void tcp_retransmit_head(struct tcp_stack *st, struct tcb *t, enum tcp_retx_cause cause);
uint16_t tcp_window_field(struct tcb *t, bool syn);
void tcp_ack_received_data(struct tcp_stack *st, struct tcb *t, bool force_now);
void tcp_arm_rto(struct tcp_stack *st, struct tcb *t);

/* recovery.c: duplicate ACKs, fast retransmit and recovery (RFC 5681,
 * RFC 6582, RFC 6675), and the congestion response to a timeout. */
void tcp_recovery_on_new_ack(struct tcp_stack *st, struct tcb *t, uint32_t acked,
                             uint32_t flight_before);
void tcp_recovery_on_dupack(struct tcp_stack *st, struct tcb *t, tcp_seq ack);
void tcp_recovery_on_rto(struct tcp_stack *st, struct tcb *t);
void tcp_sack_recovery_output(struct tcp_stack *st, struct tcb *t);

/* input.c */
void tcp_input_segment(struct tcp_stack *st, struct tcb *t, const struct tcp_segment *seg);
void tcp_input_syn_sent(struct tcp_stack *st, struct tcb *t, const struct tcp_segment *seg);
void tcb_apply_syn_options(struct tcb *t, const struct tcp_segment *seg);

/* listener.c */
void tcp_listen_input(struct tcp_stack *st, struct tcb *l, const struct tcp_segment *seg);
void tcp_listener_child_established(struct tcp_stack *st, struct tcb *child);
bool tcp_listener_accept_full(const struct tcp_stack *st, const struct tcb *child);
void tcp_listener_accept_dropped(struct tcp_stack *st, const struct tcb *child,
                                 const struct tcp_segment *seg);
void tcp_listener_child_gone(struct tcp_stack *st, struct tcb *child);
struct tcb *tcp_stack_find_listener(const struct tcp_stack *st, uint16_t port);

/* syncookie.c (RFC 4987 3.6; a teaching hash, not cryptographic) */
uint32_t syncookie_make(uint32_t secret, const struct tcp_segment *syn, uint64_t now, uint16_t *mss);
bool syncookie_check(uint32_t secret, const struct tcp_segment *ack, uint64_t now, uint16_t *mss);

/* timers.c */
void tcp_timers_fire(struct tcp_stack *st, struct tcb *t, uint64_t now);

/* stack.c */
void tcp_seg_event(struct tcp_stack *st, const struct tcb *t, const struct tcp_segment *seg,
                   enum tcp_event_kind kind, enum tcp_drop_reason why);
/* Count a discarded segment and report it as EV_SEG_DROP. */
void tcp_drop_segment(struct tcp_stack *st, const struct tcb *t, const struct tcp_segment *seg,
                      enum tcp_drop_reason why);
struct tcb *tcp_stack_tcb(const struct tcp_stack *st, int sock);
int tcp_stack_attach(struct tcp_stack *st, struct tcb *t); /* give it a handle */

#endif
