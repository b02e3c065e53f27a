/* Observation events: the one stream that feeds the UI, the trace printers,
 * the exporters and the tests.  The engine reports everything it does here;
 * the world adds wire-level events (drops on the wire, host crashes, injected
 * segments, checkpoints) using the same struct.
 *
 * An event is a small fixed-size value with no pointers except to static
 * strings, so a trace of a million events is one flat array. */
#ifndef TCPVIZ_TCP_EVENT_H
#define TCPVIZ_TCP_EVENT_H

#include <stdint.h>

#include "tcp/state.h"
#include "tcp/timer.h"

enum tcp_event_kind {
    EV_SEG_OUT = 0,   /* a segment left an endpoint (seg) */
    EV_SEG_IN,        /* a segment arrived at an endpoint and was accepted for processing (seg) */
    EV_SEG_DROP,      /* a segment was discarded (seg + drop reason) */
    EV_STATE,         /* state change (state) */
    EV_TIMER_SET,     /* timer armed or re-armed (timer) */
    EV_TIMER_CANCEL,  /* timer stopped before it fired (timer) */
    EV_TIMER_FIRE,    /* timer expired (timer) */
    EV_RETRANSMIT,    /* a segment is sent again (retx); the EV_SEG_OUT follows */
    EV_APP,           /* an application call and its result (app) */
    EV_ERROR,         /* the connection reports an error to the app (error) */
    EV_RTT,           /* RTT sample and the estimator after it (rtt) */
    EV_LISTEN,        /* listener queue change or refusal (listen) */
    EV_CWND,          /* cwnd / ssthresh / phase change (cwnd) */
    EV_WINDOW,        /* send or receive window variables changed (window) */
    EV_DUPACK,        /* a duplicate ACK was counted (dupack) */
    EV_SACK,          /* SACK blocks sent or received (sack) */
    /* World-level events (never produced by the engine). */
    EV_HOST,          /* host crashed or rebooted (host) */
    EV_CHECKPOINT,    /* a scenario expectation was checked (check) */
    EV_NOTE,          /* free text from the scenario (note) */
    EV_USER,          /* the user changed the run here: a command or a packet's fate (user) */
    EV_KIND_COUNT
};

enum tcp_drop_reason {
    DROP_NONE = 0,
    /* Decided by the receiving engine. */
    DROP_MALFORMED,     /* codec rejected it; seg fields may be zero */
    DROP_CHECKSUM,      /* bad checksum */
    DROP_NO_SOCKET,     /* closed port: answered with RST unless it was a RST */
    DROP_OUT_OF_WINDOW, /* failed the RFC 9293 acceptability test (an ACK may be sent) */
    DROP_BAD_ACK,       /* unacceptable ACK (RST or ACK sent as the RFC says) */
    DROP_RST_IGNORED,   /* RST outside the window (RFC 5961 3.2) */
    DROP_CHALLENGED,    /* RST/SYN in window but not exact: challenge ACK sent (RFC 5961) */
    DROP_SYN_QUEUE_FULL,/* listener's SYN queue full and no cookies */
    DROP_ACCEPT_QUEUE_FULL, /* listener's accept queue full */
    DROP_BAD_COOKIE,    /* ACK to a listener with an invalid SYN cookie */
    DROP_NO_ACK,        /* segment without ACK in a synchronized state */
    DROP_STATE,         /* nothing to do with it in this state */
    DROP_HOST_DOWN,     /* the destination host has crashed */
    /* Decided by the wire. */
    DROP_LOSS,          /* random loss (independent) */
    DROP_BURST_LOSS,    /* random loss in the Gilbert-Elliott bad state */
    DROP_QUEUE_FULL,    /* drop-tail queue overflow */
    DROP_FAULT,         /* a scenario fault rule */
    DROP_USER,          /* the user chose to drop it (world_set_fate) */
    DROP_REASON_COUNT
};

/* u.user.action of an event for world_set_fate (scenario actions use their
 * enum scn_action_kind, which the engine layer does not see). */
#define TCP_USER_FATE 0xFFu

enum tcp_state_cause {
    CAUSE_APP_OPEN = 0,   /* active OPEN (connect) */
    CAUSE_APP_LISTEN,     /* passive OPEN */
    CAUSE_APP_CLOSE,      /* CLOSE / shutdown */
    CAUSE_APP_ABORT,
    CAUSE_RCV_SYN,
    CAUSE_RCV_SYN_ACK,
    CAUSE_RCV_ACK,
    CAUSE_RCV_FIN,
    CAUSE_RCV_FIN_ACK,    /* a FIN that also acknowledges ours */
    CAUSE_RCV_RST,
    CAUSE_TIMEOUT,        /* retransmissions exhausted */
    CAUSE_TIME_WAIT_DONE, /* 2MSL expired */
    CAUSE_FIN_WAIT_2_DONE,
    CAUSE_KEEPALIVE_DEAD, /* keepalive probes unanswered */
    CAUSE_HOST_CRASH,
    CAUSE_COUNT
};

enum tcp_retx_cause {
    RETX_RTO = 0,
    RETX_FAST,      /* third duplicate ACK (issue 3) */
    RETX_SACK,      /* SACK hole (issue 3) */
    RETX_PROBE,     /* zero-window probe (RFC 9293 3.8.6.1), not counted */
    RETX_RECOVERY,  /* NewReno partial ACK (issue 3) */
    RETX_DUP_SYN,   /* SYN-ACK sent again for a duplicate SYN in SYN-RECEIVED */
    RETX_KEEPALIVE, /* keepalive probe (RFC 1122 4.2.3.6), not counted */
    RETX_CAUSE_COUNT
};

enum tcp_app_call {
    APP_LISTEN = 0, APP_CONNECT, APP_ACCEPT, APP_SEND, APP_RECV,
    APP_SHUTDOWN, APP_CLOSE, APP_ABORT, APP_BIND, APP_CALL_COUNT
};

enum tcp_error {
    TCP_OK = 0,
    TCP_ERR_RESET,        /* connection reset by peer */
    TCP_ERR_REFUSED,      /* RST in reply to our SYN */
    TCP_ERR_TIMEOUT,      /* retransmissions exhausted */
    TCP_ERR_KEEPALIVE,    /* peer did not answer keepalive probes */
    TCP_ERR_ADDR_IN_USE,
    TCP_ERR_INVALID,      /* call not valid in this state */
    TCP_ERR_NO_BUFFER,
    TCP_ERR_WOULD_BLOCK,  /* nothing to accept/read now */
    TCP_ERR_CLOSING,      /* connection closing */
    TCP_ERR_ADDR_NOT_AVAIL, /* connect(): the 4-tuple is taken (TIME_WAIT too) */
    TCP_ERR_COUNT
};

enum tcp_listen_what {
    LISTEN_SYN_QUEUED = 0,  /* a SYN entered the SYN queue */
    LISTEN_SYN_DROPPED,     /* SYN queue full: SYN dropped (Linux behaviour) */
    LISTEN_COOKIE_SENT,     /* SYN queue full: answered with a SYN cookie */
    LISTEN_COOKIE_ACCEPTED, /* a valid cookie came back: connection made */
    LISTEN_ACCEPT_QUEUED,   /* handshake done, waiting in the accept queue */
    LISTEN_ACCEPT_DROPPED,  /* accept queue full: final ACK ignored */
    LISTEN_ACCEPTED,        /* the app took it from the accept queue */
    LISTEN_SYN_EXPIRED,     /* half-open connection gave up */
    LISTEN_WHAT_COUNT
};

struct tcp_event_seg {
    uint32_t seq, ack;
    uint32_t len;          /* payload bytes */
    uint16_t win;          /* raw window field */
    uint8_t flags;
    uint8_t opts;          /* TCP_EVOPT_* bits present */
    uint16_t mss;          /* when TCP_EVOPT_MSS */
    uint16_t src_port, dst_port;
    uint32_t src_addr, dst_addr;
    uint32_t packet;       /* index in the world's packet store, set by the world */
    uint8_t drop;          /* enum tcp_drop_reason for EV_SEG_DROP */
};

enum {
    TCP_EVOPT_MSS = 1, TCP_EVOPT_WSCALE = 2, TCP_EVOPT_SACK_OK = 4,
    TCP_EVOPT_SACK = 8, TCP_EVOPT_TS = 16,
};

struct tcp_event {
    uint8_t kind;      /* enum tcp_event_kind */
    uint16_t endpoint; /* set by the world: index of the host */
    uint32_t conn;     /* connection id within its stack; 0 = the stack itself */
    union {
        struct tcp_event_seg seg;
        struct {
            uint8_t from, to, cause; /* tcp_state, tcp_state, tcp_state_cause */
            const char *rfc;         /* "RFC 9293 3.10.7.3" */
        } state;
        struct {
            uint8_t timer;           /* enum tcp_timer */
            uint64_t deadline;       /* absolute, µs */
            uint32_t count;          /* backoff count / probe number */
        } timer;
        struct {
            uint8_t cause;           /* enum tcp_retx_cause */
            uint32_t seq, len;       /* sequence space re-sent (len counts SYN/FIN) */
            uint32_t attempt;        /* 1 for the first retransmission */
            uint64_t rto;            /* the timer value now in force */
        } retx;
        struct {
            uint8_t call;            /* enum tcp_app_call */
            int32_t result;          /* bytes, or -enum tcp_error */
            uint64_t bytes;          /* requested bytes */
        } app;
        struct {
            uint8_t err;             /* enum tcp_error */
        } error;
        struct {
            uint64_t sample, srtt, rttvar, rto;
        } rtt;
        struct {
            uint8_t what;            /* enum tcp_listen_what */
            uint32_t syn_queue, accept_queue; /* lengths after the change */
            uint32_t peer_addr;
            uint16_t peer_port;
        } listen;
        struct {
            uint32_t cwnd, ssthresh; /* bytes */
            uint8_t phase;           /* enum tcp_cc_phase */
            uint8_t cause;           /* enum tcp_cc_cause */
        } cwnd;
        struct {
            uint32_t snd_una, snd_nxt, snd_wnd; /* SND.WND scaled, bytes */
            uint32_t rcv_nxt, rcv_wnd;          /* RCV.WND as advertised, bytes */
        } window;
        struct {
            uint32_t ack;            /* the duplicated SEG.ACK */
            uint32_t count;          /* consecutive duplicates so far */
        } dupack;
        struct {
            uint8_t sent;            /* 1: in a segment we sent; 0: received */
            uint8_t count;           /* blocks */
            uint8_t dsack;           /* the first block reports a duplicate (RFC 2883) */
            struct { uint32_t left, right; } blocks[4];
        } sack;
        struct {
            uint8_t up;              /* 0 crash, 1 reboot */
        } host;
        struct {
            uint32_t index;          /* checkpoint number in the scenario */
            uint8_t passed;
            uint8_t unreached;       /* its trigger never happened: counted as failed */
        } check;
        struct {
            uint32_t index;          /* note number in the scenario */
        } note;
        struct {
            uint32_t index;          /* user action number in the world (world_user_action_count) */
            uint8_t action;          /* enum scn_action_kind, or TCP_USER_FATE */
            uint8_t fate;            /* with TCP_USER_FATE: enum world_fate */
            uint8_t result;          /* an expect: 1 when it held */
            uint32_t packet;         /* a fate: the packet it was for */
            uint64_t value;          /* send/read: bytes; a delay: µs */
        } user;
    } u;
};

const char *tcp_event_kind_name(enum tcp_event_kind k);   /* "seg-out", ... */
const char *tcp_drop_reason_name(enum tcp_drop_reason r); /* "loss", "checksum", ... */
const char *tcp_state_cause_name(enum tcp_state_cause c); /* "rcv-syn", ... */
const char *tcp_retx_cause_name(enum tcp_retx_cause c);   /* "rto", "fast", ... */
const char *tcp_app_call_name(enum tcp_app_call c);       /* "connect", ... */
const char *tcp_error_name(enum tcp_error e);             /* "reset", "timeout", ... */
const char *tcp_listen_what_name(enum tcp_listen_what w);

#endif
