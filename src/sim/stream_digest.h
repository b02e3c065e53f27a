/* The digest of an app's byte stream, for the summary and the integrity
 * checks.  It only has to tell two streams apart, be computed as bytes
 * trickle in, and give the same value on every platform; it is not a
 * cryptographic hash.
 *
 * Definition (so other tools can recompute it).  mix(h, w) is
 * rotl64(h ^ w, 31) * P with P = 0x100000001b3 (the FNV-1 prime); B is the
 * FNV offset basis 0xcbf29ce484222325.  The stream is cut into 32-byte
 * blocks of four 8-byte little-endian words; word i of every block goes
 * to lane i, lane_i = mix(lane_i, word), lanes starting at B + i.  The
 * value is h = B mixed with lane 0..3 in order, then with the bytes of the
 * last, incomplete block as 8-byte words (the final one zero-padded), then
 * with the stream length.  Four independent lanes let the multiplications
 * overlap: hashing a byte at a time, a 100 MB transfer spent most of its
 * CPU time here. */
#ifndef TCPVIZ_SIM_STREAM_DIGEST_H
#define TCPVIZ_SIM_STREAM_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#define STREAM_DIGEST_LANES 4
#define STREAM_DIGEST_BLOCK (8 * STREAM_DIGEST_LANES)

struct stream_digest {
    uint64_t lane[STREAM_DIGEST_LANES];
    uint64_t length;                     /* bytes so far */
    uint8_t tail[STREAM_DIGEST_BLOCK];   /* an incomplete block */
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

#endif
