// Fefaent: glibc's malloc_trim, which Swift's Glibc module does not export. SPDX-License-Identifier: Apache-2.0
#pragma once

/// Gives the free memory of every malloc arena back to the system (glibc's malloc_trim); returns 1
/// if some was given back, 0 if none was or where there is no glibc.
int fefaent_release_free_memory(void);
