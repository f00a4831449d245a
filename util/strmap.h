/*
 * strmap.h - the project's one string hash table: keys of one or two
 * strings (a name, or a pair such as an edge's from and to) mapped to a
 * size_t, with open addressing, so duplicate checks and name lookups take
 * time linear in the input instead of the pairwise comparisons they replace.
 *
 * Keys are borrowed: the strings must outlive the map (they usually point
 * into the request or the handle the map indexes). Not thread-safe; one map
 * per owner.
 */
#ifndef BOGRAPH_UTIL_STRMAP_H
#define BOGRAPH_UTIL_STRMAP_H

#include <stddef.h>

typedef struct strmap strmap;

/* A map sized for about `expected` keys (it grows beyond). NULL when out of memory. */
strmap *strmap_new(size_t expected);
void strmap_free(strmap *m);

/* Adds the key (a, b) -> value; b may be NULL for a one-string key (a and
 * (a, NULL) are the same key; (a, "") differs). Returns 1 when added, 0 when
 * the key was there already (its value is kept and written to *existing,
 * which may be NULL), -1 when out of memory. */
int strmap_put2(strmap *m, const char *a, const char *b, size_t value, size_t *existing);
/* 1 with *value set (value may be NULL) when (a, b) is in the map, else 0. */
int strmap_get2(const strmap *m, const char *a, const char *b, size_t *value);

/* The one-string forms. */
int strmap_put(strmap *m, const char *key, size_t value, size_t *existing);
int strmap_get(const strmap *m, const char *key, size_t *value);

/* Keys in the map. */
size_t strmap_count(const strmap *m);

#endif
