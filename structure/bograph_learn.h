/*
 * bograph_learn.h - structure learning for bograph (internal to
 * structure/bograph*.c).
 */
#ifndef BOGRAPH_STRUCTURE_BOGRAPH_LEARN_H
#define BOGRAPH_STRUCTURE_BOGRAPH_LEARN_H

#include <stddef.h>

#include "structure/bograph_request.h"
#include "structure/graph_state.h"
#include "structure/preprocess.h"

/* Learns a graph over the parameters, the metrics pr keeps and the
 * objective. The caller frees it with bg_graph_free. NULL with a message. */
bg_graph *bg_learn(const bograph_request *req, const bg_data *d, const preprocess_result *pr,
                   char *err, size_t err_len);

#endif
