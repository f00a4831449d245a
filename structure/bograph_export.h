/*
 * bograph_export.h - a learnt graph as the service shows it (internal to
 * structure/bograph*.c).
 */
#ifndef BOGRAPH_STRUCTURE_BOGRAPH_EXPORT_H
#define BOGRAPH_STRUCTURE_BOGRAPH_EXPORT_H

#include <stddef.h>

#include "structure/bograph_types.h"
#include "structure/graph_state.h"

/* gr as a bograph_graph (or, when gr is NULL, the parameters, the
 * objective and the expert edges of req). 0, or -1 with a message. */
int bg_export(const bg_graph *gr, const bograph_request *req, bograph_graph *out, char *err,
              size_t err_len);

#endif
