/* y90mc: seconds on the monotonic clock, for run times, progress, time limits and checkpoint intervals. */
#include <time.h>
#include "y90/common.h"

double y90_wall_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}
