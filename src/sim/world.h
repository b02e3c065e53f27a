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
/* Drops on the wire arriving at / leaving each host, by reason. */
uint32_t world_drops(const struct world *w, int host, enum tcp_drop_reason r);

/* Rebuild the world as it was right after the step that recorded trace
 * event `index` (so that world_trace_len() > index), by restoring the
 * nearest snapshot and replaying.  Returns false if the run never gets that
 * far, or if the world does not keep both its trace and its packets (no
 * snapshots are taken then).  The trace before `index` is unchanged. */
bool world_seek(struct world *w, size_t index);

#endif
