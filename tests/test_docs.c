/* The README's config reference is the key table's: every line `y90mc config-reference` prints is in README.md. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"

static void test_config_reference_in_readme(void)
{
    char *ref = NULL;
    CU_ASSERT_EQUAL_FATAL(y90t_cli("config-reference", &ref), 0);
    char path[1024];
    snprintf(path, sizeof path, "%s/README.md", Y90_SOURCE_DIR);
    char *readme = y90t_slurp(path, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(readme);
    int lines = 0;
    for (char *line = strtok(ref, "\n"); line; line = strtok(NULL, "\n")) {
        lines++;
        if (!strstr(readme, line)) {
            printf("\n  README.md lacks: %s", line);
            CU_FAIL("README config reference out of date: paste `y90mc config-reference`");
        }
    }
    CU_ASSERT(lines > 40);
    free(ref);
    free(readme);
}

void y90t_register(void)
{
    CU_pSuite s = CU_add_suite("docs", NULL, NULL);
    CU_add_test(s, "README holds the config reference", test_config_reference_in_readme);
}
