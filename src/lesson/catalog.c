/* The course's catalog (see catalog.h). */
#include "config.h"

#include "lesson/catalog.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/array.h"

/* Where `make install` puts the lessons, and the source tree's copy for a
 * program run from its build tree (Makefile.am passes both). */
#ifndef PKGDATADIR
#define PKGDATADIR "/usr/local/share/tcpviz"
#endif
#ifndef TCPVIZ_SOURCE_LESSONS
#define TCPVIZ_SOURCE_LESSONS "lessons"
#endif

#define LESSON_SUFFIX ".lesson"

void catalog_env_from_process(struct catalog_env *env)
{
    env->lesson_dir = getenv("TCPVIZ_LESSON_DIR");
    env->xdg_data_home = getenv("XDG_DATA_HOME");
    env->home = getenv("HOME");
    env->installed_dir = PKGDATADIR "/lessons";
    env->source_dir = TCPVIZ_SOURCE_LESSONS;
}

static bool is_directory(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool set(const char *s)
{
    return s && s[0];
}

/* Append a directory (formatted) unless it is too long for the buffer. */
static size_t add_dir(char dirs[][CATALOG_PATH_MAX], size_t n, size_t max, const char *a,
                      const char *b)
{
    if (n >= max)
        return n;
    int k = snprintf(dirs[n], CATALOG_PATH_MAX, "%s%s", a, b);
    return k > 0 && k < CATALOG_PATH_MAX ? n + 1 : n;
}

size_t catalog_dirs(const struct catalog_env *env, char dirs[][CATALOG_PATH_MAX], size_t max)
{
    size_t n = 0;
    if (set(env->lesson_dir))
        n = add_dir(dirs, n, max, env->lesson_dir, "");
    /* XDG Base Directory: a relative path in XDG_DATA_HOME is invalid and
     * must be ignored; then the default under $HOME applies. */
    if (set(env->xdg_data_home) && env->xdg_data_home[0] == '/')
        n = add_dir(dirs, n, max, env->xdg_data_home, "/tcpviz/lessons");
    else if (set(env->home))
        n = add_dir(dirs, n, max, env->home, "/.local/share/tcpviz/lessons");
    if (set(env->installed_dir) && is_directory(env->installed_dir))
        n = add_dir(dirs, n, max, env->installed_dir, "");
    else if (set(env->source_dir))
        n = add_dir(dirs, n, max, env->source_dir, "");
    return n;
}

/* ------------------------------------------------------------------ */
/* Entries */

static char *copy(const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

static void entry_free(struct catalog_entry *e)
{
    for (int l = 0; l < LANG_COUNT; l++) {
        free(e->title[l]);
        free(e->summary[l]);
    }
    free(e->path);
    free(e->error);
    memset(e, 0, sizeof *e);
}

/* The menu's facts about a parsed lesson.  false when out of memory. */
static bool entry_from_lesson(struct catalog_entry *e, const struct lesson *l, const char *path)
{
    memset(e, 0, sizeof *e);
    snprintf(e->id, sizeof e->id, "%s", l->id);
    e->number = l->number;
    e->topic = l->topic;
    e->minutes = l->minutes;
    e->nrequires = l->nrequires < LESSON_MAX_REQUIRES ? l->nrequires : LESSON_MAX_REQUIRES;
    for (size_t i = 0; i < e->nrequires; i++)
        snprintf(e->requires[i], sizeof e->requires[i], "%s", l->requires[i]);
    bool ok = (e->path = copy(path)) != NULL;
    for (int lang = 0; lang < LANG_COUNT; lang++) {
        ok = ok && (e->title[lang] = copy(lesson_text_get(&l->title, (enum tv_lang)lang)));
        if (l->summary.text[0] && ok)
            ok = (e->summary[lang] =
                      copy(lesson_text_get(&l->summary, (enum tv_lang)lang))) != NULL;
    }
    if (!ok)
        entry_free(e);
    return ok;
}

/* A file that did not parse: listed under its file name with the error. */
static bool entry_broken(struct catalog_entry *e, const char *path, const char *name,
                         const char *error)
{
    memset(e, 0, sizeof *e);
    e->topic = TOPIC_COUNT;
    bool ok = (e->path = copy(path)) && (e->error = copy(error[0] ? error : path));
    for (int lang = 0; ok && lang < LANG_COUNT; lang++)
        ok = (e->title[lang] = copy(name)) != NULL;
    if (!ok)
        entry_free(e);
    return ok;
}

static bool push(struct catalog *c, size_t *cap, const struct catalog_entry *e)
{
    if (c->n == *cap) {
        struct catalog_entry *n = array_grow(c->entries, cap, sizeof *n, 16);
        if (!n)
            return false;
        c->entries = n;
    }
    c->entries[c->n++] = *e;
    return true;
}

/* ------------------------------------------------------------------ */
/* Reading directories */

static bool has_suffix(const char *name, const char *suffix)
{
    size_t n = strlen(name), s = strlen(suffix);
    return n > s && strcmp(name + n - s, suffix) == 0;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The *.lesson names in dir, sorted (so that "first id wins" does not
 * depend on the order readdir happens to give).  NULL with *n = 0 when
 * the directory cannot be read: a missing directory is normal. */
static char **lesson_names(const char *dir, size_t *n)
{
    *n = 0;
    DIR *d = opendir(dir);
    if (!d)
        return NULL;
    char **names = NULL;
    size_t cap = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.' || !has_suffix(de->d_name, LESSON_SUFFIX))
            continue;
        if (*n == cap) {
            char **more = array_grow(names, &cap, sizeof *more, 32);
            if (!more)
                break;
            names = more;
        }
        if ((names[*n] = copy(de->d_name)) != NULL)
            (*n)++;
    }
    closedir(d);
    if (*n)
        qsort(names, *n, sizeof *names, compare_names);
    return names;
}

/* One file: a lesson, a broken file, or (a plain scenario that happens to
 * end in .lesson) a broken file that says so.  false when out of memory. */
static bool load_file(struct catalog *c, size_t *cap, const char *dir, const char *name)
{
    char path[CATALOG_PATH_MAX];
    int k = snprintf(path, sizeof path, "%s/%s", dir, name);
    if (k < 0 || k >= (int)sizeof path)
        return true;
    struct lesson l;
    char err[512] = "";
    memset(&l, 0, sizeof l);
    struct catalog_entry e;
    bool ok = true;
    if (lesson_parse_file(path, &l, err, sizeof err) != 0) {
        ok = entry_broken(&e, path, name, err) && push(c, cap, &e);
    } else if (!l.is_lesson) {
        snprintf(err, sizeof err, "%s: a scenario, not a lesson (it has no 'lesson' line)",
                 path);
        ok = entry_broken(&e, path, name, err) && push(c, cap, &e);
    } else if (!catalog_find_id(c, l.id)) {
        ok = entry_from_lesson(&e, &l, path) && push(c, cap, &e);
    }
    lesson_free(&l);
    return ok;
}

static int compare_entries(const void *pa, const void *pb)
{
    const struct catalog_entry *a = pa, *b = pb;
    if ((a->error != NULL) != (b->error != NULL))
        return a->error ? 1 : -1;
    if (a->error)
        return strcmp(a->path, b->path);
    if (a->topic != b->topic)
        return a->topic < b->topic ? -1 : 1;
    /* Lessons without a number go after the numbered ones of their topic. */
    unsigned na = a->number ? a->number : ~0u, nb = b->number ? b->number : ~0u;
    if (na != nb)
        return na < nb ? -1 : 1;
    return strcmp(a->id, b->id);
}

int catalog_load(struct catalog *c, const struct catalog_env *env)
{
    memset(c, 0, sizeof *c);
    char dirs[CATALOG_MAX_DIRS][CATALOG_PATH_MAX];
    size_t ndirs = catalog_dirs(env, dirs, CATALOG_MAX_DIRS);
    size_t cap = 0;
    bool ok = true;
    for (size_t d = 0; d < ndirs; d++) {
        size_t n;
        char **names = lesson_names(dirs[d], &n);
        for (size_t i = 0; i < n; i++) {
            ok = ok && load_file(c, &cap, dirs[d], names[i]);
            free(names[i]);
        }
        free(names);
    }
    if (!ok) {
        catalog_free(c);
        return -1;
    }
    if (c->n)
        qsort(c->entries, c->n, sizeof *c->entries, compare_entries);
    while (c->nlessons < c->n && !c->entries[c->nlessons].error)
        c->nlessons++;
    return 0;
}

void catalog_free(struct catalog *c)
{
    for (size_t i = 0; i < c->n; i++)
        entry_free(&c->entries[i]);
    free(c->entries);
    memset(c, 0, sizeof *c);
}

const struct catalog_entry *catalog_find_id(const struct catalog *c, const char *id)
{
    for (size_t i = 0; i < c->n; i++)
        if (!c->entries[i].error && strcmp(c->entries[i].id, id) == 0)
            return &c->entries[i];
    return NULL;
}

const struct catalog_entry *catalog_find_number(const struct catalog *c, unsigned number)
{
    for (size_t i = 0; number && i < c->n; i++)
        if (!c->entries[i].error && c->entries[i].number == number)
            return &c->entries[i];
    return NULL;
}

const struct catalog_entry *catalog_resolve(const struct catalog *c, const char *arg)
{
    const struct catalog_entry *e = catalog_find_id(c, arg);
    if (e)
        return e;
    /* A number: digits only, as a student would type "tcpviz 3". */
    if (arg[0] < '0' || arg[0] > '9' || strlen(arg) > 6)
        return NULL;
    for (const char *p = arg; *p; p++)
        if (*p < '0' || *p > '9')
            return NULL;
    return catalog_find_number(c, (unsigned)strtoul(arg, NULL, 10));
}

bool catalog_has(const struct catalog *c, const char *id)
{
    return catalog_find_id(c, id) != NULL;
}
