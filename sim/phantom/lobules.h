/* Internal to the phantom stage: the microscale lobule phantom (sim/phantom/lobules.c). */
#ifndef Y90_PHANTOM_LOBULES_INTERNAL_H
#define Y90_PHANTOM_LOBULES_INTERNAL_H

#include "y90/phantom.h"

/* Called by y90_phantom_build (sim/phantom/phantom.c): labels liver_parenchyma, portal_tract, central_vein (kind
 * liver_normal) and tumour_viable (with a tumour edge), material liver, and g->lobule_id. */
y90_status y90_phantom_build_lobules(const y90_phantom_params *p, size_t max_bytes, y90_grid *g,
                                     y90_phantom_info *info, y90_error *err);

#endif
