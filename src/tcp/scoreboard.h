/* The sender's SACK scoreboard and the loss-recovery rules of RFC 6675:
 * which bytes the receiver holds (from SACK blocks), which are deemed lost,
 * how many are in the network ("pipe"), and which to send next. */
#ifndef TCPVIZ_TCP_SCOREBOARD_H
#define TCPVIZ_TCP_SCOREBOARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tcp/segment.h"
#include "tcp/seq.h"

struct sb_range {
    tcp_seq start, end;       /* [start, end) reported SACKed */
};

struct tcp_scoreboard {
    struct sb_range *ranges;  /* sorted, disjoint, all above snd_una */
    size_t count, cap;
    tcp_seq high_rxt;         /* RFC 6675 HighRxt: highest retransmitted */
    tcp_seq rescue_rxt;       /* RFC 6675 RescueRxt */
    bool rescue_valid;
    uint32_t sacked_bytes;    /* total bytes in ranges */
};

void sb_init(struct tcp_scoreboard *sb);
void sb_free(struct tcp_scoreboard *sb);
bool sb_clone(struct tcp_scoreboard *dst, const struct tcp_scoreboard *src);
void sb_reset(struct tcp_scoreboard *sb);  /* forget everything (after RTO, RFC 6675 5.1) */

/* Take the SACK blocks of an arriving ACK.  A first block below snd_una,
 * or inside the second block, is a D-SACK report (RFC 2883) and is not
 * added: *dsack tells the caller one was seen.  Blocks beyond snd_max are
 * ignored.  Returns true when the ACK brought new SACK information (it
 * then counts as a "duplicate" for RFC 6675 even if ACK itself did not
 * move).  Also drops everything below the new snd_una. */
bool sb_update(struct tcp_scoreboard *sb, tcp_seq snd_una, tcp_seq snd_max,
               const struct tcp_sack_block *blocks, unsigned n, bool *dsack);

bool sb_is_sacked(const struct tcp_scoreboard *sb, tcp_seq seq);

/* RFC 6675 IsLost(SeqNum): DupThresh discontiguous SACKed sequences above
 * seq, or more than (DupThresh - 1) * SMSS bytes SACKed above it. */
bool sb_is_lost(const struct tcp_scoreboard *sb, tcp_seq seq, uint32_t mss, unsigned dupthresh);

/* RFC 6675 SetPipe: octets outstanding in the network, for
 * [snd_una, snd_max). */
uint32_t sb_pipe(const struct tcp_scoreboard *sb, tcp_seq snd_una, tcp_seq snd_max,
                 uint32_t mss, unsigned dupthresh);

/* RFC 6675 NextSeg(): the next range to send during recovery, at most mss
 * bytes.  Rule 1: the first unSACKed, lost, not yet retransmitted
 * (above high_rxt) range; rule 2: new data (returns *is_new = true, with
 * *seq = snd_max, when `new_data_available` bytes exist); rule 3: an
 * unSACKed range that is not yet lost but above high_rxt.  Rule 4 (rescue)
 * is left out.  Returns false if nothing may be sent. */
bool sb_next_seg(const struct tcp_scoreboard *sb, tcp_seq snd_una, tcp_seq snd_max,
                 uint32_t mss, unsigned dupthresh, uint32_t new_data_available,
                 tcp_seq *seq, uint32_t *len, bool *is_new);

#endif
