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

/* acc += word, counting the carry out of bit 63 in *carries (2^64 = 1 in
 * the one's complement sum, see below). */
static inline void add_word64(uint64_t *acc, uint64_t *carries, uint64_t word)
{
    *acc += word;
    *carries += *acc < word;
}

static uint64_t load_word64(const uint8_t *p)
{
    uint64_t word;
    memcpy(&word, p, sizeof word); /* one unaligned load */
    return word;
}

/* acc as the sum of its two 32-bit halves: still congruent modulo 2^16 - 1,
 * and small enough to add a few of them without overflow. */
static uint64_t halves(uint64_t acc)
{
    return (acc & 0xffffffffu) + (acc >> 32);
}

/* The sum of the partial sums (each as halves(), plus its carries)
 * folded to 16 bits in big-endian terms (see sum_words64).  Each term is
 * below 2^33 (the carries far below: a packet is at most 64 KB), so the
 * total cannot overflow.  The callers add the terms from their locals:
 * storing them to an array and reading it back as one vector (which the
 * compiler did for a loop here) stalls on the store-to-load forwarding. */
static uint32_t fold_total(uint64_t total)
{
    uint32_t folded = fold_to_16(total);
    if (host_is_little_endian())
        folded = ((folded >> 8) | (folded << 8)) & 0xffffu;
    return folded;
}

/* The one's complement sum of the 16-bit big-endian words in n8 * 8
 * bytes, taken 64 bits at a time in the host's byte order, not yet folded
 * (fold_total does that): the portable loop of sum_words64.  Every payload
 * byte is summed by the sender and by the receiver, so this is the
 * codec's hot loop.
 *  - A 64-bit word is four 16-bit words times powers of 2^16, and
 *    2^16 = 1 in the one's complement sum (RFC 1071 2(A), the end-around
 *    carry), so adding 64-bit words, counting the carries out of bit 63
 *    (2^64 = 1 too) and folding gives the sum of the 16-bit words.
 *  - The sum is commutative and associative (RFC 1071 2(A)), so four
 *    independent accumulators may each take every fourth word: one chain
 *    waits a cycle per add for the carry of the previous one, four chains
 *    keep the loads busy instead.  (They are plain locals: the compiler
 *    kept an array of them in memory.)
 *  - In the host's byte order each 16-bit word has its bytes swapped on a
 *    little-endian machine, and the sum of swapped words is the swapped sum
 *    (RFC 1071 2(B), byte order independence): swap the folded result. */
static uint64_t sum_words64_scalar(const uint8_t *data, size_t n8)
{
    uint64_t a0 = 0, a1 = 0, a2 = 0, a3 = 0, c0 = 0, c1 = 0, c2 = 0, c3 = 0;
    size_t i = 0;
    for (; i + 4 <= n8; i += 4) {
        const uint8_t *p = data + i * 8;
        add_word64(&a0, &c0, load_word64(p));
        add_word64(&a1, &c1, load_word64(p + 8));
        add_word64(&a2, &c2, load_word64(p + 16));
        add_word64(&a3, &c3, load_word64(p + 24));
    }
    for (; i < n8; i++)
        add_word64(&a0, &c0, load_word64(data + i * 8));
    return halves(a0) + halves(a1) + halves(a2) + halves(a3) + c0 + c1 + c2 + c3;
}

#if defined(__GNUC__) && defined(__x86_64__)
#define HAVE_SUM_AVX2 1
typedef uint32_t u32x8 __attribute__((vector_size(32)));

/* Blocks of 32 bytes summed at most this many at a time: each 32-bit lane
 * then stays below 2^16 * 2^16 (a packet is far smaller anyway). */
#define AVX2_CHUNK_BLOCKS 65535u

/* The same sum, unfolded, over n32 * 32 bytes at src with AVX2 (most
 * x86-64 machines since 2013; the callers ask the CPU): the 16-bit words
 * go into 32-bit lanes, eight lanes for the low halves of each 32-bit
 * word and eight for the high ones, so no add waits for a carry and one
 * instruction adds 32 bytes; the lanes are added up at the end.  Half the
 * time of the scalar loop per packet (measured: 18 against 40 ns for 1472
 * bytes).  Written with GCC's vector extension, which clang has too.
 *
 * With copy, each block is also stored at dst as it is loaded: the
 * sender's payload goes from the send buffer into the packet and is
 * summed in one pass, where memcpy and then a second pass over the source
 * cost more (the bytes come from the send buffer, cold).  Always inlined
 * with copy a constant, so each caller gets a loop of its own without the
 * test (measured: the same time as two hand-written loops). */
__attribute__((target("avx2"), always_inline)) static inline uint64_t
sum_blocks32_avx2(uint8_t *dst, const uint8_t *src, size_t n32, bool copy)
{
    uint64_t total = 0;
    while (n32 > 0) {
        size_t n = n32 < AVX2_CHUNK_BLOCKS ? n32 : AVX2_CHUNK_BLOCKS;
        u32x8 lo = {0}, hi = {0};
        for (size_t i = 0; i < n; i++) {
            u32x8 w;
            memcpy(&w, src + i * 32, sizeof w); /* one unaligned load */
            if (copy)
                memcpy(dst + i * 32, &w, sizeof w);
            lo += w & 0xffffu;
            hi += w >> 16;
        }
        for (int k = 0; k < 8; k++)
            total += (uint64_t)lo[k] + hi[k];
        src += n * 32;
        if (copy)
            dst += n * 32;
        n32 -= n;
    }
    return total;
}

/* The two ways the sum is taken, each its own function for the CPU check
 * in its caller to guard. */
__attribute__((target("avx2"))) static uint64_t sum_only_avx2(const uint8_t *data, size_t n32)
{
    return sum_blocks32_avx2(NULL, data, n32, false);
}

__attribute__((target("avx2"))) static uint64_t copy_sum_avx2(uint8_t *dst, const uint8_t *src,
                                                              size_t n32)
{
    return sum_blocks32_avx2(dst, src, n32, true);
}
#endif

/* The folded sum of n8 * 8 bytes (see sum_words64_scalar). */
static uint32_t sum_words64(const uint8_t *data, size_t n8)
{
    uint64_t total = 0;
#ifdef HAVE_SUM_AVX2
    /* Every lane order and grouping gives the same sum (RFC 1071 2(A)),
     * so the wide loop takes the whole 32-byte blocks, the scalar one the
     * last few words. */
    if (n8 >= 4 && __builtin_cpu_supports("avx2")) {
        size_t n32 = n8 / 4;
        total = sum_only_avx2(data, n32);
        data += n32 * 32;
        n8 -= n32 * 4;
    }
#endif
    return fold_total(total + sum_words64_scalar(data, n8));
}


/* The bytes after the last whole 64-bit word: 16-bit words, then an odd
 * trailing byte padded with a zero byte (RFC 1071 4.1). */
static uint64_t sum_tail(const uint8_t *data, size_t from, size_t len)
{
    uint64_t acc = 0;
    size_t i = from;
    for (; i + 1 < len; i += 2)
        acc += get_be16(data + i);
    if (i < len)
        acc += (uint64_t)data[i] << 8;
    return acc;
}

/* When summing a message in pieces every piece but the last must be even
 * (the odd byte's padding). */
uint32_t inet_checksum_add(uint32_t sum, const uint8_t *data, size_t len)
{
    uint64_t acc = sum;
    if (data == NULL)
        return fold_to_16(acc);
    acc += sum_words64(data, len / 8);
    acc += sum_tail(data, len / 8 * 8, len);
    return fold_to_16(acc);
}

/* memcpy(dst, src, len), returning inet_checksum_add(sum, dst, len).  The
 * sum is taken over the source, never over the destination just written:
 * reading back at once what wide stores have just written waits for those
 * stores to reach the cache (measured: summing the packet after copying
 * the payload into it cost more than the copy).  With AVX2 one loop
 * copies and sums each 32-byte block (1 ms less per 100 MB than memcpy and
 * a second pass); a scalar loop doing the same lost to memcpy's wide
 * moves, so without AVX2 it is memcpy, then the sum over the source. */
static uint32_t inet_checksum_copy(uint32_t sum, uint8_t *dst, const uint8_t *src, size_t len)
{
    uintptr_t d = (uintptr_t)dst, s = (uintptr_t)src;
    if (d < s + len && s < d + len) { /* overlapping: the bytes are dst's now */
        memmove(dst, src, len);
        return inet_checksum_add(sum, dst, len);
    }
#ifdef HAVE_SUM_AVX2
    if (len >= 32 && __builtin_cpu_supports("avx2")) {
        /* The whole blocks in one pass, then the last bytes: pieces that
         * start at even offsets may be summed apart and added. */
        size_t done = len / 32 * 32;
        uint32_t blocks = fold_total(copy_sum_avx2(dst, src, len / 32));
        memcpy(dst + done, src + done, len - done);
        return inet_checksum_add(fold_to_16((uint64_t)sum + blocks), src + done, len - done);
    }
#endif
    memcpy(dst, src, len);
    return inet_checksum_add(sum, src, len);
}

uint16_t inet_checksum_finish(uint32_t sum)
{
    return (uint16_t)~fold_to_16(sum);
}

/* The sum over an IPv4 header of ihl bytes (RFC 791 3.1), as
 * inet_checksum_add(0, ip, ihl) gives it.  Every packet's header is summed
 * when it is built and at each decode, so the usual 20 bytes without
 * options take three loads instead of the general loops: two 64-bit words
 * and a 32-bit one, each congruent to the sum of its 16-bit words (see
 * sum_words64).  The header is never all zeros (version 4), so both ways
 * fold to the same nonzero value. */
static uint32_t ip_header_sum(const uint8_t *ip, size_t ihl)
{
    if (ihl != IPV4_HEADER_LEN)
        return inet_checksum_add(0, ip, ihl);
    uint32_t last;
    memcpy(&last, ip + 16, sizeof last);
    return fold_total(halves(load_word64(ip)) + halves(load_word64(ip + 8)) + last);
}

/* The IPv4 pseudo-header of RFC 9293 3.1: source, destination, zero,
 * protocol, TCP length.  It binds the TCP checksum to the addresses.  Its
 * six big-endian 16-bit words are the halves of the addresses, the zero
 * byte with the protocol, and the length, so they are added as numbers
 * (RFC 1071 2(B): the sum of big-endian words, as inet_checksum_add gives
 * it) instead of being written out and summed byte by byte, once per
 * packet sent and once per packet received. */
static uint32_t pseudo_header_sum(uint32_t src, uint32_t dst, uint16_t tcp_len)
{
    uint64_t sum = (uint64_t)(src >> 16) + (src & 0xffffu) + (dst >> 16) + (dst & 0xffffu) +
                   IP_PROTO_TCP + tcp_len;
    return fold_to_16(sum);
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

/* The two 16-bit words of a 32-bit field, added. */
static uint32_t sum_halves32(uint32_t v)
{
    return (v >> 16) + (v & 0xffffu);
}

/* The header checksum (RFC 791 3.1) is the sum of the header's 16-bit
 * words, here added from the values written instead of read back: bytes
 * stored one at a time and read at once in wider loads make the loads wait
 * until the stores reach the cache. */
static void write_ip_header(const struct tcp_segment *seg, uint16_t total_len, uint8_t *ip)
{
    uint8_t ttl = seg->ttl != 0 ? seg->ttl : IP_DEFAULT_TTL;
    ip[0] = 0x45; /* version 4, IHL 5: no IP options */
    ip[1] = 0;    /* DSCP/ECN */
    put_be16(ip + 2, total_len);
    put_be16(ip + 4, seg->ip_id);
    put_be16(ip + 6, IP_FLAG_DF);
    ip[8] = ttl;
    ip[9] = IP_PROTO_TCP;
    put_be32(ip + 12, seg->src_addr);
    put_be32(ip + 16, seg->dst_addr);
    /* The words in order; the checksum's own word counts as zero.  Never
     * all zeros (0x4500), so it folds as the summed bytes would. */
    uint64_t sum = 0x4500u + total_len + seg->ip_id + IP_FLAG_DF +
                   ((uint32_t)ttl << 8 | IP_PROTO_TCP) + sum_halves32(seg->src_addr) +
                   sum_halves32(seg->dst_addr);
    put_be16(ip + 10, inet_checksum_finish(fold_to_16(sum)));
}

/* Writes the fixed 20 bytes of the TCP header with a zero checksum and
 * returns the sum of their 16-bit words, from the values (as for the IP
 * header). */
static uint32_t write_tcp_header(const struct tcp_segment *seg, size_t header_len, uint8_t *tcp)
{
    uint16_t offset_flags = (uint16_t)((header_len / 4) << 12 | seg->flags); /* reserved bits 0 */
    put_be16(tcp, seg->src_port);
    put_be16(tcp + 2, seg->dst_port);
    put_be32(tcp + 4, seg->seq);
    put_be32(tcp + 8, seg->ack);
    put_be16(tcp + 12, offset_flags);
    put_be16(tcp + 14, seg->window);
    put_be16(tcp + 16, 0);
    put_be16(tcp + 18, seg->urgent);
    return fold_to_16((uint64_t)seg->src_port + seg->dst_port + sum_halves32(seg->seq) +
                      sum_halves32(seg->ack) + offset_flags + seg->window + seg->urgent);
}

/* The packet's length for seg with options laid out as lay; 0 when it
 * cannot be built. */
static size_t packet_len(const struct tcp_segment *seg, const struct option_layout *lay)
{
    if (seg->payload_len > 0 && seg->payload == NULL)
        return 0;
    size_t tcp_header_len = TCP_HEADER_MIN_LEN + lay->len;
    if (seg->payload_len > TCP_PACKET_MAX - IPV4_HEADER_LEN - tcp_header_len)
        return 0;
    return IPV4_HEADER_LEN + tcp_header_len + seg->payload_len;
}

size_t tcp_segment_encoded_len(const struct tcp_segment *seg)
{
    if (seg == NULL)
        return 0;
    struct option_layout lay = plan_options(&seg->opt);
    return packet_len(seg, &lay);
}

size_t tcp_segment_encode(const struct tcp_segment *seg, uint8_t *buf, size_t cap)
{
    if (seg == NULL || buf == NULL)
        return 0;
    struct option_layout lay = plan_options(&seg->opt);
    size_t total = packet_len(seg, &lay);
    if (total == 0 || total > cap)
        return 0;
    size_t tcp_header_len = TCP_HEADER_MIN_LEN + lay.len;
    size_t tcp_len = total - IPV4_HEADER_LEN;

    uint8_t *tcp = buf + IPV4_HEADER_LEN;
    write_ip_header(seg, (uint16_t)total, buf);
    uint32_t header_sum = write_tcp_header(seg, tcp_header_len, tcp);
    write_options(&seg->opt, &lay, tcp + TCP_HEADER_MIN_LEN);

    /* RFC 9293 3.1: the sum covers pseudo-header, header and options (each
     * a multiple of 4 bytes, so even pieces), then the payload, summed
     * from the send buffer as it is copied into the packet. */
    uint32_t sum = pseudo_header_sum(seg->src_addr, seg->dst_addr, (uint16_t)tcp_len);
    sum = fold_to_16((uint64_t)sum + header_sum);
    if (lay.len > 0)
        sum = inet_checksum_add(sum, tcp + TCP_HEADER_MIN_LEN, lay.len);
    if (seg->payload_len > 0)
        sum = inet_checksum_copy(sum, tcp + tcp_header_len, seg->payload, seg->payload_len);
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
                                      size_t *total_len, bool verify_checksum)
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
    if (verify_checksum && inet_checksum_finish(ip_header_sum(pkt, ihl)) != 0)
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
                             bool verify_ip, bool verify_checksum)
{
    if (out == NULL)
        return SEG_ERR_SHORT_IP;
    memset(out, 0, sizeof *out);
    if (pkt == NULL)
        return SEG_ERR_SHORT_IP;

    size_t ihl = 0, total = 0;
    enum seg_error err = check_ip_header(pkt, len, &ihl, &total, verify_ip);
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
    return decode(pkt, len, out, true, true);
}

enum seg_error tcp_segment_decode_unverified(const uint8_t *pkt, size_t len,
                                             struct tcp_segment *out)
{
    return decode(pkt, len, out, true, false);
}

enum seg_error tcp_segment_decode_headers(const uint8_t *pkt, size_t len, struct tcp_segment *out)
{
    return decode(pkt, len, out, false, false);
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
