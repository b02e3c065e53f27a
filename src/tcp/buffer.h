/* A byte ring: the send buffer (bytes from SND.UNA on) and the receive
 * buffer (in-order bytes the app has not read yet). */
#ifndef TCPVIZ_TCP_BUFFER_H
#define TCPVIZ_TCP_BUFFER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct byte_ring {
    uint8_t *data;
    size_t cap;  /* bytes the ring may hold (the configured buffer size) */
    size_t head; /* index of the first byte */
    size_t len;  /* bytes held */
    /* Bytes past the tail, in the free space, whose content counts: the
     * receiver's out-of-order data, kept where it will belong (reasm.h).
     * They stay where they are (the head is not moved back to 0 under
     * them) and are copied with the ring; appending overwrites them. */
    size_t ahead;
};

bool ring_init(struct byte_ring *r, size_t cap);
void ring_free(struct byte_ring *r);
bool ring_clone(struct byte_ring *dst, const struct byte_ring *src);
/* Change the capacity, keeping the content (fails if content > cap). */
bool ring_resize(struct byte_ring *r, size_t cap);
static inline size_t ring_space(const struct byte_ring *r) { return r->cap - r->len; }
/* Append up to n bytes; returns how many fit. */
size_t ring_write(struct byte_ring *r, const uint8_t *src, size_t n);
/* The same, the bytes going in through copy(ctx, dst, src, size) (which
 * must do what memcpy does), once per piece of the ring they land in. */
typedef void (*ring_copy_fn)(void *ctx, uint8_t *dst, const uint8_t *src, size_t size);
size_t ring_write_with(struct byte_ring *r, const uint8_t *src, size_t n, ring_copy_fn copy,
                       void *ctx);
/* Write n bytes `offset` bytes past the tail, in the free space (offset + n
 * <= ring_space), without appending them: they count as `ahead`. */
void ring_write_ahead(struct byte_ring *r, size_t offset, const uint8_t *src, size_t n);
/* Append the first n bytes ahead (n <= ahead), already in place. */
void ring_commit_ahead(struct byte_ring *r, size_t n);
/* Copy n bytes starting `offset` bytes after the head, without consuming
 * (bytes ahead too: offset may go past len). */
void ring_peek(const struct byte_ring *r, size_t offset, uint8_t *dst, size_t n);
/* A pointer to n bytes starting `offset` after the head when they lie in
 * one piece of the ring (no wrap), else NULL: lets a reader skip a copy. */
const uint8_t *ring_contiguous(const struct byte_ring *r, size_t offset, size_t n);
/* Hand the first n bytes (n <= len) to visit(ctx, piece, size) where they
 * lie, in order: one piece, or two when they wrap around the ring.  Lets
 * a reader that only looks at the bytes skip copying them out. */
void ring_visit(const struct byte_ring *r, size_t n,
                void (*visit)(void *ctx, const uint8_t *piece, size_t size), void *ctx);
/* Drop n bytes from the head. */
void ring_consume(struct byte_ring *r, size_t n);

#endif
