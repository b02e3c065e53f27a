/* make bench: how fast the curses UI answers, and how much it writes.
 *
 * Usage:
 *   bench_ui latency SCENARIO [COLSxLINES] [STEPS] [FROM]
 *       STEPS (default 2000) "step" actions, each followed by the frame the
 *       main loop would draw, on a virtual terminal (default 200x60),
 *       starting at event FROM (default 0; the seek there is not timed).
 *   bench_ui back SCENARIO [AT] [REPEATS]
 *       the cursor put on event AT (default 100,000) of the run, then
 *       REPEATS (default 50) "back" actions, each with its frame, at 200x60.
 *   bench_ui bytes SCENARIO [FRAMES]
 *       play FRAMES (default 500) ticks at 80x24 with colours and Unicode
 *       boxes, as a user's terminal would get them, counting the bytes
 *       curses writes for each frame.
 *   bench_ui first TCPVIZ SCENARIO [RUNS]
 *       start the real binary RUNS times (default 10) on a pseudo-terminal
 *       of 80x24 and time fork -> the first complete frame read from the
 *       terminal (the key bar, the last row curses sends, has arrived).
 *
 * The virtual terminal is the tests' (ui_vterm_open: newterm of
 * xterm-256color on a FILE), so a frame includes everything the real
 * program does for it: the model update, every view, curses' diff and the
 * escape sequences written.  Times are in milliseconds, both wall clock
 * (what the user waits) and CPU time (what the UI spends, the same on a
 * busy machine).  Numbers are printed, never asserted. */
#include <curses.h>
#include <errno.h>
#include <locale.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lesson/scenario_parse.h"
#include "sim/world.h"
#include "ui/app.h"
#include "ui/timeline.h"

/* A first frame that has not arrived after this long is a failure. */
#define FIRST_FRAME_TIMEOUT_MS 10000
/* The key bar's last word: the last text of the first frame (curses sends
 * a fresh screen row by row, top to bottom). */
#define KEYBAR_END "quit"

static double clock_ms(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static double now_ms(void)
{
    return clock_ms(CLOCK_MONOTONIC);
}

/* CPU time of this process: what an action costs, whatever else the
 * machine is doing (wall clock also counts the time other processes had
 * the CPU). */
static double cpu_ms(void)
{
    return clock_ms(CLOCK_PROCESS_CPUTIME_ID);
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Sort v and print "label: median M  p99 P  worst W unit", each with
 * `decimals` digits after the point. */
static void print_stats(const char *label, double *v, size_t n, const char *unit, int decimals)
{
    if (n == 0) {
        printf("%s: no samples\n", label);
        return;
    }
    qsort(v, n, sizeof *v, compare_doubles);
    /* The smallest sample that at least 99 % of the samples do not exceed. */
    size_t p99 = (n * 99 + 99) / 100 - 1;
    printf("%s (%zu samples): median %.*f %s  p99 %.*f %s  worst %.*f %s\n", label, n,
           decimals, v[n / 2], unit, decimals, v[p99], unit, decimals, v[n - 1], unit);
}

static bool parse_size(const char *s, int *cols, int *lines)
{
    return sscanf(s, "%dx%d", cols, lines) == 2 && *cols > 0 && *lines > 0;
}

/* ------------------------------------------------------------------ */
/* The UI on a virtual terminal. */

struct bench {
    struct scenario scn;
    struct world *w;
    struct ui_vterm vt;
    struct ui_app app;
};

/* The UI on `path` at cols x lines, writing to out (NULL: /dev/null),
 * with colours and Unicode boxes when the locale allows, as a user's. */
static bool bench_open(struct bench *b, const char *path, int cols, int lines, FILE *out)
{
    memset(b, 0, sizeof *b);
    char err[512] = "";
    if (scenario_parse_file(path, &b->scn, err, sizeof err) != 0) {
        fprintf(stderr, "%s: %s\n", path, err);
        return false;
    }
    b->w = world_new(&b->scn, b->scn.has_seed ? b->scn.seed : 1);
    if (!b->w) {
        fprintf(stderr, "%s: cannot build the world\n", path);
        scenario_free(&b->scn);
        return false;
    }
    if (!ui_vterm_open(&b->vt, cols, lines, NULL, out)) {
        fprintf(stderr, "no virtual terminal\n");
        world_free(b->w);
        scenario_free(&b->scn);
        return false;
    }
    struct ui_options opt = {.color = UI_COLOR_ALWAYS, .ascii = false};
    ui_app_init(&b->app, b->w, &b->scn, &opt);
    ui_app_attach(&b->app, b->vt.scr);
    ui_app_frame(&b->app);
    return true;
}

static void bench_close(struct bench *b)
{
    ui_app_detach(&b->app);
    ui_vterm_close(&b->vt);
    world_free(b->w);
    scenario_free(&b->scn);
}

/* A key and the frame after it, as the main loop does: its wall-clock
 * and CPU time in ms. */
static void timed_key(struct bench *b, int key, double *wall, double *cpu)
{
    double w0 = now_ms(), c0 = cpu_ms();
    ui_app_key(&b->app, key);
    ui_app_frame(&b->app);
    *cpu = cpu_ms() - c0;
    *wall = now_ms() - w0;
}

/* Wall-clock and CPU times of n timed keys, printed. */
static void print_key_stats(const char *what, double *wall, double *cpu, size_t n)
{
    char label[200];
    snprintf(label, sizeof label, "%s, wall clock", what);
    print_stats(label, wall, n, "ms", 3);
    snprintf(label, sizeof label, "%s, CPU time", what);
    print_stats(label, cpu, n, "ms", 3);
}

/* Put the cursor on event `at` (running the world up to it), untimed. */
static bool move_to(struct bench *b, size_t at)
{
    if (at == 0)
        return true;
    if (!timeline_seek(&b->app.ui, at)) {
        fprintf(stderr, "the run has fewer than %zu events\n", at + 1);
        return false;
    }
    ui_app_frame(&b->app);
    return true;
}

static int bench_latency(int argc, char **argv)
{
    int cols = 200, lines = 60;
    if (argc > 3 && !parse_size(argv[3], &cols, &lines)) {
        fprintf(stderr, "bad size %s (COLSxLINES)\n", argv[3]);
        return 2;
    }
    size_t steps = argc > 4 ? strtoull(argv[4], NULL, 10) : 2000;
    size_t from = argc > 5 ? strtoull(argv[5], NULL, 10) : 0;
    struct bench b;
    if (!bench_open(&b, argv[2], cols, lines, NULL))
        return 2;
    if (!move_to(&b, from)) {
        bench_close(&b);
        return 2;
    }
    double *wall = calloc(steps ? steps : 1, sizeof *wall);
    double *cpu = calloc(steps ? steps : 1, sizeof *cpu);
    size_t n = 0;
    for (; wall && cpu && n < steps && !timeline_at_end(&b.app.ui); n++)
        timed_key(&b, 'n', &wall[n], &cpu[n]);
    char label[160];
    snprintf(label, sizeof label, "step + frame at %dx%d from event %zu", cols, lines, from);
    print_key_stats(label, wall, cpu, n);
    free(wall);
    free(cpu);
    bench_close(&b);
    return 0;
}

static int bench_back(int argc, char **argv)
{
    size_t at = argc > 3 ? strtoull(argv[3], NULL, 10) : 100000;
    size_t repeats = argc > 4 ? strtoull(argv[4], NULL, 10) : 50;
    struct bench b;
    if (!bench_open(&b, argv[2], 200, 60, NULL))
        return 2;
    double t0 = now_ms();
    if (!move_to(&b, at)) {
        bench_close(&b);
        return 2;
    }
    printf("run to event %zu and its frame: %.0f ms (not counted below)\n", at, now_ms() - t0);
    double *wall = calloc(repeats ? repeats : 1, sizeof *wall);
    double *cpu = calloc(repeats ? repeats : 1, sizeof *cpu);
    size_t n = 0;
    for (; wall && cpu && n < repeats && b.app.ui.cursor > 0; n++)
        timed_key(&b, 'b', &wall[n], &cpu[n]);
    char label[160];
    snprintf(label, sizeof label, "back + frame at 200x60 from event %zu", at);
    print_key_stats(label, wall, cpu, n);
    free(wall);
    free(cpu);
    bench_close(&b);
    return 0;
}

/* Bytes written so far to the terminal's file (curses writes to its file
 * descriptor itself, so the file's size counts every byte of a frame once
 * doupdate has returned). */
static double bytes_out(FILE *out)
{
    struct stat st;
    return fstat(fileno(out), &st) == 0 ? (double)st.st_size : 0.0;
}

static int bench_bytes(int argc, char **argv)
{
    size_t frames = argc > 3 ? strtoull(argv[3], NULL, 10) : 500;
    FILE *out = tmpfile();
    if (!out) {
        perror("tmpfile");
        return 2;
    }
    struct bench b;
    if (!bench_open(&b, argv[2], 80, 24, out)) {
        fclose(out);
        return 2;
    }
    double first = bytes_out(out);
    double *bytes = calloc(frames ? frames : 1, sizeof *bytes);
    double total = 0;
    size_t n = 0;
    /* Space and its frame, then play ticks: the next event and its frame,
     * as app.c's main loop does them. */
    ui_app_key(&b.app, ' ');
    ui_app_frame(&b.app);
    for (; bytes && n < frames && b.app.ui.playing; n++) {
        double before = bytes_out(out);
        if (!timeline_step(&b.app.ui, 1))
            b.app.ui.playing = false;
        ui_app_frame(&b.app);
        bytes[n] = bytes_out(out) - before;
        total += bytes[n];
    }
    printf("first frame at 80x24 (the whole screen, with terminal set-up): %.0f bytes\n", first);
    print_stats("bytes per frame while playing at 80x24", bytes, n, "bytes", 0);
    printf("bytes per frame while playing at 80x24: mean %.0f\n", n ? total / (double)n : 0.0);
    free(bytes);
    bench_close(&b);
    fclose(out);
    return 0;
}

/* ------------------------------------------------------------------ */
/* The first frame of the real program, on a pseudo-terminal. */

/* Read the terminal until the key bar's end has arrived; false on
 * timeout or end of file.  The last bytes of each read are kept before
 * the next, so that a marker split between two reads is found. */
static bool wait_for_frame(int fd, double deadline)
{
    enum { KEEP = sizeof KEYBAR_END - 1 };
    char buf[8192];
    size_t kept = 0;
    for (;;) {
        double left = deadline - now_ms();
        if (left <= 0)
            return false;
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, (int)left + 1) <= 0)
            continue;
        ssize_t got = read(fd, buf + kept, sizeof buf - kept - 1);
        if (got <= 0)
            return false;
        size_t have = kept + (size_t)got;
        buf[have] = '\0';
        /* Curses sends no NUL bytes, so strstr sees the whole read. */
        if (strstr(buf, KEYBAR_END))
            return true;
        kept = have < KEEP ? have : KEEP;
        memmove(buf, buf + have - kept, kept);
    }
}

/* One start of the program: ms from fork to its first frame, < 0 if it
 * did not come. */
static double first_frame_once(const char *tcpviz, const char *scenario)
{
    struct winsize ws = {.ws_row = 24, .ws_col = 80};
    int master;
    double t0 = now_ms();
    pid_t pid = forkpty(&master, NULL, NULL, &ws);
    if (pid < 0) {
        perror("forkpty");
        return -1;
    }
    if (pid == 0) {
        setenv("TERM", "xterm-256color", 1);
        setenv("LC_ALL", "C.UTF-8", 1);
        execl(tcpviz, tcpviz, scenario, (char *)NULL);
        _exit(127);
    }
    bool ok = wait_for_frame(master, t0 + FIRST_FRAME_TIMEOUT_MS);
    double ms = now_ms() - t0;
    /* Quit as a user would; drain what it writes while leaving. */
    if (write(master, "q", 1) != 1 || !ok)
        kill(pid, SIGTERM);
    char sink[4096];
    struct pollfd p = {.fd = master, .events = POLLIN};
    while (poll(&p, 1, 2000) > 0 && read(master, sink, sizeof sink) > 0)
        ;
    int status;
    waitpid(pid, &status, 0);
    close(master);
    return ok ? ms : -1;
}

static int bench_first(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: %s first TCPVIZ SCENARIO [RUNS]\n", argv[0]);
        return 2;
    }
    size_t runs = argc > 4 ? strtoull(argv[4], NULL, 10) : 10;
    double *ms = calloc(runs ? runs : 1, sizeof *ms);
    size_t n = 0;
    for (size_t i = 0; ms && i < runs; i++) {
        double t = first_frame_once(argv[2], argv[3]);
        if (t < 0) {
            fprintf(stderr, "no first frame from %s %s\n", argv[2], argv[3]);
            free(ms);
            return 1;
        }
        ms[n++] = t;
    }
    print_stats("start -> first frame at 80x24 (fork, exec, parse, world, frame)", ms, n, "ms", 2);
    free(ms);
    return 0;
}

int main(int argc, char **argv)
{
    /* wcwidth and the Unicode boxes need a UTF-8 locale, as a user has. */
    setlocale(LC_ALL, "C.UTF-8");
    if (argc >= 3 && strcmp(argv[1], "latency") == 0)
        return bench_latency(argc, argv);
    if (argc >= 3 && strcmp(argv[1], "back") == 0)
        return bench_back(argc, argv);
    if (argc >= 3 && strcmp(argv[1], "bytes") == 0)
        return bench_bytes(argc, argv);
    if (argc >= 2 && strcmp(argv[1], "first") == 0)
        return bench_first(argc, argv);
    fprintf(stderr,
            "usage: %s latency SCENARIO [COLSxLINES] [STEPS] [FROM]\n"
            "       %s back SCENARIO [AT] [REPEATS]\n"
            "       %s bytes SCENARIO [FRAMES]\n"
            "       %s first TCPVIZ SCENARIO [RUNS]\n",
            argv[0], argv[0], argv[0], argv[0]);
    return 2;
}
