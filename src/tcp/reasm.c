/* The receiver's out-of-order queue (see reasm.h).
 *
 * The queue is a sorted array of blocks, whose bytes wait in the receive
 * ring's free space (in_ring) or, when they would not fit there, in a copy
 * each block owns.
 * Blocks never touch: two blocks that would be adjacent are one block, so
 * a SACK block built from a queue block always has a hole on each side
 * (RFC 2018 section 3: "the bytes just below the block ... and just above
 * the block ... have not been received").
 *
 * Every sequence comparison goes through the seq.h helpers, so a stream
 * that wraps past 2^32 is handled like any other. */
#include "tcp/reasm.h"

#include <stdlib.h>
#include <string.h>

#include "util/array.h"

/* A segment longer than half the sequence space cannot be compared with
 * the seq.h helpers; no real segment comes near (65535 bytes at most). */
#define REASM_MAX_SEGMENT 0x7fffffffu

/* ---- small helpers ---- */

static uint32_t block_len(const struct reasm_block *b) { return b->end - b->start; }

/* Two half-open ranges share at least one sequence number. */
static bool ranges_overlap(tcp_seq a_start, tcp_seq a_end, tcp_seq b_start, tcp_seq b_end)
{
    return seq_lt(a_start, b_end) && seq_lt(b_start, a_end);
}

static void remember_dsack(struct tcp_reasm *r, tcp_seq start, tcp_seq end)
{
    r->dsack_pending = true;
    r->dsack_start = start;
    r->dsack_end = end;
}

/* Remove blocks [from, from + n) from the array (their data already freed
 * or moved), closing the gap. */
static void remove_block_slots(struct tcp_reasm *r, size_t from, size_t n)
{
    size_t tail = r->count - from - n;
    if (tail)
        memmove(&r->blocks[from], &r->blocks[from + n], tail * sizeof r->blocks[0]);
    r->count -= n;
}

/* Make room for one more block; false when memory runs out (the queue is
 * unchanged then). */
static bool reserve_one_slot(struct tcp_reasm *r)
{
    if (r->count < r->cap)
        return true;
    struct reasm_block *grown = array_grow(r->blocks, &r->cap, sizeof *grown, 8);
    if (!grown)
        return false;
    r->blocks = grown;
    return true;
}

/* Drop the first n bytes of block b (n < its length).  In the ring the
 * rest is already where it belongs. */
static void trim_block_front(struct reasm_block *b, uint32_t n)
{
    if (b->data)
        memmove(b->data, b->data + n, block_len(b) - n);
    b->start += n;
}

/* ---- lifetime ---- */

void reasm_init(struct tcp_reasm *r)
{
    memset(r, 0, sizeof *r);
    r->blocks = NULL;
}

void reasm_free(struct tcp_reasm *r)
{
    for (size_t i = 0; i < r->count; i++)
        free(r->blocks[i].data);
    free(r->blocks);
    reasm_init(r);
}

bool reasm_clone(struct tcp_reasm *dst, const struct tcp_reasm *src)
{
    *dst = *src;
    dst->blocks = NULL;
    dst->count = dst->cap = 0;
    if (src->count == 0)
        return true;
    dst->blocks = malloc(src->count * sizeof *dst->blocks);
    if (!dst->blocks) {
        reasm_init(dst);
        return false;
    }
    dst->cap = src->count;
    for (size_t i = 0; i < src->count; i++) {
        struct reasm_block b = src->blocks[i];
        if (!b.data) { /* in the ring, which ring_clone copies with its bytes ahead */
            dst->blocks[dst->count++] = b;
            continue;
        }
        b.room = block_len(&b);
        b.data = malloc(b.room);
        if (!b.data) {
            reasm_free(dst);
            return false;
        }
        memcpy(b.data, src->blocks[i].data, block_len(&b));
        dst->blocks[dst->count++] = b;
    }
    return true;
}

/* ---- insertion ---- */

/* Index of the first block that ends at or after `seq`: the first one a
 * segment starting at `seq` could overlap or touch.  Binary search: the
 * blocks are sorted and disjoint, so their ends are sorted too. */
static size_t first_block_reaching(const struct tcp_reasm *r, tcp_seq seq)
{
    size_t lo = 0, hi = r->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (seq_lt(r->blocks[mid].end, seq))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Where a segment's new bytes go: the receive ring (ring not NULL), whose
 * tail is at sequence number seq, or a block's buffer that starts at seq. */
struct bytes_dst {
    struct byte_ring *ring;
    uint8_t *buf;
    tcp_seq seq;
};

static void put_bytes(const struct bytes_dst *dst, tcp_seq at, const uint8_t *src, uint32_t n)
{
    if (dst->ring)
        ring_write_ahead(dst->ring, at - dst->seq, src, n);
    else
        memcpy(dst->buf + (at - dst->seq), src, n);
}

/* A segment that touches no held block becomes a block of its own at
 * index `at`, its bytes in ring (whose tail is at rcv_nxt) unless ring is
 * NULL.  Returns the bytes stored or -1 (queue unchanged). */
static long insert_new_block(struct tcp_reasm *r, struct byte_ring *ring, tcp_seq rcv_nxt,
                             size_t at, tcp_seq start, tcp_seq end, const uint8_t *bytes)
{
    uint32_t len = end - start;
    if (!reserve_one_slot(r))
        return -1;
    uint8_t *copy = NULL;
    if (ring) {
        ring_write_ahead(ring, start - rcv_nxt, bytes, len);
    } else {
        copy = malloc(len);
        if (!copy)
            return -1;
        memcpy(copy, bytes, len);
    }
    memmove(&r->blocks[at + 1], &r->blocks[at], (r->count - at) * sizeof r->blocks[0]);
    r->blocks[at] = (struct reasm_block){.start = start, .end = end, .data = copy,
                                         .room = copy ? len : 0, .last_touched = ++r->counter};
    r->count++;
    r->bytes += len;
    return (long)len;
}

/* Bytes of [start, end) already held in blocks [lo, hi).  The first such
 * range is remembered for D-SACK when `note_dsack`: RFC 2883 section 4
 * reports only the first duplicate of a segment (examples 5 and 6 in
 * 4.2.2/4.2.3). */
static uint32_t count_held_bytes(struct tcp_reasm *r, size_t lo, size_t hi, tcp_seq start,
                                 tcp_seq end, bool note_dsack)
{
    uint32_t held = 0;
    for (size_t i = lo; i < hi; i++) {
        const struct reasm_block *b = &r->blocks[i];
        if (!ranges_overlap(start, end, b->start, b->end))
            continue; /* merely adjacent */
        tcp_seq dup_start = seq_max(start, b->start), dup_end = seq_min(end, b->end);
        if (held == 0 && note_dsack)
            remember_dsack(r, dup_start, dup_end);
        held += dup_end - dup_start;
    }
    return held;
}

/* Copy the parts of the segment [start, end) that fall in the holes
 * between blocks [lo, hi) to dst.  Bytes already held are left as they
 * were received first. */
static void copy_segment_into_holes(const struct tcp_reasm *r, size_t lo, size_t hi,
                                    tcp_seq start, tcp_seq end, const uint8_t *bytes,
                                    const struct bytes_dst *dst)
{
    tcp_seq cursor = start;
    for (size_t i = lo; i <= hi && seq_lt(cursor, end); i++) {
        tcp_seq hole_end = i < hi ? seq_min(r->blocks[i].start, end) : end;
        if (seq_lt(cursor, hole_end))
            put_bytes(dst, cursor, bytes + (cursor - start), hole_end - cursor);
        if (i < hi)
            cursor = seq_max(cursor, r->blocks[i].end);
    }
}

/* The room for a block's buffer that must hold `need` bytes: at least
 * twice what it had, so a block that grows a segment at a time (behind a
 * hole, for a whole round trip) is moved O(log n) times instead of once
 * per segment, with a heap growing and shrinking under it each time. */
static uint32_t grown_room(uint32_t room, uint32_t need)
{
    uint32_t doubled = room > UINT32_MAX / 2 ? UINT32_MAX : room * 2;
    return need > doubled ? need : doubled;
}

/* Blocks [lo, hi) become the one block [start, end), the most recent. */
static void join_blocks(struct tcp_reasm *r, size_t lo, size_t hi, tcp_seq start, tcp_seq end,
                        uint8_t *data, uint32_t room)
{
    r->blocks[lo] = (struct reasm_block){
        .start = start, .end = end, .data = data, .room = room, .last_touched = ++r->counter};
    remove_block_slots(r, lo + 1, hi - lo - 1);
}

/* merge_into_blocks in the ring: the bytes of the holes go to their
 * places and the blocks' ranges join; nothing else moves. */
static long merge_in_ring(struct tcp_reasm *r, struct byte_ring *ring, tcp_seq rcv_nxt,
                          size_t lo, size_t hi, tcp_seq start, tcp_seq end,
                          const uint8_t *bytes, bool note_dsack)
{
    tcp_seq merged_start = seq_min(start, r->blocks[lo].start);
    tcp_seq merged_end = seq_max(end, r->blocks[hi - 1].end);
    uint32_t held = count_held_bytes(r, lo, hi, start, end, note_dsack);
    struct bytes_dst dst = {.ring = ring, .seq = rcv_nxt};
    copy_segment_into_holes(r, lo, hi, start, end, bytes, &dst);
    join_blocks(r, lo, hi, merged_start, merged_end, NULL, 0);
    uint32_t added = (end - start) - held;
    r->bytes += added;
    return (long)added;
}

/* The segment [start, end) overlaps or touches blocks [lo, hi) (hi > lo):
 * they all become one block.  When the merged block starts where block lo
 * does (the usual case: a segment extending a block to the right), lo's
 * buffer is reused, grown when it has no room left, instead of copied.
 * Returns the new bytes stored or -1 (queue unchanged). */
static long merge_into_blocks(struct tcp_reasm *r, size_t lo, size_t hi, tcp_seq start,
                              tcp_seq end, const uint8_t *bytes, bool note_dsack)
{
    struct reasm_block *first = &r->blocks[lo];
    tcp_seq merged_start = seq_min(start, first->start);
    tcp_seq merged_end = seq_max(end, r->blocks[hi - 1].end);
    uint32_t merged_len = merged_end - merged_start;
    bool grow_first = merged_start == first->start;

    uint32_t room = merged_len;
    uint8_t *merged;
    if (grow_first && merged_len <= first->room) {
        room = first->room;
        merged = first->data;
    } else if (grow_first) {
        room = grown_room(first->room, merged_len);
        merged = realloc(first->data, room);
    } else {
        merged = malloc(merged_len);
    }
    if (!merged)
        return -1;
    if (grow_first) {
        first->data = merged; /* realloc moved or kept it; lo's bytes are in place */
        first->room = room;
    }

    uint32_t held = count_held_bytes(r, lo, hi, start, end, note_dsack);
    for (size_t i = grow_first ? lo + 1 : lo; i < hi; i++) {
        const struct reasm_block *b = &r->blocks[i];
        memcpy(merged + (b->start - merged_start), b->data, block_len(b));
    }
    struct bytes_dst dst = {.buf = merged, .seq = merged_start};
    copy_segment_into_holes(r, lo, hi, start, end, bytes, &dst);

    for (size_t i = grow_first ? lo + 1 : lo; i < hi; i++)
        free(r->blocks[i].data);
    join_blocks(r, lo, hi, merged_start, merged_end, merged, room);

    uint32_t added = (end - start) - held;
    r->bytes += added;
    return (long)added;
}

/* reasm_insert, the bytes going to ring (tail at rcv_nxt) unless it is
 * NULL. */
static long insert(struct tcp_reasm *r, struct byte_ring *ring, tcp_seq rcv_nxt, tcp_seq seq,
                   const uint8_t *data, uint32_t len, tcp_seq limit, bool note_dsack)
{
    if (len == 0 || len > REASM_MAX_SEGMENT || data == NULL)
        return 0;
    /* RFC 9293 3.10.7.4 (segment text): only the part inside the receive
     * window [RCV.NXT, RCV.NXT + RCV.WND) is kept; bytes below RCV.NXT were
     * delivered already (the caller reports them with
     * reasm_note_duplicate), bytes beyond the window are dropped. */
    tcp_seq start = seq_max(seq, rcv_nxt);
    tcp_seq end = seq_min(seq + len, limit);
    if (seq_ge(start, end))
        return 0;
    const uint8_t *bytes = data + (start - seq);

    /* Blocks [lo, hi) overlap or touch the segment; touching ones merge so
     * that blocks are never adjacent. */
    size_t lo = first_block_reaching(r, start);
    size_t hi = lo;
    while (hi < r->count && seq_le(r->blocks[hi].start, end))
        hi++;
    if (lo == hi)
        return insert_new_block(r, ring, rcv_nxt, lo, start, end, bytes);

    struct reasm_block *b = &r->blocks[lo];
    if (hi == lo + 1 && seq_le(b->start, start) && seq_le(end, b->end)) {
        /* Wholly a duplicate (RFC 2883 4.1.1/4.1.3: its range is the D-SACK
         * block).  It still is the segment that triggers the ACK, so its
         * block is the most recent one (RFC 2018 section 4). */
        if (note_dsack)
            remember_dsack(r, start, end);
        b->last_touched = ++r->counter;
        return 0;
    }
    if (ring)
        return merge_in_ring(r, ring, rcv_nxt, lo, hi, start, end, bytes, note_dsack);
    return merge_into_blocks(r, lo, hi, start, end, bytes, note_dsack);
}

long reasm_insert(struct tcp_reasm *r, tcp_seq rcv_nxt, tcp_seq seq, const uint8_t *data,
                  uint32_t len, tcp_seq limit, bool note_dsack)
{
    return insert(r, NULL, rcv_nxt, seq, data, len, limit, note_dsack);
}

bool reasm_leave_ring(struct tcp_reasm *r, struct byte_ring *ring, tcp_seq rcv_nxt)
{
    if (!r->in_ring)
        return true;
    for (size_t i = 0; i < r->count; i++) {
        struct reasm_block *b = &r->blocks[i];
        b->data = malloc(block_len(b));
        if (!b->data) {
            for (size_t j = 0; j < i; j++) {
                free(r->blocks[j].data);
                r->blocks[j].data = NULL;
            }
            return false;
        }
        b->room = block_len(b);
        ring_peek(ring, ring->len + (b->start - rcv_nxt), b->data, block_len(b));
    }
    r->in_ring = false;
    ring->ahead = 0;
    return true;
}

long reasm_insert_into(struct tcp_reasm *r, struct byte_ring *ring, tcp_seq rcv_nxt,
                       tcp_seq seq, const uint8_t *data, uint32_t len, tcp_seq limit,
                       bool note_dsack)
{
    /* An empty queue starts again in the ring; the kept part of a
     * segment (see insert) beyond the ring's free space moves the queue
     * out of it, for as long as it holds anything. */
    if (r->count == 0)
        r->in_ring = true;
    if (r->in_ring && len > 0 && len <= REASM_MAX_SEGMENT) {
        tcp_seq end = seq_min(seq + len, limit);
        if (seq_gt(end, rcv_nxt) && end - rcv_nxt > ring_space(ring) &&
            !reasm_leave_ring(r, ring, rcv_nxt))
            return -1;
    }
    return insert(r, r->in_ring ? ring : NULL, rcv_nxt, seq, data, len, limit, note_dsack);
}

void reasm_note_duplicate(struct tcp_reasm *r, tcp_seq start, tcp_seq end)
{
    /* An empty or reversed range has nothing to report. */
    if (seq_ge(start, end))
        return;
    remember_dsack(r, start, end);
}

/* ---- delivery ---- */

/* RCV.NXT moved past some held bytes (the caller wrote them to the ring
 * straight from a segment): forget them, they are no longer out of
 * order. */
static void discard_below(struct tcp_reasm *r, tcp_seq rcv_nxt)
{
    size_t gone = 0;
    while (gone < r->count && seq_le(r->blocks[gone].end, rcv_nxt)) {
        r->bytes -= block_len(&r->blocks[gone]);
        free(r->blocks[gone].data);
        gone++;
    }
    remove_block_slots(r, 0, gone);
    if (r->count && seq_lt(r->blocks[0].start, rcv_nxt)) {
        uint32_t stale = rcv_nxt - r->blocks[0].start;
        trim_block_front(&r->blocks[0], stale);
        r->bytes -= stale;
    }
}

/* In the ring, the bytes ahead of the tail are exactly those up to the
 * end of the last block (the tail having moved to rcv_nxt). */
static void sync_ring_ahead(const struct tcp_reasm *r, struct byte_ring *ring, tcp_seq rcv_nxt)
{
    if (r->in_ring)
        ring->ahead = r->count ? r->blocks[r->count - 1].end - rcv_nxt : 0;
}

uint32_t reasm_drain(struct tcp_reasm *r, tcp_seq rcv_nxt, struct byte_ring *ring)
{
    discard_below(r, rcv_nxt);
    if (r->count == 0 || r->blocks[0].start != rcv_nxt) {
        sync_ring_ahead(r, ring, rcv_nxt);
        return 0;
    }
    /* One block is all there is to move: blocks are never adjacent, so the
     * next block starts beyond the end of this one, past the new RCV.NXT. */
    struct reasm_block *b = &r->blocks[0];
    if (!b->data) {
        /* Already in place: it fits, as everything the queue keeps in the
         * ring lies in its free space. */
        uint32_t moved = block_len(b);
        ring_commit_ahead(ring, moved);
        r->bytes -= moved;
        remove_block_slots(r, 0, 1);
        sync_ring_ahead(r, ring, rcv_nxt + moved);
        return moved;
    }
    uint32_t moved = (uint32_t)ring_write(ring, b->data, block_len(b));
    if (moved == 0)
        return 0;
    r->bytes -= moved;
    if (moved == block_len(b)) {
        free(b->data);
        remove_block_slots(r, 0, 1);
    } else {
        trim_block_front(b, moved); /* the ring is full; the rest waits */
    }
    return moved;
}

/* ---- SACK option ---- */

static struct tcp_sack_block sack_of(const struct reasm_block *b)
{
    return (struct tcp_sack_block){.left = b->start, .right = b->end};
}

/* Block b is among out[from, n).  Held blocks are disjoint, so the left
 * edge alone identifies one. */
static bool already_listed(const struct tcp_sack_block *out, unsigned from, unsigned n,
                           const struct reasm_block *b)
{
    for (unsigned i = from; i < n; i++)
        if (out[i].left == b->start)
            return true;
    return false;
}

/* The most recently touched block not in out[from, n), or NULL. */
static const struct reasm_block *most_recent_unlisted(const struct tcp_reasm *r,
                                                      const struct tcp_sack_block *out,
                                                      unsigned from, unsigned n)
{
    const struct reasm_block *best = NULL;
    for (size_t i = 0; i < r->count; i++) {
        const struct reasm_block *b = &r->blocks[i];
        if ((best == NULL || b->last_touched > best->last_touched) &&
            !already_listed(out, from, n, b))
            best = b;
    }
    return best;
}

/* The held block sharing bytes with the pending D-SACK range, or NULL. */
static const struct reasm_block *block_holding_dsack(const struct tcp_reasm *r)
{
    for (size_t i = 0; i < r->count; i++) {
        const struct reasm_block *b = &r->blocks[i];
        if (ranges_overlap(r->dsack_start, r->dsack_end, b->start, b->end))
            return b;
    }
    return NULL;
}

unsigned reasm_sack_blocks(struct tcp_reasm *r, struct tcp_sack_block *out, unsigned max,
                           bool *dsack)
{
    if (dsack)
        *dsack = false;
    if (max == 0 || out == NULL)
        return 0; /* nothing reported, so a pending D-SACK stays pending */

    unsigned n = 0, first_held = 0;
    if (r->dsack_pending) {
        /* RFC 2883 section 4: the first block reports the duplicate; if it
         * is part of a larger block held above RCV.NXT, that block comes
         * second (example 3, 4.1.3; example 6, 4.2.3).  Reported once. */
        out[n++] = (struct tcp_sack_block){.left = r->dsack_start, .right = r->dsack_end};
        first_held = n;
        const struct reasm_block *holder = block_holding_dsack(r);
        if (holder && n < max)
            out[n++] = sack_of(holder);
        r->dsack_pending = false;
        if (dsack)
            *dsack = true;
    }
    /* RFC 2018 section 4: first the block holding the segment that
     * triggered this ACK, then the others, most recent first, none twice. */
    while (n < max) {
        const struct reasm_block *next = most_recent_unlisted(r, out, first_held, n);
        if (!next)
            break;
        out[n++] = sack_of(next);
    }
    return n;
}
