/* The world's insides, shared by world.c (hosts, packets, the step loop),
 * world_rules.c (triggers, actions, checkpoints) and world_seek.c
 * (snapshots).  Nothing outside src/sim/world*.c includes this.
 *
 * Everything that changes while the world runs and that a snapshot must
 * capture lives in struct world_state; the trace and the packet store only
 * grow, so a snapshot just remembers their lengths. */
#ifndef TCPVIZ_SIM_WORLD_INTERNAL_H
#define TCPVIZ_SIM_WORLD_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/eventq.h"
#include "sim/prng.h"
#include "sim/scenario.h"
#include "sim/wire.h"
#include "sim/stream_digest.h"
#include "sim/world.h"
#include "tcp/settings.h"
#include "tcp/event.h"
#include "tcp/stack.h"

/* Snapshots are taken at step boundaries once this many trace events have
 * been recorded since the previous one: seeking back replays at most about
 * this many events. */
#define WORLD_SNAPSHOT_EVERY 2048u

/* A set of event kinds as a bit mask: bit k stands for enum tcp_event_kind k. */
#define WORLD_EV_BIT(kind) (UINT32_C(1) << (kind))
#define WORLD_EV_ALL (WORLD_EV_BIT(EV_KIND_COUNT) - 1u)
_Static_assert(EV_KIND_COUNT < 32, "event kinds fit a uint32_t mask");

#define WORLD_NO_PACKET UINT32_MAX
/* ev.endpoint of segments forged by a third party (ACT_INJECT). */
#define WORLD_THIRD_PARTY 0xFFFFu

/* What an eventq item means (eventq_item.kind). */
enum world_item_kind {
    WI_DELIVER = 1, /* a = host, b = packet id: the packet arrives */
    WI_TIMER,       /* a = host, b = host epoch: the host's next deadline */
    WI_RULE,        /* a = rule index: run the rule's action */
    WI_INJECT,      /* a = rule index, b = copy number (>= 1) of an inject */
    WI_APP,         /* a = host, b = host epoch: the app's next paced write or slow read */
    WI_USER_INJECT, /* a = user action index, b = copy number (>= 1) of its inject */
};

/* Per-host callback context handed to the engine.  It lives in the world
 * (not in the snapshotted state), so stacks restored from a snapshot keep
 * pointing at the live world. */
struct host_ctx {
    struct world *w;
    int host;
};

/* A connection the host's app owns (connected or accepted). */
struct app_conn {
    int sock;
    bool eof_seen; /* TRIG_EOF fires once per connection */
};

/* An ACT_SEND not yet fully taken by the send buffer. */
struct pending_send {
    const char *text;   /* the scenario's text (outlives the world), or NULL = pattern */
    uint64_t total;     /* bytes to write */
    uint64_t done;      /* bytes tcp_send accepted so far */
    uint64_t rate_bps;  /* paced: write no faster than this; 0 = as fast as the buffer takes */
    bool started;       /* paced: the clock runs from `start` */
    uint64_t start;     /* when this send first could write (its turn, a writable socket) */
};

struct app_state {
    int sock;            /* current connection handle, 0 = none */
    int listener;        /* listening handle, 0 = none */
    struct host_app_stats stats;
    /* The running digests behind stats.digest_written / digest_read. */
    struct stream_digest written, read;
    struct app_conn *conns;
    size_t nconns, conns_cap;
    struct pending_send *pend;
    size_t npend, pend_cap;
    /* The last send attempt filled the buffer: wait for an arriving segment
     * (an ACK frees space) before trying again, so a blocked app does not
     * fill the trace with failed calls. */
    bool send_blocked;
    /* The earliest WI_APP item scheduled for this app, TCP_TIME_NEVER if none. */
    uint64_t tick_at;
    /* Slow reader ("HOST read N every=T"): reads up to read_bytes (0 = all)
     * at next_read_at and every read_every after; autoread is off while
     * read_every != 0. */
    uint64_t read_every, read_bytes, next_read_at;
    /* Request/response server ("HOST respond request=Q response=R"): every
     * Q bytes read are answered with R bytes; resp_unanswered counts the
     * bytes read towards the next answer. */
    uint64_t resp_request, resp_response, resp_unanswered;
    /* A scripted shutdown/close that came while writes were still queued:
     * it happens once they are all written, as after a blocking write(). */
    bool shutdown_pending, close_pending;
    /* The error of the app's last connect that failed before it had a
     * connection (bind: address in use, ...); TCP_OK once one succeeds.
     * The `error` check reports it while sock is 0. */
    enum tcp_error call_error;
};

struct host_state {
    struct tcp_stack *stack; /* NULL while crashed */
    bool up;
    uint32_t epoch;          /* bumped on crash/reboot: older timer items are stale */
    uint64_t timer_at;       /* earliest WI_TIMER item scheduled, TCP_TIME_NEVER if none */
    struct tcp_config cfg;   /* current defaults (ACT_SET changes them) */
    bool cfg_changed;        /* cfg differs from the scenario's host line */
    struct app_state app;
    uint32_t drops[DROP_REASON_COUNT]; /* drops the world decided, by reason */
};

struct checkpoint_result {
    bool evaluated;
    bool passed;
};

/* All mutable state but the append-only trace and packet store. */
struct world_state {
    uint64_t now;
    bool done;
    bool end_rules_ran;
    struct prng rng;
    struct eventq q;
    struct wire *wires;          /* scenario->nlinks */
    struct host_state hosts[SCN_MAX_HOSTS];
    unsigned *rule_counts;       /* trigger occurrences, per rule */
    unsigned *fault_counts;      /* matches, per fault */
    struct checkpoint_result *checks; /* per checkpoint */
    unsigned passed, failed;
    /* Lengths of the append-only stores when this state was current (only
     * meaningful in snapshots). */
    size_t trace_len, packet_count, arena_len;
};

struct packet_rec {
    size_t offset, len;   /* in the arena */
    bool copy;            /* a corrupted copy made by the world: never on the wire */
    uint64_t sent_at;     /* when it left its sender */
};

/* One user action (world_user.c).  Like the scenario, these are inputs of
 * the run, not state: they live outside struct world_state and survive
 * seeking, which is how a replay meets them again. */
struct world_user {
    size_t at;            /* it runs when the trace is this long: its EV_USER's index */
    uint64_t t;
    bool is_fate;
    struct scn_action action; /* !is_fate: the action, text owned */
    uint32_t packet;      /* is_fate */
    enum world_fate fate;
    uint64_t delay;
};

struct world {
    const struct scenario *s;
    struct host_ctx hctx[SCN_MAX_HOSTS];
    struct world_state st;

    struct trace_entry *trace;
    size_t trace_len, trace_cap;

    struct packet_rec *pkts;
    size_t npkts, pkts_cap;
    uint8_t *arena;
    size_t arena_len, arena_cap;

    uint32_t delivering;     /* packet being fed to a stack, WORLD_NO_PACKET if none */
    uint8_t *scratch;        /* TCP_PACKET_MAX bytes: input copy (the arena may move) */

    /* Immutable after world_new: numbering of rules in file order. */
    unsigned *checkpoint_of_rule; /* ACT_EXPECT rule -> checkpoint number */
    unsigned *note_of_rule;       /* ACT_NOTE rule -> note number */
    unsigned ncheckpoints;

    struct world_state *snaps;
    size_t nsnaps, snaps_cap;

    bool oom;                /* an allocation failed: the run stops */

    struct world_options opt;
    size_t nevents;          /* events so far, recorded or not */
    /* Event kinds some rule's trigger waits for (world_rules_event_kinds). */
    uint32_t rule_kinds;
    /* Event kinds anything but the world's own bookkeeping looks at: the
     * trace, on_event, the rules.  cb_observe only counts the others. */
    uint32_t wanted_kinds;
    /* The stacks' callbacks; .observed tells the engine which kinds to
     * report at all (see world_new_with). */
    struct tcp_stack_ops stack_ops;
    /* Events the stacks of crashed or rebooted hosts left unreported. */
    uint64_t unobserved_gone;
    /* Bytes of packets in flight when !opt.keep_packets (then pkts and
     * arena stay empty); NULL otherwise.  See world_lean.c. */
    struct lean_store *lean;
    /* Per host, the "send N" byte pattern (world_pattern.c); NULL until used. */
    uint8_t *pattern[SCN_MAX_HOSTS];
    /* User actions in force, by increasing `at` (world_user.c). */
    struct world_user *users;
    size_t nusers, users_cap;
};

/* world.c */
void world_record(struct world *w, const struct tcp_event *ev);
/* Append a packet; pkt NULL reserves len bytes for the caller to fill.
 * Returns its id, WORLD_NO_PACKET when out of memory. */
uint32_t world_store_packet(struct world *w, const uint8_t *pkt, size_t len, bool copy);
void world_seg_from_packet(const uint8_t *pkt, size_t len, struct tcp_event_seg *seg);
int world_host_by_addr(const struct world *w, uint32_t addr);
void world_schedule(struct world *w, uint64_t time, uint32_t kind, uint32_t a, uint64_t b);
void world_host_crash(struct world *w, int host);
void world_host_reboot(struct world *w, int host);
void world_app_reset(struct app_state *app);
bool world_app_own(struct world *w, struct app_state *app, int sock);
void world_app_pump(struct world *w, int host);
long world_app_read(struct world *w, int host, int sock, uint64_t max);
void world_app_queue_send(struct world *w, int host, const char *text, uint64_t bytes,
                          uint64_t rate_bps);
void world_app_start_slow_reader(struct world *w, int host, uint64_t bytes, uint64_t every);
void world_app_start_responder(struct world *w, int host, uint64_t request, uint64_t response);
void world_app_tick_done(struct world *w, int host, uint64_t time);
bool world_app_defer_close(struct world *w, int host, bool full_close);
void world_note_eof(struct world *w, int host);
/* A corrupted copy of packet id with bit `bit` (mod its length in bits)
 * flipped; returns its id (the original's when no copy can be made). */
uint32_t world_corrupt_copy(struct world *w, uint32_t id, uint64_t bit);

/* world_rules.c */
bool world_rules_init(struct world *w);
/* The event kinds (WORLD_EV_BIT) some rule of s waits for. */
uint32_t world_rules_event_kinds(const struct scenario *s);
void world_rules_on_event(struct world *w, const struct tcp_event *ev);
void world_rules_on_eof(struct world *w, int host);
void world_rule_run(struct world *w, size_t rule);
void world_inject_run(struct world *w, size_t rule, unsigned copy);
/* Send copy number `copy` of a forged segment; the next copy is scheduled
 * as an item (kind, a, copy + 1). */
void world_inject_send(struct world *w, const struct scn_inject *in, unsigned copy,
                       uint32_t kind, uint32_t a);
/* Run an action that needs no rule of its own (not expect, note or inject). */
void world_action_apply(struct world *w, const struct scn_action *a);
/* Does the expect action a hold now? */
bool world_expect_holds(const struct world *w, const struct scn_action *a);
void world_rules_run_end(struct world *w);
bool world_seg_match(const struct scn_seg_match *m, int from, int to,
                     uint8_t flags, uint32_t paylen);

/* world_pattern.c: len (<= WORLD_PATTERN_SPAN) bytes of the host's "send N"
 * stream from byte `offset` on, NULL when out of memory. */
#define WORLD_PATTERN_SPAN 16384u
const uint8_t *world_pattern_span(struct world *w, int host, uint64_t offset, size_t len);
void world_pattern_free(struct world *w);

/* world_lean.c: the in-flight packet store of a lean world. */
struct lean_store;
struct lean_store *world_lean_new(void);
void world_lean_free(struct lean_store *ls);
/* Like world_store_packet (the id comes from w->npkts).  A packet built
 * in the buffer world_lean_buffer handed out is kept there, not copied. */
uint32_t world_lean_store(struct world *w, const uint8_t *pkt, size_t len, bool copy);
/* A buffer for a stack to build its next packet of len bytes in (NULL if
 * too big): the same one until a packet built there is stored. */
uint8_t *world_lean_buffer(struct lean_store *ls, size_t len);
/* The packet's bytes while it is in flight, NULL otherwise. */
uint8_t *world_lean_packet(struct lean_store *ls, uint32_t id, size_t *len, bool *copy);
/* A WI_DELIVER item naming id was scheduled / has run. */
void world_lean_hold(struct lean_store *ls, uint32_t id);
void world_lean_release(struct lean_store *ls, uint32_t id);
/* End of a step: free what was stored in it and that nothing will deliver. */
void world_lean_sweep(struct lean_store *ls);
size_t world_lean_live(const struct lean_store *ls);

/* world_user.c */
/* If a user action is due (the trace has reached its point), run it and
 * return true; world_step then settles the world as after any step. */
bool world_user_run_due(struct world *w);
void world_user_inject_run(struct world *w, size_t user, unsigned copy);
void world_users_free(struct world *w);

/* world_seek.c */
/* Seeking needs the whole trace and every packet; snapshots are taken only
 * then. */
bool world_seekable(const struct world *w);
bool world_state_clone(struct world *w, struct world_state *dst, const struct world_state *src);
void world_state_free(const struct world *w, struct world_state *st);
bool world_snapshot_take(struct world *w);
void world_maybe_snapshot(struct world *w);
void world_snapshots_free(struct world *w);

#endif
