/*
 * Process "sieve": the primes below SIEVE_N with a byte per number in its
 * demand-paged heap.  Then it gives the heap back (sbrk down, which unmaps
 * and flushes the TLB) and grows it again: the new pages must read as zero,
 * not as the old sieve.  The exit status is the prime count, or 0 if a
 * byte was not zero.
 */
#include "user.h"
#include "expect.h"

USER void user_sieve_main(void)
{
	uprintf("sieve: pid %u, primes below %u\n", ugetpid(), SIEVE_N);

	uint8_t *composite = usbrk(SIEVE_N);
	for (uint32_t p = 2; p * p < SIEVE_N; p++) {
		if (composite[p])
			continue;
		for (uint32_t m = p * p; m < SIEVE_N; m += p)
			composite[m] = 1;
		if (p < 8)
			uyield();
	}

	uint32_t count = 0, sum = 0, last = 0;
	for (uint32_t n = 2; n < SIEVE_N; n++) {
		if (!composite[n]) {
			count++;
			sum += n;
			last = n;
		}
	}
	uprintf("sieve: %u primes, the last %u, sum mod 2^32 %x\n", count, last, sum);

	usbrk(-(int32_t)SIEVE_N);
	uint8_t *again = usbrk(SIEVE_N);
	uint32_t nonzero = 0;
	for (uint32_t i = 0; i < SIEVE_N; i++)
		nonzero += again[i] != 0;
	uprintf("sieve: heap shrunk and regrown at %x, %u nonzero bytes\n",
		(uint32_t)again, nonzero);

	int ok = count == EXPECT_PRIMES && last == EXPECT_LAST_PRIME &&
		 sum == EXPECT_PRIME_SUM && nonzero == 0;
	uexit(ok ? count : 0);
}
