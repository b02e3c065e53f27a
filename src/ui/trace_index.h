/* An index of the segments in the world's trace, for the views.
 *
 * For every packet sent (EV_SEG_OUT) it keeps the send event's time,
 * sender and fields, and what became of the packet: its arrival at the
 * receiver (EV_SEG_IN), or its death (EV_SEG_DROP on the wire or at the
 * receiver).  Every fact remembers the trace index of the event that told
 * it, so one index answers for any cursor: a fact from after the cursor is
 * simply not known yet there, and the packet is still in flight.
 *
 * The index follows the trace incrementally: trace_index_sync() reads only
 * the events added since the last call.  Seeking cuts the world's trace
 * back and replays it identically, which changes nothing here; a fork (a
 * user action) rewrites the trace from some point on, which the index
 * notices by a fingerprint of each event and undoes back to that point.
 * Undoing is cheap because every fact is logged in trace order.
 *
 * The index does not depend on curses, so the tests use it directly. */
#ifndef TCPVIZ_UI_TRACE_INDEX_H
#define TCPVIZ_UI_TRACE_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/world.h"
#include "tcp/event.h"

/* "No such event" for the trace-index fields below. */
#define TI_NONE SIZE_MAX

/* One packet as sent, and what the trace says happened to it. */
struct ti_seg {
    uint32_t packet;          /* the world's packet id (world_packet) */
    int from, to;             /* host indexes; from -1: forged by the scenario,
                               * to -1: addressed to no host (it goes nowhere) */
    uint32_t conn;            /* the sender's connection id */
    size_t out_index;         /* trace index of its EV_SEG_OUT */
    uint64_t t_out;
    struct tcp_event_seg seg; /* its fields as sent */
    size_t retx_index;        /* the EV_RETRANSMIT that sent it again, TI_NONE if first */
    uint8_t retx_cause;       /* enum tcp_retx_cause when retx_index != TI_NONE */
    uint32_t retx_attempt;
    size_t in_index;          /* first arrival (EV_SEG_IN), TI_NONE if none */
    uint64_t t_in;
    size_t drop_index;        /* its death (EV_SEG_DROP), TI_NONE if none */
    uint64_t t_drop;
    uint8_t drop;             /* enum tcp_drop_reason */
    bool drop_on_wire;        /* died between the hosts (loss, queue, fault, user) */
    uint32_t copy;            /* id of the corrupted copy that arrived instead, or UINT32_MAX */
    uint32_t dups;            /* later arrivals of the same packet (duplicates) */
};

/* What is known of a packet at a cursor. */
enum ti_fate {
    TI_UNSENT = 0,    /* not sent yet */
    TI_IN_FLIGHT,     /* on its way */
    TI_ARRIVED,       /* taken in by the receiver */
    TI_DROPPED,       /* discarded on the wire or by the receiver */
    TI_NOWHERE,       /* sent to an address no host has */
};

struct ti_fate_at {
    enum ti_fate fate;
    uint64_t t;               /* when it arrived or died */
    uint8_t drop;             /* TI_DROPPED: enum tcp_drop_reason */
    bool on_wire;             /* TI_DROPPED: between the hosts, else at the receiver */
    bool corrupted;           /* what arrived (or was dropped) was a corrupted copy */
};

struct trace_index;

struct trace_index *trace_index_new(void);
void trace_index_free(struct trace_index *ti);

/* Bring the index up to date with the world's trace: index the events it
 * has not seen, after undoing what a fork rewrote.  Returns false when
 * out of memory (the index then stops at the last event it could hold). */
bool trace_index_sync(struct trace_index *ti, const struct world *w);
/* Forget everything learnt from trace events n and later. */
void trace_index_truncate(struct trace_index *ti, size_t n);
/* Trace events indexed so far. */
size_t trace_index_events(const struct trace_index *ti);

/* Segments indexed, in the order they were sent. */
size_t trace_index_count(const struct trace_index *ti);
/* Segments sent at or before trace event `cursor`. */
size_t trace_index_count_upto(const struct trace_index *ti, size_t cursor);
/* Segment number k (0-based, in send order); NULL when out of range. */
const struct ti_seg *trace_index_seg(const struct trace_index *ti, size_t k);
/* The segment number of a packet id (a corrupted copy's id finds its
 * original); -1 if the packet is not indexed. */
int64_t trace_index_find(const struct trace_index *ti, uint32_t packet);

/* What is known of s at trace event `cursor`. */
struct ti_fate_at trace_index_fate(const struct ti_seg *s, size_t cursor);
/* When s arrives (or arrived): the arrival if the index knows it (even
 * past a cursor), else the send time plus the link's delay and
 * serialisation time from the scenario.  Never before t_out + 1. */
uint64_t trace_index_arrival(const struct ti_seg *s, const struct scenario *scn);
/* Per mille of the way travelled at time now (0..1000). */
unsigned trace_index_progress(const struct ti_seg *s, const struct scenario *scn, uint64_t now);

/* Segments sent from a to b plus b to a. */
uint32_t trace_index_talk(const struct trace_index *ti, int a, int b);

/* The connection a view describes for a host at the world's current
 * moment (view_kit's choice: the app's connection, else the newest live
 * one, else the listener).  NULL if none or the host is down. */
const struct tcb *trace_index_host_tcb(const struct world *w, int host);

/* For a view: the ui's own index (ui->trace_index) brought up to date with
 * its world, or, when the ui has none, a temporary one built for this frame
 * (*temporary set; hand it back with trace_index_done).  NULL when out of
 * memory. */
struct ui;
struct trace_index *trace_index_for_ui(const struct ui *ui, bool *temporary);
void trace_index_done(struct trace_index *ti, bool temporary);

#endif
