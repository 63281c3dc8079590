/* gat.h - everything libgat offers, in one include.
 *
 *   data in      status.h fileio.h npy.h json.h safetensors.h dataset.h graph.h
 *   model        rng.h ops.h model.h
 *   training     train.h modelfile.h runlog.h
 *   pictures     tsne.h (and the drawing headers, when built with them)
 *   embedding    api.h (graphs in memory, models behind opaque handles: the stable ABI)
 */
#ifndef GAT_GAT_H
#define GAT_GAT_H

#include "gat/status.h"
#include "gat/fileio.h"
#include "gat/npy.h"
#include "gat/json.h"
#include "gat/safetensors.h"
#include "gat/dataset.h"
#include "gat/nodelink.h"
#include "gat/ppigen.h"
#include "gat/lookupgen.h"
#include "gat/graph.h"
#include "gat/rng.h"
#include "gat/ops.h"
#include "gat/model.h"
#include "gat/train.h"
#include "gat/profile.h"
#include "gat/modelfile.h"
#include "gat/runlog.h"
#include "gat/tsne.h"
#include "gat/inspect.h"
#include "gat/chart.h"
#include "gat/graphstats.h"
#include "gat/viz_dataset.h"
#include "gat/viz_model.h"
#include "gat/plot_runs.h"
#include "gat/api.h"

#endif
