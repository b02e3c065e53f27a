#include "sim/stream_digest.h"

#include <string.h>

#define DIGEST_BASIS 0xcbf29ce484222325ull
#define DIGEST_PRIME 0x100000001b3ull

static uint64_t mix(uint64_t h, uint64_t word)
{
    h ^= word;
    h = (h << 31) | (h >> 33); /* the rotation moves high bits down again */
    return h * DIGEST_PRIME;
}

/* A little-endian 64-bit load.  memcpy compiles to one load; big-endian
 * hosts swap, so the digest is the same everywhere. */
static uint64_t load_le64(const uint8_t *p)
{
    uint64_t w;
    memcpy(&w, p, sizeof w);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    w = __builtin_bswap64(w);
#endif
    return w;
}

/* One 32-byte block: word i goes to lane i.  The four lanes are independent
 * chains, so the multiplications overlap instead of waiting on each other. */
static void mix_block(struct stream_digest *d, const uint8_t *p)
{
    for (unsigned i = 0; i < STREAM_DIGEST_LANES; i++)
        d->lane[i] = mix(d->lane[i], load_le64(p + 8 * i));
}

/* n / 32 whole blocks from p; returns the bytes it consumed.  The lanes
 * live in locals for the whole run: written back through d after every
 * block, they went through memory, because a store to d->lane may alias
 * the uint8_t bytes being read, and the store-to-load delay doubled each
 * lane's chain (this loop sees every byte written and read, twice per
 * transfer). */
_Static_assert(STREAM_DIGEST_LANES == 4, "mix_blocks names each lane");

static size_t mix_blocks(struct stream_digest *d, const uint8_t *p, size_t n)
{
    uint64_t l0 = d->lane[0], l1 = d->lane[1], l2 = d->lane[2], l3 = d->lane[3];
    size_t done = 0;
    for (; n - done >= STREAM_DIGEST_BLOCK; done += STREAM_DIGEST_BLOCK) {
        const uint8_t *b = p + done;
        l0 = mix(l0, load_le64(b));
        l1 = mix(l1, load_le64(b + 8));
        l2 = mix(l2, load_le64(b + 16));
        l3 = mix(l3, load_le64(b + 24));
    }
    d->lane[0] = l0;
    d->lane[1] = l1;
    d->lane[2] = l2;
    d->lane[3] = l3;
    return done;
}

/* mix_blocks, storing each block it reads at dst as well. */
static size_t mix_blocks_copy(struct stream_digest *d, uint8_t *dst, const uint8_t *p, size_t n)
{
    uint64_t l0 = d->lane[0], l1 = d->lane[1], l2 = d->lane[2], l3 = d->lane[3];
    size_t done = 0;
    for (; n - done >= STREAM_DIGEST_BLOCK; done += STREAM_DIGEST_BLOCK) {
        const uint8_t *b = p + done;
        uint64_t w0 = load_le64(b), w1 = load_le64(b + 8);
        uint64_t w2 = load_le64(b + 16), w3 = load_le64(b + 24);
        memcpy(dst + done, b, STREAM_DIGEST_BLOCK);
        l0 = mix(l0, w0);
        l1 = mix(l1, w1);
        l2 = mix(l2, w2);
        l3 = mix(l3, w3);
    }
    d->lane[0] = l0;
    d->lane[1] = l1;
    d->lane[2] = l2;
    d->lane[3] = l3;
    return done;
}

void stream_digest_init(struct stream_digest *d)
{
    for (unsigned i = 0; i < STREAM_DIGEST_LANES; i++)
        d->lane[i] = DIGEST_BASIS + i;
    d->length = 0;
    d->tail_len = 0;
}

void stream_digest_update(struct stream_digest *d, const uint8_t *p, size_t n)
{
    d->length += n;
    if (n == 0)
        return;
    if (d->tail_len) {
        /* First complete a block begun by an earlier update. */
        size_t take = STREAM_DIGEST_BLOCK - d->tail_len;
        if (take > n)
            take = n;
        memcpy(d->tail + d->tail_len, p, take);
        d->tail_len += (unsigned)take;
        p += take;
        n -= take;
        if (d->tail_len < STREAM_DIGEST_BLOCK)
            return; /* all of p went into the unfinished block */
        mix_block(d, d->tail);
        d->tail_len = 0;
    }
    size_t whole = mix_blocks(d, p, n);
    p += whole;
    n -= whole;
    if (n) /* p may be NULL when n is 0 */
        memcpy(d->tail, p, n);
    d->tail_len = (unsigned)n;
}

void stream_digest_copy(struct stream_digest *d, uint8_t *dst, const uint8_t *src, size_t n)
{
    if (n == 0)
        return;
    /* Bytes that complete a block begun earlier, or that stay in the
     * unfinished one, take the usual path; whole blocks are copied as they
     * are mixed. */
    size_t head = d->tail_len ? STREAM_DIGEST_BLOCK - d->tail_len : 0;
    if (head > n)
        head = n;
    memcpy(dst, src, head);
    stream_digest_update(d, src, head);
    size_t whole = mix_blocks_copy(d, dst + head, src + head, n - head);
    d->length += whole;
    size_t rest = n - head - whole;
    memcpy(dst + head + whole, src + head + whole, rest);
    stream_digest_update(d, src + head + whole, rest);
}

uint64_t stream_digest_value(const struct stream_digest *d)
{
    uint64_t h = DIGEST_BASIS;
    for (unsigned i = 0; i < STREAM_DIGEST_LANES; i++)
        h = mix(h, d->lane[i]);
    /* The unfinished block, a word at a time, the last one zero-padded. */
    uint8_t word[8];
    for (unsigned off = 0; off < d->tail_len; off += 8) {
        unsigned len = d->tail_len - off < 8 ? d->tail_len - off : 8;
        memset(word, 0, sizeof word);
        memcpy(word, d->tail + off, len);
        h = mix(h, load_le64(word));
    }
    return mix(h, d->length);
}

uint64_t stream_digest_of(const uint8_t *p, size_t n)
{
    struct stream_digest d;
    stream_digest_init(&d);
    stream_digest_update(&d, p, n);
    return stream_digest_value(&d);
}
