/*
 * strmap.c - open-addressing hash table of borrowed string keys (one string
 * or a pair) to size_t values: FNV-1a over the strings, linear probing, a
 * power-of-two table kept at most half full.
 */
#include "util/strmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *a, *b;   /* a == NULL: empty slot */
    size_t value;
    uint64_t hash;
} strmap_slot;

struct strmap {
    strmap_slot *slots;
    size_t cap;          /* a power of two */
    size_t count;
};

static uint64_t strmap_hash_str(uint64_t h, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        h ^= *p;
        h *= 0x100000001b3ULL;
    }
    return h;
}

static uint64_t strmap_hash(const char *a, const char *b)
{
    uint64_t h = strmap_hash_str(0xcbf29ce484222325ULL, a);
    if (b) {
        /* a separator no C string contains, so ("ab", "c") != ("a", "bc") */
        h = (h ^ 0x100) * 0x100000001b3ULL;
        h = strmap_hash_str(h, b);
    }
    /* final mix: the low bits pick the slot */
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return h;
}

static int strmap_same(const strmap_slot *s, uint64_t h, const char *a, const char *b)
{
    if (s->hash != h || strcmp(s->a, a) != 0)
        return 0;
    if (!s->b || !b)
        return !s->b && !b;
    return strcmp(s->b, b) == 0;
}

strmap *strmap_new(size_t expected)
{
    strmap *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    size_t cap = 16;
    while (cap < 2 * expected && cap < ((size_t)1 << (sizeof(size_t) * 8 - 2)))
        cap *= 2;
    m->slots = calloc(cap, sizeof *m->slots);
    if (!m->slots) {
        free(m);
        return NULL;
    }
    m->cap = cap;
    return m;
}

void strmap_free(strmap *m)
{
    if (!m)
        return;
    free(m->slots);
    free(m);
}

/* The slot holding (a, b), or the empty slot where it would go. */
static strmap_slot *strmap_find(const strmap *m, uint64_t h, const char *a, const char *b)
{
    size_t mask = m->cap - 1;
    for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
        strmap_slot *s = &m->slots[i];
        if (!s->a || strmap_same(s, h, a, b))
            return s;
    }
}

static int strmap_grow(strmap *m)
{
    size_t ncap = m->cap * 2;
    strmap_slot *old = m->slots, *ns = calloc(ncap, sizeof *ns);
    if (!ns)
        return -1;
    size_t ocap = m->cap;
    m->slots = ns;
    m->cap = ncap;
    for (size_t i = 0; i < ocap; i++)
        if (old[i].a)
            *strmap_find(m, old[i].hash, old[i].a, old[i].b) = old[i];
    free(old);
    return 0;
}

int strmap_put2(strmap *m, const char *a, const char *b, size_t value, size_t *existing)
{
    if (!m || !a)
        return -1;
    if (2 * (m->count + 1) > m->cap && strmap_grow(m) != 0)
        return -1;
    uint64_t h = strmap_hash(a, b);
    strmap_slot *s = strmap_find(m, h, a, b);
    if (s->a) {
        if (existing)
            *existing = s->value;
        return 0;
    }
    s->a = a;
    s->b = b;
    s->value = value;
    s->hash = h;
    m->count++;
    return 1;
}

int strmap_get2(const strmap *m, const char *a, const char *b, size_t *value)
{
    if (!m || !a)
        return 0;
    const strmap_slot *s = strmap_find(m, strmap_hash(a, b), a, b);
    if (!s->a)
        return 0;
    if (value)
        *value = s->value;
    return 1;
}

int strmap_put(strmap *m, const char *key, size_t value, size_t *existing)
{
    return strmap_put2(m, key, NULL, value, existing);
}

int strmap_get(const strmap *m, const char *key, size_t *value)
{
    return strmap_get2(m, key, NULL, value);
}

size_t strmap_count(const strmap *m)
{
    return m ? m->count : 0;
}
