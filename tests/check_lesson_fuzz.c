/* Broken lesson files never crash the parser.
 *
 * (a) The corpus in tests/lessons_broken/: hand-written broken lessons,
 *     each starting with "# error: <the exact message>", must fail with
 *     exactly that message.
 * (b) Mutations: every shipped lesson (the .lesson files in lessons/), the example of
 *     docs/lesson-format.md and the corpus are truncated at every line
 *     boundary and mangled in thousands of deterministic ways (bytes
 *     flipped, inserted, deleted; lines duplicated or dropped; a word
 *     replaced by garbage).  Each mutant either parses or fails with
 *     "NAME:LINE: message", LINE between 1 and the line count + 1.
 *
 * The mutations come from a fixed-seed generator, so a run repeats.  A
 * failing mutant is reported with its seed; LESSON_FUZZ_SEED=N replays
 * only that one, and LESSON_FUZZ_TRACE=1 prints each seed before it is
 * parsed (to find the one that crashes when a sanitizer stops the run).
 * This runs under ASan/UBSan in `make check-asan`: it is kept to a few
 * seconds there. */
#include <check.h>
#include <dirent.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lesson/lesson.h"

#include "check_main.h"

#define ERRLEN 512
#define MAX_INPUTS 128
#define RANDOM_MUTATIONS_PER_INPUT 400
#define RANDOM_TRUNCATIONS_PER_INPUT 16
#define MIN_CORPUS_FILES 15
#define MIN_SHIPPED_LESSONS 18   /* the course: one lesson per topic of issue 5 */

/* ------------------------------------------------------------------------ */
/* Inputs                                                                    */

struct input {
    char name[256];   /* the name the parser is given (and errors start with) */
    char *text;
    size_t len;
};

struct inputs {
    size_t n;
    struct input item[MAX_INPUTS];
};

static const char *top_srcdir(void)
{
    const char *top = getenv("top_srcdir");
    return top && *top ? top : ".";
}

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096;
    char *buf = malloc(cap);
    *len = 0;
    size_t got;
    while (buf && (got = fread(buf + *len, 1, cap - *len, f)) > 0) {
        *len += got;
        if (*len == cap) {
            char *grown = realloc(buf, cap *= 2);
            if (!grown)
                free(buf);
            buf = grown;
        }
    }
    fclose(f);
    return buf;
}

static void add_input(struct inputs *in, const char *name, char *text, size_t len)
{
    ck_assert_uint_lt(in->n, MAX_INPUTS);
    struct input *it = &in->item[in->n++];
    snprintf(it->name, sizeof it->name, "%s", name);
    it->text = text;
    it->len = len;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every .lesson file in dir, in name order (so the seeds stay with their
 * files). */
static void add_directory(struct inputs *in, const char *dir)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", top_srcdir(), dir);
    /* A missing directory would leave the tests below nothing to mutate,
     * and they would pass having checked nothing. */
    DIR *d = opendir(path);
    ck_assert_msg(d != NULL, "cannot open %s (is top_srcdir right?)", path);
    char *names[MAX_INPUTS];
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < MAX_INPUTS) {
        size_t len = strlen(e->d_name);
        if (len > 7 && strcmp(e->d_name + len - 7, ".lesson") == 0)
            names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof names[0], compare_names);
    for (size_t i = 0; i < n; i++) {
        char file[1280];
        size_t len;
        snprintf(file, sizeof file, "%s/%s", path, names[i]);
        char *text = read_all(file, &len);
        ck_assert_msg(text != NULL, "cannot read %s", file);
        add_input(in, names[i], text, len);
        free(names[i]);
    }
}

/* The example block of docs/lesson-format.md. */
static void add_doc_example(struct inputs *in)
{
    char path[1024];
    size_t len;
    snprintf(path, sizeof path, "%s/docs/lesson-format.md", top_srcdir());
    char *doc = read_all(path, &len);
    ck_assert_msg(doc != NULL, "cannot read %s", path);
    char *start = strstr(doc, "## A complete small example");
    start = start ? strstr(start, "```\n") : NULL;
    char *end = start ? strstr(start + 4, "\n```\n") : NULL;
    ck_assert_msg(end != NULL, "no example block in %s", path);
    size_t n = (size_t)(end + 1 - (start + 4));
    char *text = malloc(n);
    ck_assert_ptr_nonnull(text);
    memcpy(text, start + 4, n);
    free(doc);
    add_input(in, "doc-example.lesson", text, n);
}

static void free_inputs(struct inputs *in)
{
    for (size_t i = 0; i < in->n; i++)
        free(in->item[i].text);
    in->n = 0;
}

/* ------------------------------------------------------------------------ */
/* (a) The corpus                                                            */

START_TEST(test_corpus_messages)
{
    struct inputs in = { .n = 0 };
    unsigned wrong = 0;
    add_directory(&in, "tests/lessons_broken");
    ck_assert_msg(in.n >= MIN_CORPUS_FILES, "only %zu files in tests/lessons_broken", in.n);
    for (size_t i = 0; i < in.n; i++) {
        const struct input *it = &in.item[i];
        static const char marker[] = "# error: ";
        ck_assert_msg(it->len > sizeof marker && memcmp(it->text, marker, sizeof marker - 1) == 0,
                      "%s: the first line must be '# error: MESSAGE'", it->name);
        const char *msg = it->text + sizeof marker - 1;
        const char *eol = memchr(msg, '\n', it->len - (size_t)(msg - it->text));
        ck_assert_msg(eol != NULL, "%s: the first line has no end", it->name);
        char want[ERRLEN];
        snprintf(want, sizeof want, "%.*s", (int)(eol - msg), msg);
        /* The expected message names this file and a line. */
        size_t name_len = strlen(it->name);
        ck_assert_msg(strncmp(want, it->name, name_len) == 0 && want[name_len] == ':',
                      "%s: the expected message must start with the file name", it->name);

        struct lesson l;
        char err[ERRLEN] = "";
        int rc = lesson_parse_buffer(it->name, it->text, it->len, &l, err, sizeof err);
        if (rc == 0) {
            lesson_free(&l);
            fprintf(stderr, "%s parsed, but it should fail with: %s\n", it->name, want);
            wrong++;
        } else if (strcmp(err, want) != 0) {
            fprintf(stderr, "%s:\n got: %s\nwant: %s\n", it->name, err, want);
            wrong++;
        }
    }
    free_inputs(&in);
    ck_assert_msg(wrong == 0, "%u corpus files did not fail as their first line says", wrong);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* (b) Mutations                                                             */

/* xorshift64*: small, fast and the same everywhere. */
static uint64_t next_random(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * UINT64_C(0x2545F4914F6CDD1D);
}

static size_t random_below(uint64_t *state, size_t n)
{
    return n ? (size_t)(next_random(state) % n) : 0;
}

struct buffer {
    char *data;
    size_t len, cap;
};

static void buffer_set(struct buffer *b, const char *data, size_t len)
{
    if (len + 64 > b->cap) {
        b->cap = (len + 64) * 2;
        b->data = realloc(b->data, b->cap);
        ck_assert_ptr_nonnull(b->data);
    }
    memcpy(b->data, data, len);
    b->len = len;
}

/* Replace [at, at + remove) with insert[0..ninsert). */
static void buffer_splice(struct buffer *b, size_t at, size_t remove, const char *insert,
                          size_t ninsert)
{
    size_t len = b->len - remove + ninsert;
    if (len + 1 > b->cap) {
        b->cap = (len + 1) * 2;
        b->data = realloc(b->data, b->cap);
        ck_assert_ptr_nonnull(b->data);
    }
    memmove(b->data + at + ninsert, b->data + at + remove, b->len - at - remove);
    memcpy(b->data + at, insert, ninsert);
    b->len = len;
}

/* Offsets where line i (0-based) starts, and its end (after its '\n'). */
static size_t count_lines(const char *text, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += text[i] == '\n';
    return n + (len > 0 && text[len - 1] != '\n');
}

static void line_span(const struct buffer *b, size_t line, size_t *start, size_t *end)
{
    size_t i = 0;
    for (size_t l = 0; l < line && i < b->len; i++)
        if (b->data[i] == '\n')
            l++;
    *start = i;
    while (i < b->len && b->data[i] != '\n')
        i++;
    *end = i < b->len ? i + 1 : i;
}

/* Words a careless or hurried writer might leave behind. */
static const char *const garbage[] = {
    "", "\"", "\"\"", "=", "==", "#", "\\", "zzz", "-1", "0", "99999999999999999999999",
    "1.5us", "nth=0", "nth=", "data=maybe", "state=", "sent=", "sent=SYN,,ACK", "step", "en", "zh",
    "question", "option", "answer", "reveal", "explain", "summary", "lesson", "until", "for", "end",
    "when", "from", "title", "\xff", "\xc2\x9b", "\xe4\xbd", "é", "\t", "\r", "{answer}",
    "client", "server", "cwnd>=", "state=LISTEN", "timer=rto",
};

enum mutation {
    MUT_FLIP, MUT_INSERT_BYTE, MUT_DELETE_BYTE, MUT_DUPLICATE_LINE, MUT_DROP_LINE,
    MUT_SWAP_LINES, MUT_REPLACE_WORD, MUT_TRUNCATE, MUT_COUNT
};

static const char *const mutation_names[] = {
    "flip", "insert byte", "delete byte", "duplicate line", "drop line", "swap lines",
    "replace word", "truncate",
};

static void replace_word(struct buffer *b, uint64_t *rng)
{
    if (b->len == 0)
        return;
    size_t at = random_below(rng, b->len);
    while (at > 0 && !strchr(" \t\n", b->data[at - 1]))
        at--;
    size_t end = at;
    while (end < b->len && !strchr(" \t\n", b->data[end]))
        end++;
    const char *g = garbage[random_below(rng, sizeof garbage / sizeof garbage[0])];
    buffer_splice(b, at, end - at, g, strlen(g));
}

static void mutate_once(struct buffer *b, enum mutation m, uint64_t *rng)
{
    size_t nlines = count_lines(b->data, b->len), s1, e1, s2, e2;
    char byte = (char)next_random(rng);
    switch (m) {
    case MUT_FLIP:
        if (b->len)
            b->data[random_below(rng, b->len)] ^= (char)(1u << random_below(rng, 8));
        break;
    case MUT_INSERT_BYTE:
        buffer_splice(b, random_below(rng, b->len + 1), 0, &byte, 1);
        break;
    case MUT_DELETE_BYTE:
        if (b->len)
            buffer_splice(b, random_below(rng, b->len), 1, "", 0);
        break;
    case MUT_DUPLICATE_LINE: {
        line_span(b, random_below(rng, nlines), &s1, &e1);
        char *copy = malloc(e1 - s1 + 1);
        ck_assert_ptr_nonnull(copy);
        memcpy(copy, b->data + s1, e1 - s1);
        buffer_splice(b, e1, 0, copy, e1 - s1);
        free(copy);
        break;
    }
    case MUT_DROP_LINE:
        line_span(b, random_below(rng, nlines), &s1, &e1);
        buffer_splice(b, s1, e1 - s1, "", 0);
        break;
    case MUT_SWAP_LINES: {
        size_t a = random_below(rng, nlines), c = random_below(rng, nlines);
        if (a == c || nlines < 2)
            break;
        if (a > c) {
            size_t t = a;
            a = c;
            c = t;
        }
        line_span(b, a, &s1, &e1);
        line_span(b, c, &s2, &e2);
        if (e2 == b->len && (e2 == 0 || b->data[e2 - 1] != '\n'))
            break;   /* the last line has no newline: keep it simple */
        char *first = malloc(e1 - s1 + 1), *second = malloc(e2 - s2 + 1);
        ck_assert(first && second);
        memcpy(first, b->data + s1, e1 - s1);
        memcpy(second, b->data + s2, e2 - s2);
        buffer_splice(b, s2, e2 - s2, first, e1 - s1);
        buffer_splice(b, s1, e1 - s1, second, e2 - s2);
        free(first);
        free(second);
        break;
    }
    case MUT_REPLACE_WORD:
        replace_word(b, rng);
        break;
    case MUT_TRUNCATE:
        b->len = random_below(rng, b->len + 1);
        break;
    default:
        break;
    }
}

/* "NAME:LINE: message" with 1 <= LINE <= lines + 1 and a message; else a
 * description of what is wrong with it. */
static const char *bad_message(const char *name, const char *err, size_t lines)
{
    size_t n = strlen(name);
    if (strncmp(err, name, n) != 0 || err[n] != ':')
        return "does not start with the file name and ':'";
    char *end;
    const char *digits = err + n + 1;
    if (*digits < '1' || *digits > '9')
        return "has no line number (a positive number) after the file name";
    unsigned long line = strtoul(digits, &end, 10);
    if (line > lines + 1)
        return "names a line past the end of the file";
    if (end[0] != ':' || end[1] != ' ' || end[2] == '\0')
        return "has no message after the line number";
    return NULL;
}

static bool trace_enabled(void)
{
    const char *t = getenv("LESSON_FUZZ_TRACE");
    return t && *t && strcmp(t, "0") != 0;
}

/* Parse one mutant; false (with the reason printed) when the parser broke
 * its promise. */
static bool check_mutant(const struct input *it, const struct buffer *b, uint64_t seed,
                         const char *what)
{
    if (trace_enabled())
        fprintf(stderr, "%s seed %" PRIu64 " (%s)\n", it->name, seed, what);
    struct lesson l;
    char err[ERRLEN];
    memset(err, 0, sizeof err);
    int rc = lesson_parse_buffer(it->name, b->data, b->len, &l, err, sizeof err);
    if (rc == 0) {
        lesson_free(&l);
        return true;
    }
    const char *why = rc != -1 ? "returned neither 0 nor -1"
                               : bad_message(it->name, err, count_lines(b->data, b->len));
    if (!why && (l.steps || l.scn.file))
        why = "left memory in the lesson after failing";
    if (!why)
        return true;
    fprintf(stderr, "%s: mutant seed %" PRIu64 " (%s): error message %s: \"%s\"\n", it->name,
            seed, what, why, err);
    return false;
}

/* The seed of mutant k of input i: fixed, so every run makes the same ones. */
static uint64_t mutant_seed(size_t input, size_t k)
{
    return UINT64_C(0x7C9A1E550D1E5EED) ^ ((uint64_t)input << 40) ^
           (uint64_t)k * UINT64_C(0x9E3779B97F4A7C15);
}

/* A random mutant: one to three mutations. */
static bool random_mutant(const struct input *it, size_t input, size_t k, struct buffer *b)
{
    uint64_t seed = mutant_seed(input, k), rng = seed | 1;
    buffer_set(b, it->text, it->len);
    size_t count = 1 + random_below(&rng, 3);
    enum mutation first = MUT_COUNT;
    for (size_t i = 0; i < count; i++) {
        enum mutation m = (enum mutation)random_below(&rng, MUT_TRUNCATE);   /* truncation: below */
        if (first == MUT_COUNT)
            first = m;
        mutate_once(b, m, &rng);
    }
    return check_mutant(it, b, seed, mutation_names[first]);
}

/* Every line boundary, and random byte offsets. */
static unsigned truncations(const struct input *it, size_t input, struct buffer *b)
{
    unsigned failures = 0;
    for (size_t i = 0; i <= it->len; i++) {
        if (i != it->len && it->text[i] != '\n')
            continue;
        buffer_set(b, it->text, i < it->len ? i + 1 : i);
        failures += !check_mutant(it, b, i, "truncated after the newline at byte 'seed'");
    }
    for (size_t k = 0; k < RANDOM_TRUNCATIONS_PER_INPUT; k++) {
        uint64_t seed = mutant_seed(input, k) ^ UINT64_C(0xA5A5), rng = seed | 1;
        buffer_set(b, it->text, it->len);
        mutate_once(b, MUT_TRUNCATE, &rng);
        failures += !check_mutant(it, b, seed, mutation_names[MUT_TRUNCATE]);
    }
    return failures;
}

static void all_inputs(struct inputs *in)
{
    add_directory(in, "lessons");
    add_doc_example(in);
    add_directory(in, "tests/lessons_broken");
}

/* LESSON_FUZZ_SEED=N: replay the random mutants with seed N only. */
static bool replay_one(struct inputs *in, struct buffer *b, unsigned *failures)
{
    const char *only = getenv("LESSON_FUZZ_SEED");
    if (!only || !*only)
        return false;
    uint64_t want = strtoull(only, NULL, 10);
    for (size_t i = 0; i < in->n; i++)
        for (size_t k = 0; k < RANDOM_MUTATIONS_PER_INPUT; k++)
            if (mutant_seed(i, k) == want) {
                *failures += !random_mutant(&in->item[i], i, k, b);
                fprintf(stderr, "replayed %s seed %" PRIu64 ":\n%.*s\n", in->item[i].name, want,
                        (int)b->len, b->data);
            }
    return true;
}

START_TEST(test_mutations)
{
    struct inputs in = { .n = 0 };
    all_inputs(&in);
    ck_assert_uint_ge(in.n, MIN_SHIPPED_LESSONS + 1 + MIN_CORPUS_FILES);
    struct buffer b = { .data = NULL };
    unsigned failures = 0, mutants = 0;
    if (!replay_one(&in, &b, &failures)) {
        for (size_t i = 0; i < in.n; i++) {
            failures += truncations(&in.item[i], i, &b);
            mutants += RANDOM_TRUNCATIONS_PER_INPUT;
            for (size_t k = 0; k < RANDOM_MUTATIONS_PER_INPUT; k++, mutants++)
                failures += !random_mutant(&in.item[i], i, k, &b);
        }
        ck_assert_uint_ge(mutants, 1000);
    }
    free(b.data);
    free_inputs(&in);
    ck_assert_msg(failures == 0, "%u mutants broke the parser's promise (seeds above)", failures);
}
END_TEST

/* The unmutated inputs: the shipped lessons and the example parse; the
 * corpus does not (test_corpus_messages says how). */
START_TEST(test_originals_parse)
{
    struct inputs in = { .n = 0 };
    add_directory(&in, "lessons");
    ck_assert_uint_ge(in.n, MIN_SHIPPED_LESSONS);
    add_doc_example(&in);
    for (size_t i = 0; i < in.n; i++) {
        struct lesson l;
        char err[ERRLEN];
        const struct input *it = &in.item[i];
        int rc = lesson_parse_buffer(it->name, it->text, it->len, &l, err, sizeof err);
        ck_assert_msg(rc == 0, "%s", err);
        ck_assert(l.is_lesson);
        lesson_free(&l);
    }
    free_inputs(&in);
}
END_TEST

static Suite *lesson_fuzz_suite(void)
{
    Suite *s = suite_create("lesson_fuzz");
    TCase *tc = tcase_create("fuzz");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_corpus_messages);
    tcase_add_test(tc, test_originals_parse);
    tcase_add_test(tc, test_mutations);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return check_main_run(lesson_fuzz_suite());
}
