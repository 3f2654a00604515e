// Fefaent: glibc's mallopt, which Swift's Glibc module does not export. SPDX-License-Identifier: Apache-2.0
#include "CMalloc.h"
#include <stdlib.h>  // defines __GLIBC__ on glibc

#if defined(__GLIBC__)
#include <malloc.h>

int fefaent_set_mmap_threshold(int bytes) { return mallopt(M_MMAP_THRESHOLD, bytes); }
#else
int fefaent_set_mmap_threshold(int bytes) { (void)bytes; return 0; }
#endif
