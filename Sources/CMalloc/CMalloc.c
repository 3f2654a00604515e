// Fefaent: glibc's malloc_trim, which Swift's Glibc module does not export. SPDX-License-Identifier: Apache-2.0
#include "CMalloc.h"
#include <stdlib.h>  // defines __GLIBC__ on glibc

#if defined(__GLIBC__)
#include <malloc.h>

int fefaent_release_free_memory(void) { return malloc_trim(0); }
#else
int fefaent_release_free_memory(void) { return 0; }
#endif
