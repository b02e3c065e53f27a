/* FNV-1a 64-bit: the digest of each byte stream in the summary.  Not a
 * cryptographic hash; it only has to tell two streams apart in a golden file
 * or a test, be trivial to compute incrementally and give the same value on
 * every platform. */
#ifndef TCPVIZ_EXPORT_DIGEST_H
#define TCPVIZ_EXPORT_DIGEST_H

#include <stddef.h>
#include <stdint.h>

/* The FNV offset basis: the digest of the empty stream. */
#define FNV1A64_INIT 14695981039346656037ull

/* Fold n bytes into the running digest h (start from FNV1A64_INIT). */
uint64_t fnv1a64_update(uint64_t h, const uint8_t *p, size_t n);

/* Sixteen lower-case hex digits and a NUL, zero-padded so that the width
 * never depends on the value. */
#define DIGEST_HEX_LEN 17
void digest_hex(uint64_t h, char out[DIGEST_HEX_LEN]);

#endif
