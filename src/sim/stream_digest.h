/* The digest of an app's byte stream, for the summary and the integrity
 * checks.  It only has to tell two streams apart, be computed as bytes
 * trickle in, and give the same value on every platform; it is not a
 * cryptographic hash.
 *
 * Definition (so other tools can recompute it).  mix(h, w) is
 * rotl64(h ^ w, 31) * P with P = 0x100000001b3 (the FNV-1 prime); B is the
 * FNV offset basis 0xcbf29ce484222325.  The stream is cut into 256-byte
 * blocks of 32 8-byte little-endian words; word i of every block goes to
 * lane i, lane_i = mix(lane_i, word), lanes starting at B + i.  For the
 * value, the last, incomplete block (if any) is zero-padded to 256 bytes
 * and mixed into copies of the lanes the same way; then the 32 lanes are
 * folded in halves, lane_i = mix(lane_i, lane_{i+k}) for i < k, with
 * k = 16, 8, 4, 2, 1; the value is mix(mix(B, lane_0), stream length).
 *
 * Why so: every lane is an independent chain of multiplications, so the
 * CPU can overlap them (32 chains keep a wide vector unit busy; the
 * benchmark's two digests of 100 MB each were a quarter of its time with
 * four lanes).  mix is a bijection of h for a given w and of w for a given
 * h, so one changed word changes its lane's final state, and the fold
 * carries any one changed lane into the value; the length tells apart
 * streams that differ only by trailing zero bytes.  Every implementation
 * (scalar, or AVX-512 when the CPU has it) computes exactly this, so the
 * value does not depend on the machine. */
#ifndef TCPVIZ_SIM_STREAM_DIGEST_H
#define TCPVIZ_SIM_STREAM_DIGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define STREAM_DIGEST_LANES 32
#define STREAM_DIGEST_BLOCK (8 * STREAM_DIGEST_LANES)

struct stream_digest {
    uint64_t lane[STREAM_DIGEST_LANES];
    uint64_t length;                     /* bytes so far */
    /* An incomplete block: tail_len bytes, then zeros (the zero-padded
     * block the value mixes in). */
    uint8_t tail[STREAM_DIGEST_BLOCK];
    unsigned tail_len;
};

void stream_digest_init(struct stream_digest *d);
void stream_digest_update(struct stream_digest *d, const uint8_t *p, size_t n);
/* memcpy(dst, src, n) and stream_digest_update(d, src, n) in one pass over
 * the bytes (the buffers must not overlap): a writer that copies what it
 * digests gets the copy nearly free, as the digest's multiplications, not
 * the memory, set the pace. */
void stream_digest_copy(struct stream_digest *d, uint8_t *dst, const uint8_t *src, size_t n);
/* The digest of the bytes so far; the state is left as it was. */
uint64_t stream_digest_value(const struct stream_digest *d);
/* The digest of one buffer. */
uint64_t stream_digest_of(const uint8_t *p, size_t n);
/* For the tests: false makes every digest take the scalar loop even where
 * the CPU has a vector one, so both can be checked against each other and
 * against the definition on one machine.  Not thread-safe; the default is
 * true. */
void stream_digest_allow_simd(bool allow);

#endif
