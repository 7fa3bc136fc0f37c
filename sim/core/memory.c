/* y90mc: the memory limit every stage checks its allocations against (phantom, sources, kernels, readers). */
#include <unistd.h>
#include "y90/common.h"

size_t y90_memory_limit_bytes(double max_memory_gb)
{
    if (max_memory_gb > 0) return (size_t)(max_memory_gb * 1e9);
    long pages = sysconf(_SC_PHYS_PAGES), psize = sysconf(_SC_PAGESIZE);
    if (pages <= 0 || psize <= 0) return 0;
    return (size_t)(0.8 * (double)pages * (double)psize);
}
