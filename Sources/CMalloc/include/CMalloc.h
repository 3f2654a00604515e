// Fefaent: glibc's mallopt, which Swift's Glibc module does not export. SPDX-License-Identifier: Apache-2.0
#pragma once

/// Sets glibc's mmap threshold (and so turns its dynamic adjustment off); returns 1 on success,
/// 0 where there is no glibc.
int fefaent_set_mmap_threshold(int bytes);
