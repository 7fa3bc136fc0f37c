/* libFuzzer harness: the YAML config parser and validator (sim/config).
 * Property checked beyond "no crash, no sanitizer finding": a config that parses and validates has an effective
 * config (what every output stores) that parses and validates again and prints the same text. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "y90/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    y90_config c, c2;
    y90_error e = {0};
    memset(&c, 0, sizeof c);
    memset(&c2, 0, sizeof c2);
    if (y90_config_parse("fuzz.yaml", (const char *)data, size, &c, &e) == Y90_OK &&
        y90_config_validate(&c, &e) == Y90_OK) {
        char *eff = y90_config_effective(&c);
        if (!eff) abort();
        y90_error e2 = {0};
        if (y90_config_parse("effective.yaml", eff, strlen(eff), &c2, &e2) != Y90_OK ||
            y90_config_validate(&c2, &e2) != Y90_OK) {
            fprintf(stderr, "effective config does not re-parse: %s\n---\n%s\n", e2.msg, eff);
            abort();
        }
        char *eff2 = y90_config_effective(&c2);
        if (!eff2 || strcmp(eff, eff2) != 0) {
            fprintf(stderr, "effective config changes on re-parse:\n---\n%s\n---\n%s\n", eff, eff2 ? eff2 : "");
            abort();
        }
        free(eff2);
        free(eff);
        y90_config_free(&c2);
    }
    y90_config_free(&c);
    return 0;
}
