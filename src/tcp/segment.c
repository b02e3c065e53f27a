/* The segment codec: IPv4 (RFC 791) + TCP (RFC 9293) headers and options.
 *
 * Decoding reads the packet through a few bounds-checked helpers and checks
 * each length before the bytes it covers are touched, so a truncated or
 * hostile packet yields an error code, never an out-of-bounds read. */
#include "tcp/segment.h"

#include <string.h>

enum {
    IP_PROTO_TCP = 6,
    IP_DEFAULT_TTL = 64,
    IP_FLAG_DF = 0x4000,
    IP_FLAG_MF = 0x2000,
    IP_FRAG_OFFSET_MASK = 0x1fff,
    PSEUDO_HEADER_LEN = 12,
};

/* Option kinds and lengths (RFC 9293 3.1, RFC 7323, RFC 2018). */
enum {
    OPT_EOL = 0,
    OPT_NOP = 1,
    OPT_MSS = 2,
    OPT_WSCALE = 3,
    OPT_SACK_PERMITTED = 4,
    OPT_SACK = 5,
    OPT_TIMESTAMPS = 8,
    OPT_MSS_LEN = 4,
    OPT_WSCALE_LEN = 3,
    OPT_SACK_PERMITTED_LEN = 2,
    OPT_SACK_BASE_LEN = 2,
    OPT_SACK_BLOCK_LEN = 8,
    OPT_TIMESTAMPS_LEN = 10,
};

/* ---- byte helpers (network byte order) ---- */

static uint16_t get_be16(const uint8_t *p)
{
    return (uint16_t)((p[0] << 8) | p[1]);
}

static uint32_t get_be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static void put_be16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* ---- Internet checksum (RFC 1071) ---- */

static uint32_t fold_to_16(uint64_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffffu) + (sum >> 16);
    return (uint32_t)sum;
}

static bool host_is_little_endian(void)
{
    const uint16_t one = 1;
    uint8_t first;
    memcpy(&first, &one, 1);
    return first == 1;
}

/* The folded one's complement sum of the 16-bit big-endian words in
 * n8 * 8 bytes, taken 64 bits at a time in the host's byte order.
 * Every payload byte is summed by the sender, by the world when it labels
 * the packet and by the receiver, so this is the codec's hot loop.
 *  - A 64-bit word is four 16-bit words times powers of 2^16, and
 *    2^16 = 1 in the one's complement sum (RFC 1071 2(A), the end-around
 *    carry), so adding 64-bit words, counting the carries out of bit 63
 *    (2^64 = 1 too) and folding gives the sum of the 16-bit words.
 *  - In the host's byte order each 16-bit word has its bytes swapped on a
 *    little-endian machine, and the sum of swapped words is the swapped sum
 *    (RFC 1071 2(B), byte order independence): swap the folded result. */
static uint32_t sum_words64(const uint8_t *data, size_t n8)
{
    uint64_t acc = 0, carries = 0;
    for (size_t i = 0; i < n8; i++) {
        uint64_t word;
        memcpy(&word, data + i * 8, sizeof word);
        acc += word;
        carries += acc < word;
    }
    uint32_t folded = fold_to_16((acc & 0xffffffffu) + (acc >> 32) + carries);
    if (host_is_little_endian())
        folded = ((folded >> 8) | (folded << 8)) & 0xffffu;
    return folded;
}

/* An odd trailing byte is padded with a zero byte (RFC 1071 4.1), so when
 * summing a message in pieces every piece but the last must be even. */
uint32_t inet_checksum_add(uint32_t sum, const uint8_t *data, size_t len)
{
    uint64_t acc = sum;
    if (data == NULL)
        return fold_to_16(acc);
    size_t i = len / 8 * 8;
    acc += sum_words64(data, len / 8);
    for (; i + 1 < len; i += 2)
        acc += get_be16(data + i);
    if (i < len)
        acc += (uint64_t)data[i] << 8;
    return fold_to_16(acc);
}

uint16_t inet_checksum_finish(uint32_t sum)
{
    return (uint16_t)~fold_to_16(sum);
}

/* The IPv4 pseudo-header of RFC 9293 3.1: source, destination, zero,
 * protocol, TCP length.  It binds the TCP checksum to the addresses. */
static uint32_t pseudo_header_sum(uint32_t src, uint32_t dst, uint16_t tcp_len)
{
    uint8_t ph[PSEUDO_HEADER_LEN];
    put_be32(ph, src);
    put_be32(ph + 4, dst);
    ph[8] = 0;
    ph[9] = IP_PROTO_TCP;
    put_be16(ph + 10, tcp_len);
    return inet_checksum_add(0, ph, sizeof ph);
}

/* ---- options: encode ---- */

/* Linux lays out a SYN's options as MSS, SACK-permitted + timestamps
 * (SACK-permitted takes the place of the two NOPs that otherwise align the
 * timestamps), NOP + window scale; every piece is a multiple of 4 bytes.
 * SACK blocks come last, after NOP,NOP, and get whatever room is left of the
 * 40 bytes (RFC 2018 3: 3 blocks fit beside timestamps, 4 without). */
struct option_layout {
    bool mss;
    bool ts_with_sack_permitted; /* SACKOK,TS: 12 bytes */
    bool ts_with_nops;           /* NOP,NOP,TS: 12 bytes */
    bool sack_permitted_alone;   /* NOP,NOP,SACKOK: 4 bytes */
    bool wscale;                 /* NOP,WS: 4 bytes */
    unsigned sack_blocks;        /* NOP,NOP,SACK: 4 + 8n bytes */
    size_t len;
};

static struct option_layout plan_options(const struct tcp_options *opt)
{
    struct option_layout lay = {0};
    if (opt->has_mss) {
        lay.mss = true;
        lay.len += OPT_MSS_LEN;
    }
    if (opt->has_timestamps && opt->sack_permitted) {
        lay.ts_with_sack_permitted = true;
        lay.len += OPT_SACK_PERMITTED_LEN + OPT_TIMESTAMPS_LEN;
    } else if (opt->has_timestamps) {
        lay.ts_with_nops = true;
        lay.len += 2 + OPT_TIMESTAMPS_LEN;
    } else if (opt->sack_permitted) {
        lay.sack_permitted_alone = true;
        lay.len += 2 + OPT_SACK_PERMITTED_LEN;
    }
    if (opt->has_wscale) {
        lay.wscale = true;
        lay.len += 1 + OPT_WSCALE_LEN;
    }
    unsigned wanted = opt->sack_count;
    if (wanted > TCP_SACK_MAX_BLOCKS)
        wanted = TCP_SACK_MAX_BLOCKS;
    size_t room = TCP_OPTIONS_MAX_LEN - lay.len;
    size_t sack_overhead = 2 + OPT_SACK_BASE_LEN;
    if (wanted > 0 && room >= sack_overhead + OPT_SACK_BLOCK_LEN) {
        size_t fit = (room - sack_overhead) / OPT_SACK_BLOCK_LEN;
        lay.sack_blocks = wanted < fit ? wanted : (unsigned)fit;
        lay.len += sack_overhead + (size_t)lay.sack_blocks * OPT_SACK_BLOCK_LEN;
    }
    /* Every piece above is already a multiple of 4; keep the rounding so
     * that a future option of odd size cannot misalign the header. */
    lay.len = (lay.len + 3u) & ~(size_t)3u;
    return lay;
}

size_t tcp_options_encoded_len(const struct tcp_options *opt)
{
    if (opt == NULL)
        return 0;
    return plan_options(opt).len;
}

static uint8_t *put_timestamps(uint8_t *p, const struct tcp_options *opt)
{
    p[0] = OPT_TIMESTAMPS;
    p[1] = OPT_TIMESTAMPS_LEN;
    put_be32(p + 2, opt->ts_val);
    put_be32(p + 6, opt->ts_ecr);
    return p + OPT_TIMESTAMPS_LEN;
}

static uint8_t *put_sack_permitted(uint8_t *p)
{
    p[0] = OPT_SACK_PERMITTED;
    p[1] = OPT_SACK_PERMITTED_LEN;
    return p + OPT_SACK_PERMITTED_LEN;
}

static uint8_t *put_nops(uint8_t *p, size_t n)
{
    memset(p, OPT_NOP, n);
    return p + n;
}

static uint8_t *put_sack_blocks(uint8_t *p, const struct tcp_options *opt, unsigned n)
{
    p[0] = OPT_SACK;
    p[1] = (uint8_t)(OPT_SACK_BASE_LEN + n * OPT_SACK_BLOCK_LEN);
    p += OPT_SACK_BASE_LEN;
    for (unsigned i = 0; i < n; i++) {
        put_be32(p, opt->sack[i].left);
        put_be32(p + 4, opt->sack[i].right);
        p += OPT_SACK_BLOCK_LEN;
    }
    return p;
}

/* Writes exactly plan.len bytes at out. */
static void write_options(const struct tcp_options *opt, const struct option_layout *lay,
                          uint8_t *out)
{
    uint8_t *p = out;
    if (lay->mss) {
        p[0] = OPT_MSS;
        p[1] = OPT_MSS_LEN;
        put_be16(p + 2, opt->mss);
        p += OPT_MSS_LEN;
    }
    if (lay->ts_with_sack_permitted) {
        p = put_sack_permitted(p);
        p = put_timestamps(p, opt);
    } else if (lay->ts_with_nops) {
        p = put_nops(p, 2);
        p = put_timestamps(p, opt);
    } else if (lay->sack_permitted_alone) {
        p = put_nops(p, 2);
        p = put_sack_permitted(p);
    }
    if (lay->wscale) {
        p = put_nops(p, 1);
        p[0] = OPT_WSCALE;
        p[1] = OPT_WSCALE_LEN;
        p[2] = opt->wscale;
        p += OPT_WSCALE_LEN;
    }
    if (lay->sack_blocks > 0) {
        p = put_nops(p, 2);
        p = put_sack_blocks(p, opt, lay->sack_blocks);
    }
    /* Pad: EOL then zeros (RFC 9293 3.1 "the header must be padded with
     * zeros"); EOL is kind 0, so zero fill does both. */
    size_t used = (size_t)(p - out);
    memset(p, OPT_EOL, lay->len - used);
}

/* ---- encode ---- */

static void write_ip_header(const struct tcp_segment *seg, uint16_t total_len, uint8_t *ip)
{
    ip[0] = 0x45; /* version 4, IHL 5: no IP options */
    ip[1] = 0;    /* DSCP/ECN */
    put_be16(ip + 2, total_len);
    put_be16(ip + 4, seg->ip_id);
    put_be16(ip + 6, IP_FLAG_DF);
    ip[8] = seg->ttl != 0 ? seg->ttl : IP_DEFAULT_TTL;
    ip[9] = IP_PROTO_TCP;
    put_be16(ip + 10, 0);
    put_be32(ip + 12, seg->src_addr);
    put_be32(ip + 16, seg->dst_addr);
    put_be16(ip + 10, inet_checksum_finish(inet_checksum_add(0, ip, IPV4_HEADER_LEN)));
}

static void write_tcp_header(const struct tcp_segment *seg, size_t header_len, uint8_t *tcp)
{
    put_be16(tcp, seg->src_port);
    put_be16(tcp + 2, seg->dst_port);
    put_be32(tcp + 4, seg->seq);
    put_be32(tcp + 8, seg->ack);
    tcp[12] = (uint8_t)((header_len / 4) << 4); /* data offset; reserved bits 0 */
    tcp[13] = seg->flags;
    put_be16(tcp + 14, seg->window);
    put_be16(tcp + 16, 0);
    put_be16(tcp + 18, seg->urgent);
}

size_t tcp_segment_encode(const struct tcp_segment *seg, uint8_t *buf, size_t cap)
{
    if (seg == NULL || buf == NULL)
        return 0;
    if (seg->payload_len > 0 && seg->payload == NULL)
        return 0;
    struct option_layout lay = plan_options(&seg->opt);
    size_t tcp_header_len = TCP_HEADER_MIN_LEN + lay.len;
    if (seg->payload_len > TCP_PACKET_MAX - IPV4_HEADER_LEN - tcp_header_len)
        return 0;
    size_t tcp_len = tcp_header_len + seg->payload_len;
    size_t total = IPV4_HEADER_LEN + tcp_len;
    if (total > cap)
        return 0;

    uint8_t *tcp = buf + IPV4_HEADER_LEN;
    write_ip_header(seg, (uint16_t)total, buf);
    write_tcp_header(seg, tcp_header_len, tcp);
    write_options(&seg->opt, &lay, tcp + TCP_HEADER_MIN_LEN);
    if (seg->payload_len > 0)
        memmove(tcp + tcp_header_len, seg->payload, seg->payload_len);

    uint32_t sum = pseudo_header_sum(seg->src_addr, seg->dst_addr, (uint16_t)tcp_len);
    sum = inet_checksum_add(sum, tcp, tcp_len);
    put_be16(tcp + 16, inet_checksum_finish(sum));
    return total;
}

/* ---- options: decode ---- */

/* Whether len is the right length for kind.  Unknown kinds accept any
 * length: they are skipped by their length byte (RFC 9293 3.1). */
static bool known_option_length_ok(uint8_t kind, uint8_t len)
{
    switch (kind) {
    case OPT_MSS:
        return len == OPT_MSS_LEN;
    case OPT_WSCALE:
        return len == OPT_WSCALE_LEN;
    case OPT_SACK_PERMITTED:
        return len == OPT_SACK_PERMITTED_LEN;
    case OPT_TIMESTAMPS:
        return len == OPT_TIMESTAMPS_LEN;
    case OPT_SACK: {
        /* RFC 2018 3: length 8n + 2; at least one block, and at most four
         * fit in 40 bytes of options. */
        if (len < OPT_SACK_BASE_LEN + OPT_SACK_BLOCK_LEN)
            return false;
        unsigned body = (unsigned)len - OPT_SACK_BASE_LEN;
        return body % OPT_SACK_BLOCK_LEN == 0 && body / OPT_SACK_BLOCK_LEN <= TCP_SACK_MAX_BLOCKS;
    }
    default:
        return true;
    }
}

/* Store one option whose kind and length are already validated. */
static void store_option(const uint8_t *o, struct tcp_options *opt)
{
    switch (o[0]) {
    case OPT_MSS:
        opt->has_mss = true;
        opt->mss = get_be16(o + 2);
        break;
    case OPT_WSCALE:
        opt->has_wscale = true;
        opt->wscale = o[2];
        break;
    case OPT_SACK_PERMITTED:
        opt->sack_permitted = true;
        break;
    case OPT_TIMESTAMPS:
        opt->has_timestamps = true;
        opt->ts_val = get_be32(o + 2);
        opt->ts_ecr = get_be32(o + 6);
        break;
    case OPT_SACK: {
        unsigned n = ((unsigned)o[1] - OPT_SACK_BASE_LEN) / OPT_SACK_BLOCK_LEN;
        opt->sack_count = (uint8_t)n;
        for (unsigned i = 0; i < n; i++) {
            const uint8_t *b = o + OPT_SACK_BASE_LEN + i * OPT_SACK_BLOCK_LEN;
            opt->sack[i].left = get_be32(b);
            opt->sack[i].right = get_be32(b + 4);
        }
        break;
    }
    default:
        if (opt->unknown_count < UINT8_MAX)
            opt->unknown_count++;
        break;
    }
}

/* RFC 9293 3.1 / 3.10.7.1: EOL ends the list, NOP is a single byte, every
 * other option is kind, length (counting both bytes), data. */
static enum seg_error decode_options(const uint8_t *p, size_t len, struct tcp_options *opt)
{
    size_t i = 0;
    while (i < len) {
        uint8_t kind = p[i];
        if (kind == OPT_EOL)
            break;
        if (kind == OPT_NOP) {
            i++;
            continue;
        }
        if (len - i < 2)
            return SEG_ERR_OPTION_LENGTH;
        uint8_t olen = p[i + 1];
        if (olen < 2 || olen > len - i)
            return SEG_ERR_OPTION_LENGTH;
        if (!known_option_length_ok(kind, olen))
            return SEG_ERR_OPTION_LENGTH;
        store_option(p + i, opt);
        i += olen;
    }
    return SEG_OK;
}

/* ---- decode ---- */

/* IPv4 header checks (RFC 791 3.1), in the order documented in the header.
 * On success *ip_header_len and *total_len describe the packet. */
static enum seg_error check_ip_header(const uint8_t *pkt, size_t len, size_t *ip_header_len,
                                      size_t *total_len)
{
    if (len < IPV4_HEADER_LEN)
        return SEG_ERR_SHORT_IP;
    if ((pkt[0] >> 4) != 4)
        return SEG_ERR_IP_VERSION;
    size_t ihl = (size_t)(pkt[0] & 0x0f) * 4u;
    if (ihl < IPV4_HEADER_LEN || ihl > len)
        return SEG_ERR_IP_HEADER_LEN;
    /* Link layers may pad a frame; bytes past the total length are not
     * part of the packet. */
    size_t total = get_be16(pkt + 2);
    if (total < ihl || total > len)
        return SEG_ERR_IP_TOTAL_LEN;
    if (inet_checksum_finish(inet_checksum_add(0, pkt, ihl)) != 0)
        return SEG_ERR_IP_CHECKSUM;
    uint16_t frag = get_be16(pkt + 6);
    if ((frag & IP_FLAG_MF) || (frag & IP_FRAG_OFFSET_MASK) != 0)
        return SEG_ERR_IP_FRAGMENT;
    if (pkt[9] != IP_PROTO_TCP)
        return SEG_ERR_NOT_TCP;
    *ip_header_len = ihl;
    *total_len = total;
    return SEG_OK;
}

static void read_tcp_fixed_header(const uint8_t *tcp, struct tcp_segment *out)
{
    out->src_port = get_be16(tcp);
    out->dst_port = get_be16(tcp + 2);
    out->seq = get_be32(tcp + 4);
    out->ack = get_be32(tcp + 8);
    out->flags = tcp[13];
    out->window = get_be16(tcp + 14);
    out->checksum = get_be16(tcp + 16);
    out->urgent = get_be16(tcp + 18);
}

static enum seg_error decode(const uint8_t *pkt, size_t len, struct tcp_segment *out,
                             bool verify_checksum)
{
    if (out == NULL)
        return SEG_ERR_SHORT_IP;
    memset(out, 0, sizeof *out);
    if (pkt == NULL)
        return SEG_ERR_SHORT_IP;

    size_t ihl = 0, total = 0;
    enum seg_error err = check_ip_header(pkt, len, &ihl, &total);
    if (err != SEG_OK)
        return err;
    out->ip_id = get_be16(pkt + 4);
    out->ttl = pkt[8];
    out->src_addr = get_be32(pkt + 12);
    out->dst_addr = get_be32(pkt + 16);

    const uint8_t *tcp = pkt + ihl;
    size_t tcp_len = total - ihl;
    if (tcp_len < TCP_HEADER_MIN_LEN)
        return SEG_ERR_SHORT_TCP;
    size_t data_offset = (size_t)(tcp[12] >> 4) * 4u;
    if (data_offset < TCP_HEADER_MIN_LEN || data_offset > tcp_len)
        return SEG_ERR_DATA_OFFSET;
    read_tcp_fixed_header(tcp, out);
    err = decode_options(tcp + TCP_HEADER_MIN_LEN, data_offset - TCP_HEADER_MIN_LEN, &out->opt);
    if (err != SEG_OK)
        return err;

    /* RFC 9293 3.1: the checksum covers pseudo-header, header and data; a
     * correct segment sums (with its checksum field) to all ones. */
    if (verify_checksum) {
        uint32_t sum = pseudo_header_sum(out->src_addr, out->dst_addr, (uint16_t)tcp_len);
        sum = inet_checksum_add(sum, tcp, tcp_len);
        if (inet_checksum_finish(sum) != 0)
            return SEG_ERR_TCP_CHECKSUM;
    }

    out->payload_len = tcp_len - data_offset;
    out->payload = tcp + data_offset;
    return SEG_OK;
}

enum seg_error tcp_segment_decode(const uint8_t *pkt, size_t len, struct tcp_segment *out)
{
    return decode(pkt, len, out, true);
}

enum seg_error tcp_segment_decode_unverified(const uint8_t *pkt, size_t len,
                                             struct tcp_segment *out)
{
    return decode(pkt, len, out, false);
}

/* ---- small helpers ---- */

uint32_t tcp_segment_seq_len(const struct tcp_segment *seg)
{
    if (seg == NULL)
        return 0;
    /* RFC 9293 3.4: SYN and FIN each occupy one sequence number. */
    uint32_t len = (uint32_t)seg->payload_len;
    if (seg->flags & TCP_SYN)
        len++;
    if (seg->flags & TCP_FIN)
        len++;
    return len;
}

const char *seg_error_name(enum seg_error err)
{
    switch (err) {
    case SEG_OK:
        return "ok";
    case SEG_ERR_SHORT_IP:
        return "short-ip";
    case SEG_ERR_IP_VERSION:
        return "bad-ip-version";
    case SEG_ERR_IP_HEADER_LEN:
        return "bad-ip-header-len";
    case SEG_ERR_IP_TOTAL_LEN:
        return "bad-ip-total-len";
    case SEG_ERR_IP_CHECKSUM:
        return "bad-ip-checksum";
    case SEG_ERR_IP_FRAGMENT:
        return "ip-fragment";
    case SEG_ERR_NOT_TCP:
        return "not-tcp";
    case SEG_ERR_SHORT_TCP:
        return "short-tcp";
    case SEG_ERR_DATA_OFFSET:
        return "bad-data-offset";
    case SEG_ERR_OPTION_LENGTH:
        return "bad-option-length";
    case SEG_ERR_TCP_CHECKSUM:
        return "bad-tcp-checksum";
    case SEG_ERR_COUNT:
        break;
    }
    return "unknown-error";
}

struct flag_name {
    uint8_t bit;
    char letter;
    const char *word;
};

/* tcpdump prints the letters in this order and the ACK '.' last. */
static const struct flag_name flag_names[] = {
    {TCP_SYN, 'S', "SYN"}, {TCP_FIN, 'F', "FIN"}, {TCP_RST, 'R', "RST"},
    {TCP_PSH, 'P', "PSH"}, {TCP_ACK, '.', "ACK"}, {TCP_URG, 'U', "URG"},
    {TCP_ECE, 'E', "ECE"}, {TCP_CWR, 'W', "CWR"},
};

#define FLAG_NAME_COUNT (sizeof flag_names / sizeof flag_names[0])

void tcp_flags_short(uint8_t flags, char out[10])
{
    size_t n = 0;
    if (flags == 0) {
        memcpy(out, "none", 5);
        return;
    }
    for (size_t i = 0; i < FLAG_NAME_COUNT; i++) {
        if (flag_names[i].bit != TCP_ACK && (flags & flag_names[i].bit))
            out[n++] = flag_names[i].letter;
    }
    if (flags & TCP_ACK)
        out[n++] = '.';
    out[n] = '\0';
}

void tcp_flags_words(uint8_t flags, char out[40])
{
    size_t n = 0;
    if (flags == 0) {
        memcpy(out, "none", 5);
        return;
    }
    for (size_t i = 0; i < FLAG_NAME_COUNT; i++) {
        if (!(flags & flag_names[i].bit))
            continue;
        if (n > 0)
            out[n++] = ',';
        size_t w = strlen(flag_names[i].word);
        memcpy(out + n, flag_names[i].word, w);
        n += w;
    }
    out[n] = '\0';
}
