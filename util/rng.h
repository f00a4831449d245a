/*
 * rng.h - the project's one seed mixer: splitmix64 (Steele, Lea, Flood 2014)
 * as a stream, its finaliser, uniform and standard normal draws from it, and
 * the two ways a caller's seed is combined with a counter. Header-only and
 * stateless: the state is the caller's.
 */
#ifndef BOGRAPH_UTIL_RNG_H
#define BOGRAPH_UTIL_RNG_H

#include <math.h>
#include <stdint.h>

#define RNG_GOLDEN 0x9e3779b97f4a7c15ULL

/* The splitmix64 output function: a bijection that spreads nearby inputs. */
static inline uint64_t rng_finalise(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Next value of the splitmix64 stream whose state is *state. */
static inline uint64_t rng_next(uint64_t *state)
{
    return rng_finalise(*state += RNG_GOLDEN);
}

/* Uniform double in (0, 1) from the stream: 53 random bits, never 0 or 1. */
static inline double rng_unit(uint64_t *state)
{
    return ((double)(rng_next(state) >> 11) + 0.5) / 9007199254740992.0;
}

/* Standard normal draw from the stream (Box-Muller on two uniforms, the
 * first for the radius). */
static inline double rng_normal(uint64_t *state)
{
    double u1 = rng_unit(state);
    double u2 = rng_unit(state);
    return sqrt(-2 * log(u1)) * cos(6.283185307179586 * u2);
}

/* Seed of the n-th stream drawn from seed (n = trials so far, point index):
 * the full finaliser of seed ^ (n * golden). */
static inline uint64_t rng_mix(uint64_t seed, uint64_t n)
{
    return rng_finalise(seed ^ (n * RNG_GOLDEN));
}

/* The engine's stream seed: seed ^ (golden * (n + 1)) through a two-round
 * finaliser. Kept beside rng_mix because the engine's and the graph model's
 * suggestions for a given seed depend on it. */
static inline uint64_t rng_stream_seed(uint64_t seed, uint64_t n)
{
    uint64_t z = seed ^ (RNG_GOLDEN * (n + 1));
    z = (z ^ (z >> 31)) * 0xbf58476d1ce4e5b9ULL;
    return z ^ (z >> 29);
}

#endif
