/* The per-connection timers.  Each is a deadline in virtual microseconds;
 * TCP_TIME_NEVER means not armed. */
#ifndef TCPVIZ_TCP_TIMER_H
#define TCPVIZ_TCP_TIMER_H

#include <stdint.h>

#define TCP_TIME_NEVER UINT64_MAX

enum tcp_timer {
    TCP_TIMER_RTO = 0,   /* retransmission: SYN, SYN-ACK, data, FIN */
    TCP_TIMER_PERSIST,   /* zero-window probes */
    TCP_TIMER_DELACK,    /* delayed acknowledgement */
    TCP_TIMER_KEEPALIVE, /* idle time, then probe interval */
    TCP_TIMER_TIME_WAIT, /* 2 * MSL */
    TCP_TIMER_FIN_WAIT_2,
    TCP_TIMER_COUNT
};

/* "rto", "persist", "delack", "keepalive", "time-wait", "fin-wait-2". */
const char *tcp_timer_name(enum tcp_timer t);
int tcp_timer_from_name(const char *name); /* -1 if unknown */

#endif
