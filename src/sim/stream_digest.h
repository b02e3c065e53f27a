/* The digest of an app's byte stream, for the summary and the integrity
 * checks.  It only has to tell two streams apart, be computed as bytes
 * trickle in, and give the same value on every platform; it is not a
 * cryptographic hash.
 *
 * Definition (so other tools can recompute it): the stream is cut into
 * 8-byte little-endian words; for each, h = rotl64(h ^ word, 31) * P with
 * P = 0x100000001b3 (the FNV-1 prime) and h starting at the FNV offset
 * basis 0xcbf29ce484222325.  The value then folds in the last partial word
 * (zero-padded, if any) the same way, and finally the stream length.
 * Working a word at a time keeps it cheap: a 100 MB transfer hashed a byte
 * at a time spent most of its CPU time here. */
#ifndef TCPVIZ_SIM_STREAM_DIGEST_H
#define TCPVIZ_SIM_STREAM_DIGEST_H

#include <stddef.h>
#include <stdint.h>

struct stream_digest {
    uint64_t h;        /* over the complete words so far */
    uint64_t tail;     /* bytes of an incomplete word, little-endian */
    uint64_t length;   /* bytes so far */
    unsigned tail_len; /* 0..7 */
};

void stream_digest_init(struct stream_digest *d);
void stream_digest_update(struct stream_digest *d, const uint8_t *p, size_t n);
/* The digest of the bytes so far; the state is left as it was. */
uint64_t stream_digest_value(const struct stream_digest *d);
/* The digest of one buffer. */
uint64_t stream_digest_of(const uint8_t *p, size_t n);

#endif
