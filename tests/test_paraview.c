/* LABEL paraview. ParaView's own XDMF readers (pvpython, Debian paraview + python3-paraview) open the sidecar of a
 * small transport run and read the same dimensions, spacing, origin and voxel values as h5py, for every array
 * (tests/scripts/check_xdmf_paraview.py). A missing pvpython fails the test: .ci/deps installs ParaView. */
#include "testutil.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* pvpython runs tests/scripts/check_xdmf_paraview.py on xdmf and h5; it must print PASS and exit 0. */
static void check_with_pvpython(const char *xdmf, const char *h5)
{
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "pvpython --force-offscreen-rendering %s/tests/scripts/check_xdmf_paraview.py %s %s 2>&1",
             Y90_SOURCE_DIR, xdmf, h5);
    FILE *p = popen(cmd, "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    char line[1024];
    int pass = 0;
    while (fgets(line, sizeof line, p)) {
        if (strncmp(line, "ok", 2) == 0 || strncmp(line, "FAIL", 4) == 0 || strstr(line, "reader:")) printf("\n    %s", line);
        if (strcmp(line, "PASS\n") == 0) pass = 1;
    }
    int rc = pclose(p);
    if (rc != 0 && !pass) printf("\n    pvpython failed (exit status %d): is ParaView installed (.ci/deps)?", rc);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT(pass);
}

static void test_paraview_reads_xdmf(void)
{
    /* 7 x 5 x 5 voxels, three slabs of different labels, materials and densities, dose and uncertainty varying */
    const char *cfg = y90t_write("slabs.yaml", "phantom:\n  type: slabs\n  voxel_mm: 2\n  box_size_mm: [14, 10, 10]\n"
                                 "  slab_materials: [liver, lung, water]\n  slab_densities: [1.06, 0.26, 0]\n"
                                 "  slab_thickness_mm: [4, 4, 2]\nsource:\n  type: point\n  point_mm: [3.5, -2.5, 3.0]\n"
                                 "treatment:\n  activity_gbq: 1.0\ntransport:\n  kernel: mc\n  histories: 5000\n");
    char args[4096], h5[1100], xdmf[1100];
    snprintf(h5, sizeof h5, "%s", y90t_path("slabs.h5"));
    snprintf(xdmf, sizeof xdmf, "%s", y90t_path("slabs.xdmf"));
    snprintf(args, sizeof args, "run %s -o %s --quiet", cfg, h5);
    CU_ASSERT_EQUAL_FATAL(y90t_cli(args, NULL), 0);
    check_with_pvpython(xdmf, h5);
    /* the difference map of y90mc compare (a second seed against the first, with the gamma map and the combined
     * sigma) has its sidecar too */
    char h5b[1100], dh5[1100], dxdmf[1100];
    snprintf(h5b, sizeof h5b, "%s", y90t_path("slabs-b.h5"));
    snprintf(dh5, sizeof dh5, "%s", y90t_path("diff.h5"));
    snprintf(dxdmf, sizeof dxdmf, "%s", y90t_path("diff.xdmf"));
    snprintf(args, sizeof args, "run %s -o %s --quiet --seed 7", cfg, h5b);
    CU_ASSERT_EQUAL_FATAL(y90t_cli(args, NULL), 0);
    snprintf(args, sizeof args, "compare %s %s --gamma 3,3 --diff-out %s", h5, h5b, dh5);
    CU_ASSERT_EQUAL_FATAL(y90t_cli(args, NULL), 0);
    check_with_pvpython(dxdmf, dh5);
}

void y90t_register(void)
{
    CU_pSuite s = CU_add_suite("paraview", NULL, NULL);
    CU_add_test(s, "ParaView reads the XDMF sidecars of a run and of a difference map as h5py reads them", test_paraview_reads_xdmf);
}
