#include <stdio.h>
#include "y90/common.h"
int main(void) { printf("y90mc %s\n", y90_version()); return 0; }
