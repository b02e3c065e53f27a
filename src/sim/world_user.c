/* The user changes the run: sandbox commands and the fates of packets in
 * flight.  A run is a pure function of (scenario, seed, user actions), so
 * the world keeps the user actions beside the scenario and meets each one
 * again whenever a replay reaches its point: world_step asks
 * world_user_run_due before taking the next item from the queue.
 *
 * A user action's point is the trace length at which it runs, which is
 * also the index of the EV_USER event it records first.  Points only grow
 * along the list, and every action forgets the ones after its own point,
 * so the list is always sorted and a replay never meets a stale one. */
#include "sim/world_internal.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcp/segment.h"
#include "util/array.h"

/* ------------------------------------------------------------------ */
/* Names                                                                */

static const char *const action_names[ACT_KIND_COUNT] = {
    [ACT_LISTEN] = "listen",   [ACT_CONNECT] = "connect", [ACT_ACCEPT] = "accept",
    [ACT_SEND] = "send",       [ACT_READ] = "read",       [ACT_SHUTDOWN] = "shutdown",
    [ACT_CLOSE] = "close",     [ACT_ABORT] = "abort",     [ACT_CRASH] = "crash",
    [ACT_REBOOT] = "reboot",   [ACT_SET] = "set",         [ACT_LINK] = "link",
    [ACT_INJECT] = "inject",   [ACT_EXPECT] = "expect",   [ACT_NOTE] = "note",
    [ACT_RESPOND] = "respond",
};

static const char *const fate_names[FATE_COUNT] = {
    [FATE_DROP] = "drop", [FATE_DELAY] = "delay", [FATE_DUPLICATE] = "duplicate",
    [FATE_CORRUPT] = "corrupt",
};

const char *world_action_name(enum scn_action_kind k)
{
    return (unsigned)k < ACT_KIND_COUNT && action_names[k] ? action_names[k] : "?";
}

const char *world_fate_name(enum world_fate f)
{
    return (unsigned)f < FATE_COUNT ? fate_names[f] : "?";
}

/* ------------------------------------------------------------------ */
/* Errors                                                               */

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static bool fail(char *err, size_t n, const char *fmt, ...)
{
    if (err && n) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, n, fmt, ap);
        va_end(ap);
    }
    return false;
}

/* ------------------------------------------------------------------ */
/* The list of user actions                                             */

static void user_free(struct world_user *u)
{
    free(u->action.text);
    u->action.text = NULL;
}

/* Forget the user actions that run after trace event at_index: the future
 * they were part of is being replaced. */
static void users_forget_after(struct world *w, size_t at_index)
{
    while (w->nusers && w->users[w->nusers - 1].at > at_index)
        user_free(&w->users[--w->nusers]);
}

void world_users_free(struct world *w)
{
    for (size_t i = 0; i < w->nusers; i++)
        user_free(&w->users[i]);
    free(w->users);
    w->users = NULL;
    w->nusers = w->users_cap = 0;
}

/* A new entry at the end of the list, zeroed; NULL when out of memory. */
static struct world_user *users_append(struct world *w)
{
    if (w->nusers == w->users_cap) {
        struct world_user *p = array_grow(w->users, &w->users_cap, sizeof *p, 8);
        if (!p)
            return NULL;
        w->users = p;
    }
    struct world_user *u = &w->users[w->nusers];
    memset(u, 0, sizeof *u);
    return u;
}

/* The user action that runs when the trace is `len` long, if any. */
static struct world_user *user_at(struct world *w, size_t len)
{
    size_t lo = 0, hi = w->nusers;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (w->users[mid].at < len)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < w->nusers && w->users[lo].at == len ? &w->users[lo] : NULL;
}

size_t world_user_action_count(const struct world *w)
{
    return w ? w->nusers : 0;
}

bool world_user_action_get(const struct world *w, size_t i, struct world_user_info *out)
{
    if (!w || i >= w->nusers)
        return false;
    const struct world_user *u = &w->users[i];
    *out = (struct world_user_info){
        .index = u->at, .t = u->t, .is_fate = u->is_fate,
        .action = u->is_fate ? NULL : &u->action,
        .packet = u->packet, .fate = u->fate, .delay = u->delay,
    };
    return true;
}

/* ------------------------------------------------------------------ */
/* Packets in flight                                                    */

/* The earliest scheduled delivery of packet id; NULL if none. */
static const struct eventq_item *find_delivery(const struct world *w, uint32_t id)
{
    const struct eventq_item *best = NULL;
    for (size_t i = 0; i < eventq_len(&w->st.q); i++) {
        const struct eventq_item *it = eventq_item_at(&w->st.q, i);
        if (it->kind != WI_DELIVER || it->b != id)
            continue;
        if (!best || it->time < best->time || (it->time == best->time && it->order < best->order))
            best = it;
    }
    return best;
}

/* The host that sent a packet, by its source address; -1 for a forged one. */
static int packet_sender(const struct world *w, uint32_t id)
{
    size_t len = 0;
    const uint8_t *bytes = world_packet(w, id, &len);
    struct tcp_event_seg seg;
    world_seg_from_packet(bytes, len, &seg);
    return bytes ? world_host_by_addr(w, seg.src_addr) : -1;
}

static int item_cmp(const void *x, const void *y)
{
    const struct eventq_item *a = *(const struct eventq_item *const *)x;
    const struct eventq_item *b = *(const struct eventq_item *const *)y;
    if (a->time != b->time)
        return a->time < b->time ? -1 : 1;
    return a->order < b->order ? -1 : a->order > b->order;
}

size_t world_in_flight(const struct world *w, struct world_flight *out, size_t max)
{
    if (!w)
        return 0;
    size_t total = 0, qlen = eventq_len(&w->st.q);
    for (size_t i = 0; i < qlen; i++)
        total += eventq_item_at(&w->st.q, i)->kind == WI_DELIVER;
    if (!out || max == 0 || total == 0)
        return out ? 0 : total;
    /* The heap is in no useful order: sort the deliveries by arrival. */
    const struct eventq_item **sorted = malloc(total * sizeof *sorted);
    if (!sorted)
        return 0;
    size_t n = 0;
    for (size_t i = 0; i < qlen; i++) {
        const struct eventq_item *it = eventq_item_at(&w->st.q, i);
        if (it->kind == WI_DELIVER)
            sorted[n++] = it;
    }
    qsort(sorted, n, sizeof *sorted, item_cmp);
    if (n > max)
        n = max;
    for (size_t i = 0; i < n; i++) {
        uint32_t id = (uint32_t)sorted[i]->b;
        out[i] = (struct world_flight){
            .packet = id, .from = packet_sender(w, id), .to = (int)sorted[i]->a,
            .sent_at = !w->lean && id < w->npkts ? w->pkts[id].sent_at : 0,
            .arrives_at = sorted[i]->time,
        };
    }
    free(sorted);
    return n;
}

/* ------------------------------------------------------------------ */
/* Running a user action                                                */

/* The host an action's event belongs to. */
static uint16_t action_endpoint(const struct world *w, const struct scn_action *a)
{
    if (a->kind == ACT_LINK && a->link >= 0 && (size_t)a->link < w->s->nlinks)
        return (uint16_t)w->s->links[a->link].from;
    if (a->host >= 0 && (unsigned)a->host < w->s->nhosts && a->kind != ACT_INJECT)
        return (uint16_t)a->host;
    return WORLD_THIRD_PARTY;
}

static void record_user_event(struct world *w, const struct world_user *u)
{
    struct tcp_event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = EV_USER;
    ev.u.user.index = (uint32_t)(u - w->users);
    if (u->is_fate) {
        int from = packet_sender(w, u->packet);
        ev.endpoint = from >= 0 ? (uint16_t)from : WORLD_THIRD_PARTY;
        ev.u.user.action = TCP_USER_FATE;
        ev.u.user.fate = (uint8_t)u->fate;
        ev.u.user.packet = u->packet;
        ev.u.user.value = u->delay;
    } else {
        const struct scn_action *a = &u->action;
        ev.endpoint = action_endpoint(w, a);
        ev.u.user.action = (uint8_t)a->kind;
        ev.u.user.value = a->bytes;
        if (a->kind == ACT_EXPECT)
            ev.u.user.result = world_expect_holds(w, a);
    }
    world_record(w, &ev);
}

static void record_user_drop(struct world *w, uint32_t id)
{
    size_t len = 0;
    const uint8_t *bytes = world_packet(w, id, &len);
    struct tcp_event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = EV_SEG_DROP;
    world_seg_from_packet(bytes, len, &ev.u.seg);
    int from = packet_sender(w, id);
    ev.endpoint = from >= 0 ? (uint16_t)from : WORLD_THIRD_PARTY;
    ev.u.seg.packet = id;
    ev.u.seg.drop = DROP_USER;
    world_record(w, &ev);
}

static bool same_order(const struct eventq_item *it, void *ctx)
{
    return it->order == *(const uint64_t *)ctx;
}

/* The bit a user's "corrupt" flips: one of the TCP sequence number's, so the
 * segment still parses and the receiver's checksum is what catches it (a
 * single flipped bit always changes a ones' complement sum).  Which one
 * depends only on the packet id, so a replay flips the same bit. */
static uint64_t corrupt_bit(uint32_t id)
{
    return (uint64_t)(IPV4_HEADER_LEN + 4) * 8 + id % 32u;
}

static void apply_fate(struct world *w, const struct world_user *u)
{
    const struct eventq_item *found = find_delivery(w, u->packet);
    if (!found)
        return; /* cannot happen in a replay: it was checked when made */
    struct eventq_item it = *found;
    if (u->fate == FATE_DUPLICATE) {
        world_schedule(w, it.time, WI_DELIVER, it.a, it.b);
        return;
    }
    eventq_remove_if(&w->st.q, same_order, &it.order);
    switch (u->fate) {
    case FATE_DROP:
        record_user_drop(w, u->packet);
        break;
    case FATE_DELAY:
        world_schedule(w, it.time + u->delay, WI_DELIVER, it.a, it.b);
        break;
    case FATE_CORRUPT: {
        uint32_t copy = world_corrupt_copy(w, u->packet, corrupt_bit(u->packet));
        if (copy != u->packet && !w->lean)
            w->pkts[copy].sent_at = w->pkts[u->packet].sent_at;
        world_schedule(w, it.time, WI_DELIVER, it.a, copy);
        break;
    }
    default:
        break;
    }
}

static void apply_user(struct world *w, size_t i)
{
    const struct world_user *u = &w->users[i];
    record_user_event(w, u);
    if (u->is_fate) {
        apply_fate(w, u);
        return;
    }
    switch (u->action.kind) {
    case ACT_EXPECT: /* its result is in the EV_USER event */
    case ACT_NOTE:   /* the EV_USER event is the note */
        break;
    case ACT_INJECT:
        world_inject_send(w, &u->action.inject, 0, WI_USER_INJECT, (uint32_t)i);
        break;
    default:
        world_action_apply(w, &u->action);
        break;
    }
}

bool world_user_run_due(struct world *w)
{
    struct world_user *u = user_at(w, w->trace_len);
    if (!u)
        return false;
    apply_user(w, (size_t)(u - w->users));
    return true;
}

void world_user_inject_run(struct world *w, size_t user, unsigned copy)
{
    if (user < w->nusers && !w->users[user].is_fate && w->users[user].action.kind == ACT_INJECT)
        world_inject_send(w, &w->users[user].action.inject, copy, WI_USER_INJECT, (uint32_t)user);
}

/* ------------------------------------------------------------------ */
/* Forking                                                              */

/* Bring the world to right after the step that recorded event at_index,
 * where a user action can happen. */
static bool fork_point(struct world *w, size_t at_index, char *err, size_t n)
{
    if (!world_seekable(w))
        return fail(err, n, "this run does not keep its trace, so it cannot be changed");
    if (at_index >= w->trace_len)
        return fail(err, n, "event %zu has not happened yet (the trace has %zu events)",
                    at_index, w->trace_len);
    if (!world_seek(w, at_index))
        return fail(err, n, "cannot go back to event %zu", at_index);
    if (w->st.done)
        return fail(err, n, "the run is over at event %zu (its duration is %" PRIu64 " us)",
                    at_index, w->s->duration);
    return true;
}

/* u has just been appended at the world's point: run it as the next step. */
static bool run_new_user(struct world *w, char *err, size_t n)
{
    size_t at = w->users[w->nusers - 1].at;
    if (!world_step(w) || w->trace_len <= at || w->oom) {
        user_free(&w->users[--w->nusers]);
        return fail(err, n, "out of memory");
    }
    return true;
}

static bool host_index_ok(const struct world *w, int host)
{
    return host >= 0 && (unsigned)host < w->s->nhosts;
}

static bool check_action(const struct world *w, const struct scn_action *a, char *err, size_t n)
{
    if (!a || (unsigned)a->kind >= ACT_KIND_COUNT)
        return fail(err, n, "not an action");
    switch (a->kind) {
    case ACT_LINK:
        if (a->link < 0 || (size_t)a->link >= w->s->nlinks)
            return fail(err, n, "no such link");
        return true;
    case ACT_INJECT:
    case ACT_NOTE:
        return true;
    default:
        if (!host_index_ok(w, a->host))
            return fail(err, n, "no such host");
        return true;
    }
}

bool world_user_action(struct world *w, size_t at_index, const struct scn_action *a,
                       char *err, size_t n)
{
    if (!w)
        return fail(err, n, "no world");
    if (!check_action(w, a, err, n) || !fork_point(w, at_index, err, n))
        return false;
    char *text = NULL;
    if (a->text && !(text = strdup(a->text)))
        return fail(err, n, "out of memory");
    users_forget_after(w, at_index);
    struct world_user *u = users_append(w);
    if (!u) {
        free(text);
        return fail(err, n, "out of memory");
    }
    u->at = w->trace_len;
    u->t = w->st.now;
    u->action = *a;
    u->action.text = text;
    w->nusers++;
    return run_new_user(w, err, n);
}

bool world_set_fate(struct world *w, size_t at_index, uint32_t packet, enum world_fate fate,
                    uint64_t delay, char *err, size_t n)
{
    if (!w)
        return fail(err, n, "no world");
    if ((unsigned)fate >= FATE_COUNT)
        return fail(err, n, "unknown fate %u", (unsigned)fate);
    if (fate == FATE_DELAY && delay == 0)
        return fail(err, n, "a delay must be longer than 0");
    if (!fork_point(w, at_index, err, n))
        return false;
    if (!find_delivery(w, packet))
        return fail(err, n, "packet %" PRIu32 " is not in flight at event %zu", packet, at_index);
    users_forget_after(w, at_index);
    struct world_user *u = users_append(w);
    if (!u)
        return fail(err, n, "out of memory");
    u->at = w->trace_len;
    u->t = w->st.now;
    u->is_fate = true;
    u->packet = packet;
    u->fate = fate;
    u->delay = fate == FATE_DELAY ? delay : 0;
    w->nusers++;
    return run_new_user(w, err, n);
}

/* ------------------------------------------------------------------ */
/* Words                                                                */

static void describe_action(const struct world *w, const struct scn_action *a, char *buf,
                            size_t n)
{
    const char *name = world_action_name(a->kind);
    switch (a->kind) {
    case ACT_SEND:
        if (a->text)
            snprintf(buf, n, "send \"%s\"", a->text);
        else if (a->rate_bps)
            snprintf(buf, n, "send %" PRIu64 " rate=%" PRIu64 "bit", a->bytes, a->rate_bps);
        else
            snprintf(buf, n, "send %" PRIu64, a->bytes);
        break;
    case ACT_READ:
        if (a->bytes)
            snprintf(buf, n, "read %" PRIu64, a->bytes);
        else
            snprintf(buf, n, "read");
        break;
    case ACT_LISTEN:
    case ACT_CONNECT:
        snprintf(buf, n, "%s port %u", name, (unsigned)a->port);
        break;
    case ACT_SET:
        snprintf(buf, n, "set (%u setting%s)", a->changed.count, a->changed.count == 1 ? "" : "s");
        break;
    case ACT_LINK: {
        const struct scn_link *l = &w->s->links[a->link];
        snprintf(buf, n, "link %s->%s (%u setting%s)", w->s->hosts[l->from].name,
                 w->s->hosts[l->to].name, a->changed.count, a->changed.count == 1 ? "" : "s");
        break;
    }
    case ACT_NOTE:
        snprintf(buf, n, "note %s", a->text ? a->text : "");
        break;
    case ACT_EXPECT:
        snprintf(buf, n, "expect (%u check%s)", a->nterms, a->nterms == 1 ? "" : "s");
        break;
    default:
        snprintf(buf, n, "%s", name);
        break;
    }
}

void world_user_describe(const struct world *w, size_t i, char *buf, size_t n)
{
    if (!buf || n == 0)
        return;
    buf[0] = '\0';
    if (!w || i >= w->nusers)
        return;
    const struct world_user *u = &w->users[i];
    if (!u->is_fate)
        describe_action(w, &u->action, buf, n);
    else if (u->fate == FATE_DELAY)
        snprintf(buf, n, "delay packet %" PRIu32 " by %" PRIu64 " us", u->packet, u->delay);
    else
        snprintf(buf, n, "%s packet %" PRIu32, world_fate_name(u->fate), u->packet);
}
