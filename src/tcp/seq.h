/* Sequence-number arithmetic modulo 2^32 (RFC 9293 section 3.4).
 *
 * Every comparison of sequence numbers in the engine goes through these
 * helpers, so that a connection whose numbers wrap past 2^32 behaves exactly
 * like one that does not. */
#ifndef TCPVIZ_TCP_SEQ_H
#define TCPVIZ_TCP_SEQ_H

#include <stdbool.h>
#include <stdint.h>

typedef uint32_t tcp_seq;

static inline bool seq_lt(tcp_seq a, tcp_seq b) { return (int32_t)(a - b) < 0; }
static inline bool seq_le(tcp_seq a, tcp_seq b) { return (int32_t)(a - b) <= 0; }
static inline bool seq_gt(tcp_seq a, tcp_seq b) { return (int32_t)(a - b) > 0; }
static inline bool seq_ge(tcp_seq a, tcp_seq b) { return (int32_t)(a - b) >= 0; }

/* lo <= x < hi, in sequence space. */
static inline bool seq_in_half_open(tcp_seq x, tcp_seq lo, tcp_seq hi)
{
    return seq_le(lo, x) && seq_lt(x, hi);
}

static inline tcp_seq seq_max(tcp_seq a, tcp_seq b) { return seq_gt(a, b) ? a : b; }
static inline tcp_seq seq_min(tcp_seq a, tcp_seq b) { return seq_lt(a, b) ? a : b; }

#endif
