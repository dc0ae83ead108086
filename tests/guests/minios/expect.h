/*
 * The processes' parameters and the results they must reach.  The results
 * were computed outside the guest, not by running it (Python: zlib.crc32
 * of the same LCG bytes repeated; a sieve); docs/minios.md has the script.
 * The work is sized so that the 100 Hz timer preempts it some 40 times on
 * bare QEMU (TCG), while the text printed stays the same.
 */
#ifndef MINIOS_EXPECT_H
#define MINIOS_EXPECT_H

#define CRC_BYTES  (1024u * 1024)
#define CRC_PASSES 64u
#define CRC_SEED   0x2545F491u
#define EXPECT_CRC 0x30c692afu

#define SIEVE_N           (1u << 21)
#define EXPECT_PRIMES     155611u
#define EXPECT_LAST_PRIME 2097143u
#define EXPECT_PRIME_SUM  0x75a5ff2eu   /* mod 2^32 */

/*
 * Demand-paging faults, page by page:
 *   crc    1 stack + 257 heap (a 1 KiB table, then 1 MiB of data, from
 *          HEAP_BASE: 1025 KiB, 257 pages)                       =  258
 *   sieve  1 stack + 512 heap + 512 again after shrink and regrow = 1025
 *   probe  1 stack (its faults are not demand paging: "caught")   =    1
 */
#define EXPECT_FAULTS 1284u

/*
 * System calls, by process:
 *   crc    getpid, 2 sbrk, 4 yields, 1 + 1 + 4 + 1 writes, exit  =  15
 *   sieve  getpid, 3 sbrk, yields for p = 2, 3, 5, 7, 3 writes,
 *          exit                                                  =  12
 *   probe  getpid, 9 catch + the final one, 13 writes, exit      =  25
 */
#define EXPECT_SYSCALLS 52u
#define EXPECT_CAUGHT   9u              /* the probe's faulting probes */

#endif
