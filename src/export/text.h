/* The tcpdump-like text trace and the closing summary.
 *
 * The golden files of the test suite are made from this output, so every
 * line is stable: absolute sequence numbers (students should see the ISNs),
 * fixed field order, virtual time with six decimals.
 *
 * The formatting core takes plain values (struct export_info,
 * struct export_summary) so that it can be tested without a running world;
 * the world-facing functions only gather those values.  The JSON Lines
 * exporter shares the gathering helpers declared here. */
#ifndef TCPVIZ_EXPORT_TEXT_H
#define TCPVIZ_EXPORT_TEXT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "sim/scenario.h"
#include "sim/world.h"
#include "tcp/event.h"
#include "tcp/state.h"

/* Endpoint number the world uses for segments forged by the scripted third
 * party (and for world events that belong to no host). */
#define EXPORT_ENDPOINT_INJECT 0xFFFFu
#define EXPORT_TEXT_MAX 256

/* What the printers need to know about an event beyond the event itself:
 * the names that live in the scenario. */
struct export_info {
    const char *ep;    /* endpoint name, never NULL */
    const char *file;  /* checkpoint: scenario file, NULL if unknown */
    unsigned line;     /* checkpoint: line in file, 0 if unknown */
    const char *text;  /* checkpoint: the expectation as text; note: its text; NULL if unknown */
    char buf[EXPORT_TEXT_MAX]; /* storage for text when it is built, not borrowed */
};

/* An info with only the endpoint name. */
void export_info_init(struct export_info *info, const char *ep);
/* Gather the names for e from the world's scenario.  info borrows strings
 * from the scenario, which outlives the world. */
void export_info_from_world(struct export_info *info, const struct world *w,
                            const struct trace_entry *e);
/* Host name, "inject" for EXPORT_ENDPOINT_INJECT, "?" if out of range. */
const char *export_endpoint_name(const struct scenario *s, unsigned endpoint);
/* An expect line's terms as the file writes them, so that the scenario
 * parser reads them back: "state=SYN_SENT bytes_read>=10 in_recovery=yes". */
void export_expect_text(const struct scn_action *a, char *buf, size_t len);
/* A value v of term t's key as the file writes it: a state or error name,
 * yes or no, or a number. */
void export_expect_value(const struct scn_expect_term *t, int64_t v, char *buf, size_t len);
/* The rule of the index-th (0-based) action of this kind in file order,
 * which is how checkpoint and note events number them; NULL if none. */
const struct scn_rule *export_nth_rule(const struct scenario *s, enum scn_action_kind kind,
                                       uint32_t index);
/* Dotted quad of a host-order IPv4 address. */
#define EXPORT_IPV4_LEN 16
void export_ipv4(uint32_t addr, char out[EXPORT_IPV4_LEN]);

/* Copy s to out without control characters (C0, DEL and the UTF-8 encoded
 * C1 range), so that text from a scenario file cannot move the cursor or
 * change colours on the user's terminal.  Other UTF-8 passes through. */
void export_put_sanitized(FILE *out, const char *s);

/* One event as one line (with its newline). */
void export_text_event_info(FILE *out, const struct export_info *info, const struct trace_entry *e);
void export_text_event_named(FILE *out, const char *ep_name, const struct trace_entry *e);
void export_text_event(FILE *out, const struct world *w, const struct trace_entry *e);

/* The summary of one endpoint at the end of a run. */
struct export_endpoint_summary {
    const char *name;
    bool up;                    /* false: the host has crashed and not rebooted */
    enum tcp_state state;       /* of the app's current connection, else its listener */
    uint64_t bytes_written, bytes_read;
    uint64_t digest_written, digest_read;
    uint32_t retransmits, rst_sent;
    uint32_t drops[DROP_REASON_COUNT]; /* engine drops plus wire drops */
};

struct export_summary {
    uint64_t t;                 /* virtual time at the end */
    unsigned nendpoints;
    struct export_endpoint_summary ep[SCN_MAX_HOSTS];
    unsigned passed, failed;    /* checkpoints */
};

void export_summary_from_world(struct export_summary *sum, const struct world *w);
void export_text_summary_of(FILE *out, const struct export_summary *sum);
void export_text_summary(FILE *out, const struct world *w);

#endif
