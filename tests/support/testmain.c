/* main() of every test program: runs the registered CUnit tests and exits non-zero on any failure
 * (CUnit's basic runner itself returns 0 even when tests fail). */
#include <stdio.h>
#include <CUnit/Basic.h>
#include "testutil.h"

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS) {
        fprintf(stderr, "CUnit: cannot initialise the registry\n");
        return 2;
    }
    y90t_register();
    if (CU_get_error() != CUE_SUCCESS) {
        fprintf(stderr, "CUnit: registering tests failed: %s\n", CU_get_error_msg());
        CU_cleanup_registry();
        return 2;
    }
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failures = CU_get_number_of_failures();
    unsigned ran = CU_get_number_of_tests_run();
    unsigned failed_tests = CU_get_number_of_tests_failed();
    CU_cleanup_registry();
    y90t_cleanup(ran > 0 && failures == 0 && failed_tests == 0);
    if (ran == 0) {
        fprintf(stderr, "no test ran\n");
        return 2;
    }
    return (failures > 0 || failed_tests > 0) ? 1 : 0;
}
