/* Classic pcap (https://www.tcpdump.org/manpages/pcap-savefile.5.html).
 * Every multi-byte field is written little-endian one byte at a time, so the
 * file is identical whatever the host's byte order; readers detect the order
 * from the magic number. */
#include "export/pcap.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pcap_writer {
    FILE *f;
    bool failed; /* sticky: one lost record makes the whole file suspect */
};

static void put_le16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v & 0xff);
    p[1] = (uint8_t)(v >> 8);
}

static void put_le32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static int write_all(struct pcap_writer *pw, const uint8_t *p, size_t n)
{
    if (pw->failed)
        return -1;
    if (n > 0 && fwrite(p, 1, n, pw->f) != n)
        pw->failed = true;
    return pw->failed ? -1 : 0;
}

struct pcap_writer *pcap_writer_open(const char *path, char *err, size_t errlen)
{
    struct pcap_writer *pw = calloc(1, sizeof *pw);
    if (!pw) {
        snprintf(err, errlen, "%s: out of memory", path);
        return NULL;
    }
    pw->f = fopen(path, "wb");
    if (!pw->f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        free(pw);
        return NULL;
    }
    uint8_t h[PCAP_GLOBAL_HEADER_LEN];
    put_le32(h + 0, PCAP_MAGIC_USEC);
    put_le16(h + 4, PCAP_VERSION_MAJOR);
    put_le16(h + 6, PCAP_VERSION_MINOR);
    put_le32(h + 8, 0);   /* thiszone: timestamps are virtual, no zone */
    put_le32(h + 12, 0);  /* sigfigs: always 0 in practice */
    put_le32(h + 16, PCAP_SNAPLEN);
    put_le32(h + 20, PCAP_LINKTYPE_RAW);
    if (write_all(pw, h, sizeof h) != 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        fclose(pw->f);
        free(pw);
        return NULL;
    }
    return pw;
}

int pcap_writer_add(struct pcap_writer *pw, uint64_t t_usec, const uint8_t *pkt, size_t len)
{
    uint8_t h[PCAP_RECORD_HEADER_LEN];
    size_t incl = len > PCAP_SNAPLEN ? PCAP_SNAPLEN : len;
    /* orig_len is 32 bits; a packet cannot exceed 64 KiB anyway (IPv4 total
     * length), so saturating is only a guard against misuse. */
    uint32_t orig = len > UINT32_MAX ? UINT32_MAX : (uint32_t)len;
    /* ts_sec is 32 bits: virtual runs last far less than 136 years. */
    put_le32(h + 0, (uint32_t)(t_usec / 1000000u));
    put_le32(h + 4, (uint32_t)(t_usec % 1000000u));
    put_le32(h + 8, (uint32_t)incl);
    put_le32(h + 12, orig);
    if (write_all(pw, h, sizeof h) != 0)
        return -1;
    return write_all(pw, pkt, incl);
}

int pcap_writer_close(struct pcap_writer *pw)
{
    if (!pw)
        return 0;
    bool failed = pw->failed;
    /* fclose flushes: a full disk often only shows up here. */
    if (fclose(pw->f) != 0)
        failed = true;
    free(pw);
    return failed ? -1 : 0;
}
