/* A scenario: everything needed to run the world, as parsed from a scenario
 * file (see docs/scenario-format.md).  The parser lives in src/lesson/; the
 * world only consumes this struct.  Lessons (a later issue) extend the file
 * format with narration and questions; they keep this struct as their
 * "scenario" part. */
#ifndef TCPVIZ_SIM_SCENARIO_H
#define TCPVIZ_SIM_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/wire.h"
#include "tcp/settings.h"

#define SCN_NAME_MAX 32
#define SCN_MAX_HOSTS 16

/* Where a scenario line came from, for error messages and for the UI. */
struct scn_origin {
    const char *file; /* points to scenario->file */
    unsigned line;
};

struct scn_host {
    char name[SCN_NAME_MAX];
    uint32_t addr;            /* IPv4, host order */
    struct tcp_config cfg;    /* defaults overridden by the host line */
    struct scn_origin origin;
};

struct scn_link {
    int from, to;             /* host indexes */
    struct wire_params params;
    struct scn_origin origin;
};

/* Matches segments for fault rules and triggers. */
struct scn_seg_match {
    int from;                 /* host index, -1 = any */
    int to;                   /* host index, -1 = any */
    uint8_t flags_set;        /* these flags must be set */
    uint8_t flags_clear;      /* these flags must be clear */
    bool exact_flags;         /* flags must equal flags_set exactly */
    int data;                 /* 1 = payload > 0, 0 = payload == 0, -1 = either */
    unsigned nth;             /* the nth matching segment (1-based); 0 = every one */
};

enum scn_fault_kind { FAULT_DROP, FAULT_DELAY, FAULT_DUPLICATE, FAULT_CORRUPT };

struct scn_fault {
    enum scn_fault_kind kind;
    struct scn_seg_match match;
    uint64_t delay;           /* FAULT_DELAY: extra delay, µs */
    struct scn_origin origin;
};

enum scn_action_kind {
    ACT_LISTEN,     /* host listen port [backlog] */
    ACT_CONNECT,    /* host connect peer_host:port [local port] */
    ACT_ACCEPT,     /* host accept */
    ACT_SEND,       /* host send N bytes (or text), all at once or at a rate */
    ACT_READ,       /* host read N bytes (0 = all), once or every `every` */
    ACT_SHUTDOWN,
    ACT_CLOSE,
    ACT_ABORT,
    ACT_CRASH,      /* host vanishes silently */
    ACT_REBOOT,     /* host comes back knowing no connections */
    ACT_SET,        /* change the host's config for its current and future sockets */
    ACT_LINK,       /* change a link's parameters */
    ACT_INJECT,     /* a forged segment from a third party */
    ACT_EXPECT,     /* a checkpoint */
    ACT_NOTE,       /* free text put in the trace */
    ACT_RESPOND,    /* host answers every `request` bytes read with `response` bytes */
    ACT_KIND_COUNT
};

enum scn_cmp { CMP_EQ, CMP_NE, CMP_LT, CMP_LE, CMP_GT, CMP_GE };

/* Does `have OP want` hold?  (The one comparison of checkpoints and
 * lesson claims.) */
bool scn_cmp_holds(int64_t have, enum scn_cmp cmp, int64_t want);
/* The operator as a file writes it: "=", "!=", "<", "<=", ">", ">=". */
const char *scn_cmp_text(enum scn_cmp cmp);

/* One "key OP value" of an expect line. */
struct scn_expect_term {
    char key[SCN_NAME_MAX];   /* "state", "bytes_read", "error", ... (docs list them) */
    enum scn_cmp cmp;
    int64_t value;            /* numbers, or enum values (state, error) */
    bool is_state;            /* value is an enum tcp_state */
    bool is_error;            /* value is an enum tcp_error */
};
#define SCN_EXPECT_MAX_TERMS 8

struct scn_inject {
    uint32_t src_addr, dst_addr;
    uint16_t src_port, dst_port;
    uint8_t flags;
    uint32_t seq, ack;
    uint16_t win;
    uint32_t len;             /* payload bytes (zeros) */
    bool seq_random;          /* seq drawn from the PRNG */
    bool src_random;          /* source address and port drawn from the PRNG (spoofing) */
    unsigned count;           /* how many to send */
    uint64_t interval;        /* between them, µs */
    uint16_t mss;             /* MSS option on SYNs; 0 = none */
};

/* The fields one "set" or "link" action line writes, as byte ranges of
 * struct tcp_config / struct wire_params: the world changes only these, so
 * a later line does not undo what an earlier one changed. */
#define SCN_SET_MAX_FIELDS 32
struct scn_field_set {
    unsigned count;           /* 0: take the whole struct */
    struct { uint16_t offset, size; } field[SCN_SET_MAX_FIELDS];
};

struct scn_action {
    enum scn_action_kind kind;
    int host;                 /* acting host index (-1 for ACT_LINK/ACT_INJECT/ACT_NOTE) */
    uint32_t peer_addr;       /* ACT_CONNECT: resolved address */
    uint16_t port;            /* ACT_LISTEN/ACT_CONNECT: port; */
    uint16_t local_port;      /* ACT_CONNECT: explicit local port, 0 = ephemeral */
    unsigned backlog;         /* ACT_LISTEN */
    uint64_t bytes;           /* ACT_SEND/ACT_READ */
    uint64_t rate_bps;        /* ACT_SEND: pace the writes at this rate; 0 = all at once */
    uint64_t every;           /* ACT_READ: read `bytes` every this long from now on (µs);
                               * 0 = read once */
    uint64_t request, response; /* ACT_RESPOND: sizes in bytes */
    char *text;               /* ACT_SEND text payload (owned) or ACT_NOTE text */
    struct tcp_config cfg;    /* ACT_SET: the host line's config with this line's changes */
    int link;                 /* ACT_LINK: link index */
    struct wire_params link_params; /* ACT_LINK: the link line's params with this line's changes */
    struct scn_field_set changed; /* ACT_SET/ACT_LINK: what this line changes */
    struct scn_inject inject; /* ACT_INJECT */
    unsigned nterms;          /* ACT_EXPECT */
    struct scn_expect_term terms[SCN_EXPECT_MAX_TERMS];
    struct scn_origin origin;
};

enum scn_trigger_kind {
    TRIG_AT,        /* at an absolute time */
    TRIG_END,       /* when the run ends (expectations about the final state) */
    TRIG_STATE,     /* host's connection enters state */
    TRIG_TIMER,     /* host's timer fires */
    TRIG_SENT,      /* host sends a segment matching */
    TRIG_RECEIVED,  /* host receives a segment matching */
    TRIG_EOF,       /* host's app sees end of stream */
    TRIG_ERROR,     /* host's connection reports an error */
    TRIG_ESTABLISHED_ANY, /* unused placeholder kept for format growth */
};

struct scn_trigger {
    enum scn_trigger_kind kind;
    uint64_t at;              /* TRIG_AT */
    int host;                 /* for the others */
    int value;                /* TRIG_STATE: tcp_state; TRIG_TIMER: tcp_timer */
    struct scn_seg_match match; /* TRIG_SENT/TRIG_RECEIVED (from/to filled in) */
    unsigned nth;             /* fire on the nth occurrence (1-based, default 1) */
    uint64_t after;           /* then wait this long before acting (µs) */
};

/* "at 1s client close", "on client state=CLOSE_WAIT server close". */
struct scn_rule {
    struct scn_trigger trigger;
    struct scn_action action;
};

struct scenario {
    char *file;               /* path as given (owned) */
    char *title;              /* owned, may be NULL */
    uint64_t duration;        /* µs; the run stops here (default 60 s) */
    uint64_t seed;            /* default seed; --seed overrides */
    bool has_seed;

    unsigned nhosts;
    struct scn_host hosts[SCN_MAX_HOSTS];

    size_t nlinks;
    struct scn_link *links;   /* owned */

    size_t nfaults;
    struct scn_fault *faults; /* owned */

    size_t nrules;
    struct scn_rule *rules;   /* owned, in file order */

    size_t nexpects;          /* how many rules are ACT_EXPECT (checkpoints) */
};

/* Find a host by name; -1 if none. */
int scenario_host_index(const struct scenario *s, const char *name);
/* Find the link from -> to; -1 if none. */
int scenario_link_index(const struct scenario *s, int from, int to);
void scenario_free(struct scenario *s);

#endif
