/* Tests of the course's catalog (src/lesson/catalog.h) and of the
 * student's progress file (src/lesson/progress.h), in temporary
 * directories: where lessons are looked for and in which order, the XDG
 * fallbacks, first id wins, the menu's order, broken files listed with
 * their error, lookups; progress read back, written atomically in
 * directories made 0700, garbled lines ignored, errors as messages. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lesson/catalog.h"
#include "lesson/progress.h"

#include "check_main.h"

/* ============================================================ helpers == */

struct tmp {
    char root[256];
};

static void tmp_make(struct tmp *t)
{
    const char *base = getenv("TMPDIR");
    snprintf(t->root, sizeof t->root, "%s/tcpviz-course.XXXXXX", base && base[0] ? base : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(t->root));
}

static void remove_tree(const char *path)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", path);
    ck_assert_int_eq(system(cmd), 0);
}

static void path_in(const struct tmp *t, const char *rel, char *out, size_t n)
{
    snprintf(out, n, "%s/%s", t->root, rel);
}

static void mkdirs(const struct tmp *t, const char *rel)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s/%s'", t->root, rel);
    ck_assert_int_eq(system(cmd), 0);
}

static void write_file(const struct tmp *t, const char *rel, const char *text)
{
    char path[512];
    path_in(t, rel, path, sizeof path);
    FILE *f = fopen(path, "w");
    ck_assert_msg(f != NULL, "cannot write %s", path);
    fputs(text, f);
    ck_assert_int_eq(fclose(f), 0);
}

static char *read_all(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    static char buf[8192];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* A small lesson: id, topic, number, one step in both languages. */
static void write_lesson(const struct tmp *t, const char *rel, const char *id, const char *topic,
                         unsigned number, const char *title, const char *requires)
{
    char text[2048];
    snprintf(text, sizeof text,
             "lesson %s\n"
             "title en \"%s\"\n"
             "title zh \"中文 %s\"\n"
             "topic %s\n"
             "number %u\n"
             "minutes 5\n"
             "%s%s%s"
             "summary\n"
             "en About %s.\n"
             "zh 关于 %s。\n"
             "host client 10.0.0.1\n"
             "host server 10.0.0.2\n"
             "link client<->server delay=20ms\n"
             "at 0s server listen 80\n"
             "step\n"
             "en Listening.\n"
             "zh 正在监听。\n",
             id, title, title, topic, number, requires ? "requires " : "",
             requires ? requires : "", requires ? "\n" : "", title, title);
    write_file(t, rel, text);
}

static struct catalog_env env_none(void)
{
    struct catalog_env env = {0};
    return env;
}

/* The catalog of the one lesson directory rel (as TCPVIZ_LESSON_DIR). */
static void load_lesson_dir(const struct tmp *t, const char *rel, struct catalog *c)
{
    char dir[512];
    path_in(t, rel, dir, sizeof dir);
    struct catalog_env env = {.lesson_dir = dir};
    ck_assert_int_eq(catalog_load(c, &env), 0);
}

/* ============================================================ catalog == */

START_TEST(directories_in_order)
{
    struct tmp t;
    tmp_make(&t);
    char installed[512], source[512];
    path_in(&t, "installed", installed, sizeof installed);
    path_in(&t, "source", source, sizeof source);
    struct catalog_env env = {"/course", "/xdg/data", "/home/s", installed, source};
    char dirs[CATALOG_MAX_DIRS][CATALOG_PATH_MAX];

    /* The installed directory does not exist: the source tree's instead. */
    size_t n = catalog_dirs(&env, dirs, CATALOG_MAX_DIRS);
    ck_assert_uint_eq(n, 3);
    ck_assert_str_eq(dirs[0], "/course");
    ck_assert_str_eq(dirs[1], "/xdg/data/tcpviz/lessons");
    ck_assert_str_eq(dirs[2], source);

    /* Once installed, the source tree is not looked at. */
    mkdirs(&t, "installed");
    n = catalog_dirs(&env, dirs, CATALOG_MAX_DIRS);
    ck_assert_uint_eq(n, 3);
    ck_assert_str_eq(dirs[2], installed);

    /* No XDG_DATA_HOME, or a relative one (invalid by the XDG spec): the
     * default under $HOME. */
    env.xdg_data_home = NULL;
    env.lesson_dir = "";
    n = catalog_dirs(&env, dirs, CATALOG_MAX_DIRS);
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(dirs[0], "/home/s/.local/share/tcpviz/lessons");
    env.xdg_data_home = "relative/data";
    n = catalog_dirs(&env, dirs, CATALOG_MAX_DIRS);
    ck_assert_str_eq(dirs[0], "/home/s/.local/share/tcpviz/lessons");

    /* Nothing set at all: nothing to search, and that is no error. */
    struct catalog_env none = env_none();
    ck_assert_uint_eq(catalog_dirs(&none, dirs, CATALOG_MAX_DIRS), 0);
    struct catalog c;
    ck_assert_int_eq(catalog_load(&c, &none), 0);
    ck_assert_uint_eq(c.n, 0);
    catalog_free(&c);
    remove_tree(t.root);
}
END_TEST

START_TEST(sorted_by_topic_then_number)
{
    struct tmp t;
    tmp_make(&t);
    mkdirs(&t, "a");
    write_lesson(&t, "a/z.lesson", "window", "flow", 12, "Window", NULL);
    write_lesson(&t, "a/y.lesson", "teardown", "close", 5, "Teardown", NULL);
    write_lesson(&t, "a/x.lesson", "why-three", "connect", 2, "Why three", "handshake");
    write_lesson(&t, "a/w.lesson", "handshake", "connect", 1, "Handshake", NULL);
    write_file(&t, "a/notes.txt", "not a lesson: ignored\n");
    struct catalog c;
    load_lesson_dir(&t, "a", &c);
    ck_assert_uint_eq(c.n, 4);
    ck_assert_uint_eq(c.nlessons, 4);
    const char *order[] = {"handshake", "why-three", "teardown", "window"};
    for (size_t i = 0; i < 4; i++)
        ck_assert_str_eq(c.entries[i].id, order[i]);
    const struct catalog_entry *e = &c.entries[1];
    ck_assert_str_eq(e->title[LANG_EN], "Why three");
    ck_assert_str_eq(e->title[LANG_ZH_CN], "中文 Why three");
    ck_assert_str_eq(e->summary[LANG_EN], "About Why three.");
    ck_assert_uint_eq(e->topic, TOPIC_CONNECT);
    ck_assert_uint_eq(e->minutes, 5);
    ck_assert_uint_eq(e->nrequires, 1);
    ck_assert_str_eq(e->requires[0], "handshake");
    ck_assert_ptr_null(e->error);
    ck_assert(strstr(e->path, "/a/x.lesson") != NULL);
    catalog_free(&c);
    remove_tree(t.root);
}
END_TEST

/* A user's copy of a lesson replaces the shipped one: the first id found
 * wins, whatever the file names. */
START_TEST(first_id_wins)
{
    struct tmp t;
    tmp_make(&t);
    mkdirs(&t, "user/tcpviz/lessons");
    mkdirs(&t, "shipped");
    write_lesson(&t, "user/tcpviz/lessons/mine.lesson", "handshake", "connect", 1, "Mine", NULL);
    write_lesson(&t, "shipped/01-handshake.lesson", "handshake", "connect", 1, "Shipped", NULL);
    write_lesson(&t, "shipped/02-more.lesson", "more", "connect", 2, "More", NULL);
    char user[512], shipped[512];
    path_in(&t, "user", user, sizeof user);
    path_in(&t, "shipped", shipped, sizeof shipped);
    struct catalog_env env = {.xdg_data_home = user, .installed_dir = shipped};
    struct catalog c;
    ck_assert_int_eq(catalog_load(&c, &env), 0);
    ck_assert_uint_eq(c.n, 2);
    const struct catalog_entry *e = catalog_find_id(&c, "handshake");
    ck_assert_ptr_nonnull(e);
    ck_assert_str_eq(e->title[LANG_EN], "Mine");
    ck_assert_ptr_nonnull(catalog_find_id(&c, "more"));
    catalog_free(&c);
    remove_tree(t.root);
}
END_TEST

/* A broken file is listed, after the good ones, with its file:line
 * error; so is a plain scenario that ends in .lesson. */
START_TEST(broken_files_are_listed_with_their_error)
{
    struct tmp t;
    tmp_make(&t);
    mkdirs(&t, "d");
    write_lesson(&t, "d/good.lesson", "good", "segment", 18, "Good", NULL);
    write_file(&t, "d/bad.lesson", "lesson bad\ntitle en \"Bad\"\ntopic nowhere\n");
    write_file(&t, "d/plain.lesson", "host client 10.0.0.1\nhost server 10.0.0.2\n");
    write_file(&t, "d/binary.lesson", "\x01\x02\xff\xfe garbage \x00 more");
    struct catalog c;
    load_lesson_dir(&t, "d", &c);
    ck_assert_uint_eq(c.n, 4);
    ck_assert_uint_eq(c.nlessons, 1);
    ck_assert_str_eq(c.entries[0].id, "good");
    for (size_t i = 1; i < c.n; i++) {
        const struct catalog_entry *e = &c.entries[i];
        ck_assert_ptr_nonnull(e->error);
        ck_assert_msg(strstr(e->error, e->path) != NULL || strstr(e->error, ".lesson") != NULL,
                      "error without the file: %s", e->error);
        ck_assert_str_eq(e->id, "");
    }
    /* Sorted by path: bad, binary, plain. */
    ck_assert(strstr(c.entries[1].path, "bad.lesson") != NULL);
    ck_assert_msg(strstr(c.entries[1].error, "bad.lesson:3") != NULL, "%s", c.entries[1].error);
    ck_assert(strstr(c.entries[3].path, "plain.lesson") != NULL);
    ck_assert(strstr(c.entries[3].error, "not a lesson") != NULL);
    /* Broken entries are never found by id or number. */
    ck_assert_ptr_null(catalog_find_id(&c, ""));
    catalog_free(&c);
    remove_tree(t.root);
}
END_TEST

START_TEST(lookup_by_id_number_or_nothing)
{
    struct tmp t;
    tmp_make(&t);
    mkdirs(&t, "d");
    write_lesson(&t, "d/a.lesson", "handshake", "connect", 1, "A", NULL);
    write_lesson(&t, "d/b.lesson", "rto", "reliability", 9, "B", NULL);
    struct catalog c;
    load_lesson_dir(&t, "d", &c);
    ck_assert_str_eq(catalog_resolve(&c, "rto")->id, "rto");
    ck_assert_str_eq(catalog_resolve(&c, "9")->id, "rto");
    ck_assert_str_eq(catalog_resolve(&c, "1")->id, "handshake");
    ck_assert_ptr_null(catalog_resolve(&c, "2"));
    ck_assert_ptr_null(catalog_resolve(&c, "0"));
    ck_assert_ptr_null(catalog_resolve(&c, "9x"));
    ck_assert_ptr_null(catalog_resolve(&c, "-1"));
    ck_assert_ptr_null(catalog_resolve(&c, "99999999999999999999"));
    ck_assert_ptr_null(catalog_resolve(&c, "nope"));
    ck_assert(catalog_has(&c, "handshake"));
    ck_assert(!catalog_has(&c, "nope"));
    catalog_free(&c);
    remove_tree(t.root);
}
END_TEST

/* ============================================================ progress == */

START_TEST(progress_path_fallbacks)
{
    char p[512];
    ck_assert(progress_path("/state", "/home/s", p, sizeof p));
    ck_assert_str_eq(p, "/state/tcpviz/progress");
    ck_assert(progress_path(NULL, "/home/s", p, sizeof p));
    ck_assert_str_eq(p, "/home/s/.local/state/tcpviz/progress");
    ck_assert(progress_path("", "/home/s", p, sizeof p));
    ck_assert_str_eq(p, "/home/s/.local/state/tcpviz/progress");
    ck_assert(progress_path("rel/state", "/home/s", p, sizeof p));
    ck_assert_str_eq(p, "/home/s/.local/state/tcpviz/progress");
    ck_assert(!progress_path(NULL, NULL, p, sizeof p));
    ck_assert_str_eq(p, "");
    ck_assert(!progress_path("/x", NULL, p, 5));
}
END_TEST

START_TEST(progress_round_trip_in_new_directories)
{
    struct tmp t;
    tmp_make(&t);
    char state[512], path[600];
    path_in(&t, "deep/state", state, sizeof state);
    ck_assert(progress_path(state, NULL, path, sizeof path));
    struct progress p;
    char err[512] = "";
    /* No file yet: empty, no error. */
    ck_assert_int_eq(progress_load(&p, path, err, sizeof err), 0);
    ck_assert_uint_eq(p.n, 0);
    ck_assert_int_eq(progress_get(&p, "handshake", NULL), PROGRESS_NONE);
    ck_assert(progress_set_step(&p, "handshake", 3));
    ck_assert(progress_set_done(&p, "rto"));
    ck_assert(progress_set_step(&p, "rto", 2)); /* done stays done */
    ck_assert_int_eq(progress_save(&p, err, sizeof err), 0);
    progress_free(&p);

    /* The directories are new and private. */
    struct stat st;
    char dir[600];
    snprintf(dir, sizeof dir, "%s/tcpviz", state);
    ck_assert_int_eq(stat(dir, &st), 0);
    ck_assert_uint_eq(st.st_mode & 0777, 0700);
    ck_assert_int_eq(stat(state, &st), 0);
    ck_assert_uint_eq(st.st_mode & 0777, 0700);
    /* Plain text a student can read; no temporary file is left. */
    ck_assert_str_eq(read_all(path), "handshake step 3\nrto done\n");
    char tmpfile[700];
    snprintf(tmpfile, sizeof tmpfile, "%s.tmp", path);
    ck_assert_int_ne(access(tmpfile, F_OK), 0);

    unsigned step = 99;
    ck_assert_int_eq(progress_load(&p, path, err, sizeof err), 0);
    ck_assert_int_eq(progress_get(&p, "handshake", &step), PROGRESS_STARTED);
    ck_assert_uint_eq(step, 3);
    ck_assert_int_eq(progress_get(&p, "rto", &step), PROGRESS_DONE);
    ck_assert_uint_eq(step, 0);
    progress_forget(&p, "handshake");
    ck_assert_int_eq(progress_get(&p, "handshake", NULL), PROGRESS_NONE);
    ck_assert_int_eq(progress_get(&p, "rto", NULL), PROGRESS_DONE);
    progress_free(&p);
    remove_tree(t.root);
}
END_TEST

START_TEST(garbled_progress_lines_are_ignored)
{
    struct tmp t;
    tmp_make(&t);
    char path[512];
    path_in(&t, "progress", path, sizeof path);
    static char text[4096];
    char longline[600];
    memset(longline, 'x', sizeof longline - 1);
    longline[sizeof longline - 1] = '\0';
    snprintf(text, sizeof text,
             "handshake done\n"
             "rto step 0\n"          /* steps count from 1 */
             "sack step -3\n"
             "window step 12abc\n"
             "Caps step 2\n"         /* not an id */
             "%s step 2\n"           /* far too long */
             "\x01\xff binary\n"
             "teardown step 4 extra\n"
             "nagle maybe\n"
             "\n"
             "   flow    step   7   \n"
             "keepalive step 99999999999999999999\n"
             "sws done", longline);
    write_file(&t, "progress", text);
    struct progress p;
    char err[256] = "";
    ck_assert_int_eq(progress_load(&p, path, err, sizeof err), 0);
    ck_assert_uint_eq(p.n, 3);
    unsigned step;
    ck_assert_int_eq(progress_get(&p, "handshake", NULL), PROGRESS_DONE);
    ck_assert_int_eq(progress_get(&p, "flow", &step), PROGRESS_STARTED);
    ck_assert_uint_eq(step, 7);
    ck_assert_int_eq(progress_get(&p, "sws", NULL), PROGRESS_DONE);
    ck_assert_int_eq(progress_get(&p, "rto", NULL), PROGRESS_NONE);
    progress_free(&p);
    remove_tree(t.root);
}
END_TEST

/* Errors are messages, never a crash: an unreadable file, a directory
 * where the file should be, a parent that is a file, no place at all. */
START_TEST(progress_errors_are_messages)
{
    struct tmp t;
    tmp_make(&t);
    char path[512], err[512];
    struct progress p;

    mkdirs(&t, "isdir/progress");
    path_in(&t, "isdir/progress", path, sizeof path);
    err[0] = '\0';
    int rc = progress_load(&p, path, err, sizeof err);
    /* Reading a directory fails on read or open; either way p is usable. */
    (void)rc;
    ck_assert(progress_set_step(&p, "handshake", 2));
    ck_assert_int_eq(progress_save(&p, err, sizeof err), -1);
    ck_assert_msg(strstr(err, path) != NULL, "%s", err);
    progress_free(&p);

    write_file(&t, "afile", "x\n");
    path_in(&t, "afile/sub/progress", path, sizeof path);
    ck_assert_int_eq(progress_load(&p, path, err, sizeof err), -1);
    ck_assert(progress_set_done(&p, "handshake"));
    err[0] = '\0';
    ck_assert_int_eq(progress_save(&p, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "cannot make") != NULL, "%s", err);
    progress_free(&p);

    ck_assert_int_eq(progress_load(&p, "", err, sizeof err), 0);
    ck_assert(progress_set_done(&p, "handshake"));
    ck_assert_int_eq(progress_save(&p, err, sizeof err), -1);
    ck_assert(strstr(err, "not saved") != NULL);
    progress_free(&p);

    if (geteuid() != 0) {
        write_file(&t, "secret", "handshake done\n");
        char secret[512];
        path_in(&t, "secret", secret, sizeof secret);
        ck_assert_int_eq(chmod(secret, 0), 0);
        err[0] = '\0';
        ck_assert_int_eq(progress_load(&p, secret, err, sizeof err), -1);
        ck_assert_msg(strstr(err, "cannot read") != NULL, "%s", err);
        ck_assert_uint_eq(p.n, 0);
        progress_free(&p);
    }
    remove_tree(t.root);
}
END_TEST

/* The old file stays whole until the new one replaces it: what a reader
 * sees is either the old or the new content, never half of one. */
START_TEST(progress_save_replaces_atomically)
{
    struct tmp t;
    tmp_make(&t);
    char path[512];
    path_in(&t, "progress", path, sizeof path);
    write_file(&t, "progress", "old step 1\n");
    struct stat before, after;
    ck_assert_int_eq(stat(path, &before), 0);
    struct progress p;
    char err[256];
    ck_assert_int_eq(progress_load(&p, path, err, sizeof err), 0);
    for (unsigned i = 0; i < 50; i++) {
        char id[32];
        snprintf(id, sizeof id, "lesson-%u", i);
        ck_assert(progress_set_step(&p, id, i + 1));
    }
    ck_assert_int_eq(progress_save(&p, err, sizeof err), 0);
    ck_assert_int_eq(stat(path, &after), 0);
    /* rename() put a new file in place: a new inode, not a rewrite. */
    ck_assert(before.st_ino != after.st_ino);
    const char *text = read_all(path);
    ck_assert(strncmp(text, "old step 1\nlesson-0 step 1\n", 27) == 0);
    ck_assert(strstr(text, "lesson-49 step 50\n") != NULL);
    progress_free(&p);
    remove_tree(t.root);
}
END_TEST

static Suite *course_suite(void)
{
    Suite *s = suite_create("course");
    TCase *cat = tcase_create("catalog");
    tcase_add_test(cat, directories_in_order);
    tcase_add_test(cat, sorted_by_topic_then_number);
    tcase_add_test(cat, first_id_wins);
    tcase_add_test(cat, broken_files_are_listed_with_their_error);
    tcase_add_test(cat, lookup_by_id_number_or_nothing);
    suite_add_tcase(s, cat);
    TCase *prog = tcase_create("progress");
    tcase_add_test(prog, progress_path_fallbacks);
    tcase_add_test(prog, progress_round_trip_in_new_directories);
    tcase_add_test(prog, garbled_progress_lines_are_ignored);
    tcase_add_test(prog, progress_errors_are_messages);
    tcase_add_test(prog, progress_save_replaces_atomically);
    suite_add_tcase(s, prog);
    return s;
}

int main(void)
{
    return check_main_run(course_suite());
}
