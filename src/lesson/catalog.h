/* The course's catalog: which lessons there are, and where.
 *
 * Lessons are found in directories searched in this order (the first
 * lesson with an id wins, so a user's own copy of a shipped lesson
 * replaces it):
 *   1. $TCPVIZ_LESSON_DIR, when set (tests, a teacher's own course);
 *   2. $XDG_DATA_HOME/tcpviz/lessons, else ~/.local/share/tcpviz/lessons
 *      (a user's extra lessons; XDG Base Directory: a relative
 *      XDG_DATA_HOME is ignored);
 *   3. the installed lessons, $(pkgdatadir)/lessons;
 *   4. only when that directory does not exist: the source tree's
 *      lessons/ (tcpviz run from its build tree before `make install`).
 *
 * Every *.lesson file is parsed (lesson_parse_file); the catalog keeps
 * what the menu shows and the file's path, not the whole lesson.  A file
 * that does not parse is listed with its error (never a crash, never
 * silently left out).  The environment comes in as arguments, so tests
 * use temporary directories without setenv. */
#ifndef TCPVIZ_LESSON_CATALOG_H
#define TCPVIZ_LESSON_CATALOG_H

#include <stdbool.h>
#include <stddef.h>

#include "i18n/i18n.h"
#include "lesson/lesson.h"

#define CATALOG_MAX_DIRS 4
#define CATALOG_PATH_MAX 4096

struct catalog_entry {
    char id[LESSON_ID_MAX];       /* "" for a broken file */
    unsigned number;              /* 0: none given */
    enum lesson_topic topic;
    unsigned minutes;
    char *title[LANG_COUNT];      /* owned; a broken file: its file name */
    char *summary[LANG_COUNT];    /* owned; NULL when the lesson has none */
    size_t nrequires;
    char requires[LESSON_MAX_REQUIRES][LESSON_ID_MAX];
    char *path;                   /* owned */
    char *error;                  /* owned; non-NULL: the file did not parse
                                   * ("FILE:LINE: what was expected") */
};

struct catalog {
    size_t n;
    struct catalog_entry *entries; /* good lessons sorted by topic then number,
                                    * then the broken files by path */
    size_t nlessons;               /* the good ones (entries[0..nlessons)) */
};

/* Where to look, from the environment's values (NULL when unset). */
struct catalog_env {
    const char *lesson_dir;       /* $TCPVIZ_LESSON_DIR */
    const char *xdg_data_home;    /* $XDG_DATA_HOME */
    const char *home;             /* $HOME */
    const char *installed_dir;    /* $(pkgdatadir)/lessons */
    const char *source_dir;       /* the source tree's lessons/ */
};

/* The environment of this process, with the built-in installed and source
 * directories. */
void catalog_env_from_process(struct catalog_env *env);

/* The directories to search, in order (at most CATALOG_MAX_DIRS); returns
 * how many were written. */
size_t catalog_dirs(const struct catalog_env *env, char dirs[][CATALOG_PATH_MAX], size_t max);

/* Find and read the lessons.  0 on success (an empty catalog is a
 * success); -1 when out of memory. */
int catalog_load(struct catalog *c, const struct catalog_env *env);
void catalog_free(struct catalog *c);

const struct catalog_entry *catalog_find_id(const struct catalog *c, const char *id);
const struct catalog_entry *catalog_find_number(const struct catalog *c, unsigned number);
/* What `tcpviz ARG` names: a lesson id, else a lesson number ("3"); NULL
 * when neither (the caller then treats ARG as a file). */
const struct catalog_entry *catalog_resolve(const struct catalog *c, const char *arg);

/* True when the lesson with id `id` is in the catalog (for prerequisites
 * that name lessons nobody installed). */
bool catalog_has(const struct catalog *c, const char *id);

#endif
