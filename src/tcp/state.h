/* The eleven connection states of RFC 9293 section 3.3.2. */
#ifndef TCPVIZ_TCP_STATE_H
#define TCPVIZ_TCP_STATE_H

enum tcp_state {
    TCP_CLOSED = 0,
    TCP_LISTEN,
    TCP_SYN_SENT,
    TCP_SYN_RECEIVED,
    TCP_ESTABLISHED,
    TCP_FIN_WAIT_1,
    TCP_FIN_WAIT_2,
    TCP_CLOSE_WAIT,
    TCP_CLOSING,
    TCP_LAST_ACK,
    TCP_TIME_WAIT,
    TCP_STATE_COUNT
};

/* "SYN_SENT" and so on, as Linux's ss and netstat print them. */
const char *tcp_state_name(enum tcp_state s);
/* Parse a name as printed by tcp_state_name (case-insensitive, '-' or '_').
 * Returns -1 when unknown. */
int tcp_state_from_name(const char *name);

#endif
