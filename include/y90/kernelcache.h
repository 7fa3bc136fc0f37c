/* y90mc: the dvk voxel kernel of a run: computed by the MC kernel (y90_vsv_kernel_compute) for the grid's voxel
 * size and the medium holding most of the activity, and cached on disk (sim/run/kernelcache.c). */
#ifndef Y90_KERNELCACHE_H
#define Y90_KERNELCACHE_H

#include <stdio.h>
#include "y90/config.h"
#include "y90/kernel.h"
#include "y90/source.h"

/* The cache folder: dir if not NULL, else $Y90MC_KERNEL_CACHE, else $XDG_CACHE_HOME/y90mc, else
 * $HOME/.cache/y90mc. Returns 0, or -1 when none can be named (no HOME). */
int y90_kernel_cache_dir(const char *dir, char *out, size_t len);

/* Load the voxel kernel for grid g and sources s from the cache, or compute it (c->transport physics settings and
 * kernel_histories, seed 1) and store it. The cache file is named by a hash of its key (voxel size, medium,
 * density, kernel extent, histories, seed, physics settings, y90mc version and git revision) and holds the key,
 * which is checked on reading. Written to a temporary name and renamed into place, so concurrent runs never see a
 * partial file (two runs computing the same kernel both write identical content). log may be NULL. */
y90_status y90_kernel_cache_get(const y90_config *c, const y90_grid *g, const y90_sources *s, const char *dir,
                                FILE *log, y90_voxel_kernel *k, y90_error *err);

#endif
