/* Tests of the segment codec (src/tcp/segment.c) and the sequence helpers.
 *
 * The two reference packets below were built by an independent script and
 * checked with tshark ("Header checksum ... [correct]", "Checksum ...
 * [correct]", options dissected as written), so they pin the byte layout
 * and both checksums without trusting the code under test. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "tcp/segment.h"
#include "tcp/seq.h"

#include "check_main.h"

/* SYN 192.168.1.10:49152 -> 93.184.216.34:80, seq 0x12345678, win 64240,
 * ip_id 0x1c46, TTL 64, DF, options: mss 1460, sackOK, TS val 0x01020304
 * ecr 0, nop, wscale 7.  IP checksum 0x26e9, TCP checksum 0x287f. */
static const uint8_t known_syn[] = {
    0x45, 0x00, 0x00, 0x3c, 0x1c, 0x46, 0x40, 0x00, 0x40, 0x06, 0x26, 0xe9, 0xc0, 0xa8, 0x01,
    0x0a, 0x5d, 0xb8, 0xd8, 0x22, 0xc0, 0x00, 0x00, 0x50, 0x12, 0x34, 0x56, 0x78, 0x00, 0x00,
    0x00, 0x00, 0xa0, 0x02, 0xfa, 0xf0, 0x28, 0x7f, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4, 0x04,
    0x02, 0x08, 0x0a, 0x01, 0x02, 0x03, 0x04, 0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x07,
};

/* PSH|ACK 93.184.216.34:80 -> 192.168.1.10:49152, seq 0x9abcdef0,
 * ack 0x12345679, win 502, ip_id 1, TTL 63, options nop,nop,TS val
 * 0x0a0b0c0d ecr 0x01020304, payload "hello, tcp!" (odd length on purpose).
 * IP checksum 0x442b, TCP checksum 0xd77a. */
static const uint8_t known_data[] = {
    0x45, 0x00, 0x00, 0x3f, 0x00, 0x01, 0x40, 0x00, 0x3f, 0x06, 0x44, 0x2b, 0x5d, 0xb8,
    0xd8, 0x22, 0xc0, 0xa8, 0x01, 0x0a, 0x00, 0x50, 0xc0, 0x00, 0x9a, 0xbc, 0xde, 0xf0,
    0x12, 0x34, 0x56, 0x79, 0x80, 0x18, 0x01, 0xf6, 0xd7, 0x7a, 0x00, 0x00, 0x01, 0x01,
    0x08, 0x0a, 0x0a, 0x0b, 0x0c, 0x0d, 0x01, 0x02, 0x03, 0x04, 0x68, 0x65, 0x6c, 0x6c,
    0x6f, 0x2c, 0x20, 0x74, 0x63, 0x70, 0x21,
};

#define ADDR(a, b, c, d) (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) | (uint32_t)(d))

/* ---- independent helpers for crafting packets ---- */

/* A second, deliberately naive RFC 1071 checksum so that crafted packets do
 * not depend on the implementation under test. */
static unsigned long naive_sum(unsigned long sum, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        sum += (i % 2 == 0) ? (unsigned long)p[i] << 8 : p[i];
    return sum;
}

/* a must have even length (the pseudo-header does). */
static uint16_t reference_checksum(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
    unsigned long sum = naive_sum(naive_sum(0, a, alen), b, blen);
    while (sum > 0xffff)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)(~sum & 0xffff);
}

static size_t ihl_of(const uint8_t *pkt)
{
    return (size_t)(pkt[0] & 0x0f) * 4;
}

static void fix_ip_checksum(uint8_t *pkt)
{
    pkt[10] = pkt[11] = 0;
    uint16_t c = reference_checksum(pkt, ihl_of(pkt), NULL, 0);
    pkt[10] = (uint8_t)(c >> 8);
    pkt[11] = (uint8_t)c;
}

/* TCP checksum over pseudo-header + segment, total length from the IP header. */
static void fix_tcp_checksum(uint8_t *pkt)
{
    size_t ihl = ihl_of(pkt);
    size_t total = (size_t)(pkt[2] << 8 | pkt[3]);
    size_t tcp_len = total - ihl;
    uint8_t *tcp = pkt + ihl;
    uint8_t pseudo[12];
    memcpy(pseudo, pkt + 12, 8);
    pseudo[8] = 0;
    pseudo[9] = 6;
    pseudo[10] = (uint8_t)(tcp_len >> 8);
    pseudo[11] = (uint8_t)tcp_len;
    tcp[16] = tcp[17] = 0;
    uint16_t c = reference_checksum(pseudo, sizeof pseudo, tcp, tcp_len);
    tcp[16] = (uint8_t)(c >> 8);
    tcp[17] = (uint8_t)c;
}

static void fix_checksums(uint8_t *pkt)
{
    fix_ip_checksum(pkt);
    fix_tcp_checksum(pkt);
}

static void set_total_len(uint8_t *pkt, size_t total)
{
    pkt[2] = (uint8_t)(total >> 8);
    pkt[3] = (uint8_t)total;
}

/* Build a packet (20-byte IP header, TCP header with the given raw option
 * bytes, no payload) with correct checksums.  Returns its length. */
static size_t craft_with_raw_options(uint8_t *pkt, const uint8_t *opts, size_t opt_len)
{
    ck_assert_uint_eq(opt_len % 4, 0);
    memcpy(pkt, known_syn, 40); /* IP header + fixed TCP header */
    memcpy(pkt + 40, opts, opt_len);
    pkt[32] = (uint8_t)(((20 + opt_len) / 4) << 4);
    set_total_len(pkt, 40 + opt_len);
    fix_checksums(pkt);
    return 40 + opt_len;
}

static enum seg_error decode_raw_options(const uint8_t *opts, size_t opt_len, struct tcp_segment *out)
{
    uint8_t pkt[80];
    size_t n = craft_with_raw_options(pkt, opts, opt_len);
    return tcp_segment_decode(pkt, n, out);
}

static struct tcp_segment syn_with_all_options(void)
{
    struct tcp_segment s;
    memset(&s, 0, sizeof s);
    s.src_addr = ADDR(10, 0, 0, 1);
    s.dst_addr = ADDR(10, 0, 0, 2);
    s.ip_id = 0xbeef;
    s.ttl = 55;
    s.src_port = 49152;
    s.dst_port = 80;
    s.seq = 0xfffffff0u;
    s.flags = TCP_SYN;
    s.window = 65535;
    s.opt.has_mss = true;
    s.opt.mss = 1460;
    s.opt.has_wscale = true;
    s.opt.wscale = 14;
    s.opt.sack_permitted = true;
    s.opt.has_timestamps = true;
    s.opt.ts_val = 0xdeadbeefu;
    s.opt.ts_ecr = 0;
    return s;
}

/* ---- known packets: decode and byte-exact encode ---- */

START_TEST(test_known_syn_decodes)
{
    struct tcp_segment s;
    ck_assert_int_eq(tcp_segment_decode(known_syn, sizeof known_syn, &s), SEG_OK);
    ck_assert_uint_eq(s.src_addr, ADDR(192, 168, 1, 10));
    ck_assert_uint_eq(s.dst_addr, ADDR(93, 184, 216, 34));
    ck_assert_uint_eq(s.ip_id, 0x1c46);
    ck_assert_uint_eq(s.ttl, 64);
    ck_assert_uint_eq(s.src_port, 49152);
    ck_assert_uint_eq(s.dst_port, 80);
    ck_assert_uint_eq(s.seq, 0x12345678u);
    ck_assert_uint_eq(s.ack, 0);
    ck_assert_uint_eq(s.flags, TCP_SYN);
    ck_assert_uint_eq(s.window, 64240);
    ck_assert_uint_eq(s.checksum, 0x287f);
    ck_assert(s.opt.has_mss);
    ck_assert_uint_eq(s.opt.mss, 1460);
    ck_assert(s.opt.sack_permitted);
    ck_assert(s.opt.has_timestamps);
    ck_assert_uint_eq(s.opt.ts_val, 0x01020304u);
    ck_assert_uint_eq(s.opt.ts_ecr, 0);
    ck_assert(s.opt.has_wscale);
    ck_assert_uint_eq(s.opt.wscale, 7);
    ck_assert_uint_eq(s.opt.sack_count, 0);
    ck_assert_uint_eq(s.opt.unknown_count, 0);
    ck_assert_uint_eq(s.payload_len, 0);
}
END_TEST

START_TEST(test_known_syn_encodes_byte_exact)
{
    struct tcp_segment s;
    memset(&s, 0, sizeof s);
    s.src_addr = ADDR(192, 168, 1, 10);
    s.dst_addr = ADDR(93, 184, 216, 34);
    s.ip_id = 0x1c46;
    s.ttl = 0; /* encode must default to 64 */
    s.src_port = 49152;
    s.dst_port = 80;
    s.seq = 0x12345678u;
    s.flags = TCP_SYN;
    s.window = 64240;
    s.opt.has_mss = true;
    s.opt.mss = 1460;
    s.opt.sack_permitted = true;
    s.opt.has_timestamps = true;
    s.opt.ts_val = 0x01020304u;
    s.opt.has_wscale = true;
    s.opt.wscale = 7;
    uint8_t buf[128];
    size_t n = tcp_segment_encode(&s, buf, sizeof buf);
    ck_assert_uint_eq(n, sizeof known_syn);
    ck_assert_mem_eq(buf, known_syn, sizeof known_syn);
}
END_TEST

START_TEST(test_known_data_round_trip)
{
    struct tcp_segment s;
    ck_assert_int_eq(tcp_segment_decode(known_data, sizeof known_data, &s), SEG_OK);
    ck_assert_uint_eq(s.flags, TCP_PSH | TCP_ACK);
    ck_assert_uint_eq(s.seq, 0x9abcdef0u);
    ck_assert_uint_eq(s.ack, 0x12345679u);
    ck_assert_uint_eq(s.window, 502);
    ck_assert_uint_eq(s.ttl, 63);
    ck_assert_uint_eq(s.checksum, 0xd77a);
    ck_assert(s.opt.has_timestamps);
    ck_assert(!s.opt.has_mss);
    ck_assert_uint_eq(s.opt.ts_val, 0x0a0b0c0du);
    ck_assert_uint_eq(s.opt.ts_ecr, 0x01020304u);
    ck_assert_uint_eq(s.payload_len, 11);
    /* The payload aims into the buffer, not at a copy. */
    ck_assert_ptr_eq(s.payload, known_data + sizeof known_data - 11);
    ck_assert_mem_eq(s.payload, "hello, tcp!", 11);

    uint8_t buf[128];
    size_t n = tcp_segment_encode(&s, buf, sizeof buf);
    ck_assert_uint_eq(n, sizeof known_data);
    ck_assert_mem_eq(buf, known_data, sizeof known_data);
}
END_TEST

START_TEST(test_rfc1071_example_checksum)
{
    /* RFC 1071 section 3 worked example: the folded sum is 0xddf2. */
    const uint8_t bytes[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
    ck_assert_uint_eq(inet_checksum_add(0, bytes, sizeof bytes), 0xddf2);
    ck_assert_uint_eq(inet_checksum_finish(inet_checksum_add(0, bytes, sizeof bytes)), 0x220d);
    /* Summing in two even pieces gives the same answer. */
    uint32_t part = inet_checksum_add(0, bytes, 4);
    ck_assert_uint_eq(inet_checksum_add(part, bytes + 4, 4), 0xddf2);
}
END_TEST

/* The word-at-a-time sum must agree with the naive byte sum for every
 * length (odd tails, the 8-byte loop's remainder), for any starting sum
 * and for data that carries a lot (runs of 0xff). */
START_TEST(test_checksum_matches_naive_sum_every_length)
{
    enum { MAX_LEN = 1600 };
    static uint8_t data[MAX_LEN];
    uint32_t x = 12345;
    for (size_t i = 0; i < MAX_LEN; i++) {
        x = x * 1103515245u + 12345u;
        data[i] = (i / 64) % 3 == 0 ? 0xff : (uint8_t)(x >> 16);
    }
    for (size_t len = 0; len <= MAX_LEN; len++) {
        for (uint32_t start = 0; start <= 0xffff; start += 0x7fff) {
            unsigned long want = naive_sum(start, data, len);
            while (want > 0xffff)
                want = (want & 0xffff) + (want >> 16);
            ck_assert_uint_eq(inet_checksum_add(start, data, len), want);
        }
    }
}
END_TEST

/* ---- round trips ---- */

START_TEST(test_syn_all_options_round_trip)
{
    struct tcp_segment in = syn_with_all_options();
    uint8_t buf[128];
    size_t n = tcp_segment_encode(&in, buf, sizeof buf);
    ck_assert_uint_eq(n, 20 + 20 + tcp_options_encoded_len(&in.opt));
    ck_assert_uint_eq(tcp_options_encoded_len(&in.opt), 20);
    /* Linux's SYN layout: MSS, SACKOK, TS, NOP, WS. */
    ck_assert_uint_eq(buf[40], 2);
    ck_assert_uint_eq(buf[44], 4);
    ck_assert_uint_eq(buf[46], 8);
    ck_assert_uint_eq(buf[56], 1);
    ck_assert_uint_eq(buf[57], 3);

    struct tcp_segment out;
    ck_assert_int_eq(tcp_segment_decode(buf, n, &out), SEG_OK);
    ck_assert_uint_eq(out.src_addr, in.src_addr);
    ck_assert_uint_eq(out.dst_addr, in.dst_addr);
    ck_assert_uint_eq(out.ip_id, in.ip_id);
    ck_assert_uint_eq(out.ttl, 55);
    ck_assert_uint_eq(out.src_port, in.src_port);
    ck_assert_uint_eq(out.dst_port, in.dst_port);
    ck_assert_uint_eq(out.seq, in.seq);
    ck_assert_uint_eq(out.flags, in.flags);
    ck_assert_uint_eq(out.window, in.window);
    ck_assert(out.opt.has_mss && out.opt.mss == 1460);
    ck_assert(out.opt.has_wscale && out.opt.wscale == 14);
    ck_assert(out.opt.sack_permitted);
    ck_assert(out.opt.has_timestamps);
    ck_assert_uint_eq(out.opt.ts_val, 0xdeadbeefu);
    ck_assert_uint_eq(out.payload_len, 0);
}
END_TEST

START_TEST(test_data_segment_round_trip)
{
    uint8_t payload[1460];
    for (size_t i = 0; i < sizeof payload; i++)
        payload[i] = (uint8_t)(i * 7 + 3);
    struct tcp_segment in;
    memset(&in, 0, sizeof in);
    in.src_addr = ADDR(10, 0, 0, 2);
    in.dst_addr = ADDR(10, 0, 0, 1);
    in.src_port = 80;
    in.dst_port = 49152;
    in.seq = 1000;
    in.ack = 2000;
    in.flags = TCP_ACK | TCP_PSH | TCP_URG;
    in.window = 1234;
    in.urgent = 17;
    in.payload = payload;
    in.payload_len = sizeof payload;

    uint8_t buf[1600];
    size_t n = tcp_segment_encode(&in, buf, sizeof buf);
    ck_assert_uint_eq(n, 40 + sizeof payload);
    struct tcp_segment out;
    ck_assert_int_eq(tcp_segment_decode(buf, n, &out), SEG_OK);
    ck_assert_uint_eq(out.ack, 2000);
    ck_assert_uint_eq(out.urgent, 17);
    ck_assert_uint_eq(out.flags, TCP_ACK | TCP_PSH | TCP_URG);
    ck_assert_uint_eq(out.ttl, 64);
    ck_assert_uint_eq(out.payload_len, sizeof payload);
    ck_assert_mem_eq(out.payload, payload, sizeof payload);
    /* The IP header says DF and not a fragment. */
    ck_assert_uint_eq(buf[6], 0x40);
    ck_assert_uint_eq(buf[7], 0x00);
}
END_TEST

START_TEST(test_sack_blocks_round_trip)
{
    struct tcp_segment in;
    memset(&in, 0, sizeof in);
    in.flags = TCP_ACK;
    in.opt.has_timestamps = true;
    in.opt.ts_val = 5;
    in.opt.ts_ecr = 6;
    in.opt.sack_count = 4;
    for (unsigned i = 0; i < 4; i++) {
        in.opt.sack[i].left = 0xfffff000u + i * 0x1000u;
        in.opt.sack[i].right = in.opt.sack[i].left + 500;
    }
    /* With timestamps only three blocks fit: 12 + 4 + 3*8 = 40. */
    ck_assert_uint_eq(tcp_options_encoded_len(&in.opt), 40);
    uint8_t buf[128];
    struct tcp_segment out;
    size_t n = tcp_segment_encode(&in, buf, sizeof buf);
    ck_assert_uint_eq(n, 80);
    ck_assert_int_eq(tcp_segment_decode(buf, n, &out), SEG_OK);
    ck_assert_uint_eq(out.opt.sack_count, 3);
    ck_assert(out.opt.has_timestamps);
    for (unsigned i = 0; i < 3; i++) {
        ck_assert_uint_eq(out.opt.sack[i].left, in.opt.sack[i].left);
        ck_assert_uint_eq(out.opt.sack[i].right, in.opt.sack[i].right);
    }

    /* Without timestamps all four fit: 4 + 4*8 = 36. */
    in.opt.has_timestamps = false;
    ck_assert_uint_eq(tcp_options_encoded_len(&in.opt), 36);
    n = tcp_segment_encode(&in, buf, sizeof buf);
    ck_assert_int_eq(tcp_segment_decode(buf, n, &out), SEG_OK);
    ck_assert_uint_eq(out.opt.sack_count, 4);
    ck_assert_uint_eq(out.opt.sack[3].right, in.opt.sack[3].right);
    ck_assert(!out.opt.has_timestamps);
}
END_TEST

START_TEST(test_options_encoded_len)
{
    struct tcp_options o;
    memset(&o, 0, sizeof o);
    ck_assert_uint_eq(tcp_options_encoded_len(&o), 0);
    o.has_mss = true;
    ck_assert_uint_eq(tcp_options_encoded_len(&o), 4);
    o.sack_permitted = true;
    ck_assert_uint_eq(tcp_options_encoded_len(&o), 8);
    o.has_wscale = true;
    ck_assert_uint_eq(tcp_options_encoded_len(&o), 12);
    o.has_timestamps = true;
    ck_assert_uint_eq(tcp_options_encoded_len(&o), 20);
    memset(&o, 0, sizeof o);
    o.has_timestamps = true;
    ck_assert_uint_eq(tcp_options_encoded_len(&o), 12);
    o.sack_count = 1;
    ck_assert_uint_eq(tcp_options_encoded_len(&o), 24);
    /* A count above the array size is clamped, never read past sack[]. */
    o.sack_count = 200;
    ck_assert_uint_eq(tcp_options_encoded_len(&o), 40);
}
END_TEST

START_TEST(test_encode_capacity)
{
    struct tcp_segment s = syn_with_all_options();
    uint8_t buf[60];
    ck_assert_uint_eq(tcp_segment_encode(&s, buf, 59), 0);
    ck_assert_uint_eq(tcp_segment_encode(&s, buf, 60), 60);
    /* A payload that would overflow the 16-bit total length is refused. */
    static uint8_t big[TCP_PACKET_MAX];
    static uint8_t out[TCP_PACKET_MAX + 100];
    s.opt = (struct tcp_options){0};
    s.payload = big;
    s.payload_len = TCP_PACKET_MAX - 40 + 1;
    ck_assert_uint_eq(tcp_segment_encode(&s, out, sizeof out), 0);
    s.payload_len = TCP_PACKET_MAX - 40;
    ck_assert_uint_eq(tcp_segment_encode(&s, out, sizeof out), TCP_PACKET_MAX);
    struct tcp_segment d;
    ck_assert_int_eq(tcp_segment_decode(out, TCP_PACKET_MAX, &d), SEG_OK);
    ck_assert_uint_eq(d.payload_len, TCP_PACKET_MAX - 40);
    /* payload_len without a payload pointer is an error, not a crash. */
    s.payload = NULL;
    s.payload_len = 10;
    ck_assert_uint_eq(tcp_segment_encode(&s, out, sizeof out), 0);
}
END_TEST

/* ---- decode errors ---- */

START_TEST(test_truncation_never_accepted)
{
    const uint8_t *pkts[] = {known_syn, known_data};
    const size_t lens[] = {sizeof known_syn, sizeof known_data};
    for (size_t p = 0; p < 2; p++) {
        for (size_t len = 0; len < lens[p]; len++) {
            /* A heap copy of exactly len bytes so that ASan sees any
             * read past the end. */
            uint8_t *copy = malloc(len ? len : 1);
            ck_assert_ptr_nonnull(copy);
            memcpy(copy, pkts[p], len);
            struct tcp_segment s;
            enum seg_error err = tcp_segment_decode(copy, len, &s);
            ck_assert_msg(err != SEG_OK, "accepted a packet cut at %zu bytes", len);
            if (len < 20)
                ck_assert_int_eq(err, SEG_ERR_SHORT_IP);
            else
                ck_assert_int_eq(err, SEG_ERR_IP_TOTAL_LEN);
            free(copy);
        }
    }
}
END_TEST

START_TEST(test_trailing_bytes_ignored)
{
    uint8_t buf[sizeof known_data + 6];
    memcpy(buf, known_data, sizeof known_data);
    memset(buf + sizeof known_data, 0xaa, 6); /* e.g. Ethernet padding */
    struct tcp_segment s;
    ck_assert_int_eq(tcp_segment_decode(buf, sizeof buf, &s), SEG_OK);
    ck_assert_uint_eq(s.payload_len, 11);
}
END_TEST

START_TEST(test_null_arguments)
{
    struct tcp_segment s;
    ck_assert_int_eq(tcp_segment_decode(NULL, 40, &s), SEG_ERR_SHORT_IP);
    ck_assert_int_eq(tcp_segment_decode(known_syn, sizeof known_syn, NULL), SEG_ERR_SHORT_IP);
    ck_assert_uint_eq(tcp_segment_encode(NULL, (uint8_t[64]){0}, 64), 0);
}
END_TEST

START_TEST(test_ip_header_errors)
{
    uint8_t p[sizeof known_syn];
    struct tcp_segment s;

    memcpy(p, known_syn, sizeof p);
    p[0] = 0x65; /* IPv6 version nibble */
    ck_assert_int_eq(tcp_segment_decode(p, sizeof p, &s), SEG_ERR_IP_VERSION);

    memcpy(p, known_syn, sizeof p);
    p[0] = 0x44; /* IHL 4 < 5 */
    ck_assert_int_eq(tcp_segment_decode(p, sizeof p, &s), SEG_ERR_IP_HEADER_LEN);

    memcpy(p, known_syn, sizeof p);
    p[0] = 0x4f; /* IHL 15 = 60 bytes, past a 40-byte buffer */
    ck_assert_int_eq(tcp_segment_decode(p, 40, &s), SEG_ERR_IP_HEADER_LEN);

    memcpy(p, known_syn, sizeof p);
    set_total_len(p, 19); /* shorter than the IP header */
    fix_ip_checksum(p);
    ck_assert_int_eq(tcp_segment_decode(p, sizeof p, &s), SEG_ERR_IP_TOTAL_LEN);

    memcpy(p, known_syn, sizeof p);
    set_total_len(p, sizeof p + 1); /* longer than the buffer */
    fix_ip_checksum(p);
    ck_assert_int_eq(tcp_segment_decode(p, sizeof p, &s), SEG_ERR_IP_TOTAL_LEN);

    memcpy(p, known_syn, sizeof p);
    p[11] ^= 0x01;
    ck_assert_int_eq(tcp_segment_decode(p, sizeof p, &s), SEG_ERR_IP_CHECKSUM);

    memcpy(p, known_syn, sizeof p);
    p[6] |= 0x20; /* more fragments */
    fix_ip_checksum(p);
    ck_assert_int_eq(tcp_segment_decode(p, sizeof p, &s), SEG_ERR_IP_FRAGMENT);

    memcpy(p, known_syn, sizeof p);
    p[7] = 0x01; /* fragment offset 8 bytes */
    fix_ip_checksum(p);
    ck_assert_int_eq(tcp_segment_decode(p, sizeof p, &s), SEG_ERR_IP_FRAGMENT);

    memcpy(p, known_syn, sizeof p);
    p[9] = 17; /* UDP */
    fix_ip_checksum(p);
    ck_assert_int_eq(tcp_segment_decode(p, sizeof p, &s), SEG_ERR_NOT_TCP);
}
END_TEST

START_TEST(test_tcp_header_errors)
{
    uint8_t p[sizeof known_syn];
    struct tcp_segment s;

    memcpy(p, known_syn, sizeof p);
    set_total_len(p, 39); /* 19 bytes of TCP */
    fix_ip_checksum(p);
    ck_assert_int_eq(tcp_segment_decode(p, sizeof p, &s), SEG_ERR_SHORT_TCP);

    memcpy(p, known_syn, sizeof p);
    p[32] = 0x40; /* data offset 4 */
    fix_checksums(p);
    ck_assert_int_eq(tcp_segment_decode(p, sizeof p, &s), SEG_ERR_DATA_OFFSET);

    memcpy(p, known_syn, sizeof p);
    p[32] = 0xf0; /* data offset 15 = 60 bytes, segment has 40 */
    fix_checksums(p);
    ck_assert_int_eq(tcp_segment_decode(p, sizeof p, &s), SEG_ERR_DATA_OFFSET);

    memcpy(p, known_syn, sizeof p);
    p[36] ^= 0x80; /* the TCP checksum field itself */
    ck_assert_int_eq(tcp_segment_decode(p, sizeof p, &s), SEG_ERR_TCP_CHECKSUM);

    /* A checksum computed with the wrong pseudo-header (other destination)
     * is rejected even though the TCP bytes are intact. */
    memcpy(p, known_syn, sizeof p);
    p[19] ^= 0x01;
    fix_ip_checksum(p);
    ck_assert_int_eq(tcp_segment_decode(p, sizeof p, &s), SEG_ERR_TCP_CHECKSUM);
}
END_TEST

START_TEST(test_ip_options_skipped)
{
    /* Insert 4 bytes of IP options (NOP,NOP,NOP,EOL): IHL 6. */
    uint8_t p[sizeof known_data + 4];
    memcpy(p, known_data, 20);
    p[20] = 1;
    p[21] = 1;
    p[22] = 1;
    p[23] = 0;
    memcpy(p + 24, known_data + 20, sizeof known_data - 20);
    p[0] = 0x46;
    set_total_len(p, sizeof p);
    fix_ip_checksum(p); /* the TCP checksum does not cover the IP header */
    struct tcp_segment s;
    ck_assert_int_eq(tcp_segment_decode(p, sizeof p, &s), SEG_OK);
    ck_assert_uint_eq(s.src_port, 80);
    ck_assert_uint_eq(s.payload_len, 11);
    ck_assert_mem_eq(s.payload, "hello, tcp!", 11);
}
END_TEST

START_TEST(test_every_error_has_a_distinct_name)
{
    for (int i = 0; i < SEG_ERR_COUNT; i++) {
        const char *a = seg_error_name((enum seg_error)i);
        ck_assert_ptr_nonnull(a);
        ck_assert_str_ne(a, "unknown-error");
        for (int j = 0; j < i; j++)
            ck_assert_str_ne(a, seg_error_name((enum seg_error)j));
    }
    ck_assert_str_eq(seg_error_name(SEG_OK), "ok");
    ck_assert_str_eq(seg_error_name((enum seg_error)99), "unknown-error");
}
END_TEST

/* ---- options ---- */

START_TEST(test_bad_option_lengths)
{
    struct tcp_segment s;
    const uint8_t len_zero[] = {30, 0, 1, 1};
    const uint8_t len_one[] = {30, 1, 1, 1};
    const uint8_t past_end[] = {1, 1, 30, 3};
    const uint8_t kind_without_length[] = {1, 1, 1, 2};
    const uint8_t sack_len_11[] = {5, 11, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0};
    const uint8_t sack_no_blocks[] = {1, 1, 5, 2};
    const uint8_t mss_len_3[] = {2, 3, 5, 0};
    const uint8_t wscale_len_4[] = {3, 4, 7, 0};
    const uint8_t ts_len_8[] = {8, 8, 0, 0, 0, 1, 0, 0};
    const uint8_t sackok_len_3[] = {4, 3, 0, 1};
    ck_assert_int_eq(decode_raw_options(len_zero, 4, &s), SEG_ERR_OPTION_LENGTH);
    ck_assert_int_eq(decode_raw_options(len_one, 4, &s), SEG_ERR_OPTION_LENGTH);
    ck_assert_int_eq(decode_raw_options(past_end, 4, &s), SEG_ERR_OPTION_LENGTH);
    ck_assert_int_eq(decode_raw_options(kind_without_length, 4, &s), SEG_ERR_OPTION_LENGTH);
    ck_assert_int_eq(decode_raw_options(sack_len_11, 12, &s), SEG_ERR_OPTION_LENGTH);
    ck_assert_int_eq(decode_raw_options(sack_no_blocks, 4, &s), SEG_ERR_OPTION_LENGTH);
    ck_assert_int_eq(decode_raw_options(mss_len_3, 4, &s), SEG_ERR_OPTION_LENGTH);
    ck_assert_int_eq(decode_raw_options(wscale_len_4, 4, &s), SEG_ERR_OPTION_LENGTH);
    ck_assert_int_eq(decode_raw_options(ts_len_8, 8, &s), SEG_ERR_OPTION_LENGTH);
    ck_assert_int_eq(decode_raw_options(sackok_len_3, 4, &s), SEG_ERR_OPTION_LENGTH);

    /* Five SACK blocks (len 42) cannot even fit in 40 bytes of options. */
    uint8_t sack5[40] = {5, 42};
    ck_assert_int_eq(decode_raw_options(sack5, 40, &s), SEG_ERR_OPTION_LENGTH);
}
END_TEST

START_TEST(test_unknown_option_skipped)
{
    /* kind 30 (MPTCP) len 6, then MSS 536, then EOL and garbage that must
     * not be parsed. */
    const uint8_t opts[] = {30, 6, 0xaa, 0xbb, 0xcc, 0xdd, 2, 4, 0x02, 0x18, 0, 0xff};
    struct tcp_segment s;
    ck_assert_int_eq(decode_raw_options(opts, sizeof opts, &s), SEG_OK);
    ck_assert_uint_eq(s.opt.unknown_count, 1);
    ck_assert(s.opt.has_mss);
    ck_assert_uint_eq(s.opt.mss, 536);
    ck_assert(!s.opt.has_wscale);
}
END_TEST

START_TEST(test_eol_ends_option_list)
{
    /* After EOL a bogus option (len 0) is ignored. */
    const uint8_t opts[] = {3, 3, 9, 0, 30, 0, 0, 0};
    struct tcp_segment s;
    ck_assert_int_eq(decode_raw_options(opts, sizeof opts, &s), SEG_OK);
    ck_assert(s.opt.has_wscale);
    ck_assert_uint_eq(s.opt.wscale, 9);
    ck_assert_uint_eq(s.opt.unknown_count, 0);
}
END_TEST

/* ---- corruption: every single-bit flip is caught ---- */

static void check_every_bit_flip_detected(const uint8_t *pkt, size_t len)
{
    uint8_t copy[128];
    ck_assert_uint_le(len, sizeof copy);
    for (size_t byte = 0; byte < len; byte++) {
        for (unsigned bit = 0; bit < 8; bit++) {
            memcpy(copy, pkt, len);
            copy[byte] ^= (uint8_t)(1u << bit);
            struct tcp_segment s;
            enum seg_error err = tcp_segment_decode(copy, len, &s);
            ck_assert_msg(err != SEG_OK, "flip of byte %zu bit %u not detected", byte, bit);
        }
    }
}

START_TEST(test_bit_flips_detected)
{
    check_every_bit_flip_detected(known_syn, sizeof known_syn);
    check_every_bit_flip_detected(known_data, sizeof known_data);
}
END_TEST

START_TEST(test_payload_bit_flip_is_tcp_checksum_error)
{
    uint8_t p[sizeof known_data];
    for (size_t byte = 52; byte < sizeof p; byte++) {
        memcpy(p, known_data, sizeof p);
        p[byte] ^= 0x10;
        struct tcp_segment s;
        ck_assert_int_eq(tcp_segment_decode(p, sizeof p, &s), SEG_ERR_TCP_CHECKSUM);
    }
}
END_TEST

/* The unverified decode (for packets just encoded) skips only the TCP
 * checksum: same fields as the full decode, a payload flip goes unnoticed,
 * every other check still holds. */
START_TEST(test_unverified_decode_skips_only_the_tcp_checksum)
{
    struct tcp_segment full, fast;
    ck_assert_int_eq(tcp_segment_decode(known_data, sizeof known_data, &full), SEG_OK);
    ck_assert_int_eq(tcp_segment_decode_unverified(known_data, sizeof known_data, &fast), SEG_OK);
    ck_assert_uint_eq(fast.seq, full.seq);
    ck_assert_uint_eq(fast.ack, full.ack);
    ck_assert_uint_eq(fast.flags, full.flags);
    ck_assert_uint_eq(fast.window, full.window);
    ck_assert_uint_eq(fast.payload_len, full.payload_len);
    ck_assert_uint_eq(fast.checksum, full.checksum);
    ck_assert_mem_eq(fast.payload, full.payload, full.payload_len);

    uint8_t p[sizeof known_data];
    memcpy(p, known_data, sizeof p);
    p[sizeof p - 1] ^= 0x10;
    ck_assert_int_eq(tcp_segment_decode_unverified(p, sizeof p, &fast), SEG_OK);
    ck_assert_int_eq(tcp_segment_decode(p, sizeof p, &full), SEG_ERR_TCP_CHECKSUM);
    /* The IP header checksum and the lengths are still checked. */
    memcpy(p, known_data, sizeof p);
    p[8] ^= 0x01; /* TTL */
    ck_assert_int_eq(tcp_segment_decode_unverified(p, sizeof p, &fast), SEG_ERR_IP_CHECKSUM);
    ck_assert_int_eq(tcp_segment_decode_unverified(known_data, 30, &fast), SEG_ERR_IP_TOTAL_LEN);
}
END_TEST

/* ---- sequence length, flags, seq arithmetic ---- */

START_TEST(test_seq_len)
{
    struct tcp_segment s;
    memset(&s, 0, sizeof s);
    s.flags = TCP_ACK;
    ck_assert_uint_eq(tcp_segment_seq_len(&s), 0);
    s.flags = TCP_SYN;
    ck_assert_uint_eq(tcp_segment_seq_len(&s), 1);
    s.flags = TCP_SYN | TCP_ACK;
    ck_assert_uint_eq(tcp_segment_seq_len(&s), 1);
    s.flags = TCP_FIN | TCP_ACK;
    s.payload_len = 100;
    ck_assert_uint_eq(tcp_segment_seq_len(&s), 101);
    s.flags = TCP_SYN | TCP_FIN;
    s.payload_len = 5;
    ck_assert_uint_eq(tcp_segment_seq_len(&s), 7);
    s.flags = TCP_RST | TCP_PSH | TCP_ACK;
    ck_assert_uint_eq(tcp_segment_seq_len(&s), 5);
}
END_TEST

START_TEST(test_flags_short)
{
    char out[10];
    tcp_flags_short(TCP_SYN, out);
    ck_assert_str_eq(out, "S");
    tcp_flags_short(TCP_SYN | TCP_ACK, out);
    ck_assert_str_eq(out, "S.");
    tcp_flags_short(TCP_FIN | TCP_ACK, out);
    ck_assert_str_eq(out, "F.");
    tcp_flags_short(TCP_PSH | TCP_ACK, out);
    ck_assert_str_eq(out, "P.");
    tcp_flags_short(TCP_ACK, out);
    ck_assert_str_eq(out, ".");
    tcp_flags_short(TCP_RST, out);
    ck_assert_str_eq(out, "R");
    tcp_flags_short(0, out);
    ck_assert_str_eq(out, "none");
    tcp_flags_short(0xff, out);
    ck_assert_str_eq(out, "SFRPUEW.");
    tcp_flags_short(TCP_SYN | TCP_ECE | TCP_CWR, out);
    ck_assert_str_eq(out, "SEW");
}
END_TEST

START_TEST(test_flags_words)
{
    char out[40];
    tcp_flags_words(TCP_SYN | TCP_ACK, out);
    ck_assert_str_eq(out, "SYN,ACK");
    tcp_flags_words(TCP_FIN | TCP_ACK, out);
    ck_assert_str_eq(out, "FIN,ACK");
    tcp_flags_words(TCP_RST, out);
    ck_assert_str_eq(out, "RST");
    tcp_flags_words(0, out);
    ck_assert_str_eq(out, "none");
    tcp_flags_words(0xff, out);
    ck_assert_str_eq(out, "SYN,FIN,RST,PSH,ACK,URG,ECE,CWR");
}
END_TEST

START_TEST(test_seq_wraparound)
{
    ck_assert(seq_lt(0xfffffff0u, 0x10u));
    ck_assert(!seq_lt(0x10u, 0xfffffff0u));
    ck_assert(seq_gt(0x10u, 0xfffffff0u));
    ck_assert(seq_le(0xffffffffu, 0u));
    ck_assert(seq_ge(0u, 0xffffffffu));
    ck_assert(seq_le(5u, 5u) && seq_ge(5u, 5u) && !seq_lt(5u, 5u));
    ck_assert(seq_in_half_open(0x2u, 0xfffffffeu, 0x10u));
    ck_assert(seq_in_half_open(0xfffffffeu, 0xfffffffeu, 0x10u));
    ck_assert(!seq_in_half_open(0x10u, 0xfffffffeu, 0x10u));
    ck_assert(!seq_in_half_open(0xfffffffdu, 0xfffffffeu, 0x10u));
    ck_assert_uint_eq(seq_max(0xfffffff0u, 0x10u), 0x10u);
    ck_assert_uint_eq(seq_min(0xfffffff0u, 0x10u), 0xfffffff0u);
    /* A SYN at 0xffffffff consumes one number and the next is 0. */
    struct tcp_segment s;
    memset(&s, 0, sizeof s);
    s.seq = 0xffffffffu;
    s.flags = TCP_SYN;
    ck_assert_uint_eq((uint32_t)(s.seq + tcp_segment_seq_len(&s)), 0u);
}
END_TEST

static Suite *segment_suite(void)
{
    Suite *suite = suite_create("segment");

    TCase *known = tcase_create("known packets");
    tcase_add_test(known, test_known_syn_decodes);
    tcase_add_test(known, test_known_syn_encodes_byte_exact);
    tcase_add_test(known, test_known_data_round_trip);
    tcase_add_test(known, test_rfc1071_example_checksum);
    tcase_add_test(known, test_checksum_matches_naive_sum_every_length);
    suite_add_tcase(suite, known);

    TCase *round = tcase_create("round trip");
    tcase_add_test(round, test_syn_all_options_round_trip);
    tcase_add_test(round, test_data_segment_round_trip);
    tcase_add_test(round, test_sack_blocks_round_trip);
    tcase_add_test(round, test_options_encoded_len);
    tcase_add_test(round, test_encode_capacity);
    suite_add_tcase(suite, round);

    TCase *errors = tcase_create("decode errors");
    tcase_add_test(errors, test_truncation_never_accepted);
    tcase_add_test(errors, test_trailing_bytes_ignored);
    tcase_add_test(errors, test_null_arguments);
    tcase_add_test(errors, test_ip_header_errors);
    tcase_add_test(errors, test_tcp_header_errors);
    tcase_add_test(errors, test_ip_options_skipped);
    tcase_add_test(errors, test_every_error_has_a_distinct_name);
    suite_add_tcase(suite, errors);

    TCase *options = tcase_create("options");
    tcase_add_test(options, test_bad_option_lengths);
    tcase_add_test(options, test_unknown_option_skipped);
    tcase_add_test(options, test_eol_ends_option_list);
    suite_add_tcase(suite, options);

    TCase *corruption = tcase_create("corruption");
    tcase_add_test(corruption, test_bit_flips_detected);
    tcase_add_test(corruption, test_payload_bit_flip_is_tcp_checksum_error);
    tcase_add_test(corruption, test_unverified_decode_skips_only_the_tcp_checksum);
    suite_add_tcase(suite, corruption);

    TCase *misc = tcase_create("seq and flags");
    tcase_add_test(misc, test_seq_len);
    tcase_add_test(misc, test_flags_short);
    tcase_add_test(misc, test_flags_words);
    tcase_add_test(misc, test_seq_wraparound);
    suite_add_tcase(suite, misc);

    return suite;
}

int main(void)
{
    return check_main_run(segment_suite());
}
