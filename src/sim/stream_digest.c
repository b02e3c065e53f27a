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

/* nblocks whole blocks from p into lane[] (word i of a block to lane i),
 * each block also stored at dst when dst is not NULL (a writer that copies
 * what it digests gets the copy nearly free: the multiplications, not the
 * memory, set the pace).
 *
 * Eight lanes at a time, over all the blocks, then the next eight: the
 * lanes of a group stay in registers, eight independent chains keep the
 * multiplier busy (about 8 bytes a cycle), and the blocks of one call are
 * a packet or a read, still in L1 for the next group.  All 32 lanes
 * through an array, block after block, took a third longer than the
 * four-lane definition this replaced; the locals, unlike d->lane, cannot
 * be changed by the stores to dst, so the compiler need not reload them
 * (round 1 of docs/perf-100mb.md). */
_Static_assert(STREAM_DIGEST_LANES % 8 == 0, "lanes go in groups of eight");

static void mix_blocks_scalar(uint64_t *lane, uint8_t *dst, const uint8_t *p, size_t nblocks)
{
    for (unsigned g = 0; g < STREAM_DIGEST_LANES; g += 8) {
        uint64_t l0 = lane[g], l1 = lane[g + 1], l2 = lane[g + 2], l3 = lane[g + 3];
        uint64_t l4 = lane[g + 4], l5 = lane[g + 5], l6 = lane[g + 6], l7 = lane[g + 7];
        const uint8_t *q = p + 8 * g;
        uint8_t *o = dst ? dst + 8 * g : NULL;
        for (size_t b = 0; b < nblocks; b++, q += STREAM_DIGEST_BLOCK) {
            if (o) { /* each group copies its 64 bytes of the block */
                memcpy(o, q, 64);
                o += STREAM_DIGEST_BLOCK;
            }
            l0 = mix(l0, load_le64(q));
            l1 = mix(l1, load_le64(q + 8));
            l2 = mix(l2, load_le64(q + 16));
            l3 = mix(l3, load_le64(q + 24));
            l4 = mix(l4, load_le64(q + 32));
            l5 = mix(l5, load_le64(q + 40));
            l6 = mix(l6, load_le64(q + 48));
            l7 = mix(l7, load_le64(q + 56));
        }
        lane[g] = l0;
        lane[g + 1] = l1;
        lane[g + 2] = l2;
        lane[g + 3] = l3;
        lane[g + 4] = l4;
        lane[g + 5] = l5;
        lane[g + 6] = l6;
        lane[g + 7] = l7;
    }
}

#if defined(__GNUC__) && defined(__x86_64__)
/* The same with AVX-512 (F for the rotate, DQ for the 64-bit multiply, VL
 * for their 256- and 128-bit forms in fold_avx512), when the CPU has it
 * (use_avx512 asks): eight lanes per register, the 32
 * lanes in four registers that stay there for the whole run, so a block
 * is four loads, xors, rotates and multiplies, and the four chains
 * overlap.  x86 is little-endian, so a vector load gives the words as
 * load_le64 would.  Always inlined with copy a constant, so the digest and
 * the digest-and-copy loops are separate, without the test inside. */
#include <immintrin.h>

#define HAVE_DIGEST_AVX512 1
#define AVX512_TARGET "avx512f,avx512dq,avx512vl"
typedef uint64_t u64x8 __attribute__((vector_size(64)));
_Static_assert(STREAM_DIGEST_LANES == 32, "the AVX-512 loop names four registers of lanes");

__attribute__((target(AVX512_TARGET), always_inline)) static inline u64x8 mix8(u64x8 h,
                                                                                    u64x8 w)
{
    h ^= w;
    h = (h << 31) | (h >> 33); /* vprolq */
    return h * DIGEST_PRIME;   /* vpmullq */
}

__attribute__((target(AVX512_TARGET), always_inline)) static inline void
mix_blocks_avx512(uint64_t *lane, uint8_t *dst, const uint8_t *p, size_t nblocks, bool copy)
{
    u64x8 l0, l1, l2, l3;
    memcpy(&l0, lane, 64);
    memcpy(&l1, lane + 8, 64);
    memcpy(&l2, lane + 16, 64);
    memcpy(&l3, lane + 24, 64);
    for (size_t b = 0; b < nblocks; b++) {
        const uint8_t *q = p + b * STREAM_DIGEST_BLOCK;
        u64x8 w0, w1, w2, w3; /* unaligned loads */
        memcpy(&w0, q, 64);
        memcpy(&w1, q + 64, 64);
        memcpy(&w2, q + 128, 64);
        memcpy(&w3, q + 192, 64);
        if (copy) {
            uint8_t *o = dst + b * STREAM_DIGEST_BLOCK;
            memcpy(o, &w0, 64);
            memcpy(o + 64, &w1, 64);
            memcpy(o + 128, &w2, 64);
            memcpy(o + 192, &w3, 64);
        }
        l0 = mix8(l0, w0);
        l1 = mix8(l1, w1);
        l2 = mix8(l2, w2);
        l3 = mix8(l3, w3);
    }
    memcpy(lane, &l0, 64);
    memcpy(lane + 8, &l1, 64);
    memcpy(lane + 16, &l2, 64);
    memcpy(lane + 24, &l3, 64);
}

__attribute__((target(AVX512_TARGET))) static void
mix_only_avx512(uint64_t *lane, const uint8_t *p, size_t nblocks)
{
    mix_blocks_avx512(lane, NULL, p, nblocks, false);
}

__attribute__((target(AVX512_TARGET))) static void
mix_copy_avx512(uint64_t *lane, uint8_t *dst, const uint8_t *p, size_t nblocks)
{
    mix_blocks_avx512(lane, dst, p, nblocks, true);
}

/* mix8 on half and a quarter of a register, for the end of the fold. */
typedef uint64_t u64x4 __attribute__((vector_size(32)));
typedef uint64_t u64x2 __attribute__((vector_size(16)));

__attribute__((target(AVX512_TARGET), always_inline)) static inline u64x4 mix4(u64x4 h, u64x4 w)
{
    h ^= w;
    h = (h << 31) | (h >> 33);
    return h * DIGEST_PRIME;
}

__attribute__((target(AVX512_TARGET), always_inline)) static inline u64x2 mix2(u64x2 h, u64x2 w)
{
    h ^= w;
    h = (h << 31) | (h >> 33);
    return h * DIGEST_PRIME;
}

/* fold_scalar with the lanes in registers throughout: each step mixes the
 * low half of the lanes left with the high half, lane i with lane i + k,
 * which for the first step is lane i of registers 0 and 2 (and of 1 and
 * 3), then the halves of one register, of 256 bits, of 128 bits.  Done
 * through an array, as fold_scalar does, the last steps waited on stores
 * and loads (the value is asked for after every read and write). */
__attribute__((target(AVX512_TARGET))) static uint64_t fold_avx512(const uint64_t *lane,
                                                                  const uint8_t *last)
{
    u64x8 l0, l1, l2, l3;
    memcpy(&l0, lane, 64);
    memcpy(&l1, lane + 8, 64);
    memcpy(&l2, lane + 16, 64);
    memcpy(&l3, lane + 24, 64);
    if (last) {
        u64x8 w0, w1, w2, w3;
        memcpy(&w0, last, 64);
        memcpy(&w1, last + 64, 64);
        memcpy(&w2, last + 128, 64);
        memcpy(&w3, last + 192, 64);
        l0 = mix8(l0, w0);
        l1 = mix8(l1, w1);
        l2 = mix8(l2, w2);
        l3 = mix8(l3, w3);
    }
    __m512i eight = (__m512i)mix8(mix8(l0, l2), mix8(l1, l3));
    u64x4 four = mix4((u64x4)_mm512_castsi512_si256(eight),
                      (u64x4)_mm512_extracti64x4_epi64(eight, 1));
    u64x2 two = mix2((u64x2)_mm256_castsi256_si128((__m256i)four),
                     (u64x2)_mm256_extracti128_si256((__m256i)four, 1));
    return mix(two[0], two[1]);
}
#endif

static bool simd_allowed = true;

static bool use_avx512(void)
{
#ifdef HAVE_DIGEST_AVX512
    return simd_allowed && __builtin_cpu_supports("avx512f") &&
           __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl");
#else
    return false;
#endif
}

void stream_digest_allow_simd(bool allow)
{
    simd_allowed = allow;
}

/* mix_blocks_scalar's contract, by the fastest way this CPU has; every
 * way gives the same lanes. */
static void mix_blocks(uint64_t *lane, uint8_t *dst, const uint8_t *p, size_t nblocks)
{
    if (nblocks == 0)
        return;
#ifdef HAVE_DIGEST_AVX512
    if (use_avx512()) {
        if (dst)
            mix_copy_avx512(lane, dst, p, nblocks);
        else
            mix_only_avx512(lane, p, nblocks);
        return;
    }
#endif
    mix_blocks_scalar(lane, dst, p, nblocks);
}

void stream_digest_init(struct stream_digest *d)
{
    for (unsigned i = 0; i < STREAM_DIGEST_LANES; i++)
        d->lane[i] = DIGEST_BASIS + i;
    d->length = 0;
    d->tail_len = 0;
    memset(d->tail, 0, sizeof d->tail);
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
        mix_blocks(d->lane, NULL, d->tail, 1);
        memset(d->tail, 0, sizeof d->tail); /* zero after tail_len, as ever */
        d->tail_len = 0;
    }
    size_t whole = n / STREAM_DIGEST_BLOCK * STREAM_DIGEST_BLOCK;
    mix_blocks(d->lane, NULL, p, n / STREAM_DIGEST_BLOCK);
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
    size_t whole = (n - head) / STREAM_DIGEST_BLOCK * STREAM_DIGEST_BLOCK;
    mix_blocks(d->lane, dst + head, src + head, whole / STREAM_DIGEST_BLOCK);
    d->length += whole;
    size_t rest = n - head - whole;
    memcpy(dst + head + whole, src + head + whole, rest);
    stream_digest_update(d, src + head + whole, rest);
}

/* The lanes with the block at last (if not NULL) mixed in, folded in
 * halves down to lane 0 (the definition in stream_digest.h).  Each step's
 * mixes are independent of each other, so the 31 of them take about five
 * multiplications' latency, not 31; the world asks for the value after
 * every read and write. */
static uint64_t fold_scalar(const uint64_t *lane, const uint8_t *last)
{
    uint64_t l[STREAM_DIGEST_LANES];
    memcpy(l, lane, sizeof l);
    if (last)
        mix_blocks_scalar(l, NULL, last, 1);
    for (unsigned k = STREAM_DIGEST_LANES / 2; k > 0; k /= 2)
        for (unsigned i = 0; i < k; i++)
            l[i] = mix(l[i], l[i + k]);
    return l[0];
}

uint64_t stream_digest_value(const struct stream_digest *d)
{
    /* The unfinished block, zero-padded, is mixed into copies of the
     * lanes; d->tail is that block already (zero after tail_len).  Padding
     * a copy here cost more than the rest of the value: the loads of the
     * block waited for the stores that had just built it. */
    const uint8_t *last = d->tail_len ? d->tail : NULL;
    uint64_t folded;
#ifdef HAVE_DIGEST_AVX512
    if (use_avx512())
        folded = fold_avx512(d->lane, last);
    else
#endif
        folded = fold_scalar(d->lane, last);
    return mix(mix(DIGEST_BASIS, folded), d->length);
}

uint64_t stream_digest_of(const uint8_t *p, size_t n)
{
    struct stream_digest d;
    stream_digest_init(&d);
    stream_digest_update(&d, p, n);
    return stream_digest_value(&d);
}
