/* make bench: how fast the world runs, and how fast it seeks.
 *
 * Usage: bench_world SCENARIO [SEEK_INDEX]
 * Runs the scenario to the end, then seeks from the end of the trace back
 * to event SEEK_INDEX (default 100,000) several times, reporting CPU time
 * per run, events per second and the seek latencies (median and worst).
 * Numbers are printed, never asserted: timing belongs in reports, not in
 * unit tests. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "lesson/scenario_parse.h"
#include "sim/world.h"

#define SEEK_REPEATS 15

static double cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s SCENARIO [SEEK_INDEX]\n", argv[0]);
        return 2;
    }
    size_t seek_index = argc > 2 ? strtoull(argv[2], NULL, 10) : 100000;
    struct scenario s;
    char err[512];
    if (scenario_parse_file(argv[1], &s, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return 2;
    }
    struct world *w = world_new(&s, s.has_seed ? s.seed : 1);
    if (!w) {
        fprintf(stderr, "cannot build the world\n");
        return 2;
    }
    double t0 = cpu_seconds();
    size_t steps = 0;
    while (world_step(w))
        steps++;
    double run = cpu_seconds() - t0;
    size_t events = world_trace_len(w);
    printf("scenario        %s\n", argv[1]);
    printf("world steps     %zu\n", steps);
    printf("trace events    %zu\n", events);
    printf("virtual time    %.3f s\n", (double)world_now(w) / 1e6);
    printf("run cpu time    %.3f s\n", run);
    printf("events/second   %.0f\n", run > 0 ? (double)events / run : 0.0);

    if (events <= seek_index) {
        printf("seek            skipped: the trace has only %zu events\n", events);
    } else {
        double lat[SEEK_REPEATS];
        for (int i = 0; i < SEEK_REPEATS; i++) {
            /* Each round starts from the end, as the UI would after a run. */
            world_seek(w, events - 1);
            double s0 = cpu_seconds();
            bool ok = world_seek(w, seek_index);
            lat[i] = (cpu_seconds() - s0) * 1e3;
            if (!ok) {
                fprintf(stderr, "seek to %zu failed\n", seek_index);
                return 1;
            }
        }
        qsort(lat, SEEK_REPEATS, sizeof lat[0], compare_doubles);
        printf("seek to event %zu from the end: median %.3f ms, worst %.3f ms (%d runs)\n",
               seek_index, lat[SEEK_REPEATS / 2], lat[SEEK_REPEATS - 1], SEEK_REPEATS);
    }
    world_free(w);
    scenario_free(&s);
    return 0;
}
