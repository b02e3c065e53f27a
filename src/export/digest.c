/* Printing a stream digest (sim/stream_digest.h computes it). */
#include "export/digest.h"

void digest_hex(uint64_t h, char out[DIGEST_HEX_LEN])
{
    static const char hex[] = "0123456789abcdef";
    /* Written by hand rather than with "%016" PRIx64 so the helper needs no
     * stdio and cannot be affected by the locale. */
    for (int i = 15; i >= 0; i--) {
        out[i] = hex[h & 0xf];
        h >>= 4;
    }
    out[16] = '\0';
}
