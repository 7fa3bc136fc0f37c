/* Grid: allocation limits, structures, point location. */
#include "testutil.h"
#include "y90/grid.h"
#include <stdlib.h>
#include <string.h>

static void test_alloc_limit(void)
{
    y90_grid g = {.nx = 100, .ny = 100, .nz = 100, .spacing = {1, 1, 1}};
    y90_error e = {0};
    CU_ASSERT_EQUAL(y90_grid_alloc(&g, 1000, &e), Y90_ENOMEM);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "max_memory_gb"));
    CU_ASSERT_EQUAL(y90_grid_alloc(&g, 0, &e), Y90_OK);
    y90_grid_free(&g);
}

static void test_locate(void)
{
    y90_grid g = {.nx = 4, .ny = 3, .nz = 2, .spacing = {2, 2, 2}, .lo = {-4, -3, 0}};
    size_t i;
    CU_ASSERT_EQUAL(y90_grid_locate(&g, (double[]){-4, -3, 0}, &i), 0);
    CU_ASSERT_EQUAL(i, 0);
    CU_ASSERT_EQUAL(y90_grid_locate(&g, (double[]){3.9, 2.9, 3.9}, &i), 0);
    CU_ASSERT_EQUAL(i, y90_grid_index(&g, 3, 2, 1));
    CU_ASSERT_EQUAL(y90_grid_locate(&g, (double[]){4.0, 0, 0}, &i), -1);
    CU_ASSERT_EQUAL(y90_grid_locate(&g, (double[]){-4.01, 0, 0}, &i), -1);
}

static void test_structures(void)
{
    y90_grid g = {0};
    CU_ASSERT_EQUAL(y90_grid_add_structure(&g, "a", Y90_KIND_BODY, Y90_LOBE_NONE), 0);
    CU_ASSERT_EQUAL(y90_grid_add_structure(&g, "b", Y90_KIND_LUNG, Y90_LOBE_NONE), 1);
    CU_ASSERT_EQUAL(y90_grid_add_structure(&g, "a", Y90_KIND_BODY, Y90_LOBE_NONE), 0);
    y90_kind k;
    CU_ASSERT_EQUAL(y90_kind_from_name("tumour_viable", &k), 0);
    CU_ASSERT_EQUAL(k, Y90_KIND_TUMOR_VIABLE);
    CU_ASSERT_EQUAL(y90_kind_from_name("nonsense", &k), -1);
}

void y90t_register(void)
{
    CU_pSuite s = CU_add_suite("grid", NULL, NULL);
    CU_add_test(s, "allocation limit", test_alloc_limit);
    CU_add_test(s, "locate", test_locate);
    CU_add_test(s, "structures", test_structures);
}
