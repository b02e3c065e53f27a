/* The sender's SACK scoreboard (RFC 2018, RFC 2883) and the loss-recovery
 * helpers of RFC 6675 (IsLost, SetPipe, NextSeg).
 *
 * The scoreboard is a sorted array of disjoint, non-adjacent ranges of
 * octets the receiver reported holding.  Everything that is not in a range
 * and lies in [snd_una, snd_max) is a "hole".  A few facts keep the RFC 6675
 * routines linear in the number of ranges instead of in the number of
 * octets:
 *
 *  - Every octet of one hole has exactly the same SACKed octets above it,
 *    so IsLost() gives the same answer for the whole hole.
 *  - IsLost() can only turn from true to false going up in sequence space
 *    (less is SACKed above a higher octet), so the first hole that is not
 *    lost ends the search for lost ones.
 *
 * Conventions the engine must follow:
 *  - sb->high_rxt is one past the highest octet retransmitted in the
 *    current recovery (seq + len of the last retransmission); equal to
 *    snd_una when nothing was retransmitted.  RFC 6675 calls the highest
 *    retransmitted octet itself HighRxt, so its "S > HighRxt" becomes
 *    "S >= high_rxt" here, and its "S <= HighRxt" becomes "S < high_rxt".
 *    A value outside [snd_una, snd_max] is read as snd_una.
 *  - `new_data_available` given to sb_next_seg() already accounts for the
 *    peer's receive window (RFC 6675 NextSeg rule 2 asks for both).
 *
 * All sequence comparisons go through tcp/seq.h, so a window that wraps
 * past 2^32 behaves like any other. */
#include "tcp/scoreboard.h"

#include <stdlib.h>
#include <string.h>

#include "util/array.h"

#define SB_INITIAL_CAP 8u

/* ---- small helpers ---------------------------------------------------- */

/* Guards against a zero MSS or DupThresh from a caller: a zero MSS would
 * make every segment empty and a zero DupThresh is meaningless in IsLost. */
static uint32_t usable_mss(uint32_t mss) { return mss ? mss : 1u; }
static unsigned usable_dupthresh(unsigned dupthresh) { return dupthresh ? dupthresh : 1u; }

static uint32_t range_len(const struct sb_range *r) { return r->end - r->start; }

/* How many segments `bytes` SACKed octets stand for.  RFC 6675 counts
 * "discontiguous SACKed sequences" (segments); the scoreboard keeps octets,
 * not segments, so a range of n octets is counted as ceil(n / mss) full
 * segments, as Linux does when it counts SACKed skbs of up to one MSS. */
static uint32_t segments_in(uint32_t bytes, uint32_t mss)
{
    return bytes / mss + (bytes % mss != 0);
}

/* The part of *r inside [lo, hi); false if that part is empty. */
static bool clip_range(const struct sb_range *r, tcp_seq lo, tcp_seq hi, struct sb_range *out)
{
    out->start = seq_max(r->start, lo);
    out->end = seq_min(r->end, hi);
    return seq_lt(out->start, out->end);
}

/* RFC 6675 section 4, IsLost(), given what is SACKed above the octet:
 * DupThresh discontiguous SACKed sequences, or more than
 * (DupThresh - 1) * SMSS SACKed octets. */
static bool lost_given_above(uint32_t bytes_above, uint32_t segs_above, uint32_t mss,
                             unsigned dupthresh)
{
    uint64_t byte_limit = (uint64_t)(dupthresh - 1) * mss;
    return segs_above >= dupthresh || bytes_above > byte_limit;
}

/* HighRxt as this module reads it: see the conventions at the top. */
static tcp_seq effective_high_rxt(const struct tcp_scoreboard *sb, tcp_seq snd_una, tcp_seq snd_max)
{
    if (seq_lt(sb->high_rxt, snd_una) || seq_gt(sb->high_rxt, snd_max))
        return snd_una;
    return sb->high_rxt;
}

/* ---- life cycle --------------------------------------------------------- */

void sb_init(struct tcp_scoreboard *sb)
{
    sb->ranges = NULL;
    sb->count = 0;
    sb->cap = 0;
    sb->high_rxt = 0;
    sb->rescue_rxt = 0;
    sb->rescue_valid = false;
    sb->sacked_bytes = 0;
}

void sb_free(struct tcp_scoreboard *sb)
{
    free(sb->ranges);
    sb_init(sb);
}

/* dst is treated as uninitialised.  On failure it is left empty (and safe
 * to sb_free). */
bool sb_clone(struct tcp_scoreboard *dst, const struct tcp_scoreboard *src)
{
    sb_init(dst);
    if (src->count > 0) {
        dst->ranges = array_dup(src->ranges, src->count, sizeof *dst->ranges);
        if (dst->ranges == NULL)
            return false;
        dst->cap = src->count;
    }
    dst->count = src->count;
    dst->high_rxt = src->high_rxt;
    dst->rescue_rxt = src->rescue_rxt;
    dst->rescue_valid = src->rescue_valid;
    dst->sacked_bytes = src->sacked_bytes;
    return true;
}

/* Forgets every SACKed range and the rescue retransmission.  high_rxt is
 * kept on purpose: it is a real past position at or below snd_max, which
 * sb_update() lifts to snd_una; any constant put here instead (0) could
 * land inside a later window once sequence numbers wrap. */
void sb_reset(struct tcp_scoreboard *sb)
{
    sb->count = 0;
    sb->sacked_bytes = 0;
    sb->rescue_valid = false;
}

/* ---- keeping the ranges ----------------------------------------------- */

static bool ensure_room_for_one(struct tcp_scoreboard *sb)
{
    if (sb->count < sb->cap)
        return true;
    struct sb_range *bigger = array_grow(sb->ranges, &sb->cap, sizeof *bigger, SB_INITIAL_CAP);
    if (bigger == NULL)
        return false;
    sb->ranges = bigger;
    return true;
}

/* Keep only what lies in [snd_una, snd_max): octets below snd_una are
 * cumulatively acknowledged now (RFC 6675 section 5: the scoreboard only
 * describes outstanding data), octets beyond snd_max were never sent. */
static void keep_window(struct tcp_scoreboard *sb, tcp_seq snd_una, tcp_seq snd_max)
{
    size_t kept = 0;
    uint32_t bytes = 0;
    for (size_t i = 0; i < sb->count; i++) {
        struct sb_range clipped;
        if (!clip_range(&sb->ranges[i], snd_una, snd_max, &clipped))
            continue;
        sb->ranges[kept++] = clipped;
        bytes += range_len(&clipped);
    }
    sb->count = kept;
    sb->sacked_bytes = bytes;
}

/* Octets of [l, r) already covered by ranges[first, last). */
static uint32_t covered_bytes(const struct tcp_scoreboard *sb, size_t first, size_t last,
                              tcp_seq l, tcp_seq r)
{
    uint32_t covered = 0;
    for (size_t i = first; i < last; i++) {
        struct sb_range overlap;
        if (clip_range(&sb->ranges[i], l, r, &overlap))
            covered += range_len(&overlap);
    }
    return covered;
}

/* Add [l, r) (non-empty), merging it with every range it overlaps or
 * touches so that ranges stay disjoint and non-adjacent.  Returns how many
 * octets were not SACKed before.  If memory runs out the block is dropped:
 * knowing less SACK information only makes the sender more conservative. */
static uint32_t add_range(struct tcp_scoreboard *sb, tcp_seq l, tcp_seq r)
{
    size_t first = 0;   /* first range that ends at or after l */
    while (first < sb->count && seq_lt(sb->ranges[first].end, l))
        first++;
    size_t last = first; /* one past the last range that starts at or before r */
    while (last < sb->count && seq_le(sb->ranges[last].start, r))
        last++;

    if (first == last) {
        if (!ensure_room_for_one(sb))
            return 0;
        memmove(&sb->ranges[first + 1], &sb->ranges[first],
                (sb->count - first) * sizeof *sb->ranges);
        sb->ranges[first] = (struct sb_range){ .start = l, .end = r };
        sb->count++;
        sb->sacked_bytes += r - l;
        return r - l;
    }

    uint32_t fresh = (r - l) - covered_bytes(sb, first, last, l, r);
    struct sb_range merged = {
        .start = seq_min(l, sb->ranges[first].start),
        .end = seq_max(r, sb->ranges[last - 1].end),
    };
    sb->ranges[first] = merged;
    memmove(&sb->ranges[first + 1], &sb->ranges[last], (sb->count - last) * sizeof *sb->ranges);
    sb->count -= last - first - 1;
    sb->sacked_bytes += fresh;
    return fresh;
}

/* A block worth looking at: non-empty and not beyond what was sent.  A
 * block reaching past snd_max claims data that never left, so it is
 * dropped whole rather than clipped (the receiver, or a middlebox, is
 * confused and nothing in it can be trusted). */
static bool block_is_valid(const struct tcp_sack_block *b, tcp_seq snd_max)
{
    return seq_lt(b->left, b->right) && seq_le(b->right, snd_max);
}

/* RFC 2883 section 5: only the first block can be a D-SACK; it is one when
 * it starts below the cumulative ACK, or lies inside the second block.  A
 * first block that merely repeats already-SACKed data is NOT taken as a
 * D-SACK: plain RFC 2018 receivers (or a duplicated ACK) do that. */
static bool first_block_is_dsack(const struct tcp_sack_block *blocks, unsigned n, tcp_seq snd_una)
{
    const struct tcp_sack_block *first = &blocks[0];
    if (seq_lt(first->left, snd_una))
        return true;
    if (n < 2 || !seq_lt(blocks[1].left, blocks[1].right))
        return false;
    return seq_le(blocks[1].left, first->left) && seq_le(first->right, blocks[1].right);
}

bool sb_update(struct tcp_scoreboard *sb, tcp_seq snd_una, tcp_seq snd_max,
               const struct tcp_sack_block *blocks, unsigned n, bool *dsack)
{
    if (dsack != NULL)
        *dsack = false;
    keep_window(sb, snd_una, snd_max);
    sb->high_rxt = effective_high_rxt(sb, snd_una, snd_max);
    if (blocks == NULL)
        n = 0;

    unsigned start = 0;
    if (n > 0 && block_is_valid(&blocks[0], snd_max) && first_block_is_dsack(blocks, n, snd_una)) {
        if (dsack != NULL)
            *dsack = true;
        start = 1;
    }

    uint32_t fresh = 0;
    for (unsigned i = start; i < n; i++) {
        if (!block_is_valid(&blocks[i], snd_max))
            continue;
        /* A later block reaching below snd_una: only its outstanding part
         * says anything new. */
        tcp_seq l = seq_max(blocks[i].left, snd_una);
        if (seq_lt(l, blocks[i].right))
            fresh += add_range(sb, l, blocks[i].right);
    }
    return fresh > 0;
}

bool sb_is_sacked(const struct tcp_scoreboard *sb, tcp_seq seq)
{
    for (size_t i = 0; i < sb->count; i++)
        if (seq_in_half_open(seq, sb->ranges[i].start, sb->ranges[i].end))
            return true;
    return false;
}

bool sb_is_lost(const struct tcp_scoreboard *sb, tcp_seq seq, uint32_t mss, unsigned dupthresh)
{
    mss = usable_mss(mss);
    dupthresh = usable_dupthresh(dupthresh);
    uint32_t bytes = 0, segs = 0;
    for (size_t i = 0; i < sb->count; i++) {
        /* Only octets with sequence numbers greater than seq count. */
        struct sb_range above;
        if (!clip_range(&sb->ranges[i], seq + 1, sb->ranges[i].end, &above))
            continue;
        bytes += range_len(&above);
        segs += segments_in(range_len(&above), mss);
    }
    return lost_given_above(bytes, segs, mss, dupthresh);
}

/* ---- walking the holes ------------------------------------------------ */

/* One hole of [snd_una, snd_max) with what RFC 6675 needs to know of it. */
struct sb_hole {
    tcp_seq start, end;
    bool lost;        /* IsLost() of every octet in it */
    bool below_sack;  /* some SACKed octet lies above it (RFC 6675 NextSeg 1.b, 3.b) */
};

struct hole_walk {
    const struct tcp_scoreboard *sb;
    tcp_seq snd_una, snd_max;
    uint32_t mss;
    unsigned dupthresh;
    size_t next;          /* next range to look at */
    tcp_seq pos;          /* where the next hole begins */
    uint32_t bytes_above; /* SACKed octets in ranges[next..] */
    uint32_t segs_above;  /* the same, counted as segments */
    bool done;
};

static void walk_begin(struct hole_walk *w, const struct tcp_scoreboard *sb, tcp_seq snd_una,
                       tcp_seq snd_max, uint32_t mss, unsigned dupthresh)
{
    *w = (struct hole_walk){
        .sb = sb, .snd_una = snd_una, .snd_max = snd_max, .pos = snd_una,
        .mss = usable_mss(mss), .dupthresh = usable_dupthresh(dupthresh),
    };
    /* Ranges are clipped to the window every time they are read, so a
     * caller that skipped an sb_update() still gets a consistent view. */
    for (size_t i = 0; i < sb->count; i++) {
        struct sb_range r;
        if (clip_range(&sb->ranges[i], snd_una, snd_max, &r)) {
            w->bytes_above += range_len(&r);
            w->segs_above += segments_in(range_len(&r), w->mss);
        }
    }
}

/* The next non-empty hole, lowest first; false when there is none left. */
static bool walk_next(struct hole_walk *w, struct sb_hole *h)
{
    while (w->next < w->sb->count) {
        struct sb_range r;
        /* Clipped exactly as in walk_begin(), so the sums stay exact. */
        if (!clip_range(&w->sb->ranges[w->next++], w->snd_una, w->snd_max, &r))
            continue;
        *h = (struct sb_hole){
            .start = w->pos, .end = r.start, .below_sack = true,
            .lost = lost_given_above(w->bytes_above, w->segs_above, w->mss, w->dupthresh),
        };
        w->pos = seq_max(w->pos, r.end);
        w->bytes_above -= range_len(&r);
        w->segs_above -= segments_in(range_len(&r), w->mss);
        if (seq_lt(h->start, h->end))
            return true;
    }
    /* The tail above the highest SACK: nothing is SACKed above it. */
    if (w->done || !seq_lt(w->pos, w->snd_max))
        return false;
    *h = (struct sb_hole){ .start = w->pos, .end = w->snd_max, .lost = false, .below_sack = false };
    w->done = true;
    return true;
}

/* ---- RFC 6675 SetPipe and NextSeg --------------------------------------- */

uint32_t sb_pipe(const struct tcp_scoreboard *sb, tcp_seq snd_una, tcp_seq snd_max,
                 uint32_t mss, unsigned dupthresh)
{
    tcp_seq high_rxt = effective_high_rxt(sb, snd_una, snd_max);
    struct hole_walk w;
    struct sb_hole h;
    uint32_t pipe = 0;
    walk_begin(&w, sb, snd_una, snd_max, mss, dupthresh);
    while (walk_next(&w, &h)) {
        /* RFC 6675 section 4, SetPipe (a): an octet not deemed lost is
         * presumably still in the network. */
        if (!h.lost)
            pipe += h.end - h.start;
        /* SetPipe (b): a retransmitted octet is in the network once more. */
        if (seq_lt(h.start, high_rxt))
            pipe += seq_min(h.end, high_rxt) - h.start;
    }
    return pipe;
}

static void give_range(tcp_seq start, tcp_seq hole_end, uint32_t mss, tcp_seq *seq, uint32_t *len)
{
    uint32_t room = hole_end - start;
    *seq = start;
    *len = room < mss ? room : mss;
}

bool sb_next_seg(const struct tcp_scoreboard *sb, tcp_seq snd_una, tcp_seq snd_max,
                 uint32_t mss, unsigned dupthresh, uint32_t new_data_available,
                 tcp_seq *seq, uint32_t *len, bool *is_new)
{
    mss = usable_mss(mss);
    tcp_seq high_rxt = effective_high_rxt(sb, snd_una, snd_max);
    *is_new = false;
    *len = 0;
    *seq = snd_max;

    /* The lowest unSACKed octet at or above high_rxt that still has SACKed
     * data above it (RFC 6675 NextSeg 1.a/1.b and 3.a/3.b).  IsLost() only
     * weakens going up, so if this one is not lost, none above it is. */
    struct hole_walk w;
    struct sb_hole h;
    bool found = false;
    tcp_seq candidate = 0, hole_end = 0;
    bool candidate_lost = false;
    walk_begin(&w, sb, snd_una, snd_max, mss, dupthresh);
    while (!found && walk_next(&w, &h) && h.below_sack) {
        candidate = seq_max(h.start, high_rxt);
        if (seq_lt(candidate, h.end)) {
            found = true;
            hole_end = h.end;
            candidate_lost = h.lost;
        }
    }

    /* Rule 1: retransmit the first lost octet not yet retransmitted. */
    if (found && candidate_lost) {
        give_range(candidate, hole_end, mss, seq, len);
        return true;
    }
    /* Rule 2: otherwise new data, if the application and the peer's window
     * allow it. */
    if (new_data_available > 0) {
        *seq = snd_max;
        *len = new_data_available < mss ? new_data_available : mss;
        *is_new = true;
        return true;
    }
    /* Rule 3: otherwise an unSACKed octet that is not yet deemed lost.
     * Rule 4 (rescue retransmission) is not implemented. */
    if (found) {
        give_range(candidate, hole_end, mss, seq, len);
        return true;
    }
    return false;
}
