/* How the summary prints a byte stream's digest (computed by
 * sim/stream_digest.h). */
#ifndef TCPVIZ_EXPORT_DIGEST_H
#define TCPVIZ_EXPORT_DIGEST_H

#include <stddef.h>
#include <stdint.h>

/* Sixteen lower-case hex digits and a NUL, zero-padded so that the width
 * never depends on the value. */
#define DIGEST_HEX_LEN 17
void digest_hex(uint64_t h, char out[DIGEST_HEX_LEN]);

#endif
