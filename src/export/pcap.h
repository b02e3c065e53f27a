/* A writer for the classic libpcap file format, so that a run's packets can
 * be opened in Wireshark or tshark.  The packets are raw IPv4 (no link-layer
 * header), which LINKTYPE_RAW describes. */
#ifndef TCPVIZ_EXPORT_PCAP_H
#define TCPVIZ_EXPORT_PCAP_H

#include <stddef.h>
#include <stdint.h>

#define PCAP_MAGIC_USEC 0xa1b2c3d4u
#define PCAP_VERSION_MAJOR 2
#define PCAP_VERSION_MINOR 4
#define PCAP_SNAPLEN 65535u
/* LINKTYPE_RAW: each packet begins with its IPv4 (or IPv6) header. */
#define PCAP_LINKTYPE_RAW 101u
#define PCAP_GLOBAL_HEADER_LEN 24u
#define PCAP_RECORD_HEADER_LEN 16u

struct pcap_writer;

/* Create (truncate) the file at path and write the global header.  On
 * failure returns NULL with a message naming the path in err. */
struct pcap_writer *pcap_writer_open(const char *path, char *err, size_t errlen);

/* Append one packet stamped with virtual time t_usec.  Packets longer than
 * the snap length are cut, with the real length kept in the record.
 * Returns 0, or -1 once any write has failed (later calls keep failing, so a
 * caller may check only at close). */
int pcap_writer_add(struct pcap_writer *pw, uint64_t t_usec, const uint8_t *pkt, size_t len);

/* Flush, close and free.  0 if every write succeeded, -1 otherwise.
 * Accepts NULL. */
int pcap_writer_close(struct pcap_writer *pw);

#endif
