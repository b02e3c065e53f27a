#include "tcp/buffer.h"

#include <stdlib.h>
#include <string.h>

bool ring_init(struct byte_ring *r, size_t cap)
{
    r->data = cap ? malloc(cap) : NULL;
    r->cap = cap;
    r->head = 0;
    r->len = 0;
    r->ahead = 0;
    return cap == 0 || r->data != NULL;
}

void ring_free(struct byte_ring *r)
{
    free(r->data);
    r->data = NULL;
    r->cap = r->head = r->len = r->ahead = 0;
}

bool ring_clone(struct byte_ring *dst, const struct byte_ring *src)
{
    if (!ring_init(dst, src->cap))
        return false;
    ring_peek(src, 0, dst->data, src->len + src->ahead);
    dst->len = src->len;
    dst->ahead = src->ahead;
    return true;
}

/* The bytes ahead move too; they must fit (the receiver moves its
 * out-of-order data out of the ring first when they would not). */
bool ring_resize(struct byte_ring *r, size_t cap)
{
    if (r->len + r->ahead > cap)
        return false;
    struct byte_ring bigger;
    if (!ring_init(&bigger, cap))
        return false;
    ring_peek(r, 0, bigger.data, r->len + r->ahead);
    bigger.len = r->len;
    bigger.ahead = r->ahead;
    ring_free(r);
    *r = bigger;
    return true;
}

/* ring_write's copy: memcpy itself. */
static void plain_copy(void *ctx, uint8_t *dst, const uint8_t *src, size_t size)
{
    (void)ctx;
    memcpy(dst, src, size);
}

size_t ring_write(struct byte_ring *r, const uint8_t *src, size_t n)
{
    return ring_write_with(r, src, n, plain_copy, NULL);
}

size_t ring_write_with(struct byte_ring *r, const uint8_t *src, size_t n, ring_copy_fn copy,
                       void *ctx)
{
    if (n > ring_space(r))
        n = ring_space(r);
    size_t tail = (r->head + r->len) % (r->cap ? r->cap : 1);
    size_t first = r->cap - tail < n ? r->cap - tail : n;
    if (first)
        copy(ctx, r->data + tail, src, first);
    if (n > first)
        copy(ctx, r->data, src + first, n - first);
    r->len += n;
    r->ahead = r->ahead > n ? r->ahead - n : 0; /* written over */
    return n;
}

void ring_write_ahead(struct byte_ring *r, size_t offset, const uint8_t *src, size_t n)
{
    if (n == 0 || offset + n > ring_space(r))
        return;
    size_t at = (r->head + r->len + offset) % r->cap;
    size_t first = r->cap - at < n ? r->cap - at : n;
    memcpy(r->data + at, src, first);
    if (n > first)
        memcpy(r->data, src + first, n - first);
    if (r->ahead < offset + n)
        r->ahead = offset + n;
}

void ring_commit_ahead(struct byte_ring *r, size_t n)
{
    if (n > r->ahead)
        n = r->ahead;
    r->len += n;
    r->ahead -= n;
}

void ring_peek(const struct byte_ring *r, size_t offset, uint8_t *dst, size_t n)
{
    if (n == 0)
        return;
    size_t start = (r->head + offset) % r->cap;
    size_t first = r->cap - start < n ? r->cap - start : n;
    memcpy(dst, r->data + start, first);
    if (n > first)
        memcpy(dst + first, r->data, n - first);
}

const uint8_t *ring_contiguous(const struct byte_ring *r, size_t offset, size_t n)
{
    if (n == 0 || offset + n > r->len)
        return NULL;
    size_t start = (r->head + offset) % r->cap;
    return start + n <= r->cap ? r->data + start : NULL;
}

void ring_visit(const struct byte_ring *r, size_t n,
                void (*visit)(void *ctx, const uint8_t *piece, size_t size), void *ctx)
{
    if (n == 0)
        return;
    size_t first = r->cap - r->head < n ? r->cap - r->head : n;
    visit(ctx, r->data + r->head, first);
    if (n > first)
        visit(ctx, r->data, n - first);
}

void ring_consume(struct byte_ring *r, size_t n)
{
    if (n > r->len)
        n = r->len;
    r->len -= n;
    r->head = r->cap ? (r->head + n) % r->cap : 0;
    if (r->len == 0 && r->ahead == 0)
        r->head = 0; /* the next bytes go to the start, which is warm in the cache */
}
