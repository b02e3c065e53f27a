/* tcpviz command line: parse options with getopt_long and pick a mode.
 *
 *   tcpviz --check FILE      validate a scenario file; a lesson is also run
 *                            and every claim it makes verified
 *   tcpviz --batch FILE      run a scenario headless, print the trace; a
 *                            lesson prints as a transcript (--lang)
 *   tcpviz [FILE]            the interactive view: FILE's scenario, or a
 *                            blank sandbox (a client and a server on port 80)
 *
 * Exit status, as the man page says: 0 ok, 1 a checkpoint failed, 2 bad
 * usage, a bad file, or an output error. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export/jsonl.h"
#include "export/pcap.h"
#include "export/text.h"
#include "i18n/i18n.h"
#include "lesson/lesson.h"
#include "lesson/lesson_run.h"
#include "lesson/scenario_parse.h"
#include "sim/scenario.h"
#include "sim/world.h"
#include "ui/course.h"
#include "ui/ui.h"

enum { EXIT_OK = 0, EXIT_CHECKPOINT_FAILED = 1, EXIT_USAGE = 2 };

enum output_format { FORMAT_TEXT, FORMAT_JSONL };

/* Kept for the curses UI (DESIGN.md: honour NO_COLOR and --color=never). */
enum color_mode { COLOR_AUTO, COLOR_NEVER, COLOR_ALWAYS };

struct options {
    const char *batch_file;
    const char *check_file;
    const char *pcap_file;
    const char *ui_file;        /* positional FILE for the interactive view */
    const char *script_file;    /* --script: drive the view from a file */
    bool ascii;                 /* --ascii: no Unicode line drawing */
    uint64_t seed;
    bool has_seed;
    bool has_format;
    enum output_format format;
    enum color_mode color;
    enum tv_lang lang;          /* --lang, else from LC_ALL / LC_MESSAGES / LANG */
};

/* Long-only options get values above the char range. */
enum {
    OPT_BATCH = 256, OPT_SEED, OPT_FORMAT, OPT_PCAP, OPT_CHECK, OPT_COLOR,
    OPT_HELP, OPT_VERSION, OPT_SCRIPT, OPT_ASCII, OPT_LANG,
};

static const struct option long_options[] = {
    {"batch",   required_argument, NULL, OPT_BATCH},
    {"seed",    required_argument, NULL, OPT_SEED},
    {"format",  required_argument, NULL, OPT_FORMAT},
    {"pcap",    required_argument, NULL, OPT_PCAP},
    {"check",   required_argument, NULL, OPT_CHECK},
    {"color",   optional_argument, NULL, OPT_COLOR},
    {"script",  required_argument, NULL, OPT_SCRIPT},
    {"ascii",   no_argument,       NULL, OPT_ASCII},
    {"lang",    required_argument, NULL, OPT_LANG},
    {"help",    no_argument,       NULL, OPT_HELP},
    {"version", no_argument,       NULL, OPT_VERSION},
    {NULL, 0, NULL, 0},
};

static void print_help(void)
{
    fputs("Usage: tcpviz [OPTION]... [LESSON | FILE]\n"
          "Teach TCP by running it: two TCP endpoints in one process, joined by a\n"
          "lossy virtual wire, and everything they do shown step by step.\n"
          "With no argument, open the lesson menu; LESSON is a lesson's id or\n"
          "number (tcpviz handshake, tcpviz 1) or a lesson file; any other FILE\n"
          "is a scenario to explore.\n"
          "\n"
          "  --batch FILE         run scenario FILE headless and print its trace;\n"
          "                       a lesson FILE prints as a transcript of its steps\n"
          "  --seed N             seed of the world's random numbers (decimal;\n"
          "                       default: the scenario's seed, else 1)\n"
          "  --format FORMAT      trace format for --batch: text (default) or jsonl\n"
          "  --pcap OUT           with --batch, also write the wire's packets to OUT\n"
          "  --check FILE         validate scenario or lesson FILE and exit; a lesson\n"
          "                       is also run and every claim it makes verified\n"
          "  --lang LANG          language of lessons and of the interface: en or\n"
          "                       zh_CN (default: from LC_ALL, LC_MESSAGES, LANG)\n"
          "  --color[=WHEN]       colour the interactive view: never, auto (default)\n"
          "                       or always; NO_COLOR in the environment means never\n"
          "  --ascii              draw boxes and arrows with ASCII characters only\n"
          "  --script FILE        drive the interactive view from FILE (actions such\n"
          "                       as step or back, key, resize, dump) on a virtual\n"
          "                       screen and print the dumps; no terminal needed\n"
          "  --help               display this help and exit\n"
          "  --version            output version information and exit\n"
          "\n"
          "Exit status: 0 if OK, 1 if a scenario checkpoint or a lesson's claim\n"
          "failed, 2 on bad usage, a bad scenario or lesson file or an output error.\n"
          "\n"
          "Examples:\n"
          "  tcpviz --batch tests/scenarios/handshake.scn --format jsonl --pcap hs.pcap\n"
          "  tcpviz --batch lessons/01-handshake.lesson --lang zh_CN\n"
          "\n"
          "The format of scenario files is described in docs/scenario-format.md,\n"
          "that of lessons in docs/lesson-format.md; see also the tcpviz(1) manual page.\n",
          stdout);
}

static void print_version(void)
{
    fputs(PACKAGE_NAME " " PACKAGE_VERSION "\n"
          "Copyright (C) 2025 the tcpviz authors.\n"
          "License: MIT <https://opensource.org/licenses/MIT>.\n"
          "This is free software: you are free to change and redistribute it.\n"
          "There is NO WARRANTY, to the extent permitted by law.\n",
          stdout);
}

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("tcpviz: ", stderr);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\nTry 'tcpviz --help' for more information.\n", stderr);
    return EXIT_USAGE;
}

/* getopt_long returned '?': say which of its three cases it was. */
static int bad_option(const char *arg)
{
    for (const struct option *lo = long_options; lo->name; lo++) {
        if (optopt != 0 && optopt == lo->val) {
            if (lo->has_arg == required_argument)
                return usage_error("option '--%s' requires an argument", lo->name);
            return usage_error("option '--%s' doesn't allow an argument", lo->name);
        }
    }
    if (optopt > 0 && optopt < 256)
        return usage_error("invalid option -- '%c'", optopt);
    return usage_error("unrecognized option '%s'", arg);
}

/* A decimal uint64: digits only (no sign, no spaces), no overflow. */
static bool parse_u64(const char *s, uint64_t *out)
{
    if (*s < '0' || *s > '9')
        return false;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    /* unsigned long long has at least 64 bits, so ERANGE covers overflow. */
    if (errno != 0 || *end != '\0' || v != (uint64_t)v)
        return false;
    *out = (uint64_t)v;
    return true;
}

/* Returns -1 when the options are fine, else the exit status to use. */
static int parse_options(int argc, char **argv, struct options *o)
{
    int c;
    opterr = 0; /* we print our own messages */
    while ((c = getopt_long(argc, argv, "", long_options, NULL)) != -1) {
        switch (c) {
        case OPT_BATCH:
            o->batch_file = optarg;
            break;
        case OPT_SEED:
            if (!parse_u64(optarg, &o->seed))
                return usage_error("invalid seed '%s' (expected a decimal number "
                                   "from 0 to 18446744073709551615)", optarg);
            o->has_seed = true;
            break;
        case OPT_FORMAT:
            if (strcmp(optarg, "text") == 0)
                o->format = FORMAT_TEXT;
            else if (strcmp(optarg, "jsonl") == 0)
                o->format = FORMAT_JSONL;
            else
                return usage_error("invalid format '%s' (expected text or jsonl)", optarg);
            o->has_format = true;
            break;
        case OPT_PCAP:
            o->pcap_file = optarg;
            break;
        case OPT_CHECK:
            o->check_file = optarg;
            break;
        case OPT_COLOR:
            if (optarg == NULL || strcmp(optarg, "always") == 0)
                o->color = COLOR_ALWAYS;
            else if (strcmp(optarg, "never") == 0)
                o->color = COLOR_NEVER;
            else if (strcmp(optarg, "auto") == 0)
                o->color = COLOR_AUTO;
            else
                return usage_error("invalid colour mode '%s' (expected never, auto or always)",
                                   optarg);
            break;
        case OPT_SCRIPT:
            o->script_file = optarg;
            break;
        case OPT_ASCII:
            o->ascii = true;
            break;
        case OPT_LANG: {
            int lang = tv_lang_from_name(optarg);
            if (lang < 0)
                return usage_error("invalid language '%s' (expected en or zh_CN)", optarg);
            o->lang = (enum tv_lang)lang;
            break;
        }
        case OPT_HELP:
            print_help();
            return EXIT_OK;
        case OPT_VERSION:
            print_version();
            return EXIT_OK;
        default:
            return bad_option(argv[optind - 1]);
        }
    }

    if (optind < argc)
        o->ui_file = argv[optind++];
    if (optind < argc)
        return usage_error("extra operand '%s'", argv[optind]);
    if (o->batch_file && o->check_file)
        return usage_error("--batch and --check cannot be combined");
    if (o->ui_file && (o->batch_file || o->check_file))
        return usage_error("extra operand '%s'", o->ui_file);
    if (!o->batch_file && o->pcap_file)
        return usage_error("--pcap needs --batch FILE");
    if (!o->batch_file && o->has_format)
        return usage_error("--format needs --batch FILE");
    if (o->script_file && (o->batch_file || o->check_file))
        return usage_error("--script cannot be combined with --batch or --check");
    return -1;
}

/* Parse a scenario; on error print the parser's "FILE:LINE: message". */
static bool load_scenario(const char *path, struct scenario *s)
{
    char err[512];
    memset(s, 0, sizeof *s);
    if (scenario_parse_file(path, s, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err[0] ? err : "tcpviz: cannot read scenario");
        return false;
    }
    return true;
}

/* Parse a scenario or a lesson; on error print the parser's message. */
static bool load_lesson(const char *path, struct lesson *l)
{
    char err[512];
    memset(l, 0, sizeof *l);
    if (lesson_parse_file(path, l, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err[0] ? err : "tcpviz: cannot read lesson");
        return false;
    }
    return true;
}

/* A lesson's scenario in a fresh world, with every stopping point and
 * claim worked out.  False (after saying why) when that cannot be done. */
static bool plan_lesson(const struct options *o, const char *path, const struct lesson *l,
                        struct world **w, struct lesson_plan *p)
{
    char err[512] = "";
    uint64_t seed = o->has_seed ? o->seed : l->scn.has_seed ? l->scn.seed : 1;
    *w = world_new(&l->scn, seed);
    if (*w == NULL) {
        fprintf(stderr, "tcpviz: %s: cannot set up the world for this lesson\n", path);
        return false;
    }
    if (lesson_plan_build(l, *w, p, err, sizeof err) != 0) {
        fprintf(stderr, "tcpviz: %s\n", err);
        world_free(*w);
        *w = NULL;
        return false;
    }
    return true;
}

/* --check on a lesson: parse it, run it, and name every claim that fails. */
static int check_lesson(const struct options *o, const char *path, const struct lesson *l)
{
    struct world *w;
    struct lesson_plan p;
    if (!plan_lesson(o, path, l, &w, &p))
        return EXIT_USAGE;
    lesson_plan_print_failures(stderr, l, &p);
    if (p.failed == 0)
        printf("%s: ok (lesson %s, %zu steps, %u claims hold)\n", path, l->id, l->nsteps,
               p.claims);
    else
        printf("%s: %u of %u claims failed\n", path, p.failed, p.claims);
    int status = p.failed ? EXIT_CHECKPOINT_FAILED : EXIT_OK;
    lesson_plan_free(&p);
    world_free(w);
    return status;
}

static int run_check(const struct options *o, const char *path)
{
    struct lesson l;
    if (!load_lesson(path, &l))
        return EXIT_USAGE;
    int status = EXIT_OK;
    if (l.is_lesson)
        status = check_lesson(o, path, &l);
    else
        printf("%s: ok (%u hosts, %zu rules, %zu checkpoints)\n",
               path, l.scn.nhosts, l.scn.nrules, l.scn.nexpects);
    lesson_free(&l);
    return status;
}

/* --batch on a lesson: the transcript in the chosen language. */
static int batch_lesson(const struct options *o, const struct lesson *l)
{
    if (o->pcap_file || o->has_format)
        return usage_error("%s is a lesson: --format and --pcap apply to scenarios only",
                           o->batch_file);
    struct world *w;
    struct lesson_plan p;
    if (!plan_lesson(o, o->batch_file, l, &w, &p))
        return EXIT_USAGE;
    lesson_print_transcript(stdout, l, &p, o->lang);
    int status = p.failed ? EXIT_CHECKPOINT_FAILED : EXIT_OK;
    lesson_plan_free(&p);
    world_free(w);
    return status;
}

static void print_event(const struct options *o, const struct world *w,
                        const struct trace_entry *e)
{
    if (o->format == FORMAT_JSONL)
        export_jsonl_event(stdout, w, e);
    else
        export_text_event(stdout, w, e);
}

/* errno may be stale or zero after a buffered write failed; say what we know. */
static void write_error(const char *what)
{
    int e = errno;
    if (e != 0)
        fprintf(stderr, "tcpviz: write error on %s: %s\n", what, strerror(e));
    else
        fprintf(stderr, "tcpviz: write error on %s\n", what);
}

/* Add the packet of an EV_SEG_OUT to the capture, at the time it left. */
static bool capture_packet(struct pcap_writer *pw, const struct world *w,
                           const struct trace_entry *e, const char *pcap_file)
{
    /* Corrupted copies were never on the wire as sent: leave them out. */
    if (e->ev.kind != EV_SEG_OUT || world_packet_is_copy(w, e->ev.u.seg.packet))
        return true;
    size_t len = 0;
    const uint8_t *pkt = world_packet(w, e->ev.u.seg.packet, &len);
    if (pkt == NULL)
        return true;
    errno = 0;
    if (pcap_writer_add(pw, e->t, pkt, len) != 0) {
        write_error(pcap_file);
        return false;
    }
    return true;
}

/* --batch on a plain scenario: the trace as it happens, then the summary. */
static int batch_scenario(const struct options *o, const struct scenario *s)
{
    uint64_t seed = o->has_seed ? o->seed : s->has_seed ? s->seed : 1;

    struct pcap_writer *pw = NULL;
    if (o->pcap_file) {
        char err[512] = "";
        pw = pcap_writer_open(o->pcap_file, err, sizeof err);
        if (pw == NULL) {
            fprintf(stderr, "tcpviz: %s\n", err[0] ? err : o->pcap_file);
            return EXIT_USAGE;
        }
    }

    struct world *w = world_new(s, seed);
    if (w == NULL) {
        fprintf(stderr, "tcpviz: %s: cannot set up the world for this scenario\n",
                o->batch_file);
        if (pw)
            pcap_writer_close(pw);
        return EXIT_USAGE;
    }

    int status = EXIT_OK;
    size_t printed = 0;
    bool more = true;
    while (more) {
        more = world_step(w);
        /* The trace may move as it grows: fetch it after every step. */
        const struct trace_entry *trace = world_trace(w);
        size_t len = world_trace_len(w);
        for (; printed < len; printed++) {
            print_event(o, w, &trace[printed]);
            if (pw && !capture_packet(pw, w, &trace[printed], o->pcap_file)) {
                status = EXIT_USAGE;
                more = false;
                break;
            }
        }
    }

    if (status == EXIT_OK) {
        if (o->format == FORMAT_JSONL)
            export_jsonl_summary(stdout, w);
        else
            export_text_summary(stdout, w);
        unsigned passed = 0, failed = 0;
        world_checkpoint_counts(w, &passed, &failed);
        if (failed > 0)
            status = EXIT_CHECKPOINT_FAILED;
    }

    errno = 0;
    if (pw && pcap_writer_close(pw) != 0) {
        write_error(o->pcap_file);
        status = EXIT_USAGE;
    }
    world_free(w);
    return status;
}

/* A lesson prints as a transcript; a plain scenario as its trace, exactly
 * as before lessons existed. */
static int run_batch(const struct options *o)
{
    struct lesson l;
    if (!load_lesson(o->batch_file, &l))
        return EXIT_USAGE;
    int status = l.is_lesson ? batch_lesson(o, &l) : batch_scenario(o, &l.scn);
    lesson_free(&l);
    return status;
}

/* What `tcpviz` alone opens: a blank sandbox, a client and a server
 * listening on port 80, for the ':' command line to play with.  Long, so
 * that a keepalive or a TIME_WAIT can run its course. */
static const char sandbox_scenario[] =
    "title \"Sandbox\"\n"
    "duration 24h\n"
    "host client 10.0.0.1\n"
    "host server 10.0.0.2\n"
    "link client<->server delay=20ms\n"
    "at 0s server listen 80\n";

static enum ui_color_mode ui_color_of(enum color_mode c)
{
    switch (c) {
    case COLOR_NEVER: return UI_COLOR_NEVER;
    case COLOR_ALWAYS: return UI_COLOR_ALWAYS;
    default: return UI_COLOR_AUTO;
    }
}

/* The interactive view: the lesson menu (no FILE), a lesson (a lesson
 * file, id or number), or FILE's scenario. */
static int run_ui(const struct options *o)
{
    if (!o->ui_file || ui_course_opens(o->ui_file)) {
        struct ui_options co = {
            .color = ui_color_of(o->color),
            .ascii = o->ascii,
            .script = o->script_file,
            .lang = o->lang,
        };
        return ui_course_main(o->ui_file, sandbox_scenario, o->has_seed ? o->seed : 1, &co);
    }
    struct scenario s;
    if (o->ui_file) {
        if (!load_scenario(o->ui_file, &s))
            return EXIT_USAGE;
    } else {
        char err[512] = "";
        memset(&s, 0, sizeof s);
        if (scenario_parse_string("sandbox", sandbox_scenario, &s, err, sizeof err) != 0) {
            fprintf(stderr, "tcpviz: the built-in sandbox does not parse: %s\n", err);
            return EXIT_USAGE;
        }
    }
    uint64_t seed = o->has_seed ? o->seed : s.has_seed ? s.seed : 1;
    struct world *w = world_new(&s, seed);
    if (w == NULL) {
        fprintf(stderr, "tcpviz: %s: cannot set up the world for this scenario\n",
                o->ui_file ? o->ui_file : "sandbox");
        scenario_free(&s);
        return EXIT_USAGE;
    }
    struct ui_options uo = {
        .color = ui_color_of(o->color),
        .ascii = o->ascii,
        .script = o->script_file,
        .lang = o->lang,
    };
    int status = ui_main(w, &s, &uo);
    world_free(w);
    scenario_free(&s);
    return status;
}

/* Like gnulib's close_stdout: a trace that could not be written in full
 * (disk full, closed pipe) must not look like success. */
static int finish(int status)
{
    bool failed = ferror(stdout) != 0;
    errno = 0;
    if (fclose(stdout) != 0)
        failed = true;
    if (failed) {
        write_error("standard output");
        return EXIT_USAGE;
    }
    return status;
}

int main(int argc, char **argv)
{
    struct options o = {
        .format = FORMAT_TEXT,
        .color = COLOR_AUTO,
        .lang = tv_lang_from_env(getenv("LC_ALL"), getenv("LC_MESSAGES"), getenv("LANG")),
    };

    int status = parse_options(argc, argv, &o);
    if (status >= 0)
        return finish(status);

    if (o.check_file)
        status = run_check(&o, o.check_file);
    else if (o.batch_file)
        status = run_batch(&o);
    else
        status = run_ui(&o);
    return finish(status);
}
