/* Snapshots and seeking.  Because a run is a pure function of (scenario,
 * seed), going back to trace event i means: restore the last snapshot taken
 * before i and replay.  Snapshots are deep copies of struct world_state,
 * taken at step boundaries every WORLD_SNAPSHOT_EVERY trace events; the
 * trace and the packet store are append-only, so restoring just cuts them
 * back to the lengths the snapshot remembers.
 *
 * Every stack, live or in a snapshot, answers to the live world's host
 * contexts (w->hctx), so a restored stack reports to the live world. */
#include "sim/world_internal.h"

#include <stdlib.h>
#include <string.h>

#include "util/array.h"

static void app_state_free(struct app_state *app)
{
    free(app->conns);
    free(app->pend);
    app->conns = NULL;
    app->pend = NULL;
    app->nconns = app->npend = app->conns_cap = app->pend_cap = 0;
}

void world_state_free(const struct world *w, struct world_state *st)
{
    for (unsigned i = 0; i < w->s->nhosts; i++) {
        tcp_stack_free(st->hosts[i].stack);
        st->hosts[i].stack = NULL;
        app_state_free(&st->hosts[i].app);
    }
    if (st->wires)
        for (size_t i = 0; i < w->s->nlinks; i++)
            wire_free(&st->wires[i]);
    free(st->wires);
    eventq_free(&st->q);
    free(st->rule_counts);
    free(st->fault_counts);
    free(st->checks);
    memset(st, 0, sizeof *st);
}

static bool app_state_clone(struct app_state *dst, const struct app_state *src)
{
    *dst = *src;
    dst->conns = array_dup(src->conns, src->nconns, sizeof *src->conns);
    dst->pend = array_dup(src->pend, src->npend, sizeof *src->pend);
    dst->conns_cap = src->nconns ? src->nconns : 1;
    dst->pend_cap = src->npend ? src->npend : 1;
    return dst->conns && dst->pend;
}

static bool hosts_clone(struct world *w, struct world_state *dst, const struct world_state *src)
{
    bool ok = true;
    for (unsigned i = 0; i < w->s->nhosts; i++) {
        const struct host_state *sh = &src->hosts[i];
        struct host_state *dh = &dst->hosts[i];
        *dh = *sh;
        dh->stack = NULL;
        memset(&dh->app, 0, sizeof dh->app);
        if (sh->stack) {
            dh->stack = tcp_stack_clone(sh->stack, &w->hctx[i]);
            ok = ok && dh->stack;
        }
        ok = app_state_clone(&dh->app, &sh->app) && ok;
    }
    return ok;
}

bool world_state_clone(struct world *w, struct world_state *dst, const struct world_state *src)
{
    const struct scenario *s = w->s;
    memset(dst, 0, sizeof *dst);
    dst->now = src->now;
    dst->done = src->done;
    dst->end_rules_ran = src->end_rules_ran;
    dst->rng = src->rng;
    dst->passed = src->passed;
    dst->failed = src->failed;
    dst->trace_len = src->trace_len;
    dst->packet_count = src->packet_count;
    dst->arena_len = src->arena_len;
    bool ok = eventq_clone(&dst->q, &src->q);
    dst->wires = calloc(s->nlinks ? s->nlinks : 1, sizeof *dst->wires);
    if (dst->wires)
        for (size_t i = 0; i < s->nlinks; i++)
            ok = wire_clone(&dst->wires[i], &src->wires[i]) && ok;
    dst->rule_counts = array_dup(src->rule_counts, s->nrules, sizeof *src->rule_counts);
    dst->fault_counts = array_dup(src->fault_counts, s->nfaults, sizeof *src->fault_counts);
    dst->checks = array_dup(src->checks, w->ncheckpoints, sizeof *src->checks);
    ok = ok && dst->wires && dst->rule_counts && dst->fault_counts && dst->checks;
    ok = hosts_clone(w, dst, src) && ok;
    if (!ok)
        world_state_free(w, dst);
    return ok;
}

bool world_snapshot_take(struct world *w)
{
    if (w->nsnaps == w->snaps_cap) {
        struct world_state *p = array_grow(w->snaps, &w->snaps_cap, sizeof *p, 8);
        if (!p)
            return false;
        w->snaps = p;
    }
    struct world_state *snap = &w->snaps[w->nsnaps];
    if (!world_state_clone(w, snap, &w->st))
        return false;
    snap->trace_len = w->trace_len;
    snap->packet_count = w->npkts;
    snap->arena_len = w->arena_len;
    w->nsnaps++;
    return true;
}

bool world_seekable(const struct world *w)
{
    return w->opt.record_trace && w->opt.keep_packets;
}

void world_maybe_snapshot(struct world *w)
{
    if (!world_seekable(w))
        return;
    size_t last = w->nsnaps ? w->snaps[w->nsnaps - 1].trace_len : 0;
    /* A failed snapshot only makes seeking slower; the run goes on. */
    if (w->trace_len >= last + WORLD_SNAPSHOT_EVERY)
        (void)world_snapshot_take(w);
}

void world_snapshots_free(struct world *w)
{
    for (size_t i = 0; i < w->nsnaps; i++)
        world_state_free(w, &w->snaps[i]);
    free(w->snaps);
    w->snaps = NULL;
    w->nsnaps = w->snaps_cap = 0;
}

/* Put the world back to snapshot k; later snapshots are dropped (the
 * replay takes them again, identically). */
static bool restore_snapshot(struct world *w, size_t k)
{
    struct world_state copy;
    if (!world_state_clone(w, &copy, &w->snaps[k]))
        return false;
    world_state_free(w, &w->st);
    w->st = copy;
    w->trace_len = copy.trace_len;
    w->nevents = copy.trace_len; /* a seekable world records every event */
    w->npkts = copy.packet_count;
    w->arena_len = copy.arena_len;
    w->delivering = WORLD_NO_PACKET;
    w->oom = false;
    for (size_t i = k + 1; i < w->nsnaps; i++)
        world_state_free(w, &w->snaps[i]);
    w->nsnaps = k + 1;
    return true;
}

bool world_seek(struct world *w, size_t index)
{
    if (!w || !world_seekable(w))
        return false;
    if (index < w->trace_len) {
        size_t k = w->nsnaps;
        while (k > 0 && w->snaps[k - 1].trace_len > index)
            k--;
        if (k == 0 || !restore_snapshot(w, k - 1))
            return false;
    }
    while (w->trace_len <= index && world_step(w))
        ;
    return w->trace_len > index;
}
