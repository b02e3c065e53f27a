/* The segment inspector: every header field of the selected packet, read
 * from its bytes as they left the sender, then a hex dump.
 *
 * The fields are read from the bytes directly rather than from the
 * codec's struct, so that a corrupted packet still shows what it holds;
 * the checksums are recomputed with the codec's own sum, so "bad" here
 * means exactly what makes the receiver drop it. */
#include <curses.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export/text.h"
#include "tcp/segment.h"
#include "tcp/tcb.h"
#include "ui/draw.h"
#include "ui/trace_index.h"
#include "ui/ui.h"

#define INSPECT_LINE_MAX 160
#define INSPECT_FIELD_LINES 40
#define IP_PROTO_TCP_NUMBER 6

/* The lines above the hex dump. */
struct inspect_text {
    char line[INSPECT_FIELD_LINES][INSPECT_LINE_MAX];
    enum ui_role role[INSPECT_FIELD_LINES];
    int n;
    enum tv_lang lang;        /* the words are translated, field values and flags are not */
};

static void add_line(struct inspect_text *t, enum ui_role role, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void add_line(struct inspect_text *t, enum ui_role role, const char *fmt, ...)
{
    if (t->n >= INSPECT_FIELD_LINES)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(t->line[t->n], INSPECT_LINE_MAX, fmt, ap);
    va_end(ap);
    t->role[t->n++] = role;
}

static unsigned be16(const uint8_t *p) { return (unsigned)p[0] << 8 | p[1]; }
static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static const char *good_bad(enum tv_lang lang, bool good)
{
    return good ? tv_tr(lang, "good") : tv_tr(lang, "BAD");
}

/* ------------------------------------------------------------------ */
/* Where the packet is at the cursor */

static void describe_fate(const struct ui *ui, struct inspect_text *t, const struct ti_seg *s)
{
    const struct scenario *scn = world_scenario(ui->world);
    size_t len = world_trace_len(ui->world);
    size_t cur = ui->cursor < len ? ui->cursor : (len ? len - 1 : 0);
    struct ti_fate_at f = trace_index_fate(s, cur);
    const char *from = s->from >= 0 ? scn->hosts[s->from].name : tv_tr(ui->lang, "forged");
    const char *to = s->to >= 0 ? scn->hosts[s->to].name : tv_tr(ui->lang, "nobody");
    char name_from[SCN_NAME_MAX], name_to[SCN_NAME_MAX];
    draw_sanitize(name_from, sizeof name_from, from);
    draw_sanitize(name_to, sizeof name_to, to);
    enum tv_lang lang = ui->lang;
    const char *corrupted = f.corrupted ? tv_tr(lang, " (a corrupted copy)") : "";
    add_line(t, ROLE_TITLE, tv_tr(lang, "packet %u  %s > %s  sent %.6f s%s"), (unsigned)s->packet,
             name_from, name_to, (double)s->t_out / 1e6,
             s->retx_index != TI_NONE ? tv_tr(lang, "  (retransmission)") : "");
    switch (f.fate) {
    case TI_ARRIVED:
        add_line(t, ROLE_NORMAL, tv_tr(lang, "arrived %.6f s%s"), (double)f.t / 1e6, corrupted);
        break;
    case TI_DROPPED:
        /* The reason is the trace's token (tcpdump-like), as in the log. */
        add_line(t, ROLE_DROP, tv_tr(lang, "dropped %.6f s %s: %s%s"), (double)f.t / 1e6,
                 f.on_wire ? tv_tr(lang, "on the wire") : tv_tr(lang, "by the receiver"),
                 tcp_drop_reason_name((enum tcp_drop_reason)f.drop), corrupted);
        break;
    case TI_IN_FLIGHT:
        add_line(t, ROLE_NORMAL, tv_tr(lang, "in flight, %u%% of the way"),
                 trace_index_progress(s, scn, world_trace(ui->world)[cur].t) / 10);
        break;
    case TI_NOWHERE:
        add_line(t, ROLE_DIM, "%s", tv_tr(lang, "addressed to no host: it goes nowhere"));
        break;
    case TI_UNSENT:
        add_line(t, ROLE_DIM, "%s", tv_tr(lang, "not sent yet at the cursor"));
        break;
    }
}

/* ------------------------------------------------------------------ */
/* Header fields */

static size_t ipv4_fields(struct inspect_text *t, const uint8_t *p, size_t len)
{
    if (len < IPV4_HEADER_LEN) {
        add_line(t, ROLE_DROP, tv_tr(t->lang, "IPv4: only %zu bytes, shorter than a header"), len);
        return len;
    }
    size_t ihl = (size_t)(p[0] & 15) * 4;
    unsigned frag = be16(p + 6);
    bool sum_ok = ihl >= IPV4_HEADER_LEN && ihl <= len &&
                  inet_checksum_finish(inet_checksum_add(0, p, ihl)) == 0;
    char src[EXPORT_IPV4_LEN], dst[EXPORT_IPV4_LEN];
    export_ipv4(be32(p + 12), src);
    export_ipv4(be32(p + 16), dst);
    add_line(t, ROLE_TITLE, "IPv4");
    enum tv_lang lang = t->lang;
    add_line(t, ROLE_NORMAL, tv_tr(lang, "  version %u  IHL %u (%zu bytes)  total length %u"),
             p[0] >> 4, p[0] & 15u, ihl, be16(p + 2));
    add_line(t, ROLE_NORMAL, tv_tr(lang, "  id %u  flags%s%s%s  fragment offset %u"), be16(p + 4),
             (frag & 0x4000) ? " DF" : "", (frag & 0x2000) ? " MF" : "",
             (frag & 0x6000) ? "" : tv_tr(lang, " none"), frag & 0x1FFFu);
    add_line(t, ROLE_NORMAL, tv_tr(lang, "  TTL %u  protocol %u%s"), p[8], p[9],
             p[9] == IP_PROTO_TCP_NUMBER ? " (TCP)" : "");
    add_line(t, sum_ok ? ROLE_NORMAL : ROLE_DROP, tv_tr(lang, "  header checksum 0x%04x %s"),
             be16(p + 10), good_bad(lang, sum_ok));
    add_line(t, ROLE_NORMAL, tv_tr(lang, "  src %s  dst %s"), src, dst);
    return ihl >= IPV4_HEADER_LEN && ihl <= len ? ihl : len;
}

/* The TCP checksum over the pseudo-header (RFC 9293 3.1) and the segment:
 * a correct one sums to all ones, i.e. finishes to zero. */
static bool tcp_checksum_good(const uint8_t *ip, const uint8_t *tcp, size_t tcp_len)
{
    uint8_t ph[12];
    memcpy(ph, ip + 12, 8);
    ph[8] = 0;
    ph[9] = IP_PROTO_TCP_NUMBER;
    ph[10] = (uint8_t)(tcp_len >> 8);
    ph[11] = (uint8_t)tcp_len;
    uint32_t sum = inet_checksum_add(0, ph, sizeof ph);
    sum = inet_checksum_add(sum, tcp, tcp_len);
    return inet_checksum_finish(sum) == 0;
}

/* The window a segment's sender means: shifted by the scale it announced,
 * except on a SYN (RFC 7323 2.2).  -1 when the shift is not known. */
static long scaled_window(const struct ui *ui, const struct ti_seg *s, unsigned raw)
{
    if (!s || s->from < 0 || (s->seg.flags & TCP_SYN))
        return -1;
    const struct tcb *tcb = trace_index_host_tcb(ui->world, s->from);
    if (!tcb || !tcb->wscale_ok || tcb->local_port != s->seg.src_port)
        return -1;
    return (long)raw << tcb->rcv_wscale;
}

static void options_line(struct inspect_text *t, const uint8_t *pkt, size_t len)
{
    struct tcp_segment d;
    enum seg_error err = tcp_segment_decode_unverified(pkt, len, &d);
    if (err != SEG_OK) {
        add_line(t, ROLE_DROP, tv_tr(t->lang, "  options: not decoded (%s)"), seg_error_name(err));
        return;
    }
    char buf[INSPECT_LINE_MAX] = "";
    size_t u = 0;
#define OPT(...) u += (size_t)snprintf(buf + u, u < sizeof buf ? sizeof buf - u : 0, __VA_ARGS__)
    if (d.opt.has_mss)
        OPT(" mss %u;", (unsigned)d.opt.mss);
    if (d.opt.has_wscale)
        OPT(" wscale %u (x%lu);", (unsigned)d.opt.wscale, 1ul << (d.opt.wscale & 15));
    if (d.opt.sack_permitted)
        OPT(" sackOK;");
    for (unsigned i = 0; i < d.opt.sack_count && i < TCP_SACK_MAX_BLOCKS; i++)
        OPT(" SACK %u-%u;", (unsigned)d.opt.sack[i].left, (unsigned)d.opt.sack[i].right);
    if (d.opt.has_timestamps)
        OPT(" TS val %u ecr %u;", (unsigned)d.opt.ts_val, (unsigned)d.opt.ts_ecr);
    if (d.opt.unknown_count)
        OPT(tv_tr(t->lang, " %u unknown;"), (unsigned)d.opt.unknown_count);
#undef OPT
    if (u > 0 && u < sizeof buf)
        buf[u - 1] = '\0'; /* the last ';' */
    add_line(t, ROLE_NORMAL, tv_tr(t->lang, "  options:%s"), buf[0] ? buf : tv_tr(t->lang, " none"));
}

static void tcp_fields(const struct ui *ui, struct inspect_text *t, const struct ti_seg *s,
                       const uint8_t *pkt, size_t len, size_t ihl)
{
    const uint8_t *p = pkt + ihl;
    size_t tlen = len - ihl;
    if (tlen < TCP_HEADER_MIN_LEN) {
        add_line(t, ROLE_DROP, tv_tr(t->lang, "TCP: only %zu bytes, shorter than a header"), tlen);
        return;
    }
    size_t off = (size_t)(p[12] >> 4) * 4;
    uint8_t flags = p[13];
    char words[40], shortf[10];
    tcp_flags_words(flags, words);
    tcp_flags_short(flags, shortf);
    unsigned win = be16(p + 14);
    long scaled = scaled_window(ui, s, win);
    bool sum_ok = tcp_checksum_good(pkt, p, tlen);
    add_line(t, ROLE_TITLE, "TCP");
    /* Field names are translated (the header field by field is a lesson);
     * seq, ack and the flags are the tokens of RFCs and tcpdump. */
    enum tv_lang lang = t->lang;
    add_line(t, ROLE_NORMAL, tv_tr(lang, "  src port %u  dst port %u"), be16(p), be16(p + 2));
    add_line(t, ROLE_NORMAL, "  seq %u  ack %u%s", (unsigned)be32(p + 4),
             (unsigned)be32(p + 8), (flags & TCP_ACK) ? "" : tv_tr(lang, " (no ACK flag: ignored)"));
    add_line(t, ROLE_NORMAL, tv_tr(lang, "  data offset %u (%zu bytes)  flags %s [%s]"), p[12] >> 4,
             off, words[0] ? words : "none", shortf);
    if (scaled >= 0)
        add_line(t, ROLE_NORMAL, tv_tr(lang, "  window %u (scaled: %ld bytes)"), win, scaled);
    else
        add_line(t, ROLE_NORMAL, tv_tr(lang, "  window %u"), win);
    add_line(t, sum_ok ? ROLE_NORMAL : ROLE_DROP, tv_tr(lang, "  checksum 0x%04x %s"),
             be16(p + 16), good_bad(lang, sum_ok));
    add_line(t, ROLE_NORMAL, tv_tr(lang, "  urgent pointer %u"), be16(p + 18));
    options_line(t, pkt, len);
    add_line(t, ROLE_NORMAL, tv_tr(lang, "  payload %zu bytes"), off <= tlen ? tlen - off : 0);
}

/* ------------------------------------------------------------------ */
/* Hex dump */

/* "0010  40 06 ... 0a 00  @.......": offset, bytes, their ASCII. */
static void hex_row(char *out, size_t n, const uint8_t *pkt, size_t len, size_t row, int per)
{
    size_t start = row * (size_t)per;
    int u = snprintf(out, n, "%04zx ", start);
    for (int i = 0; i < per && u >= 0 && (size_t)u < n; i++) {
        if (i == per / 2)
            u += snprintf(out + u, n - (size_t)u, " ");
        if (start + (size_t)i < len)
            u += snprintf(out + u, n - (size_t)u, " %02x", pkt[start + (size_t)i]);
        else
            u += snprintf(out + u, n - (size_t)u, "   ");
    }
    if (u < 0 || (size_t)u >= n)
        return;
    u += snprintf(out + u, n - (size_t)u, "  ");
    for (int i = 0; i < per && start + (size_t)i < len && (size_t)u + 1 < n; i++) {
        uint8_t c = pkt[start + (size_t)i];
        out[u++] = (c >= 0x20 && c < 0x7f) ? (char)c : '.';
        out[u] = '\0';
    }
}

/* ------------------------------------------------------------------ */

/* The packet to show: the selection, else the segment of the cursor's
 * event. */
static int64_t packet_to_show(const struct ui *ui)
{
    if (ui->selected_packet >= 0)
        return ui->selected_packet;
    size_t len = world_trace_len(ui->world);
    if (len == 0)
        return -1;
    const struct trace_entry *e = &world_trace(ui->world)[ui->cursor < len ? ui->cursor : len - 1];
    if (e->ev.kind == EV_SEG_OUT || e->ev.kind == EV_SEG_IN || e->ev.kind == EV_SEG_DROP)
        return e->ev.u.seg.packet;
    return -1;
}

/* Bytes on one hex row in a window w columns wide. */
static int hex_per_row(int w)
{
    return w >= 75 ? 16 : 8;
}

/* Lines of the whole text: the fields, a "hex" title, the hex rows. */
static int total_lines(const struct inspect_text *t, size_t len, int w)
{
    int per = hex_per_row(w);
    return t->n + 1 + (int)((len + (size_t)per - 1) / (size_t)per);
}

static void draw_lines(const struct ui *ui, WINDOW *win, int h, int w,
                       const struct inspect_text *t, const uint8_t *pkt, size_t len)
{
    int per = hex_per_row(w);
    int total = total_lines(t, len, w);
    int top = ui->inspector_scroll;
    if (top > total - h)
        top = total - h;
    if (top < 0)
        top = 0;
    bool more = top + h < total;
    for (int y = 0; y < h; y++) {
        int i = top + y;
        char buf[INSPECT_LINE_MAX];
        enum ui_role role = ROLE_NORMAL;
        if (more && y == h - 1 && h > 1) {
            snprintf(buf, sizeof buf, tv_tr(ui->lang, "%s %d more lines"), ui->utf8 ? "↓" : "v",
                     total - i);
            role = ROLE_DIM;
        } else if (i < t->n) {
            snprintf(buf, sizeof buf, "%s", t->line[i]);
            role = t->role[i];
        } else if (i == t->n) {
            snprintf(buf, sizeof buf, tv_tr(ui->lang, "hex (%zu bytes)"), len);
            role = ROLE_TITLE;
        } else if (i < total) {
            hex_row(buf, sizeof buf, pkt, len, (size_t)(i - t->n - 1), per);
        } else {
            buf[0] = '\0';
        }
        int used = draw_text_role(ui, win, y, 0, w, buf, role);
        draw_blank(win, y, used, w - used);
    }
}

static void draw_message(const struct ui *ui, WINDOW *win, int h, int w, const char *msg)
{
    for (int y = 0; y < h; y++) {
        int used = y == 0 ? draw_text_role(ui, win, 0, 0, w, msg, ROLE_DIM) : 0;
        draw_blank(win, y, used, w - used);
    }
}

/* The text of packet id's fields. */
static void inspect_packet(const struct ui *ui, int64_t id, const uint8_t *pkt, size_t len,
                           struct inspect_text *t)
{
    bool temp;
    struct trace_index *ti = trace_index_for_ui(ui, &temp);
    t->n = 0;
    t->lang = ui->lang;
    int64_t k = ti ? trace_index_find(ti, (uint32_t)id) : -1;
    const struct ti_seg *s = k >= 0 ? trace_index_seg(ti, (size_t)k) : NULL;
    if (s)
        describe_fate(ui, t, s);
    size_t ihl = ipv4_fields(t, pkt, len);
    if (ihl < len)
        tcp_fields(ui, t, s, pkt, len, ihl);
    trace_index_done(ti, temp);
}

int inspector_lines(const struct ui *ui, int w)
{
    int64_t id = packet_to_show(ui);
    size_t len = 0;
    const uint8_t *pkt = id >= 0 ? world_packet(ui->world, (uint32_t)id, &len) : NULL;
    if (!pkt || w <= 0)
        return 1;
    /* About 7 KB: too much for the stack of a key press on small systems. */
    struct inspect_text *t = malloc(sizeof *t);
    if (!t)
        return 1;
    inspect_packet(ui, id, pkt, len, t);
    int total = total_lines(t, len, w);
    free(t);
    return total;
}

static void inspector_draw(const struct ui *ui, WINDOW *win, int h, int w)
{
    if (h <= 0 || w <= 0)
        return;
    int64_t id = packet_to_show(ui);
    size_t len = 0;
    const uint8_t *pkt = id >= 0 ? world_packet(ui->world, (uint32_t)id, &len) : NULL;
    if (!pkt) {
        draw_message(ui, win, h, w,
                     id < 0 ? tv_tr(ui->lang, "No segment selected: pick one in the ladder (j/k "
                                              "or a click).")
                            : tv_tr(ui->lang, "The bytes of this packet are not kept."));
        return;
    }
    struct inspect_text t;
    inspect_packet(ui, id, pkt, len, &t);
    draw_lines(ui, win, h, w, &t, pkt, len);
}

const struct ui_view ui_view_inspector = { N_("inspector"), inspector_draw };
