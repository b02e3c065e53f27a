/* Lookups on a parsed scenario and its release.  The parser that fills the
 * struct lives in src/lesson/scenario_parse.c. */
#include "sim/scenario.h"

#include <stdlib.h>
#include <string.h>

int scenario_host_index(const struct scenario *s, const char *name)
{
    for (unsigned i = 0; i < s->nhosts; i++)
        if (strcmp(s->hosts[i].name, name) == 0)
            return (int)i;
    return -1;
}

int scenario_link_index(const struct scenario *s, int from, int to)
{
    for (size_t i = 0; i < s->nlinks; i++)
        if (s->links[i].from == from && s->links[i].to == to)
            return (int)i;
    return -1;
}

bool scn_cmp_holds(int64_t have, enum scn_cmp cmp, int64_t want)
{
    switch (cmp) {
    case CMP_EQ: return have == want;
    case CMP_NE: return have != want;
    case CMP_LT: return have < want;
    case CMP_LE: return have <= want;
    case CMP_GT: return have > want;
    case CMP_GE: return have >= want;
    }
    return false;
}

const char *scn_cmp_text(enum scn_cmp cmp)
{
    switch (cmp) {
    case CMP_EQ: return "=";
    case CMP_NE: return "!=";
    case CMP_LT: return "<";
    case CMP_LE: return "<=";
    case CMP_GT: return ">";
    case CMP_GE: return ">=";
    }
    return "?";
}

void scenario_free(struct scenario *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->nrules; i++)
        free(s->rules[i].action.text);
    free(s->rules);
    free(s->faults);
    free(s->links);
    free(s->title);
    free(s->file);
    memset(s, 0, sizeof *s);
}
