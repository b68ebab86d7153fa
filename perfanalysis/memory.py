"""Process memory settings for long Monte Carlo loops.

Each draw chunk makes dozens of temporary arrays of a few megabytes. glibc's malloc hands
blocks that size back to the kernel when they are freed and maps fresh pages for the next
one, so every temporary pays a page fault per 4 KiB page: in a virtual machine that is more
than half the time of a vectorised chunk. ``keep_freed_memory`` asks malloc to keep freed
blocks for reuse instead. Peak memory is unchanged (the same blocks are reused); only the
return of memory to the OS after the peak is deferred.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools

M_TRIM_THRESHOLD, M_TOP_PAD, M_MMAP_THRESHOLD = -1, -2, -3  # glibc <malloc.h>
MMAP_THRESHOLD = 32 << 20  # glibc's largest mmap threshold on 64-bit systems
TOP_PAD = 64 << 20


@functools.cache
def keep_freed_memory() -> bool:
    """Let glibc reuse freed blocks up to 32 MiB instead of unmapping them (once per process);
    False where the C library is not glibc (nothing is changed there)."""
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name)
        mallopt = libc.mallopt
    except (OSError, AttributeError, TypeError):
        return False
    ok = mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1
    ok &= mallopt(M_TRIM_THRESHOLD, 2 * MMAP_THRESHOLD + TOP_PAD) == 1
    ok &= mallopt(M_TOP_PAD, TOP_PAD) == 1
    return bool(ok)
