/* The simulated world: hosts running the TCP engine, joined by wires, driven
 * by a virtual clock and a seeded PRNG.  A run is a pure function of
 * (scenario, seed, user actions): the same inputs give the same trace, event
 * for event, which is what lets the UI step backwards (seek) and the tests
 * compare golden traces. */
#ifndef TCPVIZ_SIM_WORLD_H
#define TCPVIZ_SIM_WORLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/scenario.h"
#include "tcp/event.h"
#include "tcp/stack.h"

/* One recorded observation: the event plus when it happened.  ev.endpoint
 * is the host index in the scenario. */
struct trace_entry {
    uint64_t t;
    struct tcp_event ev;
};

/* What the app on one host did, for the summary and for checkpoints. */
struct host_app_stats {
    uint64_t bytes_written;   /* accepted by tcp_send */
    uint64_t bytes_read;      /* returned by tcp_recv */
    uint64_t digest_written;  /* stream digest of the bytes written (sim/stream_digest.h) */
    uint64_t digest_read;     /* stream digest of the bytes read, in order */
    uint32_t accepted;        /* connections accepted */
};

struct world;

/* Byte `index` of what a host's app writes for "HOST send N" (N without a
 * text): index counts every byte the host's app has written so far, so a
 * host whose only writes are such sends writes exactly
 * world_pattern_byte(0, host), world_pattern_byte(1, host), ...  Tests use
 * it to know what the receiver must have read. */
uint8_t world_pattern_byte(uint64_t index, int host);

/* What a world keeps while it runs.  The defaults keep everything, which
 * the UI, the exporters and seeking need.  A lean world (both flags false)
 * is for long runs such as the 100 MB benchmark: every event still reaches
 * the scenario's triggers and checkpoints, on_event and the event count,
 * but is not stored, and a packet's bytes live only while it is in flight
 * (world_packet() answers for those, NULL for the rest). */
struct world_options {
    bool record_trace;  /* store every event (world_trace) */
    bool keep_packets;  /* store every packet's bytes for good */
    /* Called for every event as it happens, in trace order; e is valid only
     * during the call.  The callback must not call into the world. */
    void (*on_event)(void *ctx, const struct trace_entry *e);
    void *ctx;
    /* The kinds of event on_event looks at, bit k for enum tcp_event_kind
     * k; 0 = every kind.  A world that records no trace may then skip the
     * others where nothing else needs them (they still count in
     * world_event_count); on_event may still see some. */
    uint32_t event_kinds;
};

/* The defaults: record everything, no callback. */
void world_options_default(struct world_options *o);

/* Build the world at t=0 for scenario s (which must outlive the world). */
struct world *world_new(const struct scenario *s, uint64_t seed);
/* The same with options (NULL = the defaults). */
struct world *world_new_with(const struct scenario *s, uint64_t seed,
                             const struct world_options *o);
void world_free(struct world *w);

/* Process the next scheduled happening (a packet arrival, a timer, a
 * scripted action).  Returns false when the run is over: nothing left before
 * the scenario's duration. */
bool world_step(struct world *w);
/* Step until over. */
void world_run(struct world *w);
bool world_done(const struct world *w);
uint64_t world_now(const struct world *w);

/* The recorded trace so far (empty when the world does not record it). */
size_t world_trace_len(const struct world *w);
const struct trace_entry *world_trace(const struct world *w); /* array of len */
/* Events that happened so far, recorded or not. */
size_t world_event_count(const struct world *w);

/* Bytes of the packet with this id (struct tcp_event_seg.packet), as it left
 * the sender; NULL if unknown. */
const uint8_t *world_packet(const struct world *w, uint32_t id, size_t *len);
size_t world_packet_count(const struct world *w);
/* True for a corrupted copy the world made to deliver in place of a packet
 * (wire or fault corruption): it never was on the wire as sent, so exports
 * of what was sent (pcap) skip it. */
bool world_packet_is_copy(const struct world *w, uint32_t id);

/* Views for the summary, checkpoints and the UI. */
const struct scenario *world_scenario(const struct world *w);
const struct tcp_stack *world_stack(const struct world *w, int host);
int world_host_socket(const struct world *w, int host); /* the app's current connection, 0 if none */
int world_host_listener(const struct world *w, int host); /* 0 if none */
bool world_host_up(const struct world *w, int host);
const struct host_app_stats *world_host_app(const struct world *w, int host);
void world_checkpoint_counts(const struct world *w, unsigned *passed, unsigned *failed);
/* Checkpoint number `index` (ACT_EXPECT rules numbered in file order):
 * *expect = its action (for file:line in summaries), *passed = its latest
 * result.  Returns true if it has been evaluated. */
bool world_checkpoint_result(const struct world *w, unsigned index, bool *passed,
                             const struct scn_action **expect);
/* What lessons (src/lesson/lesson_run.c) read: the same values and the
 * same event matching as the scenario's own checkpoints and `on` rules, so
 * a lesson's claim means exactly what a scenario's does. */
/* The value of an `expect` key (docs/scenario-format.md: "state", "cwnd",
 * ...) on host now; false for an unknown key or when the host has no
 * connection to read a connection variable from. */
bool world_host_value(const struct world *w, int host, const char *key, int64_t *out);
/* Does trace entry e count as trigger t's event (state=, timer=, sent=,
 * received=, error)?  TRIG_EOF is not an event of the trace: see
 * world_host_eof_count. */
bool world_trigger_matches(const struct world *w, const struct scn_trigger *t,
                           const struct trace_entry *e);
/* How many of host's connections have shown their app the end of the
 * stream (each counts once, as an `on HOST eof` rule does). */
unsigned world_host_eof_count(const struct world *w, int host);
/* Drops on the wire arriving at / leaving each host, by reason. */
uint32_t world_drops(const struct world *w, int host, enum tcp_drop_reason r);

/* Rebuild the world as it was right after the step that recorded trace
 * event `index` (so that world_trace_len() > index), by restoring the
 * nearest snapshot and replaying.  Returns false if the run never gets that
 * far, or if the world does not keep both its trace and its packets (no
 * snapshots are taken then).  The trace before `index` is unchanged. */
bool world_seek(struct world *w, size_t index);

/* ------------------------------------------------------------------ */
/* The user changes the run (world_user.c)                              */
/*
 * A user action happens right after the step that recorded trace event
 * `at_index` (the UI's cursor): the world seeks there, forgets the future
 * (the trace after that step, later user actions, snapshots past it),
 * records the action and applies it as a step of its own whose first event
 * is an EV_USER.  The world keeps its user actions, so seeking back before
 * one and forward again replays it at the same point: the run stays a pure
 * function of (scenario, seed, user actions).  Needs a world that keeps its
 * trace and packets (the defaults).
 *
 * On failure err holds a message for the user ("packet 7 is not in flight
 * at event 12"); the world may have been seeked to at_index but its user
 * actions are unchanged. */

enum world_fate { FATE_DROP, FATE_DELAY, FATE_DUPLICATE, FATE_CORRUPT, FATE_COUNT };

/* A scenario action (any ACT_*, as scenario_parse_action_line gives it;
 * host and link indexes refer to the world's scenario).  The world copies
 * it, text included; the caller keeps a. */
bool world_user_action(struct world *w, size_t at_index, const struct scn_action *a,
                       char *err, size_t n);

/* Decide the fate of a packet in flight at at_index (scheduled for
 * delivery, not yet delivered): drop it (EV_SEG_DROP, reason DROP_USER),
 * delay its arrival by `delay` µs (> 0; ignored by the others), deliver it
 * twice, or flip one bit of its TCP header so that the receiver drops it for
 * its checksum.  When it is scheduled more than once (a duplicate), the
 * earliest arrival is the one decided. */
bool world_set_fate(struct world *w, size_t at_index, uint32_t packet, enum world_fate fate,
                    uint64_t delay, char *err, size_t n);

/* A packet on its way at the current time. */
struct world_flight {
    uint32_t packet;
    int from, to;          /* host indexes; from = -1 for a forged segment */
    uint64_t sent_at;      /* when it left (for a corrupted copy, the original) */
    uint64_t arrives_at;
};
/* The packets scheduled for delivery now, earliest arrival first; writes at
 * most max of them and returns how many it wrote (out NULL: how many
 * there are).  A packet scheduled twice is listed twice. */
size_t world_in_flight(const struct world *w, struct world_flight *out, size_t max);

/* The user actions in force, in the order they happen. */
size_t world_user_action_count(const struct world *w);
struct world_user_info {
    size_t index;          /* trace index of its EV_USER event */
    uint64_t t;            /* virtual time it happened */
    bool is_fate;          /* from world_set_fate, else from world_user_action */
    const struct scn_action *action; /* the world's copy; NULL for a fate */
    uint32_t packet;       /* a fate's packet */
    enum world_fate fate;
    uint64_t delay;        /* FATE_DELAY */
};
bool world_user_action_get(const struct world *w, size_t i, struct world_user_info *out);
/* User action i in words, for the log: "send 1000", "set (2 settings)",
 * "delay packet 12 by 50000 us". */
void world_user_describe(const struct world *w, size_t i, char *buf, size_t n);
/* "send", "close", ... for an ACT_*; "drop", "delay", ... for a fate. */
const char *world_action_name(enum scn_action_kind k);
const char *world_fate_name(enum world_fate f);

#endif
