/* Default endpoint settings and where each comes from. */
#include "tcp/settings.h"
#include "tcp/cc.h"

#include <string.h>

void tcp_config_defaults(struct tcp_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    /* 1460 = 1500-byte Ethernet MTU minus 20 bytes IPv4 and 20 bytes TCP. */
    cfg->mss = 1460;
    cfg->sndbuf = 64 * 1024;
    cfg->rcvbuf = 64 * 1024;

    /* RFC 6298 2.1: RTO starts at 1 s.  2.4 says round a computed RTO up to
     * 1 s; Linux uses 200 ms, which we keep as the default lower bound so
     * that LAN-like scenarios look like what students see in captures.
     * 2.5: a maximum may be placed on RTO provided it is at least 60 s;
     * Linux uses 120 s. */
    cfg->rto_initial = 1 * TCP_USEC_PER_SEC;
    cfg->rto_min = 200 * TCP_USEC_PER_MS;
    cfg->rto_max = 120 * TCP_USEC_PER_SEC;
    /* Linux: net.ipv4.tcp_syn_retries = 6, tcp_synack_retries = 5,
     * tcp_retries2 = 15.  RFC 1122 4.2.3.5 asks that R2 for a SYN cover at
     * least 3 minutes; 6 retries with doubling from 1 s give 127 s before
     * the last one times out, as on Linux. */
    cfg->syn_retries = 6;
    cfg->synack_retries = 5;
    cfg->retries = 15;

    /* RFC 9293 3.4.2 (and RFC 793) takes MSL = 2 minutes; Linux hard-codes a
     * 60 s TIME_WAIT.  We follow the RFC; scenarios usually shorten it. */
    cfg->msl = 120 * TCP_USEC_PER_SEC;
    /* Linux net.ipv4.tcp_fin_timeout = 60 s for orphaned FIN_WAIT_2. */
    cfg->fin_wait2_timeout = 60 * TCP_USEC_PER_SEC;

    /* RFC 1122 4.2.3.6: keepalive off by default; the idle interval must be
     * configurable and default to no less than two hours.  75 s and 9
     * probes are the BSD/Linux defaults (tcp_keepalive_intvl/probes). */
    cfg->keepalive = false;
    cfg->keepalive_idle = 7200 * TCP_USEC_PER_SEC;
    cfg->keepalive_interval = 75 * TCP_USEC_PER_SEC;
    cfg->keepalive_probes = 9;

    /* RFC 1122 4.2.3.2: the delay must be less than 0.5 s.  Linux starts
     * at its minimum, 40 ms (BSD's classic value is 200 ms).  Keeping it
     * below rto_min matters: a 200 ms delayed ACK against a 200 ms RTO
     * makes the first lone segment of every exchange time out spuriously. */
    cfg->delack_timeout = 40 * TCP_USEC_PER_MS;

    /* Linux net.ipv4.tcp_max_syn_backlog is larger; a small default keeps
     * the SYN-flood lesson readable.  SYN cookies off so the queue filling
     * up is visible unless a scenario turns the defence on. */
    cfg->syn_backlog = 128;
    cfg->syncookies = false;

    cfg->reuseaddr = false;
    cfg->nagle = true;    /* RFC 1122 4.2.3.4: Nagle SHOULD be on */
    cfg->sack = false;    /* data-transfer features are opt-in per scenario */
    cfg->timestamps = false;
    cfg->wscale = -1;

    /* NewReno is what RFC 6582 recommends over Reno; IW 10 per RFC 6928
     * (Linux's default); dupthresh 3 per RFC 5681 3.2. */
    cfg->cc = TCP_CC_NEWRENO;
    cfg->initial_window = 10;
    cfg->ssthresh_initial = 0;
    cfg->dupthresh = 3;
    cfg->sack_recovery = true;
    cfg->dsack = true;

    /* RFC 9293 3.8.6.1 / RFC 1122 4.2.2.17: probe a zero window with
     * exponential backoff; Linux starts at the RTO (at least 200 ms) and
     * caps at 120 s. */
    cfg->persist_min = 200 * TCP_USEC_PER_MS;
    cfg->persist_max = 60 * TCP_USEC_PER_SEC;
    /* RFC 1122 4.2.3.4: an override timeout of 0.1-1 s for the sender's
     * silly-window avoidance. */
    cfg->sws_override = 200 * TCP_USEC_PER_MS;

    cfg->isn_fixed = false;
    cfg->isn = 0;
    cfg->autoread = true;
    cfg->autoaccept = true;
}
