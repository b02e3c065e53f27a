/* The TCP engine of one host: its sockets, listeners and connections.
 *
 * Sans-I/O: the stack never reads a clock, sleeps or does I/O.  The caller
 * hands it packets and the current time (virtual µs, never decreasing) and
 * it answers through two callbacks: emit() for each packet to send and
 * observe() for each observation event.  It keeps no global state; all
 * randomness (ISNs, the SYN-cookie secret) comes from the random32 callback.
 *
 * Sockets are small integer handles (>= 1).  A listening socket's
 * connections get their own handles when they enter the SYN queue; accept()
 * hands them to the app. */
#ifndef TCPVIZ_TCP_STACK_H
#define TCPVIZ_TCP_STACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tcp/settings.h"
#include "tcp/event.h"
#include "tcp/state.h"

struct tcp_stack;
struct tcb;
struct tcp_segment;

struct tcp_stack_ops {
    /* A packet to send.  conn is the sending connection's id (0 for a RST
     * from the stack itself).  The engine does not report EV_SEG_OUT: the
     * caller, which owns the wire, records it with the packet's fate.
     * seg is the segment pkt was encoded from: its header fields and its
     * options are those a decode of pkt gives (the stack never asks for
     * more SACK blocks than fit, the only option tcp_segment_encode could
     * leave out), so a caller that wants them need
     * not parse the packet it was just handed (whose bytes, just written,
     * are slow to read back).  Its payload points at the stack's send
     * buffer, not into pkt; neither outlives the call. */
    void (*emit)(void *ctx, uint32_t conn, const uint8_t *pkt, size_t len,
                 const struct tcp_segment *seg);
    void (*observe)(void *ctx, const struct tcp_event *ev);
    uint32_t (*random32)(void *ctx);
    /* Optional: memory for at least len bytes to build the next packet in,
     * or NULL for the stack's own buffer.  The packet built there is the
     * pkt of the emit() call that follows, so a caller that keeps the
     * packets it is handed can keep that memory instead of a copy.  If the
     * packet cannot be built, emit() is not called and the memory stays
     * the caller's. */
    uint8_t *(*packet_buffer)(void *ctx, size_t len);
    /* Optional: the event kinds observe() is given, bit k for enum
     * tcp_event_kind k; 0 = every kind.  Events of the other kinds are
     * only counted (tcp_stack_unobserved), which saves a caller that
     * looks at a few kinds a call for each of the rest. */
    uint32_t observed;
};

struct tcp_stack *tcp_stack_new(uint32_t addr, const struct tcp_config *defaults,
                                const struct tcp_stack_ops *ops, void *ctx);
void tcp_stack_free(struct tcp_stack *st);
/* A deep copy (for the world's snapshots) answering to new callbacks' ctx. */
struct tcp_stack *tcp_stack_clone(const struct tcp_stack *st, void *ctx);

/* A packet arrived from the network at time now.  The stack reports
 * EV_SEG_IN once it has found the connection, or EV_SEG_DROP with why. */
void tcp_stack_input(struct tcp_stack *st, uint64_t now, const uint8_t *pkt, size_t len);
/* Fire every timer due at or before now. */
void tcp_stack_advance(struct tcp_stack *st, uint64_t now);
/* Earliest armed timer of any connection, TCP_TIME_NEVER if none. */
uint64_t tcp_stack_next_deadline(const struct tcp_stack *st);

/* Sockets.  Calls return 0 (or a byte count / handle) on success and
 * -enum tcp_error on failure; each call is also reported as EV_APP. */
int tcp_socket(struct tcp_stack *st);
int tcp_set_config(struct tcp_stack *st, int sock, const struct tcp_config *cfg);
const struct tcp_config *tcp_get_config(const struct tcp_stack *st, int sock);
int tcp_bind(struct tcp_stack *st, int sock, uint16_t port, uint64_t now);
int tcp_listen(struct tcp_stack *st, int sock, unsigned backlog, uint64_t now);
int tcp_connect(struct tcp_stack *st, int sock, uint32_t addr, uint16_t port, uint64_t now);
int tcp_accept(struct tcp_stack *st, int sock, uint64_t now);
long tcp_send(struct tcp_stack *st, int sock, const uint8_t *data, size_t len, uint64_t now);
/* tcp_send with the bytes the send buffer takes going in through
 * copy(ctx, dst, src, size), once per piece of the buffer they land in;
 * copy must copy like memcpy and may look at the bytes on the way (the
 * world digests what its app writes in that same pass).  Same result,
 * same events. */
typedef void (*tcp_copy_fn)(void *ctx, uint8_t *dst, const uint8_t *src, size_t size);
long tcp_send_with(struct tcp_stack *st, int sock, const uint8_t *data, size_t len,
                   tcp_copy_fn copy, void *ctx, uint64_t now);
long tcp_recv(struct tcp_stack *st, int sock, uint8_t *buf, size_t cap, uint64_t now);
/* tcp_recv without the copy: the bytes read are handed to take(ctx, piece,
 * size) where they lie in the receive buffer (one piece, or two when they
 * wrap), before they are consumed and before the call's events.  Same
 * result, same events.  For a reader that only looks at the bytes (the
 * world digests them): reading 100 MB then costs no extra pass over memory. */
typedef void (*tcp_recv_take_fn)(void *ctx, const uint8_t *piece, size_t size);
long tcp_recv_in_place(struct tcp_stack *st, int sock, size_t cap, tcp_recv_take_fn take,
                       void *ctx, uint64_t now);
int tcp_shutdown(struct tcp_stack *st, int sock, uint64_t now); /* half-close: SHUT_WR */
int tcp_close(struct tcp_stack *st, int sock, uint64_t now);
int tcp_abort(struct tcp_stack *st, int sock, uint64_t now);
/* Release a handle whose connection is CLOSED (the app is done with it). */
void tcp_release(struct tcp_stack *st, int sock);

/* Read-only views, for the world, the UI and the tests. */
enum tcp_state tcp_sock_state(const struct tcp_stack *st, int sock);
const struct tcb *tcp_sock_tcb(const struct tcp_stack *st, int sock);
enum tcp_error tcp_sock_error(const struct tcp_stack *st, int sock);
size_t tcp_sock_readable(const struct tcp_stack *st, int sock); /* bytes the app can read */
bool tcp_sock_eof(const struct tcp_stack *st, int sock);        /* peer's FIN reached the app */
uint32_t tcp_sock_conn_id(const struct tcp_stack *st, int sock);
int tcp_sock_max(const struct tcp_stack *st);                   /* handles are 1..max */

struct tcp_listen_stats {
    uint32_t syn_queue, syn_queue_max;
    uint32_t accept_queue, accept_queue_max;
    uint32_t syn_dropped, accept_dropped, cookies_sent, cookies_accepted;
};
int tcp_listen_stats(const struct tcp_stack *st, int sock, struct tcp_listen_stats *out);

/* Stack-wide counters. */
struct tcp_stack_stats {
    uint32_t segs_in, segs_out, retransmits, rst_sent;
    uint32_t drops[DROP_REASON_COUNT];
};
const struct tcp_stack_stats *tcp_stack_stats(const struct tcp_stack *st);
/* Events not handed to observe() (tcp_stack_ops.observed) so far. */
uint64_t tcp_stack_unobserved(const struct tcp_stack *st);

#endif
