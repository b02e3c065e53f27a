/* The receiver's out-of-order queue and the SACK blocks it reports.
 *
 * Segments that arrive beyond RCV.NXT are kept here until the gap before
 * them fills; then they join the receive buffer in order.  Their bytes
 * wait in the receive buffer's free space, where they will belong (ring
 * "ahead" bytes, see buffer.h), so filling the gap moves no byte; only
 * when a segment lies beyond that space (the buffer was made smaller than
 * the window offered) does the queue copy its bytes into blocks of its
 * own, until it is empty again.  The queue also remembers which blocks arrived most recently, so
 * the SACK option can list them in the order RFC 2018 section 4 asks, and
 * a duplicate to report with D-SACK (RFC 2883). */
#ifndef TCPVIZ_TCP_REASM_H
#define TCPVIZ_TCP_REASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tcp/buffer.h"
#include "tcp/segment.h"
#include "tcp/seq.h"

struct reasm_block {
    tcp_seq start, end;       /* [start, end) */
    uint8_t *data;            /* end - start bytes; NULL while in the ring */
    uint32_t room;            /* bytes data can hold, at least end - start */
    uint64_t last_touched;    /* insertion counter: larger = more recent */
};

struct tcp_reasm {
    struct reasm_block *blocks; /* sorted by start, disjoint, not adjacent */
    size_t count, cap;
    size_t bytes;             /* total bytes held */
    uint64_t counter;         /* for last_touched */
    bool dsack_pending;       /* a duplicate to report in the next ACK */
    tcp_seq dsack_start, dsack_end;
    /* The blocks' bytes are in the receive ring, `start - RCV.NXT` bytes
     * past its tail (data NULL); else each block owns a copy. */
    bool in_ring;
};

void reasm_init(struct tcp_reasm *r);
void reasm_free(struct tcp_reasm *r);
bool reasm_clone(struct tcp_reasm *dst, const struct tcp_reasm *src);

/* Keep [seq, seq+len) which lies at or beyond rcv_nxt, trimmed to end at
 * `limit` (the right edge of the receive window).  Overlaps with held
 * blocks merge.  Bytes already held count as duplicates: if any, and
 * `note_dsack`, they are remembered for D-SACK.  Returns the number of new
 * bytes stored (0 if all were already held or out of window), or -1 when
 * memory runs out. */
long reasm_insert(struct tcp_reasm *r, tcp_seq rcv_nxt, tcp_seq seq, const uint8_t *data,
                  uint32_t len, tcp_seq limit, bool note_dsack);
/* The same for the receive buffer `ring`, whose tail is at rcv_nxt: the
 * bytes go into its free space when they fit there. */
long reasm_insert_into(struct tcp_reasm *r, struct byte_ring *ring, tcp_seq rcv_nxt,
                       tcp_seq seq, const uint8_t *data, uint32_t len, tcp_seq limit,
                       bool note_dsack);
/* Copy the bytes held in ring into blocks of the queue's own (before the
 * ring is resized); false when memory runs out (nothing changed then). */
bool reasm_leave_ring(struct tcp_reasm *r, struct byte_ring *ring, tcp_seq rcv_nxt);

/* Remember a duplicate below RCV.NXT (data we already delivered) for
 * D-SACK (RFC 2883 4.1: the first block reports it). */
void reasm_note_duplicate(struct tcp_reasm *r, tcp_seq start, tcp_seq end);

/* Move the block that now starts at rcv_nxt (if any) into ring, as much as
 * fits.  Returns bytes moved; the caller advances RCV.NXT by that much.
 * Blocks wholly below rcv_nxt are discarded. */
uint32_t reasm_drain(struct tcp_reasm *r, tcp_seq rcv_nxt, struct byte_ring *ring);

/* The SACK blocks for our next ACK (RFC 2018 section 4): a pending D-SACK
 * block first (RFC 2883), then the block holding the most recently
 * received segment, then the others most recent first; at most max.
 * Sets *dsack when the first block is a D-SACK block.  Clears the pending
 * D-SACK (it is reported once). */
unsigned reasm_sack_blocks(struct tcp_reasm *r, struct tcp_sack_block *out, unsigned max,
                           bool *dsack);

static inline bool reasm_empty(const struct tcp_reasm *r) { return r->count == 0; }

#endif
