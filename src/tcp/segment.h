/* The segment codec: IPv4 + TCP headers as real bytes on the wire.
 *
 * Decoding never reads outside the buffer it is given and reports why a
 * packet was rejected; encoding computes both checksums.  Addresses and all
 * numeric fields are in host byte order in struct tcp_segment. */
#ifndef TCPVIZ_TCP_SEGMENT_H
#define TCPVIZ_TCP_SEGMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
    TCP_FIN = 0x01,
    TCP_SYN = 0x02,
    TCP_RST = 0x04,
    TCP_PSH = 0x08,
    TCP_ACK = 0x10,
    TCP_URG = 0x20,
    TCP_ECE = 0x40,
    TCP_CWR = 0x80,
};

#define IPV4_HEADER_LEN 20u
#define TCP_HEADER_MIN_LEN 20u
#define TCP_OPTIONS_MAX_LEN 40u
#define TCP_SACK_MAX_BLOCKS 4u
/* Largest packet the codec builds or accepts: the IPv4 total length field. */
#define TCP_PACKET_MAX 65535u

struct tcp_sack_block {
    uint32_t left;  /* first sequence number of the block */
    uint32_t right; /* sequence number just after the block */
};

struct tcp_options {
    bool has_mss;
    uint16_t mss;
    bool has_wscale;
    uint8_t wscale;
    bool sack_permitted;
    uint8_t sack_count; /* number of valid entries in sack[] */
    struct tcp_sack_block sack[TCP_SACK_MAX_BLOCKS];
    bool has_timestamps;
    uint32_t ts_val;
    uint32_t ts_ecr;
    uint8_t unknown_count; /* options skipped by length on decode */
};

struct tcp_segment {
    /* IPv4 */
    uint32_t src_addr;
    uint32_t dst_addr;
    uint16_t ip_id;
    uint8_t ttl;
    /* TCP */
    uint16_t src_port;
    uint16_t dst_port;
    uint32_t seq;
    uint32_t ack;
    uint8_t flags;
    uint16_t window; /* the raw 16-bit field, before any window scaling */
    uint16_t urgent;
    struct tcp_options opt;
    const uint8_t *payload; /* decode: points into the decoded buffer */
    size_t payload_len;
    /* Filled by decode only: the checksum field as received. */
    uint16_t checksum;
};

enum seg_error {
    SEG_OK = 0,
    SEG_ERR_SHORT_IP,        /* fewer bytes than an IPv4 header */
    SEG_ERR_IP_VERSION,      /* not IPv4 */
    SEG_ERR_IP_HEADER_LEN,   /* IHL < 5 or past the end */
    SEG_ERR_IP_TOTAL_LEN,    /* total length disagrees with the buffer */
    SEG_ERR_IP_CHECKSUM,
    SEG_ERR_IP_FRAGMENT,     /* fragments are not reassembled */
    SEG_ERR_NOT_TCP,
    SEG_ERR_SHORT_TCP,       /* fewer bytes than a TCP header */
    SEG_ERR_DATA_OFFSET,     /* data offset < 5 or past the end */
    SEG_ERR_OPTION_LENGTH,   /* an option's length runs past the header or is < 2 */
    SEG_ERR_TCP_CHECKSUM,
    SEG_ERR_COUNT
};

/* Parse an IPv4 packet carrying TCP.  On success *out describes it and its
 * payload pointer aims into pkt.  On failure *out is unspecified. */
enum seg_error tcp_segment_decode(const uint8_t *pkt, size_t len, struct tcp_segment *out);
/* The same without summing the payload for the TCP checksum: only for a
 * packet this process has just encoded (the world labelling what a stack
 * emitted), where the sum would be a third pass over every byte sent. */
enum seg_error tcp_segment_decode_unverified(const uint8_t *pkt, size_t len,
                                             struct tcp_segment *out);
/* The same verifying neither checksum: reads the headers of a packet whose
 * checksum has failed (to show which segment was lost), when they are
 * whole.  Never for a packet that is then processed. */
enum seg_error tcp_segment_decode_headers(const uint8_t *pkt, size_t len, struct tcp_segment *out);

/* Build the packet for seg into buf (capacity cap).  Returns the packet
 * length, or 0 if it does not fit in cap or in TCP_PACKET_MAX. */
size_t tcp_segment_encode(const struct tcp_segment *seg, uint8_t *buf, size_t cap);

/* Bytes tcp_segment_encode would write for seg (0 if it cannot be built). */
size_t tcp_segment_encoded_len(const struct tcp_segment *seg);

/* Bytes of TCP options that encode would write for opt (padded to 4). */
size_t tcp_options_encoded_len(const struct tcp_options *opt);

/* SEG.LEN of RFC 9293: payload bytes plus one for SYN and one for FIN. */
uint32_t tcp_segment_seq_len(const struct tcp_segment *seg);

/* Short stable name of a decode error, e.g. "bad-checksum". */
const char *seg_error_name(enum seg_error err);

/* The Internet checksum (RFC 1071) of a buffer, folded, not complemented,
 * added to an initial partial sum. */
uint32_t inet_checksum_add(uint32_t sum, const uint8_t *data, size_t len);
uint16_t inet_checksum_finish(uint32_t sum);

/* Flags as text in tcpdump's style: "S", "S.", "F.", "R", "P." ... */
void tcp_flags_short(uint8_t flags, char out[10]);
/* Flags as words: "SYN,ACK". */
void tcp_flags_words(uint8_t flags, char out[40]);

#endif
